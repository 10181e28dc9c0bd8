"""The charts: one function per chart, each returning an Altair chart, sharing one theme.

Every chart takes the monthly table from :func:`reflect.analytics.analysis.monthly_table` (aggregated
before charting, which keeps rendering fast), uses colour-blind-safe palettes (Okabe-Ito for
categories, viridis for the heatmap), puts scores on a fixed 1-10 axis, and has a title and
tooltips. :func:`to_svg` renders any of them to static SVG with no network (vl-convert), for the
report.

Each chart also says what it shows in one line, worked out from its own data (its Vega-Lite
``description``): :func:`text_alternative` joins the title and that line, the text a page gives
the chart for those who cannot see it (the report names each chart as one image with it), and
:func:`page_spec` is the spec such a page draws, its marks and axes kept out of the
accessibility tree (a mark has a name only where it has a tooltip; a zero line has none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from reflect.analytics import analysis
from reflect.analytics.phrases import and_list, dimension_words, months_span_words, score, signed
from reflect.domain.dimensions import KEYS, label
from reflect.domain.months import add_months, month_of, month_start, parse_month

#: What the chart functions return: a chart, layered or faceted.
AnyChart = alt.TopLevelMixin

THEME = "reflect"
#: Okabe & Ito's palette, safe for the common kinds of colour blindness.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: Colours after Okabe and Ito's eight, for a chart with more kinds than that (the ritual calendar of a
#: couple who logs the practice cards too): Paul Tol's wine, teal, olive, indigo, sand and grey.
MORE_COLOURS = ("#882255", "#44AA99", "#999933", "#332288", "#DDCC77", "#BBBBBB")
PEOPLE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
UP, DOWN = "#0072B2", "#D55E00"
SCORE_DOMAIN = (1, 10)
LABELS = [label(k) for k in KEYS]
FONT = "Helvetica, Arial, sans-serif"


@alt.theme.register(THEME, enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"stroke": None, "continuousWidth": 420, "continuousHeight": 220},
            "title": {"fontSize": 15, "fontWeight": 600, "anchor": "start", "color": "#222",
                      "subtitleColor": "#555", "subtitleFontSize": 12, "offset": 10},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleColor": "#333", "labelColor": "#444",
                     "gridColor": "#e8e8e8", "domainColor": "#999", "tickColor": "#999"},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom", "direction": "horizontal"},
            "header": {"labelFontSize": 12, "titleFontSize": 12, "labelFontWeight": 600},
            "range": {"category": list(OKABE_ITO)},
            "line": {"strokeWidth": 2.5},
            "point": {"size": 60, "filled": True},
        }
    }


def _score_scale() -> alt.Scale:
    return alt.Scale(domain=list(SCORE_DOMAIN), nice=False, zero=False)


def _score_axis(title: str = "Score (1-10)") -> alt.Axis:
    return alt.Axis(title=title, values=list(range(1, 11)), tickCount=10)


def _people_scale(people: Sequence[str]) -> alt.Scale:
    return alt.Scale(domain=list(people), range=list(PEOPLE_COLOURS[: max(1, len(people))]))


def _select(table: pd.DataFrame, people: Sequence[str] | None, months: Sequence[str] | None = None) -> pd.DataFrame:
    out = table
    if people:
        out = out[out["person"].isin(list(people))]
    if months:
        out = out[out["month"].isin(list(months))]
    return out


def _month_rows(table: pd.DataFrame, month: str | None) -> tuple[str, pd.DataFrame]:
    month = parse_month(month) if month else str(table["month"].max())
    return month, table[table["month"] == month]


def _month_axis(dates: pd.Series) -> alt.Axis:
    """A time axis with one tick per month for a few months, every 3 or 6 months for many."""
    n = max(1, int(pd.Series(dates).dt.to_period("M").nunique())) if len(dates) else 1
    step = 1 if n <= 8 else 3 if n <= 30 else 6
    return alt.Axis(format="%b %y", labelAngle=0, tickCount={"interval": "month", "step": step},
                    labelOverlap=True)


def _month_title(month: str) -> str:
    return month_start(month).strftime("%B %Y")


# -- what a chart shows, in words ------------------------------------------------------------------


def _span(dates: pd.Series) -> str:
    """The months ``dates`` cover: ``November 2024 to October 2026`` ("" for none)."""
    dates = pd.to_datetime(pd.Series(dates)).dropna()
    if dates.empty:
        return ""
    return months_span_words(month_of(dates.min().date()), month_of(dates.max().date()))


def _dimensions(keys: Sequence[str]) -> str:
    return "each dimension" if list(keys) == list(KEYS) else and_list(dimension_words(k) for k in keys)


def _events_words(data: pd.DataFrame | None) -> str:
    """``; dashed lines mark 2 life events`` when the chart draws some."""
    if data is None or "event" not in data:
        return ""
    n = int(data.loc[data["event"].notna(), ["date", "event"]].drop_duplicates().shape[0])
    return f"; dashed lines mark {n} life event{'s' if n != 1 else ''}" if n else ""


# -- life events, drawn on the charts over time ---------------------------------------------------

#: The colour of life-event marks: quiet, so that they annotate rather than compete.
EVENT_COLOUR = "#6b6b6b"


def _with_events(data: pd.DataFrame, events: pd.DataFrame | None, copies: pd.DataFrame) -> pd.DataFrame | None:
    """``data`` with a row per life event (within its dates) for each row of ``copies`` (the facet
    values each event is drawn in): ``event`` (a short label) and ``event_words`` are set on those
    rows only, so that the other layers leave them out. ``None`` when there is no event to draw (the
    chart is then exactly as it is without events)."""
    if events is None or events.empty or data.empty:
        return None
    from reflect.analytics.lifeevents import chart_marks

    first, last = pd.Timestamp(data["date"].min()), pd.Timestamp(data["date"].max())
    marks = chart_marks(events)
    marks = marks[(marks["date"] >= first - pd.Timedelta(days=15)) & (marks["date"] <= last + pd.Timedelta(days=31))]
    if marks.empty:
        return None
    rows = marks.rename(columns={"label": "event", "words": "event_words"}).merge(copies, how="cross")
    out = pd.concat([data, rows], ignore_index=True)
    for column in ("event", "event_words"):  # a string column: missing is null in the spec's data, not NaN
        out[column] = out[column].astype("string")
    return out


def _event_layers() -> list[alt.Chart]:
    """A dashed rule and a short label at each life event (rows whose ``event`` is set): the same two
    layers for every chart, built once (a copy of each for each chart)."""
    if not _EVENT_LAYERS:
        _EVENT_LAYERS.extend(_make_event_layers())
    return [layer.copy(deep=True) for layer in _EVENT_LAYERS]


_EVENT_LAYERS: list[alt.Chart] = []


def _make_event_layers() -> list[alt.Chart]:
    only = alt.datum.event != None  # noqa: E711 - a Vega expression, not Python
    tip = [alt.Tooltip("event_words:N", title="Life event"), alt.Tooltip("date:T", title="Date", format="%d %B %Y")]
    rule = alt.Chart().transform_filter(only).mark_rule(color=EVENT_COLOUR, strokeDash=[4, 3], strokeWidth=1.2) \
        .encode(x="date:T", tooltip=tip)
    text = alt.Chart().transform_filter(only).mark_text(align="left", baseline="top", dx=3, dy=2, fontSize=10,
                                                        color=EVENT_COLOUR) \
        .encode(x="date:T", y=alt.value(0), text="event:N", tooltip=tip)
    return [rule, text]


def _without_events(chart: alt.Chart, marked: bool) -> alt.Chart:
    """``chart``, leaving out the rows of life events when there are some."""
    return chart.transform_filter(alt.datum.event == None) if marked else chart  # noqa: E711 - Vega, not Python


# -- 1. trends ----------------------------------------------------------------------------------


def dimension_trends(
    table: pd.DataFrame,
    *,
    people: Sequence[str] | None = None,
    dimensions: Sequence[str] | None = None,
    months: Sequence[str] | None = None,
    window: int = 3,
    events: pd.DataFrame | None = None,
) -> AnyChart:
    """Each dimension over the months, one panel per dimension, one colour per person: the monthly
    score as dots and its ``window``-month rolling mean as a line; life ``events``
    (:meth:`~reflect.storage.store.Store.event_frame`) as dashed lines with a short label."""
    data = analysis.rolling_mean(_select(table, people, months), window=window)
    keys = list(dimensions) if dimensions else list(KEYS)
    data = data[data["key"].isin(keys)]
    names = sorted(data["person"].unique())
    marked = _with_events(data, events, pd.DataFrame({"key": keys, "dimension": [label(k) for k in keys]}))
    data = marked if marked is not None else data
    base = alt.Chart().encode(
        x=alt.X("date:T", title=None, axis=_month_axis(data["date"])),
        color=alt.Color("person:N", title="Person", scale=_people_scale(names)),
        tooltip=[
            alt.Tooltip("person:N", title="Person"),
            alt.Tooltip("dimension:N", title="Dimension"),
            alt.Tooltip("date:T", title="Month", format="%B %Y"),
            alt.Tooltip("score:Q", title="Score", format=".1f"),
            alt.Tooltip("rolling:Q", title=f"{window}-month mean", format=".1f"),
        ],
    )
    dots = _without_events(base, marked is not None).mark_point(opacity=0.55, size=30).encode(
        y=alt.Y("score:Q", scale=_score_scale(), axis=_score_axis()))
    line = _without_events(base, marked is not None).mark_line(interpolate="monotone").encode(y=alt.Y("rolling:Q"))
    shown = data[data["event"].isna()] if marked is not None else data
    summary = (f"Monthly scores of {and_list(names)} for {_dimensions(keys)}, {_span(shown['date'])}, "
               f"with the {window}-month rolling mean{_events_words(marked)}." if names else "No check-ins to show.")
    return (
        alt.layer(dots, line, *(_event_layers() if marked is not None else []), data=data)
        .properties(width=260, height=150)
        .facet(facet=alt.Facet("dimension:N", title=None, sort=[label(k) for k in keys]), columns=3)
        .properties(
            title=alt.Title("Each dimension over time",
                            subtitle=f"Dots: the monthly score. Lines: the {window}-month rolling mean."),
            description=summary,
        )
    )


# -- 2. passion against intimacy ----------------------------------------------------------------


def balance_over_time(
    table: pd.DataFrame,
    *,
    people: Sequence[str] | None = None,
    months: Sequence[str] | None = None,
    threshold: float = analysis.BALANCE_GAP,
    events: pd.DataFrame | None = None,
) -> AnyChart:
    """Passion against the intimacy index, month by month, per person; months out of balance
    (passion and the index at least ``threshold`` apart) are shaded by which way they lean; life
    ``events`` are dashed lines with a short label."""
    part = _select(table, people, months)
    rows = []
    for r in part.itertuples(index=False):
        # the shading is centred on the month's point, reaching halfway to the months either side
        here = pd.Timestamp(r.date)
        start = here - (here - pd.Timestamp(month_start(add_months(r.month, -1)))) / 2
        end = here + (pd.Timestamp(month_start(add_months(r.month, 1))) - here) / 2
        balance = analysis.classify_balance(r.passion_gap, threshold)
        for measure, value in (("Passion", r.passion), ("Intimacy index", r.intimacy_index)):
            rows.append({"person": r.person, "date": r.date, "start": start, "end": end, "measure": measure,
                         "value": value, "gap": r.passion_gap, "balance": _BALANCE_WORDS[balance], "lo": 1, "hi": 10})
    data = pd.DataFrame(rows, columns=["person", "date", "start", "end", "measure", "value", "gap", "balance", "lo",
                                       "hi"])
    names = sorted(data["person"].unique())
    marked = _with_events(data, events, pd.DataFrame({"person": names}))
    if names:
        apart = {p: int(((data["person"] == p) & (data["measure"] == "Passion")
                         & (data["balance"] != _BALANCE_WORDS["balanced"])).sum()) for p in names}
        summary = (f"Passion against the intimacy index for {and_list(names)}, {_span(data['date'])}; months out "
                   f"of balance: {', '.join(f'{p} {n}' for p, n in apart.items())}{_events_words(marked)}.")
    else:
        summary = "No check-ins to show."
    data = marked if marked is not None else data
    zone = (
        alt.Chart()
        .transform_filter((alt.datum.measure == "Passion") & (alt.datum.balance != _BALANCE_WORDS["balanced"]))
        .mark_rect(opacity=0.22)
        .encode(
            x="start:T", x2="end:T", y=alt.Y("lo:Q", scale=_score_scale()), y2="hi:Q",
            fill=alt.Fill("balance:N", title="Out of balance",
                          scale=alt.Scale(domain=[_BALANCE_WORDS[analysis.HIGH_PASSION],
                                                  _BALANCE_WORDS[analysis.HIGH_INTIMACY]],
                                          range=["#E69F00", "#56B4E9"])),
            tooltip=[alt.Tooltip("date:T", title="Month", format="%B %Y"), alt.Tooltip("balance:N", title="Balance"),
                     alt.Tooltip("gap:Q", title="Passion minus intimacy", format="+.1f")],
        )
    )
    lines = (
        _without_events(alt.Chart(), marked is not None)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=None, axis=_month_axis(data["date"]) if len(data) else alt.Axis()),
            y=alt.Y("value:Q", scale=_score_scale(), axis=_score_axis()),
            color=alt.Color("measure:N", title="Line",
                            scale=alt.Scale(domain=["Passion", "Intimacy index"], range=["#D55E00", "#0072B2"])),
            strokeDash=alt.StrokeDash("measure:N", title="Line",
                                      scale=alt.Scale(domain=["Passion", "Intimacy index"], range=[[1, 0], [5, 3]])),
            tooltip=[alt.Tooltip("person:N", title="Person"), alt.Tooltip("date:T", title="Month", format="%B %Y"),
                     alt.Tooltip("measure:N", title="Measure"), alt.Tooltip("value:Q", title="Score", format=".1f"),
                     alt.Tooltip("balance:N", title="Balance")],
        )
    )
    return (
        alt.layer(zone, lines, *(_event_layers() if marked is not None else []), data=data)
        .properties(width=620, height=170)
        .facet(row=alt.Row("person:N", title=None))
        .properties(
            title=alt.Title("Passion and intimacy",
                            subtitle=f"Shaded months: passion and the intimacy index {threshold:g}+ points apart."),
            description=summary,
        )
    )


_BALANCE_WORDS = {
    analysis.BALANCED: "balanced",
    "balanced": "balanced",
    analysis.HIGH_PASSION: "high passion, low intimacy",
    analysis.HIGH_INTIMACY: "high intimacy, low passion",
}


# -- 3. the year in pixels ----------------------------------------------------------------------


def year_in_pixels(
    table: pd.DataFrame,
    *,
    people: Sequence[str] | None = None,
    months: Sequence[str] | None = None,
) -> AnyChart:
    """A months x dimensions grid per person, each cell coloured by that month's score."""
    data = analysis.long_scores(_select(table, people, months), desired=False)
    names = sorted(data["person"].unique())
    summary = (f"One square per month and dimension for {and_list(names)}, {_span(data['date'])}, coloured by "
               f"score from {SCORE_DOMAIN[0]} (dark purple) to {SCORE_DOMAIN[1]} (yellow)." if names
               else "No check-ins to show.")
    return (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("yearmonth(date):O", title=None, axis=alt.Axis(format="%b %y", labelAngle=-45)),
            y=alt.Y("dimension:N", title=None, sort=LABELS),
            color=alt.Color("value:Q", title="Score", scale=alt.Scale(scheme="viridis", domain=list(SCORE_DOMAIN)),
                            legend=alt.Legend(orient="right", direction="vertical", values=[1, 4, 7, 10])),
            tooltip=[alt.Tooltip("person:N", title="Person"), alt.Tooltip("dimension:N", title="Dimension"),
                     alt.Tooltip("date:T", title="Month", format="%B %Y"),
                     alt.Tooltip("value:Q", title="Score", format=".1f")],
        )
        .properties(width=alt.Step(16), height=alt.Step(16))
        .facet(row=alt.Row("person:N", title=None))
        .properties(
            title=alt.Title("The relationship in pixels", subtitle="Each square is one month of one dimension."),
            description=summary,
        )
    )


