"""Pages kept ready: what a kernel of ``reflect app``'s pool does before anyone opens the page.

``reflect app`` keeps a few kernels ready (Voila's preheated kernel pool, see
:mod:`reflect.servers.kernels`): each one starts and runs the reflection notebook ahead of time, so
that opening the address costs no kernel start, no imports and no building: the form, the
practices and the quick log are built, and the whole page rendered, before anyone comes. Built
before anyone could choose a name, they hold nothing of anyone. But they would show the store and
the calendar as they were when the kernel started (who the people are, today's date, the kinds of
ritual, what was logged today, a reminder set since), so the notebook's last cell calls
:func:`wait_for_visitor` with them: in a ready kernel it waits in the background until someone opens
the page, then each catches up (their ``catch_up``) with the store and the calendar as they are at
that moment, on the kernel's own loop, while the browser is still loading Voila's scripts (a second
or so) and before the page asks for its widgets; what is shown of a person is read only once they
choose their name, as always. So Voila sends the whole page, rendered ahead, the moment it is asked
for. Each kernel serves one page and one visitor only: nothing of one page's person reaches
another's.

The wait is Voila's own (``voila.utils.wait_for_request``: the kernel opens a websocket to the
server's ``voila/query/<kernel id>`` and the server sends the page's request down it), with one
difference: the kernel signs in with the server's token, and the server
(:class:`reflect.servers.identity.PageIdentityProvider`) answers nothing else there. Voila's own
route takes anyone who knows a kernel's id (other users of the machine can read it in ``ps``),
and the request it hands over holds the page's address, token included.

Anywhere else (JupyterLab, a headless run, a kernel Voila started for one request) it returns at
once and does nothing else.

**A page nobody signs in to closes.** Once the page is opened (at once in a kernel Voila started for
the request), :func:`wait_for_visitor` starts the page's sign-in clock
(:mod:`reflect.system.signin_deadline`) when the server gave one (``reflect app --lan`` does). If
nobody has signed in when it runs out, the page says so (at its foot, and on a banner at its top)
and the kernel asks its server to shut it down (:func:`close_this_page`: Jupyter Server's
``DELETE /api/kernels/<id>`` with the server's token), so the server frees it as it frees a closed
page's, and its room among the kernels the server keeps (:mod:`reflect.servers.kernelcap`) goes to
another page.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import ssl
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, Protocol

from reflect.system import signin_deadline

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


class CatchesUp(Protocol):
    """A part of the page built ahead of its visitor, which can bring itself up to date."""

    def catch_up(self, today: dt.date | None = None) -> None: ...


def wait_for_visitor(*ahead: CatchesUp) -> threading.Thread | None:
    """In a ready kernel: let the page made ahead be sent whole the moment it is asked for, and wait
    for that moment in the background; then bring the parts built ahead (``ahead``: the form, the
    practices, the quick log...) up to the store and the calendar as they are (their ``catch_up``,
    all with the same day), on the kernel's own loop, before it handles anything the page sends
    (the page takes a second or so to load Voila's scripts and ask for its widgets). The thread that
    waits.

    Elsewhere it returns at once (``None``): there the page was built just now. If the wait cannot be
    set up (the server unreachable from the kernel), the page catches up at once rather than never,
    and the server's log says so.
    """
    if not in_ready_kernel():
        start_sign_in_clock()
        return None
    notice = sign_in_notice()  # on the page made ahead, empty until (and unless) the page closes
    try:
        loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()  # the kernel's own
    except RuntimeError:
        loop = None

    def arrived(details: dict[str, str]) -> None:
        if details:
            os.environ.update(details)  # as Voila's own wait does
            os.environ[PREHEAT_VARIABLE] = "False"  # this kernel now belongs to the page that was opened
        today = dt.date.today()
        try:
            for part in ahead:
                part.catch_up(today)
        except Exception as exc:  # pragma: no cover - the page is there; the server's log says what failed
            _say(f"the page made ahead could not catch up ({exc!r})")
        start_sign_in_clock(notice)

    def wait() -> None:
        try:
            details = wait_for_request(os.environ)
        except Exception as exc:  # never leave a person with a page that does not catch up
            _say(f"could not wait for the page to be opened ({exc!r}); the page is up to date as of now")
            details = {}
        if loop is None:
            arrived(details)
        else:
            loop.call_soon_threadsafe(arrived, details)

    waiting = threading.Thread(target=wait, name="reflect-wait-for-visitor", daemon=True)
    waiting.start()
    return waiting


#: How long the page's last words have to reach it before its kernel goes.
GOODBYE_S = 1.0


def shutdown_address(environ: Mapping[str, str]) -> str:
    """Where this kernel asks its server to shut it down: Jupyter Server's ``api/kernels/<kernel id>``,
    at the address :func:`query_address` uses (``https`` when the server is on HTTPS)."""
    protocol = "https" if environ.get("VOILA_WS_PROTOCOL", "ws") == "wss" else "http"
    host = environ.get("VOILA_APP_IP", "127.0.0.1")
    host = f"[{host}]" if ":" in host else host
    port = environ.get("VOILA_APP_PORT", "8866")
    base = environ.get("VOILA_SERVER_URL", "/")
    return f"{protocol}://{host}:{port}{base}api/kernels/{environ.get('VOILA_KERNEL_ID', '')}"


def close_this_page(environ: Mapping[str, str] | None = None) -> None:
    """Ask the server to shut this page's kernel down, as a closed page does (with the server's token)."""
    import urllib.request

    environ = os.environ if environ is None else environ
    if not environ.get("VOILA_KERNEL_ID"):
        raise RuntimeError("this kernel does not know its id (VOILA_KERNEL_ID)")
    request = urllib.request.Request(shutdown_address(environ), method="DELETE",
                                     headers={"Authorization": f"token {environ.get('JUPYTER_TOKEN', '')}"})
    with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT_S, context=tls_context(environ)):
        pass  # usually never reached: the server stops this kernel before it answers


def sign_in_notice() -> Any:
    """When the server gave a sign-in deadline (:data:`reflect.system.signin_deadline.ENV_SECONDS`): the
    line that says why the page closed, shown where this is called (at the foot of the page), empty
    until then; else ``None``."""
    if not signin_deadline.seconds():
        return None
    import ipywidgets as w
    from IPython.display import display

    notice = w.HTML("")
    notice.add_class("reflect-page-closed")
    display(notice)
    return notice


def start_sign_in_clock(notice: Any = None) -> bool:
    """Once the page is opened: close it if nobody signs in in time (when the server gave a deadline,
    :data:`reflect.system.signin_deadline.ENV_SECONDS`). ``notice`` (else one shown now, see
    :func:`sign_in_notice`) says why it closed. Whether the clock runs."""
    if not signin_deadline.seconds():
        return False
    if notice is None:
        notice = sign_in_notice()
    minutes = signin_deadline.seconds() / 60

    def close() -> None:
        said = f"{minutes:g} minute{'s' if minutes != 1 else ''}" if minutes >= 1 else \
            f"{signin_deadline.seconds():g} seconds"
        words = (f"This page has closed: nobody signed in on it for {said}, and the kit keeps room for only a few "
                 "pages at once. Reload the page to start again.")
        notice.value = (  # said at the foot of the page, and on a banner wherever the page is scrolled to
            f"<p role='alert' style='padding: 10px 12px; background: #fff7e6; border-left: 4px solid #b26a00'>"
            f"{words}</p><style>"
            "body::before { content: '" + words + "'; position: fixed; top: 0; left: 0; right: 0; z-index: 10000; "
            "padding: 12px 16px; background: #fff7e6; border-bottom: 3px solid #b26a00; color: #222; "
            "font: 15px/1.45 system-ui, sans-serif; }"
            " #rendered_cells .reflect-checkin-form, #rendered_cells .widget-box"
            " { opacity: 0.5; pointer-events: none; }"
            "</style>")
        time.sleep(GOODBYE_S)
        _say("closing a page nobody signed in to")
        close_this_page()

    return signin_deadline.arm(close)

