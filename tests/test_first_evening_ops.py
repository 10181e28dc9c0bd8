"""The first evening with the kit, the parts that run it (issue 20): Ctrl-C during a report, a first
run that prints no build warning, reminders that keep their events, the home network's QR code, and
nothing left behind by `reflect lab`.

The CLI is run as a user runs it, in a home of its own with a private TMPDIR; months are fixed
ones in the past."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from .conftest import REFLECT_BIN, ROOT

END = "2025-06"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REFLECT_DB", "TMPDIR", "TEMP", "TMP")}
    return {**env, "REFLECT_HOME": str(home), "TMPDIR": str(home / "tmp"), **extra}


def _run(home: Path, *args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(REFLECT_BIN), *args], capture_output=True, text=True, cwd=home,
                          env=_env(home, **extra), timeout=300)
    if check:
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True, mode=0o700)
    return home


@pytest.fixture
def demo(home):
    """The demo couple's store, a year of check-ins ending in June 2025."""
    path = home / "data" / "demo.db"
    _run(home, "demo", "--db", str(path), "--end", END, "--months", "12")
    return path


def _wait_for(proc: subprocess.Popen[str], ready, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            return True
        time.sleep(0.005)
    return False


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


# -- 5. Ctrl-C during a report -------------------------------------------------------------------


def _ctrl_c(home: Path, args: list[str], ready) -> tuple[subprocess.CompletedProcess[str], list[psutil.Process]]:
    """Start `reflect report ARGS` in a session of its own, wait until ``ready(pid)``, then send SIGINT
    to its whole process group, as a terminal's Ctrl-C does."""
    proc = subprocess.Popen([str(REFLECT_BIN), "report", *args], cwd=home, env=_env(home), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        assert _wait_for(proc, lambda: ready(proc.pid)), "the report ended before the moment came"
        helpers = _descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), helpers


def _nothing_half_written(folder: Path) -> None:
    for path in folder.rglob("*"):
        assert not path.name.startswith((".reflect-print", ".reflect-tmp")) and not path.name.endswith(".tmp"), path
        if path.suffix == ".html":
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path


@pytest.mark.slow
def test_ctrl_c_during_a_report_says_one_line_and_exits_130(home, demo):
    out = home / "reports"
    # the moment: the helper process (the chart renderer; the page is made in the report's own process) runs
    result, helpers = _ctrl_c(home, ["--db", str(demo), "--month", END, "--out", str(out)],
                              lambda pid: len(_descendants(pid)) >= 1)
    assert len(helpers) == 1
    assert result.returncode == 130, result
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.strip().splitlines() == ["reflect: stopped (Ctrl-C); nothing was half-written"]
    gone, alive = psutil.wait_procs(helpers, timeout=10)
    assert alive == []
    _nothing_half_written(home)
    assert list((home / "tmp").iterdir()) == []


@pytest.mark.slow
def test_ctrl_c_during_reports_in_parallel_stops_every_process_quietly(home, demo):
    out = home / "reports"
    # the moment: the two report processes of --jobs 2 and their helpers are running (the
    # resource tracker of multiprocessing too: 2 + 2 x 1 + 1)
    result, helpers = _ctrl_c(home, ["--db", str(demo), "--all", "--jobs", "2", "--out", str(out)],
                              lambda pid: len(_descendants(pid)) >= 5)
    assert result.returncode == 130, result
    assert "Traceback" not in result.stderr and "Error" not in result.stderr
    assert result.stderr.strip().splitlines() == ["reflect: stopped (Ctrl-C); nothing was half-written"]
    gone, alive = psutil.wait_procs(helpers, timeout=10)
    assert alive == []
    _nothing_half_written(home)


@pytest.mark.slow
@pytest.mark.parametrize("processes", [1, 2])
def test_ctrl_c_while_the_processes_are_being_started(home, demo, processes):
    """The moment a report process or a helper has just been started (before it could set its own
    way of stopping): still one line, no traceback from a half-started process."""
    out = home / "reports"
    args = ["--db", str(demo), "--out", str(out), *(["--all", "--jobs", "2"] if processes == 2 else [])]
    result, _ = _ctrl_c(home, args, lambda pid: len(_descendants(pid)) >= 1)
    assert result.returncode == 130, result
    assert result.stderr.strip().splitlines() == ["reflect: stopped (Ctrl-C); nothing was half-written"]


# -- 6. The first run looks broken ---------------------------------------------------------------


def _listed_packages() -> tuple[list[str], dict[str, list[str]]]:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    return config["packages"], config["package-data"]


def test_every_folder_of_the_package_is_declared_with_its_files():
    """setuptools warns (some 40 lines each) about a folder under reflect/ that is not listed as a
    package, templates included: every one is listed, and every file in it is package data."""
    import fnmatch

    packages, data = _listed_packages()
    for folder in sorted(p for p in (ROOT / "reflect").rglob("*") if p.is_dir() and p.name != "__pycache__"):
        name = ".".join(folder.relative_to(ROOT).parts)
        assert name in packages, f"{name} is missing from [tool.setuptools] packages in pyproject.toml"
        for file in folder.iterdir():
            if file.is_file() and file.suffix not in (".py", ".pyc"):
                assert any(fnmatch.fnmatch(file.name, pattern) for pattern in data.get(name, [])), \
                    f"{file.relative_to(ROOT)} is not package data of {name}"


@pytest.mark.slow
def test_building_the_wheel_says_no_warning_and_ships_every_template(tmp_path):
    """Built from a clean copy of the project (a build/ folder left by an earlier build would hide
    the warnings), the wheel is built without a warning and holds the templates and notebooks."""
    import shutil
    import sys
    import zipfile

    copy = tmp_path / "clone"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", "data", "reports", ".pytest_cache", ".mypy_cache",
        ".ruff_cache"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path / "w"), "."],
                           cwd=copy, capture_output=True, text=True, timeout=600, env=_env(tmp_path / "home"))
    assert build.returncode == 0, build.stderr
    said = build.stdout + build.stderr
    assert "Warning" not in said and "would be ignored" not in said, said
    [wheel] = (tmp_path / "w").glob("reflect-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    wanted = {f"reflect/{p.relative_to(ROOT / 'reflect').as_posix()}"
              for p in (ROOT / "reflect" / "templates").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    wanted |= {f"reflect/notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert len(wanted) >= 20 and wanted <= shipped, sorted(wanted - shipped)


def test_the_time_a_report_says_is_its_own_not_a_set_up_before_it(home, demo):
    """scripts/monthly sets up the kit, then `exec`s `reflect report` in the same process: the time the
    report says leaves the set-up out (it once said 108 s for a report of 5, after a first set-up)."""
    script = f'sleep 3; exec "{REFLECT_BIN}" report --db "{demo}" --month {END} --out "{home / "reports"}"'
    started = time.monotonic()
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=home, env=_env(home),
                          timeout=300)
    wall = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    [line] = [x for x in proc.stdout.splitlines() if x.startswith("Made ")]
    took = float(line.rsplit(" in ", 1)[1].removesuffix(" s"))
    assert 0 < took < wall - 3 + 0.1, (line, wall)  # the report's own time, not the 3 s before it


# -- 10. Reminders -------------------------------------------------------------------------------


def _events(path: Path) -> dict[str, tuple[str, int]]:
    import icalendar

    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["X-REFLECT-KIND"]): (str(e["UID"]), int(e["SEQUENCE"])) for e in calendar.walk("VEVENT")}


