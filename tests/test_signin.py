"""Each partner a person: passphrases, signing in, sealing until both have answered, sealed notes.

Every promise is tried as the other partner would try to break it: through the Store, the form
and the raw bytes of the file.
"""

from __future__ import annotations

import datetime as dt
import html
import sqlite3
import time

import pytest

from reflect.domain.dimensions import KEYS
from reflect.domain.rituals import Ritual
from reflect.errors import NotSignedIn, SignInDelayed, ValidationError, WrongPassphrase
from reflect.storage import migrations
from reflect.storage.store import Store
from reflect.views.widgets import CheckInForm

from .helpers import make_checkin, store_bytes

pytestmark = pytest.mark.usefixtures("fast_keys")  # tests need no slow key derivation; the real cost is benchmarked

#: "Today" for the stores and forms here (store.today, CheckInForm(today=...)): October 2026 is not
#: over, September is; fixed, so that no test depends on the day it runs.
TODAY = dt.date(2026, 10, 20)
THIS_MONTH = "2026-10-01"
LAST_MONTH = "2026-09-01"
SECRET = "The thing I have not said yet"


@pytest.fixture
def october_couple(couple_store):
    """The couple store (Robin and Sam with passphrases, nobody signed in), on TODAY."""
    couple_store.today = lambda: TODAY
    return couple_store


@pytest.fixture
def october_store(store):
    """A store in memory, on TODAY."""
    store.today = lambda: TODAY
    return store


def saved_as(store, person, passphrase, checkin, **kw):
    store.sign_in(person, passphrase)
    try:
        return store.save(checkin, **kw)
    finally:
        store.sign_out(person)


# -- passphrases and signing in ------------------------------------------------------------------


def test_a_protected_person_cannot_be_written_for_without_signing_in(october_couple):
    with pytest.raises(NotSignedIn, match="sign in as Robin"):
        october_couple.save(make_checkin("Robin", THIS_MONTH))
    with pytest.raises(NotSignedIn):
        october_couple.save_many([make_checkin("Sam", LAST_MONTH)])
    with pytest.raises(NotSignedIn):
        october_couple.log_ritual(Ritual.create(day=TODAY, kind="hug", person="Robin"))
    with pytest.raises(NotSignedIn):
        october_couple.history("Robin", THIS_MONTH)
    assert october_couple.version_count() == 0
    october_couple.log_ritual(Ritual.create(day=TODAY, kind="hug"))  # together: nobody's alone


def test_signing_in_as_one_partner_does_not_let_them_write_for_the_other(october_couple):
    october_couple.sign_in("Sam", "sam's own words")
    with pytest.raises(NotSignedIn):
        october_couple.save(make_checkin("Robin", THIS_MONTH, passion=1))
    october_couple.save(make_checkin("Sam", THIS_MONTH))
    assert [c.person for c in october_couple.checkins()] == ["Sam"]


def test_a_wrong_passphrase_is_refused_and_then_slowed(october_couple):
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            october_couple.sign_in("Robin", "a guess, a guess")
    with pytest.raises(SignInDelayed) as delayed:
        october_couple.sign_in("Robin", "robin's words")  # even the right one must wait now
    assert 0 < delayed.value.wait <= 1.0
    time.sleep(delayed.value.wait + 0.05)
    with pytest.raises(WrongPassphrase, match="wait 2 s"):
        october_couple.sign_in("Robin", "another guess")
    time.sleep(2.05)
    october_couple.sign_in("Robin", "robin's words")
    assert "Robin" in october_couple.signed_in
    # a success starts the count again
    with pytest.raises(WrongPassphrase):
        october_couple.sign_in("Robin", "wrong once")


def test_the_delay_is_kept_in_the_store_so_a_new_process_cannot_skip_it(october_couple, db_path):
    for _ in range(4):
        with pytest.raises((WrongPassphrase, SignInDelayed)):
            october_couple.sign_in("Sam", "guess guess")
    with Store(db_path) as other, pytest.raises(SignInDelayed):
        other.sign_in("Sam", "sam's own words")


