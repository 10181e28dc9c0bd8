"""The first evening with the kit, as a real couple lives it: everyday mistakes lose nothing.

Each test runs the command line as a user runs it (the ``cli`` fixture) or calls the library, on
fixed dates in the past, in a temporary folder.
"""

from __future__ import annotations

import datetime as dt

import pytest

from reflect.storage.store import Store

from .conftest import make_checkin

SCORES = ["--passion", "6", "--emotional", "7", "--physical", "5", "--intellectual", "8",
          "--experiential", "6", "--spiritual", "7"]
TODAY = dt.date(2025, 4, 20)


@pytest.fixture
def secrets(passphrase_files):
    """Owner-only passphrase files for Robin and Sam (conftest's)."""
    return passphrase_files


@pytest.fixture
def couple(cli, secrets, tmp_path):
    """Robin and Sam, each with a passphrase, in tmp_path/us.db; returns (run, db)."""
    db = str(tmp_path / "us.db")
    for name in ("Robin", "Sam"):
        r = cli("person", "add", name, "--passphrase-file", secrets[name], "--db", db)
        assert r.returncode == 0, r
    return cli, db


def _current(db, person, secret):
    """``person``'s current March 2025 check-in, as they see it signed in."""
    with Store(db, create=False) as store:
        store.sign_in(person, secret)
        [checkin] = store.checkins(person=person, month="2025-03")
        return checkin


# -- 1. a note is never dropped silently ------------------------------------------------------------


def test_add_without_note_keeps_the_saved_note_and_its_sharing(couple, secrets):
    cli, db = couple
    sam = ["-p", "Sam", "-d", "2025-03-01", "--passphrase-file", secrets["Sam"], "--db", db]
    r = cli("add", *sam, *SCORES, "--note", "Thank you for Sunday", "--share-note")
    assert r.returncode == 0, r
    r = cli("add", *sam, *SCORES[:1], "7", *SCORES[2:])  # one score corrected, no --note
    assert r.returncode == 0, r
    assert "Updated Sam's monthly check-in for March 2025" in r.stdout
    assert "Your note is kept as it was" in r.stdout
    current = _current(db, "Sam", "sam's own words")
    assert current.scores["passion"] == 7
    assert current.note == "Thank you for Sunday" and current.note_shared
    # the same again changes nothing: the kept note is the saved one
    r = cli("add", *sam, *SCORES[:1], "7", *SCORES[2:])
    assert r.returncode == 0 and r.stdout.startswith("Nothing changed"), r
    # --note "" is the explicit way to clear it
    r = cli("add", *sam, *SCORES[:1], "7", *SCORES[2:], "--note", "")
    assert r.returncode == 0 and "Your note is kept" not in r.stdout, r
    assert _current(db, "Sam", "sam's own words").note is None


def test_add_help_says_the_note_is_kept(cli):
    r = cli("add", "--help")
    assert r.returncode == 0
    text = " ".join(r.stdout.split())
    assert 'Without --note, the note already saved for this period is kept; --note "" clears it.' in text


def test_the_library_keeps_a_note_only_when_asked(store):
    store.save(make_checkin("Sam", "2025-03-01", note="Our walk"), share_note=True)
    kept = store.save(make_checkin("Sam", "2025-03-01", passion=8), keep_note=True)
    assert kept.status == "updated" and kept.checkin.note == "Our walk"
    [current] = store.checkins(person="Sam")
    assert current.note == "Our walk" and current.note_shared
    cleared = store.save(make_checkin("Sam", "2025-03-01", passion=8))
    assert cleared.status == "updated" and store.checkins(person="Sam")[0].note is None


# -- 2. the same agreement or repair twice is kept once ----------------------------------------------


def test_the_same_agreement_twice_is_one_agreement(cli, tmp_path):
    db = str(tmp_path / "us.db")
    add = ["agreement", "add", "A walk after dinner on Sundays", "--month", "2025-03", "--db", db]
    r = cli(*add)
    assert r.returncode == 0 and r.stdout.startswith("Saved agreement 1 for March 2025"), r
    r = cli(*add)
    assert r.returncode == 0, r
    assert r.stdout.strip() == "Nothing changed: agreement 1 for March 2025 already says this."
    r = cli("agreement", "add", "a walk after  dinner on sundays", "--month", "2025-03", "--db", db)
    assert r.returncode == 0 and r.stdout.startswith("Nothing changed: agreement 1"), r  # case and spacing aside
    r = cli("agreement", "add", "Phones away at dinner", "--month", "2025-03", "--db", db)
    assert r.returncode == 0 and r.stdout.startswith("Saved agreement 2 for March 2025"), r
    with Store(db, create=False) as store:
        assert [a.number for a in store.agreements(month="2025-03")] == [1, 2]
        assert len(store.agreement_history("2025-03", 1)) == 1
        assert store.agreements(month="2025-03")[0].text == "A walk after dinner on Sundays"


