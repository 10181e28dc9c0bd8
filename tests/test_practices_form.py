"""The practices in the form, driven without a browser: "did we?" and one small thing to try, the
yes / not now / no list under the physical dimension, repairs and life events; and, as the partner
at the same form, nothing of the other's list or private repair is ever in what the form holds."""

from __future__ import annotations

import datetime as dt

import pytest

from reflect.domain.agreements import Agreement
from reflect.domain.consent import ConsentList
from reflect.storage.store import Store
from reflect.views.practices import PracticesPanel
from reflect.views.widgets import CheckInForm

pytestmark = pytest.mark.usefixtures("fast_keys")  # fast key derivation for these tests too

TODAY = dt.date(2026, 11, 3)
ROBINS_NO = "Karaoke night with friends"
ROBINS_WORDS = "I was unfair about your sister"


def everything(widget):
    """Every value the widget would send to a browser (all synced state of it and its children)."""
    def walk(x):
        yield x
        for child in getattr(x, "children", ()):
            yield from walk(child)
    return repr([x.get_state() for x in walk(widget)])


@pytest.fixture
def november_couple(couple_store):
    """The couple store (Robin and Sam with passphrases, nobody signed in) on TODAY, with October's
    agreement: a walk after dinner on Sundays."""
    couple_store.today = lambda: TODAY
    couple_store.save_agreement(Agreement.create(month="2026-10", text="A walk after dinner on Sundays", today=TODAY))
    return couple_store


def open_form(store, person, passphrase, date=dt.date(2026, 10, 28)):
    form = CheckInForm(store, today=TODAY)
    form.date.value = date
    form.who.value = person
    form.passphrase.value = passphrase
    form.sign_in_button.click()
    return form


def test_did_we_is_asked_for_the_month_and_saved_with_the_check_in(november_couple):
    form = open_form(november_couple, "Robin", "robin's words")
    assert "Did we?" in form.agreements.heading.value and "October 2026" in form.agreements.heading.value
    [buttons] = form.agreements._answers.values()
    assert buttons.value is None and buttons._options_labels == ("yes", "partly", "not yet")
    buttons.value = "partly"
    form.agreements.next_text.value = "Phones away at dinner"
    form.agreements.next_dimension.value = "emotional"
    form.save_button.click()
    assert "Saved your \u201cdid we?\u201d and one small thing for November 2026." in form.message.value
    assert form.done_button.layout.display is None  # what was saved stays in view until "Done"
    form.done_button.click()
    assert form.who.value == "" and form.agreements.widget.layout.display is not None  # signed out, cleared
    assert [(a.person, a.answer) for a in november_couple.agreement_answers(month="2026-10")] == [("Robin", "partly")]
    [nxt] = november_couple.agreements(month="2026-11")
    assert (nxt.text, nxt.dimension) == ("Phones away at dinner", "emotional")
    # Sam opens the form: the agreement is theirs too (Sam sees it), Robin's answer is Robin's
    form = open_form(november_couple, "Sam", "sam's own words", date=dt.date(2026, 11, 3))
    assert "For November 2026, you agreed to try:" in form.agreements.heading.value  # November's own form
    assert "Phones away at dinner" in everything(form.agreements.did_we)
    assert form.agreements.next_text.value == ""  # December has nothing yet
    form.sign_out()
    form = open_form(november_couple, "Sam", "sam's own words")
    assert [b.value for b in form.agreements._answers.values()] == [None]
    assert form.agreements.next_text.value == "Phones away at dinner"


def test_a_bad_agreement_stops_the_save_and_keeps_everything(november_couple):
    form = open_form(november_couple, "Robin", "robin's words")
    form.agreements.next_text.value = "x" * 201
    form.save_button.click()
    assert "at most 200 characters" in form.message.value and "Nothing was saved" in form.message.value
    assert november_couple.version_count() == 0 and november_couple.agreements(month="2026-11") == []
    assert form.agreements.next_text.value == "x" * 201


def test_the_list_is_folded_under_physical_and_private_to_its_person(november_couple):
    form = open_form(november_couple, "Robin", "robin's words")
    panel = form.consent
    shown = list(form.body.children)
    assert shown.index(panel.widget) == shown.index(form.rows["physical"].box) + 1  # just under physical
    assert panel.widget.layout.display is None and panel.body.layout.display == "none"  # offered, folded
    panel.toggle.value = True
    assert "this list is yours" in panel.intro.value and panel.body.layout.display is None
    panel.new_item.value = ROBINS_NO
    panel.add_button.click()
    panel.answers[ROBINS_NO].value = "no"
    panel.answers["A weekend away, just the two of us"].value = "yes"
    panel.save_button.click()
    assert "Saved your list" in panel.message.value
    form.sign_out()
    assert panel.widget.layout.display == "none" and not panel.answers
    assert "'no'" not in everything(form.widget) and "red: pause" not in panel.message.value
    # Sam, at the same form: Robin's name asks for Robin's passphrase and shows no list
    form.who.value = "Robin"
    assert form.consent.widget.layout.display == "none" and form.agreements.widget.layout.display == "none"
    form.who.value = ""
    form = open_form(november_couple, "Sam", "sam's own words")
    form.consent.toggle.value = True
    form.consent.answers["A weekend away, just the two of us"].value = "yes"
    form.consent.answers[ROBINS_NO].value = "yes"
    form.consent.save_button.click()
    shown = everything(form.widget)
    assert "What you and Robin both said yes to:</b> A weekend away, just the two of us" in form.consent.shared.value
    assert ROBINS_NO not in form.consent.shared.value
    # the only "no" the whole form could hold would be Robin's: there is none
    states = [b.value for b in form.consent.answers.values()]
    assert "no" not in states and ROBINS_NO not in form.consent.shared.value + form.consent.message.value
    # the item only: its words, and its answers' name for a screen reader (their tooltip)
    item_only = shown.replace(f"<div style='width:300px'>{ROBINS_NO}</div>", "")
    item_only = item_only.replace(f"'tooltip': '{ROBINS_NO}'", "")
    assert ROBINS_NO not in item_only
    november_couple.sign_in("Robin", "robin's words")
    assert november_couple.consent_list("Robin").answers[ROBINS_NO] == "no"