def test_passphrases_must_be_a_few_characters_and_names_must_be_known(october_couple):
    with pytest.raises(ValidationError, match="at least 6"):
        october_couple.set_passphrase("Robin", "abc")
    with pytest.raises(ValidationError, match="no one called Alex"):
        october_couple.sign_in("Alex", "whatever words")
    with pytest.raises(ValidationError, match="already has a passphrase"):
        october_couple.add_person("Robin", "taking over robin")


def test_a_passphrase_change_keeps_every_note_readable(october_couple):
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", LAST_MONTH, note=SECRET))
    october_couple.set_passphrase("Robin", "a brand new phrase", old="robin's words")
    october_couple.sign_out()
    with pytest.raises(WrongPassphrase):
        october_couple.sign_in("Robin", "robin's words")
    october_couple.sign_in("Robin", "a brand new phrase")
    assert october_couple.get("Robin", LAST_MONTH).note == SECRET
    assert [e.event for e in october_couple.people_events("Robin")] == ["passphrase-set", "passphrase-changed"]


def test_changing_a_passphrase_needs_the_old_one_or_being_signed_in(october_couple):
    with pytest.raises(NotSignedIn):
        october_couple.set_passphrase("Robin", "sam takes over")
    with pytest.raises(WrongPassphrase):
        october_couple.set_passphrase("Robin", "sam takes over", old="a guess at it")


def test_a_reset_keeps_the_scores_seals_old_notes_for_ever_and_is_recorded(october_couple):
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", LAST_MONTH, passion=7, note=SECRET))
    october_couple.reset_passphrase("Robin", "forgot it, new one")
    october_couple.sign_out()
    october_couple.sign_in("Robin", "forgot it, new one")
    old = october_couple.get("Robin", LAST_MONTH)
    assert old.scores["passion"] == 7 and old.note is None  # sealed for ever, never deleted
    raw = october_couple.connection.execute("SELECT note_sealed FROM checkin_versions").fetchone()[0]
    assert raw  # still there
    assert [e.event for e in october_couple.people_events()][-1] == "passphrase-reset"
    form = CheckInForm(october_couple, today=TODAY)
    form.who.value = "Sam"
    form.passphrase.value = "sam's own words"
    form.sign_in_button.click()
    assert "Robin's passphrase was reset on" in form.partner.value
    saved_as(october_couple, "Robin", "forgot it, new one", make_checkin("Robin", THIS_MONTH, note="a new note"))
    october_couple.sign_in("Robin", "forgot it, new one")
    assert october_couple.get("Robin", THIS_MONTH).note == "a new note"


# -- sealed until both have answered ------------------------------------------------------------


def test_a_period_not_over_is_sealed_until_the_partner_answers(october_couple):
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", THIS_MONTH, passion=9))
    # nobody signed in (the CLI's list, summary, the report): nothing of this month
    assert october_couple.checkins() == [] and october_couple.frame().empty
    assert october_couple.months() == [] and october_couple.latest_month() is None
    assert october_couple.answered("monthly", THIS_MONTH) == ["Robin"]  # that Robin answered is no secret
    # Sam, signed in, sees nothing of Robin's month before answering
    october_couple.sign_in("Sam", "sam's own words")
    assert october_couple.get("Robin", THIS_MONTH) is None
    october_couple.save(make_checkin("Sam", THIS_MONTH, passion=4))
    assert october_couple.get("Robin", THIS_MONTH).scores["passion"] == 9
    october_couple.sign_out()
    # both answered: shown to anyone who looks
    assert sorted(c.person for c in october_couple.checkins()) == ["Robin", "Sam"]
    assert set(october_couple.frame()["person"]) == {"Robin", "Sam"}


def test_the_writer_always_sees_their_own(october_couple):
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", THIS_MONTH, passion=9))
    october_couple.sign_in("Robin", "robin's words")
    assert october_couple.get("Robin", THIS_MONTH).scores["passion"] == 9


def test_a_period_that_is_over_is_shown_even_if_one_never_answered(october_couple):
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", LAST_MONTH, passion=3))
    assert [c.person for c in october_couple.checkins()] == ["Robin"]
    october_couple.today = lambda: dt.date.fromisoformat(LAST_MONTH) + dt.timedelta(days=3)
    assert october_couple.checkins() == []  # as it was during that month