def test_the_library_adds_an_agreement_once(store):
    from reflect.domain.agreements import Agreement

    walk = Agreement.create(month="2025-03", text="A walk after dinner on Sundays", today=TODAY)
    assert store.add_agreement(walk) == ("added", walk)
    status, same = store.add_agreement(walk)
    assert status == "unchanged" and same.number == 1
    status, tied = store.add_agreement(Agreement.create(month="2025-03", text=walk.text, dimension="physical",
                                                        today=TODAY))
    assert status == "updated" and tied.number == 1 and tied.dimension == "physical"
    status, again = store.add_agreement(walk)  # a tie not given stays as it was
    assert status == "unchanged" and again.dimension == "physical"
    assert len(store.agreements()) == 1


def test_the_same_repair_twice_is_one_repair(couple, secrets):
    cli, db = couple
    add = ["repair", "add", "-p", "Sam", "--date", "2025-03-09", "--topic", "The dishes", "--own",
           "I snapped at you", "--passphrase-file", secrets["Sam"], "--db", db]
    r = cli(*add)
    assert r.returncode == 0 and r.stdout.startswith("Saved Sam's repair 1 of 2025-03-09 (private)"), r
    r = cli(*add)
    assert r.returncode == 0, r
    assert r.stdout.strip() == "Nothing changed: Sam's repair 1 of 2025-03-09 (private) already says this."
    r = cli("repair", "add", "-p", "Sam", "--date", "2025-03-09", "--topic", "The dishes", "--own",
            "I raised my voice", "--passphrase-file", secrets["Sam"], "--db", db)
    assert r.returncode == 0 and "Saved Sam's repair 2 of 2025-03-09" in r.stdout, r
    with Store(db, create=False) as store:
        frame = store.repair_frame()  # what the report counts
        assert len(frame) == 2
        assert store.connection.execute("SELECT count(*) FROM repair_versions").fetchone()[0] == 2
        # the words are sealed in the store: the comparison was made on the opened words
        assert store.connection.execute("SELECT count(*) FROM repair_versions WHERE body IS NULL").fetchone()[0] == 2


def test_the_library_notes_a_repair_once_comparing_the_opened_words(tmp_path):
    from reflect.domain.repairs import Repair
    from reflect.errors import NotSignedIn

    with Store(tmp_path / "us.db") as store:
        store.add_person("Sam", "sam's own words")
    repair = Repair.create(person="Sam", day="2025-03-09", topic="The dishes", own="I snapped", today=TODAY)
    with Store(tmp_path / "us.db") as store:
        with pytest.raises(NotSignedIn):
            store.add_repair(repair)
        store.sign_in("Sam", "sam's own words")
        assert store.add_repair(repair)[0] == "added"
    with Store(tmp_path / "us.db") as store:  # a new session: the words are opened to compare
        store.sign_in("Sam", "sam's own words")
        status, same = store.add_repair(Repair.create(person="Sam", day="2025-03-09", topic="the  dishes",
                                                      own="I snapped", today=TODAY))
        assert (status, same.number, same.body.topic) == ("unchanged", 1, "The dishes")  # case, spacing aside
        status, shared = store.add_repair(Repair.create(person="Sam", day="2025-03-09", topic="the  dishes",
                                                        own="I snapped", shared=True, today=TODAY))
        assert (status, shared.number, shared.shared) == ("updated", 1, True)
        assert store.add_repair(shared) == ("unchanged", shared)
        assert len(store.repairs("Sam", person="Sam")) == 1


# -- 3. a near-miss item is named, never silently added -----------------------------------------------


