"""The question of the week: the bank (data, checked), one question a week at the couple's depth with no
question back within a year, answers sealed for their writer and shown to the partner only once both have
answered, the depth that rises on two private yeses and falls on one "slower" (nobody told who), history,
backup, CSV export and import, the letter's count, and the form's box (without a browser)."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections import Counter

import pytest

from reflect.analytics.questions import month_weeks, weeks_answered
from reflect.domain.dimensions import KEYS
from reflect.domain.questions import (
    DEPTHS,
    MIN_PER_DEPTH,
    QuestionAnswer,
    bank,
    load_bank,
    parse_answers,
    to_csv,
    week_of,
)
from reflect.errors import ImportFileError, NotSignedIn, ValidationError
from reflect.storage import migrations
from reflect.storage.importing import import_answers
from reflect.storage.store import Store
from reflect.views.widgets import CheckInForm

from .helpers import store_bytes

pytestmark = pytest.mark.usefixtures("fast_keys")

TODAY = dt.date(2026, 12, 3)  # a Thursday; its week starts on Monday 30 November
WEEK = dt.date(2026, 11, 30)
ROBIN = "robin's words"
SAM = "sam's own words"
ROBINS_ANSWER = "The night we missed the last train and walked home singing"
SAMS_ANSWER = "When you laughed at the ferry, soaked through"


@pytest.fixture
def couple(couple_store):
    couple_store.today = lambda: TODAY
    return couple_store


def as_person(store, name, words):
    store.sign_out()
    store.sign_in(name, words)
    return store


# -- the bank -----------------------------------------------------------------------------------------


def test_the_bank_has_150_questions_or_more_every_tag_valid_every_cell_covered():
    questions = bank()
    assert len(questions) >= 150
    assert len({q.id for q in questions.questions}) == len(questions)
    assert len({q.text.casefold() for q in questions.questions}) == len(questions)  # no question twice
    assert {q.dimension for q in questions.questions} == set(KEYS)
    assert {q.depth for q in questions.questions} == set(DEPTHS)
    cells = Counter((q.dimension, q.depth) for q in questions.questions)
    assert all(cells[(k, d)] >= 5 for k in KEYS for d in DEPTHS), cells
    assert all(len(questions.order[d]) >= MIN_PER_DEPTH for d in DEPTHS)
    assert all(q.text.endswith("?") and len(q.text) <= 200 for q in questions.questions)


def test_the_bank_ships_as_package_data():
    from importlib import resources

    assert resources.files("reflect.bank").joinpath("questions.toml").is_file()


GOOD = '[[question]]\nid = "x-{n}"\ndimension = "passion"\ndepth = "{depth}"\ntext = "Question {n}?"\n\n'


def a_bank(extra: str = "", *, per_depth: int = MIN_PER_DEPTH) -> str:
    text = "".join(GOOD.format(n=f"{d}-{i}", depth=d) for d in DEPTHS for i in range(per_depth))
    return text + extra


@pytest.mark.parametrize(("extra", "words"), [
    ('[[question]]\nid = "bad"\ndimension = "romance"\ndepth = "light"\ntext = "Hm?"\n',
     "column dimension: 'romance' is not"),
    ('[[question]]\nid = "bad"\ndimension = "passion"\ndepth = "bottomless"\ntext = "Hm?"\n', "column depth"),
    ('[[question]]\nid = "bad"\ndimension = "passion"\ndepth = "light"\n', "column text: missing"),
    ('[[question]]\nid = "x-light-0"\ndimension = "passion"\ndepth = "light"\ntext = "Again?"\n', "used twice"),
    ('[[question]]\nid = "bad"\ndimension = "passion"\ndepth = "light"\ntext = "Hm?"\nmood = "x"\n', "unknown field"),
    ('[[question]]\nid = "Bad Id"\ndimension = "passion"\ndepth = "light"\ntext = "Hm?"\n', "is not an id"),
])
def test_a_malformed_entry_is_named_with_file_and_line(extra, words):
    text = a_bank(extra)
    line = len(text.splitlines()) - len(extra.splitlines()) + 1
    with pytest.raises(ValidationError) as caught:
        load_bank(text, "questions.toml")
    assert str(caught.value).startswith(f"questions.toml, line {line}"), str(caught.value)
    assert words in str(caught.value)


def test_a_broken_file_and_a_thin_depth_are_refused():
    with pytest.raises(ValidationError, match=r"questions.toml, line 3: not a valid question file"):
        load_bank('[[question]]\nid = "a"\ntext = "unclosed\n', "questions.toml")
    with pytest.raises(ValidationError, match="each depth needs at least 53"):
        load_bank(a_bank(per_depth=52), "questions.toml")
    assert len(load_bank(a_bank())) == 3 * MIN_PER_DEPTH


# -- the week's question ---------------------------------------------------------------------------------


def test_one_question_a_week_chosen_deterministically(store):
    store.today = lambda: TODAY
    q = store.week_question()
    assert q == store.week_question(WEEK + dt.timedelta(days=6)) == bank().for_week(WEEK, "light")
    assert q.depth == "light" and store.week_question(WEEK + dt.timedelta(days=7)) != q
    with Store(":memory:") as other:  # another couple, the same week, the same depth: the same question
        other.today = lambda: TODAY
        assert other.week_question() == q


def test_no_question_comes_back_within_twelve_months_over_two_generated_years(store):
    """Two years of weeks: both answer each week, and now and then one asks for deeper questions or
    to slow down (random, seeded). No question is asked twice within 365 days."""
    rng = random.Random(21)
    store.add_person("Robin", None)
    store.add_person("Sam", None)
    asked: dict[str, dt.date] = {}
    depths = Counter()
    monday = dt.date(2025, 1, 6)
    for week in range(105):
        day = monday + dt.timedelta(weeks=week, days=rng.randrange(7))
        store.today = lambda day=day: day
        roll = rng.random()
        if roll < 0.12:
            store.ask_deeper("Robin")
            store.ask_deeper("Sam")
        elif roll < 0.18:
            store.ask_slower(rng.choice(["Robin", "Sam"]))
        question = store.week_question()
        for person in ("Robin", "Sam"):
            store.answer_question(person, f"{person}'s answer for week {week}")
        assert store.week_question() == question  # the same for both, and once answered it stays
        last = asked.get(question.id)
        assert last is None or (week_of(day) - last).days > 365, (question.id, last, day)
        asked[question.id] = week_of(day)
        depths[question.depth] += 1
    assert set(depths) == set(DEPTHS), depths  # the run went through every depth
    # and the run is the same run again: deterministic
    assert [a.question for a in store.question_answers(person="Robin")] == [
        a.question for a in store.question_answers(person="Sam")]


def test_an_answered_week_keeps_its_question_when_the_depth_changes(couple):
    as_person(couple, "Robin", ROBIN).answer_question("Robin", ROBINS_ANSWER)
    asked = couple.week_question()
    couple.ask_deeper("Robin")
    as_person(couple, "Sam", SAM).ask_deeper("Sam")
    assert couple.question_depth() == "deeper"
    assert couple.week_question() == asked  # Sam answers what Robin answered
    assert couple.week_question(WEEK + dt.timedelta(days=7)).depth == "deeper"


# -- answers: sealed until both have answered -------------------------------------------------------------


def test_an_answer_is_sealed_for_its_writer_until_both_have_answered(couple, db_path):
    as_person(couple, "Robin", ROBIN).answer_question("Robin", ROBINS_ANSWER)
    assert [a.text for a in couple.question_answers("Robin")] == [ROBINS_ANSWER]
    # the partner, signed in, sees that Robin answered, not what
    as_person(couple, "Sam", SAM)
    [robins] = couple.question_answers("Sam")
    assert (robins.person, robins.text) == ("Robin", None)
    assert ROBINS_ANSWER not in repr(couple.question_answers("Sam")) + repr(couple.answer_frame())
    # nobody (reader None), and a partner not signed in, see no words
    assert [a.text for a in couple.question_answers()] == [None]
    couple.sign_out()
    with pytest.raises(NotSignedIn):
        couple.question_answers("Sam")
    with pytest.raises(NotSignedIn):
        couple.answer_question("Robin", "Sam typing in Robin's name")
    # once Sam answers, each sees the other's words
    as_person(couple, "Sam", SAM).answer_question("Sam", SAMS_ANSWER)
    assert {a.person: a.text for a in couple.question_answers("Sam")} == {"Robin": ROBINS_ANSWER, "Sam": SAMS_ANSWER}
    as_person(couple, "Robin", ROBIN)
    assert {a.person: a.text for a in couple.question_answers("Robin")} == {"Robin": ROBINS_ANSWER, "Sam": SAMS_ANSWER}
    # and the store's bytes (file, log) hold neither answer
    couple.sign_out()
    raw = store_bytes(db_path)
    for words in (ROBINS_ANSWER, SAMS_ANSWER, "missed the last train", "ferry"):
        assert words.encode() not in raw


def test_a_visitor_on_the_home_network_sees_nothing(couple, db_path):
    as_person(couple, "Robin", ROBIN).answer_question("Robin", ROBINS_ANSWER)
    as_person(couple, "Sam", SAM).answer_question("Sam", SAMS_ANSWER)
    couple.sign_out()
    with Store(db_path, passphrases_required=True) as lan:
        assert lan.question_answers() == [] and lan.depth_history() == []
        with pytest.raises(NotSignedIn):
            lan.question_answers("Robin")
        with pytest.raises(NotSignedIn):
            lan.answer_question("Robin", "a visitor's words")
        with pytest.raises(NotSignedIn):
            lan.ask_slower("Sam")


def test_the_partner_cannot_open_an_answer_without_their_own_passphrase(couple, db_path):
    """A stranger with the file and the kit (or the partner not signed in) opens no answer: the words
    are sealed, and the share for the partner opens only with the partner's own key."""
    as_person(couple, "Robin", ROBIN).answer_question("Robin", ROBINS_ANSWER)
    as_person(couple, "Sam", SAM).answer_question("Sam", SAMS_ANSWER)
    couple.sign_out()
    with Store(db_path) as stranger:
        assert [a.text for a in stranger.question_answers()] == [None, None]
        rows = stranger.connection.execute("SELECT body, body_sealed FROM question_answer_versions").fetchall()
        assert all(body is None and sealed for body, sealed in rows)
        with pytest.raises(NotSignedIn):
            stranger.answer_history("Robin", WEEK)
    with pytest.raises(ValidationError, match="no one called Alex"):
        couple.sign_in("Alex", "a guess")


