"""The command line with people who have passphrases, run as a user runs it (and as the partner)."""

from __future__ import annotations

import os
import sys

import pytest

from reflect.storage.store import Store

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


# -- reflect person passphrase: choose, change with the old one, reset with --as ---------------------


def _new_passphrase_file(tmp_path, words="a brand new phrase"):
    path = tmp_path / "new.pass"
    path.write_text(words + "\n")
    path.chmod(0o600)
    return str(path)


def test_person_passphrase_chosen_later_seals_the_earlier_notes(cli, home, passphrase_files, last_month):
    db = home / "data" / "reflect.db"
    assert cli("add", "-p", "Robin", "-d", last_month, *SCORES, "--note", SECRET).returncode == 0
    assert SECRET.encode() in store_bytes(db)  # no passphrase yet: the note is kept as typed
    r = cli("person", "passphrase", "Robin", "--passphrase-file", passphrase_files["Robin"])
    assert r.returncode == 0, r
    assert r.stdout == ("Robin now has a passphrase; Robin's earlier notes are sealed with it. Copies made before now "
                        "(backups, exports) still hold them as they were.\n")
    assert SECRET.encode() not in store_bytes(db)
    people = cli("person", "list").stdout
    assert people.startswith("Robin                passphrase\n") and "Robin chose a passphrase" in people
    r = cli("list", "--notes")
    assert r.returncode == 0 and "Robin" in r.stdout and SECRET not in r.stdout
    r = cli("list", "--notes", "--as", "Robin", "--passphrase-file", passphrase_files["Robin"])
    assert r.returncode == 0 and SECRET in r.stdout
    with Store(db) as store:
        assert store.is_protected("Robin")
        assert [e.event for e in store.people_events("Robin")] == ["passphrase-set"]


def test_person_passphrase_changed_with_the_old_one_keeps_every_note(couple_cli, cli, passphrase_files, home,
                                                                     last_month, tmp_path):
    db, new = home / "data" / "reflect.db", _new_passphrase_file(tmp_path)
    r = cli("add", "-p", "Robin", "-d", last_month, *SCORES, "--note", SECRET,
            "--passphrase-file", passphrase_files["Robin"])
    assert r.returncode == 0, r
    r = cli("person", "passphrase", "Robin", "--old-passphrase-file", passphrase_files["Wrong"],
            "--passphrase-file", new)
    assert r.returncode == 1 and r.stderr == "reflect: that is not Robin's passphrase\n" and r.stdout == "", r
    with Store(db) as store:  # nothing changed
        assert [e.event for e in store.people_events("Robin")] == ["passphrase-set"]
    r = cli("person", "passphrase", "Robin", "--old-passphrase-file", passphrase_files["Robin"],
            "--passphrase-file", new)
    assert r.returncode == 0 and r.stdout == "Changed Robin's passphrase; every note stays readable.\n", r
    r = cli("list", "--notes", "--as", "Robin", "--passphrase-file", passphrase_files["Robin"])
    assert r.returncode == 1 and "that is not Robin's passphrase" in r.stderr and SECRET not in r.stdout
    r = cli("list", "--notes", "--as", "Robin", "--passphrase-file", new)
    assert r.returncode == 0 and SECRET in r.stdout
    assert "Robin changed their passphrase" in cli("person", "list").stdout
    assert cli("list", "--as", "Sam", "--passphrase-file", passphrase_files["Sam"]).returncode == 0  # Sam's stays
    assert SECRET.encode() not in store_bytes(db)
    with Store(db) as store:
        assert [e.event for e in store.people_events("Robin")] == ["passphrase-set", "passphrase-changed"]
        store.sign_in("Robin", "a brand new phrase")
        assert store.get("Robin", last_month).note == SECRET


def test_person_passphrase_reset_with_as_is_recorded_and_opens_nothing_saved_before(couple_cli, cli, passphrase_files,
                                                                                    home, last_month, tmp_path):
    db, new = home / "data" / "reflect.db", _new_passphrase_file(tmp_path)
    r = cli("add", "-p", "Robin", "-d", last_month, *SCORES, "--note", SECRET,
            "--passphrase-file", passphrase_files["Robin"])
    assert r.returncode == 0, r
    reset = ["person", "passphrase", "Robin", "--reset", "--passphrase-file", new]
    r = cli(*reset, "--as", "Robin", "--as-passphrase-file", passphrase_files["Robin"])
    assert r.returncode == 2 and "--as names who resets Robin's passphrase: someone other than Robin" in r.stderr, r
    r = cli(*reset, "--as", "Sam", "--as-passphrase-file", passphrase_files["Wrong"])
    assert r.returncode == 1 and r.stderr == "reflect: that is not Sam's passphrase\n", r
    with Store(db) as store:  # refused twice: nothing changed
        assert [e.event for e in store.people_events("Robin")] == ["passphrase-set"]
    r = cli(*reset, "--as", "Sam", "--as-passphrase-file", passphrase_files["Sam"])
    assert r.returncode == 0, r
    assert r.stdout == ("Reset Robin's passphrase. What was saved before stays sealed; the reset is recorded, "
                        "and Robin is told at their next sign-in.\n")
    assert ("Robin reset a forgotten passphrase (notes written before stay sealed) (while Sam was signed in)"
            in cli("person", "list").stdout)
    r = cli("list", "--notes", "--as", "Robin", "--passphrase-file", new)  # the scores stay, the note never opens
    assert r.returncode == 0 and "Robin" in r.stdout and SECRET not in r.stdout, r
    assert "Robin, your passphrase was reset on" in r.stderr and "while Sam was signed in" in r.stderr  # told
    r = cli("list", "--notes", "--as", "Robin", "--passphrase-file", passphrase_files["Robin"])
    assert r.returncode == 1 and "it opens nothing now" in r.stderr and SECRET not in r.stdout, r
    assert SECRET.encode() not in store_bytes(db)
    with Store(db) as store:
        events = store.people_events("Robin")
        assert [e.event for e in events] == ["passphrase-set", "passphrase-reset"] and events[-1].by == "Sam"
        store.sign_in("Robin", "a brand new phrase")
        kept = store.get("Robin", last_month)
        assert kept.scores["passion"] == 6 and kept.note is None


def test_person_passphrase_for_no_one_is_a_usage_error(couple_cli, cli, passphrase_files):
    r = cli("person", "passphrase", "Alex", "--passphrase-file", passphrase_files["Robin"])
    assert r.returncode == 2 and "there is no one called Alex in this store" in r.stderr and r.stdout == "", r
