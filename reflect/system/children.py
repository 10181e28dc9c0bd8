"""Child processes that never outlive the kit.

:func:`die_with_parent` gives a ``preexec_fn`` for :mod:`subprocess` that asks Linux to send the
child a signal (``PR_SET_PDEATHSIG``) when the process that started it dies, however it dies
(``SIGKILL`` included). A server (Voila) or a printer (chromium) left behind would keep serving
or holding private data; with this it stops with the kit. Elsewhere than Linux it does nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return None


def end_with_parent(parent: int | None, sig: int = signal.SIGKILL, *, prctl: Callable[..., int] | None = None) -> None:
    """Called in a child (a forked helper, or a ``preexec_fn``): have Linux send ``sig`` to it when
    its parent dies, and end it at once if ``parent`` is already gone. Elsewhere than Linux it
    does nothing (a forked helper still ends when its pipe to the parent closes)."""
    prctl = prctl or _prctl()
    if prctl is None:
        return
    prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if parent is not None and os.getppid() != parent:  # the parent died before the request was made
        os.kill(os.getpid(), sig)


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child receive ``sig`` when this process dies (or ``None``
    where that cannot be asked for)."""
    prctl = _prctl()  # looked up here, not in the forked child
    if prctl is None:
        return None
    parent = os.getpid()
    return lambda: end_with_parent(parent, sig, prctl=prctl)
