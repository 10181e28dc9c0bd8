"""The CLI, run as a user runs it: the installed ``reflect`` command in a subprocess."""

import stat

import pytest

from reflect.domain.csvio import HEADER
from reflect.storage.store import Store

SCORES = ["--passion", "6", "--emotional", "7", "--physical", "5",
          "--intellectual", "8", "--experiential", "6", "--spiritual", "7"]


def one_line(text):
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_init_creates_the_default_store_owner_only(cli, home):
    r = cli("init")
    assert r.returncode == 0, r
    path = home / "data" / "reflect.db"
    assert f"Store ready at {path}" in r.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_db_flag_and_environment_choose_the_store(cli, home, tmp_path):
    assert cli("init", "--db", str(tmp_path / "flag.db")).returncode == 0
    assert (tmp_path / "flag.db").exists()
    r = cli("add", "-p", "Robin", "-d", "2026-10-03", *SCORES, env={"REFLECT_DB": str(tmp_path / "env.db")})
    assert r.returncode == 0, r
    assert Store(tmp_path / "env.db").count() == 1
    assert not (home / "data" / "reflect.db").exists()


def test_add_then_update_then_history(cli):
    r = cli("add", "-p", "Robin", "-d", "2026-10-03", *SCORES, "--desired-physical", "9", "--note", "hello")
    assert r.returncode == 0, r
    assert r.stdout.strip() == "Saved Robin's monthly check-in for October 2026."
    r = cli("add", "-p", "Robin", "-d", "2026-10-20", *SCORES[:-1], "9")
    assert r.stdout.strip() == (
        "Updated Robin's monthly check-in for October 2026 (the earlier version is kept in history). "
        'Your note is kept as it was (--note "" clears it).'
    )
    r = cli("add", "-p", "Robin", "-d", "2026-10-20", *SCORES[:-1], "9")
    assert r.stdout.strip().startswith("Nothing changed")
    r = cli("history", "-p", "Robin", "-d", "2026-10-01")
    assert r.returncode == 0, r
    assert r.stdout.count("\nv") + r.stdout.startswith("v") == 2
    assert "(current)" in r.stdout and "wants: phy 9" in r.stdout
    assert "hello" not in r.stdout
    assert "note: hello" in cli("history", "-p", "Robin", "-d", "2026-10-01", "--notes").stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["add", "-p", "Robin", *SCORES[:-1], "11"], "reflect: spiritual: 11 is out of range: ratings go from 1 to 10"),
        (["add", "-p", "", *SCORES], "reflect: person: a name is required (it cannot be empty)"),
        (["add", "-p", "Robin", "-d", "2026-13-01", *SCORES], "reflect: date: '2026-13-01' is not a real date"),
        (["add", "-p", "Robin", *SCORES, "--desired-passion", "0"], "reflect: desired_passion: 0 is out of range"),
        (["add", "-p", "Robin", "--passion", "5"], "reflect add: Missing option '--emotional'"),
        (["add", "-p", "Robin", "-c", "yearly", *SCORES], "reflect add: Invalid value for '--cadence'"),
        (["list", "--month", "2026-13"],
         "reflect list: Invalid value for '--month' / '-m': '2026-13' is not a month in the form YYYY-MM"),
        (["frobnicate"], "reflect: No such command 'frobnicate'"),
        (["history", "-p", "Nobody", "-d", "2026-10-01"], "reflect: "),
        (["import", "missing.csv"], "reflect: missing.csv: cannot read the file"),
        (["backup", "nowhere/"], "reflect: "),
        (["demo", "--end", "2026-13"], "reflect demo: Invalid value for '--end': '2026-13' is not a month"),
    ],
)
def test_every_error_is_one_line_and_a_non_zero_exit(cli, args, message):
    cli("init")
    r = cli(*args)
    assert r.returncode != 0
    line = one_line(r.stderr)
    assert line.startswith(message), line
    assert "Traceback" not in r.stderr


def test_a_bad_add_writes_nothing(cli, home):
    cli("add", "-p", "Robin", "-d", "2026-10-01", *SCORES)
    before = (home / "data" / "reflect.db").read_bytes()
    assert cli("add", "-p", "Robin", "-d", "2026-10-01", *SCORES[:-1], "11").returncode == 1
    with Store(home / "data" / "reflect.db") as s:
        assert s.version_count() == 1
    assert (home / "data" / "reflect.db").read_bytes() == before


