"""`reflect question`, run as a person runs it: the week's question, answers sealed until both have
answered, the quiet deeper / slower choice, and CSV out and in (all or none), with the exit codes."""

from __future__ import annotations

import datetime as dt

import pytest

from reflect.domain.questions import bank, week_of
from reflect.storage.store import Store

from .helpers import store_bytes

ROBINS = "The night we walked home from the station in the snow"
SAMS = "Your laugh on the ferry,\nsoaked through"


@pytest.fixture
def db(couple_cli, home):
    return home / "data" / "reflect.db"


def test_a_week_answered_by_both_on_the_command_line(couple_cli, passphrase_files, db, calendar):
    cli, files = couple_cli, passphrase_files
    shown = cli("question")
    assert shown.returncode == 0, shown
    asked = bank().for_week(calendar.today, "light")
    assert asked.text in shown.stdout and "light questions" in shown.stdout

    said = cli("question", "answer", ROBINS, "-p", "Robin", "--passphrase-file", files["Robin"])
    assert said.returncode == 0, said
    assert said.stdout.startswith("Saved Robin's answer for the week of") and "Sam sees it once" in said.stderr
    # Sam, signed in, sees that Robin answered, not what
    before = cli("question", "show", "--as", "Sam", "--passphrase-file", files["Sam"])
    assert before.returncode == 0, before
    assert "Robin: has answered; you'll see it once you have given yours." in before.stdout
    assert ROBINS not in before.stdout + before.stderr
    assert "Answered so far: Robin." in cli("question").stdout
    # Sam answers through standard input (two lines), then both see both
    piped = cli("question", "answer", "-p", "Sam", "--passphrase-file", files["Sam"], input=SAMS + "\n")
    assert piped.returncode == 0, piped
    after = cli("question", "show", "--as", "Robin", "--passphrase-file", files["Robin"])
    assert f"Robin: {ROBINS}" in after.stdout and f"Sam: {SAMS}" in after.stdout
    assert ROBINS.encode() not in store_bytes(db) and b"ferry" not in store_bytes(db)
    # a changed answer keeps the earlier one
    cli("question", "answer", "Changed my mind", "-p", "Robin", "--passphrase-file", files["Robin"])
    history = cli("question", "history", "-p", "Robin", "--passphrase-file", files["Robin"])
    assert history.returncode == 0 and ROBINS in history.stdout and "Changed my mind" in history.stdout


def test_nobody_reads_without_signing_in(couple_cli, passphrase_files, db):
    cli, files = couple_cli, passphrase_files
    assert cli("question", "answer", ROBINS, "-p", "Robin", "--passphrase-file", files["Robin"]).returncode == 0
    nobody = cli("question", "show")
    assert nobody.returncode == 2 and "give --as NAME" in nobody.stderr
    stranger = cli("question", "show", "--as", "Alex")
    assert stranger.returncode == 2 and "no one called Alex" in stranger.stderr
    no_words = cli("question", "show", "--as", "Sam")  # not a terminal, no passphrase file
    assert no_words.returncode == 1 and "Sam has a passphrase" in no_words.stderr
    wrong = cli("question", "show", "--as", "Sam", "--passphrase-file", files["Wrong"])
    assert wrong.returncode == 1 and "not Sam's passphrase" in wrong.stderr
    acting = cli("question", "answer", "Sam's words, typed by someone else", "-p", "Sam")
    assert acting.returncode == 1 and acting.stderr.count("\n") == 1
    for r in (nobody, stranger, no_words, wrong, acting):
        assert ROBINS not in r.stdout + r.stderr
    with Store(db) as store:
        assert [a.person for a in store.question_answers()] == ["Robin"]


def test_deeper_needs_both_and_slower_names_nobody(couple_cli, passphrase_files, db):
    cli, files = couple_cli, passphrase_files
    robin = ("-p", "Robin", "--passphrase-file", files["Robin"])
    sam = ("-p", "Sam", "--passphrase-file", files["Sam"])
    assert "Noted, privately" in cli("question", "deeper", *robin).stdout
    with Store(db) as store:
        assert store.question_depth() == "light"
    assert "You are both ready" in cli("question", "deeper", *sam).stdout
    with Store(db) as store:
        assert store.question_depth() == "deeper"
    slowed = cli("question", "slower", *sam)
    assert slowed.returncode == 0 and "Nobody is told who asked" in slowed.stdout
    shown = cli("question")
    assert "Sam" not in shown.stdout + shown.stderr and "slow" not in shown.stdout.lower()
    with Store(db) as store:
        assert store.question_depth() == "light"


def test_export_and_import_round_trip_and_bad_files_change_nothing(couple_cli, passphrase_files, db, tmp_path,
                                                                  calendar):
    cli, files = couple_cli, passphrase_files
    last_week = (week_of(calendar.today) - dt.timedelta(days=7)).isoformat()
    cli("question", "answer", ROBINS, "-p", "Robin", "--passphrase-file", files["Robin"])
    cli("question", "answer", "A week before", "-p", "Robin", "--week", last_week, "--passphrase-file", files["Robin"])
    cli("question", "answer", "-p", "Sam", "--passphrase-file", files["Sam"], input=SAMS)
    both = ("--passphrase-for", "Robin", files["Robin"], "--passphrase-for", "Sam", files["Sam"])
    out = cli("question", "export", *both)
    assert out.returncode == 0, out
    assert out.stdout.count("\n") == 5 and out.stdout.startswith("week,person,question,answer\n")  # SAMS: 2 lines
    only_robin = cli("question", "export", "--passphrase-for", "Robin", files["Robin"])
    assert "Left out the answers of Sam" in only_robin.stderr and "ferry" not in only_robin.stdout

    csv_file = tmp_path / "answers.csv"
    csv_file.write_text(out.stdout, encoding="utf-8")
    other = tmp_path / "other.db"
    for name in ("Robin", "Sam"):
        assert cli("person", "add", name, "--passphrase-file", files[name], "--db", str(other)).returncode == 0
    imported = cli("question", "import", str(csv_file), "--db", str(other), *both)
    assert imported.returncode == 0 and "Imported 3 answers" in imported.stdout, imported
    again = cli("question", "export", "--db", str(other), *both)
    assert again.stdout == out.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text(out.stdout + f"{last_week},Sam,no-such-question,Hello\n", encoding="utf-8")
    before = store_bytes(other)
    refused = cli("question", "import", str(bad), "--db", str(other), *both)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert f"{bad}, line 6, column question" in refused.stderr and "nothing was imported" in refused.stderr
    assert store_bytes(other) == before
