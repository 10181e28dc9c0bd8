"""The practices in the report, the trends and the charts: what they say, what they never say, and
the life events drawn on the charts (in the spec itself)."""

from __future__ import annotations

import pandas as pd
import pytest

from reflect.analytics import agreements as follow_through
from reflect.analytics import analysis, lifeevents, phrases, repairs
from reflect.domain.lifeevents import LifeEvent
from reflect.reporting.report import MonthlyReport
from reflect.storage import demo
from reflect.storage.store import Store
from reflect.views import charts
from reflect.views.explorer import Trends

END = "2026-10"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("practices") / "demo.db"
    with Store(path) as s:
        demo.fill(s, end=END)
    return path


def section(report) -> str:
    return report.practices_section().html


def test_the_report_shows_the_agreements_and_how_they_went(demo_db):
    report = MonthlyReport.open(month=END, db=str(demo_db))
    html = section(report)
    assert "<h2>What you are practising</h2>" in html
    assert "For October, you agreed to try:" in html and "For November:" in html
    assert "not answered yet (the next check-in asks each of you)" in html
    assert html.count('<b class="kept"') >= 3 and 'class="legend"' in html
    assert "In months when you kept your agreement, emotional intimacy averaged" in html
    # the rituals said it already: said once, and called back here
    assert "As with the rituals: a pattern in your own data, not proof of a cause." in html


def test_repairs_are_counted_warmly_and_never_quoted(demo_db):
    with Store(demo_db) as s:
        topics = {r.body.topic for p in ("Robin", "Sam") for r in s.repairs(p, person=p) if r.body}
    assert topics >= {"the dishes", "money", "phones at dinner"}
    words = {"I'm sorry I snapped", "it makes sense you felt alone", "Take turns at night", "Phones away at dinner",
             "A long hug"}
    html = section(MonthlyReport.open(month=END, db=str(demo_db)))
    assert "You repaired twice this month" in html and "after a rupture is a strength" in html
    for text in words | topics:
        assert text not in html and text.replace("'", "&#39;") not in html, text
    with_notes = section(MonthlyReport.open(month=END, db=str(demo_db), include_notes=True))
    for text in words:  # a report with notes has the consent items, and never a repair's words
        assert text not in with_notes and text.replace("'", "&#39;") not in with_notes, text


def test_what_both_said_yes_to_is_shown_only_with_notes_and_never_a_no(demo_db):
    without = section(MonthlyReport.open(month=END, db=str(demo_db)))
    assert "stay out of this letter, like your notes" in without
    assert "Holding hands in public" not in without  # a shared yes, but only with notes
    html = section(MonthlyReport.open(month=END, db=str(demo_db), include_notes=True))
    assert "What Robin and Sam both said yes to: A weekend away, just the two of us; Holding hands in public" in html
    assert "Not now, for now: Talking about money; A long massage; Trying something new in bed." in html
    # each one's "no": Robin's to time on their own, Sam's to hugs in public
    assert "Time on our own" not in html and "Hugs in public" not in html


def test_life_events_are_in_the_report_words_and_on_its_charts(demo_db):
    report = MonthlyReport.open(month="2025-02", db=str(demo_db))
    html = section(report)
    assert "<h3>Life events</h3>" in html and "Our baby, Ada, is born" in html
    assert "dipped after the birth in November 2024: common after a birth, and it tends to come back" in html
    over = report.over_time().html
    assert "after the birth" not in over  # said once, under life events
    assert over.count("Birth</text>") >= 2 or over.count(">Birth<") >= 2  # drawn on the trends and the balance


def test_event_marks_are_in_the_chart_spec_and_not_in_the_other_layers():
    with Store(":memory:") as s:
        demo.fill(s, end=END)
        table, events = analysis.monthly_table(s.frame()), s.event_frame()
    for chart in (charts.dimension_trends(table, events=events), charts.balance_over_time(table, events=events)):
        spec = chart.to_dict()  # validated against the Vega-Lite schema
        layers = spec["spec"]["layer"]
        marks = [layer for layer in layers if "event" in str(layer.get("transform", ""))]
        assert [m["mark"]["type"] for m in marks[-2:]] == ["rule", "text"]
        assert marks[-2]["mark"]["strokeDash"] == [4, 3]
        rows = spec["datasets"][next(iter(spec["datasets"]))]
        labelled = {r["event"] for r in rows if r.get("event")}
        assert labelled == {"Birth", "New job", "Move"}
        # the scores' own layers leave the event rows out
        assert all("datum.event === null" in str(layer.get("transform")) for layer in layers
                   if layer["mark"] in ("point", "line") or layer.get("mark", {}).get("type") in ("point", "line"))
    # without events, the charts are exactly as they were
    for chart in (charts.dimension_trends, charts.balance_over_time):
        assert chart(table).to_dict() == chart(table, events=events.iloc[0:0]).to_dict()
        assert "event" not in str(chart(table).to_dict())


