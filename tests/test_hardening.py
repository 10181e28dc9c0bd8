"""Issue 11: private files stay private, refused files stay untouched, first use is as safe as later use."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from reflect.errors import NotAReflectStore, ReflectError, StoreError, StoreTooNew
from reflect.storage import migrations
from reflect.storage.store import Store
from reflect.system.paths import make_private_dirs, write_private

from .helpers import REFLECT_BIN, make_checkin, without_coverage

# -- 1. temporary files nobody can slip a file or a link under ------------------------------------


@pytest.mark.parametrize("planted", ["symlink", "file"])
def test_write_private_never_follows_or_reuses_a_planted_temporary_name(tmp_path, planted):
    victim = tmp_path / "bashrc"
    victim.write_text("precious\n")
    target = tmp_path / "us.csv"
    old_name = tmp_path / f".{target.name}.{os.getpid()}.tmp"  # the name the kit used to use
    if planted == "symlink":
        old_name.symlink_to(victim)
    else:
        old_name.write_text("attacker's")
        old_name.chmod(0o666)
    planted_inode = os.lstat(old_name).st_ino
    write_private(target, "secret notes\n")
    assert victim.read_text() == "precious\n"
    assert target.read_text() == "secret notes\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.lstat(target).st_ino != planted_inode and not target.is_symlink()
    assert os.path.lexists(old_name)  # left alone, not used
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".reflect-")] == []


def test_write_private_refuses_to_replace_a_device_or_a_folder(tmp_path):
    (tmp_path / "folder").mkdir()
    with pytest.raises(ReflectError, match="is a folder"):
        write_private(tmp_path / "folder", "x")
    null = _device(tmp_path)
    with pytest.raises(ReflectError, match="is a device"):
        write_private(null, "x")
    assert stat.S_ISCHR(os.stat(null).st_mode)


# -- 2. every folder the kit makes is 0700 -----------------------------------------------------------


@pytest.fixture
def open_umask():
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_every_folder_made_is_owner_only_even_under_umask_000(tmp_path, open_umask):
    make_private_dirs(tmp_path / "a" / "b" / "c")
    for p in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o700, p
    Store(tmp_path / "x" / "y" / "couple.db").close()
    for p in (tmp_path / "x", tmp_path / "x" / "y"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o700, p
    assert stat.S_IMODE((tmp_path / "x" / "y" / "couple.db").stat().st_mode) == 0o600
    write_private(tmp_path / "x" / "out.csv", "a")
    assert stat.S_IMODE((tmp_path / "x" / "out.csv").stat().st_mode) == 0o600


def test_report_folders_are_owner_only_even_under_umask_000(tmp_path, open_umask):
    from reflect.reporting import publish

    db = tmp_path / "couple.db"
    with Store(db) as s:
        s.save(make_checkin(date="2026-09-01"))
    jobs, failed = publish.plan([db], month="2026-09", out_dir=tmp_path / "out" / "deep" / "reports")
    assert not failed and jobs
    for p in (tmp_path / "out", tmp_path / "out" / "deep", tmp_path / "out" / "deep" / "reports"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o700, p


# -- 5, 6. refused means untouched ----------------------------------------------------------------------


def _device(folder: Path) -> Path:
    """A character device like /dev/null, but our own (changing /dev/null would harm the machine)."""
    path = folder / "null"
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("cannot make a device node here (needs root)")
    os.chmod(path, 0o666)
    return path


def _special(kind: str, folder: Path) -> Path:
    path = folder / kind
    if kind == "device":
        return _device(folder)
    if kind == "fifo":
        os.mkfifo(path, 0o644)
    elif kind == "folder":
        path.mkdir(mode=0o755)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    os.chmod(path, 0o644 if kind != "folder" else 0o755)
    return path


@pytest.mark.parametrize("kind", ["device", "fifo", "folder", "socket"])
def test_a_store_path_that_is_not_a_regular_file_is_refused_before_anything_is_done(tmp_path, kind):
    path = _special(kind, tmp_path)
    mode = os.stat(path).st_mode
    for create in (True, False):
        with pytest.raises(StoreError, match="not a Reflect store"):
            Store(path, create=create)
    assert os.stat(path).st_mode == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    # and from the command line, which does not hang on a FIFO
    proc = subprocess.run([str(REFLECT_BIN), "init", "--db", str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode in (1, 2) and "Traceback" not in proc.stderr
    assert "not a Reflect store" in proc.stderr or "is a directory" in proc.stderr  # a folder: a usage error
    assert os.stat(path).st_mode == mode


def _other_app(path: Path, *, app_id: int = 0, version: int = 0, tables: bool = True) -> None:
    conn = sqlite3.connect(path)
    if app_id:
        conn.execute(f"PRAGMA application_id = {app_id}")
    if version:
        conn.execute(f"PRAGMA user_version = {version}")
    if tables:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES ('theirs')")
    conn.commit()
    conn.close()


def _with_pending_wal(path: Path, app_id: int, version: int) -> None:
    """A database whose last writes sit in its -wal (its writer was killed before a checkpoint)."""
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode = WAL')\n"
        "c.execute('BEGIN')\n"
        f"c.execute('PRAGMA application_id = {app_id}')\n"
        f"c.execute('PRAGMA user_version = {version}')\n"
        "c.execute('CREATE TABLE t (x)')\n"
        "c.execute(\"INSERT INTO t VALUES ('theirs')\")\n"
        "c.execute('COMMIT')\n"
        "os.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=False)
    assert path.with_name(path.name + "-wal").stat().st_size > 0


def _real_store_bytes() -> bytes:
    """The bytes of a real Reflect store with a check-in in it, all of it in the file (no -wal)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "real.db"
        with Store(path) as store:
            store.save(make_checkin("Robin", "2026-10-01", note="kept"))
        return path.read_bytes()


