"""Practice cards: the guides' exercises as data (reflect/cards/*.toml), which cards fit a finding,
"we did it" as a ritual of the couple (seen by the rituals' analysis), the cards in the form (three
taps), and privacy as the partner and as a stranger on the home network."""

from __future__ import annotations

import datetime as dt
import doctest
import re

import pytest

import reflect.analytics.cards
import reflect.domain.cards
import reflect.views.cards
from reflect.analytics import rhythm
from reflect.analytics.cards import EVENT_SITUATIONS, cards_for
from reflect.domain.cards import (
    GROUPS,
    SITUATIONS,
    CardError,
    UnknownCard,
    all_cards,
    by_name,
    fitting,
    parse_card,
    read_cards,
)
from reflect.domain.dimensions import KEYS
from reflect.domain.lifeevents import KINDS as EVENT_KINDS
from reflect.domain.rituals import DEFAULT_BY_KEY
from reflect.errors import NotSignedIn, ValidationError
from reflect.storage.cards import SOURCE, log_practice, times_done
from reflect.storage.store import Store
from reflect.views.cards import PracticeCards, timer_words
from reflect.views.widgets import CheckInForm

from .conftest import PASSPHRASES

pytestmark = pytest.mark.usefixtures("fast_keys")

TODAY = dt.date(2026, 11, 3)
#: The guides' exercises the brief names, each a card of its own.
NAMED = ("three-gratitudes", "five-breath-sync", "story-swap", "future-seeds", "listening-loop", "needs-sentence",
         "specific-appreciation", "twenty-second-hug", "ask-and-adjust", "hard-talk", "micro-date",
         "connection-menu", "repair-walk-through", "long-distance-check-in")
#: The cards whose guide gives a time to keep, and the timer's phases in seconds.
TIMERS = {"story-swap": [120, 120], "twenty-second-hug": [20], "hard-talk": [1200], "micro-date": [1800]}

GOOD = """\
title = "Story swap"
group = "tonight"
purpose = "Learn something new about each other."
minutes = 5
cadence = "weekly"
dimensions = ["emotional"]
situations = ["rupture"]
steps = ["One tells a story.", "The other asks questions."]

[[timer]]
label = "The first story"
seconds = 120
"""


def test_the_modules_examples_hold():
    for module in (reflect.domain.cards, reflect.analytics.cards, reflect.views.cards):
        failed, tried = doctest.testmod(module)
        assert tried and not failed, module.__name__


# -- the cards, as data ------------------------------------------------------------------------------


def test_every_card_loads_and_is_complete():
    cards = all_cards()
    assert len(cards) >= 14 and set(NAMED) <= set(cards)
    for name, card in cards.items():
        assert card.name == name and card.title and card.purpose and card.group in GROUPS
        assert 2 <= len(card.steps) <= 10 and all(s.strip() for s in card.steps)
        assert 1 <= card.minutes <= 180 and card.time_words.endswith(("minutes", "minute"))
        assert card.dimensions and set(card.dimensions) <= set(KEYS)
        assert card.situations and set(card.situations) <= set(SITUATIONS)
        # the project's own words: plain text, no command line, no markup
        for text in (card.title, card.purpose, *card.steps):
            assert not re.search(r"\breflect\s+\w|--\w|[<>`]", text), (name, text)
        if card.ritual:  # a kind of the catalogue keeps its own rhythm
            assert DEFAULT_BY_KEY[card.ritual].cadence == card.cadence
    for name, phases in TIMERS.items():
        assert [p.seconds for p in cards[name].timer] == phases, name
        assert all(p.label for p in cards[name].timer)
    assert cards["micro-date"].time_words == "20 to 30 minutes"
    assert "So you felt ... because ... Did I get that?" in " ".join(cards["listening-loop"].steps)
    assert "When [what happened], I feel [the feeling]; I need" in " ".join(cards["needs-sentence"].steps)
    assert {"Hug or hand?", "Closer or slower?"} <= set(re.findall(r"\u201c([^\u201d]+)\u201d",
                                                                    " ".join(cards["ask-and-adjust"].steps)))
    repair = " ".join(cards["repair-walk-through"].steps)
    assert all(step in repair for step in ("Own it", "Offer", "Align"))
    assert len(cards["connection-menu"].menu) >= 4 and all(m.ideas for m in cards["connection-menu"].menu)
    # the ones whose guide gives no time to keep have no timer
    assert not cards["three-gratitudes"].timer and not cards["needs-sentence"].timer


