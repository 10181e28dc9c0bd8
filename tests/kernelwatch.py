"""Wait for the kernel, not for the clock: what a page asked its Jupyter kernel, and what it has finished.

ipywidgets keeps one update per widget in flight and buffers the rest until the kernel answers,
while a button's click is sent at once: a click right after the last key press on a slider can reach
the kernel before the slider's last value. A person is never that fast; a test is. Rather than pause
for a fixed time, a test calls :func:`caught_up` before it clicks: it returns once the kernel has
gone idle after every message the page sent it, and the page has sent nothing new for a moment (the
buffered value goes out when the kernel answers the one before it).

The frames are read with jupyter_server's own decoder for the binary ``v1.kernel.websocket.jupyter.org``
protocol that JupyterLab and Voila speak; plain JSON frames (the legacy protocol) are read as JSON.
"""

from __future__ import annotations

import json
import time
from typing import Any

from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

#: How long the page must have sent nothing new, after the kernel finished the last message.
QUIET_S = 0.15
#: Giving up: a kernel that has not answered in this long is stuck.
TIMEOUT_S = 60.0
POLL_MS = 25


def _header_and_parent(payload: str | bytes) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The header, parent header and content of one websocket frame ({} for what is not a message)."""
    try:
        if isinstance(payload, str):
            msg = json.loads(payload)
            return msg.get("header") or {}, msg.get("parent_header") or {}, msg.get("content") or {}
        _channel, parts = deserialize_msg_from_ws_v1(payload)
        header, parent, _metadata, content = (json.loads(part) if part else {} for part in parts[:4])
        return header, parent, content
    except (ValueError, IndexError, TypeError, UnicodeDecodeError):
        return {}, {}, {}


class KernelWatch:
    """Follows every kernel websocket of one page: the messages sent, and those the kernel finished."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.sent: set[str] = set()
        self.finished: set[str] = set()
        self.last_sent = time.monotonic()
        page.on("websocket", self._follow)

    def _follow(self, socket: Any) -> None:
        if "/api/kernels/" not in socket.url:
            return
        socket.on("framesent", self._sent)
        socket.on("framereceived", self._received)

    def _sent(self, payload: str | bytes) -> None:
        header, _parent, _content = _header_and_parent(payload)
        if header.get("msg_type") in ("comm_msg", "comm_open", "execute_request"):
            self.sent.add(header["msg_id"])
            self.last_sent = time.monotonic()

    def _received(self, payload: str | bytes) -> None:
        header, parent, content = _header_and_parent(payload)
        if header.get("msg_type") == "status" and content.get("execution_state") == "idle" and parent:
            self.finished.add(parent.get("msg_id", ""))

    def pending(self) -> set[str]:
        return self.sent - self.finished

    def caught_up(self, timeout: float = TIMEOUT_S) -> None:
        """Return once the kernel has finished everything sent and nothing new went out for QUIET_S."""
        if not self.sent:  # the watch would wait for nothing: say so rather than pass by luck
            raise AssertionError("no message to the kernel was seen: call watch(page) before page.goto")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.pending() and time.monotonic() - self.last_sent >= QUIET_S:
                return
            self.page.wait_for_timeout(POLL_MS)  # lets Playwright deliver the websocket events
        raise AssertionError(f"the kernel has not finished {len(self.pending())} message(s) within {timeout:.0f} s")


def watch(page: Any) -> KernelWatch:
    """The page's watch, made on first use: call it before ``page.goto``."""
    found = getattr(page, "_reflect_kernel_watch", None)
    if found is None:
        found = KernelWatch(page)
        page._reflect_kernel_watch = found
    return found


def caught_up(page: Any) -> None:
    """Wait until the page's kernel has handled everything the page sent it (see the module's text)."""
    watch(page).caught_up()
