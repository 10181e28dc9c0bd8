"""Helper processes for the heavy lifting of a report, so that it runs in parallel.

Making a report is mostly Python work (pandas, altair) plus a piece that needs no Python
objects of the report: rendering charts (vl-convert starts a JavaScript engine, about half a
second, and holds the GIL while it draws). ``reflect report`` forks one small process for it
before it imports anything heavy; it starts up while the main process loads pandas and runs the
notebook, and then draws on request. (A second helper that exported the page cost more CPU than
it saved: it imported nbformat and nbconvert a second time, and the export waited for it anyway.)
Where ``fork`` is not available, everything runs in the main process as before. Nothing is
cached: every chart and page is made from this run's data.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from reflect.errors import ReflectError
from reflect.system.children import end_quietly_on_interrupt, end_with_parent, interrupt_held

#: How long to wait for a helper's answer before giving up on it.
CALL_TIMEOUT_S = 300.0

class WorkerError(ReflectError):
    """A helper process failed or went away."""


def _serve(conn: Any, warm: Callable[[], Any], handle: Callable[[Any, Any], Any], parent: int | None = None) -> None:
    end_with_parent(parent)  # no helper outlives a `reflect report` killed with SIGKILL
    end_quietly_on_interrupt()  # Ctrl-C: the main process says one line, the helpers nothing
    state = warm()
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        try:
            conn.send(("ok", handle(state, request)))
        except Exception as exc:  # sent back and raised in the main process
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class Worker:
    """A forked process that warms up once, then answers requests one at a time."""

    def __init__(self, warm: Callable[[], Any], handle: Callable[[Any, Any], Any], name: str):
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, warm, handle, os.getpid()), name=name, daemon=True)
        with interrupt_held():
            self._process.start()
        child.close()
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[Any, Future[Any]]] | None = None

    def call(self, request: Any, timeout: float = CALL_TIMEOUT_S) -> Any:
        with self._lock:
            try:
                self._conn.send(request)
                if not self._conn.poll(timeout):
                    raise WorkerError(f"the {self._process.name} process did not answer in {timeout:.0f} s")
                status, value = self._conn.recv()
            except (EOFError, OSError) as exc:
                raise WorkerError(f"the {self._process.name} process stopped ({exc})") from None
        if status != "ok":
            raise WorkerError(f"the {self._process.name} process failed: {value}")
        return value

    def submit(self, request: Any) -> Future[Any]:
        """Send ``request`` from a background thread; the answer arrives in the future, and requests
        are answered in the order they were submitted."""
        future: Future[Any] = Future()
        if self._queue is None:
            self._queue = queue.SimpleQueue()
            threading.Thread(target=self._client, name=f"{self._process.name}-client", daemon=True).start()
        self._queue.put((request, future))
        return future

    def _client(self) -> None:
        assert self._queue is not None
        while True:
            request, future = self._queue.get()
            try:
                future.set_result(self.call(request))
            except Exception as exc:
                future.set_exception(exc)

    def close(self) -> None:
        try:
            with self._lock:
                self._conn.send(None)
        except (OSError, ValueError):
            pass
        self._process.join(timeout=5)
        if self._process.is_alive():  # pragma: no cover - should not happen
            self._process.kill()
        self._conn.close()


def can_fork() -> bool:
    """Whether helpers can be forked safely here: ``fork`` exists, no other thread is running (a
    lock held by one at the moment of the fork would never be released in the child), and
    vl-convert's engine has not started in this process (its threads do not survive a fork)."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and "vl_convert" not in sys.modules
    )


# -- the two workers of a report ----------------------------------------------------------------


def _warm_renderer() -> None:
    import vl_convert as vlc

    vlc.vegalite_to_svg({"mark": "text", "data": {"values": [{"t": "warm"}]},
                         "encoding": {"text": {"field": "t"}}, "title": "warm"})


def _render(_state: None, spec: dict[str, Any]) -> str:
    from reflect.reporting.rendering import draw

    return draw(spec)


def start_renderer() -> Worker:
    return Worker(_warm_renderer, _render, "chart-renderer")