def test_every_situation_and_dimension_fits_at_least_four_cards():
    for situation in (*SITUATIONS, *KEYS):
        assert len(fitting(situation)) >= 4, situation


@pytest.mark.parametrize(("text", "field", "said"), [
    (GOOD.replace('purpose = "Learn something new about each other."\n', ""), "purpose", "this field is missing"),
    (GOOD.replace("minutes = 5", 'minutes = "five"'), "minutes", "a whole number from 1 to 180"),
    (GOOD.replace("minutes = 5", "minutes = 0"), "minutes", "a whole number from 1 to 180"),
    (GOOD.replace('cadence = "weekly"', 'cadence = "hourly"'), "cadence", "'hourly' is not a rhythm"),
    (GOOD.replace('["emotional"]', '["emotionl"]'), "dimensions", "did you mean emotional?"),
    (GOOD.replace('["rupture"]', '["ruptures"]'), "situations", "did you mean rupture?"),
    (GOOD.replace('["One tells a story.", "The other asks questions."]', '["Only one."]'), "steps",
     "a list of 2 to 10 texts"),
    (GOOD.replace('steps = ["One tells a story.",', 'steps = ["",'), "steps 1", "give some words"),
    (GOOD.replace("seconds = 120", "seconds = 2"), "timer", "a whole number from 5 to 3600"),
    (GOOD.replace("seconds = 120", "secs = 120"), "timer", "missing seconds"),
    (GOOD.replace('group = "tonight"', 'group = "someday"'), "group", "'someday' is not a group"),
    ('step = "a typo"\n' + GOOD, "step", "not a field of a card (did you mean steps?)"),
    ('ritual = "hug"\n' + GOOD, "cadence", "hug is a daily ritual, but the card's cadence is weekly"),
    (GOOD.replace('title = "Story swap"', "title = 42"), "title", "give some words"),
])
def test_a_malformed_card_says_which_file_and_field(text, field, said):
    with pytest.raises(CardError) as caught:
        parse_card(text, "cards/story-swap.toml")
    assert caught.value.file == "cards/story-swap.toml" and caught.value.field == field
    assert str(caught.value).startswith(f"cards/story-swap.toml, field {field}: ") and said in str(caught.value)


def test_a_card_that_is_not_toml_or_badly_named_says_so(tmp_path):
    with pytest.raises(CardError, match=r"^x/story-swap\.toml: not valid TOML: .*line 2"):
        parse_card('title = "A"\ngroup = = "tonight"\n', "x/story-swap.toml")
    with pytest.raises(CardError, match=r"^x/Story Swap\.toml: a card's file name is 1 to 40 lowercase"):
        parse_card(GOOD, "x/Story Swap.toml")
    assert parse_card(GOOD, "x/story-swap.toml").timer[0].seconds == 120
    # a folder of cards: the first bad file stops it, named with its folder
    (tmp_path / "a-good-one.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b-bad-one.toml").write_text(GOOD.replace("minutes = 5", "minutes = -1"), encoding="utf-8")
    with pytest.raises(CardError, match=rf"^{re.escape(str(tmp_path))}/b-bad-one\.toml, field minutes: "):
        read_cards(tmp_path)
    (tmp_path / "b-bad-one.toml").unlink()
    assert list(read_cards(tmp_path)) == ["a-good-one"]
    (tmp_path / "a-good-one.toml").unlink()
    with pytest.raises(CardError, match="holds no practice card"):
        read_cards(tmp_path)


def test_a_card_is_found_by_name_or_title_and_a_near_miss_is_named():
    assert by_name("story-swap").name == by_name("Story Swap").name == by_name("  story   swap ").name == "story-swap"
    assert by_name("A 20-second hug").name == "twenty-second-hug"
    with pytest.raises(UnknownCard) as caught:
        by_name("storyswap")
    assert caught.value.close[0] == "story-swap"
    assert str(caught.value) == ("There is no practice called \u201cstoryswap\u201d. "
                                 "Did you mean \u201cstory-swap\u201d?")
    with pytest.raises(UnknownCard) as caught:
        by_name("hugg")
    assert "twenty-second-hug" in caught.value.close
    with pytest.raises(UnknownCard) as caught:
        by_name("xylophone")
    assert caught.value.close == [] and "Did you mean" not in str(caught.value)