def test_import_export_round_trip(cli, home, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        HEADER + "\n"
        "2026-09-01,Robin,,6,7,5,8,6,7,8,,9,,,,\"tired, but \"\"ok\"\"\nreally\"\n"
        "2026-10-01,Sam,weekly,6,7,5,8,6,7,,,,,,,\n",
        encoding="utf-8",
    )
    r = cli("import", str(src))
    assert r.returncode == 0, r
    assert r.stdout.strip() == f"Imported 2 check-ins from {src}: 2 new, 0 updated, 0 unchanged."
    r = cli("import", str(src))
    assert r.stdout.strip().endswith("0 new, 0 updated, 2 unchanged.")
    out = cli("export")
    assert out.returncode == 0
    assert out.stdout.splitlines()[0] == HEADER
    assert "2026-09-28,Sam,weekly" in out.stdout
    dest = tmp_path / "out.csv"
    r = cli("export", str(dest))
    assert r.returncode == 0
    assert dest.read_text(encoding="utf-8") == out.stdout
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    again = cli("export", str(dest))
    assert again.returncode == 1 and "already exists; use --force" in again.stderr
    assert cli("export", str(dest), "--force").returncode == 0
    # into a fresh store, then out again: the same bytes
    fresh = tmp_path / "fresh.db"
    assert cli("import", str(dest), "--db", str(fresh)).returncode == 0
    assert cli("export", "--db", str(fresh)).stdout == out.stdout


def test_a_bad_import_writes_nothing(cli, home, tmp_path):
    cli("add", "-p", "Robin", "-d", "2026-10-01", *SCORES)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n2026-08-01,Robin,,6,7,5,8,6,7,,,,,,,\n2026-09-01,Robin,,6,7,5,8,6,12,,,,,,,\n")
    r = cli("import", str(bad))
    assert r.returncode == 1
    assert one_line(r.stderr) == (
        f"reflect: {bad}, line 3, column spiritual: 12 is out of range: ratings go from 1 to 10; "
        "nothing was imported"
    )
    with Store(home / "data" / "reflect.db") as s:
        assert s.count() == 1 and s.version_count() == 1


def test_list_filters_and_hides_notes(cli):
    cli("add", "-p", "Robin", "-d", "2026-09-01", *SCORES, "--note", "private words")
    cli("add", "-p", "Sam", "-d", "2026-10-01", *SCORES)
    cli("add", "-p", "Sam", "-d", "2026-10-02", "-c", "daily", *SCORES)
    r = cli("list")
    assert r.returncode == 0
    assert len(r.stdout.strip().splitlines()) == 4
    assert "private words" not in r.stdout
    assert "private words" in cli("list", "--notes").stdout
    assert len(cli("list", "-p", "Sam").stdout.strip().splitlines()) == 3
    r = cli("list", "--month", "latest")
    assert r.stdout.splitlines()[0] == "Latest month with check-ins: 2026-10"
    assert "Robin" not in r.stdout
    assert len(cli("list", "-m", "2026-10", "-c", "daily").stdout.strip().splitlines()) == 2


def test_list_without_own_data_shows_the_demo_and_says_so(cli, home):
    r = cli("list", "--month", "latest")
    assert r.returncode == 0, r
    assert "showing the demo couple" in r.stderr
    assert "Robin" in r.stdout and "Sam" in r.stdout
    assert (home / "data" / "demo.db").exists()
    assert not (home / "data" / "reflect.db").exists()


def test_backup(cli, home, tmp_path):
    cli("add", "-p", "Robin", *SCORES)
    r = cli("backup", str(tmp_path / "copy.db"))
    assert r.returncode == 0, r
    assert Store(tmp_path / "copy.db").count() == 1
    r = cli("backup", str(tmp_path / "copy.db"))
    assert r.returncode == 1 and "already exists" in r.stderr


