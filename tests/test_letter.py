"""The letter a couple can trust: the linter (tests/letters.py) on every month of the demo couple and on
letters of generated couples of many shapes, and a test for each small wording fault it once had."""

import pandas as pd
import pytest

from reflect.analytics import insights, lifestage, year
from reflect.analytics.analysis import monthly_table
from reflect.analytics.phrases import gap
from reflect.reporting.report import MonthlyReport
from reflect.storage import demo
from reflect.storage.store import Store

from .helpers import make_checkin
from .letters import LETTER_SHAPES, letter_couple, letter_html, link_claims, lint, without_drawing

END = "2026-10"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("letters") / "demo.db"
    with Store(path) as s:
        demo.fill(s, end=END)
    return path


@pytest.fixture(autouse=True)
def _no_drawing(monkeypatch):
    without_drawing(monkeypatch)


def test_every_letter_of_the_demo_couple_passes_the_linter(demo_db):
    with Store(demo_db) as s:
        months = s.months()
    assert len(months) == 30
    wrong = {}
    for month in months:
        report = MonthlyReport.open(month=month, db=str(demo_db))
        found = lint(letter_html(report), month_title=report.title)
        if found:
            wrong[month] = [str(p) for p in found]
    assert wrong == {}


@pytest.mark.parametrize("shape", LETTER_SHAPES)
def test_letters_of_generated_couples_pass_the_linter(shape):
    wrong = {}
    for seed in range(4):  # 16 shapes x 4 = 64 couples
        report = letter_couple(seed, shape)
        found = lint(letter_html(report), month_title=report.title)
        if found:
            wrong[seed] = [str(p) for p in found]
    assert wrong == {}


def test_letters_of_couples_where_nothing_is_linked_stay_quiet():
    claims = 0
    letters = 0
    for shape in LETTER_SHAPES:
        for seed in range(4, 8):
            letters += 1
            claims += bool(link_claims(letter_html(letter_couple(seed, shape))))
    assert claims <= 0.05 * letters, (claims, letters)


def test_the_linter_finds_what_it_looks_for():
    page = ('<div class="reflect"><p>Hello there, this is one sentence. Hello there, this is one sentence.</p>'
            "<p>Robin: passion 7.5 against an intimacy index of 8.2 (in balance: passion 0.6 below the index).</p>"
            "<p>Made on 06 December 2026. Run <code>reflect report --include-notes</code>. A dip is normal, not a "
            "failure, not a verdict; what matters is this. Passion rose because of the new job.</p></div>")
    rules = {p.rule for p in lint(page)}
    assert {"said twice", "a gap the reader cannot work out", "a date with a leading zero", "more than three maxims",
            "a command line in the letter", "a cause claimed", "no cover"} <= rules


# -- one truth per statement ---------------------------------------------------------------------------


def _frame(*checkins):
    with Store(":memory:") as s:
        s.save_many(checkins)
        return s.frame()


def test_a_gap_is_worked_out_from_the_numbers_as_printed():
    assert gap(7.46, 8.21) == -0.7 and gap(8.0, 8.0) == 0.0
    frame = _frame(make_checkin("Ana", "2026-10-01", passion=7, emotional=9, physical=8, intellectual=8,
                                experiential=8, spiritual=8),
                   make_checkin("Ana", "2026-10-15", cadence="daily", passion=8, emotional=8, physical=9,
                                intellectual=8, experiential=9, spiritual=8))
    report = MonthlyReport(frame, "2026-10")
    line = str(report.at_a_glance())
    passion, index = report.summary["people"]["Ana"]["scores"]["passion"], report.summary["people"]["Ana"][
        "intimacy_index"]
    printed = f"{abs(round(round(passion, 1) - round(index, 1), 1)):.1f}"
    assert f"passion {printed} below the index" in line


def test_ties_for_the_biggest_change_are_named_together():
    frame = _frame(make_checkin("Robin", "2026-09-01", spiritual=5, intellectual=5),
                   make_checkin("Robin", "2026-10-01", spiritual=6, intellectual=6))
    [change] = [f for f in insights.insights(frame, "2026-10") if f.kind == "change"]
    assert change.text == ("The biggest move since last month: Robin's intellectual and spiritual intimacy, both up "
                           "1.0 points.")
    rows = monthly_table(frame)
    assert insights.biggest_changes(rows[rows["month"] == "2026-10"]) == (1.0, [("Robin", "intellectual"),
                                                                                 ("Robin", "spiritual")])


