"""Every command with odd values: each error is one clear line, never "unexpected error", never a traceback.

Odd values: empty, very long, not UTF-8, a folder, devices (our own copies of /dev/null and
/dev/full: the real ones are never touched), a FIFO, a missing parent folder, terminal escapes.
The ``app`` command is left out (given a usable store it would start a server).
"""

from __future__ import annotations

import os
import stat

import pytest

from reflect.cli import main
from reflect.storage.store import Store

from .helpers import make_checkin

SCORES = ["--passion", "5", "--emotional", "5", "--physical", "5", "--intellectual", "5", "--experiential", "5",
          "--spiritual", "5"]

#: Each command line, with V where the odd value goes; {good}, {csv}, {rcsv}: a store and files that work.
COMMANDS = [
    "init --db V",
    "add -p V {scores} --db {good}", "add -p Robin {scores} --db V", "add -p Robin -d V {scores} --db {good}",
    "add -p Robin --note V {scores} --db {good}",
    "import V --db {good}", "import {csv} --db V",
    "export V --db {good}", "export --db V", "export - --safe-for-spreadsheets --db V",
    "list --db V", "list -p V --db {good}", "list -m V --db {good}", "list --notes --db {good}",
    "summary --db V", "summary -m V --db {good}",
    "history -p V -d 2025-01-01 --db {good}", "history -p Robin -d V --db {good}",
    "history -p Robin -d 2025-01-01 --db V",
    "backup V --db {good}", "backup {tmp}/b.db --db V",
    "report --db V", "report -m V --db {empty_store}", "report --out V --db {empty_store}",
    "demo --db V", "demo --end V --db {tmp}/demo.db",
    "ritual add hug -p V --db {good}", "ritual add V --db {good}", "ritual add hug --db V",
    "ritual add hug -d V --db {good}", "ritual add hug --note V --db {good}",
    "ritual list --db V", "ritual list -p V --db {good}", "ritual list -k V --db {good}",
    "ritual list -m V --db {good}", "ritual list --together --db V",
    "ritual kinds --db V",
    "ritual history hug -d 2025-01-01 --db V", "ritual history hug -d 2025-01-01 -p V --db {good}",
    "ritual import V --db {good}", "ritual import {rcsv} --db V",
    "ritual export V --db {good}", "ritual export --db V",
]


def _values(tmp):
    values = {
        "empty": "",
        "long": "x" * 5000,
        "not utf-8": "caf\udce9.db",
        "folder": str(tmp / "a-folder"),
        "fifo": str(tmp / "a-fifo"),
        "missing parent": str(tmp / "missing" / "parent" / "x.db"),
        "escapes": str(tmp / "e\x1b]52;c;aGk=\x07.db"),
        "dash": "-",
    }
    (tmp / "a-folder").mkdir()
    os.mkfifo(tmp / "a-fifo")
    for name, minor in (("null", 3), ("full", 7)):
        try:
            os.mknod(tmp / name, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
            values[f"device {name}"] = str(tmp / name)
        except OSError:
            pass
    return values


@pytest.fixture
def setting(tmp_path, monkeypatch):
    monkeypatch.setenv("REFLECT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REFLECT_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    good = tmp_path / "good.db"
    with Store(good) as s:
        s.save(make_checkin(date="2025-01-01", note="=HYPERLINK(\"http://x\")"))
    Store(tmp_path / "empty-store.db").close()
    (tmp_path / "in.csv").write_text("date,person,cadence,passion,emotional,physical,intellectual,experiential,"
                                     "spiritual,desired_passion,desired_emotional,desired_physical,"
                                     "desired_intellectual,desired_experiential,desired_spiritual,note\n"
                                     "2025-02-01,Sam,monthly,5,5,5,5,5,5,,,,,,,\n")
    (tmp_path / "r.csv").write_text("date,person,kind,cadence,note\n2025-02-01,,hug,,\n")
    fmt = {"good": str(good), "csv": str(tmp_path / "in.csv"), "rcsv": str(tmp_path / "r.csv"),
           "tmp": str(tmp_path), "empty_store": str(tmp_path / "empty-store.db")}
    return fmt, _values(tmp_path)


def _run(argv, capsys):
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_with_odd_values_says_one_clear_line(setting, command, capsys):
    fmt, values = setting
    for label, value in values.items():
        argv = []
        for word in command.split():
            if word == "{scores}":
                argv += SCORES
            elif word == "V":
                argv.append(value)
            else:
                argv.append(word.format(**fmt))
        code, out, err = _run(argv, capsys)
        said = f"{command} [{label}] -> exit {code}: {err!r}"
        assert code in (0, 1, 2), said
        assert "unexpected error" not in err and "Traceback" not in err, said
        assert "\x1b" not in out + err and "\x07" not in out + err, said
        if code:
            lines = [line for line in err.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("reflect"), said