def test_partners_without_passphrases_see_each_other_only_after_both(store):
    store.today = lambda: TODAY
    store.add_person("Alex", None)
    store.add_person("Kim", None)
    store.answer_question("Alex", "Plain words")
    assert [a.text for a in store.question_answers("Kim")] == [None]
    store.answer_question("Kim", "Mine too")
    assert [a.text for a in store.question_answers("Kim")] == ["Plain words", "Mine too"]


def test_a_changed_answer_keeps_the_earlier_version_and_a_backup_holds_it_all(couple, tmp_path):
    as_person(couple, "Robin", ROBIN)
    assert couple.answer_question("Robin", "First thoughts") == "added"
    assert couple.answer_question("Robin", "First thoughts") == "unchanged"
    assert couple.answer_question("Robin", ROBINS_ANSWER) == "updated"
    history = couple.answer_history("Robin", WEEK)
    assert [v[2].text for v in history] == ["First thoughts", ROBINS_ANSWER]
    assert [v[1] for v in history] == [None, None]
    couple.ask_deeper("Robin")
    copy = couple.backup(tmp_path / "copy.db")
    with Store(copy) as restored:
        restored.sign_in("Robin", ROBIN)
        assert [v[2].text for v in restored.answer_history("Robin", WEEK)] == ["First thoughts", ROBINS_ANSWER]
        assert restored.depth_wish("Robin") == "deeper"