def test_demo_is_deterministic_and_stays_apart(cli, home, tmp_path):
    r = cli("demo", "--end", "2026-10")
    assert r.returncode == 0, r
    assert "2024-05 to 2026-10" in r.stdout
    a = cli("export", "--db", str(home / "data" / "demo.db")).stdout
    cli("demo", "--end", "2026-10", "--db", str(tmp_path / "other.db"))
    assert cli("export", "--db", str(tmp_path / "other.db")).stdout == a
    assert "0 check-ins added" in cli("demo", "--end", "2026-10").stdout
    # never into a store that holds someone's own check-ins
    cli("add", "-p", "Robin", *SCORES)
    r = cli("demo", "--db", str(home / "data" / "reflect.db"))
    assert r.returncode == 1 and "holds check-ins of your own" in r.stderr


def test_every_command_has_help(cli):
    from reflect.cli import cli as group

    for name in group.commands:
        r = cli(name, "--help")
        assert r.returncode == 0, name
        assert "Usage: reflect " + name in r.stdout
    assert cli("--version").stdout.startswith("reflect, version")


def test_summary_json_and_text(cli, home):
    cli("add", "-p", "Ana", "-d", "2026-09-01", *SCORES)
    cli("add", "-p", "Ana", "-d", "2026-10-01", "--passion", "9", *SCORES[2:], "--desired-physical", "9")
    r = cli("summary", "--format", "json")
    assert r.returncode == 0, r
    import json

    data = json.loads(r.stdout)
    assert data["month"] == "2026-10" and data["partners"] is None
    ana = data["people"]["Ana"]
    assert ana["scores"]["passion"] == 9.0 and ana["change"]["passion"] == 3.0
    assert ana["intimacy_index"] == 6.6 and ana["balance"] == "high_passion_low_intimacy"
    assert ana["unmet_needs"] == ["physical"]
    text = cli("summary", "-m", "2026-09")
    assert text.returncode == 0 and text.stdout.startswith("September 2026")


@pytest.mark.parametrize("month, message, code", [
    ("2026-08", "reflect: there are no check-ins in 2026-08", 1),
    ("2026-13", "reflect summary: Invalid value for '--month' / '-m': '2026-13' is not a month in the form YYYY-MM", 2),
])
def test_summary_errors(cli, month, message, code):
    cli("add", "-p", "Ana", "-d", "2026-09-01", *SCORES)
    r = cli("summary", "--month", month)
    assert r.returncode == code
    assert one_line(r.stderr).startswith(message)


def test_a_future_period_is_refused(cli):
    r = cli("add", "-p", "Robin", "-d", "2099-05-05", *SCORES)
    assert r.returncode == 1
    assert one_line(r.stderr) == "reflect: date: 2099-05-01 is in the future; a check-in is for a period that has begun"
    r = cli("ritual", "add", "hug", "-d", "2099-01-01")
    assert r.returncode == 1 and "is in the future" in r.stderr


def test_an_empty_date_is_not_today(cli):
    r = cli("add", "-p", "Robin", "-d", "", *SCORES)
    assert r.returncode == 1 and one_line(r.stderr) == "reflect: date: a date is required (YYYY-MM-DD)"


def test_export_into_a_missing_folder_is_a_clear_error(cli, tmp_path):
    cli("add", "-p", "Robin", *SCORES)
    for args in (["export"], ["ritual", "export"]):
        r = cli(*args, str(tmp_path / "nowhere" / "out.csv"))
        assert r.returncode == 1
        line = one_line(r.stderr)
        target = tmp_path / "nowhere" / "out.csv"
        assert line == f"reflect: {target}: cannot write the file (No such file or directory); nothing was written"


def test_taking_back_a_ritual_that_was_never_logged(cli):
    r = cli("ritual", "add", "keepsake", "--undo", "-d", "2026-01-01")
    assert r.returncode == 1
    assert one_line(r.stderr) == "reflect: nothing to take back: no keepsake was logged on 2026-01-01 (together)"
    cli("ritual", "add", "keepsake", "-d", "2026-01-01")
    assert cli("ritual", "add", "keepsake", "--undo", "-d", "2026-01-01").stdout.startswith("Took back")
    again = cli("ritual", "add", "keepsake", "--undo", "-d", "2026-01-01")
    assert again.stdout.strip().endswith("was already taken back.")
