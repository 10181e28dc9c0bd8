"""How life is weighing (issue 21, part 3): saved with the check-in, its writer's unless shared, kept
out of the intimacy index, carried by the CSV, refused clearly when wrong, described for the letter
without claiming a link."""

from __future__ import annotations

import datetime as dt
import inspect
import random
import sqlite3

import pandas as pd
import pytest

from reflect.analytics import analysis, weighing
from reflect.domain.checkin import CheckIn
from reflect.domain.csvio import HEADER, IMPORT_COLUMNS, parse_checkins, to_csv
from reflect.domain.dimensions import KEYS
from reflect.errors import ImportFileError, ValidationError
from reflect.storage import migrations
from reflect.storage.importing import import_checkins
from reflect.storage.store import Store
from reflect.views.widgets import CheckInForm

from .conftest import PASSPHRASES

SCORES = dict.fromkeys(KEYS, 6)


def checkin(person: str, date: str, weighing=None, **more) -> CheckIn:
    scores = {**SCORES, **{k: v for k, v in more.items() if k in KEYS}}
    desired = {k[8:]: v for k, v in more.items() if k.startswith("desired_")}
    return CheckIn.create(person=person, date=date, scores=scores, desired=desired, weighing=weighing)


# -- the check-in and the store ----------------------------------------------------------------------


@pytest.mark.parametrize("bad, words", [(11, "11 is out of range"), (0, "0 is out of range"),
                                        ("x", "'x' is not a whole number from 1 to 10")])
def test_a_weighing_out_of_range_or_not_a_number_is_refused_naming_the_field(store, bad, words):
    with pytest.raises(ValidationError) as caught:
        checkin("Robin", "2026-10-01", weighing=bad)
    assert caught.value.field == "weighing" and words in caught.value.message
    assert store.count() == 0


def test_weighing_is_optional_saved_with_the_checkin_and_its_history_kept(store):
    store.save(checkin("Robin", "2026-10-01"))
    store.save(checkin("Robin", "2026-10-01", weighing=7))
    store.sign_in("Robin")
    assert store.get("Robin", "2026-10-01").weighing == 7
    assert [v.checkin.weighing for v in store.history("Robin", "2026-10-01")] == [None, 7]
    # a correction without it keeps it when asked (the command line's way); the form says it outright
    result = store.save(checkin("Robin", "2026-10-01", passion=8), keep_weighing=True)
    assert result.checkin.weighing == 7
    assert store.save(checkin("Robin", "2026-10-01", passion=8)).checkin.weighing is None  # cleared
    assert len(store.history("Robin", "2026-10-01")) == 4


def test_the_partner_and_a_stranger_see_it_only_once_shared(couple_store):
    store = couple_store
    store.sign_in("Robin", PASSPHRASES["Robin"])
    store.save(checkin("Robin", "2026-10-01", weighing=8))
    store.sign_out()
    store.sign_in("Sam", PASSPHRASES["Sam"])
    store.save(checkin("Sam", "2026-10-01", weighing=3))
    # Sam sees Robin's scores (both answered), never how life weighs on Robin
    theirs = store.get("Robin", "2026-10-01")
    assert theirs.scores["passion"] == 6 and theirs.weighing is None
    assert store.partner_view("Sam", "monthly", "2026-10-01").checkin.weighing is None
    assert [c.weighing for c in store.checkins(person="Robin")] == [None]
    assert store.get("Sam", "2026-10-01").weighing == 3  # Sam's own
    store.sign_out()
    assert [c.weighing for c in store.checkins()] == [None, None]  # nobody signed in: nothing
    assert weighing.month_weight(store, "2026-10") == []
    # Robin shares it: now it shows like the scores
    store.sign_in("Robin", PASSPHRASES["Robin"])
    assert store.save(checkin("Robin", "2026-10-01", weighing=8), share_weighing=True).status == "updated"
    store.sign_out()
    store.sign_in("Sam", PASSPHRASES["Sam"])
    assert store.partner_view("Sam", "monthly", "2026-10-01").checkin.weighing == 8
    assert [w.person for w in weighing.month_weight(store, "2026-10")] == ["Robin", "Sam"]
    store.sign_out()
    assert {c.person: c.weighing for c in store.checkins()} == {"Robin": 8, "Sam": None}
    # and unshared again: gone from view, the number still in the history of its writer
    store.sign_in("Robin", PASSPHRASES["Robin"])
    store.save(checkin("Robin", "2026-10-01", weighing=8), share_weighing=False)
    store.sign_out()
    assert {c.person: c.weighing for c in store.checkins()} == {"Robin": None, "Sam": None}


