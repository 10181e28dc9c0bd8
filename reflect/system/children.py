"""Child processes that never outlive the kit.

:func:`die_with_parent` gives a ``preexec_fn`` for :mod:`subprocess` that asks Linux to send the
child a signal (``PR_SET_PDEATHSIG``) when the process that started it dies, however it dies
(``SIGKILL`` included). A server (Voila) or a printer (chromium) left behind would keep serving
or holding private data; with this it stops with the kit. Elsewhere than Linux it does nothing.

A Ctrl-C reaches every process of the command (the terminal signals the whole process group):
helpers started inside :func:`interrupt_held` and calling :func:`end_quietly_on_interrupt` end
without a word, and only the main process says what happened.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

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


@contextlib.contextmanager
def interrupt_held() -> Iterator[None]:
    """Hold SIGINT back while helper processes are started, and deliver it once they are: a child
    starts with the signal held too, and lets it through only once :func:`end_quietly_on_interrupt`
    has set its own handler, so a Ctrl-C at any moment never finds a child with Python's default
    one (a traceback), nor a child half started (``multiprocessing``'s spawn, stopped between
    starting a child and sending it its work, leaves the child a traceback to print).

    The signal is both blocked and, in case it gets through anyway (``subprocess`` starts children
    with ``vfork``, and a signal can reach the handler while the child shares this process's
    memory), only noted by a handler of this block's own; it is raised again at the end."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield  # pragma: no cover - only the main thread handles signals; not POSIX
        return
    noted: list[int] = []
    handler = signal.signal(signal.SIGINT, lambda signum, _frame: noted.append(signum))
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C held back arrives now, and is noted
        signal.signal(signal.SIGINT, handler)
        if noted:
            signal.raise_signal(signal.SIGINT)  # to the handler this block found (KeyboardInterrupt)


def end_quietly_on_interrupt() -> None:
    """Called first thing in a helper process: Ctrl-C (a terminal sends SIGINT to the whole process
    group) ends it at once, with no traceback and nothing to clean up (a helper writes no file);
    the main process says the one line. A SIGINT held back by :func:`interrupt_held` arrives now."""
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        return
    signal.signal(signal.SIGINT, _end_now)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _end_now(signum: int, _frame: Any) -> None:
    os._exit(128 + signum)
