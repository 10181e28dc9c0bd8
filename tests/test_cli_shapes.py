"""The command line as a house: the shapes the subjects share (reflect/cli/shapes.py), proved on a
subject made up here and run through the kit's own error handling (``reflect.cli.common.run``), and
the package itself (``python -m reflect.cli`` is the ``reflect`` command).

What the real subjects say through these shapes is tested as a user runs them in test_cli.py,
test_rituals.py, test_practices_cli.py and test_hardening.py."""

from __future__ import annotations

import stat
import subprocess
import sys

import click
import pytest

from reflect.cli.common import as_option, run
from reflect.cli.shapes import echo_versions, export_command, import_command, saved_words
from reflect.storage.store import Store

from .helpers import REFLECT_BIN, ROOT


def say(group: click.Group, *args: str, capsys) -> tuple[int, str, str]:
    """Run ``reflect <group> ARGS`` in this process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as done:
        run(group, list(args))
    out, err = capsys.readouterr()
    return done.value.code, out, err


@pytest.fixture
def subject(db_path):
    """A made-up subject (``reflect thing``) with an export, an import and a history, and what each was given."""
    Store(db_path).close()
    seen: dict[str, object] = {}

    @click.group()
    def thing() -> None:
        """Things."""

    def check(as_person, passphrase_file):
        seen["check"] = as_person

    @export_command(thing, "things", options=[as_option], check=check)
    def thing_export(store, cells, as_person, passphrase_file) -> str:
        """Write the things as CSV to FILE.

        Second paragraph."""
        seen.update(store=store, as_person=as_person, asked=seen.get("check"))
        return "a,b\n" + ",".join(cells(["=1+1", "2"])) + "\n"

    @import_command(thing)
    def thing_import(file, db, sign_in) -> str:
        """Import things."""
        seen.update(file=file, sign_in=sign_in)
        return f"Imported {file}."

    @import_command(click.Group("elsewhere"), signs_in=False)
    def thing_load(file, db, sign_in) -> str:
        """Import things nobody wrote."""
        seen.update(sign_in=sign_in)
        return "Loaded."

    thing.add_command(thing_load, "load")

    @thing.command("history")
    def thing_history() -> None:
        echo_versions([("2026-10-04T20:15:03.123+00:00", "cli", "one"), ("2026-10-05T08:00:00+00:00", None, "two")],
                      "no thing", lambda item: f"  {item}")

    @thing.command("none")
    def thing_none() -> None:
        echo_versions([], "no thing on 2026-10-09", str)

    return thing, seen


def test_an_export_is_written_owner_only_never_over_a_file_and_checks_first(subject, db_path, tmp_path, capsys):
    thing, seen = subject
    target = tmp_path / "things.csv"
    code, out, err = say(thing, "export", str(target), "--as", "Robin", "--db", str(db_path), capsys=capsys)
    assert (code, out) == (0, "")
    assert err == (f"Exported 1 things to {target}.\nreflect: warning: 1 cell start with = + - @, a tab or a carriage "
                   "return, which a spreadsheet may run as a formula; to open the file in a spreadsheet, export with "
                   "--safe-for-spreadsheets.\n")
    assert target.read_text() == "a,b\n=1+1,2\n" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert seen["as_person"] == "Robin" and seen["asked"] == "Robin" and isinstance(seen["store"], Store)

    code, out, err = say(thing, "export", str(target), "--safe-for-spreadsheets", "--db", str(db_path), capsys=capsys)
    assert (code, err) == (1, f"reflect: {target} already exists; use --force to replace it\n")
    assert target.read_text() == "a,b\n=1+1,2\n"  # untouched
    code, out, err = say(thing, "export", "-", "--safe-for-spreadsheets", "--db", str(db_path), capsys=capsys)
    assert (code, out) == (0, "a,b\n'=1+1,2\n") and "made plain text for spreadsheets" in err


def test_an_exports_check_comes_before_anything_else(subject, db_path, tmp_path, capsys):
    thing, seen = subject
    target = tmp_path / "here.csv"
    target.write_text("mine")

    def check() -> None:
        raise click.UsageError("give --as NAME")

    @export_command(thing, "things", check=check)
    def thing_export(store, cells) -> str:  # pragma: no cover - never reached
        raise AssertionError

    code, out, err = say(thing, "export", str(target), "--db", str(db_path), capsys=capsys)
    assert (code, err) == (2, "reflect export: give --as NAME (see `reflect export --help`)\n")
    assert target.read_text() == "mine"


def test_the_shapes_options_and_help_are_the_subjects(subject, capsys):
    thing, _ = subject
    export = thing.commands["export"]
    assert [p.name for p in export.params] == ["file", "force", "safe", "as_person", "passphrase_file", "db"]
    assert [p.name for p in thing.commands["import"].params] == ["file", "passphrases_for", "db"]
    assert [p.name for p in thing.commands["load"].params] == ["file", "db"]
    code, out, _ = say(thing, "export", "--help", capsys=capsys)
    assert code == 0 and "Write the things as CSV to FILE.\n\n  Second paragraph." in out
    assert "Import things." in thing.commands["import"].get_help(click.Context(thing.commands["import"]))


def test_an_import_hands_the_sign_in_over_only_where_people_sign_in(subject, db_path, capsys):
    thing, seen = subject
    code, out, _ = say(thing, "import", "in.csv", "--passphrase-for", "Robin", "r.txt", "--db", str(db_path),
                       capsys=capsys)
    assert (code, out, seen["file"]) == (0, "Imported in.csv.\n", "in.csv") and callable(seen["sign_in"])
    code, out, _ = say(thing, "load", "in.csv", capsys=capsys)
    assert (code, out, seen["sign_in"]) == (0, "Loaded.\n", None)


def test_a_history_says_each_version_and_nothing_is_one_line(subject, capsys):
    thing, _ = subject
    assert say(thing, "history", capsys=capsys) == (0, "v1  saved 2026-10-04 20:15:03 UTC  via cli  one\n"
                                                       "v2  saved 2026-10-05 08:00:00 UTC  via ?  two\n", "")
    assert say(thing, "none", capsys=capsys) == (1, "", "reflect: no thing on 2026-10-09\n")
    assert saved_words(3, "2026-10-04T20:15:03", "form") == "v3  saved 2026-10-04 20:15:03 UTC  via form"


def test_python_m_reflect_cli_is_the_reflect_command(home):
    by_name = subprocess.run([str(REFLECT_BIN), "--help"], capture_output=True, text=True, cwd=ROOT)
    as_module = subprocess.run([sys.executable, "-m", "reflect.cli", "--help"], capture_output=True, text=True,
                               cwd=ROOT)
    assert by_name.returncode == as_module.returncode == 0
    assert as_module.stdout == by_name.stdout and "Commands:" in by_name.stdout