def test_bad_answers_are_refused_and_nothing_is_saved(couple):
    as_person(couple, "Robin", ROBIN)
    for text, words in (("   ", "cannot be empty"), ("x" * 4001, "at most 4,000 characters")):
        with pytest.raises(ValidationError, match=words):
            couple.answer_question("Robin", text)
    with pytest.raises(ValidationError, match="has not begun yet"):
        couple.answer_question("Robin", "From the future", week=WEEK + dt.timedelta(days=7))
    assert couple.question_answers() == []


def test_the_schema_has_the_tables_at_the_version_this_code_writes(store):
    assert store.schema_version == migrations.SCHEMA_VERSION
    names = {r[0] for r in store.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"question_answers", "question_answer_versions", "question_answer_shares", "question_depth",
            "question_wishes"} <= names
    columns = {r[1] for r in store.connection.execute("PRAGMA table_info(question_wishes)")}
    assert not columns & {"person", "writer", "reader"}  # wishes name nobody


# -- depth -----------------------------------------------------------------------------------------------


def test_depth_rises_only_after_two_private_yeses(couple):
    assert couple.question_depth() == "light"
    as_person(couple, "Robin", ROBIN)
    assert couple.ask_deeper("Robin") == "waiting"
    assert couple.ask_deeper("Robin") == "already"
    assert couple.question_depth() == "light" and couple.depth_wish("Robin") == "deeper"
    as_person(couple, "Sam", SAM)
    assert couple.depth_wish("Sam") is None  # Robin's yes is not shown to Sam
    assert couple.ask_deeper("Sam") == "deeper"
    assert couple.question_depth() == "deeper" and couple.depth_wish("Sam") is None
    # a new round: the earlier yeses count no more
    assert couple.ask_deeper("Sam") == "waiting" and couple.question_depth() == "deeper"
    as_person(couple, "Robin", ROBIN)
    assert couple.ask_deeper("Robin") == "deeper" and couple.question_depth() == "deepest"
    assert couple.ask_deeper("Robin") == "deepest"


