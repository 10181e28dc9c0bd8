"""Issue 11, cases 3 and 8: the PDF is printed privately and cleaned up on every way out, and no
child process (chromium, Voila) outlives the kit, even when the kit is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reflect.reporting.publish import ReportError, print_pdf

from .helpers import ROOT, alive, children, kill_all, start_app, wait_for

#: A stand-in for chromium: notes what it was given and the mode of the folder it prints into.
FAKE_CHROMIUM = textwrap.dedent("""\
    #!{python}
    import os, stat, sys, time
    args = dict(a.split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
    out = args["--print-to-pdf"]
    log = os.environ["FAKE_LOG"]
    with open(log, "a") as fh:
        fh.write(f"pid {{os.getpid()}}\\n")
        fh.write(f"folder {{oct(stat.S_IMODE(os.stat(os.path.dirname(out)).st_mode))}} {{os.path.dirname(out)}}\\n")
        fh.write(f"profile {{args['--user-data-dir']}}\\n")
    mode = os.environ.get("FAKE_MODE", "ok")
    if mode == "sleep":
        time.sleep(600)
    if mode == "fail":
        sys.exit(3)
    with open(out, "w") as fh:
        fh.write("%PDF-1.4 notes inside")
""")


@pytest.fixture
def fake(tmp_path, monkeypatch):
    exe = tmp_path / "fake-chromium"
    exe.write_text(FAKE_CHROMIUM.format(python=sys.executable))
    exe.chmod(0o755)
    log = tmp_path / "fake.log"
    monkeypatch.setenv("REFLECT_CHROMIUM", str(exe))
    monkeypatch.setenv("FAKE_LOG", str(log))
    out = tmp_path / "reports"
    out.mkdir(mode=0o700)
    html = out / "2025-01.html"
    html.write_text("<p>hi</p>")
    return html, out, log


def _logged(log: Path) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in log.read_text().splitlines())


def test_chromium_prints_into_a_private_folder_and_the_pdf_is_private(fake, monkeypatch):
    html, out, log = fake
    old = os.umask(0)
    try:
        print_pdf(html, out / "2025-01.pdf")
    finally:
        os.umask(old)
    seen = _logged(log)
    folder_mode, folder = seen["folder"].split(" ", 1)
    assert folder_mode == "0o700"
    assert seen["profile"].startswith(folder)
    assert stat.S_IMODE((out / "2025-01.pdf").stat().st_mode) == 0o600
    assert not os.path.exists(folder)
    assert sorted(p.name for p in out.iterdir()) == ["2025-01.html", "2025-01.pdf"]


@pytest.mark.parametrize("mode", ["fail", "timeout"])
def test_the_private_folder_is_removed_when_printing_fails(fake, monkeypatch, mode):
    html, out, log = fake
    monkeypatch.setenv("FAKE_MODE", "sleep" if mode == "timeout" else "fail")
    with pytest.raises(ReportError):
        print_pdf(html, out / "2025-01.pdf", timeout=3 if mode == "timeout" else 60)
    assert sorted(p.name for p in out.iterdir()) == ["2025-01.html"]


def test_chromium_dies_with_a_report_killed_by_sigkill(fake, monkeypatch):
    html, out, log = fake
    monkeypatch.setenv("FAKE_MODE", "sleep")
    code = ("import sys; from pathlib import Path; from reflect.reporting.publish import print_pdf\n"
            "print_pdf(Path(sys.argv[1]), Path(sys.argv[2]))\n")
    parent = subprocess.Popen([sys.executable, "-c", code, str(html), str(out / "2025-01.pdf")], cwd=ROOT)
    try:
        assert wait_for(lambda: log.exists() and "pid" in log.read_text(), 60, step=0.1)
        child = int(_logged(log)["pid"])
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert wait_for(lambda: not alive(child), 10, step=0.1), "chromium outlived the kit"
    finally:
        parent.kill()
    # the folder it printed into is private, and nothing else was left
    leftovers = [p for p in out.iterdir() if p.name.startswith(".reflect-print-")]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in leftovers)


def test_a_report_stopped_by_sigterm_cleans_up_and_stops_chromium(fake, monkeypatch, tmp_path):
    html, out, log = fake
    monkeypatch.setenv("FAKE_MODE", "sleep")
    code = ("import sys; from pathlib import Path\nfrom reflect import cli\nfrom reflect.reporting import publish\n"
            "@cli.cli.command('print-test')\ndef print_test():\n"
            "    publish.print_pdf(Path(sys.argv[1]), Path(sys.argv[2]))\n"
            "cli.main(['print-test'])\n")
    parent = subprocess.Popen([sys.executable, "-c", code, str(html), str(out / "2025-01.pdf")], cwd=ROOT)
    try:
        assert wait_for(lambda: log.exists() and "pid" in log.read_text(), 60, step=0.1)
        child = int(_logged(log)["pid"])
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=30) == 128 + signal.SIGTERM
        assert wait_for(lambda: not alive(child), 10, step=0.1), "chromium outlived the kit"
    finally:
        parent.kill()
    assert sorted(p.name for p in out.iterdir()) == ["2025-01.html"]


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_reflect_app_leaves_no_voila_behind(tmp_path, sig):
    parent, _url = start_app(tmp_path / "couple.db", tmp_path)  # once it said "ready at"
    servers: list[int] = []
    try:
        servers = children(parent.pid)
        assert servers, "no Voila child found"
        parent.send_signal(sig)
        parent.wait(timeout=60)
        assert wait_for(lambda: not any(alive(p) for p in servers), 20, step=0.1), "Voila outlived `reflect app`"
    finally:
        parent.kill()
        kill_all(servers)


def test_a_print_killed_outright_leaves_nothing_behind_the_next_time(tmp_path):
    from reflect.reporting.publish import PRINT_PREFIX, sweep_print_leftovers

    old, fresh = tmp_path / (PRINT_PREFIX + "killed"), tmp_path / (PRINT_PREFIX + "running")
    for folder in (old, fresh):
        (folder / "profile").mkdir(parents=True, mode=0o700)
        (folder / "report.html").write_text("private")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert sweep_print_leftovers(tmp_path) == [old]
    assert not old.exists() and fresh.exists()  # a print that may still be running is left alone