@pytest.fixture
def store_at(home):
    """A Reflect store (made by the kit) at home/PLACE/us.db."""
    from reflect.storage.store import Store

    def make(place: str) -> Path:
        path = home / place / "us.db"
        path.parent.mkdir(parents=True)
        with Store(path):
            pass
        return path
    return make


def test_a_store_moved_with_its_reminders_keeps_its_events(home, store_at):
    old = store_at("before")
    _run(home, "remind", "--db", str(old), "--daily", "8:00")
    first = _events(home / "before" / "us-reminders.ics")
    (home / "before").rename(home / "after")  # the whole folder moved (or restored elsewhere)
    done = _run(home, "remind", "--db", str(home / "after" / "us.db"), "--daily", "8:30")
    assert "Updated" in done.stdout
    second = _events(home / "after" / "us-reminders.ics")
    assert {k: uid for k, (uid, _) in second.items()} == {k: uid for k, (uid, _) in first.items()}
    assert all(second[k][1] > first[k][1] for k in first)  # higher: calendars take the change


def test_a_deleted_reminders_file_never_lowers_the_sequence(home, store_at):
    store = store_at("data")
    ics = home / "data" / "us-reminders.ics"
    _run(home, "remind", "--db", str(store))
    time.sleep(1.1)  # the sequence counts seconds (a file written more than once a second counts on by one)
    _run(home, "remind", "--db", str(store), "--time", "20:30")
    before = _events(ics)["reflection"]
    ics.unlink()
    time.sleep(1.1)
    _run(home, "remind", "--db", str(store), "--time", "21:00")
    uid, sequence = _events(ics)["reflection"]
    assert uid == before[0] and sequence > before[1], (before, sequence)