def test_one_slower_brings_it_down_and_nobody_can_tell_who(couple, db_path):
    as_person(couple, "Robin", ROBIN).ask_deeper("Robin")
    as_person(couple, "Sam", SAM).ask_deeper("Sam")
    assert couple.question_depth() == "deeper"
    as_person(couple, "Robin", ROBIN)
    couple.ask_deeper("Robin")  # ready for more, then changes their mind
    assert couple.ask_slower("Robin") == "light" and couple.question_depth() == "light"
    assert couple.ask_slower("Robin") == "light"  # light stays light
    # Sam, signed in, finds nothing that says who slowed down: the depth's history names nobody,
    # Sam's own wish is gone with the round, and Sam saying yes now waits for a new yes from Robin
    as_person(couple, "Sam", SAM)
    assert [d for _, d in couple.depth_history()] == ["deeper", "light", "light"]
    assert couple.depth_wish("Sam") is None
    assert couple.ask_deeper("Sam") == "waiting" and couple.question_depth() == "light"
    # nor does the file: no wish names anyone, or says "slower", in the clear
    couple.sign_out()
    raw = store_bytes(db_path)
    assert b"slower" not in raw
    with sqlite3.connect(db_path) as conn:
        wishes = conn.execute("SELECT box, body FROM question_wishes").fetchall()
    assert wishes and all(body is None and b"Robin" not in box and b"Sam" not in box for box, body in wishes)


def test_either_can_slow_down_and_the_form_never_says_who(couple):
    as_person(couple, "Sam", SAM).ask_deeper("Sam")
    as_person(couple, "Robin", ROBIN).ask_deeper("Robin")
    couple.sign_out()
    form = CheckInForm(couple, today=TODAY)
    form.who.value = "Sam"
    form.passphrase.value = SAM
    form.sign_in_button.click()
    form.question.slower_button.click()
    assert "nobody is told who asked" in form.question.depth_message.value
    assert couple.question_depth() == "light"
    form.sign_out()
    form.who.value = "Robin"
    form.passphrase.value = ROBIN
    form.sign_in_button.click()
    shown = form.question.depth.value + form.question.depth_message.value
    assert "light questions" in shown and "Sam" not in shown
    assert "slow" not in (shown + form.question.partner.value + form.message.value).lower()


# -- CSV ---------------------------------------------------------------------------------------------------