def _consent_state(db):
    """The items and every list version, as stored (to show nothing was written)."""
    with Store(db, create=False) as store:
        conn = store.connection
        return (conn.execute("SELECT * FROM consent_items ORDER BY item").fetchall(),
                conn.execute("SELECT count(*) FROM consent_versions").fetchone()[0])


def test_a_near_miss_item_is_named_and_nothing_is_written(couple, secrets):
    cli, db = couple
    robin = ["--as", "Robin", "--passphrase-file", secrets["Robin"], "--db", db]
    assert cli("consent", "answer", "Hugs in public", "yes", *robin).returncode == 0
    before = _consent_state(db)
    r = cli("consent", "answer", "A weekend away", "yes", *robin)
    assert r.returncode == 1 and r.stdout == "", r
    assert r.stderr.count("\n") == 1
    assert "did you mean \u201cA weekend away, just the two of us\u201d?" in r.stderr
    assert "--new-item" in r.stderr and "Nothing was saved" in r.stderr
    r = cli("consent", "answer", "hugs in pubic", "no", *robin)  # a typo
    assert r.returncode == 1 and "did you mean \u201cHugs in public\u201d?" in r.stderr, r
    r = cli("consent", "answer", "A weekend in Paris", "yes", *robin)  # nothing close: not added either
    assert r.returncode == 1 and "is not on the list" in r.stderr and "did you mean" not in r.stderr, r
    assert _consent_state(db) == before
    # the item as on the list, in any case and spacing, is answered
    r = cli("consent", "answer", "a weekend AWAY,  just the two of us", "yes", *robin)
    assert r.returncode == 0, r
    # a new item only when asked
    r = cli("consent", "answer", "A weekend in Paris", "yes", "--new-item", *robin)
    assert r.returncode == 0, r
    r = cli("consent", "add-item", "A weekend away", "--db", db)
    assert r.returncode == 0 and "Added \u201cA weekend away\u201d" in r.stdout, r
    assert "Close to \u201cA weekend away, just the two of us\u201d" in r.stderr
    items = cli("consent", "items", "--db", db).stdout.splitlines()
    assert items[-2:] == ["A weekend in Paris", "A weekend away"]
    with Store(db, create=False) as store:
        store.sign_in("Robin", "robin's words")
        assert store.consent_list("Robin").answers == {
            "A weekend away, just the two of us": "yes", "A weekend in Paris": "yes", "Hugs in public": "yes"}


def test_close_items_in_the_library():
    from reflect.domain.consent import STARTING_ITEMS, close_items

    assert close_items("A weekend away", STARTING_ITEMS) == ["A weekend away, just the two of us"]
    assert close_items("phone-free evening", STARTING_ITEMS) == ["A phone-free evening every week"]
    assert close_items("Hugs in pubic", STARTING_ITEMS) == ["Hugs in public"]
    assert close_items("HUGS IN PUBLIC", STARTING_ITEMS) == []  # the item itself: nothing to suggest
    assert close_items("A long walk", STARTING_ITEMS) == []
    assert close_items("in", STARTING_ITEMS) == []  # a word too short to mean an item


def test_the_library_refuses_an_unknown_item_only_when_asked(store):
    from reflect.domain.consent import ConsentList
    from reflect.errors import ValidationError

    answers = ConsentList.create(person="Robin", answers={"A weekend away": "yes"})
    with pytest.raises(ValidationError, match="did you mean \u201cA weekend away, just the two of us\u201d"):
        store.save_consents([answers], merge=True, new_items=False)
    assert store.consent_list("Robin") is None and "A weekend away" not in store.consent_items()
    assert store.save_consents([answers], merge=True) == (1, 0, 0)  # an import adds it, as documented
    assert "A weekend away" in store.consent_items()


# -- 4. a spreadsheet's CSV --------------------------------------------------------------------------

SHORT_HEADER = "date,person,passion,emotional,physical,intellectual,experiential,spiritual"


def test_a_spreadsheet_file_with_the_required_columns_only_imports(cli, tmp_path):
    db = str(tmp_path / "us.db")
    path = tmp_path / "sheet.csv"
    path.write_text(SHORT_HEADER + "\n2025-03-01,Robin,6,7,5,8,6,7\n2025-03-01,Sam,5,6,6,7,7,8\n")
    r = cli("import", str(path), "--db", db)
    assert r.returncode == 0 and "Imported 2 check-ins" in r.stdout, r
    with Store(db, create=False) as store:
        robin = store.checkins(person="Robin")[0]
        assert robin.cadence == "monthly" and robin.note is None and set(robin.desired.values()) == {None}
    r = cli("export", "--db", db)
    assert r.stdout.splitlines()[0].count(",") == 15  # the export keeps all 16 columns


