"""The practices on the command line, run as a user runs it, and as the partner would try to read
what is not theirs: `--as`, exports, history, error messages, `report --include-notes`, the raw file."""

from __future__ import annotations

import stat
import subprocess

import pytest

from reflect.domain.months import add_months
from reflect.storage.store import Store

from .helpers import REFLECT_BIN, store_bytes

SCORES = ["--passion", "6", "--emotional", "7", "--physical", "5", "--intellectual", "8",
          "--experiential", "6", "--spiritual", "7"]
#: Robin's "no", on an item of the couple's own: it must never reach Sam, in any output.
ROBINS_NO = "Karaoke night with friends"
ROBINS_WORDS = "I was unfair about your sister"


@pytest.fixture
def couple_with_practices(couple_cli, passphrase_files, home, calendar):
    """Robin and Sam with passphrases (couple_cli), last month's check-ins, lists and a private
    repair of Robin's; the store's path."""
    cli, secrets, last_month = couple_cli, passphrase_files, calendar.first_of_last_month.isoformat()
    for name in ("Robin", "Sam"):
        r = cli("add", "-p", name, "-d", last_month, *SCORES, "--passphrase-file", secrets[name])
        assert r.returncode == 0, r
    assert cli("consent", "add-item", ROBINS_NO).returncode == 0
    for name, answers in (("Robin", {ROBINS_NO: "no", "A weekend away, just the two of us": "yes",
                                     "Hugs in public": "not-now"}),
                          ("Sam", {ROBINS_NO: "yes", "A weekend away, just the two of us": "yes",
                                   "Hugs in public": "yes"})):
        for item, answer in answers.items():
            r = cli("consent", "answer", item, answer, "--as", name, "--passphrase-file", secrets[name])
            assert r.returncode == 0, r
    r = cli("repair", "add", "-p", "Robin", "-t", "your sister", "--own", ROBINS_WORDS, "-d", last_month,
            "--passphrase-file", secrets["Robin"])
    assert r.returncode == 0 and "Repairing is a strength" in r.stdout, r
    return home / "data" / "reflect.db"


def everything_sam_can_run(cli, secrets, tmp_path, last_month):
    """Every output Sam can get with Sam's own passphrase (and guessing at Robin's)."""
    sam = ["--passphrase-file", secrets["Sam"]]
    runs = [
        cli("consent", "shared", "--as", "Sam", *sam),
        cli("consent", "list", "--as", "Sam", *sam),
        cli("consent", "history", "--as", "Sam", *sam),
        cli("consent", "export", "-", "--as", "Sam", *sam),
        cli("consent", "items"),
        cli("consent", "list", "--as", "Robin", *sam),                   # Sam's passphrase at Robin's name
        cli("consent", "list", "--as", "Robin", "--passphrase-file", secrets["Wrong"]),
        cli("consent", "history", "--as", "Robin"),                      # no terminal, no passphrase
        cli("consent", "export", "-", "--as", "Robin"),
        cli("consent", "shared", "--as", "Robin"),
        cli("consent", "answer", ROBINS_NO, "maybe", "--as", "Sam", *sam),
        cli("repair", "list", "--as", "Sam", *sam),
        cli("repair", "list"),
        cli("repair", "topics", "--as", "Sam", *sam),
        cli("repair", "history", "-p", "Robin", "-d", last_month, *sam),
        cli("repair", "export", "-", "--passphrase-for", "Sam", secrets["Sam"]),
        cli("list", "--as", "Sam", "--notes", *sam),
        cli("export", "-", "--passphrase-for", "Sam", secrets["Sam"]),
    ]
    out = tmp_path / "sam-report"
    runs.append(cli("report", "--include-notes", "--passphrase-for", "Sam", secrets["Sam"], "--out", str(out)))
    reports = "".join(p.read_text() for p in out.glob("*.html")) if out.exists() else ""
    return runs, reports


