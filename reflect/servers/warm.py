"""Pages kept ready: what a kernel of ``reflect app``'s pool does before anyone opens the page.

``reflect app`` keeps a few kernels ready (Voila's preheated kernel pool, see
:mod:`reflect.servers.kernels`): each one starts and runs the reflection notebook ahead of time, so
that opening the address costs no kernel start and no imports. But a page made ahead of time
would show the store as it was when the kernel started (who the people are, today's date, a
check-in saved since on another page), so the notebook calls :func:`wait_for_visitor` first: in a
ready kernel it imports what the page needs, then waits there until someone opens the page, and
only then are the form and the rest built, from the store as it is at that moment. Each kernel
serves one page and one visitor only: nothing of one page's person reaches another's.

The wait is Voila's own (``voila.utils.wait_for_request``: the kernel opens a websocket to the
server's ``voila/query/<kernel id>`` and the server sends the page's request down it), with one
difference: the kernel signs in with the server's token, and the server
(:class:`reflect.servers.identity.PageIdentityProvider`) answers nothing else there. Voila's own
route takes anyone who knows a kernel's id (other users of the machine can read it in ``ps``),
and the request it hands over holds the page's address, token included.

Anywhere else (JupyterLab, a headless run, a kernel Voila started for one request) it returns at
once and does nothing.
"""

from __future__ import annotations

import json
import logging
import os
import ssl
import sys
from collections.abc import Mapping

log = logging.getLogger(__name__)

#: Set by Voila in the environment of a kernel started for its pool.
PREHEAT_VARIABLE = "VOILA_PREHEAT"
#: The certificate a ready kernel trusts when its server is on HTTPS (the kit's own, for ``--lan``).
CERT_VARIABLE = "REFLECT_APP_CERTFILE"
#: How long a ready kernel tries to reach its server before it gives up waiting.
CONNECT_TIMEOUT_S = 10.0


def in_ready_kernel(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this kernel was started ahead of time for Voila's pool (and no page has it yet)."""
    return (os.environ if environ is None else environ).get(PREHEAT_VARIABLE) == "True"


def query_address(environ: Mapping[str, str]) -> str:
    """Where a ready kernel waits for its page's request: the server's ``voila/query/<kernel id>``,
    found as Voila's own wait finds it (``VOILA_WS_PROTOCOL``, ``VOILA_APP_IP``, ``VOILA_APP_PORT``,
    ``VOILA_SERVER_URL``: plain ``ws`` on 127.0.0.1 unless the server's environment says otherwise)."""
    protocol = environ.get("VOILA_WS_PROTOCOL", "ws")
    host = environ.get("VOILA_APP_IP", "127.0.0.1")
    host = f"[{host}]" if ":" in host else host
    port = environ.get("VOILA_APP_PORT", "8866")
    base = environ.get("VOILA_SERVER_URL", "/")
    return f"{protocol}://{host}:{port}{base}voila/query/{environ.get('VOILA_KERNEL_ID', '')}"


def tls_context(environ: Mapping[str, str]) -> ssl.SSLContext | None:
    """For a server on HTTPS (``wss``): a client context that trusts the certificate in
    :data:`CERT_VARIABLE` (the kit's own), else the system's authorities."""
    if environ.get("VOILA_WS_PROTOCOL", "ws") != "wss":
        return None
    return ssl.create_default_context(cafile=environ.get(CERT_VARIABLE) or None)


def wait_for_request(environ: Mapping[str, str]) -> dict[str, str]:
    """Wait until this kernel's page is opened; the request's details (``QUERY_STRING``...)."""
    from websockets.sync.client import connect

    token = environ.get("JUPYTER_TOKEN", "")
    with connect(query_address(environ), additional_headers={"Authorization": f"token {token}"},
                 ssl=tls_context(environ), open_timeout=CONNECT_TIMEOUT_S, max_size=2**20) as socket:
        details = json.loads(socket.recv())
    return {str(key): str(value) for key, value in details.items()}


def _say(words: str) -> None:
    """A warning for the server's log (the kernel's own stderr), never on the person's page."""
    log.warning(words)
    print(f"reflect: {words}", file=sys.__stderr__, flush=True)


def wait_for_visitor() -> None:
    """In a ready kernel: import the page's modules, then wait until someone opens the page.

    Elsewhere it returns at once. If the wait cannot be set up (the server unreachable from the
    kernel), the page is built at once, with the store as it is now, rather than not at all, and
    the server's log says so.
    """
    if not in_ready_kernel():
        return
    # What the notebook's cells import, so that the visitor's page costs no import.
    import reflect.views.practices  # noqa: F401
    import reflect.views.quicklog  # noqa: F401
    import reflect.views.widgets  # noqa: F401

    try:
        details = wait_for_request(os.environ)
    except Exception as exc:  # never leave a person with no form at all
        _say(f"could not wait for the page to be opened ({exc!r}); building it now")
        return
    os.environ.update(details)  # as Voila's own wait does
    os.environ[PREHEAT_VARIABLE] = "False"  # this kernel now belongs to the page that was opened