def test_a_file_separated_by_semicolons_with_a_bom_is_read(cli, tmp_path):
    db = str(tmp_path / "us.db")
    path = tmp_path / "europe.csv"
    path.write_bytes(("\ufeff" + SHORT_HEADER.replace(",", ";") + ";note\r\n"
                      '2025-03-01;Robin;6;7;5;8;6;7;"Tired, but happy; really"\r\n').encode("utf-8"))
    r = cli("import", str(path), "--db", db)
    assert r.returncode == 0 and "Imported 1 check-in " in r.stdout, r
    with Store(db, create=False) as store:
        [robin] = store.checkins()
        assert robin.scores["spiritual"] == 7 and robin.note == "Tired, but happy; really"


def test_a_bad_header_is_one_short_line_naming_what_is_missing(cli, tmp_path):
    db = tmp_path / "us.db"
    path = tmp_path / "short.csv"
    path.write_text("date,person,passion,emotional\n2025-03-01,Robin,6,7\n")
    r = cli("import", str(path), "--db", str(db))
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r
    assert r.stderr == (f"reflect: {path}, line 1: missing columns physical, intellectual, experiential, spiritual "
                        "(see `reflect export` or the README for the full header); nothing was imported\n")
    assert len(r.stderr) - len(str(path)) < 200
    path.write_text("date;person;passion;emotional\n2025-03-01;Robin;6;7\n")
    r = cli("import", str(path), "--db", str(db))
    assert r.returncode == 1 and "line 1: separated by semicolons; missing columns physical," in r.stderr, r
    assert not db.exists()  # nothing was written, not even a store


def test_the_other_imports_take_a_spreadsheet_file_too(cli, tmp_path):
    db = str(tmp_path / "us.db")
    files = {
        "ritual": "\ufeffdate;kind\n2025-03-02;hug\n",                              # together, a known kind
        "event": "date,words\n2025-03-14,Ada is born\n",                          # kind: other
        "repair": "date,person,number,topic\n2025-03-09,Robin,1,The dishes\n",    # the same day, private
        "agreement": "month;number;text\n2025-03;1;A walk after dinner\n",
        "consent": "\ufeffperson;item;answer\nRobin;Hugs in public;yes\n",
    }
    for group, text in files.items():
        path = tmp_path / f"{group}.csv"
        path.write_text(text, encoding="utf-8")
        r = cli(group, "import", str(path), "--db", db)
        assert r.returncode == 0 and "1 new, 0 updated" in r.stdout, (group, r)
    with Store(db, create=False) as store:
        assert [(r.kind, r.person) for r in store.rituals()] == [("hug", "")]
        assert [e.kind for e in store.life_events()] == ["other"]
        [repair] = store.repairs("Robin")
        assert repair.happened == repair.day and not repair.shared and repair.body.own is None
        assert [a.text for a in store.agreements()] == ["A walk after dinner"]
        assert store.consent_list("Robin").answers == {"Hugs in public": "yes"}
    path = tmp_path / "repair.csv"
    path.write_text("date,person,topic\n2025-03-09,Robin,The dishes\n")  # the number is the key: required
    r = cli("repair", "import", str(path), "--db", db)
    assert r.returncode == 1 and "missing column number (see `reflect repair export`" in r.stderr, r


def test_header_delimiter_decides_from_the_header_alone():
    from reflect.domain.csvio import header_delimiter, parse_checkins

    assert header_delimiter("date;person;passion\r\n") == ";"
    assert header_delimiter("date,person,passion\n") == ","
    assert header_delimiter("date;person,passion\n") == ","  # both: not a semicolon file
    assert header_delimiter("date\n") == ","
    [c] = parse_checkins("\ufeff\n" + SHORT_HEADER.replace(",", ";") + "\n2025-03-01;Sam;1;2;3;4;5;6\n")
    assert c.person == "Sam" and c.scores["spiritual"] == 6


# -- 9. wording -----------------------------------------------------------------------------------------


