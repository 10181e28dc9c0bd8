"""Each chart's spec, and that every chart renders to static SVG with no network."""

import json

import altair as alt
import pytest

from reflect.analytics.analysis import monthly_table
from reflect.storage.demo import generate
from reflect.storage.store import Store
from reflect.views import charts

from .helpers import make_checkin


@pytest.fixture(scope="module")
def table():
    with Store(":memory:") as s:
        s.save_many(generate(end="2026-10"))
        return monthly_table(s.frame())


def layers(spec):
    inner = spec.get("spec", spec)
    return inner.get("layer", [inner])


def walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def score_scales(spec):
    return [n["scale"]["domain"] for n in walk(spec) if isinstance(n.get("scale"), dict)
            and n["scale"].get("domain") == [1, 10]]


def build(fn, table):
    if fn.__name__ in {"dimension_trends", "balance_over_time", "year_in_pixels"}:
        return fn(table)
    return fn(table, "2025-08")


@pytest.mark.parametrize("fn", charts.ALL_CHARTS, ids=lambda f: f.__name__)
def test_every_chart_has_title_tooltips_theme_and_renders_offline(fn, table):
    chart = build(fn, table)
    spec = chart.to_dict()
    assert spec["title"]["text"]
    assert any("tooltip" in n for n in walk(spec)), "no tooltips"
    assert spec["config"]["font"] == charts.FONT, "the house theme is not applied"
    assert set(spec["config"]["range"]["category"]) == set(charts.OKABE_ITO)
    svg = charts.to_svg(chart)
    assert svg.lstrip().startswith("<svg") and "</svg>" in svg
    assert "http://" not in svg.replace("http://www.w3.org", "") and "https://" not in svg


@pytest.mark.parametrize("fn", [f for f in charts.ALL_CHARTS if f is not charts.change_since_last_month],
                         ids=lambda f: f.__name__)
def test_scores_sit_on_a_fixed_1_to_10_scale(fn, table):
    assert score_scales(build(fn, table).to_dict())


def test_charts_are_fed_monthly_aggregates_not_raw_rows(table):
    spec = charts.year_in_pixels(table).to_dict()
    [rows] = spec["datasets"].values()
    assert len(rows) == len(table) * 6


def test_trends_facet_by_dimension_with_rolling_mean(table):
    spec = charts.dimension_trends(table, people=["Robin"], dimensions=["passion", "physical"]).to_dict()
    assert spec["facet"]["field"] == "dimension"
    assert spec["facet"]["sort"] == ["Passion", "Physical"]
    marks = [layer["mark"]["type"] for layer in layers(spec)]
    assert marks == ["point", "line"]
    assert layers(spec)[1]["encoding"]["y"]["field"] == "rolling"
    [rows] = spec["datasets"].values()
    assert {r["person"] for r in rows} == {"Robin"} and {r["key"] for r in rows} == {"passion", "physical"}


def test_balance_marks_the_imbalance_zone(table):
    spec = charts.balance_over_time(table).to_dict()
    zone, lines = layers(spec)
    assert zone["mark"]["type"] == "rect"
    assert "balanced" in json.dumps(zone["transform"])
    [rows] = spec["datasets"].values()
    zones = {r["balance"] for r in rows}
    assert zones == {"balanced", "high passion, low intimacy", "high intimacy, low passion"}
    assert spec["facet"]["row"]["field"] == "person"


def test_heatmap_uses_a_colour_blind_safe_sequential_scheme(table):
    spec = charts.year_in_pixels(table).to_dict()
    colour = spec["spec"]["encoding"]["color"]
    assert colour["scale"] == {"scheme": "viridis", "domain": [1, 10]}


def test_dumbbell_for_one_month(table):
    spec = charts.partners_side_by_side(table, "2025-08").to_dict()
    rule, dots = spec["layer"]
    assert rule["mark"]["type"] == "rule" and dots["mark"]["type"] == "point"
    [rows] = spec["datasets"].values()
    assert len(rows) == 12 and {r["month"] for r in rows} == {"2025-08"}
    assert "August 2025" in spec["title"]["text"]


def test_dumbbell_with_one_person_says_so():
    with Store(":memory:") as s:
        s.save(make_checkin("Ana"))
        spec = charts.partners_side_by_side(monthly_table(s.frame())).to_dict()
    assert spec["title"]["subtitle"] == "Only one of you checked in this month."


def test_desired_against_current_flags_unmet_needs(table):
    spec = charts.desired_vs_current(table, "2025-08").to_dict()
    [rows] = spec["datasets"].values()
    unmet = {(r["person"], r["key"]) for r in rows if r["need"] == "unmet need"}
    assert unmet == {("Robin", "emotional"), ("Robin", "physical")}


def test_change_bars_diverge_around_zero(table):
    spec = charts.change_since_last_month(table, "2025-08").to_dict()
    bars, zero = layers(spec)
    assert bars["mark"]["type"] == "bar"
    domain = bars["encoding"]["x"]["scale"]["domain"]
    assert domain[0] == -domain[1] and domain[1] >= 3
    assert bars["encoding"]["color"]["scale"]["range"][:2] == [charts.UP, charts.DOWN]


def test_the_theme_is_registered_once_by_name():
    assert charts.THEME in alt.theme.names()
    assert alt.theme.active == charts.THEME


def test_ritual_calendar():
    from reflect.storage.demo import fill

    with Store(":memory:") as s:
        fill(s, end="2026-10")
        rituals, kinds = s.ritual_frame(), s.ritual_kinds()
    chart = charts.ritual_calendar(rituals, kinds, months=["2026-09", "2026-10"])
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Your rituals, day by day"
    assert spec["encoding"]["x"]["field"] == "dom" and spec["encoding"]["xOffset"]["field"] == "ritual"
    assert spec["encoding"]["color"]["scale"]["range"][0] == charts.OKABE_ITO[0]
    [rows] = spec["datasets"].values()
    assert {r["month"] for r in rows} == {"2026-09", "2026-10"}
    assert len(rows) == len(rituals[rituals.month.isin(["2026-09", "2026-10"])].drop_duplicates(["day", "kind"]))
    assert charts.to_svg(chart).lstrip().startswith("<svg")


def test_every_chart_of_a_report_is_a_valid_vega_lite_spec(tmp_path):
    """Reports build their specs with to_dict(validate=False) for speed; the schema is checked here."""
    from reflect.reporting.report import MonthlyReport
    from reflect.storage.demo import fill
    from reflect.storage.store import Store

    with Store(tmp_path / "demo.db") as s:
        fill(s, end="2026-10")
    report = MonthlyReport.open(month="2026-09", db=str(tmp_path / "demo.db"))
    built = {name: build() for name, build in report._charts().items()}
    assert set(built) == {"desired", "trends", "balance", "rituals"}  # wishes show you both: no side by side
    for name, chart in built.items():
        assert chart.to_dict(validate=True)["$schema"].startswith("https://vega.github.io/schema/vega-lite/"), name


def test_every_kind_of_ritual_has_a_colour_of_its_own():
    import pandas as pd

    from reflect.domain.rituals import RitualKind

    kinds = {f"k{i}": RitualKind(f"k{i}", "daily", f"Kind {i}") for i in range(12)}
    days = pd.to_datetime([f"2026-10-{i + 1:02d}" for i in range(12)])
    rituals = pd.DataFrame({"day": days, "month": "2026-10", "person": "", "kind": list(kinds), "cadence": "daily"})
    scale = charts.ritual_calendar(rituals, kinds).to_dict()["encoding"]["color"]["scale"]
    assert len(scale["domain"]) == 12 and len(set(scale["range"])) == 12