@pytest.mark.parametrize("cadence, start, end", [
    ("weekly", dt.date(2026, 11, 16), dt.date(2026, 11, 23)),
    ("daily", dt.date(2026, 11, 20), dt.date(2026, 11, 21)),
])
def test_weekly_and_daily_check_ins_are_sealed_for_their_own_period(october_couple, cadence, start, end):
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", start.isoformat(), cadence=cadence))
    october_couple.today = lambda: end - dt.timedelta(days=1)
    assert october_couple.checkins() == []
    october_couple.today = lambda: end
    assert len(october_couple.checkins()) == 1
    # the partner's answer of another cadence does not open it
    october_couple.today = lambda: end - dt.timedelta(days=1)
    saved_as(october_couple, "Sam", "sam's own words", make_checkin("Sam", start.isoformat(), cadence="monthly"))
    assert [c.cadence for c in october_couple.checkins()] == []
    saved_as(october_couple, "Sam", "sam's own words", make_checkin("Sam", start.isoformat(), cadence=cadence))
    assert len(october_couple.checkins(cadence=cadence)) == 2


def test_a_solo_person_has_nothing_to_wait_for(october_store):
    october_store.add_person("Robin", None)
    october_store.sign_out()
    october_store.save(make_checkin("Robin", THIS_MONTH))
    october_store.sign_out()
    assert len(october_store.checkins()) == 1


# -- notes belong to their writer ---------------------------------------------------------------


def test_a_protected_note_is_nowhere_in_the_file_its_wal_history_or_a_backup(october_couple, db_path, tmp_path):
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", LAST_MONTH, note=SECRET))
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", LAST_MONTH, note=SECRET + " (v2)"))
    assert SECRET.encode() not in store_bytes(db_path)
    assert SECRET.encode("utf-16-le") not in store_bytes(db_path)
    backup = october_couple.backup(tmp_path / "copy.db")
    assert SECRET.encode() not in store_bytes(backup)
    # the writer reads every version; the partner none, even signed in
    october_couple.sign_in("Robin", "robin's words")
    assert [v.checkin.note for v in october_couple.history("Robin", LAST_MONTH)] == [SECRET, SECRET + " (v2)"]
    october_couple.sign_out()
    october_couple.sign_in("Sam", "sam's own words")
    assert october_couple.get("Robin", LAST_MONTH).note is None
    assert october_couple.frame(include_notes=True)["note"].isna().all()
    assert october_couple.signed_in_notes() == []


def test_a_shared_note_is_revealed_like_the_scores_and_can_be_unshared(october_couple):
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", THIS_MONTH, note=SECRET), share_note=True)
    october_couple.sign_in("Sam", "sam's own words")
    assert october_couple.get("Robin", THIS_MONTH) is None  # sealed: Sam has not answered
    october_couple.save(make_checkin("Sam", THIS_MONTH))
    assert october_couple.get("Robin", THIS_MONTH).note == SECRET
    october_couple.sign_out()
    assert october_couple.get("Robin", THIS_MONTH).note is None  # nobody signed in: still Robin's
    october_couple.sign_in("Robin", "robin's words")
    october_couple.share_note("Robin", THIS_MONTH, shared=False)
    october_couple.sign_out()
    october_couple.sign_in("Sam", "sam's own words")
    assert october_couple.get("Robin", THIS_MONTH).note is None


def test_a_note_shared_before_the_partner_had_a_passphrase_reaches_them_later(october_store):
    october_store.add_person("Robin", "robin's words")
    october_store.save(make_checkin("Robin", LAST_MONTH, note=SECRET), share_note=True)
    october_store.sign_out()
    october_store.add_person("Sam", "sam's own words")  # Sam chooses one after Robin shared
    assert october_store.get("Robin", LAST_MONTH).note is None  # Robin has not signed in since
    october_store.sign_out()
    october_store.sign_in("Robin", "robin's words")  # Robin's sign-in shares it with Sam's new key
    october_store.sign_out()
    october_store.sign_in("Sam", "sam's own words")
    assert october_store.get("Robin", LAST_MONTH).note == SECRET


