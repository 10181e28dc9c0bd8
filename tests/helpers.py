"""What the tests share, as plain functions: the paths, a check-in, the store's bytes on disk,
waiting, the processes a test starts (finding, stopping), the servers run as a person runs them
(ports included), and Debian's chromium.

Fixtures live in tests/conftest.py (which imports from here); no test module imports from another.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from reflect.domain.checkin import CheckIn
from reflect.domain.dimensions import KEYS
from reflect.storage import keys

ROOT = Path(__file__).resolve().parent.parent
REFLECT_BIN = Path(sys.executable).with_name("reflect")
#: Screenshots of the browser tests, and the page of any that failed.
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Playwright's timeout in the browser tests (a busy two-core machine runs a kernel per page).
TIMEOUT_MS = 60_000
#: Key derivation without the real cost (benchmarked apart): for stores made in the tests' own process.
FAST_KDF = keys.KdfParams(n=2**10)


def make_checkin(person="Robin", date="2026-10-01", cadence=None, note=None, desired=None, **scores):
    base = dict.fromkeys(KEYS, 5)
    base.update(scores)
    return CheckIn.create(
        person=person, date=date, cadence=cadence, scores=base, desired=desired or {}, note=note
    )


# -- the store's bytes on disk ----------------------------------------------------------------------


def store_bytes(db: Path) -> bytes:
    """Every byte of the store on disk: the file, and its write-ahead log and shared memory (a
    store in WAL mode keeps what was written last in ``-wal`` until a checkpoint) or its journal.
    A privacy check ("this is nowhere in the file") reads this, never the main file alone."""
    found = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        part = db.with_name(db.name + suffix)
        if part.exists():
            found += part.read_bytes()
    return found


# -- coverage -------------------------------------------------------------------------------------


def without_coverage(env: dict[str, str]) -> dict[str, str]:
    """``env`` without what starts coverage in a child (scripts/coverage): for the rare child that
    cannot write coverage's data file, such as one run with a tiny file-size limit (a full disk)."""
    return {k: v for k, v in env.items() if k not in ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")}


# -- waiting ---------------------------------------------------------------------------------------


def wait_for(condition: Callable[[], object], timeout: float, *, step: float = 0.05,
             process: subprocess.Popen | None = None) -> bool:
    """Whether ``condition()`` came true within ``timeout`` seconds (asked every ``step``); with
    ``process``, False as soon as that process has ended without it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        if condition():
            return True
        time.sleep(step)
    return bool(condition()) if process is None else False


def wait_until(condition: Callable[[], object], what: str, timeout: float = 120.0, *, step: float = 0.2) -> None:
    """Wait until ``condition()`` is true; an AssertionError naming ``what`` after ``timeout`` seconds."""
    if not wait_for(condition, timeout, step=step):
        raise AssertionError(f"{what}: not within {timeout:.0f} s")


def wait_for_url(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until ``url`` answers 200; an AssertionError if ``process`` (its server) stops first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url} within {timeout} s")


# -- processes -------------------------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name (state first), or None if it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux's /proc), whichever of its threads started them."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry))
    return found


def descendants(pid: int) -> set[int]:
    """The children of ``pid``, theirs, and so on."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def descendant_processes(pid: int) -> list[Any]:
    """:func:`descendants` as psutil processes (for ``psutil.wait_procs``); none once ``pid`` is gone."""
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def alive(pid: int) -> bool:
    """Whether ``pid`` runs: a zombie has ended (only its parent's wait is missing)."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def cmdline(pid: int) -> str:
    """What ``pid`` runs (its first 200 characters), for a failure's message."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return "?"


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a process the test started: politely (SIGTERM), then firmly (SIGKILL)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def kill_all(pids: Iterator[int] | list[int] | set[int]) -> None:
    """SIGKILL to each of ``pids`` still running (a test's clean-up after a failure)."""
    for pid in pids:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# -- ports and servers -----------------------------------------------------------------------------
#
# A port chosen free and bound later can be taken in between. The kit's servers pick their own port
# when none is given and print the address they serve (the tests read it from there), or, for
# JupyterLab, `--port=0` lets the server pick and say it. What the kit cannot rule out (a port
# free when the kit chose it and taken before Voila or JupyterLab bound it) is met here, in one
# place: a server that stops at once saying its port is in use is started again, up to ATTEMPTS
# times. A server that fails for any other reason fails the test at once, with what it said.

ATTEMPTS = 3
PORT_TAKEN = re.compile(r"already in use|is not available|Address already in use")


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (for a test that needs nothing to answer there)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def start_server(cmd: list[str] | Callable[[], list[str]], ready: re.Pattern[str] | str, *,
                 attempts: int = ATTEMPTS, port_taken: re.Pattern[str] = PORT_TAKEN,
                 **popen: Any) -> tuple[subprocess.Popen[str], str, re.Match[str]]:
    """Start ``cmd`` (its output read as text, stderr with stdout) and read what it prints until
    ``ready`` is found in it: (the process, what it printed up to there, the match). A server that
    stops first having said its port was taken (``port_taken``) is started again (see above);
    ``cmd`` may be a function making the command line afresh for each start (a new port each time)."""
    pattern = re.compile(ready) if isinstance(ready, str) else ready
    said = ""
    for _attempt in range(attempts):
        args = cmd() if callable(cmd) else cmd
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, **popen)
        assert process.stdout is not None
        said = ""
        for line in process.stdout:
            said += line
            found = pattern.search(said)
            if found:
                return process, said, found
        process.wait()
        if not port_taken.search(said):
            break
    raise AssertionError(f"{args[0]} stopped (exit {process.returncode}) before it was ready: {said}")