def test_a_no_and_private_words_never_reach_the_partner(couple_with_practices, cli, passphrase_files, tmp_path,
                                                        calendar):
    runs, report = everything_sam_can_run(cli, passphrase_files, tmp_path, calendar.first_of_last_month.isoformat())
    for r in runs:
        assert ROBINS_WORDS not in r.stdout + r.stderr, r
    for r in [runs[0], *runs[5:]]:  # nothing but Sam's own list and the items may even name the item
        assert ROBINS_NO not in r.stdout + r.stderr, r
    for r in runs[1:5]:  # Sam's own list, history and export, and the items: Sam said yes; no "no" anywhere
        text = r.stdout + r.stderr
        assert ROBINS_NO in text and f"{ROBINS_NO}: no" not in text and f"{ROBINS_NO},no" not in text
        assert "(red: pause)" not in text
    # the item itself is the couple's (Sam sees it in the items and in Sam's own list), never Robin's answer
    shared = runs[0].stdout
    assert shared.startswith("What you and Robin both said yes to: A weekend away, just the two of us.")
    assert ROBINS_NO not in shared and "Hugs" not in shared  # Robin's "not now" is Robin's to show
    assert all(r.returncode != 0 for r in runs[5:11]), [r for r in runs[5:11] if r.returncode == 0]
    assert "not Robin's passphrase" in runs[5].stderr and "not Robin's passphrase" in runs[6].stderr
    assert "this is not an answer; use yes, not now or no" in runs[10].stderr
    assert "your sister" not in runs[11].stdout and "private to its writer" in runs[11].stdout
    assert "Left out the repairs of Robin" in runs[15].stderr
    # the report Sam made with notes: what both said yes to, nothing else of Robin's list
    assert report and "A weekend away, just the two of us" in report and ROBINS_NO not in report
    assert ROBINS_WORDS not in report and "your sister" not in report
    assert "What Robin and Sam both said yes to" in report


def test_not_now_shows_only_when_both_choose(couple_with_practices, cli, passphrase_files):
    secrets = passphrase_files
    robin, sam = ["--as", "Robin", "--passphrase-file", secrets["Robin"]], ["--as", "Sam", "--passphrase-file",
                                                                             secrets["Sam"]]
    assert cli("consent", "show-not-now", *robin).returncode == 0
    assert "Not now" not in cli("consent", "shared", *sam).stdout
    assert cli("consent", "show-not-now", *sam).returncode == 0
    # Robin's "not now" was never sealed for Sam before both chose to show: it is, at Robin's next sign-in
    assert "Not now" not in cli("consent", "shared", *sam).stdout
    assert "Not now, for now: Hugs in public." in cli("consent", "shared", *robin).stdout
    assert "Not now, for now: Hugs in public." in cli("consent", "shared", *sam).stdout
    assert cli("consent", "show-not-now", "--hide", *robin).returncode == 0
    assert "Not now" not in cli("consent", "shared", *sam).stdout


def test_the_file_is_owner_only_and_holds_none_of_it_in_plain_text(couple_with_practices, cli):
    db = couple_with_practices
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    subprocess.run(["sqlite3", str(db), "PRAGMA wal_checkpoint(TRUNCATE)"], capture_output=True)
    raw = store_bytes(db)
    assert ROBINS_WORDS.encode() not in raw and b"your sister" not in raw
    assert b'"no"' not in raw and b'"not now"' not in raw and b'"yes"' not in raw
    # the couple's own item is shared (both see it), so it is kept as an item: never with an answer
    assert raw.count(ROBINS_NO.encode()) >= 1


def test_consent_commands_need_a_person(cli, couple_with_practices):
    r = cli("consent", "list")
    assert r.returncode == 2 and "a yes / not now / no list is shown only to its person" in r.stderr
    r = cli("repair", "topics")
    assert r.returncode == 2 and "topics are counted for their writer alone" in r.stderr


def test_consent_export_import_round_trip(couple_with_practices, cli, passphrase_files, tmp_path):
    secrets = passphrase_files
    robin = ["--as", "Robin", "--passphrase-file", secrets["Robin"]]
    first = tmp_path / "robin.csv"
    assert cli("consent", "export", str(first), *robin).returncode == 0
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    other = tmp_path / "other.db"
    assert cli("person", "add", "Robin", "--db", str(other), "--passphrase-file", secrets["Robin"]).returncode == 0
    r = cli("consent", "import", str(first), "--db", str(other), "--passphrase-for", "Robin", secrets["Robin"])
    assert r.returncode == 0 and "1 new" in r.stdout, r
    again = cli("consent", "import", str(first), "--db", str(other), "--passphrase-for", "Robin", secrets["Robin"])
    assert "0 new, 0 updated, 1 unchanged" in again.stdout
    second = tmp_path / "robin-2.csv"
    assert cli("consent", "export", str(second), "--db", str(other), *robin).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("person,item,answer\nRobin,Hugs in public,perhaps\n")
    r = cli("consent", "import", str(bad), "--db", str(other), "--passphrase-for", "Robin", secrets["Robin"])
    assert r.returncode == 1 and r.stderr.strip() == (
        f"reflect: {bad}, line 2, column answer: this is not an answer; use yes, not now or no; nothing was imported")