def _truncated_store(path: Path, *, mid_page: bool) -> None:
    """A copy of a real store cut short: at a page boundary (the header says more pages), or mid-page."""
    data = _real_store_bytes()
    page = int.from_bytes(data[16:18], "big")
    assert len(data) % page == 0 and len(data) // page > 4
    cut = (len(data) // page // 2) * page + (100 if mid_page else 0)
    path.write_bytes(data[:cut])


def _damaged_first_page(path: Path) -> None:
    """A real store whose header is intact but whose first page's cell pointers are not: only SQLite
    finds out, after the kit made the file private (it is put back)."""
    data = bytearray(_real_store_bytes())
    data[112:120] = b"\xff" * 8
    path.write_bytes(bytes(data))


REFUSED = {
    "a truncated copy of a real store": lambda p: _truncated_store(p, mid_page=False),
    "a truncated copy of a real store, cut mid-page": lambda p: _truncated_store(p, mid_page=True),
    "a real store with a damaged first page": _damaged_first_page,
    "text file": lambda p: p.write_text("dear diary\n"),
    "another app's database": lambda p: _other_app(p),
    "another app's database with its own id": lambda p: _other_app(p, app_id=0x1234, version=7),
    "a newer Reflect store": lambda p: _other_app(p, app_id=migrations.APPLICATION_ID,
                                                  version=migrations.SCHEMA_VERSION + 1),
    "a corrupt file": lambda p: p.write_bytes(b"SQLite format 3\x00" + os.urandom(4000)),
    "a cut-short file": lambda p: p.write_bytes(b"SQLite format 3\x00\x10\x00"),
    "another app's database with a pending WAL": lambda p: _with_pending_wal(p, 0, 0),
    "a newer Reflect store with a pending WAL": lambda p: _with_pending_wal(
        p, migrations.APPLICATION_ID, migrations.SCHEMA_VERSION + 1),
}


def _state(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mode) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_every_refused_sqlite_like_file_is_left_byte_identical_with_its_mode_and_side_files(tmp_path, kind):
    folder = tmp_path / "f"
    folder.mkdir()
    path = folder / "their.db"
    REFUSED[kind](path)
    for p in folder.iterdir():
        p.chmod(0o644)
    before = _state(folder)
    for create in (True, False):
        with pytest.raises((NotAReflectStore, StoreTooNew)):
            Store(path, create=create)
        assert _state(folder) == before
    for args in (["init"], ["list"], ["export", str(tmp_path / "out.csv")], ["backup", str(tmp_path / "b.db")]):
        proc = subprocess.run([str(REFLECT_BIN), *args, "--db", str(path)], capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, (args, proc.stderr)
        assert "left untouched" in proc.stderr
        assert _state(folder) == before, args


def test_a_reflect_store_with_a_pending_wal_opens_with_its_data(tmp_path):
    path = tmp_path / "couple.db"
    code = (
        "import os, sys\nfrom reflect.storage.store import Store\nfrom tests.helpers import make_checkin\n"
        "s = Store(sys.argv[1])\ns.save(make_checkin(note='kept'))\nos.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], cwd=Path(__file__).parent.parent, check=False)
    with Store(path, create=False) as s:
        assert [c.note for c in s.checkins()] == ["kept"]


# -- 7. an empty file becomes a store only when asked -----------------------------------------------


@pytest.mark.parametrize("args", [["list"], ["summary"], ["export", "-"], ["ritual", "list"], ["ritual", "kinds"],
                                  ["ritual", "export", "-"], ["backup", "copy.db"],
                                  ["history", "-p", "Robin", "-d", "2026-10-01"],
                                  ["report", "--month", "2026-10"]])
def test_read_only_commands_never_turn_an_empty_file_into_a_store(tmp_path, args):
    path = tmp_path / "empty.db"
    path.touch()
    path.chmod(0o644)
    proc = subprocess.run([str(REFLECT_BIN), *args, "--db", str(path)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, env={**os.environ, "REFLECT_HOME": str(tmp_path)})
    assert proc.returncode == 1, proc
    assert "empty" in proc.stderr and "Traceback" not in proc.stderr
    assert path.read_bytes() == b"" and stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


def test_init_add_and_import_make_a_store_of_an_empty_file(tmp_path):
    for args in (["init"], ["add", "-p", "Robin", "--passion", "5", "--emotional", "5", "--physical", "5",
                            "--intellectual", "5", "--experiential", "5", "--spiritual", "5"]):
        path = tmp_path / f"{args[0]}.db"
        path.touch()
        proc = subprocess.run([str(REFLECT_BIN), *args, "--db", str(path)], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert Store(path, create=False).schema_version == migrations.SCHEMA_VERSION


# -- 10. first use is as safe as later use ----------------------------------------------------------------


def test_programs_opening_a_store_while_another_creates_it_never_see_it_half_made(tmp_path):
    """Two races, caught here under load: a file whose header (read from its write-ahead log) runs
    ahead of what SQLite has committed, and a file that appears between a failed open and a second
    look (once taken for "a link to nothing"). Each program waits for the creator instead."""
    code = ("import os, sys, time\nfrom reflect.storage.store import Store\n"
            "while not os.path.exists(sys.argv[2]): time.sleep(0.002)\n"
            "with Store(sys.argv[1]) as s:\n    s.people(); s.persons()\n")
    root = Path(__file__).parent.parent
    for round_ in range(12):
        path, go = tmp_path / f"new-{round_}.db", tmp_path / f"go-{round_}"
        procs = [subprocess.Popen([sys.executable, "-c", code, str(path), str(go)], cwd=root,
                                  stderr=subprocess.PIPE, text=True) for _ in range(8)]
        go.touch()
        errors = [p.communicate(timeout=120)[1] for p in procs]
        assert [e for e in errors if e] == [], round_


def test_ten_processes_creating_a_new_store_at_once_all_succeed(tmp_path):
    path = tmp_path / "new" / "couple.db"
    go = tmp_path / "go"
    code = (
        "import os, sys, time\n"
        "from reflect.storage.store import Store\nfrom tests.helpers import make_checkin\n"
        "while not os.path.exists(sys.argv[2]): time.sleep(0.005)\n"
        "with Store(sys.argv[1]) as s:\n"
        "    for i in range(25):\n"
        "        day = f'2025-{i + 1:02d}-01' if i < 12 else f'2025-03-{i:02d}'\n"
        "        s.save(make_checkin(person=f'P{int(sys.argv[3]) % 2}', date=f'{2000 + int(sys.argv[3])}' + day[4:],\n"
        "                            cadence='daily' if i >= 12 else None))\n"
    )
    root = Path(__file__).parent.parent
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), str(go), str(n)], cwd=root,
                              stderr=subprocess.PIPE, text=True) for n in range(10)]
    go.touch()
    errors = [(p.wait(timeout=300), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    assert [e for e in errors if e[0] != 0] == []
    with Store(path, create=False) as s:
        assert s.version_count() == 250


# -- 15. backups always get a name of their own -------------------------------------------------------------


def test_two_backups_in_the_same_second_get_distinct_names(file_store, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    first, second = file_store.backup(folder), file_store.backup(folder)
    assert first != second and first.exists() and second.exists()


def test_the_migration_backup_is_kept_when_an_older_one_exists(db_path):
    def schema_one():
        conn = sqlite3.connect(db_path, isolation_level=None)
        conn.execute("BEGIN")
        conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
        migrations.apply(conn, start=0, stop=1)
        conn.execute("COMMIT")
        conn.close()

    schema_one()
    Store(db_path).close()
    first = db_path.with_name(db_path.name + ".schema-v1.bak")
    old_copy = first.read_bytes()
    for side in ("", "-wal", "-shm"):
        Path(str(db_path) + side).unlink(missing_ok=True)
    schema_one()
    Store(db_path).close()
    baks = sorted(p.name for p in db_path.parent.iterdir() if ".bak" in p.name)
    assert len(baks) == 2 and first.read_bytes() == old_copy


# -- 11. names ------------------------------------------------------------------------------------------------


def test_a_name_in_two_unicode_forms_is_one_person(store):
    import unicodedata

    nfc, nfd = unicodedata.normalize("NFC", "José"), unicodedata.normalize("NFD", "José")
    assert nfc != nfd
    store.save(make_checkin(person=nfc, date="2025-01-01"))
    store.save(make_checkin(person=nfd, date="2025-02-01"))
    assert {c.person for c in store.checkins()} == {nfc}


@pytest.mark.parametrize("name, why", [
    ("Ro\u202ebin", "bidirectional"), ("Ro\u200bbin", "invisible"), ("Ro\nbin", "line breaks"),
    ("Ro\u2028bin", "line breaks"), ("Ro\x1bbin", "control"), ("Ro\u00a0bin", "spaces"), ("\u3164", "invisible"),
])
def test_names_with_control_bidi_or_invisible_characters_are_refused_clearly(name, why):
    from reflect.domain.text import clean_name
    from reflect.errors import ValidationError

    with pytest.raises(ValidationError, match=f"a name cannot hold {why}"):
        clean_name(name)


# -- 12. what reaches the terminal ------------------------------------------------------------------------------


def test_terminal_escapes_in_notes_are_shown_escaped_and_kept_in_the_data(tmp_path, capsys):
    from reflect.cli import main
    from reflect.domain.rituals import Ritual

    db = tmp_path / "couple.db"
    evil = "hi \x1b]52;c;cm0gLXJmIH4=\x07 \x9b31m \u202egnp.exe"
    with Store(db) as s:
        s.save(make_checkin(date="2025-01-01", note=evil))
        s.log_ritual(Ritual.create(day="2025-01-02", kind="hug", note=evil))
    for argv in (["ritual", "list"], ["list", "--notes"], ["history", "-p", "Robin", "-d", "2025-01-01", "--notes"],
                 ["ritual", "history", "hug", "-d", "2025-01-02"], ["summary", "--format", "json"]):
        with pytest.raises(SystemExit) as done:
            main([*argv, "--db", str(db)])
        out, err = capsys.readouterr()
        assert done.value.code == 0, err
        assert not any(ch in out + err for ch in "\x1b\x07\x9b\u202e"), argv
    with pytest.raises(SystemExit):
        main(["export", "-", "--db", str(db)])
    assert evil in capsys.readouterr().out  # the data itself is exact
    with Store(db) as s:
        assert s.checkins()[0].note == evil


# -- 13. spreadsheets -------------------------------------------------------------------------------------------


def test_export_is_exact_by_default_warns_of_formulas_and_neutralises_them_on_request(tmp_path, capsys):
    from reflect.cli import main
    from reflect.domain.csvio import parse_checkins

    db = tmp_path / "couple.db"
    with Store(db) as s:
        s.save(make_checkin(date="2025-01-01", note='=HYPERLINK("http://evil","click")'))
        s.save(make_checkin(person="@Sam", date="2025-01-01", note="+cmd|' /C calc'!A0"))
    with pytest.raises(SystemExit):
        main(["export", "-", "--db", str(db)])
    out, err = capsys.readouterr()
    assert '=HYPERLINK(""http://evil"",""click"")' in out and "+cmd|" in out
    assert "warning: 3 cells" in err and "--safe-for-spreadsheets" in err
    with Store(tmp_path / "copy.db") as s:
        s.save_many(parse_checkins(out))
        assert sorted(c.note or "" for c in s.checkins()) == sorted(c.note or "" for c in Store(db).checkins())
    with pytest.raises(SystemExit):
        main(["export", str(tmp_path / "safe.csv"), "--safe-for-spreadsheets", "--db", str(db)])
    out, err = capsys.readouterr()
    text = (tmp_path / "safe.csv").read_text()
    assert "'=HYPERLINK" in text and "'+cmd|" in text and ",'@Sam," in text
    assert "3 cells" in err and "warning" not in err


# -- 4. what a redirection gives ---------------------------------------------------------------------------------


def test_export_help_and_readme_say_a_file_argument_is_private_and_redirection_is_not(cli):
    for args in (["export", "--help"], ["ritual", "export", "--help"]):
        text = " ".join(cli(*args).stdout.split())
        assert "0600" in text and "redirect" in text
    readme = " ".join((Path(__file__).parent.parent / "README.md").read_text().split())
    assert "reflect export > us.csv" in readme and "0600" in readme


# -- 14. one clear line for each error --------------------------------------------------------------------------


def test_a_read_only_store_says_read_only_not_busy(file_store):
    file_store.connection.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreError, match="read-only") as err:
        file_store.save(make_checkin())
    assert "busy" not in str(err.value)


def test_sqlite_and_system_errors_have_their_own_words():
    import errno

    from reflect.storage.storefile import describe_error

    assert "disk is full" in describe_error(sqlite3.OperationalError("database or disk is full"))
    assert "input/output" in describe_error(sqlite3.OperationalError("disk I/O error"))
    assert "busy" in describe_error(sqlite3.OperationalError("database is locked"))
    assert "read-only" in describe_error(sqlite3.OperationalError("attempt to write a readonly database"))
    assert "disk is full" in describe_error(OSError(errno.ENOSPC, "No space left on device"))


def test_a_full_disk_during_backup_is_said_plainly_and_leaves_nothing(file_store, tmp_path):
    import resource
    import signal

    for i in range(40):
        file_store.save(make_checkin(date=f"{1950 + i}-{i % 12 + 1:02d}-01", note="x" * 2000, person=f"P{i % 2}"))

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))

    out = tmp_path / "backups"
    out.mkdir()
    # (under scripts/coverage, coverage could not write its own data in a child this small: it is left out)
    proc = subprocess.run([str(REFLECT_BIN), "backup", str(out), "--db", str(file_store.path)], capture_output=True,
                          text=True, preexec_fn=small_disk, timeout=60, env=without_coverage(dict(os.environ)))
    assert proc.returncode == 1, proc
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write the backup" in lines[0] and "unexpected" not in lines[0], lines
    assert "busy" not in lines[0]
    assert list(out.iterdir()) == []


# -- 15. smaller things ------------------------------------------------------------------------------------------------


def test_dates_before_1900_are_refused():
    from reflect.domain.checkin import parse_date, parse_month
    from reflect.domain.rituals import Ritual
    from reflect.errors import ValidationError

    for bad in ("0001-01-01", "1899-12-31"):
        with pytest.raises(ValidationError, match="too early"):
            parse_date(bad)
        with pytest.raises(ValidationError, match="too early"):
            Ritual.create(day=bad, kind="hug")
    with pytest.raises(ValidationError, match="too early"):
        parse_month("0001-01")
    assert parse_date("1900-01-01").year == 1900


def test_a_store_named_dots_never_writes_into_the_parent_of_out(tmp_path):
    from reflect.reporting import publish

    stores = []
    for name in ("...db", "couple.db"):
        db = tmp_path / name
        with Store(db) as s:
            s.save(make_checkin(date="2025-01-01"))
        stores.append(db)
    out = tmp_path / "out" / "reports"
    jobs, failed = publish.plan(stores, month="2025-01", out_dir=out)
    assert not failed
    for job in jobs:
        assert job.out_dir.resolve().parent == out.resolve(), job.out_dir


# -- 16. a streaming import that is still all or nothing ---------------------------------------------------


HEADER = ("date,person,cadence,passion,emotional,physical,intellectual,experiential,spiritual,desired_passion,"
          "desired_emotional,desired_physical,desired_intellectual,desired_experiential,desired_spiritual,note")


def test_a_big_import_with_problems_names_them_and_writes_nothing(tmp_path):
    from reflect.errors import ImportFileError
    from reflect.storage.importing import import_checkins

    rows = [f"{2000 + y}-01-{d:02d},P{p},daily,5,5,5,5,5,5,,,,,,," for y in range(20) for p in range(2)
            for d in range(1, 29)]
    rows[100] = rows[100].replace(",5,5,5,5,5,5,", ",5,11,5,5,5,5,")
    rows.append(rows[7])  # a duplicate, far from its first line
    csv_file = tmp_path / "in.csv"
    csv_file.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    db = tmp_path / "new.db"
    with pytest.raises(ImportFileError) as err:
        import_checkins(csv_file, db)
    assert str(err.value) == (f"{csv_file}, line 102, column emotional: 11 is out of range: ratings go from 1 to 10 "
                              "(and 1 more problem); nothing was imported")
    assert "same person, cadence and period as line 9" in str(err.value.problems[1])
    assert not db.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    with Store(db) as s:
        s.save(make_checkin(date="2024-01-01"))
    before = _state(tmp_path)
    with pytest.raises(ImportFileError):
        import_checkins(csv_file, db)
    with Store(db) as s:
        assert s.version_count() == 1
    assert set(_state(tmp_path)) == set(before)


def test_a_big_import_counts_new_updated_and_unchanged(tmp_path):
    from reflect.storage.importing import import_checkins

    db = tmp_path / "c.db"
    with Store(db) as s:
        s.save(make_checkin(person="P1", date="2020-01-01", cadence="daily"))
        s.save(make_checkin(person="P2", date="2020-01-01", cadence="daily", note="old"))
    rows = [f"2020-01-{d:02d},P{p},daily,5,5,5,5,5,5,,,,,,," for p in (1, 2) for d in (1, 2, 3)]
    csv_file = tmp_path / "in.csv"
    csv_file.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    result = import_checkins(csv_file, db)
    assert (result.added, result.updated, result.unchanged) == (4, 1, 1)
    with Store(db) as s:
        assert s.count() == 6 and len(s.history("P2", "2020-01-01", "daily")) == 2
    assert import_checkins(csv_file, db).unchanged == 6
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".reflect")] == []