# -- which cards fit a finding ----------------------------------------------------------------------


def months(first: str, n: int) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    for i in range(n):
        y, m = divmod(month - 1 + i, 12)
        out.append(f"{year + y}-{m + 1:02d}")
    return out


@pytest.mark.parametrize("situation", [*SITUATIONS, *KEYS])
def test_cards_for_fit_and_turn_with_the_month_without_repeating(situation):
    seen = set()
    previous: set[str] = set()
    for month in months("2025-01", 36):
        chosen = cards_for(situation, month)
        names = {c.name for c in chosen}
        assert len(chosen) == 2 and len(names) == 2
        assert all(c.fits(situation) for c in chosen)
        assert not names & previous, (situation, month, names, previous)
        assert [c.name for c in cards_for(situation, month)] == [c.name for c in chosen]  # the same every time
        previous = names
        seen |= names
    assert seen == {c.name for c in fitting(situation)}  # every fitting card comes round


def test_cards_for_leaves_out_what_is_excluded_and_takes_event_kinds_and_one_card():
    first = [c.name for c in cards_for("rupture", "2026-10")]
    again = cards_for("rupture", "2026-10", exclude=first)
    assert again and not {c.name for c in again} & set(first)
    assert all(c.fits("rupture") for c in again)
    one = cards_for("good-month", "2026-10", count=1)
    assert len(one) == 1 and one[0].fits("good-month")
    for kind in EVENT_KINDS:
        if kind == "other":
            continue
        assert kind in EVENT_SITUATIONS
        assert [c.name for c in cards_for(kind, "2026-10")] == [c.name for c in
                                                                  cards_for(EVENT_SITUATIONS[kind], "2026-10")]
    assert cards_for("rupture", "2026-10", exclude=[c.name for c in fitting("rupture")]) == []
    with pytest.raises(ValidationError, match="'a bad week' is not a situation practice cards know"):
        cards_for("a bad week", "2026-10")
    with pytest.raises(ValidationError):
        cards_for("rupture", "2026-13")


# -- we did it: a ritual of the couple ---------------------------------------------------------------


def test_we_did_it_logs_a_ritual_of_the_couple_that_the_rhythm_sees(store):
    swap = by_name("story-swap")
    assert "story-swap" not in store.ritual_kinds()
    days = [dt.date(2026, 10, d) for d in (4, 11, 18, 25)]
    for day in days:
        assert log_practice(store, swap, day=day) == "added"
    assert log_practice(store, swap, day=days[-1]) == "unchanged"  # "we did it" twice the same day: once
    kind = store.ritual_kinds()["story-swap"]
    assert (kind.cadence, kind.label) == ("weekly", "Story swap")  # the card's rhythm and title
    assert times_done(store, swap) == days
    assert [(r.person, r.kind) for r in store.rituals(kind="story-swap")] == [("", "story-swap")] * 4  # together
    [(_, source, _ritual)] = store.ritual_history(None, days[0], "story-swap")
    assert source == SOURCE
    frame = store.ritual_frame()
    assert list(frame[frame["kind"] == "story-swap"]["cadence"]) == ["weekly"] * 4
    table = rhythm.rhythm_table(frame, store.ritual_kinds(), "2026-10", 1)
    [row] = table[table["kind"] == "story-swap"].to_dict("records")
    assert (row["done"], row["expected"], row["kept"]) == (4, 4, True)
    assert "Story swap: 4 of 4 weeks" in rhythm.month_in_words(frame, store.ritual_kinds(), "2026-10")
    going = rhythm.streaks(frame, store.ritual_kinds(), dt.date(2026, 10, 31))
    assert going.set_index("kind").loc["story-swap", "current"] == 4


