"""Nothing left behind: `reflect report` killed mid-batch takes its helper processes with it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reflect.storage.demo import generate
from reflect.storage.store import Store

from .conftest import REFLECT_BIN

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for child in _children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return "?"


def _wait_for(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


@pytest.mark.slow
@pytest.mark.parametrize("sig, jobs", [(signal.SIGKILL, "1"), (signal.SIGKILL, "2"), (signal.SIGTERM, "1")])
def test_killing_reflect_report_leaves_no_process_behind(tmp_path, sig, jobs):
    db = tmp_path / "demo.db"
    with Store(db) as s:
        s.save_many(generate(end="2026-10"), source="demo")
    proc = subprocess.Popen([str(REFLECT_BIN), "report", "--db", str(db), "--all", "--out", str(tmp_path / "out"),
                             "--jobs", jobs], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    seen: set[int] = set()
    try:
        # the helpers (two forked per making process) are running
        wanted = 2 if jobs == "1" else 4
        assert _wait_for(lambda: len(seen.__ior__(_descendants(proc.pid))) >= wanted and proc.poll() is None, 120), \
            f"helpers never started: {seen}"
        seen |= _descendants(proc.pid)
        os.kill(proc.pid, sig)
        proc.wait(timeout=30)
        assert _wait_for(lambda: not any(_alive(p) for p in seen), 30), \
            f"left running: {[(p, _cmdline(p)) for p in seen if _alive(p)]}"
    finally:
        for pid in [proc.pid, *seen]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