def test_a_sealed_note_copied_to_another_row_does_not_open(october_couple):
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", LAST_MONTH, note=SECRET))
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", THIS_MONTH, note="harmless"))
    conn = october_couple.connection
    sealed = conn.execute("SELECT note_sealed, note_cek FROM checkin_versions WHERE period_start = ?",
                          (LAST_MONTH,)).fetchone()
    conn.execute("UPDATE checkin_versions SET note_sealed = ?, note_cek = ? WHERE period_start = ?",
                 (sealed[0], sealed[1], THIS_MONTH))
    october_couple.sign_in("Robin", "robin's words")
    with pytest.raises(Exception):  # noqa: B017 - the AES-GCM tag check refuses it
        october_couple.get("Robin", THIS_MONTH)


def test_an_unprotected_persons_notes_stay_as_they_were(october_store):
    october_store.save(make_checkin("Robin", LAST_MONTH, note="plain as before"))
    october_store.sign_out()
    assert october_store.get("Robin", LAST_MONTH).note == "plain as before"


def test_choosing_a_passphrase_later_seals_earlier_notes_in_the_file(db_path):
    with Store(db_path) as s:
        s.save(make_checkin("Robin", LAST_MONTH, note=SECRET))
        s.save(make_checkin("Robin", LAST_MONTH, note=SECRET + " again"))
        s.set_passphrase("Robin", "robin's words")
        s.sign_out()
        assert s.get("Robin", LAST_MONTH).note is None
    assert SECRET.encode() not in store_bytes(db_path)
    with Store(db_path) as s:
        s.sign_in("Robin", "robin's words")
        assert [v.checkin.note for v in s.history("Robin", LAST_MONTH)] == [SECRET, SECRET + " again"]


# -- an older store ----------------------------------------------------------------------------------------