# -- 4. partners side by side -------------------------------------------------------------------


def partners_side_by_side(table: pd.DataFrame, month: str | None = None) -> AnyChart:
    """One month, a dumbbell per dimension: where each partner put it, and the distance between."""
    month, rows = _month_rows(table, month)
    data = analysis.long_scores(rows, desired=False)
    names = sorted(data["person"].unique())
    y = alt.Y("dimension:N", title=None, sort=LABELS)
    rule = alt.Chart(data).mark_rule(color="#9a9a9a", strokeWidth=3).encode(
        y=y, x=alt.X("min(value):Q", scale=_score_scale(), axis=_score_axis()), x2="max(value):Q",
        tooltip=[alt.Tooltip("dimension:N", title="Dimension"),
                 alt.Tooltip("min(value):Q", title="Lower", format=".1f"),
                 alt.Tooltip("max(value):Q", title="Higher", format=".1f")],
    )
    dots = alt.Chart(data).mark_point(size=160, filled=True, opacity=1).encode(
        y=y, x=alt.X("value:Q", scale=_score_scale()),
        color=alt.Color("person:N", title="Person", scale=_people_scale(names)),
        shape=alt.Shape("person:N", title="Person", scale=alt.Scale(domain=names, range=["circle", "diamond",
                                                                                           "square", "triangle"])),
        tooltip=[alt.Tooltip("person:N", title="Person"), alt.Tooltip("dimension:N", title="Dimension"),
                 alt.Tooltip("value:Q", title="Score", format=".1f")],
    )
    subtitle = ("How each of you saw each dimension." if len(names) > 1
                else "Only one of you checked in this month.")
    return alt.layer(rule, dots).properties(
        width=460, height=alt.Step(30), title=alt.Title(f"Side by side, {_month_title(month)}", subtitle=subtitle),
        description=_side_by_side_words(data, names),
    )