def test_remind_says_what_it_took_off_in_the_words_the_user_knows(cli, tmp_path):
    from reflect.cli import REMINDER_WORDS
    from reflect.domain.reminders import KINDS, Schedule

    db = str(tmp_path / "us.db")
    r = cli("remind", "--weekly", "sunday 19:00", "--special", "first-saturday 19:30", "--db", db)
    assert r.returncode == 0, r
    r = cli("remind", "--db", db)
    assert r.returncode == 0, r
    assert "Taken off the calendar: our phone-free hour (--weekly), our special evening (--special) (left in the " \
           "file as cancelled)." in r.stdout
    # the words are the events' own names, as the calendar shows them
    every = Schedule.create(daily="08:00", weekly="sunday 19:00", special="first-saturday 19:30").reminders()
    assert set(REMINDER_WORDS) == set(KINDS)
    assert {r.kind: r.summary.lower() for r in every} == {k: w.split(" (")[0] for k, w in REMINDER_WORDS.items()}


def test_remind_says_a_missing_folder_does_not_exist(cli, tmp_path):
    r = cli("remind", "--db", str(tmp_path / "us.db"), "--out", str(tmp_path / "nowhere" / "r.ics"))
    assert r.returncode == 1
    assert r.stderr == f"reflect: {tmp_path / 'nowhere'} does not exist; nothing was written\n"
    (tmp_path / "a-file").write_text("")
    r = cli("remind", "--db", str(tmp_path / "us.db"), "--out", str(tmp_path / "a-file" / "r.ics"))
    assert r.returncode == 1 and "a-file is not a folder; nothing was written" in r.stderr, r


def test_a_month_without_check_ins_says_which_months_have_them(cli, tmp_path):
    from reflect.reporting.params import resolve_month

    db = str(tmp_path / "us.db")
    assert cli("add", "-p", "Robin", "-d", "2025-03-01", *SCORES, "--db", db).returncode == 0
    r = cli("report", "--month", "2025-05", "--db", db, "--out", str(tmp_path / "out"))
    assert r.returncode == 1
    assert r.stderr == f"reflect: {db}: there are no check-ins in 2025-05 (check-ins cover March 2025)\n"
    with pytest.raises(Exception, match=r"\(check-ins cover November 2024 to March 2025\)$"):
        resolve_month("2025-05", ["2024-11", "2025-03"])


@pytest.fixture
def march_20(monkeypatch):
    """Every store opened in this process lives on 20 March 2025 (March is not over)."""
    opened = Store.__init__

    def init(self, *args, **kwargs):
        opened(self, *args, **kwargs)
        self.today = lambda: dt.date(2025, 3, 20)

    monkeypatch.setattr(Store, "__init__", init)


def _run(capsys, *args):
    """The CLI's own entry point, in this process (so that its stores live on 20 March 2025)."""
    from reflect.cli import main

    with pytest.raises(SystemExit) as done:
        main(list(args))
    out = capsys.readouterr()
    return done.value.code, out.out, out.err


def test_summary_of_a_month_only_sealed_says_so_and_succeeds(march_20, capsys, tmp_path):
    db = str(tmp_path / "us.db")
    with Store(db) as store:
        store.add_person("Sam", "sam's own words")
        store.add_person("Robin", "robin's own words")
        store.save(make_checkin("Sam", "2025-03-01"))  # Sam is signed in: Robin has not answered
        store.save(make_checkin("Sam", "2025-02-01"))  # February is over: shown
    sealed = ("1 check-in{} is saved but sealed until everyone has answered for that period, or the period is "
              "over.\n")
    assert _run(capsys, "summary", "--month", "2025-03", "--db", db) == (0, "", sealed.format(" of March 2025"))
    assert _run(capsys, "summary", "--month", "2025-03", "--format", "json", "--db", db)[:2] == (0, "")
    code, out, err = _run(capsys, "summary", "--db", db)  # the latest month shown: February
    assert code == 0 and out.startswith("February 2025\n") and err == ""
    code, out, err = _run(capsys, "summary", "--month", "2025-01", "--db", db)  # nothing at all: an error
    assert (code, out) == (1, "") and err == "reflect: there are no check-ins in 2025-01\n"
    with Store(db, create=False) as store:
        assert store.sealed_count() == 1 and store.sealed_count("2025-03") == 1
        assert store.sealed_count("2025-02") == 0


