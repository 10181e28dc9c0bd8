"""Pages left open cannot pile up kernels: the app's server keeps at most a few, and on the home network a
page nobody signs in to closes sooner.

- the cap (reflect.servers.kernelcap, Voila's kernel manager built on a capped Jupyter Server one): 30
  page opens against `reflect app --lan` on 127.0.0.1, six at a time, as plain HTTPS requests (each
  asks Voila for the page exactly as a browser's first request does: it takes a ready kernel or
  starts one, and runs the notebook in it). The kernels the server keeps never exceed the cap, no
  kernel is started for a page beyond it (that page says, kindly, that too many pages are open), and
  the memory of the server with its kernels stays under a bound made of the cap, not of the opens;
- the sign-in clock (reflect.system.signin_deadline): a page nobody signs in to closes after the
  server's deadline (a few seconds here), its kernel freed and replaced in the pool; in Chromium, the
  page says why, and a page where someone signed in stays.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reflect.servers import kernels, warm
from reflect.servers.app import AppServer, command
from reflect.storage.store import Store
from reflect.system import signin_deadline

from .helpers import CHROMIUM, FAST_KDF, TIMEOUT_MS, app_server, chromium, sign_in, wait_until, waiting_kernels

LINUX = sys.platform.startswith("linux")
TOO_MANY = "Too many pages are open on the kit right now"


# -- what the server is told --------------------------------------------------------------------


def test_the_server_is_given_the_capped_kernel_manager_and_its_cap():
    cmd = command(Path("monthly_reflection.ipynb"), port=8866)
    assert f"--VoilaConfiguration.multi_kernel_manager_class={kernels.KERNEL_MANAGER}" in cmd
    assert f"--CappedKernelManager.max_kernels={kernels.MAX_KERNELS}" in cmd
    assert kernels.MAX_KERNELS == kernels.POOL_SIZE + kernels.MAX_PAGES == 8
    assert kernels.SIGN_IN_WITHIN_S == 180 < kernels.CULL_IDLE_S


def test_only_the_home_network_gives_pages_a_sign_in_deadline(tmp_path):
    db = tmp_path / "us.db"
    with Store(db) as store:
        store.add_person("Robin", "robin's words", params=FAST_KDF)
        store.sign_out()
    _, at_home = AppServer(db, lan=True, address="127.0.0.1", sign_in_within_s=7)._command_and_environment()
    _, at_the_computer = AppServer(db)._command_and_environment()
    assert signin_deadline.seconds(at_home) == 7
    assert signin_deadline.seconds(at_the_computer) == 0  # the computer's pages are never closed for it


# -- the kernel manager, without starting kernels -------------------------------------------------


def test_a_kernel_beyond_the_cap_is_refused_before_anything_starts():
    from reflect.servers.kernelcap import CappedKernelManager, TooManyPages

    async def run():
        manager = CappedKernelManager(max_kernels=2)
        manager._asked.update({"a", "b"})  # two kernels asked for and still starting
        with pytest.raises(TooManyPages) as refused:
            await manager.start_kernel(kernel_name="python3")
        assert refused.value.status_code == 503 and "too many pages are open" in refused.value.log_message
        assert manager.list_kernel_ids() == [] and manager._asked == {"a", "b"}  # nothing started

    asyncio.run(run())


def test_room_made_drops_the_pools_refused_attempts_and_refills_it():
    from reflect.servers.kernelcap import CappedKernelManager, TooManyPages

    filled: list[tuple[float, str]] = []

    class WithPool(CappedKernelManager):
        kernel_pools_config = {"default": {"pool_size": 2}}

        def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
            filled.append((delay, notebook_name))

    async def run():
        manager = WithPool(max_kernels=3)
        loop = asyncio.get_running_loop()
        refused, waiting = loop.create_future(), loop.create_future()
        refused.set_exception(TooManyPages(3))
        manager._pools = {"nb.ipynb": [refused, waiting]}
        manager._made_room()
        assert manager._pools["nb.ipynb"] == [waiting] and filled == [(0, "nb.ipynb")]
        manager._stopping = True  # the server stopping: nothing refilled
        manager._pools["nb.ipynb"] = []
        manager._made_room()
        assert filled == [(0, "nb.ipynb")]
        waiting.cancel()

    asyncio.run(run())


# -- the sign-in clock, in this process -------------------------------------------------------------


@pytest.fixture
def clock():
    signin_deadline.reset()
    yield signin_deadline
    signin_deadline.reset()


def test_the_clock_closes_a_page_nobody_signs_in_to(clock):
    closed = threading.Event()
    assert clock.arm(closed.set, {clock.ENV_SECONDS: "0.2"})
    assert closed.wait(30)


def test_signing_in_stops_the_clock_for_good(clock):
    closed = threading.Event()
    assert clock.arm(closed.set, {clock.ENV_SECONDS: "0.3"})
    clock.mark_signed_in()
    assert not closed.wait(1.0) and clock.signed_in()
    assert not clock.arm(closed.set, {clock.ENV_SECONDS: "0.1"})  # a page once signed in is never armed again
    assert not closed.wait(0.5)


@pytest.mark.parametrize("value", [None, "", "0", "-5", "nan", "inf", "three minutes"])
def test_without_a_deadline_nothing_is_armed(clock, value):
    environ = {} if value is None else {clock.ENV_SECONDS: value}
    assert clock.seconds(environ) == 0 and not clock.arm(lambda: None, environ)
    clock.mark_signed_in()  # costs nothing where no clock runs


def test_a_kernel_asks_its_own_server_to_shut_it_down():
    env = {**kernels.kernel_environment("192.168.1.20", certfile=Path("cert.pem")), "VOILA_APP_PORT": "8443",
           "VOILA_SERVER_URL": "/", "VOILA_KERNEL_ID": "1234-ab"}
    assert warm.shutdown_address(env) == "https://192.168.1.20:8443/api/kernels/1234-ab"
    assert warm.shutdown_address({"VOILA_APP_PORT": "8866", "VOILA_KERNEL_ID": "k"}) == \
        "http://127.0.0.1:8866/api/kernels/k"


# -- a real server on 127.0.0.1 (the home-network mode, HTTPS) --------------------------------------


def _store(tmp_path: Path) -> Path:
    db = tmp_path / "couple.db"
    with Store(db) as store:
        for person in ("Robin", "Sam"):
            store.add_person(person, f"{person.lower()}'s words", params=FAST_KDF)
        store.sign_out()
    return db


def _tree(pid: int):
    import psutil

    server = psutil.Process(pid)
    return server, server.children(recursive=True)


class Watch:
    """Samples the server's process tree every 0.1 s: its kernels (direct children) and their memory."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.most_kernels = 0
        self.most_rss = 0
        self.kernel_pids: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def kernels(self) -> list[int]:
        """The server's kernels now: its children that run a kernel, and not one that has exited and is
        waiting for the server to reap it (a zombie holds no memory and runs nothing: it is not a
        kernel kept), nor another short-lived child."""
        import psutil

        alive = []
        for child in psutil.Process(self.pid).children():
            try:
                if child.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(child.cmdline()):
                    alive.append(child.pid)
            except psutil.Error:
                pass  # gone meanwhile
        return alive

    def rss(self) -> int:
        import psutil

        server, tree = _tree(self.pid)
        total = server.memory_info().rss
        for process in tree:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                pass  # gone meanwhile
        return total

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                found = self.kernels()
                self.kernel_pids.update(found)
                self.most_kernels = max(self.most_kernels, len(found))
                self.most_rss = max(self.most_rss, self.rss())
            except psutil.Error:
                pass
            self._stop.wait(0.1)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _open(server: AppServer, context: ssl.SSLContext) -> tuple[int, str]:
    """One page opened as a browser's first request opens it: (status, body)."""
    try:
        with urllib.request.urlopen(server.url, context=context, timeout=300) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="needs Linux's /proc (psutil)")