def _side_by_side_words(data: pd.DataFrame, names: list[str]) -> str:
    if not names:
        return "No check-ins to show."
    if len(names) == 1:
        return f"{names[0]}'s score for each dimension (only {names[0]} checked in)."
    spread = data.groupby("key")["value"].agg(lambda v: float(v.max() - v.min()))
    spread = spread.reindex([k for k in KEYS if k in spread.index])
    key = str(spread.idxmax())
    if spread[key] < 0.05:
        return f"{and_list(names)}'s scores for each dimension; the same on every one."
    values = data[data["key"] == key].set_index("person")["value"]
    return (f"{and_list(names)}'s scores for each dimension; furthest apart on {dimension_words(key)} "
            f"({', '.join(f'{p} {score(values[p])}' for p in names if p in values)}).")


# -- 5. desired against current -----------------------------------------------------------------


def desired_vs_current(
    table: pd.DataFrame,
    month: str | None = None,
    *,
    people: Sequence[str] | None = None,
    threshold: float = analysis.UNMET_GAP,
) -> AnyChart:
    """Per dimension, how it is (dot) against how you would like it (ring); the gap is drawn, and
    gaps of ``threshold`` or more (unmet needs) stand out."""
    month, rows = _month_rows(_select(table, people), month)
    long = analysis.long_scores(rows)
    wide = long.pivot_table(index=["person", "key", "dimension"], columns="kind", values="value",
                            dropna=False).reset_index()
    if "desired" not in wide:
        wide["desired"] = float("nan")
    wide["gap"] = wide["desired"] - wide["score"]
    wide["need"] = ["unmet need" if analysis.at_least(g, threshold) else "close enough" for g in wide["gap"]]
    y = alt.Y("dimension:N", title=None, sort=LABELS)
    need_scale = alt.Scale(domain=["unmet need", "close enough"], range=["#D55E00", "#9a9a9a"])
    tip = [alt.Tooltip("person:N", title="Person"), alt.Tooltip("dimension:N", title="Dimension"),
           alt.Tooltip("score:Q", title="Now", format=".1f"),
           alt.Tooltip("desired:Q", title="Would like", format=".1f"),
           alt.Tooltip("gap:Q", title="Gap", format="+.1f")]
    gap = alt.Chart().transform_filter("isValid(datum.desired)").mark_rule(strokeWidth=3).encode(
        y=y, x=alt.X("score:Q", scale=_score_scale(), axis=_score_axis()), x2="desired:Q",
        color=alt.Color("need:N", title=None, scale=need_scale), tooltip=tip,
    )
    now = alt.Chart().mark_point(size=140, filled=True, color="#0072B2", opacity=1).encode(
        y=y, x=alt.X("score:Q", scale=_score_scale()), tooltip=tip
    )
    want = alt.Chart().transform_filter("isValid(datum.desired)").mark_point(
        size=140, filled=False, strokeWidth=2.5, color="#0072B2", opacity=1
    ).encode(y=y, x="desired:Q", tooltip=tip)
    names = sorted(wide["person"].unique())
    needs = []
    for person, part in wide.groupby("person", sort=True):
        unmet = set(part[part["need"] == "unmet need"]["key"])
        needs.append(f"{person}: " + (and_list(dimension_words(k) for k in KEYS if k in unmet) or "none"))
    summary = (f"Each dimension as it is and as {and_list(names)} would like it; unmet needs ({threshold:g}+ "
               f"points to go): {'; '.join(needs)}." if names else "No check-ins to show.")
    return (
        alt.layer(gap, now, want, data=wide)
        .properties(width=300, height=alt.Step(28))
        .facet(column=alt.Column("person:N", title=None))
        .properties(
            title=alt.Title(f"How it is and how you'd like it, {_month_title(month)}",
                            subtitle=f"Filled dot: now. Ring: would like. Orange: {threshold:g}+ points to go."),
            description=summary,
        )
    )


