"""The command line with people who have passphrases, run as a user runs it (and as the partner)."""

from __future__ import annotations

import os
import sys

import pytest

from .helpers import REFLECT_BIN, store_bytes

SECRET = "what I could not say at dinner"
SCORES = ["--passion", "6", "--emotional", "7", "--physical", "5", "--intellectual", "8",
          "--experiential", "6", "--spiritual", "7"]


@pytest.fixture
def last_month(calendar):
    """The first day of last month (a period that is over), from the date read once for the test."""
    return calendar.first_of_last_month.isoformat()


def test_person_add_and_list(couple_cli, cli, tmp_path):
    r = cli("person", "add", "Alex", "--no-passphrase", "--db", str(tmp_path / "alone.db"))
    assert r.returncode == 0 and "anyone using the kit" in r.stdout
    alone = cli("person", "list", "--db", str(tmp_path / "alone.db")).stdout
    assert "Alex                 no passphrase (chosen)" in alone
    r = cli("person", "list")
    assert "Robin                passphrase" in r.stdout
    assert "Robin chose a passphrase" in r.stdout


def test_add_for_a_protected_person_needs_their_passphrase(last_month, couple_cli, cli, passphrase_files):
    r = cli("add", "-p", "Robin", "-d", last_month, *SCORES, "--note", SECRET)
    assert r.returncode == 1 and "--passphrase-file" in r.stderr and r.stderr.count("\n") == 1
    r = cli("add", "-p", "Robin", "-d", last_month, *SCORES, "--passphrase-file", passphrase_files["Wrong"])
    assert r.returncode == 1 and "not Robin's passphrase" in r.stderr
    r = cli("list")
    assert "No check-ins" in r.stderr or "Robin" not in r.stdout
    r = cli("add", "-p", "Robin", "-d", last_month, *SCORES, "--note", SECRET,
            "--passphrase-file", passphrase_files["Robin"])
    assert r.returncode == 0 and "Saved Robin's monthly check-in" in r.stdout


def test_a_passphrase_on_standard_input(last_month, couple_cli, cli):
    r = cli("add", "-p", "Sam", "-d", last_month, *SCORES, "--passphrase-file", "-", input="sam's own words\n")
    assert r.returncode == 0, r


def test_a_passphrase_file_others_can_read_is_refused(last_month, couple_cli, cli, passphrase_files):
    os.chmod(passphrase_files["Robin"], 0o644)
    r = cli("add", "-p", "Robin", "-d", last_month, *SCORES, "--passphrase-file", passphrase_files["Robin"])
    assert r.returncode == 1 and "can be read by others" in r.stderr


def test_notes_are_shown_only_to_their_writer(last_month, couple_cli, cli, passphrase_files):
    cli("add", "-p", "Robin", "-d", last_month, *SCORES, "--note", SECRET,
        "--passphrase-file", passphrase_files["Robin"])
    assert SECRET not in cli("list", "--notes").stdout
    assert SECRET not in cli("list", "--notes", "--as", "Sam", "--passphrase-file", passphrase_files["Sam"]).stdout
    r = cli("list", "--notes", "--as", "Robin", "--passphrase-file", passphrase_files["Robin"])
    assert SECRET in r.stdout
    r = cli("history", "-p", "Robin", "-d", last_month, "--notes")
    assert r.returncode == 1 and SECRET not in r.stdout
    r = cli("history", "-p", "Robin", "-d", last_month, "--notes", "--passphrase-file", passphrase_files["Robin"])
    assert SECRET in r.stdout


def test_export_leaves_out_the_notes_of_who_did_not_sign_in_and_says_so(last_month, couple_cli, cli, passphrase_files):
    cli("add", "-p", "Robin", "-d", last_month, *SCORES, "--note", SECRET,
        "--passphrase-file", passphrase_files["Robin"])
    r = cli("export")
    assert r.returncode == 0 and SECRET not in r.stdout and "Robin" in r.stdout
    assert "Left out the notes of Robin, Sam (not signed in)" in r.stderr
    r = cli("export", "--passphrase-for", "Robin", passphrase_files["Robin"])
    assert SECRET in r.stdout and "Left out the notes of Sam" in r.stderr


def test_import_for_protected_people_asks_each_one(last_month, couple_cli, cli, passphrase_files, home):
    csv = home / "in.csv"
    desired = ",".join(f"desired_{k}" for k in ("passion", "emotional", "physical", "intellectual",
                                                 "experiential", "spiritual"))
    csv.write_text(f"date,person,cadence,passion,emotional,physical,intellectual,experiential,spiritual,{desired},note\n"
                   f"{last_month},Robin,monthly,6,7,5,8,6,7,,,,,,,{SECRET}\n"
                   f"{last_month},Sam,monthly,6,7,5,8,6,7,,,,,,,\n")
    r = cli("import", str(csv), "--passphrase-for", "Robin", passphrase_files["Robin"])
    assert r.returncode == 1 and "Sam has a passphrase" in r.stderr
    assert "Robin" not in cli("export", "--passphrase-for", "Robin", passphrase_files["Robin"]).stdout
    r = cli("import", str(csv), "--passphrase-for", "Robin", passphrase_files["Robin"], "--passphrase-for", "Sam",
            passphrase_files["Sam"])
    assert r.returncode == 0 and "2 new" in r.stdout
    assert SECRET.encode() not in store_bytes(home / "data" / "reflect.db")