def test_a_card_of_the_catalogue_logs_its_ritual_and_a_kind_the_couple_has_keeps_its_rhythm(store):
    log_practice(store, by_name("twenty-second-hug"), day=TODAY)
    log_practice(store, by_name("specific-appreciation"), day=TODAY)
    assert {r.kind for r in store.rituals()} == {"hug", "appreciation"}
    assert store.ritual_kinds()["hug"].label == "A long hug"  # the catalogue's, unchanged
    store.add_ritual_kind("micro-date", "monthly", "Our date")  # the couple had a kind of that name already
    log_practice(store, by_name("micro-date"), day=TODAY)
    assert (store.ritual_kinds()["micro-date"].cadence, store.ritual_kinds()["micro-date"].label) == (
        "monthly", "Our date")


def test_a_bad_day_writes_nothing(store):
    with pytest.raises(ValidationError, match="in the future"):
        log_practice(store, by_name("story-swap"), day=dt.date.today() + dt.timedelta(days=1))
    assert store.rituals() == [] and "story-swap" not in store.ritual_kinds()


def test_on_the_home_network_a_stranger_logs_nothing_and_sees_nothing(couple_store):
    path = couple_store.path
    log_practice(couple_store, by_name("story-swap"), day=TODAY)  # at the computer: as rituals today
    lan = Store(path, passphrases_required=True)
    try:
        with pytest.raises(NotSignedIn, match="sign in first"):
            log_practice(lan, by_name("micro-date"), day=TODAY)
        assert "micro-date" not in lan.ritual_kinds()  # nothing written, not even the kind
        assert times_done(lan, by_name("story-swap")) == []  # a visitor sees no ritual at all
        cards = PracticeCards(lan, today=TODAY)
        assert cards.widget.layout.display == "none"  # nobody signed in: no cards
        # the partner (Sam) signed in logs for the two of you, and sees what Robin's session logged
        lan.sign_in("Sam", PASSPHRASES["Sam"])
        assert times_done(lan, by_name("story-swap")) == [TODAY]
        assert log_practice(lan, by_name("micro-date"), day=TODAY) == "added"
    finally:
        lan.close()
    assert [r.kind for r in couple_store.rituals()] == ["micro-date", "story-swap"]


# -- in the form --------------------------------------------------------------------------------------


def signed_in_form(store, person="Robin"):
    form = CheckInForm(store, today=TODAY)
    form.who.value = person
    form.passphrase.value = PASSPHRASES[person]
    form.sign_in_button.click()
    return form


def test_three_taps_from_the_form_to_a_logged_practice(couple_store):
    form = CheckInForm(couple_store, today=TODAY)
    assert form.cards.widget.layout.display == "none"  # nobody signed in
    form.who.value = "Robin"
    assert form.cards.widget.layout.display == "none"  # Robin picked, not signed in
    form.passphrase.value = PASSPHRASES["Robin"]
    form.sign_in_button.click()
    cards = form.cards
    assert cards.widget.layout.display is None and cards.deck.layout.display == "none"
    shown = list(form.widget.children)
    assert shown.index(cards.widget) == shown.index(form.setup_box) + 1  # just under the name and sign-in

    cards.toggle.value = True                      # 1: "Practices to do together"
    assert cards.deck.layout.display is None
    assert set(cards.buttons) == set(all_cards())
    cards.buttons["story-swap"].click()            # 2: the card
    assert cards.card_box.layout.display is None and cards.deck.layout.display == "none"
    assert "Story swap" in cards.text.value and "<ol" in cards.text.value
    assert all(step.replace("\u201c", "&ldquo;")[:20] in cards.text.value.replace("\u201c", "&ldquo;")
               for step in by_name("story-swap").steps[:1])
    cards.done_button.click()                      # 3: "We did it"
    assert "Story swap is logged today" not in cards.message.value  # TODAY is not the real today
    assert "Lovely." in cards.message.value and "for the two of you" in cards.message.value
    assert times_done(couple_store, by_name("story-swap")) == [TODAY]
    assert "Done together 1 time, last on 3 November 2026." in cards.text.value
    cards.done_button.click()
    assert "Already logged" in cards.message.value
    assert len(couple_store.rituals()) == 1

    cards.back_button.click()
    assert cards.card_box.layout.display == "none" and cards.deck.layout.display is None
    form.sign_out()  # the cards close and go with the person
    assert cards.widget.layout.display == "none" and not cards.toggle.value and cards.card is None
    assert cards.message.value == ""


