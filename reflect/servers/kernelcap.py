"""How many kernels ``reflect app`` keeps at most: a kernel manager that refuses a kernel beyond its cap.

Every page of the app has a kernel of its own (about 90 MB), and a page left open on a phone keeps
its kernel; on the home network anyone with the address can open pages. Neither Voila nor Jupyter
Server has a limit of their own (voila-dashboards/voila issue 617 asks for one), but both let the
kernel manager be chosen: Voila builds its preheated pool (``VoilaKernelManager``) on top of
whatever class ``VoilaConfiguration.multi_kernel_manager_class`` names, and every kernel, ready or
for a page, is started through that class's ``start_kernel``. :class:`CappedKernelManager` is Jupyter
Server's own ``AsyncMappingKernelManager`` with one setting more, :attr:`~CappedKernelManager.max_kernels`:

- **A page beyond the cap** gets no kernel: ``start_kernel`` raises an HTTP 503, before anything is
  sent to the browser, so the page is the app template's ``503.html`` (too many pages are open on
  the kit right now; close one or wait), and no kernel is started for it.
- **The ready kernels count too.** A kernel is counted from the moment it is asked for (not only once
  it runs), so pages opened together cannot slip past the cap. When pages hold every kernel, the
  pool is not refilled: its kernels served pages, and Voila's attempt to replace them is refused
  like a page (a page that finds such a refused attempt in the pool gets the same 503).
- **A kernel freed** (a page closed, a kernel culled or shut down) makes room again: refused
  attempts are dropped from the pool and Voila refills it at once.

``max_kernels = 0`` means no cap, as in Jupyter Server.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Int

#: The reason line of the refusal (the page itself is the template's ``503.html``).
REASON = "Too many pages open"


class TooManyPages(web.HTTPError):
    """No kernel for this page: the cap is reached (HTTP 503, Service Unavailable)."""

    def __init__(self, cap: int) -> None:
        super().__init__(503, "too many pages are open on the kit right now (a cap of %d kernels): close one of "
                         "them, or wait a few minutes, then open the address again", cap, reason=REASON)


class CappedKernelManager(AsyncMappingKernelManager):  # type: ignore[misc]
    """Jupyter Server's kernel manager with a cap on the kernels it keeps (ready ones included)."""

    max_kernels = Int(0, config=True, help="The most kernels kept at once, ready ones and pages' ones "
                                           "(0: no cap). One asked for beyond it is refused with an HTTP 503.")

    def __init__(self, **kwargs: Any) -> None:
        self._asked: set[str] = set()  # kernels asked for and not yet running
        self._stopping = False
        super().__init__(**kwargs)

    def kept(self) -> int:
        """The kernels counted against the cap: running, starting, or shutting down."""
        return len(self._asked | set(self.list_kernel_ids()))

    async def start_kernel(self, *, kernel_id: str | None = None, **kwargs: Any) -> str:  # type: ignore[override]
        if kernel_id is not None and kernel_id in self:  # an existing kernel: nothing new is started
            return str(await super().start_kernel(kernel_id=kernel_id, **kwargs))
        if self.max_kernels > 0 and self.kept() >= self.max_kernels:
            self.log.warning("No kernel started: %d kept, the cap is %d", self.kept(), self.max_kernels)
            raise TooManyPages(self.max_kernels)
        kernel_id = kernel_id or str(uuid.uuid4())
        self._asked.add(kernel_id)  # counted from now: no await between the check and this
        try:
            return str(await super().start_kernel(kernel_id=kernel_id, **kwargs))
        except BaseException:
            self._asked.discard(kernel_id)
            self._made_room()  # a kernel that failed to start leaves room
            raise
        finally:
            self._asked.discard(kernel_id)

    def remove_kernel(self, kernel_id: str) -> Any:
        """Jupyter Server's way out for every kernel (shut down, culled, died): then make room."""
        found = super().remove_kernel(kernel_id)
        self._made_room()
        return found

    async def shutdown_all(self, now: bool = False) -> None:  # type: ignore[override]
        self._stopping = True  # the server is stopping: nothing is refilled
        await super().shutdown_all(now=now)

    def _made_room(self) -> None:
        """Room for a kernel again: drop the pool's refused attempts and let Voila refill it."""
        pools = getattr(self, "_pools", None)  # Voila's preheated pool, when there is one
        fill = getattr(self, "fill_if_needed", None)
        if self._stopping or not pools or fill is None:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        for name, pool in list(pools.items()):
            refused = [task for task in pool if task.done() and (task.cancelled() or task.exception() is not None)]
            for task in refused:
                pool.remove(task)
            if refused or len(pool) < self._pool_size(name):
                fill(delay=0, notebook_name=name)

    def _pool_size(self, name: str) -> int:
        config = getattr(self, "kernel_pools_config", {}) or {}
        return int(config.get(name, config.get("default", {})).get("pool_size", 0))