def test_csv_round_trip_is_exact_and_sealed_again_on_import(couple, tmp_path, db_path):
    as_person(couple, "Robin", ROBIN).answer_question("Robin", "Two lines,\nwith \"quotes\", and =a formula")
    couple.answer_question("Robin", "Earlier week", week=WEEK - dt.timedelta(days=7))
    as_person(couple, "Sam", SAM).answer_question("Sam", SAMS_ANSWER)
    robins = [a for a in as_person(couple, "Robin", ROBIN).question_answers("Robin") if a.person == "Robin"]
    sams = [a for a in as_person(couple, "Sam", SAM).question_answers("Sam") if a.person == "Sam"]
    exported = to_csv(robins + sams)
    assert exported.splitlines()[0] == "week,person,question,answer"
    path = tmp_path / "answers.csv"
    path.write_text(exported, encoding="utf-8")
    assert parse_answers(path.read_text(encoding="utf-8"), str(path)) == sorted(robins + sams,
                                                                             key=lambda a: (a.week, a.person))
    # into another store, where Robin and Sam have passphrases too: each signs in for their rows
    other = tmp_path / "other.db"
    with Store(other) as s:
        s.add_person("Robin", ROBIN)
        s.add_person("Sam", SAM)

    def sign_in(store, names):
        for name in names:
            store.sign_in(name, {"Robin": ROBIN, "Sam": SAM}[name])

    assert import_answers(path, other, sign_in=sign_in) == (3, 0, 0)
    assert import_answers(path, other, sign_in=sign_in) == (0, 0, 3)
    with Store(other) as s:
        s.sign_in("Robin", ROBIN)
        s.sign_in("Sam", SAM)
        again = to_csv([a for a in s.question_answers("Robin") if a.person == "Robin"]
                       + [a for a in s.question_answers("Sam") if a.person == "Sam"])
    assert again == exported
    assert b"with \\\"quotes\\\"" not in store_bytes(other) and b"formula" not in store_bytes(other)


def test_import_needs_each_writer_signed_in(couple, tmp_path, db_path):
    path = tmp_path / "answers.csv"
    path.write_text(f"week,person,question,answer\n{WEEK},Robin,{bank().questions[0].id},Hello\n", encoding="utf-8")
    with pytest.raises(NotSignedIn):
        import_answers(path, db_path)
    with Store(db_path) as s:
        assert s.question_answers() == []


