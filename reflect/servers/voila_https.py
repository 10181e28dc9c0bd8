"""Voila over HTTPS: the server ``reflect app --lan`` starts (``python -m reflect.servers.voila_https``).

Voila 0.5 can be told which address to listen on (``--Voila.ip``) but has no certificate options
of its own: it calls tornado's ``Application.listen(port, address)``, which hands any further
keyword to tornado's ``HTTPServer``. This subclass adds two settings, ``certfile`` and ``keyfile``,
and passes tornado an :class:`ssl.SSLContext` made from them (:func:`tls_context`), so every
request, websocket included, is HTTPS. Everything else is Voila as ``reflect app`` runs it.

The context follows Mozilla's "intermediate" server profile (its guidelines' version 5.7), which every
browser since about 2014 can reach (Android 4.4.2 and Safari 9 are its oldest clients):

- TLS 1.2 and 1.3 only;
- in TLS 1.2, ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 only (:data:`CIPHERS`): no CBC
  suite, no RSA key exchange, nothing without forward secrecy; TLS 1.3's own three suites are
  OpenSSL's default and the profile's;
- key exchange on X25519, P-256 or P-384 only (:data:`GROUPS`): not X448, P-521 or the finite-field
  groups OpenSSL would otherwise accept;
- the client's order of preference among these (all of them strong: a phone without AES hardware
  picks ChaCha20), and no stateless session tickets (the key sealing them would outlive the
  connections it protects, against forward secrecy).

Python's :mod:`ssl` can set the ciphers but not the list of groups: ``set_ecdh_curve`` takes a single
curve, and OpenSSL's ``SSL_CTX_set1_groups_list`` is not exposed. :func:`restrict_groups` calls it
through :mod:`ctypes` on the context's own ``SSL_CTX``, after checking that it found the right one;
where it cannot (an interpreter other than CPython, an OpenSSL linked in without its symbols), the
context falls back to ``set_ecdh_curve("prime256v1")``: P-256 alone, which every phone offers, so
X448 and P-521 are refused all the same.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import ssl
import sys
from typing import Any

from traitlets import Unicode
from voila.app import Voila

log = logging.getLogger(__name__)

#: The TLS 1.2 suites of Mozilla's intermediate profile that need no DH parameters: ECDHE (with an
#: ECDSA key, as the kit's certificate has, or an RSA one) with AES-GCM or ChaCha20-Poly1305.
CIPHERS = ":".join([
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
])
#: The key exchange groups of Mozilla's intermediate profile, in its order.
GROUPS = "X25519:prime256v1:secp384r1"
#: The group used where :data:`GROUPS` cannot be set (see :func:`restrict_groups`).
FALLBACK_GROUP = "prime256v1"

_SSL_CTRL_SET_GROUPS_LIST = 92  # OpenSSL's ssl.h: SSL_CTX_set1_groups_list(ctx, s) is this SSL_CTX_ctrl


def tls_context(certfile: str, keyfile: str) -> ssl.SSLContext:
    """A server-side TLS context holding the certificate and its key, to Mozilla's intermediate
    profile (see above)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(CIPHERS)  # TLS 1.2 only: TLS 1.3's suites are set apart, and already the profile's
    context.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE  # the client chooses among strong suites
    context.options |= ssl.OP_NO_TICKET
    if not restrict_groups(context, GROUPS):
        log.info("the key exchange groups cannot be listed here: P-256 (%s) alone is used", FALLBACK_GROUP)
        context.set_ecdh_curve(FALLBACK_GROUP)
    context.load_cert_chain(certfile, keyfile)
    return context


def restrict_groups(context: ssl.SSLContext, groups: str) -> bool:
    """Set the key exchange groups ``context`` accepts to ``groups`` (OpenSSL names, ``:`` between):
    OpenSSL's ``SSL_CTX_set1_groups_list``, which Python's :mod:`ssl` does not expose, called through
    :mod:`ctypes`. True when it was set; False, with ``context`` untouched, where it cannot be.

    CPython's ``_ssl._SSLContext`` object holds its ``SSL_CTX *`` right after the object header, and
    the OpenSSL functions are reached through the ``_ssl`` module's own library (so they are the very
    OpenSSL it uses). The pointer found there is used only once ``SSL_CTX_get_options`` on it gives
    back the context's own ``options``."""
    import _ssl

    if sys.implementation.name != "cpython" or type(context).__basicsize__ < object.__basicsize__ + ctypes.sizeof(
            ctypes.c_void_p):
        return False
    try:
        library = ctypes.CDLL(_ssl.__file__)
        get_options, control = library.SSL_CTX_get_options, library.SSL_CTX_ctrl
        clear_errors = library.ERR_clear_error
    except (OSError, AttributeError):  # no shared object, or OpenSSL's symbols not reachable from it
        return False
    get_options.restype, get_options.argtypes = ctypes.c_uint64, [ctypes.c_void_p]
    control.restype, control.argtypes = ctypes.c_long, [ctypes.c_void_p, ctypes.c_int, ctypes.c_long, ctypes.c_char_p]
    clear_errors.restype, clear_errors.argtypes = None, []
    ctx = ctypes.c_void_p.from_address(id(context) + object.__basicsize__).value
    if not ctx or get_options(ctx) != context.options:
        return False
    if control(ctx, _SSL_CTRL_SET_GROUPS_LIST, 0, groups.encode("ascii")) != 1:
        clear_errors()  # leave no error of ours for the ssl module to report later
        return False
    return True


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