def test_a_person_without_a_passphrase_is_told_who_can_see_the_list(db_path):
    with Store(db_path) as s:
        s.add_person("Alex", None)
        form = CheckInForm(s, today=TODAY)
        form.who.value = "Alex"
        form.consent.toggle.value = True
        assert "You have no passphrase" in form.consent.intro.value
        form.consent.answers["Hugs in public"].value = "not now"
        form.consent.save_button.click()
        assert s.consent_list("Alex").answers == {"Hugs in public": "not now"}


def test_repairs_follow_the_form_and_stay_with_their_writer(november_couple):
    form = open_form(november_couple, "Robin", "robin's words")
    panel = PracticesPanel(form, today=TODAY)
    assert panel.repair_box.layout.display is None and "Robin" in panel.who.value
    panel.happened.value = dt.date(2026, 11, 1)
    panel.topic.value = "your sister"
    panel.steps["own"].value = ROBINS_WORDS
    panel.repair_button.click()
    assert "Saved your repair (2 days after)" in panel.repair_message.value
    assert panel.topic.value == "" and panel.steps["own"].value == ""
    for i in range(2):
        panel.topic.value = "Your sister"
        panel.steps["offer"].value = f"A walk, time {i + 1}"
        panel.repair_button.click()
    panel.topic.value = "Your sister"
    panel.steps["offer"].value = "A walk, time 2"
    panel.repair_button.click()  # the same words again, the same day: noted once
    assert "This repair was already noted" in panel.repair_message.value
    assert "Topics that came back in your repairs (only you see this): Your sister (3)" in panel.repair_notes.value
    form.sign_out()
    assert panel.repair_box.layout.display == "none" and "to note a repair" in panel.locked.value
    form = open_form(november_couple, "Sam", "sam's own words")
    sams = PracticesPanel(form, today=TODAY)
    assert ROBINS_WORDS not in everything(sams.widget) and "sister" not in everything(sams.widget)
    assert len(november_couple.repair_frame()) == 3


def test_a_bad_repair_keeps_the_words_and_saves_nothing(november_couple):
    form = open_form(november_couple, "Robin", "robin's words")
    panel = PracticesPanel(form, today=TODAY)
    panel.steps["own"].value = ROBINS_WORDS
    panel.repair_button.click()  # no topic
    assert "this cannot be empty" in panel.repair_message.value and "your words are still here" in \
        panel.repair_message.value
    assert panel.steps["own"].value == ROBINS_WORDS and november_couple.repair_frame().empty


def test_life_events_are_marked_from_the_panel(store):
    form = CheckInForm(store, today=TODAY)
    panel = PracticesPanel(form, today=TODAY)
    panel.event_day.value = dt.date(2025, 3, 14)
    panel.event_kind.value = "birth"
    panel.event_words.value = "Ada is born"
    panel.event_button.click()
    assert "Marked: Ada is born, 14 March 2025" in panel.event_message.value
    assert "Ada is born (March 2025)" in panel.event_list.value
    panel.event_words.value = ""
    panel.event_button.click()
    assert "this cannot be empty" in panel.event_message.value
    assert [e.words for e in store.life_events()] == ["Ada is born"]


def test_the_idle_clock_restarts_when_a_practice_is_touched(november_couple):
    form = open_form(november_couple, "Robin", "robin's words")
    form._last_touch = 0.0
    form.consent.toggle.value = True
    assert form._last_touch > 0.0
    assert not form.sign_out_if_idle(now=form._last_touch + 60)


def test_no_list_is_read_by_the_form_until_it_is_opened(november_couple, monkeypatch):
    november_couple.sign_in("Robin", "robin's words")
    november_couple.save_consent(ConsentList.create(person="Robin", answers={ROBINS_NO: "no"}))
    november_couple.sign_out()
    reads = []
    original = Store.consent_list
    monkeypatch.setattr(Store, "consent_list", lambda self, p: reads.append(p) or original(self, p))
    open_form(november_couple, "Robin", "robin's words").save_button.click()
    assert reads == []  # a check-in never opens the list by the way