def test_thirty_page_opens_keep_the_kernels_and_the_memory_within_the_cap(tmp_path):
    pytest.importorskip("psutil")
    cap = kernels.MAX_KERNELS
    with app_server(_store(tmp_path), lan=True, address="127.0.0.1", sign_in_within_s=0) as server:  # no clock
        assert server.process is not None and server.certificate is not None
        context = ssl.create_default_context(cafile=str(server.certificate.cert_file))
        with Watch(server.process.pid) as watch:
            # the ready kernels have run the notebook up to the wait for their page (imports done)
            wait_until(lambda: len(waiting_kernels(server)) == kernels.POOL_SIZE, "the ready kernels waiting")
            server_alone, ready = _tree(server.process.pid)
            one_kernel = max(process.memory_info().rss for process in ready)
            before = server_alone.memory_info().rss
            with ThreadPoolExecutor(6) as pool:
                answers = list(pool.map(lambda _: _open(server, context), range(30)))
            kept_after = watch.kernels()
        statuses = [status for status, _ in answers]
        served = [body for status, body in answers if status == 200]
        refused = [body for status, body in answers if status != 200]
        mib = 1 << 20
        print(f"\nserver {before / mib:.0f} MiB, one ready kernel {one_kernel / mib:.0f} MiB; 30 opens: "
              f"{len(served)} served, {len(refused)} refused; at most {watch.most_kernels} kernels, "
              f"{len(watch.kernel_pids)} started in all; at most {watch.most_rss / mib:.0f} MiB for the whole tree")
    # the kernels kept never exceeded the cap, and none was started beyond it
    assert watch.most_kernels <= cap and len(kept_after) <= cap
    assert len(watch.kernel_pids) <= cap, "a kernel was started for a page beyond the cap"
    # every page up to the cap was served a form; every other one was told, kindly, and given nothing
    assert len(served) >= kernels.MAX_PAGES and len(served) <= cap
    assert all("application/vnd.jupyter.widget-view+json" in body for body in served)
    assert set(statuses) <= {200, 503} and len(refused) == 30 - len(served)
    for body in refused:
        assert TOO_MANY in body and "Close a page you are no longer using" in body
        assert "://" not in body  # a plain page of its own: nothing fetched from anywhere
    # the memory: the server and at most `cap` kernels (each allowed twice what a ready one holds, for
    # the form it builds); 30 kernels, as before the cap, would be some 30 times one kernel
    bound = 1.5 * before + cap * 2 * one_kernel
    assert watch.most_rss <= bound, (watch.most_rss / mib, bound / mib)
    assert bound < before + 30 * one_kernel


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="needs Linux's /proc (psutil)")
def test_a_page_nobody_signs_in_to_is_closed_after_the_deadline_and_its_room_given_back(tmp_path):
    pytest.importorskip("psutil")
    with app_server(_store(tmp_path), lan=True, address="127.0.0.1", sign_in_within_s=4) as server:
        assert server.process is not None and server.certificate is not None
        context = ssl.create_default_context(cafile=str(server.certificate.cert_file))
        watch = Watch(server.process.pid)
        wait_until(lambda: len(watch.kernels()) == kernels.POOL_SIZE, "the ready kernels started")
        ready = set(watch.kernels())
        status, _body = _open(server, context)
        assert status == 200
        # the page took one of the ready kernels; nobody signs in: that kernel is shut down by the
        # server (at the kernel's own request), and the pool is full again
        wait_until(lambda: len(ready & set(watch.kernels())) == 1, "the unsigned page's kernel freed", timeout=180)
        wait_until(lambda: len(watch.kernels()) == kernels.POOL_SIZE, "the pool refilled", timeout=180)
        said = "\n".join(server._output)
        assert "closing a page nobody signed in to" in said and "Kernel shutdown" in said


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists() or not LINUX, reason="needs Debian's chromium and Linux's /proc")
def test_in_a_browser_the_unsigned_page_says_it_closed_and_the_signed_in_one_stays(tmp_path):
    pytest.importorskip("psutil")
    from .kernelwatch import watch

    within = 20  # time enough, even on a busy machine, to open the page and sign in
    with app_server(_store(tmp_path), lan=True, address="127.0.0.1", sign_in_within_s=within) as server, \
            chromium() as browser:
        assert server.process is not None
        pages = []
        for _ in range(2):
            page = browser.new_context(ignore_https_errors=True).new_page()
            page.set_default_timeout(TIMEOUT_MS)
            watch(page)  # sign_in waits on the kernel, not on the clock
            pages.append(page)
        robins, nobodys = pages
        robins.goto(server.url)
        robins.locator(".reflect-checkin-form").wait_for(state="visible")
        sign_in(robins, "Robin", "robin's words")
        robins.locator("button:has-text('Sign out')").wait_for(state="visible")
        nobodys.goto(server.url)  # opened after Robin's: its clock runs out after Robin's would have
        nobodys.locator(".reflect-checkin-form").wait_for(state="visible")
        nobodys.get_by_text("This page has closed").wait_for(timeout=(within + 120) * 1000)
        wait_until(lambda: len(Watch(server.process.pid).kernels()) == kernels.POOL_SIZE + 1,
                   "the unsigned page's kernel freed, Robin's kept")
        # Robin's page still has its kernel: the form answers
        robins.locator("button:has-text('Sign out')").click()
        robins.get_by_text("Robin is signed out; the form was cleared.").wait_for()
        assert "This page has closed" not in robins.content()