def test_agreements_add_answer_list_and_round_trip(cli, home, tmp_path, calendar):
    this_month = calendar.this_month  # this month for the whole test (see calendar)
    r = cli("agreement", "add", "A walk after dinner on Sundays", "--month", this_month, "--dimension",
            "experiential", "--ritual", "phone-free")
    assert r.returncode == 0 and r.stdout.startswith(f"Saved agreement 1 for {calendar.month_words}"), r
    assert cli("agreement", "add", "Phones away at dinner", "--month", this_month).stdout.startswith(
        "Saved agreement 2")
    r = cli("agreement", "did-we", "partly", "--person", "Robin", "--month", this_month)
    assert r.returncode == 0 and "Saved Robin's answer" in r.stdout
    r = cli("agreement", "list")
    assert "A walk after dinner on Sundays  [experiential, phone-free]\n    did we? Robin: partly" in r.stdout
    out = tmp_path / "agreements.csv"
    assert cli("agreement", "export", str(out)).returncode == 0
    r = cli("agreement", "import", str(out), "--db", str(tmp_path / "new.db"))
    assert r.returncode == 0 and "3 new" in r.stdout, r
    back = tmp_path / "back.csv"
    assert cli("agreement", "export", str(back), "--db", str(tmp_path / "new.db")).returncode == 0
    assert back.read_bytes() == out.read_bytes()
    r = cli("agreement", "add", "Too far", "--month", add_months(this_month, 2))  # (in December, next January is next)
    assert r.returncode == 1 and "an agreement is for this month or the next" in r.stderr
    assert cli("agreement", "drop", "--month", this_month, "--number", "2").returncode == 0
    assert "Phones away" not in cli("agreement", "list").stdout
    assert "(taken back)" in cli("agreement", "history", "--month", this_month, "--number", "2").stdout