def test_close_needs_a_high_index_not_only_a_lower_passion():
    low = _frame(make_checkin("Jordan", passion=3, emotional=5, physical=5, intellectual=5, experiential=6,
                              spiritual=5))
    [balance] = [f for f in insights.insights(low) if f.kind == "balance"]
    assert "feel close" not in balance.text and "neither is high" in balance.text
    high = _frame(make_checkin("Jordan", passion=4, emotional=8, physical=7, intellectual=7, experiential=7,
                               spiritual=7))
    [balance] = [f for f in insights.insights(high) if f.kind == "balance"]
    assert "you feel close" in balance.text


def test_what_is_true_of_both_is_one_sentence_about_both():
    frame = _frame(make_checkin("Robin", passion=4, emotional=8, desired={"passion": 8}),
                   make_checkin("Sam", passion=3, emotional=8, desired={"passion": 8}))
    found = insights.insights(frame)
    unmet = [f for f in found if f.kind == "unmet_needs"]
    assert len(unmet) == 1 and unmet[0].text.startswith("You both would like more passion")
    weakest = [f for f in found if f.kind == "weakest"]
    assert len(weakest) == 1 and weakest[0].text.startswith("For both of you, passion scored lowest")


# -- said once, good news first, your year ---------------------------------------------------------------


def test_a_good_month_opens_on_what_went_well_and_tells_the_year(demo_db):
    report = MonthlyReport.open(month=END, db=str(demo_db))
    assert report.went_well()
    cover = str(report.cover())
    opening = cover.split("Dear Robin and Sam,</p><p>", 1)[1].split("</p>", 1)[0]
    assert opening.startswith("October went well") and "room to grow" not in opening
    story = " ".join(year.story(report.table, report.events, END, report.people))
    assert "Since October 2025, your intimacy indexes went from" in story
    assert "most often wished for more" in story
    assert story in cover.replace("&#39;", "'")


def test_a_first_month_has_no_empty_charts_and_says_why():
    frame = _frame(make_checkin("Ana"), make_checkin("Ben"))
    report = MonthlyReport(frame, "2026-10")
    over = str(report.over_time())
    assert "<figure" not in over and "The charts over time begin once there are three months" in over
    assert "This is your first month with Reflect" in str(report.cover())


def test_the_counts_name_only_the_kinds_of_check_in_there_were():
    monthly = MonthlyReport(_frame(make_checkin("Ana")), "2026-10")
    assert "checked in once." in str(monthly.cover()) and "check-ins together" not in str(monthly.cover())
    mixed = MonthlyReport(_frame(make_checkin("Ana"), make_checkin("Ana", "2026-10-09", cadence="daily")), "2026-10")
    assert "Ana checked in twice (monthly and daily check-ins together)." in str(mixed.cover())


# -- life stage and follow-through ------------------------------------------------------------------------


def _events(day, kind, words):
    ts = pd.Timestamp(day)
    return pd.DataFrame([{"day": ts, "month": day[:7], "kind": kind, "words": words, "name": kind}])


@pytest.mark.parametrize("kind", ["birth", "new-job", "move", "illness", "distance"])
def test_suggestions_fit_the_season_of_life(kind):
    from reflect.analytics.practices import Practices

    events = _events("2026-08-20", kind, "Something big")
    assert lifestage.season("2026-10", events).kind == kind
    checkins = _frame(*(make_checkin(p, f"2026-{m:02d}-01", passion=3, emotional=8, physical=7, intellectual=7,
                                     experiential=7, spiritual=7, desired={"passion": 8})
                        for p in ("Robin", "Sam") for m in (8, 9, 10)))
    none = Practices.none()
    report = MonthlyReport(checkins, "2026-10", practices=Practices(none.agreements, none.repairs, events))
    page = letter_html(report)
    season = lifestage.SEASONS[kind]
    assert report.one_thing["text"] in [s[:1].lower() + s[1:] for s in season.suggestions] and season.name in page
    if season.gentle:
        assert not any(s in page for s in insights.DEMANDING)  # no night out dressed up with a new baby
    assert lint(page, month_title=report.title) == []