APP_READY = re.compile(r"ready at (http://127\.0\.0\.1:(\d+)/\?token=[0-9a-f]+)")


def start_app(db: Path, home: Path, *, port: bool = False) -> tuple[subprocess.Popen[str], str]:
    """`reflect app --db DB`, run as a person runs it, in ``home``: (the process, the address it
    printed). The kit picks a free port; with ``port``, the test picks one and gives it (``--port``)."""
    env = {**os.environ, "REFLECT_HOME": str(home), "REFLECT_DB": str(db)}

    def command() -> list[str]:
        return [str(REFLECT_BIN), "app", "--db", str(db), *(["--port", str(free_port())] if port else [])]

    process, _said, found = start_server(command, APP_READY, env=env, cwd=home)
    return process, found[1]


def serve_app(home: Path, db: Path) -> Iterator[tuple[str, Path]]:
    """For a fixture: `reflect app --db DB`, as a person runs it; yields (the printed address, DB), then stops it."""
    process, url = start_app(db, home)
    try:
        yield url, db
    finally:
        stop(process)


def start_jupyterlab(root: Path, env: dict[str, str], log: Path, token: str) -> tuple[subprocess.Popen, str]:
    """JupyterLab on 127.0.0.1 serving ``root`` with ``token``, on the port it picks (``--port=0``),
    its output in ``log``: (the process, its base address http://127.0.0.1:PORT) once it answers."""
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", "--port=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.allow_root=True",
           "--ServerApp.port_retries=0", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    said = ""
    for _attempt in range(ATTEMPTS):
        with open(log, "w") as out:
            process = subprocess.Popen(cmd, env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
        found = None
        deadline = time.monotonic() + 60
        while found is None and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            said = log.read_text(errors="replace")
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", said)
        if found is not None:
            base = f"http://127.0.0.1:{found[1]}"
            wait_for_url(f"{base}/api/status?token={token}", process)
            return process, base
        stop(process)
        said = log.read_text(errors="replace")
        if not PORT_TAKEN.search(said):
            break
    raise AssertionError(f"JupyterLab did not start: {said[-2000:]}")


class LanApp:
    """`reflect app --lan` run as a person runs it (on ``address``, a loopback one in the tests), and
    what it printed: the address, the token and the certificate's fingerprint."""

    def __init__(self, db: Path, *, address: str = "127.0.0.1"):
        self.process, self.said, found = start_server(
            [str(REFLECT_BIN), "app", "--lan", "--address", address, "--db", str(db)], "Press Ctrl-C to stop.",
            env={**os.environ, "REFLECT_HOME": str(db.parent)}, cwd=db.parent)
        found = re.search(r"ready at (https://([\d.]+):(\d+)/\?token=([0-9a-f]+))", self.said)
        assert found, self.said
        self.url, self.host, self.port, self.token = found[1], found[2], int(found[3]), found[4]
        printed = re.search(r"^  ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$", self.said, re.M)
        assert printed, self.said
        self.fingerprint = printed[1]
        self.base = f"https://{self.host}:{self.port}"

    def get(self, path: str, *, token: bool = True) -> tuple[int, str, str]:
        """(status, final address, body) of a GET, redirects followed, any certificate accepted."""
        import ssl

        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        sep = "&" if "?" in path else "?"
        url = self.base + path + (f"{sep}token={self.token}" if token else "")
        try:
            with urllib.request.urlopen(url, timeout=60, context=context) as answer:
                return answer.status, answer.url, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.url, exc.read().decode("utf-8", "replace")

    def stop(self) -> None:
        stop(self.process, timeout=20)


# -- Debian's chromium -------------------------------------------------------------------------------


def launch_chromium(playwright: Any) -> Any:
    """Debian's chromium, headless, through a running Playwright."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright; closed after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            yield browser
        finally:
            browser.close()


# -- the form in a browser: what a person does ------------------------------------------------------

#: What Robin and Sam saved last month in the browser tests' stores: the form starts from it.
PREVIOUS = dict(passion=5, emotional=6, physical=4, intellectual=7, experiential=6, spiritual=6)


def move(page: Any, key: str, slider: int, presses: int, expected: int) -> None:
    """Move slider ``slider`` (0: how it is, 1: how I'd like it) of dimension ``key`` by keyboard."""
    from playwright.sync_api import expect

    row = page.locator(f".reflect-dimension-{key}")
    handle = row.locator(".noUi-handle").nth(slider)
    handle.wait_for(state="visible")
    handle.focus()
    for _ in range(abs(presses)):
        handle.press("ArrowRight" if presses > 0 else "ArrowLeft")
    expect(row.locator(".widget-readout").nth(slider)).to_have_text(str(expected), timeout=TIMEOUT_MS)


def pick(page: Any, person: str) -> None:
    """Type ``person`` in the form's name box, and Enter."""
    who = page.locator(".reflect-checkin-form").get_by_placeholder("Pick your name")
    who.fill(person)
    who.press("Enter")


def sign_in(page: Any, person: str, words: str) -> None:
    """Pick ``person`` and sign in with ``words`` (once the kernel has every answer)."""
    from .kernelwatch import caught_up

    pick(page, person)
    box = page.locator(".reflect-sign-in")
    box.wait_for(state="visible")
    box.locator("input[type=password]").fill(words)
    caught_up(page)  # the kernel has every answer before the click
    box.locator("button:has-text('Sign in')").click()


# -- the app's server and its kernels ----------------------------------------------------------------


@contextlib.contextmanager
def app_server(*args: Any, **kwargs: Any) -> Iterator[Any]:
    """An :class:`~reflect.servers.app.AppServer` started in this process, stopped after; started
    again when the port it picked was taken before Voila bound it (see "ports and servers")."""
    from reflect.servers.app import AppError, AppServer

    for attempt in range(ATTEMPTS):
        server = AppServer(*args, **kwargs)
        try:
            server.start()
        except AppError as exc:
            if attempt == ATTEMPTS - 1 or not PORT_TAKEN.search(str(exc)):
                raise
            continue
        try:
            yield server
        finally:
            server.stop()
        return


def connected_to(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds an open TCP connection to ``port`` on this machine."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        with open(f"/proc/{pid}/net/tcp") as f:
            rows = f.read().splitlines()[1:]
    except OSError:
        return False
    for row in rows:
        parts = row.split()
        if parts[3] == "01" and int(parts[2].split(":")[1], 16) == port and parts[9] in inodes:
            return True
    return False


def waiting_kernels(server: Any) -> list[int]:
    """The kernels an app server made ahead of time, waiting for a visitor (each holds a connection to it)."""
    assert server.process is not None
    return [k for k in children(server.process.pid) if connected_to(k, server.port)]
