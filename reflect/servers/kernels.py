"""How ``reflect app`` keeps kernels: a few ready ahead of time, none kept once their page is gone.

- **Ready ahead**: Voila's preheated kernel pool (``--preheat_kernel=True``, ``--pool_size``) keeps
  :data:`POOL_SIZE` kernels started, with the whole page built and rendered ahead; each waits for a
  visitor (:func:`reflect.servers.warm.wait_for_visitor`); opening the page takes one and Voila starts another
  :data:`REFILL_DELAY_S` later. (Voila's ``progressive_rendering`` and ``prelaunch_hook`` do not
  go with the pool; the kit uses neither.)
- **Freed when closed**: a closed page asks the server to shut its kernel down; the kit's sign-in
  (:class:`reflect.servers.identity.PageIdentityProvider`) gives the page the cookie that request needs.
- **Reaching their server**: a ready kernel reaches its server on 127.0.0.1 over plain HTTP; a
  server elsewhere (the home network, HTTPS) adds :func:`kernel_environment` to its environment.
- **Culled when idle**: a kernel whose page went away without saying so (a phone that dropped the
  tab, a browser killed) is shut down after :data:`CULL_IDLE_S` with no activity and no page
  connected; the server looks every :data:`CULL_EVERY_S`. Kernels waiting in the pool are never
  culled (Voila's kernel manager keeps them out), and neither is a kernel whose page is still open.
- **Capped**: the server keeps at most :data:`MAX_KERNELS` kernels, ready ones included
  (:mod:`reflect.servers.kernelcap`, Voila's kernel manager built on a capped Jupyter Server one); a
  page opened beyond that gets a page saying that too many are open, and no kernel.
- **Closed sooner when nobody signs in** (the home network only): a page nobody has signed in to
  after :data:`SIGN_IN_WITHIN_S` closes itself (:func:`sign_in_environment`,
  :mod:`reflect.system.signin_deadline`).

>>> "--preheat_kernel=True" in ready_kernel_options()
True
"""

from __future__ import annotations

from pathlib import Path

from reflect.servers.warm import CERT_VARIABLE
from reflect.system import signin_deadline

#: Kernels kept ready. Two: a second page opened soon after the first (the partner's, say) is
#: ready too, while the first is replaced. Each waiting kernel holds about 90 MB.
POOL_SIZE = 2
#: Seconds Voila waits before starting a kernel to replace one a page took: long enough for the
#: page to finish loading first (starting a kernel is a second of CPU, which a 2-core machine would
#: otherwise take from the page); the second kernel of the pool covers a page opened meanwhile.
REFILL_DELAY_S = 4.0
#: A kernel with no page connected and no activity for this long is shut down (15 minutes).
CULL_IDLE_S = 15 * 60
#: How often the server looks for such kernels.
CULL_EVERY_S = 60
#: Pages with a kernel of their own beyond the ready ones: the two of you, each on a phone and at the
#: computer, with room to spare for a page reloaded before its old kernel is freed.
MAX_PAGES = 6
#: The most kernels the server keeps at once, ready ones included (about 90 MB each, so some 750 MB
#: at most, the server included); a page beyond it is told that too many pages are open.
MAX_KERNELS = POOL_SIZE + MAX_PAGES
#: On the home network, a page nobody has signed in to after this long is closed (3 minutes).
SIGN_IN_WITHIN_S = signin_deadline.DEFAULT_SECONDS
#: The kernel manager Voila builds its pool on: Jupyter Server's, with a cap.
KERNEL_MANAGER = "reflect.servers.kernelcap.CappedKernelManager"


def ready_kernel_options(pool_size: int = POOL_SIZE, max_kernels: int = MAX_KERNELS) -> list[str]:
    """Voila's command-line options for the pool, the sign-in that frees closed pages' kernels, culling,
    and the cap on kernels."""
    return [
        "--preheat_kernel=True",
        f"--pool_size={pool_size}",
        f"--VoilaKernelManager.fill_delay={REFILL_DELAY_S}",
        "--Voila.identity_provider_class=reflect.servers.identity.PageIdentityProvider",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
        f"--MappingKernelManager.cull_interval={CULL_EVERY_S}",
        "--MappingKernelManager.cull_connected=False",
        f"--VoilaConfiguration.multi_kernel_manager_class={KERNEL_MANAGER}",
        f"--CappedKernelManager.max_kernels={max_kernels}",
    ]


def sign_in_environment(within_s: float = SIGN_IN_WITHIN_S) -> dict[str, str]:
    """What the server's environment adds for its pages to close when nobody signs in within
    ``within_s`` seconds (its kernels inherit it; 0 for never)."""
    return {signin_deadline.ENV_SECONDS: f"{within_s:g}"}


def kernel_environment(host: str, *, certfile: Path | None = None) -> dict[str, str]:
    """What the server's environment must add for its ready kernels to reach it when it does not
    listen on plain HTTP at 127.0.0.1 (on the home network, over HTTPS with the kit's certificate):
    without it they cannot wait for their page, and build it ahead with the store as it was."""
    env = {"VOILA_APP_IP": host}
    if certfile is not None:
        env.update({"VOILA_WS_PROTOCOL": "wss", CERT_VARIABLE: str(certfile)})
    return env