def test_an_agreement_tied_to_a_ritual_is_checked_against_the_log(demo_db):
    from reflect.reporting import practices

    report = MonthlyReport.open(month=END, db=str(demo_db))
    agreed = practices.context(report)["agreements"]["this"]
    tied = [a for a in agreed if a["tie"] and "ritual" not in a["tie"] or a.get("log")]
    assert tied and all(a["log"].startswith("The ritual log shows") for a in tied)


def test_next_january_is_named_with_its_year():
    from reflect.analytics.practices import Practices
    from reflect.domain.agreements import Agreement

    with Store(":memory:") as s:
        s.save_many([make_checkin("Ana", "2026-12-01")])
        s.add_agreement(Agreement.create(month="2027-01", text="A walk on Sundays",
                                         today=pd.Timestamp("2026-12-20").date()))
        report = MonthlyReport(s.frame(), "2026-12", practices=Practices.read(s))
    html = str(report.practices_section())
    assert "For January 2027:" in html and "For January:" not in html


def test_three_moves_tied_are_all_named_and_the_mood_names_who_leans():
    frame = _frame(make_checkin("Ana", "2026-09-01", passion=7), make_checkin("Ben", "2026-09-01", passion=7,
                                                                                spiritual=7),
                   make_checkin("Ana", "2026-10-01", passion=4), make_checkin("Ben", "2026-10-01", passion=4,
                                                                                spiritual=4))
    [change] = [f for f in insights.insights(frame, "2026-10") if f.kind == "change"]
    assert change.text == ("The biggest move since last month: Ana's passion, and Ben's passion and spiritual "
                           "intimacy, all down 3.0 points.")
    leaning = _frame(make_checkin("Ana", passion=5, emotional=5), make_checkin("Ben", passion=3, emotional=8,
                                                                                  physical=8, intellectual=8,
                                                                                  experiential=8, spiritual=8))
    assert "Closeness ran ahead of passion for Ben this month." in str(MonthlyReport(leaning, "2026-10").cover())


# -- findings point to practice cards ----------------------------------------------------------------------


def test_findings_name_practice_cards_never_twice_and_never_last_months(demo_db):
    with Store(demo_db) as s:
        months = s.months()
    before: set[str] = set()
    for month in months:
        report = MonthlyReport.open(month=month, db=str(demo_db))
        page = letter_html(report)
        named = list(report.cards_named)
        assert len(named) == len(set(named)), (month, named)  # none twice in a letter
        assert not set(named) & before, (month, named, before)  # none of last month's
        assert "long-distance-check-in" not in named  # the demo couple is not apart
        helps = str(report.what_might_help())
        assert helps.count('class="card"') >= min(1, helps.count('<div class="finding')), month
        assert page.count('class="card"') == len(named)
        before = set(named)


def test_generated_letters_name_cards_that_fit_their_findings():
    from reflect.domain.cards import all_cards

    deck = all_cards()
    for shape in ("spark-no-closeness", "both-want-more", "baby", "low"):
        report = letter_couple(1, shape)
        letter_html(report)
        assert report.cards_named, shape
        assert all(name in deck for name in report.cards_named)
    baby = letter_couple(2, "baby")
    letter_html(baby)
    assert any("new-baby" in deck[n].situations for n in baby.cards_named)


def test_what_the_letter_counts_is_part_of_the_reports_fingerprint():
    """An appreciation, an answer to the week's question or a weighing shared later changes what the
    letter says: `reflect report --all` must not skip the month as unchanged."""
    with Store(":memory:") as s:
        s.save_many([make_checkin("Ana", "2026-10-01"), make_checkin("Ben", "2026-10-01")])
        first = s.report_inputs("2026-11-01")
        s.appreciate("Ana", "The soup, when I was ill", day="2026-10-12")
        second = s.report_inputs("2026-11-01")
        s.answer_question("Ben", "A walk by the sea", week="2026-10-12")
        third = s.report_inputs("2026-11-01")
    assert first != second != third