def test_sealed_like_the_scores_until_the_period_is_over(couple_store, calendar):
    store = couple_store
    this_month = calendar.first_of_this_month.isoformat()
    store.sign_in("Robin", PASSPHRASES["Robin"])
    store.save(checkin("Robin", this_month, weighing=9), share_weighing=True)
    store.sign_out()
    store.sign_in("Sam", PASSPHRASES["Sam"])
    assert store.get("Robin", this_month) is None  # sealed, shared or not, until Sam answers
    assert store.partner_view("Sam", "monthly", this_month).checkin is None
    store.save(checkin("Sam", this_month))
    assert store.partner_view("Sam", "monthly", this_month).checkin.weighing == 9


def test_kept_out_of_the_intimacy_index(store):
    store.save(checkin("Robin", "2026-09-01", emotional=7))
    store.save(checkin("Robin", "2026-10-01", emotional=7))
    before = analysis.monthly_table(store.frame())
    store.save(checkin("Robin", "2026-10-01", emotional=7, weighing=10), share_weighing=True)
    store.save(checkin("Robin", "2026-09-01", emotional=7, weighing=1), share_weighing=True)
    frame = store.frame()
    assert "weighing" not in frame.columns
    pd.testing.assert_frame_equal(analysis.monthly_table(frame), before)
    assert "weighing" not in inspect.getsource(analysis)


# -- CSV --------------------------------------------------------------------------------------------


