"""Voila over HTTPS: the server ``reflect app --lan`` starts (``python -m reflect.servers.voila_https``).

Voila 0.5 can be told which address to listen on (``--Voila.ip``) but has no certificate options
of its own: it calls tornado's ``Application.listen(port, address)``, which hands any further
keyword to tornado's ``HTTPServer``. This subclass adds two settings, ``certfile`` and ``keyfile``,
and passes tornado an :class:`ssl.SSLContext` (TLS 1.2 or newer) made from them, so every
request, websocket included, is HTTPS. Everything else is Voila as ``reflect app`` runs it.
"""

from __future__ import annotations

import functools
import ssl
from typing import Any

from traitlets import Unicode
from voila.app import Voila


def tls_context(certfile: str, keyfile: str) -> ssl.SSLContext:
    """A server-side TLS context (TLS 1.2 or newer) holding the certificate and its key."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile, keyfile)
    return context


class ReflectVoila(Voila):  # type: ignore[misc]
    """Voila that listens with TLS when given a certificate."""

    certfile = Unicode("", config=True, help="The PEM certificate to serve HTTPS with.")
    keyfile = Unicode("", config=True, help="The PEM private key of the certificate.")

    def listen(self) -> None:
        if self.certfile:
            self.app.listen = functools.partial(self.app.listen, ssl_options=tls_context(self.certfile, self.keyfile))
        super().listen()

    def _url(self, ip: Any) -> str:
        url: str = super()._url(ip)
        return "https" + url[len("http"):] if self.certfile and url.startswith("http:") else url


main = ReflectVoila.launch_instance

if __name__ == "__main__":
    main()