@pytest.mark.parametrize("address, words", [
    ("https://192.168.1.20:8866/\x1b[8m", "holds a control character (U+001B)"),
    ("https://192.168.1.20\n:8866/", "holds a control character (U+000A)"),
    ("https://192.168.1.20:8866/our page", "holds a space"),
    ("https://robin:hunter22@192.168.1.20:8866/", "holds a user name or password"),
])
def test_remind_refuses_an_address_it_would_have_to_change(home, store_at, address, words):
    store = store_at("data")
    done = _run(home, "remind", "--db", str(store), "--address", address, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "hunter22" not in done.stderr and "\x1b" not in done.stderr  # never said back as typed
    assert not (home / "data" / "us-reminders.ics").exists()


@pytest.mark.parametrize("kind", ["text", "sqlite"])
def test_remind_refuses_a_db_that_is_not_a_store(home, kind):
    import sqlite3

    folder = home / "mine"
    folder.mkdir()
    other = folder / "budget.db"
    if kind == "text":
        other.write_text("rent,900\n")
    else:
        with sqlite3.connect(other) as conn:
            conn.execute("CREATE TABLE spending (month TEXT, amount REAL)")
        conn.close()
    before = other.read_bytes()
    done = _run(home, "remind", "--db", str(other), check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"reflect: {other} is {'an SQLite database but ' if kind == 'sqlite' else ''}not a Reflect store"
        f"{' (not an SQLite database)' if kind == 'text' else ''}; no reminders were written beside it"]
    assert sorted(p.name for p in folder.iterdir()) == ["budget.db"] and other.read_bytes() == before


# -- 12. The QR code -------------------------------------------------------------------------------

URL = "https://192.168.1.20:8866/?token=" + "5f" * 24
#: How a terminal shows the QR code's colours, whatever its theme: they are said explicitly.
_SHOWN = {"30": 0, "97": 255, "40": 0, "107": 255}


def _terminal_pixels(drawn: str) -> list[list[int]]:
    """The QR code drawn in the terminal, as the grey pixels a screen shows (one per module): each
    upper half block is its foreground colour above its background colour. Only explicit colours
    are allowed: no reverse video, no terminal default."""
    import re

    pixels: list[list[int]] = []
    for line in drawn.split("\n"):
        assert line.startswith("\x1b[") and line.endswith("\x1b[0m"), repr(line[:20])
        top: list[int] = []
        bottom: list[int] = []
        fg = bg = None
        for code, cells in re.findall(r"\x1b\[([0-9;]*)m([^\x1b]*)", line[:-len("\x1b[0m")]):
            fg_code, bg_code = code.split(";")
            fg, bg = _SHOWN[fg_code], _SHOWN[bg_code]  # KeyError: not an explicit black or white
            assert set(cells) <= {"\u2580"}, repr(cells)
            top += [fg] * len(cells)
            bottom += [bg] * len(cells)
        pixels += [top, bottom]
    return pixels


def _zbar(pixels: list[list[int]], scale: int = 4) -> list[str]:
    """What zbar (a QR reader) reads in a grey image, scaled up as a camera would see it."""
    from pyzbar import pyzbar

    rows = [bytes(p for p in row for _ in range(scale)) for row in pixels for _ in range(scale)]
    return [found.data.decode() for found in pyzbar.decode((b"".join(rows), len(rows[0]), len(rows)))]


def _png_pixels(data: bytes) -> list[list[int]]:
    """The grey pixels of a greyscale PNG of 1 to 8 bits (what segno writes), read with zlib alone."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunks.setdefault(kind, b"")
        chunks[kind] += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert colour == 0 and depth in (1, 2, 4, 8), (colour, depth)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = (width * depth + 7) // 8
    previous, pixels, at = bytearray(stride), [], 0
    for _ in range(height):
        kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            left = line[i - 1] if i else 0
            up, corner = previous[i], previous[i - 1] if i else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                line[i] = (line[i] + near[2]) & 255
        previous = line
        bits = "".join(f"{byte:08b}" for byte in line)
        pixels.append([int(bits[x * depth:(x + 1) * depth], 2) * 255 // (2 ** depth - 1) for x in range(width)])
    return pixels


def test_the_qr_code_is_drawn_in_explicit_colours_and_reads_on_any_theme():
    from reflect.servers.app import qr_code, qr_matrix

    drawn = qr_code(URL)
    assert "\x1b[7m" not in drawn and "\x1b[49m" not in drawn and "\x1b[39m" not in drawn  # never the theme's
    pixels = _terminal_pixels(drawn)
    modules = qr_matrix(URL)
    assert pixels[:len(modules)] == [[0 if dark else 255 for dark in row] for row in modules]
    assert all(p == 255 for row in pixels[len(modules):] for p in row)  # the quiet zone, evened out
    assert _zbar(pixels) == [URL]


def test_the_qr_code_is_kept_as_a_private_picture_that_reads_back(tmp_path):
    import stat

    from reflect.servers.app import AppServer, lan_announcement, qr_picture_path
    from reflect.servers.certificate import ensure_certificate

    store = tmp_path / "us.db"
    server = AppServer(store, lan=True, address="127.0.0.1")  # not started: what it would say
    server.host = "192.168.1.20"
    server.certificate = ensure_certificate(store, ["192.168.1.20"])
    old = os.umask(0)
    try:
        said = "\n".join(lan_announcement(server))
    finally:
        os.umask(old)
    picture = qr_picture_path(store)
    assert picture == tmp_path / "us.db.lan-qr.png" and f"also kept as a picture: {picture}" in said
    assert stat.S_IMODE(picture.stat().st_mode) == 0o600  # it holds the page's token
    assert _zbar(_png_pixels(picture.read_bytes()), scale=1) == [server.url]


@pytest.mark.slow
def test_a_trial_on_loopback_draws_no_qr_code_and_keeps_the_phones_certificate(home):
    from reflect.servers.certificate import certificate_paths, ensure_certificate
    from reflect.storage import keys
    from reflect.storage.store import Store

    store = home / "data" / "us.db"
    store.parent.mkdir()
    with Store(store) as s:
        for person in ("Robin", "Sam"):
            s.add_person(person, f"{person.lower()}'s words", params=keys.KdfParams(n=2**10))
        s.sign_out()
    phones = ensure_certificate(store, ["192.168.1.20"])  # the one the phones accepted last week
    kept = [p.read_bytes() for p in certificate_paths(store)]
    proc = subprocess.Popen([str(REFLECT_BIN), "app", "--lan", "--address", "127.0.0.1", "--db", str(store)],
                            cwd=home, env=_env(home), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    said = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            said.append(line)
            if "Press Ctrl-C to stop." in line:
                break
    finally:
        proc.terminate()
        proc.wait(30)
    text = "".join(said)
    assert "No QR code: no phone can reach 127.0.0.1, which is this computer alone.\n" in text, text
    assert "\u2580" not in text and "\x1b[" not in text
    assert not (home / "data" / "us.db.lan-qr.png").exists()
    # the phones' certificate is left as it was; the trial has one of its own, beside it
    assert [p.read_bytes() for p in certificate_paths(store)] == kept
    trial_cert, trial_key = certificate_paths(store, loopback=True)
    assert trial_cert.exists() and trial_key.exists() and phones.fingerprint not in text
    assert f"(kept in {trial_cert}, valid until" in text


# -- 13. Left behind -------------------------------------------------------------------------------


class _Lab:
    """`reflect lab` run as a person runs it, in a session of its own, until it says it is ready."""

    def __init__(self, home: Path):
        self.process = subprocess.Popen([str(REFLECT_BIN), "lab"], cwd=home, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env=_env(home, JUPYTER_RUNTIME_DIR=str(home / "runtime")),
                                        start_new_session=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert "JupyterLab is ready at http://127.0.0.1:" in line, line

    def stop(self, sig: int, *, group: bool = False) -> subprocess.CompletedProcess[str]:
        helpers = _descendants(self.process.pid)
        os.killpg(self.process.pid, sig) if group else os.kill(self.process.pid, sig)
        out, err = self.process.communicate(timeout=60)
        psutil.wait_procs(helpers, timeout=30)  # JupyterLab ends with it, even after kill -9
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, out, err)


def _settings_folders(home: Path) -> list[str]:
    from reflect.servers.lab import SETTINGS_PREFIX

    return sorted(p.name for p in (home / "tmp").iterdir() if p.name.startswith(SETTINGS_PREFIX))


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_reflect_lab_removes_its_settings_when_it_stops(home, how):
    lab = _Lab(home)
    assert len(_settings_folders(home)) == 1  # JupyterLab's settings while it runs
    stopped = lab.stop(signal.SIGINT, group=True) if how == "ctrl-c" else lab.stop(signal.SIGTERM)
    assert stopped.returncode == 0 and stopped.stdout.strip().endswith("Stopped."), stopped
    assert "Traceback" not in stopped.stderr
    assert _settings_folders(home) == []


@pytest.mark.slow
def test_reflect_lab_sweeps_only_its_own_old_leftovers(home):
    from reflect.servers.lab import SETTINGS_PREFIX
    from reflect.system.leftovers import HeldFolder

    tmp = home / "tmp"
    hour_ago = time.time() - 3600
    killed = _Lab(home)
    [left] = _settings_folders(home)
    killed.stop(signal.SIGKILL)  # killed outright: nothing could remove its folder
    assert _settings_folders(home) == [left]
    os.utime(tmp / left, (hour_ago, hour_ago))
    starting = tmp / (SETTINGS_PREFIX + "starting")  # another reflect lab, starting just now
    starting.mkdir()
    running = HeldFolder(SETTINGS_PREFIX, base=tmp)  # another reflect lab, running for an hour
    os.utime(running.path, (hour_ago, hour_ago))
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    link = tmp / (SETTINGS_PREFIX + "link")  # not a folder of ours: a link to one
    link.symlink_to(elsewhere, target_is_directory=True)
    os.utime(link, (hour_ago, hour_ago), follow_symlinks=False)
    keep = [starting.name, running.path.name, link.name]
    if os.geteuid() == 0:  # someone else's, in a shared temporary folder
        theirs = tmp / (SETTINGS_PREFIX + "theirs")
        theirs.mkdir()
        os.chown(theirs, 4242, 4242)
        os.utime(theirs, (hour_ago, hour_ago))
        keep.append(theirs.name)
    try:
        lab = _Lab(home)
        now = _settings_folders(home)
        assert left not in now and set(keep) <= set(now) and len(now) == len(keep) + 1, now
        lab.stop(signal.SIGTERM)
        assert sorted(_settings_folders(home)) == sorted(keep) and elsewhere.exists()
    finally:
        running.remove()