def test_csv_round_trip_is_exact_and_an_old_file_still_imports(tmp_path, fast_keys):
    db = tmp_path / "a.db"
    with Store(db) as store:
        store.save(checkin("Robin", "2026-09-01", weighing=4))
        store.save(checkin("Robin", "2026-10-01", weighing=8))
        store.save(checkin("Sam", "2026-10-01"))
        for person in ("Robin", "Sam"):
            store.sign_in(person)
        text = to_csv(store.checkins())
    assert text.splitlines()[0] == ",".join(IMPORT_COLUMNS)
    assert text.splitlines()[1].endswith(",4") and text.splitlines()[3].endswith(",")
    exported = tmp_path / "out.csv"
    exported.write_text(text, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    assert import_checkins(exported, fresh).added == 3
    with Store(fresh) as again:
        for person in ("Robin", "Sam"):
            again.sign_in(person)
        assert to_csv(again.checkins()) == text
        assert import_checkins(exported, fresh).unchanged == 3
    # a file written before the column existed: it imports, and what was saved stays
    old = tmp_path / "old.csv"
    old.write_text(HEADER + "\n2026-10-01,Robin,,7,6,6,6,6,6,,,,,,,\n", encoding="utf-8")
    assert import_checkins(old, fresh).updated == 1
    with Store(fresh) as again:
        again.sign_in("Robin")
        current = again.get("Robin", "2026-10-01")
        assert (current.scores["passion"], current.weighing) == (7, 8)
    # a store that holds no weighing writes the file it always wrote
    with Store(tmp_path / "plain.db") as plain:
        plain.save(checkin("Robin", "2026-10-01"))
        assert to_csv(plain.checkins()).splitlines()[0] == HEADER


def test_csv_with_a_bad_weighing_names_line_and_column_and_changes_nothing(tmp_path):
    db = tmp_path / "a.db"
    with Store(db) as store:
        store.save(checkin("Robin", "2026-09-01", weighing=4))
        versions = store.version_count()
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(IMPORT_COLUMNS) + "\n2026-09-01,Robin,,6,6,6,6,6,6,,,,,,,,5\n"
                   "2026-10-01,Robin,,6,6,6,6,6,6,,,,,,,,11\n2026-11-01,Robin,,6,6,6,6,6,6,,,,,,,,x\n",
                   encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        import_checkins(bad, db)
    said = [str(problem) for problem in caught.value.problems]
    assert said == [f"{bad}, line 3, column weighing: 11 is out of range: how life is weighing goes from 1 to 10",
                    f"{bad}, line 4, column weighing: 'x' is not a whole number from 1 to 10"]
    with Store(db) as store:
        assert store.version_count() == versions
        store.sign_in("Robin")
        assert store.get("Robin", "2026-09-01").weighing == 4
    with pytest.raises(ImportFileError):
        parse_checkins(bad.read_text(encoding="utf-8"), str(bad))


# -- the schema ---------------------------------------------------------------------------------------


def test_a_store_of_the_schema_before_is_upgraded_with_a_copy_kept(db_path):
    # the version just before ours, wherever ours is in the list
    before = next(i for i, m in enumerate(migrations.MIGRATIONS) if m.__name__ == "_appreciations_and_weighing")
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
    migrations.apply(conn, start=0, stop=before)
    conn.execute("INSERT INTO people (name, created_at) VALUES ('Robin', '2026-10-02T00:00:00+00:00')")
    conn.execute("INSERT INTO checkin_versions (person, cadence, period_start, " + ", ".join(KEYS)
                 + ", saved_at) VALUES ('Robin', 'monthly', '2026-10-01', 6, 6, 6, 6, 6, 6, '2026-10-02')")
    conn.execute("INSERT INTO checkins VALUES ('Robin', 'monthly', '2026-10-01', 1)")
    conn.execute("COMMIT")
    conn.close()
    with Store(db_path) as s:
        assert s.schema_version == migrations.SCHEMA_VERSION
        s.sign_in("Robin")
        assert s.get("Robin", "2026-10-01").weighing is None
        assert s.appreciations("Robin") == []
    assert db_path.with_name(f"{db_path.name}.schema-v{before}.bak").exists()


# -- the letter's analytics ----------------------------------------------------------------------------


def test_a_month_is_described_beside_the_scores_and_no_link_is_claimed(store):
    store.save(checkin("Robin", "2026-09-01", weighing=4, emotional=8, intellectual=8), share_weighing=True)
    store.save(checkin("Robin", "2026-10-01", weighing=8, emotional=5, intellectual=5), share_weighing=True)
    (robin,) = weighing.month_weight(store, "2026-10")
    assert (robin.weighing, robin.previous, robin.heavier, robin.scores) == (8.0, 4.0, 1, -1)
    assert robin.words.startswith("Life weighed 8 of 10 on Robin this month, heavier than the 4 of the month before")
    assert "because" not in robin.words and "link" not in robin.words
    assert weighing.went_together(store, "Robin", "2026-10") is None  # one month says nothing


def test_on_random_data_only_counts_are_said_never_a_cause(store):
    rng = random.Random(21)
    month = dt.date(2025, 1, 1)
    for i in range(14):
        day = (month.replace(year=2025 + (i // 12), month=i % 12 + 1)).isoformat()
        store.save(CheckIn.create(person="Robin", date=day, scores={k: rng.randint(3, 9) for k in KEYS},
                                  weighing=rng.randint(1, 10)), share_weighing=True)
    count = weighing.went_together(store, "Robin", "2026-02", months=12)
    assert count is not None and count.months >= weighing.MIN_MONTHS
    assert "not a cause" in count.words and "because" not in count.words
    for m in store.months():
        for described in weighing.month_weight(store, m):
            assert "because" not in described.words and "caused" not in described.words


def test_the_third_imbalance_closeness_wanted_while_life_weighs_on_the_other(store):
    store.save(checkin("Robin", "2026-10-01", emotional=5, physical=5, desired_emotional=8, desired_physical=8))
    store.save(checkin("Sam", "2026-10-01", weighing=8, emotional=6, physical=6, desired_emotional=6,
                       desired_physical=5))
    assert weighing.closeness_and_weight(store, "2026-10") is None  # Sam's weighing is not shared
    store.sign_in("Sam")  # a report Sam signed in to may read it
    found = weighing.closeness_and_weight(store, "2026-10")
    assert found is not None and (found.closer, found.space, found.weighing) == ("Robin", "Sam", 8.0)
    store.sign_out()
    store.save(checkin("Sam", "2026-10-01", weighing=8, emotional=6, physical=6, desired_emotional=6,
                       desired_physical=5), share_weighing=True)
    assert weighing.closeness_and_weight(store, "2026-10") is not None
    # light weighing, or no wishes: nothing is said
    store.save(checkin("Sam", "2026-10-01", weighing=3, emotional=6, physical=6, desired_emotional=6,
                       desired_physical=5))
    assert weighing.closeness_and_weight(store, "2026-10") is None
    assert weighing.closeness_and_weight(store, "2026-09") is None


def test_the_demo_couple_has_a_heavier_stretch_and_the_third_imbalance():
    from reflect.storage import demo

    with Store(":memory:") as store:
        demo.fill(store, end="2026-11")
        months = store.months()
        heavy = [m for m in months if any(w.weighing >= weighing.HEAVY for w in weighing.month_weight(store, m))]
        assert len(heavy) >= 6
        assert any(weighing.closeness_and_weight(store, m) for m in months)
        # the demo shares its weighing, and the scores are those the demo always had
        assert demo.generate(end="2026-11")[0].weighing is not None


# -- the form ------------------------------------------------------------------------------------------


def test_the_form_saves_it_only_when_moved_and_shares_it_only_when_ticked(store):
    form = CheckInForm(store, today=dt.date(2026, 10, 17))
    form.who.value = "Robin"
    form.no_passphrase.value = True
    assert form.weighing.value is None and "Not given" in form.weighing.state.value
    form.save_button.click()
    assert store.get("Robin", "2026-10-01").weighing is None
    form.weighing.slider.value = 7
    form.save_button.click()
    saved = store.get("Robin", "2026-10-01")
    assert (saved.weighing, saved.weighing_shared) == (7, False)
    assert "Life weighing on you: 7 of 10, yours alone." in form.message.value
    form.weighing.share.value = True
    form.save_button.click()
    assert store.get("Robin", "2026-10-01").weighing_shared
    form.weighing.leave_out.click()
    assert form.weighing.value is None
    form.save_button.click()
    assert store.get("Robin", "2026-10-01").weighing is None
    # a new period does not start from last time's weighing
    form.weighing.slider.value = 9
    form.save_button.click()
    form.date.value = dt.date(2026, 9, 3)
    assert form.weighing.value is None


# -- on the command line, as a person runs it ----------------------------------------------------------

SCORE_FLAGS = [f"--{k}=6" for k in KEYS]


@pytest.mark.parametrize("bad, said", [("11", "reflect: weighing: 11 is out of range: how life is weighing goes "
                                               "from 1 to 10"),
                                       ("0", "reflect: weighing: 0 is out of range"),
                                       ("x", "reflect: weighing: 'x' is not a whole number from 1 to 10")])
def test_reflect_add_refuses_a_bad_weighing_and_saves_nothing(couple_cli, passphrase_files, home, bad, said):
    db = home / "data" / "reflect.db"
    before = (db.read_bytes(), migrations.SCHEMA_VERSION)
    r = couple_cli("add", "-p", "Sam", *SCORE_FLAGS, "--weighing", bad, "--passphrase-file", passphrase_files["Sam"])
    assert r.returncode == 1 and r.stderr.strip().startswith(said), r
    with Store(db) as store:
        assert store.count() == 0
    assert db.read_bytes() == before[0]


def test_reflect_add_keeps_it_yours_unless_shared(couple_cli, passphrase_files, home, calendar):
    sam, robin = passphrase_files["Sam"], passphrase_files["Robin"]
    last = calendar.first_of_last_month.isoformat()
    r = couple_cli("add", "-p", "Sam", "-d", last, *SCORE_FLAGS, "--weighing", "8", "--passphrase-file", sam)
    assert r.returncode == 0, r
    assert couple_cli("add", "-p", "Robin", "-d", last, *SCORE_FLAGS, "--passphrase-file", robin).returncode == 0
    # a correction without --weighing keeps it
    assert couple_cli("add", "-p", "Sam", "-d", last, *SCORE_FLAGS[:-1], "--spiritual=7", "--passphrase-file",
                      sam).returncode == 0
    db = home / "data" / "reflect.db"
    with Store(db) as store:
        store.sign_in("Robin", PASSPHRASES["Robin"])
        assert store.get("Sam", last).weighing is None  # Robin does not see it
        store.sign_out()
        store.sign_in("Sam", PASSPHRASES["Sam"])
        assert store.get("Sam", last).weighing == 8
    r = couple_cli("add", "-p", "Sam", "-d", last, *SCORE_FLAGS[:-1], "--spiritual=7", "--share-weighing",
                   "--passphrase-file", sam)
    assert r.returncode == 0 and "Updated" in r.stdout, r
    with Store(db) as store:
        store.sign_in("Robin", PASSPHRASES["Robin"])
        assert store.partner_view("Robin", "monthly", last).checkin.weighing == 8