def test_the_timer_counts_in_words_and_counts_as_a_touch(couple_store):
    form = signed_in_form(couple_store)
    cards = form.cards
    cards.toggle.value = True
    cards.buttons["three-gratitudes"].click()
    assert cards.timer_box.layout.display == "none"  # no timer where the guide gives none
    cards.back_button.click()
    cards.buttons["story-swap"].click()
    assert cards.timer_box.layout.display is None and cards.play.max == 240
    assert "The first story: 2:00" in cards.clock.value and 'role=\'timer\'' in cards.clock.value
    cards.start_button.click()
    assert cards.play.playing and cards.start_button.description == "Pause the timer"
    form._last_touch = 0.0  # long ago: the idle clock would sign Robin out ...
    cards.play.value = 30  # ... but the browser's timer ticks
    assert form._last_touch > 0.0 and not form.sign_out_if_idle()
    assert "The first story: 1:30 left" in cards.clock.value
    cards.play.value = 120
    assert "The second story (now swap): 2:00 left" in cards.clock.value
    cards.start_button.click()
    assert not cards.play.playing and cards.start_button.description == "Go on"
    cards.play.value = 240
    assert "Time is up. Well done, both of you." in cards.clock.value
    assert cards.start_button.description == "Start the timer"
    cards.start_button.click()  # again from the start
    assert cards.play.playing and cards.play.value == 0
    cards.restart_button.click()
    assert cards.play.playing and cards.play.value == 0
    cards.back_button.click()  # closing the card stops its timer
    assert not cards.play.playing and cards.play.value == 0


def test_timer_words():
    hug = by_name("twenty-second-hug")
    assert [timer_words(hug, s) for s in (0, 1, 19, 20)] == [
        "The hug: 0:20", "The hug: 0:19 left", "The hug: 0:01 left", "Time is up."]
    assert timer_words(by_name("hard-talk"), 0) == "The talk: 20:00"
    assert timer_words(by_name("needs-sentence"), 5) == ""


def test_the_form_says_why_a_practice_was_not_logged(couple_store):
    lan = Store(couple_store.path, passphrases_required=True)
    try:
        cards = PracticeCards(lan, today=TODAY)
        cards.show_for("Robin")  # as if the form had let it through: the store still says no
        cards.toggle.value = True
        cards.buttons["micro-date"].click()
        assert cards._we_did_it() == "error"
        assert "On the home network, sign in first" in cards.message.value
        assert "Nothing was saved" in cards.message.value or "nothing was saved" in cards.message.value
        assert lan.rituals() == [] and "micro-date" not in lan.ritual_kinds()
    finally:
        lan.close()


def test_the_partner_at_the_same_form_logs_for_the_two_of_you(couple_store):
    form = signed_in_form(couple_store, "Robin")
    form.cards.toggle.value = True
    form.cards.buttons["micro-date"].click()
    form.cards.done_button.click()
    form.sign_out()
    form = signed_in_form(couple_store, "Sam")
    form.cards.toggle.value = True
    form.cards.buttons["micro-date"].click()
    assert "Done together 1 time" in form.cards.text.value  # shared by the two of you, as rituals are
    form.cards.done_button.click()
    assert "Already logged" in form.cards.message.value
    assert [r.person for r in couple_store.rituals()] == [""]


# -- the demo couple uses them --------------------------------------------------------------------------


def test_the_demo_couple_did_practices_in_their_last_months(store):
    from reflect.storage.demo import PRACTICES_FOR, fill, generate_practices

    fill(store, end="2026-10")
    kinds = store.ritual_kinds()
    done = {r.kind for r in store.rituals(month="2026-10")}
    assert {"story-swap", "micro-date", "three-gratitudes", "future-seeds"} <= done
    for name in ("story-swap", "micro-date", "three-gratitudes", "future-seeds", "listening-loop"):
        card = by_name(name)
        assert (kinds[name].cadence, kinds[name].label) == (card.cadence, card.title)
        assert times_done(store, card)  # as the form's card shows it
    first = min(r.day for r in generate_practices(end="2026-10"))
    assert f"{first:%Y-%m}" == "2026-07" and PRACTICES_FOR == 4  # the last four months only
    table = rhythm.rhythm_table(store.ritual_frame(), kinds, "2026-10", 1)
    assert {"Story swap", "A micro-date"} <= set(table["label"])
    assert generate_practices(end="2026-10") == generate_practices(end="2026-10")  # the same every time