def test_an_event_outside_the_chart_is_not_drawn():
    with Store(":memory:") as s:
        demo.fill(s, end=END)
        table = analysis.monthly_table(s.frame())
        s.mark_event(LifeEvent.create(day="1999-01-02", words="Long before"))
        events = s.event_frame()
    spec = charts.dimension_trends(table[table["month"] >= "2026-01"], events=events).to_dict()
    rows = spec["datasets"][next(iter(spec["datasets"]))]
    assert not {r["event"] for r in rows if r.get("event")}  # Birth, New job, Move, Long before: all earlier


def test_the_trends_notebook_sections_take_events_in_and_keep_lists_out(demo_db):
    trends = Trends.open(str(demo_db))
    view = trends.view(trends.selection(month="2025-01"))
    assert any("after the birth in November 2024" in line for line in view.readings)
    text = trends.practices().text
    assert "One small thing we'll try" in text and "Over the last 12 months, 12 months with an agreement" in text
    assert "Each of your lists is private, and this notebook never reads them." in text
    for answer_item in ("Time on our own", "Hugs in public", "Karaoke"):
        assert answer_item not in text


# -- the sums behind the words --------------------------------------------------------------------


def test_a_month_keeps_its_agreements_with_a_yes_and_a_partly():
    frame = pd.DataFrame([("2026-01", 1, "x", None, None, "Robin", "yes"), ("2026-01", 1, "x", None, None, "Sam",
                                                                           "partly"),
                          ("2026-02", 1, "y", None, None, "Robin", "partly"), ("2026-02", 1, "y", None, None, "Sam",
                                                                              "partly"),
                          ("2026-03", 1, "z", None, None, None, None)],
                         columns=["month", "number", "text", "dimension", "ritual", "person", "answer"])
    table = follow_through.month_table(frame)
    assert list(table["state"]) == ["kept", "partly", "unanswered"]


def test_agreements_say_nothing_of_scores_while_thin():
    with Store(":memory:") as s:
        demo.fill(s, end=END)
        frame = s.agreement_frame()
        thin = frame[frame["month"] <= "2025-09"]
        found = follow_through.links(s.frame(), thin, until="2025-09")
    [sentence] = follow_through.findings(found)
    assert sentence.startswith("It is too early to say whether keeping your agreements goes with higher scores: "
                               "that needs at least 6 months with an agreement kept and 6 without (so far ")
    assert follow_through.findings(follow_through.links(pd.DataFrame(), frame)) == []


def test_repair_words():
    frame = pd.DataFrame({"month": ["2026-10", "2026-10", "2026-09"], "days": [0, 0, 5]})
    assert repairs.words(frame, "2026-10") == [
        "You repaired twice this month, both the same day. Coming back to each other after a rupture is a strength.",
        "Over the last 12 months: 3 repairs, usually the same day."]
    # two repairs are "both", never "all of them"; "usually" only for most of three or more
    two = pd.DataFrame({"month": ["2026-10", "2026-10"], "days": [0, 1]})
    assert repairs.words(two, "2026-10") == [
        "You repaired twice this month, one the same day and one the next day. Coming back to each other after a "
        "rupture is a strength.",
        "Over the last 12 months: 2 repairs, one the same day and one the next day."]
    many = pd.DataFrame({"month": ["2026-10"] * 4, "days": [0, 1, 3, 1]})
    assert repairs.words(many, "2026-10")[1] == "Over the last 12 months: 4 repairs, 3 of them within 2 days."
    assert repairs.words(frame, "2026-11")[0] == "No repair was noted this month."
    assert repairs.words(frame.iloc[0:0], "2026-10") == []


def test_life_event_words_name_what_moved_and_what_came_back():
    rows = []
    for i, month in enumerate([f"2025-{m:02d}" for m in range(1, 13)]):
        passion = 4.0 if 3 <= i <= 5 else 7.0
        rows.append({"person": "Robin", "month": month, "passion": passion, "emotional": 6.0, "physical": 6.0,
                     "intellectual": 6.0, "experiential": 6.0, "spiritual": 6.0, "intimacy_index": 6.0})
    table = pd.DataFrame(rows)
    events = pd.DataFrame({"day": pd.to_datetime(["2025-04-10"]), "month": ["2025-04"], "kind": ["birth"],
                           "words": ["Ada"], "name": ["the birth"]})
    assert lifeevents.event_words(table, events, "2025-05") == [
        "Passion dipped after the birth in April: common after a birth, and it tends to come back."]
    assert lifeevents.event_words(table, events, "2025-09") == [
        "Passion dipped after the birth in April: common after a birth, and it tends to come back; it has come back "
        "since."]
    assert lifeevents.event_words(table, events, "2026-06") == []  # more than a year ago: no longer said
    together = phrases.dimensions_together(["passion", "physical", "spiritual"])
    assert together == "passion, physical and spiritual intimacy"
