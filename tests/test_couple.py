"""The couple is two people: tried as a stranger, as the partner at the same computer, and as a typo.

Each test is one way someone would try to see or change what is not theirs (issue 18): a third name
and its near misses, a stranger on the home network, a reset used as a skeleton key, guesses in
parallel, a consent signal opened with the partner's own key, and mending a store made before.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading

import pytest

from reflect.domain.consent import ConsentList
from reflect.domain.people import looks_like, near_miss
from reflect.errors import NotSignedIn, SignInDelayed, ValidationError, WrongPassphrase
from reflect.storage import keys
from reflect.storage.store import Store
from reflect.views.widgets import CheckInForm

from .helpers import make_checkin

FAST = keys.KdfParams(n=2**10)
OPEN_DAY = dt.date(2026, 10, 15)  # "today" for the store: October 2026 is not over
OCTOBER, SEPTEMBER = "2026-10-01", "2026-09-01"
ROBIN, SAM = "robin's words", "sam's own words"
HEADER = ("date,person,cadence,passion,emotional,physical,intellectual,experiential,spiritual,desired_passion,"
          "desired_emotional,desired_physical,desired_intellectual,desired_experiential,desired_spiritual,note\n")
NEAR_MISSES = ("robin", "ROBIN", "R\u043ebin", "\uff32\uff4f\uff42\uff49\uff4e", "Robin\u0301"[:-1].lower())

pytestmark = pytest.mark.usefixtures("fast_keys")


@pytest.fixture
def couple_with_checkins(db_path):
    """Robin and Sam with passphrases, each with a September and an October check-in (October not
    over); nobody signed in."""
    with Store(db_path) as s:
        s.today = lambda: OPEN_DAY
        s.add_person("Robin", ROBIN)
        s.add_person("Sam", SAM)
        for who in ("Robin", "Sam"):
            s.save(make_checkin(who, SEPTEMBER, passion=3, note=f"{who}'s September note"))
        s.save(make_checkin("Robin", OCTOBER, passion=9, note="Robin's October note"), share_note=True)
        s.sign_out()
        yield s


def dump(store):
    return list(store.connection.iterdump())


# -- a third name, and near misses ----------------------------------------------------------------------


def test_near_misses_are_found_and_other_names_are_not():
    for typed in NEAR_MISSES:
        assert near_miss(typed, ["Robin", "Sam"]) == "Robin", typed
    for other in ("Robyn", "Rob", "Robina", "Sam", "Ana", "Ann"):
        assert near_miss(other, ["Robin", "Ann"]) in (None, other) or other in ("Ann",), other
    assert looks_like("Sam", "SAM") and not looks_like("Sam", "Sal")


def test_a_third_name_and_each_near_miss_are_refused_everywhere_and_change_nothing(couple_with_checkins):
    before = dump(couple_with_checkins)
    couple_with_checkins.sign_in("Robin", ROBIN)
    for name in ("Mallory", *NEAR_MISSES):
        consent = ConsentList.create(person=name, answers={"Hugs in public": "yes"})
        for attempt in (lambda n=name: couple_with_checkins.add_person(n, "a long passphrase"),
                        lambda n=name: couple_with_checkins.add_person(n, None),
                        lambda n=name: couple_with_checkins.save(make_checkin(n, OCTOBER)),
                        lambda c=consent: couple_with_checkins.save_consent(c)):
            with pytest.raises(ValidationError) as err:
                attempt()
            assert ("did you mean Robin?" in str(err.value)) if name != "Mallory" else \
                "this store is for Robin and Sam" in str(err.value)
    couple_with_checkins.sign_out()
    assert dump(couple_with_checkins) == before


def test_the_cli_refuses_a_third_name_in_one_line_and_the_store_is_untouched(cli, home, tmp_path):
    scores = ["--passion", "5", "--emotional", "5", "--physical", "5", "--intellectual", "5",
              "--experiential", "5", "--spiritual", "5"]
    assert cli("add", "-p", "Robin", "-d", SEPTEMBER, *scores).returncode == 0
    assert cli("add", "-p", "Sam", "-d", SEPTEMBER, *scores).returncode == 0
    db = home / "data" / "reflect.db"
    before = db.read_bytes()
    for name in ("Mallory", *NEAR_MISSES):
        r = cli("add", "-p", name, "-d", SEPTEMBER, *scores)
        assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r
        assert ("did you mean Robin?" if name != "Mallory" else "this store is for Robin and Sam") in r.stderr
    csv_file = tmp_path / "three.csv"
    csv_file.write_text(HEADER + "2026-09-01,Robin,,5,5,5,5,5,5,,,,,,,\n2026-09-01,robin,,5,5,5,5,5,5,,,,,,,\n")
    r = cli("import", str(csv_file))
    assert r.returncode == 1 and "did you mean Robin?" in r.stderr and str(csv_file) in r.stderr
    assert cli("ritual", "add", "hug", "-p", "Mallory", "-d", SEPTEMBER).returncode == 1
    assert db.read_bytes() == before


def test_a_new_store_refuses_a_file_of_three_people_and_is_not_made(tmp_path):
    from reflect.storage.importing import import_checkins

    csv_file = tmp_path / "in.csv"
    csv_file.write_text(HEADER + "".join(f"2026-09-01,{n},,5,5,5,5,5,5,,,,,,,\n" for n in ("Ana", "Ben", "Cy")))
    with pytest.raises(ValidationError, match="cannot hold a third person"):
        import_checkins(csv_file, tmp_path / "new.db")
    assert not (tmp_path / "new.db").exists()


# -- mending a store made before ----------------------------------------------------------------------


def _legacy_store(db_path):
    """Robin (a passphrase) and Sam as before, with a typo 'robin' and a stray 'Mallory', as a store
    made before the rule was."""
    with Store(db_path) as s:
        s.today = lambda: OPEN_DAY
        s.add_person("Robin", ROBIN)
        s.add_person("Sam", None)
        s.save(make_checkin("Robin", SEPTEMBER, passion=3))
        s.save(make_checkin("Sam", SEPTEMBER, passion=6))
        s.sign_out()
        conn = s.connection
        for name in ("robin", "Mallory"):
            conn.execute("INSERT INTO people (name, created_at) VALUES (?, '2026-01-01T00:00:00+00:00')", (name,))
        # the typo saved October with a note, and September too (a second version of the same check-in)
        for month, passion in ((OCTOBER, 8), (SEPTEMBER, 4)):
            conn.execute("INSERT INTO checkin_versions (person, cadence, period_start, passion, emotional, physical, "
                         "intellectual, experiential, spiritual, note, saved_at, note_shared) VALUES "
                         "('robin', 'monthly', ?, ?, 5, 5, 5, 5, 5, 'typed as robin', '2030-01-01T00:00:00+00:00', 0)",
                         (month, passion))
            conn.execute("INSERT INTO checkins VALUES ('robin', 'monthly', ?, last_insert_rowid())", (month,))
    return db_path


def test_a_store_of_three_keeps_working_says_once_how_to_mend_it_and_shares_with_nobody(db_path, caplog):
    import reflect.storage.store as store_module

    store_module._TOLD_COUPLE.clear()
    _legacy_store(db_path)
    with caplog.at_level("WARNING", logger="reflect"):
        Store(db_path).close()
        Store(db_path).close()
    said = [r.message for r in caplog.records if "a store is one couple" in r.message]
    assert len(said) == 1 and "reflect person merge" in said[0]
    with Store(db_path) as s:
        s.today = lambda: OPEN_DAY
        assert s.partner_of("Robin") is None and len(s.checkins()) == 3  # September: Robin's, Sam's, the typo's
        s.sign_in("Robin", ROBIN)
        s.add_person("Mallory", "mallory's passphrase") if not s.is_protected("Mallory") else None
        s.sign_in("Robin", ROBIN)
        s.save(make_checkin("Robin", OCTOBER, note="for my partner"), share_note=True)
        assert s.connection.execute("SELECT count(*) FROM note_shares").fetchone()[0] == 0


def test_merge_moves_a_typo_into_the_person_keeping_every_version(db_path, cli):
    _legacy_store(db_path)
    robin_file = db_path.parent / "robin.pass"
    robin_file.write_text(ROBIN + "\n")
    robin_file.chmod(0o600)
    r = cli("person", "merge", "robin", "INTO", "Robin", "--passphrase-file", str(robin_file), "--db", str(db_path))
    assert r.returncode == 0, r
    assert "2 records moved, 1 saved by both" in r.stdout
    with Store(db_path) as s:
        assert s.people() == ["Mallory", "Robin", "Sam"]
        s.sign_in("Robin", ROBIN)
        assert s.get("Robin", OCTOBER).note == "typed as robin"  # sealed now with Robin's key
        history = s.history("Robin", SEPTEMBER)
        assert [v.checkin.scores["passion"] for v in history] == [3, 4]  # the later one is current
        assert s.connection.execute("SELECT count(*) FROM checkin_versions WHERE note = 'typed as robin'"
                                    ).fetchone()[0] == 0  # no note left in plain text
    r = cli("person", "remove", "Mallory", "--db", str(db_path))
    assert r.returncode == 0, r
    with Store(db_path) as s:
        assert s.people() == ["Robin", "Sam"] and s.partner_of("Robin") == "Sam" and s.couple_problem() is None
    r = cli("person", "remove", "Sam", "--db", str(db_path))
    assert r.returncode == 1 and "Sam has saved 1 record, and nothing saved is ever dropped" in r.stderr
    r = cli("person", "rename", "Sam", "Samira", "--db", str(db_path))
    assert r.returncode == 0 and "Sam is now called Samira" in r.stdout
    r = cli("person", "rename", "Robin", "Rob", "--db", str(db_path))
    assert r.returncode == 1 and "keeps its name" in r.stderr


def test_merge_into_a_person_with_a_passphrase_needs_it(db_path):
    _legacy_store(db_path)
    with Store(db_path) as s:
        with pytest.raises(NotSignedIn):
            s.merge_person("robin", "Robin")
        with pytest.raises(ValidationError, match="keeps its name"):
            s.merge_person("Robin", "Sam")
        assert s.connection.execute("SELECT count(*) FROM checkins WHERE person = 'robin'").fetchone()[0] == 2


# -- the home network: nobody new, nothing shown before signing in ---------------------------------------


def test_on_the_home_network_a_visitor_sees_nothing_of_any_period_and_makes_nobody(couple_with_checkins):
    lan = Store(couple_with_checkins.path, passphrases_required=True)
    lan.today = lambda: OPEN_DAY
    try:
        before = dump(lan)
        assert lan.checkins() == [] and lan.frame().empty and lan.months() == [] and lan.latest_month() is None
        for month in (SEPTEMBER, OCTOBER):
            assert lan.get("Robin", month) is None and lan.get("Sam", month) is None
        with pytest.raises(ValidationError, match="this store is for Robin and Sam"):  # said as it is
            lan.add_person("Mallory", "mallory's passphrase")
        with pytest.raises(NotSignedIn):
            lan.save(make_checkin("Mallory", OCTOBER))
        form = CheckInForm(lan, today=OPEN_DAY)
        for typed in ("Mallory", "robin"):
            form.who.value = typed
            assert form.body.layout.display == "none" and form.partner.value == ""
            form.date.value = dt.date(2026, 9, 3)  # a past month
            assert form.partner.value == "" and "passion" not in form.banner.value.lower()
            form.save_button.click()
        assert "did you mean Robin?" in form.banner.value
        assert dump(lan) == before
        # Signed in as one of the couple: their own, and the partner's finished month
        lan.sign_in("Sam", SAM)
        assert {(c.person, c.period_start.isoformat()) for c in lan.checkins()} == {
            ("Robin", SEPTEMBER), ("Sam", SEPTEMBER)}
    finally:
        lan.close()


def test_the_form_shows_a_new_name_no_partner_lines_at_the_computer_either(db_path):
    with Store(db_path) as s:
        s.save(make_checkin("Robin", SEPTEMBER, passion=2))
        form = CheckInForm(s, today=OPEN_DAY)
        form.no_passphrase.value = True
        form.who.value = "Sam"  # not saved yet: not the partner yet
        form.date.value = dt.date(2026, 9, 3)
        assert form.partner.value == ""


# -- a reset is not a skeleton key ---------------------------------------------------------------------------


def test_a_reset_opens_nothing_saved_before_it_records_who_and_tells_the_person(couple_with_checkins):
    couple_with_checkins.sign_in("Sam", SAM)  # Sam, at the computer, resets Robin's passphrase
    couple_with_checkins.reset_passphrase("Robin", "sam chose this one")
    event = couple_with_checkins.people_events("Robin")[-1]
    assert (event.event, event.by) == ("passphrase-reset", "Sam")
    couple_with_checkins.sign_out()
    couple_with_checkins.sign_in("Robin", "sam chose this one")
    october = couple_with_checkins.get("Robin", OCTOBER)
    assert october is None  # sealed: saved before the reset, October not over, Sam has not answered
    with pytest.raises(NotSignedIn, match="saved before"):
        couple_with_checkins.save(make_checkin("Robin", OCTOBER, passion=1))
    with pytest.raises(NotSignedIn):
        couple_with_checkins.history("Robin", OCTOBER)
    assert couple_with_checkins.get("Robin", SEPTEMBER).note is None  # over: the scores show, the old note never
    assert "while Sam was signed in" in " ".join(couple_with_checkins.notices("Robin"))
    assert couple_with_checkins.notices("Robin") == []  # told once
    couple_with_checkins.sign_out()
    couple_with_checkins.sign_in("Robin", "sam chose this one")
    assert couple_with_checkins.notices("Robin") == []
    couple_with_checkins.sign_out()
    with pytest.raises(WrongPassphrase, match="until it was reset on .* while Sam was signed in"):
        couple_with_checkins.sign_in("Robin", ROBIN)  # the real Robin, with her own passphrase, learns what happened
    couple_with_checkins.today = lambda: dt.date(2026, 11, 2)  # once October is over, the scores show as everyone's
    october = couple_with_checkins.get("Robin", OCTOBER)
    assert october.scores["passion"] == 9 and october.note is None


# -- one guess per wait ----------------------------------------------------------------------------------


def test_guesses_started_together_are_evaluated_one_per_wait(couple_with_checkins, monkeypatch):
    evaluated = []
    real_unlock = keys.unlock

    def counting(wrapped, passphrase, person):
        evaluated.append(passphrase)
        return real_unlock(wrapped, passphrase, person)

    monkeypatch.setattr(keys, "unlock", counting)
    for _ in range(3):  # the free tries
        with pytest.raises(WrongPassphrase):
            couple_with_checkins.sign_in("Sam", "a wrong guess")
    evaluated.clear()
    stores = [Store(couple_with_checkins.path) for _ in range(8)]
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def guess(store, n):
        barrier.wait()
        try:
            store.sign_in("Sam", f"guess number {n}")
        except SignInDelayed as exc:
            outcomes.append("waited")
            assert "0 s" not in str(exc)
        except WrongPassphrase:
            outcomes.append("wrong")

    threads = [threading.Thread(target=guess, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert len(evaluated) <= 1 and sorted(outcomes).count("waited") >= 7, outcomes


def test_the_right_passphrase_works_once_the_wait_has_passed(couple_with_checkins):
    for _ in range(4):
        with pytest.raises((WrongPassphrase, SignInDelayed)):
            couple_with_checkins.sign_in("Sam", "a wrong guess")
    couple_with_checkins.connection.execute(
        "UPDATE people SET failed_at = '2000-01-01T00:00:00+00:00' WHERE name = 'Sam'")
    couple_with_checkins.sign_in("Sam", SAM)
    assert "Sam" in couple_with_checkins.signed_in


# -- the consent signal --------------------------------------------------------------------------------------


def _signal(store, writer, reader, passphrase):
    """The signal ``writer`` left for ``reader``, opened with the reader's own key, as the partner's
    own kit (or a partner reading the file with a script) could."""
    store.sign_in(reader, passphrase)
    key_id, unlocked = store._keys[reader]
    box = store.connection.execute("SELECT box FROM consent_signals WHERE writer = ? AND reader = ?",
                                   (writer, reader)).fetchone()[0]
    store.sign_out(reader)
    return json.loads(keys.open_sealed_for(unlocked, box, context=f"consent signal|{writer}", reader=reader))


def test_the_consent_signal_holds_no_not_now_before_both_show_and_never_a_no(couple_with_checkins):
    robin = ConsentList.create(person="Robin", show_not_now=True, answers={
        "Hugs in public": "yes", "Talking about money": "not now", "A long massage": "no"})
    couple_with_checkins.sign_in("Robin", ROBIN)
    couple_with_checkins.save_consent(robin)
    couple_with_checkins.sign_out()
    seen = _signal(couple_with_checkins, "Robin", "Sam", SAM)
    assert set(seen) == {"yes", "not_now", "show_not_now"}
    assert seen["not_now"] == [] and seen["yes"] == ["hugs in public"]
    assert "massage" not in json.dumps(seen)
    couple_with_checkins.sign_in("Sam", SAM)
    couple_with_checkins.save_consent(
        ConsentList.create(person="Sam", show_not_now=True, answers={"Hugs in public": "no"}))
    couple_with_checkins.sign_out()
    assert _signal(couple_with_checkins, "Robin", "Sam", SAM)["not_now"] == []  # not until Robin's kit knows
    couple_with_checkins.sign_in("Robin", ROBIN)
    couple_with_checkins.sign_out()
    seen = _signal(couple_with_checkins, "Robin", "Sam", SAM)
    assert seen["not_now"] == ["talking about money"] and "massage" not in json.dumps(seen)
    sam_seen = _signal(couple_with_checkins, "Sam", "Robin", ROBIN)
    assert sam_seen["yes"] == [] and sam_seen["not_now"] == []  # Sam's no looks like no answer


def test_shares_and_signals_go_to_the_partner_alone(couple_with_checkins):
    rows = couple_with_checkins.connection.execute("SELECT DISTINCT reader FROM note_shares").fetchall()
    assert [r[0] for r in rows] == ["Sam"]
    with pytest.raises(sqlite3.IntegrityError):
        couple_with_checkins.connection.execute("INSERT INTO people (name, created_at) VALUES ('Robin', 'x')")


def test_the_form_tells_a_person_at_sign_in_that_their_passphrase_was_reset(couple_with_checkins):
    from reflect.views.widgets import this_month_at_a_glance

    couple_with_checkins.sign_in("Sam", SAM)
    couple_with_checkins.reset_passphrase("Robin", "sam chose this one")
    couple_with_checkins.sign_out()
    form = CheckInForm(couple_with_checkins, today=OPEN_DAY)
    glance = this_month_at_a_glance(form)
    form.who.value = "Robin"  # not signed in: the glance says nothing of Robin's months
    assert "Sign in above" in glance.value and "September" not in glance.value
    form.passphrase.value = "sam chose this one"
    form.sign_in_button.click()
    assert "Robin, your passphrase was reset on" in form.message.value
    assert "while Sam was signed in" in form.message.value
    assert "September 2026" in glance.value  # signed in: the month before shows


def test_on_the_home_network_a_visitor_sees_none_of_what_the_two_share(couple_with_checkins):
    from reflect.domain.agreements import Agreement
    from reflect.domain.lifeevents import LifeEvent
    from reflect.domain.rituals import Ritual
    from reflect.views.quicklog import QuickLog

    couple_with_checkins.sign_in("Robin", ROBIN)
    couple_with_checkins.log_ritual(Ritual.create(day="2026-10-03", kind="hug"))
    couple_with_checkins.save_agreement(Agreement.create(month="2026-10", text="A walk after dinner on Sundays"))
    couple_with_checkins.mark_event(LifeEvent.create(day="2026-09-14", kind="move", words="Our new flat"))
    couple_with_checkins.sign_out()
    lan = Store(couple_with_checkins.path, passphrases_required=True)
    try:
        assert lan.rituals() == [] and lan.agreements() == [] and lan.life_events() == []
        assert lan.agreement_answers() == [] and lan.repairs() == [] and lan.ritual_frame().empty
        quick = QuickLog(lan, today=dt.date(2026, 10, 3))
        assert not any(b.description.startswith("\u2713") for b in quick.buttons.values())
        quick.toggle("hug")
        assert "sign in" in quick.message.value.lower()
        lan.sign_in("Sam", SAM)
        assert len(lan.rituals()) == 1 and len(lan.agreements()) == 1 and len(lan.life_events()) == 1
    finally:
        lan.close()


def test_after_a_reset_an_old_note_cannot_be_shared_or_unshared_by_the_new_passphrase(couple_with_checkins):
    couple_with_checkins.sign_in("Sam", SAM)
    couple_with_checkins.reset_passphrase("Robin", "sam chose this one")
    couple_with_checkins.sign_out()
    couple_with_checkins.sign_in("Robin", "sam chose this one")
    couple_with_checkins.today = lambda: dt.date(2026, 11, 2)  # October is over: its scores show, its note never
    for shared in (True, False):
        with pytest.raises(NotSignedIn, match="written before Robin's passphrase was reset"):
            couple_with_checkins.share_note("Robin", OCTOBER, shared=shared)
    couple_with_checkins.sign_out()
    couple_with_checkins.sign_in("Sam", SAM)
    assert couple_with_checkins.get("Robin", OCTOBER).note == "Robin's October note"  # still shared with Sam, as it was


def test_a_visitor_on_the_home_network_sees_only_the_starting_items_of_the_list(couple_with_checkins):
    from reflect.domain.consent import STARTING_ITEMS

    couple_with_checkins.sign_in("Robin", ROBIN)
    couple_with_checkins.add_consent_item("Dancing in the kitchen")
    couple_with_checkins.sign_out()
    lan = Store(couple_with_checkins.path, passphrases_required=True)
    try:
        assert lan.consent_items() == list(STARTING_ITEMS)
        lan.sign_in("Sam", SAM)
        assert "Dancing in the kitchen" in lan.consent_items()
    finally:
        lan.close()
