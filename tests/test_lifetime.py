"""Nothing left behind: `reflect report` killed mid-batch takes its helper processes with it."""

import os
import signal
import subprocess
import sys

import pytest

from reflect.storage.demo import generate
from reflect.storage.store import Store

from .helpers import REFLECT_BIN, alive, cmdline, descendants, kill_all, wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


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
        # the helpers (one forked per making process, the chart renderer) are running, and with
        # --jobs 2 the two making processes too
        wanted = 1 if jobs == "1" else 4
        assert wait_for(lambda: len(seen.__ior__(descendants(proc.pid))) >= wanted and proc.poll() is None, 120), \
            f"helpers never started: {seen}"
        seen |= descendants(proc.pid)
        os.kill(proc.pid, sig)
        proc.wait(timeout=30)
        assert wait_for(lambda: not any(alive(p) for p in seen), 30), \
            f"left running: {[(p, cmdline(p)) for p in seen if alive(p)]}"
    finally:
        kill_all([proc.pid, *seen])