# -- 6. change since last month -----------------------------------------------------------------


def change_since_last_month(
    table: pd.DataFrame, month: str | None = None, *, people: Sequence[str] | None = None
) -> AnyChart:
    """Diverging bars: each dimension's change since the previous month, per person."""
    month, rows = _month_rows(_select(table, people), month)
    data = rows.melt(id_vars=["person", "month"], value_vars=[f"change_{k}" for k in KEYS],
                     var_name="key", value_name="change")
    data["key"] = data["key"].str.removeprefix("change_")
    data["dimension"] = data["key"].map(label)
    data["direction"] = ["up" if c > 0 else ("down" if c < 0 else "same") for c in data["change"].fillna(0)]
    data = data.dropna(subset=["change"])
    reach = max(3.0, float(data["change"].abs().max()) if len(data) else 0.0)
    y = alt.Y("dimension:N", title=None, sort=LABELS)
    bars = alt.Chart().mark_bar(cornerRadius=2).encode(
        y=y,
        x=alt.X("change:Q", title="Change in points", scale=alt.Scale(domain=[-reach, reach])),
        color=alt.Color("direction:N", title=None,
                        scale=alt.Scale(domain=["up", "down", "same"], range=[UP, DOWN, "#9a9a9a"])),
        tooltip=[alt.Tooltip("person:N", title="Person"), alt.Tooltip("dimension:N", title="Dimension"),
                 alt.Tooltip("change:Q", title="Change", format="+.1f")],
    )
    zero = alt.Chart().mark_rule(color="#555").encode(x=alt.datum(0))
    moves = []
    for person, part in data.groupby("person", sort=True):
        biggest = part.loc[part["change"].abs().idxmax()] if len(part) else None
        if biggest is None or abs(float(biggest["change"])) < 0.05:
            moves.append(f"{person}: no change")
        else:
            moves.append(f"{person}: {dimension_words(str(biggest['key']))}, {signed(float(biggest['change']))}")
    summary = (f"Each dimension's change since {_month_title(add_months(month, -1))}, in points; the biggest for "
               f"{'; '.join(moves)}." if moves else "No change to show.")
    return (
        alt.layer(bars, zero, data=data)
        .properties(width=280, height=alt.Step(26))
        .facet(column=alt.Column("person:N", title=None))
        .properties(
            title=alt.Title(f"Since last month, {_month_title(month)}",
                            subtitle=f"Compared with {_month_title(add_months(month, -1))}."),
            description=summary,
        )
    )