def test_without_protection_export_import_export_is_unchanged(last_month, cli, home):
    cli("add", "-p", "Robin", "-d", last_month, *SCORES, "--note", "plain, as ever")
    first = cli("export").stdout
    assert "plain, as ever" in first
    (home / "x.csv").write_text(first)
    cli("import", str(home / "x.csv"), "--db", str(home / "other.db"))
    assert cli("export", "--db", str(home / "other.db")).stdout == first


def test_the_hidden_prompt_on_a_terminal(last_month):
    pexpect = pytest.importorskip("pexpect")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "REFLECT_DB": os.path.join(tmp, "us.db"), "REFLECT_HOME": tmp}
        child = pexpect.spawn(str(REFLECT_BIN), ["person", "add", "Robin"], env=env, encoding="utf-8", timeout=60)
        child.expect("Choose a passphrase for Robin")
        child.sendline("short")
        child.expect("at least 6")
        child.expect("Choose a passphrase for Robin")
        child.sendline("robin's words")
        child.expect("Type it again")
        child.sendline("robin's words")
        child.expect("Added Robin")
        child.expect(pexpect.EOF)
        assert "robin's words" not in child.before
        child = pexpect.spawn(str(REFLECT_BIN), ["add", "-p", "Robin", "-d", last_month, *SCORES], env=env,
                              encoding="utf-8", timeout=60)
        child.expect("Robin's passphrase")
        child.sendline("a wrong one")
        child.expect("not Robin's passphrase")
        child.expect("Robin's passphrase")
        child.sendline("robin's words")
        child.expect("Saved Robin's monthly check-in")
        child.expect(pexpect.EOF)
        seen = child.before
        child.close()
        assert child.exitstatus == 0 and "robin's words" not in seen


@pytest.mark.slow
def test_a_report_with_notes_includes_only_those_who_signed_in(last_month, couple_cli, cli, passphrase_files, home,
                                                               private_tmpdir):
    cli("add", "-p", "Robin", "-d", last_month, *SCORES, "--note", SECRET,
        "--passphrase-file", passphrase_files["Robin"])
    cli("add", "-p", "Sam", "-d", last_month, *SCORES, "--note", "Sam's words here", "--passphrase-file",
        passphrase_files["Sam"])
    month = last_month[:7]
    r = cli("report", "--month", month, "--out", str(home / "r1"))
    assert r.returncode == 0, r
    page = (home / "r1" / f"{month}.html").read_text()
    assert SECRET not in page and "Sam's words" not in page
    r = cli("report", "--month", month, "--include-notes", "--out", str(home / "r2"),
            "--passphrase-for", "Robin", passphrase_files["Robin"])
    assert r.returncode == 0, r
    page = (home / "r2" / f"{month}.html").read_text()
    assert SECRET in page and "Sam&#x27;s words" not in page and "Sam's words" not in page
    assert "The notes of Sam are left out" in page
    executed = (home / "r2" / f"{month}.ipynb").read_text()
    assert "robin's words" not in executed  # the passphrase never reaches the notebook
    leftovers = [p for p in os.listdir(private_tmpdir) if p.startswith("reflect-notes-")]  # the tests' own TMPDIR
    assert leftovers == [] or sys.platform != "linux"


@pytest.mark.slow
def test_a_wrong_passphrase_for_a_report_with_notes_stops_it(last_month, couple_cli, cli, passphrase_files, home):
    cli("add", "-p", "Robin", "-d", last_month, *SCORES, "--note", SECRET,
        "--passphrase-file", passphrase_files["Robin"])
    r = cli("report", "--month", last_month[:7], "--include-notes", "--out", str(home / "r"),
            "--passphrase-for", "Robin", passphrase_files["Wrong"])
    assert r.returncode == 1 and "not Robin's passphrase" in r.stderr
    assert not (home / "r").exists() or not any((home / "r").iterdir())  # nothing made without Robin's say


def test_sealed_check_ins_are_said_to_be_sealed_not_missing(couple_cli, cli, passphrase_files, calendar):
    """Robin saves this month on the phone; Sam has not answered: the views have nothing to show
    yet, and say why instead of "no check-ins" (which reads as if the save was lost)."""
    this_month = calendar.first_of_this_month.isoformat()  # not over for the whole test (see calendar)
    r = cli("add", "-p", "Robin", "-d", this_month, *SCORES, "--passphrase-file", passphrase_files["Robin"])
    assert r.returncode == 0, r
    sealed = "1 check-in is saved but sealed until everyone has answered for that period, or the period is over"
    r = cli("report")
    assert r.returncode == 1 and "no check-ins to show yet" in r.stderr and sealed in r.stderr, r
    r = cli("summary")  # nothing is missing: it says only what is sealed
    assert r.returncode == 0 and r.stdout == "" and r.stderr == sealed + ".\n", r
    r = cli("list")
    assert sealed in r.stderr and "Robin" not in r.stdout, r
    r = cli("list", "--as", "Robin", "--passphrase-file", passphrase_files["Robin"])  # Robin sees Robin's own
    assert r.returncode == 0 and "Robin" in r.stdout and "sealed" not in r.stderr, r
