"""A page's kernel that nobody signs in to closes sooner: the deadline, kept in the page's kernel.

On the home network (``reflect app --lan``) anyone with the address can open the page, and each
open page holds a kernel (about 90 MB) among the few the server keeps
(:mod:`reflect.servers.kernelcap`). A page where someone signs in is a person's; a page where nobody
does within :func:`seconds` (3 minutes unless the server says otherwise, in the environment its
kernels inherit, :data:`ENV_SECONDS`) is closed, so that it gives its room back well before the
server's 15-minute cull.

This module is only the clock, with nothing of Jupyter in it:

- :func:`arm` starts it once the page is opened (:func:`reflect.servers.warm.wait_for_visitor`
  does, with what closing the page means there: asking the server to shut this kernel down);
- :func:`mark_signed_in` stops it for good; the form calls it whenever someone signs in
  (:meth:`reflect.views.widgets.CheckInForm._start_idle_timer`). After that the page stays until it
  is closed, culled, or the server stops, as before.

Anywhere the variable is not set (at the computer, in JupyterLab, in tests) :func:`arm` does nothing
and :func:`mark_signed_in` costs nothing.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

#: Seconds a page may stay open with nobody signed in; set by ``reflect app --lan`` for its kernels.
ENV_SECONDS = "REFLECT_SIGN_IN_WITHIN_S"
#: Three minutes: time enough to pick a name and type a passphrase, short enough that pages opened
#: by mistake (or by someone who should not) give their room back soon.
DEFAULT_SECONDS = 180.0

_lock = threading.Lock()
_timer: threading.Timer | None = None
_signed_in = False


def seconds(environ: Mapping[str, str] | None = None) -> float:
    """The deadline this kernel was given (0: none). A value that is not a positive number is none."""
    raw = (os.environ if environ is None else environ).get(ENV_SECONDS, "")
    try:
        value = float(raw)
    except ValueError:
        return 0.0
    return value if value > 0 and value == value and value != float("inf") else 0.0


def arm(close: Callable[[], None], environ: Mapping[str, str] | None = None) -> bool:
    """Start the clock: ``close()`` runs (in a thread of its own) if nobody has signed in after
    :func:`seconds`. Once per kernel; nothing when no deadline was given. Whether it is armed."""
    global _timer
    within = seconds(environ)
    if not within:
        return False
    with _lock:
        if _timer is not None or _signed_in:
            return _timer is not None
        timer = threading.Timer(within, _expire, args=(close,))
        timer.daemon = True
        timer.name = "reflect-sign-in-deadline"
        _timer = timer
    timer.start()
    log.debug("this page closes in %.0f s unless someone signs in", within)
    return True


def mark_signed_in() -> None:
    """Someone signed in on this page: it is theirs, and it is never closed for want of a sign-in."""
    global _signed_in, _timer
    with _lock:
        _signed_in = True
        timer, _timer = _timer, None
    if timer is not None:
        timer.cancel()


def signed_in() -> bool:
    """Whether someone has signed in on this page (in this kernel) since it was opened."""
    return _signed_in


def _expire(close: Callable[[], None]) -> None:
    with _lock:
        if _signed_in:  # signed in just as the clock ran out
            return
    try:
        close()
    except Exception as exc:  # the server's log says so; the kernel goes on as it was
        log.warning("could not close a page nobody signed in to: %r", exc)


def reset() -> None:
    """Forget this kernel's clock (tests run many "pages" in one process)."""
    global _signed_in, _timer
    with _lock:
        timer, _timer, _signed_in = _timer, None, False
    if timer is not None:
        timer.cancel()