def test_a_schema_3_store_is_migrated_and_its_people_are_unprotected(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
    migrations.apply(conn, start=0, stop=3)
    conn.execute(
        "INSERT INTO checkin_versions (person, cadence, period_start, " + ", ".join(KEYS)
        + ", note, saved_at) VALUES ('Robin', 'monthly', ?, 6, 7, 5, 8, 6, 7, 'old note', '2026-09-02T10:00:00')",
        (LAST_MONTH,))
    conn.execute("INSERT INTO checkins VALUES ('Robin', 'monthly', ?, 1)", (LAST_MONTH,))
    conn.execute("INSERT INTO ritual_versions (person, day, kind, done, saved_at) "
                 "VALUES ('Sam', '2026-09-03', 'hug', 1, '2026-09-03T10:00:00')")
    conn.execute("INSERT INTO rituals VALUES ('Sam', '2026-09-03', 'hug', 1)")
    conn.execute("COMMIT")
    conn.close()
    with Store(db_path) as s:
        assert s.schema_version == migrations.SCHEMA_VERSION >= 4
        assert [(p.name, p.protected) for p in s.persons()] == [("Robin", False), ("Sam", False)]
        assert s.get("Robin", LAST_MONTH).note == "old note"
        s.save(make_checkin("Robin", LAST_MONTH, passion=9))  # no passphrase: works as before
    kept = db_path.with_name(db_path.name + ".schema-v3.bak")
    assert kept.exists()
    with sqlite3.connect(kept) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 3


# -- the form -------------------------------------------------------------------------------------


def rate(form, **ratings):
    for key, value in ratings.items():
        form.rows[key].score.value = value


def test_the_form_asks_a_new_name_to_choose_a_passphrase_then_signs_out_and_clears(october_store):
    form = CheckInForm(october_store, today=TODAY)
    form.who.value = "Robin"
    assert form.setup_box.layout.display is None and "Choose a passphrase" in form.setup_words.value
    rate(form, passion=8)
    form.note.value = SECRET
    form.new_passphrase.value = "robin's words"
    form.new_passphrase_again.value = "not the same"
    form.save_button.click()
    assert "not the same" in form.message.value and october_store.version_count() == 0
    form.new_passphrase.value = form.new_passphrase_again.value = "robin's words"
    form.save_button.click()
    assert "Saved Robin's monthly check-in" in form.message.value
    assert "press <b>Done</b>" in form.message.value and form.done_button.layout.display is None
    form.done_button.click()
    assert "signed out" in form.message.value
    assert october_store.is_protected("Robin") and october_store.signed_in == frozenset()
    assert form.who.value == "" and form.note.value == "" and form.rows["passion"].score.value == 5
    assert SECRET not in repr([x.get_state() for x in _every(form.widget)])


def _every(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _every(child)


def test_the_partner_picking_a_protected_name_sees_nothing_and_cannot_save(october_couple):
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", THIS_MONTH, passion=9, note=SECRET))
    form = CheckInForm(october_couple, today=TODAY)
    form.who.value = "Robin"
    assert form.sign_in_box.layout.display is None and form.body.layout.display == "none"
    shown = repr([x.get_state() for x in _every(form.widget)])
    assert SECRET not in shown and form.rows["passion"].score.value == 5
    form.save_button.click()  # hidden, but a click from code still goes nowhere
    assert october_couple.version_count() == 1
    form.passphrase.value = "sam's own words"
    form.sign_in_button.click()
    assert "not Robin's passphrase" in html.unescape(form.sign_in_message.value)
    assert form.passphrase.value == ""


def test_signing_in_loads_the_check_in_and_the_note_stays_hidden_until_asked(october_couple):
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", THIS_MONTH, passion=9, note=SECRET))
    form = CheckInForm(october_couple, today=TODAY)
    form.who.value = "Robin"
    form.passphrase.value = "robin's words"
    form.sign_in_button.click()
    assert form.rows["passion"].score.value == 9 and form.body.layout.display is None
    assert form.note.value == "" and form.show_note.layout.display is None
    form.show_note.click()
    assert form.note.value == SECRET
    assert "Sam has not answered" in form.partner.value


def test_the_form_says_what_is_sealed_and_shows_it_once_both_answered(october_couple):
    saved_as(october_couple, "Robin", "robin's words", make_checkin("Robin", THIS_MONTH, passion=9, note=SECRET),
             share_note=True)
    form = CheckInForm(october_couple, today=TODAY)
    form.who.value = "Sam"
    form.passphrase.value = "sam's own words"
    form.sign_in_button.click()
    assert "Robin has answered" in form.partner.value and "once you have given yours" in form.partner.value
    assert "9" not in form.partner.value
    rate(form, passion=4)
    form.save_button.click()
    # the reward: this save unsealed Robin's answers, and they are shown at once, before "Done"
    assert "Now that you have both answered: <b>Robin</b>" in form.message.value
    assert "Passion 9" in form.message.value and html.escape(SECRET) in form.message.value
    assert "Passion 4" in form.message.value or "passion 4" in form.message.value.lower()
    form.done_button.click()
    assert october_couple.signed_in == frozenset()
    form.who.value = "Sam"
    form.passphrase.value = "sam's own words"
    form.sign_in_button.click()
    assert "Passion 9" in form.partner.value and SECRET in form.partner.value


def test_the_form_signs_out_after_minutes_idle(october_couple):
    form = CheckInForm(october_couple, today=TODAY)
    form.who.value = "Robin"
    form.passphrase.value = "robin's words"
    form.sign_in_button.click()
    form.note.value = "half written"
    assert not form.sign_out_if_idle(time.monotonic() + 60)
    assert form.sign_out_if_idle(time.monotonic() + form.idle_minutes * 60 + 1)
    assert october_couple.signed_in == frozenset() and form.note.value == "" and form.who.value == ""
    assert "without a touch" in form.message.value


def test_an_unprotected_person_is_invited_to_choose_a_passphrase(october_store):
    october_store.save(make_checkin("Robin", LAST_MONTH, note=SECRET))
    form = CheckInForm(october_store, today=TODAY)
    form.who.value = "Robin"
    assert "no passphrase yet" in form.setup_words.value
    form.new_passphrase.value = form.new_passphrase_again.value = "robin's words"
    form.protect_button.click()
    assert "now protected" in form.message.value and october_store.is_protected("Robin")