# -- on the command line, as a person runs it -----------------------------------------------------------


def test_practice_list_and_show(cli):
    listed = cli("practice", "list")
    assert listed.returncode == 0, listed
    for card in all_cards().values():
        assert f"  {card.name:<24} {card.title} (" in listed.stdout
    assert list(GROUPS.values())[0] + ":" in listed.stdout
    only = cli("practice", "list", "--for", "birth")
    assert only.returncode == 0 and "micro-date" in only.stdout and "repair-walk-through" not in only.stdout
    wrong = cli("practice", "list", "--for", "a bad week")
    assert wrong.returncode == 2 and "'a bad week' is not a situation" in wrong.stderr

    shown = cli("practice", "show", "Story swap")
    assert shown.returncode == 0, shown
    lines = shown.stdout.splitlines()
    assert lines[:3] == ["Story swap", by_name("story-swap").purpose, "About 5 minutes; weekly if you like."]
    assert "1. Each of you picks a memory that shaped you" in shown.stdout
    assert "Timer: the first story, 2:00, then the second story, 2:00" in shown.stdout
    assert "Tired: " in cli("practice", "show", "connection-menu").stdout


def test_an_unknown_practice_names_the_close_ones_and_changes_nothing(couple_cli, home):
    for command in (("show",), ("done",)):
        said = couple_cli("practice", *command, "storyswap")
        assert said.returncode == 1 and said.stdout == ""
        assert said.stderr == ("reflect: There is no practice called \u201cstoryswap\u201d. "
                               "Did you mean \u201cstory-swap\u201d?\n")
    with Store(home / "data" / "reflect.db") as store:
        assert store.rituals() == [] and "story-swap" not in store.ritual_kinds()


def test_practice_done_logs_it_for_the_two_of_you(couple_cli, passphrase_files, home, calendar):
    done = couple_cli("practice", "done", "story-swap")
    assert done.returncode == 0, done
    today = calendar.today.isoformat()
    assert done.stdout == (f"Logged Story swap on {today} (together, as the ritual story-swap, weekly). "
                           "Done together 1 time so far.\n")
    again = couple_cli("practice", "done", "story swap")
    assert again.returncode == 0 and again.stdout.startswith("Nothing changed: Story swap on")
    kinds = couple_cli("ritual", "kinds")
    assert re.search(r"^story-swap\s+weekly\s+Story swap$", kinds.stdout, re.M), kinds
    listed = couple_cli("ritual", "list", "--together")
    assert re.search(rf"^{today}  story-swap\s+together$", listed.stdout, re.M), listed
    # --as signs someone in, with the passphrase rules of `reflect ritual add`
    wrong = couple_cli("practice", "done", "micro-date", "--as", "Robin",
                       "--passphrase-file", passphrase_files["Wrong"])
    assert wrong.returncode == 1 and "passphrase" in wrong.stderr.lower()
    right = couple_cli("practice", "done", "micro-date", "--person", "Sam", "--date", calendar.days(-2).isoformat(),
                       "--note", "Tea on the balcony", "--passphrase-file", passphrase_files["Sam"])
    assert right.returncode == 0, right
    future = couple_cli("practice", "done", "micro-date", "--date", calendar.days(3).isoformat())
    assert future.returncode == 1 and "in the future" in future.stderr
    with Store(home / "data" / "reflect.db") as store:
        assert [(r.kind, r.person, r.note) for r in store.rituals()] == [
            ("micro-date", "", "Tea on the balcony"), ("story-swap", "", None)]
    other = home / "elsewhere.db"
    assert couple_cli("practice", "done", "hug", "--db", str(other)).returncode == 1  # "hug" is no card's name
    assert couple_cli("practice", "done", "twenty-second-hug", "--db", str(other)).returncode == 0
    with Store(other) as store:
        assert [r.kind for r in store.rituals()] == ["hug"]