# -- 7. the ritual calendar ----------------------------------------------------------------------


def ritual_calendar(
    rituals: pd.DataFrame,
    kinds: Mapping[str, Any],
    *,
    months: Sequence[str] | None = None,
) -> AnyChart:
    """A calendar of rituals: one row per month, one column per day, a coloured square for each
    kind of ritual that happened that day (whoever logged it)."""
    data = rituals if months is None else rituals[rituals["month"].isin(list(months))]
    data = data.drop_duplicates(["day", "kind"]).copy()
    order = [k for k in kinds if k in set(data["kind"])]
    labels = {k: kinds[k].label for k in order}
    data["ritual"] = data["kind"].map(labels)
    data["cadence"] = data["kind"].map({k: kinds[k].cadence for k in order})
    data["dom"] = data["day"].dt.day
    data["month_start"] = data["day"].dt.to_period("M").dt.to_timestamp()
    palette = list((OKABE_ITO + MORE_COLOURS)[: len(order)]) or ["#0072B2"]  # a colour of its own for each kind
    counts = data["ritual"].value_counts()
    summary = (f"{len(data)} ritual{'s' if len(data) != 1 else ''}, {_span(data['day'])}: "
               + ", ".join(f"{labels[k].lower()} {int(counts[labels[k]])}" for k in order) + "."
               if len(data) else "No rituals to show.")
    return (
        alt.Chart(data)
        .mark_square(size=14, opacity=0.95)
        .encode(
            x=alt.X("dom:O", title="Day of the month", scale=alt.Scale(domain=list(range(1, 32))),
                    axis=alt.Axis(labelAngle=0, values=[1, 5, 10, 15, 20, 25, 30])),
            xOffset=alt.XOffset("ritual:N", sort=[labels[k] for k in order]),
            y=alt.Y("yearmonth(month_start):O", title=None, axis=alt.Axis(format="%b %Y")),
            color=alt.Color("ritual:N", title="Ritual", sort=[labels[k] for k in order],
                            scale=alt.Scale(domain=[labels[k] for k in order], range=palette)),
            tooltip=[alt.Tooltip("ritual:N", title="Ritual"), alt.Tooltip("cadence:N", title="Rhythm"),
                     alt.Tooltip("day:T", title="Day", format="%A %d %B %Y")],
        )
        .properties(width=760, height=alt.Step(18),
                    title=alt.Title("Your rituals, day by day",
                                    subtitle="Each square is a ritual that happened that day."),
                    description=summary)
    )