@pytest.mark.parametrize("args", [
    ["list", "--month", "2025-13"],
    ["summary", "--month", "March"],
    ["report", "--month", "2025-3x"],
    ["ritual", "list", "--month", "2025/03"],
    ["agreement", "add", "A walk", "--month", "25-03"],
    ["agreement", "list", "--month", "2025-00"],
    ["agreement", "drop", "--month", "soon"],
    ["agreement", "history", "--month", "2025-13"],
    ["agreement", "did-we", "yes", "-p", "Robin", "--month", "2025-13"],
    ["repair", "list", "--month", "2025-13"],
    ["demo", "--end", "2025-13"],
])
def test_a_bad_month_is_a_usage_error_everywhere(cli, tmp_path, args):
    db = tmp_path / "us.db"
    assert cli("add", "-p", "Robin", "-d", "2025-03-01", *SCORES, "--db", str(db)).returncode == 0
    before = db.read_bytes()
    r = cli(*args, "--db", str(db))
    assert r.returncode == 2 and r.stdout == "", r
    assert r.stderr.count("\n") == 1 and "is not a month in the form YYYY-MM" in r.stderr
    assert r.stderr.startswith(f"reflect {args[0]}") and "--help`)" in r.stderr
    assert db.read_bytes() == before


def test_the_month_words_still_work(cli, tmp_path):
    db = str(tmp_path / "us.db")
    assert cli("add", "-p", "Robin", "-d", "2025-03-01", *SCORES, "--db", db).returncode == 0
    r = cli("list", "--month", "Latest", "--db", db)
    assert r.returncode == 0 and r.stdout.startswith("Latest month with check-ins: 2025-03"), r
    r = cli("report", "--month", "nope", "--db", db)
    assert r.returncode == 2 and "; or 'last' or 'latest'" in r.stderr, r


# -- what the first evening's walk found (corrections and spreadsheets keep what they do not mention) --


def test_correcting_one_score_with_add_keeps_the_wishes_too(cli, home):
    scores = ["--passion", "5", "--emotional", "5", "--physical", "5", "--intellectual", "5",
              "--experiential", "5", "--spiritual", "5"]
    assert cli("add", "-p", "Robin", "-d", "2025-03-01", *scores, "--desired-physical", "8",
               "--desired-passion", "7", "--note", "our walks").returncode == 0
    scores[1] = "7"
    r = cli("add", "-p", "Robin", "-d", "2025-03-01", *scores, "--desired-passion", "")
    assert r.returncode == 0 and "Updated" in r.stdout
    from reflect.storage.store import Store

    with Store(home / "data" / "reflect.db") as store:
        c = store.get("Robin", "2025-03-01")
        assert c.scores["passion"] == 7 and c.note == "our walks"
        assert c.desired["physical"] == 8 and c.desired["passion"] is None  # kept; cleared when asked


def test_a_spreadsheet_without_wishes_or_notes_keeps_those_saved_and_reads_capitals(cli, home, tmp_path):
    from reflect.storage.store import Store

    assert cli("add", "-p", "Robin", "-d", "2025-03-01", "--passion", "5", "--emotional", "5", "--physical", "5",
               "--intellectual", "5", "--experiential", "5", "--spiritual", "5", "--desired-physical", "8",
               "--note", "our walks").returncode == 0
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Date,Person,Passion,Emotional,Physical,Intellectual,Experiential,Spiritual\n"
                     "2025-03-01,Robin,7,7,5,8,6,9\n", encoding="utf-8")
    r = cli("import", str(sheet))
    assert r.returncode == 0 and "Imported 1 check-in from" in r.stdout, r
    with Store(home / "data" / "reflect.db") as store:
        c = store.get("Robin", "2025-03-01")
        assert c.scores["spiritual"] == 9 and c.note == "our walks" and c.desired["physical"] == 8
    assert "0 new, 0 updated, 1 unchanged" in cli("import", str(sheet)).stdout


def test_did_we_for_an_agreement_of_the_month_to_come_says_when(cli, calendar):
    r = cli("agreement", "add", "A walk after dinner on Sundays", "--month", calendar.next_month)
    assert r.returncode == 0, r
    r = cli("agreement", "did-we", "yes", "-p", "Robin")
    assert r.returncode != 0 and "your agreement is for" in r.stderr and "once that month is under way" in r.stderr