def test_bad_rows_name_file_line_and_column_and_import_nothing(tmp_path, db_path):
    qid = bank().questions[0].id
    path = tmp_path / "bad.csv"
    path.write_text("week,person,question,answer\n"
                    f"2026-11-02,Robin,{qid},Fine\n"
                    f"2026-11-2,Robin,{qid},Bad date\n"
                    "2026-11-09,Robin,no-such-question,Unknown question\n"
                    f"2026-11-16,Robin,{qid},\n"
                    f"2026-11-04,Robin,{qid},Same week as line 2\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        import_answers(path, db_path)
    said = [str(p) for p in caught.value.problems]
    assert said[0].startswith(f"{path}, line 3, column week")
    assert said[1].startswith(f"{path}, line 4, column question: 'no-such-question' is not a question of the bank")
    assert said[2].startswith(f"{path}, line 5, column answer")
    assert said[3].startswith(f"{path}, line 6, column week: the same person and week as line 2")
    assert "nothing was imported" in str(caught.value)
    assert not db_path.exists()  # the store was not even made


def test_an_answer_is_validated_like_any_other_input():
    with pytest.raises(ValidationError, match="column question|question"):
        QuestionAnswer.create(person="Robin", week=WEEK, question="", text="x")
    a = QuestionAnswer.create(person="Robin", week=TODAY, question=bank().questions[0].id, text="x")
    assert a.week == WEEK


# -- the letter's count ------------------------------------------------------------------------------------


def test_weeks_answered_counts_weeks_both_answered_and_reveals_no_words(couple):
    november = [dt.date(2026, 11, d) for d in (2, 9, 16, 23, 30)]
    assert month_weeks("2026-11", today=TODAY) == november
    assert month_weeks("2026-12", today=TODAY) == []  # the first Monday of December has not come
    for person, words in (("Robin", ROBIN), ("Sam", SAM)):
        as_person(couple, person, words)
        for monday in november[:3] if person == "Robin" else november[1:]:
            couple.answer_question(person, f"{person}'s secret {monday}", week=monday)
    couple.sign_out()
    assert weeks_answered(couple, "2026-11", today=TODAY) == (2, 5)
    frame = couple.answer_frame()
    assert "secret" not in frame.to_csv() and "text" not in frame.columns
    assert weeks_answered(frame, "2026-11", today=TODAY) == (2, 5)
    assert weeks_answered(frame, "2026-10", today=TODAY) == (0, 4)


# -- the form -------------------------------------------------------------------------------------------


def open_form(store, person, words):
    form = CheckInForm(store, today=TODAY)
    form.who.value = person
    form.passphrase.value = words
    form.sign_in_button.click()
    return form


def test_the_form_asks_the_question_and_shows_the_partners_answer_only_after_both(couple):
    form = CheckInForm(couple, today=TODAY)
    assert form.question.widget.layout.display == "none"  # nobody yet
    form.who.value = "Robin"
    assert form.question.widget.layout.display == "none"  # Robin's name, not signed in
    form = open_form(couple, "Robin", ROBIN)
    box = form.question
    assert box.widget.layout.display is None and couple.week_question().text in box.question.value
    assert list(form.body.children).index(box.widget) == 0  # first of the answers: quick on a phone
    box.answer.value = ROBINS_ANSWER
    box.save_button.click()
    assert "Saved your answer" in box.message.value and "Sam has not answered" in box.partner.value
    form.sign_out()
    assert box.widget.layout.display == "none" and box.answer.value == ""
    form = open_form(couple, "Sam", SAM)
    assert "Robin has answered; you\u2019ll see it once you have given yours." in form.question.partner.value
    assert ROBINS_ANSWER not in repr(form.question.widget.get_state()) + form.question.partner.value
    form.question.answer.value = SAMS_ANSWER
    form.question.save_button.click()
    assert f"Robin\u2019s answer:</b> {ROBINS_ANSWER}" in form.question.partner.value
    form.question.deeper_button.click()
    assert "Noted, privately" in form.question.depth_message.value
    assert form.question.deeper_button.layout.display == "none"


def test_the_form_says_what_was_wrong_and_keeps_the_words(couple):
    form = open_form(couple, "Robin", ROBIN)
    form.question.answer.value = "x" * 4001
    form.question.save_button.click()
    assert "at most 4,000 characters" in form.question.message.value and "Nothing was saved" in \
        form.question.message.value
    assert form.question.answer.value == "x" * 4001 and couple.question_answers() == []


def test_the_demo_couple_answers_recent_weeks():
    from reflect.storage.demo import fill, generate_answers

    assert generate_answers(end="2026-10") == generate_answers(end="2026-10")  # same seed, same words
    with Store(":memory:") as s:
        fill(s, end="2026-10")
        answers = s.question_answers("Sam")
        assert {a.week.strftime("%Y-%m") for a in answers} == {"2026-09", "2026-10"}
        assert all(s.week_question(a.week).id == a.question for a in answers)
        weeks_of = Counter(a.week for a in answers)
        assert all(bool(a.text) == (a.person == "Sam" or weeks_of[a.week] == 2) for a in answers)
        both, weeks = weeks_answered(s, "2026-10")
        assert weeks == 4 and 2 <= both <= weeks


def test_a_partner_without_a_passphrase_reads_a_sealed_answer_once_they_have_one(db_path, fast_keys):
    """Robin seals with a passphrase; Alex has none: after both answered, Robin's words reach Alex only once
    Alex has a passphrase and Robin has signed in since (the share is made then), and the form says so."""
    with Store(db_path) as s:
        s.today = lambda: TODAY
        s.add_person("Robin", ROBIN)
        s.add_person("Alex", None)
        s.answer_question("Robin", ROBINS_ANSWER)
        s.sign_out()
        s.answer_question("Alex", "Open words")
        assert {a.person: a.text for a in s.question_answers("Alex")} == {"Alex": "Open words", "Robin": None}
        form = CheckInForm(s, today=TODAY)
        form.who.value = "Alex"
        assert "their words reach you once you have a passphrase of your own" in form.question.partner.value
        form.sign_out()
        s.set_passphrase("Alex", "alex's own words")
        s.sign_out()
        s.sign_in("Robin", ROBIN)  # Robin's kit leaves Alex the key
        s.sign_out()
        s.sign_in("Alex", "alex's own words")
        assert {a.person: a.text for a in s.question_answers("Alex")} == {"Alex": "Open words", "Robin": ROBINS_ANSWER}
        assert b"Open words" not in store_bytes(db_path)  # Alex's words were sealed when Alex chose one
