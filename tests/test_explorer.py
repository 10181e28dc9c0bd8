"""The trends explorer driven without a browser, its sections, and the trends notebook run for real."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from reflect.domain.dimensions import KEYS
from reflect.errors import StoreError, ValidationError
from reflect.storage import demo
from reflect.storage.store import Store
from reflect.views import charts
from reflect.views.explorer import (
    DEFAULT_MONTHS,
    MAX_FINDINGS,
    ONE_MONTH,
    OVER_TIME,
    PANELS,
    CheckboxGroup,
    Explorer,
    Trends,
    balance_stretches,
    explorer,
    months_between,
)

from .helpers import make_checkin

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "trends.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
END = "2026-10"


@pytest.fixture(scope="module")
def demo_frame() -> pd.DataFrame:
    with Store(":memory:") as s:
        demo.fill(s, end=END)
        return s.frame()


@pytest.fixture
def demo_trends(demo_frame) -> Trends:
    return Trends(demo_frame, is_demo=True, source="demo.db")


@pytest.fixture
def ex(demo_trends) -> Explorer:
    return demo_trends.explorer()


def frame_of(*checkins) -> pd.DataFrame:
    with Store(":memory:") as s:
        s.save_many(list(checkins))
        return s.frame()


def svgs(ex: Explorer) -> dict[str, str]:
    """The SVG each output shows now."""
    out = {}
    for key, widget in ex.outputs.items():
        data = widget.outputs[0]["data"]
        if "image/svg+xml" in data:
            out[key] = data["image/svg+xml"]
    return out


def sentence(ex: Explorer, key: str) -> str:
    return ex.outputs[key].outputs[0]["data"]["text/plain"]


# -- the view, a plain function ----------------------------------------------------------------


def test_the_default_selection_is_everyone_all_six_the_last_24_months_and_the_latest(demo_trends):
    sel = demo_trends.selection()
    assert sel.people == ("Robin", "Sam")
    assert sel.dimensions == KEYS
    assert sel.last == END and sel.month == END
    assert len(sel.months) == DEFAULT_MONTHS and sel.first == "2024-11"


def test_the_demo_view_has_six_charts_readings_findings_and_says_it_is_the_demo(demo_trends):
    view = demo_trends.view()
    assert list(view.panels) == list(PANELS)
    assert view.chart_count == 6
    assert all(p.text == "" for p in view.panels.values())
    assert [line.split(",")[0] for line in view.readings] == ["Robin", "Sam"]
    assert all("six months to October 2026" in line for line in view.readings)
    assert view.findings and all(f.text for f in view.findings)
    assert "Robin and Sam, the demo couple" in view.notice
    # each chart's spec is valid Vega-Lite
    for panel in view.panels.values():
        panel.chart.to_dict(validate=True)


def test_a_selection_narrows_what_the_charts_are_fed(demo_trends):
    sel = demo_trends.selection(people=["Sam"], dimensions=["physical", "passion"], first="2025-01", last="2025-06",
                                month="2025-03")
    assert sel.dimensions == ("passion", "physical")  # in the fixed order
    view = demo_trends.view(sel)
    spec = view.panels["trends"].chart.to_dict()
    facets = spec["facet"]["sort"]
    assert facets == ["Passion", "Physical"]
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert set(data["person"]) == {"Sam"} and set(data["key"]) == {"passion", "physical"}
    assert data["month"].min() == "2025-01" and data["month"].max() == "2025-06"
    assert "March 2025" in view.panels["partners"].text and "Pick both Robin and Sam" in view.panels["partners"].text
    assert all(line.startswith("Sam") for line in view.readings)
    assert all(f.person in (None, "Sam") for f in view.findings)


def test_readings_say_each_trend_in_words_for_the_dimensions_picked():
    months = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    frame = frame_of(*(
        make_checkin("Sam", f"{m}-01", passion=2 + i, spiritual=9 - i, physical=5) for i, m in enumerate(months)
    ), *(make_checkin("Robin", f"{m}-01") for m in months))
    trends = Trends(frame)
    assert trends.view().readings == (
        "Robin, over the six months to October 2026: everything steady, the intimacy index too.",
        "Sam, over the six months to October 2026: passion rising (+1.0 a month), spiritual intimacy dipping "
        "(\u22121.0 a month); the rest steady; the intimacy index dipping (\u22120.2 a month).",
    )
    sam = trends.view(trends.selection(people=["Sam"], dimensions=["physical", "passion"])).readings
    assert sam == ("Sam, over the six months to October 2026: passion rising (+1.0 a month); the rest steady; "
                   "the intimacy index dipping (\u22120.2 a month).",)
    four = trends.view(trends.selection(month="2026-08")).readings
    assert four[1].startswith("Sam, over the six months to August 2026 (four with check-ins): passion rising")
    early = trends.view(trends.selection(month="2026-07")).readings
    assert early == ("Robin and Sam: too early to say how things are moving. A trend needs check-ins in at least "
                     "four of the six months to July 2026, and there are three so far.",)  # said once for both


def test_months_between_and_balance_stretches(demo_trends):
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_between("2026-02", "2025-11")[0] == "2025-11"
    stretches = balance_stretches(demo_trends.table, "Robin", months_between("2024-05", END))
    assert sum(len(months_between(a, b)) for _, a, b in stretches) == 30
    assert all(a <= b for _, a, b in stretches)
    # a new stretch starts when the balance changes (the demo has a check-in every month)
    assert all(x[0] != y[0] for x, y in zip(stretches, stretches[1:], strict=False))


# -- the explorer, driven without a browser ----------------------------------------------------


def test_the_explorer_draws_six_static_svgs_on_the_demo_data(ex):
    assert ex.svg_count == 6 and ex.renders == 6
    assert ex.selection == ex.trends.selection()
    for key, svg in svgs(ex).items():
        assert svg.startswith("<svg"), key
        assert "http" not in svg.replace("http://www.w3.org", ""), key  # nothing to fetch
    assert "the demo couple" in ex.notice.value
    assert "Robin, over the six months" in ex.readings.value
    assert ex.findings.value.count("<li>") == min(MAX_FINDINGS, len(ex.view.findings))
    assert ex.status.value == ""
    # the notebook shows the widget; its plain-text fallback says what it is
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "trends explorer" in bundle["text/plain"]


def test_picking_one_person_redraws_everything_and_side_by_side_says_why_not(ex):
    before = svgs(ex)
    ex.people.value = ("Robin",)
    assert ex.selection.people == ("Robin",)
    assert ex.svg_count == 5 and ex.renders == 6 + 5
    assert sentence(ex, "partners") == (
        "Pick both Robin and Sam above to see the two of you side by side in October 2026.")
    after = svgs(ex)
    assert all(after[k] != before[k] for k in after)
    assert "Sam" not in ex.readings.value
    ex.people.boxes["Sam"].value = True  # ticking the box is the same as setting the value
    assert ex.people.value == ("Robin", "Sam") and ex.svg_count == 6


def test_changing_the_month_redraws_only_the_three_one_month_charts(ex):
    before = svgs(ex)
    ex.month.value = "2025-08"
    assert ex.renders == 6 + 3
    after = svgs(ex)
    assert all(after[k] == before[k] for k in OVER_TIME)
    assert all(after[k] != before[k] for k in ONE_MONTH)
    assert "August 2025" in after["needs"] and "August 2025, more closely" in ex.month_heading.value
    assert "six months to August 2025" in ex.readings.value


def test_changing_the_range_redraws_only_the_three_charts_over_time(ex):
    before = svgs(ex)
    ex.months.value = ("2025-01", "2025-12")
    assert ex.selection.first == "2025-01" and ex.selection.last == "2025-12"
    assert ex.renders == 6 + 3
    after = svgs(ex)
    assert all(after[k] != before[k] for k in OVER_TIME)
    assert all(after[k] == before[k] for k in ONE_MONTH)
    assert "January 2025 to December 2025" in ex.over_time_heading.value


def test_changing_dimensions_redraws_only_the_dimension_trends(ex):
    ex.dimensions.value = ("spiritual", "passion")
    assert ex.dimensions.value == ("passion", "spiritual")
    assert ex.renders == 7 and ex.svg_count == 6
    assert ">Spiritual<" in svgs(ex)["trends"] and ">Emotional<" not in svgs(ex)["trends"]
    ex.dimensions.value = ()
    assert ex.svg_count == 5
    assert sentence(ex, "trends") == "Pick at least one dimension above to see it over time."


def test_nobody_picked_gives_sentences_not_errors(ex):
    ex.people.value = ()
    assert ex.svg_count == 0
    assert sentence(ex, "balance") == "Pick at least one person above to see the charts."
    assert sentence(ex, "change") == "Pick at least one person above to see this month."
    assert ex.readings.value == "" and ex.findings.value == ""


def test_the_first_month_has_nothing_to_compare_with(ex):
    ex.month.value = ex.trends.months[0]
    assert sentence(ex, "change") == (
        "Nothing to compare May 2024 with yet: there are no check-ins from April 2024, the month before. "
        "A gap is fine; the comparison comes back once two months sit side by side."
    )
    assert ex.svg_count == 5


def test_a_month_with_no_desired_levels_says_so():
    frame = frame_of(make_checkin("Robin", "2026-09-01", passion=6), make_checkin("Robin", "2026-10-01", passion=7))
    ex = Trends(frame).explorer()
    assert sentence(ex, "needs").startswith("Nobody said in October 2026 how they would like things to be.")
    assert Trends(frame).needs().svg_count == 0
    assert "Nobody has said yet how they would like things to be" in Trends(frame).needs().text


def test_one_person_alone(tmp_path):
    frame = frame_of(
        make_checkin("Robin", "2026-09-01", passion=6, desired={"physical": 9}),
        make_checkin("Robin", "2026-10-01", passion=8, physical=4, desired={"physical": 9}),
    )
    trends = Trends(frame)
    ex = trends.explorer()
    assert ex.svg_count == 5  # everything but side by side
    assert sentence(ex, "partners").startswith("Only Robin checked in in October 2026")
    assert ("Robin: too early to say how things are moving. A trend needs check-ins in at least four of the six "
            "months to October 2026, and there are two so far.") in ex.readings.value
    assert trends.partners().svg_count == 0
    assert "So far only Robin has checked in; if you reflect as a couple" in trends.partners().text
    needs = trends.needs()
    assert needs.svg_count == 1
    assert "In October 2026, Robin would like more physical intimacy than there is right now." in needs.text
    assert trends.balance().svg_count == 1


def test_a_single_month_and_a_single_check_in(store):
    store.save(make_checkin("Robin", "2026-10-01"))
    ex = Trends.open(store).explorer()
    assert ex.months.value == ("2026-10", "2026-10") and ex.month.value == "2026-10"
    assert ex.svg_count == 3  # trends, balance, pixels; no wishes, no partner, no month before
    assert "Robin: in balance in 1 of 1 month." in ex.trends.balance().text


def test_a_gap_ends_a_stretch_of_the_same_balance():
    frame = frame_of(*(make_checkin("Robin", f"2026-{m:02d}-01", passion=9) for m in (1, 2, 4)))
    trends = Trends(frame)
    assert balance_stretches(trends.table, "Robin", months_between("2026-01", "2026-04")) == [
        ("high_passion_low_intimacy", "2026-01", "2026-02"), ("high_passion_low_intimacy", "2026-04", "2026-04")]
    assert "High passion, low intimacy from January to February 2026; high passion, low intimacy in April 2026." in (
        trends.balance().text)


def test_a_month_only_one_partner_checked_in(demo_frame):
    frame = pd.concat([demo_frame, frame_of(make_checkin("Robin", "2026-11-01"))], ignore_index=True)
    trends = Trends(frame)
    ex = trends.explorer()
    assert ex.selection.month == "2026-11"
    assert sentence(ex, "partners").startswith("Only Robin checked in in November 2026")
    section = trends.partners()
    assert section.svg_count == 1
    assert "this is October 2026, the latest month you both did" in section.text


def test_an_empty_store_shows_a_sentence_not_an_error(store):
    trends = Trends.open(store)
    assert trends.view().notice.startswith("There are no check-ins")
    ex = trends.explorer()
    assert ex.selection is None and ex.svg_count == 0
    assert "There are no check-ins" in ex.notice.value and "reflect add" in ex.notice.value
    assert ex.redraw() is ex.view
    for section in (trends.balance(), trends.needs(), trends.partners()):
        assert section.svg_count == 0 and "There are no check-ins" in section.text


def test_private_notes_are_never_shown():
    frame = frame_of(
        make_checkin("Robin", "2026-09-01", note="SECRET-ROBIN", desired={"emotional": 9}),
        make_checkin("Sam", "2026-09-01", note="SECRET-SAM", passion=8),
        make_checkin("Robin", "2026-10-01", note="SECRET-ROBIN-2", desired={"emotional": 9}),
        make_checkin("Sam", "2026-10-01", note="SECRET-SAM-2", physical=9),
    )
    with Store(":memory:") as s:
        s.save_many([make_checkin("Robin", "2026-10-01", note="SECRET-STORE")])
        assert "note" not in Trends.open(s).checkins
    ex = Trends(frame).explorer()
    shown = json.dumps([o.outputs for o in ex.outputs.values()]) + ex.readings.value + ex.findings.value
    shown += "".join(s.text for s in (ex.trends.balance(), ex.trends.needs(), ex.trends.partners()))
    assert ex.svg_count == 6
    assert "SECRET" not in shown


def test_the_people_checkboxes_keep_their_order_and_follow_each_box():
    group = CheckboxGroup([("Robin", "Robin"), ("Sam", "Sam")], value=("Robin",), description="People")
    seen = []
    group.observe(lambda change: seen.append(change["new"]), "value")
    group.value = ("Sam", "Robin", "Nobody")
    assert group.value == ("Robin", "Sam") and group.boxes["Sam"].value
    group.boxes["Robin"].value = False
    assert group.value == ("Sam",)
    assert seen == [("Robin", "Sam"), ("Sam",)]


# -- finding the store, as the CLI does ----------------------------------------------------------


def test_it_finds_the_demo_store_when_yours_is_empty(home):
    trends = Trends.open()
    assert trends.is_demo and trends.source == str(home / "data" / "demo.db")
    assert trends.people == list(demo.DEMO_PEOPLE)
    assert explorer().svg_count == 6


def test_it_uses_reflect_db_and_a_named_store(home, tmp_path, monkeypatch):
    path = tmp_path / "us.db"
    with Store(path) as s:
        s.save(make_checkin("Alex", "2026-10-01"))
    monkeypatch.setenv("REFLECT_DB", str(path))
    trends = Trends.open()
    assert trends.people == ["Alex"] and not trends.is_demo and trends.view().notice == ""
    monkeypatch.delenv("REFLECT_DB")
    assert Trends.open(str(path)).people == ["Alex"]
    with pytest.raises(StoreError, match="no such store"):
        Trends.open(str(tmp_path / "missing.db"))
    with pytest.raises(ValidationError, match="is not a path to a store"):
        Trends.open(2026)


# -- the sections ------------------------------------------------------------------------------


def test_the_sections_on_the_demo_data(demo_trends):
    balance = demo_trends.balance()
    assert balance.title == "The balance over time" and balance.svg_count == 1
    assert re.search(r"^Robin: in balance in \d+ of 24 months\. ", balance.text, re.M)
    # the baby's arrival: closeness holds while passion is quieter
    assert "High intimacy, low passion from " in balance.text
    assert "Most recently (October 2026): " in balance.text
    needs = demo_trends.needs()
    assert needs.title == "Unmet needs" and needs.svg_count == 1
    assert "Over November 2024 to October 2026 (24 months with check-ins), Robin most often wished for more" in (
        needs.text)
    partners = demo_trends.partners()
    assert partners.title == "The two of you, side by side" and partners.svg_count == 1
    assert "Over the 24 months you both checked in, November 2024 to October 2026: " in partners.text


def test_the_sections_in_words():
    frame = frame_of(
        make_checkin("Robin", "2026-07-01", passion=9, desired={"emotional": 9}),
        make_checkin("Sam", "2026-07-01", passion=9, desired={"emotional": 5}),
        make_checkin("Robin", "2026-08-01", passion=9, desired={"emotional": 9}),
        make_checkin("Sam", "2026-08-01", passion=5),
        make_checkin("Robin", "2026-09-01", passion=2, emotional=8, physical=8, desired={"physical": 9}),
        make_checkin("Sam", "2026-09-01", passion=6, emotional=8, physical=8),
    )
    trends = Trends(frame)
    assert trends.balance().text.splitlines()[1:] == [
        "Robin: in balance in 0 of 3 months. High passion, low intimacy from July to August 2026; "
        "high intimacy, low passion in September 2026. Most recently (September 2026): high intimacy, "
        "low passion.",
        "Sam: in balance in 2 of 3 months. High passion, low intimacy in July 2026. "
        "Most recently (September 2026): in balance.",
    ]
    assert trends.needs().text.splitlines()[1:] == [
        "In September 2026, each of Robin's wishes is less than 3 points from how things are.",
        "Sam did not say in September 2026 how they would like things to be.",
        "Over July 2026 to September 2026 (3 months with check-ins), Robin most often wished for more emotional "
        "intimacy (2 months).",
    ]
    assert trends.partners().text.splitlines()[1:] == [
        "In September 2026 you saw passion quite differently (passion: Robin 2.0, Sam 6.0). Two honest views of "
        "one month are worth comparing.",
        "Over the 3 months you both checked in, July 2026 to September 2026: you saw passion (2 months) quite "
        "differently; your wishes for emotional (1 month) were 3 or more points apart.",
    ]


# -- the look of it, and its speed -----------------------------------------------------------


def test_render_one_explorer_state_to_png_for_a_look(ex):
    """Keeps PNGs of one explorer state in test-artifacts/ to look at (Sam and Robin, August 2025)."""
    ex.month.value = "2025-08"
    ARTIFACTS.mkdir(exist_ok=True)
    for key, panel in ex.view.panels.items():
        assert panel.chart is not None, key
        target = charts.to_png(panel.chart, ARTIFACTS / f"explorer-{key}.png", scale=1.5)
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_full_redraw_on_the_demo_data_draws_every_chart_again(ex):
    before = {key: panel.chart for key, panel in ex.view.panels.items()}
    started = time.perf_counter()
    ex.people.value = ("Sam",)
    ex.people.value = ("Robin", "Sam")
    took = (time.perf_counter() - started) / 2  # printed for the curious; tests do not time things
    print(f"\nfull redraw of six charts: {took:.2f} s; the last one {ex.seconds:.2f} s")
    for key, panel in ex.view.panels.items():
        assert panel.chart is not None and panel.chart is not before[key], key


# -- the notebook --------------------------------------------------------------------------------


def test_the_notebook_is_saved_thin_and_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata.kernelspec == {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert code[0].metadata.get("tags") == ["parameters"]
    for cell in code[1:]:
        lines = [line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")]
        assert len(lines) == 1, cell.source  # one library call per cell
    assert nb.cells[0].cell_type == "markdown"


@pytest.mark.slow
def test_the_notebook_runs_on_the_demo_data_out_of_the_box(tmp_path):
    out = tmp_path / "trends-out.ipynb"
    env = {**os.environ, "REFLECT_HOME": str(tmp_path)}
    env.pop("REFLECT_DB", None)
    papermill = Path(sys.executable).with_name("papermill")
    proc = subprocess.run([str(papermill), str(NOTEBOOK), str(out), "-k", "python3", "--no-progress-bar"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "data" / "demo.db").is_file()  # the demo store, made on first use
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    # the three sections: one static SVG each, in the cells themselves
    assert sum("image/svg+xml" in o.get("data", {}) for o in outputs) == 4  # balance, needs, partners, rhythm
    # the explorer: six Output widgets, each showing its SVG, kept in the widget state
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    shown = [o for m in state.values() if m["model_name"] == "OutputModel" for o in m["state"]["outputs"]]
    assert len(shown) == 6 and all("image/svg+xml" in o["data"] for o in shown)
    text = json.dumps(outputs)
    assert "the demo couple" in json.dumps(shown) + text or "the demo couple" in json.dumps(state)


def test_the_rhythm_section_shows_rituals_and_their_links():
    from reflect.storage.demo import fill
    from reflect.storage.store import Store
    from reflect.views.explorer import Trends

    with Store(":memory:") as s:
        fill(s, end="2026-10")
        trends = Trends.open(s)
    section = trends.rhythm()
    assert section.svg_count == 1
    assert "October 2026: An appreciation: 19 of 31 days" in section.text
    assert "A phone-free ritual: 3 of 4 weeks" in section.text
    assert "emotional intimacy averaged" in section.text
    empty = Trends.open(Store(":memory:")).rhythm()
    assert empty.svg_count == 0 and "No rituals logged yet" in empty.text