def test_a_bad_agreements_file_changes_nothing(cli, home, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("month,number,text,dimension,ritual,person,did_we\n2026-01,1,A walk,,,,\n2026-01,1,,,,Sam,maybe\n")
    r = cli("agreement", "import", str(bad))
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    assert f"{bad}, line 3, column did_we: 'maybe' is not an answer" in r.stderr and "nothing was imported" in r.stderr
    assert not (home / "data" / "reflect.db").exists()  # a failed import creates no store


def test_repairs_export_import_round_trip(cli, home, tmp_path, calendar):
    r = cli("repair", "add", "-p", "Alex", "-t", "the dishes", "--own", "I'm sorry, truly", "--shared",
            "--happened", calendar.days(-2).isoformat())
    assert r.returncode == 0 and "Alex has no passphrase" in r.stderr, r
    out = tmp_path / "repairs.csv"
    assert cli("repair", "export", str(out)).returncode == 0
    assert "I'm sorry, truly" in out.read_text()
    assert cli("repair", "import", str(out), "--db", str(tmp_path / "new.db")).returncode == 0
    back = tmp_path / "back.csv"
    assert cli("repair", "export", str(back), "--db", str(tmp_path / "new.db")).returncode == 0
    assert back.read_bytes() == out.read_bytes()
    assert "(2 days after, shared)" in cli("repair", "list").stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("date,person,number,happened,topic,own,offer,align,shared\n2026-01-05,Alex,1,2026-01-09,x,,,,\n")
    r = cli("repair", "import", str(bad))
    assert r.returncode == 1 and f"{bad}, line 2, column happened: the rupture" in r.stderr


def test_repair_drop_takes_a_repair_back_and_its_history_keeps_it(couple_cli, cli, passphrase_files, home, calendar,
                                                                    tmp_path):
    db, day = home / "data" / "reflect.db", calendar.first_of_last_month.isoformat()
    robin = ["--passphrase-file", passphrase_files["Robin"]]
    for topic, words in (("the dishes", ROBINS_WORDS), ("money", "I was unfair about money")):
        r = cli("repair", "add", "-p", "Robin", "-t", topic, "--own", words, "-d", day, *robin)
        assert r.returncode == 0, r
    refused = [
        (cli("repair", "drop", "-p", "Robin", "-d", day), "Robin has a passphrase: give it with --passphrase-file"),
        (cli("repair", "drop", "-p", "Robin", "-d", day, "--passphrase-file", passphrase_files["Sam"]),
         "reflect: that is not Robin's passphrase\n"),
        (cli("repair", "drop", "-p", "Robin", "-d", day, "-n", "3", *robin),
         f"reflect: Robin noted no repair 3 on {day}\n"),
    ]
    for r, said in refused:
        assert r.returncode == 1 and said in r.stderr and r.stdout == "", r
    assert "the dishes" in cli("repair", "list", "--as", "Robin", *robin).stdout  # nothing taken back yet
    r = cli("repair", "drop", "-p", "Robin", "-d", day, *robin)
    assert r.returncode == 0 and r.stdout == f"Took back Robin's repair 1 of {day}; its history keeps it.\n", r
    listed = cli("repair", "list", "--as", "Robin", *robin).stdout
    assert "the dishes" not in listed and "money" in listed
    history = cli("repair", "history", "-p", "Robin", "-d", day, *robin).stdout
    assert history.count("topic: the dishes") == 2 and "private, taken back" in history
    r = cli("repair", "drop", "-p", "Robin", "-d", day, *robin)  # taken back already
    assert r.returncode == 1 and r.stderr == f"reflect: Robin noted no repair 1 on {day}\n", r
    assert ROBINS_WORDS.encode() not in store_bytes(db)
    with Store(db) as store:
        store.sign_in("Robin", "robin's words")
        every = store.repairs("Robin", person="Robin", include_taken_back=True)
        assert [(x.number, x.body.topic, x.active) for x in every] == [(1, "the dishes", False), (2, "money", True)]
        assert [x.body.own for x in store.repairs("Robin", person="Robin")] == ["I was unfair about money"]
    # someone with no passphrase takes a repair back with none
    alone = ["--db", str(tmp_path / "alone.db")]
    assert cli("repair", "add", "-p", "Alex", "-t", "late again", "-d", day, *alone).returncode == 0
    r = cli("repair", "drop", "-p", "Alex", "-d", day, *alone)
    assert r.returncode == 0 and r.stdout == f"Took back Alex's repair 1 of {day}; its history keeps it.\n", r
    assert "No repairs" in cli("repair", "list", *alone).stderr


def test_life_events_add_list_history_and_round_trip(cli, home, tmp_path, calendar):
    assert cli("event", "add", "Our baby is born", "--kind", "birth", "--date", "2025-03-14").returncode == 0
    assert cli("event", "add", "Ada is born", "--kind", "birth", "--date", "2025-03-14").stdout.startswith(
        "Updated birth on 2025-03-14")
    assert cli("event", "list").stdout == "2025-03-14  birth    Ada is born\n"
    assert cli("event", "history", "-d", "2025-03-14", "-k", "birth").stdout.count("\n    ") == 2
    out = tmp_path / "events.csv"
    assert cli("event", "export", str(out)).returncode == 0
    assert out.read_text() == "date,kind,words\n2025-03-14,birth,Ada is born\n"
    assert cli("event", "import", str(out), "--db", str(tmp_path / "new.db")).returncode == 0
    r = cli("event", "add", "tomorrow", "--date", calendar.days(1).isoformat())
    assert r.returncode == 1 and "in the future" in r.stderr
    assert cli("event", "drop", "-d", "2025-03-14", "-k", "birth").returncode == 0
    assert "No life events" in cli("event", "list").stderr


def test_the_new_commands_are_installed(cli):
    assert REFLECT_BIN.exists()
    for group in ("agreement", "repair", "consent", "event"):
        r = cli(group, "--help")
        assert r.returncode == 0 and f"Usage: reflect {group}" in r.stdout
