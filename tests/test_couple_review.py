"""A review of issue 18 as an attacker would try it: the six ways it broke, each now held.

Each test is one thing the other partner at the same computer, a typist, or a visitor on the home
network does, and what the README promises should happen instead. Dates are fixed in the past:
"today" for the store is 15 October 2026, so October is a period not over yet.
"""

from __future__ import annotations

import datetime as dt

import pytest

from reflect.domain.agreements import Agreement, AgreementAnswer
from reflect.domain.lifeevents import LifeEvent
from reflect.domain.people import near_miss
from reflect.domain.rituals import Ritual
from reflect.errors import NotSignedIn, ValidationError
from reflect.storage.store import Store

from .helpers import make_checkin

OPEN_DAY = dt.date(2026, 10, 15)  # "today" for the store: October 2026 is not over
OCTOBER, SEPTEMBER = "2026-10-01", "2026-09-01"
ROBIN, SAM = "robin's words", "sam's own words"
HEADER = ("date,person,cadence,passion,emotional,physical,intellectual,experiential,spiritual,desired_passion,"
          "desired_emotional,desired_physical,desired_intellectual,desired_experiential,desired_spiritual,note\n")

pytestmark = pytest.mark.usefixtures("fast_keys")


def _open_store(db_path):
    s = Store(db_path)
    s.today = lambda: OPEN_DAY
    return s


# -- the partner at the same computer: making the couple one person unseals the other ---------------------


def test_the_partner_removes_himself_to_read_the_others_open_month(db_path):
    with _open_store(db_path) as s:
        s.add_person("Robin", ROBIN)
        s.save(make_checkin("Robin", OCTOBER, passion=9))
        s.sign_out()
        s.add_person("Sam", SAM)  # Sam has saved nothing yet: his first month
        s.sign_out()
        assert s.get("Robin", OCTOBER) is None  # sealed: Sam has not answered October
        s.sign_in("Sam", SAM)
        try:
            s.remove_person("Sam")  # `reflect person remove Sam` (Sam gives his own passphrase)
        except (ValidationError, NotSignedIn):
            pass
        s.sign_out()
        assert s.get("Robin", OCTOBER) is None and s.checkins() == []  # still sealed for whoever looks


def test_the_partner_resets_then_merges_himself_into_the_other_to_read_and_overwrite(db_path):
    with _open_store(db_path) as s:
        s.add_person("Robin", ROBIN)
        s.add_person("Sam", None)
        s.save(make_checkin("Robin", OCTOBER, passion=9))
        s.sign_out()
        s.save(make_checkin("Sam", SEPTEMBER, passion=4))  # Sam has not answered October
        s.sign_in("Sam")
        s.reset_passphrase("Robin", "sam chose this one")  # `reflect person passphrase Robin --reset --as Sam`
        assert s.get("Robin", OCTOBER) is None  # held so far: a reset opens nothing saved before it
        try:
            s.merge_person("Sam", "Robin")  # `reflect person merge Sam INTO Robin` with the new passphrase
        except (ValidationError, NotSignedIn):
            pass
        s.sign_out()
        assert s.get("Robin", OCTOBER) is None  # Robin's October, saved before the reset, stays sealed
        s.sign_in("Robin", "sam chose this one")
        with pytest.raises(NotSignedIn):
            s.save(make_checkin("Robin", OCTOBER, passion=1))  # and cannot be changed


# -- a typist: near misses that are not refused ---------------------------------------------------------------


def test_a_typist_spells_a_name_with_a_capital_from_another_alphabet(db_path):
    for typed, known in (("\u0412ob", "Bob"), ("\u0392ob", "Bob"), ("\u041dana", "Hana"), ("\u0422om", "Tom"),
                         ("\u041cia", "Mia"), ("\u041aim", "Kim")):
        assert near_miss(typed, [known]) == known, typed
    with _open_store(db_path) as s:
        s.add_person("Bob", ROBIN)
        s.sign_out()
        with pytest.raises(ValidationError, match="did you mean Bob"):
            s.add_person("\u0412ob", None)  # Cyrillic capital Ve: reads "Bob"
    with _open_store(db_path.with_name("two.db")) as s:
        s.add_person("Bob", ROBIN)
        s.add_person("Sam", None)
        with pytest.raises(ValidationError, match="did you mean Bob"):
            s.rename_person("Sam", "\u0392ob")  # Greek capital Beta: the couple would be "Bob" and "Bob"
        assert s.people() == ["Bob", "Sam"]


def test_a_typist_adds_an_invisible_mark_to_the_partners_name(db_path):
    for n, typed in enumerate(("Robin\u034f", "Robin\ufe0f", "Rob\ufe00in", "Rob\u180bin")):
        with _open_store(db_path.with_name(f"one-{n}.db")) as s:
            s.add_person("Robin", ROBIN)
            s.sign_out()
            with pytest.raises(ValidationError):
                s.add_person(typed, None)  # never a second person who reads as "Robin"
            assert s.people() == ["Robin"]


def test_two_writers_at_once_make_a_third_person_through_an_import(db_path, tmp_path):
    from reflect.storage.importing import import_checkins

    with _open_store(db_path) as s:
        s.add_person("Robin", None)
    csv_file = tmp_path / "sam.csv"
    csv_file.write_text(HEADER + f"{SEPTEMBER},Sam,,5,5,5,5,5,5,,,,,,,\n")

    def meanwhile(store, names):  # another command saves a second new name while this import runs
        with Store(db_path) as other:
            other.save(make_checkin("Mallory", SEPTEMBER))

    try:
        import_checkins(csv_file, db_path, sign_in=meanwhile)
    except ValidationError:
        pass
    with Store(db_path) as s:
        assert len(s.people()) <= 2, s.people()


# -- a visitor on the home network ------------------------------------------------------------------------


def test_a_visitor_on_the_home_network_reads_what_the_two_share_one_record_at_a_time(db_path):
    with _open_store(db_path) as s:
        s.add_person("Robin", ROBIN)
        s.add_person("Sam", SAM)
        s.log_ritual(Ritual.create(day=SEPTEMBER, kind="hug", person="Robin", note="after the funeral"))
        s.mark_event(LifeEvent.create(day="2026-09-14", kind="move", words="Our new flat"))
        s.save_agreement(Agreement.create(month="2026-09", number=1, text="A walk after dinner on Sundays"))
        s.answer_agreement(AgreementAnswer.create(month="2026-09", number=1, person="Robin", answer="yes"))
    lan = Store(db_path, passphrases_required=True)
    lan.today = lambda: OPEN_DAY
    try:
        assert lan.rituals() == [] and lan.life_events() == [] and lan.agreements() == []  # held
        shown = {
            "ritual_history": lan.ritual_history("Robin", SEPTEMBER, "hug"),
            "life_event": lan.life_event("2026-09-14", "move"),
            "event_history": lan.event_history("2026-09-14", "move"),
            "agreement_history": lan.agreement_history("2026-09", 1),
            "agreement_answer_history": lan.agreement_answer_history("2026-09", 1, "Robin"),
        }
        assert {name: got for name, got in shown.items() if got} == {}
    finally:
        lan.close()