ALL_CHARTS = (
    dimension_trends,
    balance_over_time,
    year_in_pixels,
    partners_side_by_side,
    desired_vs_current,
    change_since_last_month,
)


# -- for a page: the chart as one image with a text alternative -------------------------------------


def text_alternative(chart: AnyChart | Mapping[str, Any]) -> str:
    """What a page says for ``chart`` (a chart or its spec) to those who cannot see it: its title
    and the one line of what it shows (its ``description``), e.g. "Since last month, October 2026.
    Each dimension's change since September 2026, in points; the biggest for Robin: passion, −2.0;
    Sam: physical intimacy, +1.0."."""
    spec = chart if isinstance(chart, Mapping) else chart.to_dict(validate=False)
    title = spec.get("title") or ""
    if isinstance(title, Mapping):
        title = title.get("text") or ""
    if not isinstance(title, str):  # a title of several lines
        title = " ".join(str(line) for line in title)
    words = [part.strip() for part in (title, str(spec.get("description") or "")) if part and part.strip()]
    return " ".join(w if w.endswith((".", "!", "?")) else w + "." for w in words)


def page_spec(chart: AnyChart) -> dict[str, Any]:
    """The spec of ``chart`` for a static page that names it as one image (:func:`text_alternative`):
    its marks, axes and legends left out of the accessibility tree (``aria`` off), so that nothing in
    the drawing is read out without a name, and no tooltips (nothing to hover over on a page or on
    paper: the same picture, drawn with less work). The chart itself keeps its tooltips, for the
    notebooks' interactive views."""
    spec = _without_tooltips(chart.to_dict(validate=False))
    config = dict(spec.get("config") or {})
    config["aria"] = False
    config["mark"] = {**(config.get("mark") or {}), "aria": False}
    spec["config"] = config
    return spec


def _without_tooltips(node: Any) -> Any:
    """``node`` (a spec or part of one) without any ``tooltip`` encoding or mark property."""
    if isinstance(node, dict):  # the data is left as it is (a column may be called anything)
        return {k: v if k in ("data", "datasets") else _without_tooltips(v) for k, v in node.items() if k != "tooltip"}
    if isinstance(node, list):
        return [_without_tooltips(v) for v in node]
    return node


# -- rendering ----------------------------------------------------------------------------------


def to_svg(chart: AnyChart, *, validate: bool = False) -> str:
    """Static SVG, rendered locally by vl-convert (no network).

    The spec is not re-validated against the Vega-Lite schema here (that costs more than the
    render); the tests validate every chart's spec.
    """
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict(validate=validate))


def to_png(chart: AnyChart, path: str | Path, scale: float = 2.0) -> Path:
    import vl_convert as vlc

    from reflect.system.paths import write_private

    return write_private(path, vlc.vegalite_to_png(chart.to_dict(), scale=scale))
