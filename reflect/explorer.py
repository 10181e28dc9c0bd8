"""The trends explorer: pick people, dimensions and months, and see the charts redrawn.

The trends notebook (``notebooks/trends.ipynb``) makes one call per cell to a :class:`Trends`:

>>> trends = Trends.open()          # doctest: +SKIP
>>> trends.explorer()               # doctest: +SKIP
>>> trends.balance()                # doctest: +SKIP

``Trends.open()`` finds your store as the CLI does, or the demo couple's while yours is empty.

Two layers, so that the logic is testable without a browser:

- :meth:`Trends.view` is a plain function of the check-ins and a :class:`Selection` (people,
  dimensions, a range of months, and one month to look closer at). It returns a :class:`View`:
  the six charts as Altair charts, or, where a chart has nothing to show, a kind sentence in its
  place; the trend readings and the month's findings, in words.
- :class:`Explorer` is the ipywidgets face over it: controls, and one ``Output`` per chart. On any
  change it asks for the view again and redraws only the charts whose inputs changed.

Charts are rendered here to static SVG (:func:`reflect.charts.to_svg`, no network) and shown as
``image/svg+xml`` outputs: nothing is loaded from a CDN, and no Vega renderer is needed in the
browser. Private notes are never read.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


def _warm_up_renderer() -> None:
    """Start vl-convert's engine (about half a second, off the GIL) while pandas and altair load."""
    try:
        import vl_convert as vlc

        vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{}]}})
    except Exception:  # pragma: no cover - the real render reports any problem
        pass


threading.Thread(target=_warm_up_renderer, name="reflect-explorer-warm-up", daemon=True).start()

import ipywidgets as w  # noqa: E402
import pandas as pd  # noqa: E402
import traitlets  # noqa: E402

from . import analysis, charts, insights  # noqa: E402
from .dimensions import KEYS, label  # noqa: E402
from .errors import NoData, ValidationError  # noqa: E402
from .months import add_months, last_months, month_start  # noqa: E402
from .phrases import and_list, dimension_words  # noqa: E402

log = logging.getLogger(__name__)

#: How many months the explorer shows at first, ending with the latest.
DEFAULT_MONTHS = 24
#: How many of the month's findings the explorer lists (the monthly report has them all).
MAX_FINDINGS = 4

#: The six panels, in the order they are shown: three over the months, three for one month.
OVER_TIME = ("trends", "balance", "pixels")
ONE_MONTH = ("needs", "partners", "change")
PANELS = OVER_TIME + ONE_MONTH

TITLES = {
    "trends": "Each dimension over time",
    "balance": "Passion and intimacy",
    "pixels": "The relationship in pixels",
    "needs": "How it is and how you'd like it",
    "partners": "Side by side",
    "change": "Since last month",
}

_READING_WORDS = {"rising": "rising", "falling": "dipping", "steady": "steady"}
#: The words of the balance chart's legend and of the report.
_BALANCE_WORDS = {
    analysis.BALANCED: "in balance",
    analysis.HIGH_PASSION: "high passion, low intimacy",
    analysis.HIGH_INTIMACY: "high intimacy, low passion",
}
_GREY = "color: var(--jp-ui-font-color2, #666);"

Bundle = dict[str, str]


# -- words -----------------------------------------------------------------------------------------


def month_words(month: str, *, short: bool = False) -> str:
    """``2026-10`` -> ``October 2026`` (``Oct 2026`` when ``short``)."""
    return month_start(month).strftime("%b %Y" if short else "%B %Y")


def _dims(keys: Sequence[str]) -> str:
    return and_list([label(k).lower() for k in keys])


def _span(first: str, last: str) -> str:
    if first == last:
        return f"in {month_words(first)}"
    if first[:4] == last[:4]:
        return f"from {month_start(first):%B} to {month_words(last)}"
    return f"from {month_words(first)} to {month_words(last)}"


def _range(first: str, last: str) -> str:
    """``May 2024 to October 2026`` (or one month)."""
    return month_words(first) if first == last else f"{month_words(first)} to {month_words(last)}"


def _e(text: Any) -> str:
    return html.escape(str(text))


def _p(text: str, style: str = "") -> str:
    return f'<p style="margin:4px 0;{style}">{text}</p>'


def months_between(first: str, last: str) -> list[str]:
    """Every calendar month from ``first`` to ``last``, both included (in either order)."""
    if first > last:
        first, last = last, first
    out = [first]
    while out[-1] < last:
        out.append(add_months(out[-1], 1))
    return out


# -- what to show ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What the explorer looks at: who, which dimensions, a range of months, and one month."""

    people: tuple[str, ...]
    dimensions: tuple[str, ...]
    first: str
    last: str
    month: str

    @property
    def months(self) -> list[str]:
        return months_between(self.first, self.last)


@dataclass(frozen=True)
class Panel:
    """One chart of the view, or a kind sentence where it has nothing to show.

    ``inputs`` names everything the panel depends on, so that an unchanged panel is not redrawn.
    """

    key: str
    chart: Any | None
    text: str
    inputs: tuple[Any, ...]

    @property
    def title(self) -> str:
        return TITLES[self.key]


@dataclass(frozen=True)
class View:
    """Everything the explorer shows for one selection."""

    selection: Selection | None
    panels: dict[str, Panel] = field(default_factory=dict)
    readings: tuple[str, ...] = ()
    findings: tuple[insights.Insight, ...] = ()
    notice: str = ""

    @property
    def chart_count(self) -> int:
        return sum(p.chart is not None for p in self.panels.values())


def render(panel: Panel) -> Bundle:
    """The panel as a display bundle: its chart as static SVG, or its sentence as HTML."""
    if panel.chart is not None:
        return {"image/svg+xml": charts.to_svg(panel.chart), "text/plain": f"[chart: {panel.title}]"}
    return {"text/html": _p(_e(panel.text), _GREY), "text/plain": panel.text}


def _svg_count(bundles: Sequence[Bundle]) -> int:
    return sum("image/svg+xml" in b for b in bundles)


class Trends:
    """The check-ins to look at, read once, and what can be shown of them.

    ``checkins`` is :meth:`reflect.store.Store.frame` (notes are not needed and never shown).
    ``is_demo`` says they are the demo couple's; ``source`` names where they came from.
    """

    def __init__(self, checkins: pd.DataFrame, *, is_demo: bool = False, source: str | None = None,
                 rituals: pd.DataFrame | None = None, ritual_kinds: dict[str, Any] | None = None):
        self.checkins = checkins.drop(columns=["note"], errors="ignore")
        self.rituals = rituals
        self.ritual_kinds = ritual_kinds or {}
        self.table = analysis.monthly_table(self.checkins)
        self.is_demo = is_demo
        self.source = source
        self.people: list[str] = sorted(self.table["person"].unique()) if len(self.table) else []
        self.months: list[str] = sorted(self.table["month"].unique()) if len(self.table) else []

    @classmethod
    def open(cls, source: Any = None) -> Trends:
        """From a DataFrame of check-ins, a :class:`~reflect.store.Store`, or a path to a store.

        ``None`` finds the store the way the CLI does (``$REFLECT_DB``, else ``data/reflect.db``),
        and uses the demo couple's store while yours has no check-ins yet.
        """
        import os

        from .demo import open_for_viewing
        from .store import Store

        if source is not None and not isinstance(source, (str, os.PathLike, pd.DataFrame, Store)):
            # papermill's -p turns a bare number into an int
            raise ValidationError(f"{source!r} is not a path to a store (pass it as text: -p db us.db)", field="db")
        if isinstance(source, pd.DataFrame):
            return cls(source)
        if isinstance(source, Store):
            path = str(source.path) if source.path is not None else None
            return cls(source.frame(), is_demo=source.holds_only_demo(), source=path,
                       rituals=source.ritual_frame(), ritual_kinds=source.ritual_kinds())
        store, is_demo = open_for_viewing(source)
        with store:
            return cls(store.frame(), is_demo=is_demo or store.holds_only_demo(), source=str(store.path),
                       rituals=store.ritual_frame(), ritual_kinds=store.ritual_kinds())

    # -- selections ------------------------------------------------------------------------------

    def selection(
        self,
        people: Sequence[str] | None = None,
        dimensions: Sequence[str] | None = None,
        first: str | None = None,
        last: str | None = None,
        month: str | None = None,
    ) -> Selection | None:
        """A selection, each part defaulted: everyone, all six dimensions, the last
        :data:`DEFAULT_MONTHS` months with data, and the latest month. ``None`` when there are
        no check-ins at all."""
        if not self.months:
            return None
        last = last or self.months[-1]
        first = first or next((m for m in self.months if m >= add_months(last, -(DEFAULT_MONTHS - 1))), last)
        return Selection(
            people=tuple(self.people if people is None else people),
            dimensions=tuple(KEYS if dimensions is None else [k for k in KEYS if k in dimensions]),
            first=min(first, last),
            last=max(first, last),
            month=month or self.months[-1],
        )

    def empty_notice(self) -> str:
        where = f" in {self.source}" if self.source else ""
        return (f"There are no check-ins{where} yet. Once you save your first reflection (in the monthly "
                "reflection notebook, or with `reflect add`), your trends appear here.")

    def demo_notice(self) -> str:
        if not self.is_demo:
            return ""
        names = and_list(self.people)
        return (f"These are the charts of {names}, the demo couple, so that you can see what Reflect shows. "
                "Yours appear here once you have saved a check-in of your own.")

    # -- the view (pure) -------------------------------------------------------------------------

    def view(self, selection: Selection | None = None) -> View:
        """What to show for ``selection`` (default: :meth:`selection`): charts, sentences, words."""
        selection = selection if selection is not None else self.selection()
        if selection is None:
            return View(None, notice=self.empty_notice())
        panels = {p.key: p for p in (*self._over_time(selection), *self._one_month(selection))}
        return View(
            selection,
            panels,
            readings=self.readings(selection),
            findings=self.findings(selection),
            notice=self.demo_notice(),
        )

    def _over_time(self, sel: Selection) -> list[Panel]:
        people, months = sel.people, sel.months
        inputs = (people, sel.first, sel.last)
        part = self.table[self.table["person"].isin(people) & self.table["month"].isin(months)]
        if not people:
            text = "Pick at least one person above to see the charts."
            return [Panel(k, None, text, inputs) for k in OVER_TIME]
        if part.empty:
            text = f"There are no check-ins from {and_list(people)} {_span(sel.first, sel.last)}."
            return [Panel(k, None, text, inputs) for k in OVER_TIME]
        if sel.dimensions:
            trends = Panel("trends", charts.dimension_trends(part, people=people, dimensions=sel.dimensions),
                           "", (*inputs, sel.dimensions))
        else:
            trends = Panel("trends", None, "Pick at least one dimension above to see it over time.",
                           (*inputs, sel.dimensions))
        return [
            trends,
            Panel("balance", charts.balance_over_time(part, people=people), "", inputs),
            Panel("pixels", charts.year_in_pixels(part, people=people), "", inputs),
        ]

    def _one_month(self, sel: Selection) -> list[Panel]:
        month, people = sel.month, sel.people
        inputs = (people, month)
        when = month_words(month)
        everyone = self.table[self.table["month"] == month]
        rows = everyone[everyone["person"].isin(people)]
        if not people:
            text = "Pick at least one person above to see this month."
            return [Panel(k, None, text, inputs) for k in ONE_MONTH]
        if rows.empty:
            text = f"There are no check-ins from {and_list(people)} in {when}."
            return [Panel(k, None, text, inputs) for k in ONE_MONTH]
        part = self.table[self.table["person"].isin(people)]
        out = []
        if rows[[f"desired_{k}" for k in KEYS]].notna().any().any():
            out.append(Panel("needs", charts.desired_vs_current(part, month, people=people), "", inputs))
        else:
            out.append(Panel("needs", None, (
                f"Nobody said in {when} how they would like things to be. Next time, try the \u201chow I'd "
                "like it to be\u201d sliders: the gap between the two is often where the best conversation is."
            ), inputs))
        out.append(self._partners_panel(part, rows, everyone, month, inputs))
        if rows[[f"change_{k}" for k in KEYS]].notna().any().any():
            out.append(Panel("change", charts.change_since_last_month(part, month, people=people), "", inputs))
        else:
            out.append(Panel("change", None, (
                f"Nothing to compare {when} with yet: there are no check-ins from "
                f"{month_words(add_months(month, -1))}, the month before. A gap is fine; the comparison comes "
                "back once two months sit side by side."
            ), inputs))
        return out

    def _partners_panel(self, part: pd.DataFrame, rows: pd.DataFrame, everyone: pd.DataFrame, month: str,
                        inputs: tuple[Any, ...]) -> Panel:
        when = month_words(month)
        if len(rows) == 2:
            return Panel("partners", charts.partners_side_by_side(part, month), "", inputs)
        there = list(everyone["person"])
        if len(rows) > 2:
            text = (f"Side by side compares two people, and {len(rows)} are picked for {when}: "
                    "pick the two you would like to compare.")
        elif len(there) == 2:
            text = f"Pick both {and_list(there)} above to see the two of you side by side in {when}."
        elif len(there) > 2:
            text = f"Pick two of the people who checked in in {when} to see them side by side."
        else:
            text = (f"Only {there[0]} checked in in {when}, so there is no one to put side by side this month. "
                    "That is fine: one view of a month is still worth looking at.")
        return Panel("partners", None, text, inputs)

    def readings(self, sel: Selection) -> tuple[str, ...]:
        """The trend of each person over the :data:`~reflect.analysis.TREND_MONTHS` months up to the
        chosen month, one line each, in words."""
        part = self.table[self.table["person"].isin(sel.people) & (self.table["month"] <= sel.month)]
        if part.empty:
            return ()
        table = analysis.trend(part, sel.month)
        lines = []
        span = f"the {analysis.TREND_MONTHS} months to {month_words(sel.month)}"
        for person, rows in table.groupby("person", sort=True):
            by_key = dict(zip(rows["key"], rows["reading"], strict=True))
            if by_key.get("intimacy_index") == "too few months":
                lines.append(f"{person}: there are not yet enough months up to {month_words(sel.month)} to read "
                             f"a trend (it takes {analysis.MIN_TREND_POINTS} in {analysis.TREND_MONTHS}).")
                continue
            parts = []
            groups = {r: [k for k in sel.dimensions if by_key.get(k) == r] for r in ("rising", "falling", "steady")}
            for reading in ("rising", "falling"):
                if groups[reading]:
                    parts.append(f"{_dims(groups[reading])} {_READING_WORDS[reading]}")
            index = _READING_WORDS.get(by_key["intimacy_index"], "steady")
            if not parts and index == "steady":
                parts.append("everything steady, the intimacy index too" if groups["steady"]
                             else "the intimacy index steady")
            else:
                if groups["steady"]:
                    parts.append("the rest steady" if parts else "all steady")
                parts.append(f"the intimacy index {index}")
            lines.append(f"{person}, over {span}: {'; '.join(parts)}.")
        return tuple(lines)

    def findings(self, sel: Selection) -> tuple[insights.Insight, ...]:
        """The chosen month's findings for the people picked (:func:`reflect.insights.insights`)."""
        part = self.checkins[self.checkins["person"].isin(sel.people)]
        try:
            return tuple(insights.insights(part, sel.month))
        except NoData:
            return ()

    # -- faces -----------------------------------------------------------------------------------

    def explorer(self) -> Explorer:
        """The explorer: controls and the six charts, redrawn on every change."""
        return Explorer(self)

    def balance(self, selection: Selection | None = None) -> Section:
        """Passion against the intimacy index over the months, and the stretches out of balance."""
        return balance_section(self, selection)

    def needs(self, selection: Selection | None = None) -> Section:
        """How it is against how you would like it in the chosen month, and how often over the months."""
        return needs_section(self, selection)

    def partners(self, selection: Selection | None = None) -> Section:
        """The two of you side by side in the chosen month, and where you differed over the months."""
        return partners_section(self, selection)

    def rhythm(self, month: str | None = None) -> Section:
        """The 3x3 rhythm: rituals against their rhythm, streaks, the calendar, and what they go with."""
        return rhythm_section(self, month)


def explorer(source: Any = None) -> Explorer:
    """The trends explorer over ``source`` (a DataFrame, a Store, a path, or ``None``: your store,
    found as the CLI finds it, or the demo couple's while yours is empty)."""
    return Trends.open(source).explorer()


# -- the sections (static: they survive an export) -----------------------------------------------


@dataclass(frozen=True)
class Section:
    """A few sentences around a chart, shown by Jupyter as separate outputs (the notebook's
    markdown gives the heading, ``title``)."""

    title: str
    bundles: tuple[Bundle, ...]

    @property
    def svg_count(self) -> int:
        return _svg_count(self.bundles)

    @property
    def text(self) -> str:
        """The section's words, without the charts."""
        return "\n".join(b["text/plain"] for b in self.bundles if "image/svg+xml" not in b)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for bundle in self.bundles:
            display(bundle, raw=True)


def _html(text: str) -> Bundle:
    plain = html.unescape(re.sub(r"<[^>]+>", "", text.replace("</p>", "</p>\n")))
    return {"text/html": text, "text/plain": plain.strip()}


def _section(title: str, intro: str, trends: Trends, selection: Selection | None,
             body: Callable[[Selection], list[Bundle]]) -> Section:
    head = _html(_p(_e(intro)))
    sel = selection if selection is not None else trends.selection()
    if sel is None:
        return Section(title, (head, _html(_p(_e(trends.empty_notice()), _GREY))))
    if not sel.people:
        return Section(title, (head, _html(_p("Pick at least one person to see this.", _GREY))))
    return Section(title, (head, *body(sel)))


def rhythm_section(trends: Trends, month: str | None = None) -> Section:
    """Rituals in the last twelve months up to ``month`` (default: the latest month with any)."""
    from . import rhythm

    title = "Your rhythm"
    rituals, kinds = trends.rituals, trends.ritual_kinds
    if rituals is None or rituals.empty:
        text = ("No rituals logged yet. Log the small ones as they happen (the quick-log in the reflection "
                "notebook, or `reflect ritual add hug`); after a few months this shows whether keeping them goes "
                "with how you feel.")
        return Section(title, (_html(_p(_e(text), _GREY)),))
    month = month or str(rituals["month"].max())
    words = rhythm.month_in_words(rituals, kinds, month)
    bundles: list[Bundle] = [_html(_p(_e(f"{month_words(month)}: {words}.")))]
    going = rhythm.streaks_in_words(rituals, kinds, month)
    if going:
        bundles.append(_html(_p(_e(going))))
    months = last_months(month, 12)
    chart = charts.ritual_calendar(rituals, kinds, months=months)
    bundles.append({"image/svg+xml": charts.to_svg(chart), "text/plain": "[chart: your rituals, day by day]"})
    for sentence in rhythm.findings(rhythm.associations(trends.checkins, rituals, kinds, until=month), kinds):
        bundles.append(_html(_p(_e(sentence))))
    return Section(title, tuple(bundles))


def balance_stretches(table: pd.DataFrame, person: str, months: Sequence[str]) -> list[tuple[str, str, str]]:
    """``(balance, first month, last month)`` for each run of months in a row with the same balance."""
    rows = table[(table["person"] == person) & table["month"].isin(list(months))].sort_values("month")
    out: list[tuple[str, str, str]] = []
    for month, balance in zip(rows["month"], rows["balance"], strict=True):
        if out and out[-1][0] == balance and add_months(out[-1][2], 1) == month:
            out[-1] = (balance, out[-1][1], month)
        else:
            out.append((balance, month, month))
    return out


def balance_words(table: pd.DataFrame, person: str, months: Sequence[str]) -> str:
    """One person's balance over the months, in a few words."""
    stretches = balance_stretches(table, person, months)
    if not stretches:
        return f"{person}: no check-ins in these months."
    total = sum(len(months_between(a, b)) for _, a, b in stretches)
    balanced = sum(len(months_between(a, b)) for kind, a, b in stretches if kind == analysis.BALANCED)
    out = [f"{person}: in balance in {balanced} of {total} month{'s' if total != 1 else ''}."]
    leaning = [f"{_BALANCE_WORDS[kind]} {_span(a, b)}" for kind, a, b in stretches if kind != analysis.BALANCED]
    if leaning:
        text = "; ".join(leaning)
        out.append(text[:1].upper() + text[1:] + ".")
    kind, _, last = stretches[-1]
    out.append(f"Most recently ({month_words(last)}): {_BALANCE_WORDS[kind]}.")
    return " ".join(out)


def balance_section(trends: Trends, selection: Selection | None = None) -> Section:
    gap = f"{analysis.BALANCE_GAP:g}"

    def body(sel: Selection) -> list[Bundle]:
        part = trends.table[trends.table["person"].isin(sel.people) & trends.table["month"].isin(sel.months)]
        if part.empty:
            return [_html(_p(_e(f"There are no check-ins {_span(sel.first, sel.last)}."), _GREY))]
        chart = Panel("balance", charts.balance_over_time(part, people=sel.people), "", ())
        words = "".join(_p(_e(balance_words(part, p, sel.months))) for p in sel.people)
        return [render(chart), _html(words)]

    return _section(
        "The balance over time",
        f"Passion and the intimacy index, month by month. A month is shaded when one runs {gap} or more points "
        "ahead of the other. Neither way is a failing: they are seasons, and life events move them. Seeing "
        "them is the point, so that you can turn toward each other.",
        trends, selection, body,
    )


def needs_section(trends: Trends, selection: Selection | None = None) -> Section:
    gap = f"{analysis.UNMET_GAP:g}"

    def body(sel: Selection) -> list[Bundle]:
        table = trends.table[trends.table["person"].isin(sel.people)]
        wished = table[table[[f"desired_{k}" for k in KEYS]].notna().any(axis=1) & (table["month"] <= sel.month)]
        if wished.empty:
            return [_html(_p("Nobody has said yet how they would like things to be. The \u201chow I'd like it to "
                             "be\u201d sliders in the reflection form are where that goes.", _GREY))]
        month = str(wished["month"].max())
        out = []
        if month != sel.month:
            out.append(_html(_p(_e(f"Nobody said in {month_words(sel.month)} how they would like things to be; "
                                   f"this is {month_words(month)}, the latest month when someone did."), _GREY)))
        out.append(render(Panel("needs", charts.desired_vs_current(table, month, people=sel.people), "", ())))
        lines = []
        when = month_words(month)
        for row in table[table["month"] == month].to_dict("records"):
            needs, who = list(row["unmet_needs"]), row["person"]
            if needs:
                lines.append(f"In {when}, {who} would like more {and_list([dimension_words(k) for k in needs])} than "
                             "there is right now.")
            elif any(pd.notna(row[f"desired_{k}"]) for k in KEYS):
                lines.append(f"In {when}, each of {who}'s wishes is less than {gap} points from how things are.")
            else:
                lines.append(f"{who} did not say in {when} how they would like things to be.")
        span = table[table["month"].isin(sel.months)]
        for person, rows in span.groupby("person", sort=True):
            counts = {k: sum(k in needs for needs in rows["unmet_needs"]) for k in KEYS}
            often = sorted((k for k in KEYS if counts[k]), key=lambda k: (-counts[k], KEYS.index(k)))
            if often:
                said = [f"{dimension_words(k)} ({counts[k]} month{'s' if counts[k] != 1 else ''})" for k in often[:3]]
                lines.append(f"Over {_range(sel.first, sel.last)} ({len(rows)} months with check-ins), {person} "
                             f"most often wished for more {and_list(said)}.")
        out.append(_html("".join(_p(_e(line)) for line in lines)))
        return out

    return _section(
        "Unmet needs",
        f"How each dimension is, against how you would like it to be. A wish {gap} or more points above how "
        "things are is an unmet need: not a fault in anyone, a wish worth saying out loud. Your partner is "
        "not a mind reader.",
        trends, selection, body,
    )


def partners_section(trends: Trends, selection: Selection | None = None) -> Section:
    def body(sel: Selection) -> list[Bundle]:
        table = trends.table[trends.table["person"].isin(sel.people)]
        counts = table[table["month"] <= sel.month].groupby("month")["person"].nunique()
        pairs = sorted(counts[counts == 2].index)
        if len(sel.people) != 2 or not pairs:
            if len(trends.people) < 2:
                why = (f"So far only {and_list(trends.people)} has checked in; if you reflect as a couple, it "
                       "appears once both of you have saved a reflection for the same month.")
            elif len(sel.people) != 2:
                why = "Pick two people to see it."
            else:
                why = "It appears once both of you have saved a reflection for the same month."
            return [_html(_p("This part compares two people who checked in in the same month. " + why, _GREY))]
        month = pairs[-1]
        out = []
        if month != sel.month:
            out.append(_html(_p(_e(f"Only one of you checked in in {month_words(sel.month)}; this is "
                                   f"{month_words(month)}, the latest month you both did."), _GREY)))
        out.append(render(Panel("partners", charts.partners_side_by_side(table, month), "", ())))
        rows = table[table["month"] == month]
        found = analysis.partners(rows) or {"mismatched_needs": [], "seen_differently": []}
        a, b = rows.iloc[0], rows.iloc[1]
        lines = []
        if found["seen_differently"]:
            detail = "; ".join(f"{label(k).lower()}: {a['person']} {a[k]:.1f}, {b['person']} {b[k]:.1f}"
                               for k in found["seen_differently"])
            lines.append(f"In {month_words(month)} you saw {_dims(found['seen_differently'])} quite differently "
                         f"({detail}). Two honest views of one month are worth comparing.")
        if found["mismatched_needs"]:
            lines.append(f"Your wishes for {_dims(found['mismatched_needs'])} were "
                         f"{analysis.MISMATCH_GAP:g} or more points apart: a difference in rhythm to talk about, "
                         "not a fault in either of you.")
        if not lines:
            lines.append(f"In {month_words(month)} your scores and your wishes were close: you saw the "
                         "relationship in much the same way.")
        both = [m for m in pairs if m in sel.months]
        seen: dict[str, int] = dict.fromkeys(KEYS, 0)
        mismatched: dict[str, int] = dict.fromkeys(KEYS, 0)
        for m in both:
            res = analysis.partners(table[table["month"] == m])
            if res is not None:
                for k in res["seen_differently"]:
                    seen[k] += 1
                for k in res["mismatched_needs"]:
                    mismatched[k] += 1
        if both:
            def most(counts_: dict[str, int]) -> str:
                top = sorted((k for k in KEYS if counts_[k]), key=lambda k: (-counts_[k], KEYS.index(k)))[:3]
                return and_list([f"{label(k).lower()} ({counts_[k]} month{'s' if counts_[k] != 1 else ''})"
                                    for k in top])

            bits = []
            if any(seen.values()):
                bits.append(f"you saw {most(seen)} quite differently")
            if any(mismatched.values()):
                bits.append(f"your wishes for {most(mismatched)} were {analysis.MISMATCH_GAP:g} or more points apart")
            said = "; ".join(bits) if bits else (
                f"your scores were never {analysis.SEEN_DIFFERENTLY_GAP:g} or more points apart")
            lines.append(f"Over the {len(both)} month{'s' if len(both) != 1 else ''} you both checked in, "
                         f"{_range(both[0], both[-1])}: {said}.")
        out.append(_html("".join(_p(_e(line)) for line in lines)))
        return out

    return _section(
        "The two of you, side by side",
        "Where each of you put each dimension. Different scores are not a disagreement to settle: they are two "
        "honest views of the same month, and a good place to start talking.",
        trends, selection, body,
    )


# -- the widgets -----------------------------------------------------------------------------------


def _side_label(text: str) -> Any:
    """The label to the left of a control (every control of the explorer has one, the same width)."""
    return w.HTML(f"<b>{_e(text)}</b>", layout=w.Layout(width="110px", min_width="110px"))


def _row(text: str, control: Any) -> Any:
    return w.HBox([_side_label(text), control], layout=w.Layout(align_items="center"))


class CheckboxGroup(w.HBox):
    """A row of checkboxes whose ``value`` is the tuple of the keys ticked, in option order."""

    value = traitlets.Tuple()

    def __init__(self, options: Sequence[tuple[str, str]], value: Sequence[str] = (), description: str = ""):
        self._syncing = False
        self.boxes: dict[str, Any] = {
            key: w.Checkbox(value=key in value, description=text, indent=False, layout=w.Layout(width="auto"))
            for text, key in options
        }
        super().__init__(children=[_side_label(description), *self.boxes.values()],
                         layout=w.Layout(align_items="center", flex_flow="row wrap"))
        self.value = tuple(k for k in self.boxes if k in value)
        for box in self.boxes.values():
            box.observe(self._on_box, "value")
        self.observe(self._on_value, "value")

    def _on_box(self, _change: Any) -> None:
        if not self._syncing:
            self.value = tuple(k for k, box in self.boxes.items() if box.value)

    @traitlets.validate("value")
    def _valid(self, proposal: Any) -> tuple[str, ...]:
        wanted = set(proposal["value"])
        return tuple(k for k in self.boxes if k in wanted)

    def _on_value(self, change: Any) -> None:
        self._syncing = True
        try:
            for key, box in self.boxes.items():
                box.value = key in change["new"]
        finally:
            self._syncing = False


def _outputs(bundles: Sequence[Bundle]) -> tuple[dict[str, Any], ...]:
    return tuple({"output_type": "display_data", "data": dict(b), "metadata": {}} for b in bundles)


class Explorer:
    """The explorer's widgets over a :class:`Trends`. Display it in a notebook; ``.widget`` is all of it.

    The controls are ``people`` and ``dimensions`` (rows of checkboxes), ``months`` (a range
    slider over the months with data) and ``month`` (the month the one-month charts show).
    ``outputs`` holds one ``Output`` per chart; ``view`` is the last :class:`View` drawn,
    ``renders`` counts the charts rendered so far and ``seconds`` the last redraw's time.
    """

    def __init__(self, trends: Trends):
        self.trends = trends
        self.view: View | None = None
        self.renders = 0
        self.seconds = 0.0
        self._drawn: dict[str, tuple[Any, ...]] = {}
        self.notice = w.HTML()
        self.status = w.HTML()
        self.readings = w.HTML()
        self.findings = w.HTML()
        self.over_time_heading = w.HTML()
        self.month_heading = w.HTML()
        self.outputs = {key: w.Output(layout=w.Layout(margin="6px 0 14px 0")) for key in PANELS}
        intro = w.HTML(
            "<h3 style='margin:4px 0'>Your trends</h3>"
            + _p("Pick who, which dimensions and which months; the charts redraw as you go. Then pick one month "
                 "to look at more closely.", _GREY)
        )
        sel = trends.selection()
        if sel is None:
            self.people = CheckboxGroup([], description="People")
            self.dimensions = CheckboxGroup([], description="Dimensions")
            self.months = w.SelectionRangeSlider(options=["-"], index=(0, 0), disabled=True)
            self.month = w.Dropdown(options=["-"], disabled=True)
            self.notice.value = _p(_e(trends.empty_notice()))
            self.view = View(None, notice=trends.empty_notice())
            self.widget = w.VBox([intro, self.notice], layout=w.Layout(max_width="960px"))
            self.widget.add_class("reflect-explorer")
            return
        self.people = CheckboxGroup([(p, p) for p in trends.people], value=sel.people, description="People")
        self.dimensions = CheckboxGroup([(label(k), k) for k in KEYS], value=sel.dimensions, description="Dimensions")
        self.months = w.SelectionRangeSlider(
            options=[(month_words(m, short=True), m) for m in trends.months],
            index=(trends.months.index(sel.first), trends.months.index(sel.last)),
            continuous_update=False, layout=w.Layout(width="560px"),
        )
        self.month = w.Dropdown(
            options=[(month_words(m), m) for m in reversed(trends.months)], value=sel.month,
            layout=w.Layout(width="220px"),
        )
        for control in (self.people, self.dimensions, self.months, self.month):
            control.observe(self._changed, "value")
        self.widget = w.VBox(
            [
                intro,
                self.notice,
                self.people,
                self.dimensions,
                _row("Months", self.months),
                _row("One month", self.month),
                self.status,
                self.over_time_heading,
                self.readings,
                *(self.outputs[k] for k in OVER_TIME),
                self.month_heading,
                self.findings,
                *(self.outputs[k] for k in ONE_MONTH),
            ],
            layout=w.Layout(max_width="960px"),
        )
        self.widget.add_class("reflect-explorer")
        self.redraw()

    # -- display -------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = "Reflect: the trends explorer (open this notebook in Jupyter to use it)"
        return bundle

    @property
    def selection(self) -> Selection | None:
        """What the controls say now."""
        if not self.trends.months:
            return None
        first, last = self.months.value
        return Selection(
            people=tuple(self.people.value),
            dimensions=tuple(self.dimensions.value),
            first=first,
            last=last,
            month=self.month.value,
        )

    @property
    def svg_count(self) -> int:
        """How many charts are showing now."""
        return sum(_svg_count([o["data"] for o in out.outputs]) for out in self.outputs.values())

    def _changed(self, _change: Any) -> None:
        self.redraw()

    def redraw(self) -> View | None:
        """Ask for the view of the current selection, and redraw what changed."""
        sel = self.selection
        if sel is None:
            return self.view
        started = time.perf_counter()
        self.status.value = _p("Drawing\u2026", _GREY)
        view = self.trends.view(sel)
        self.notice.value = _p(_e(view.notice), _GREY) if view.notice else ""
        self.over_time_heading.value = (
            f"<h3 style='margin:12px 0 4px 0'>Over time: {_e(_range(sel.first, sel.last))}</h3>"
        )
        self.month_heading.value = f"<h3 style='margin:12px 0 4px 0'>{_e(month_words(sel.month))}, more closely</h3>"
        self.readings.value = "".join(_p(_e(line)) for line in view.readings)
        self.findings.value = self._findings_html(view)
        for key, panel in view.panels.items():
            if self._drawn.get(key) == (panel.inputs, panel.chart is None):
                continue
            try:
                bundle = render(panel)
            except Exception as exc:  # a chart that fails must not take the explorer down
                log.exception("could not draw %s", key)
                bundle = {"text/html": _p(_e(f"This chart could not be drawn ({exc})."), _GREY),
                          "text/plain": f"This chart could not be drawn ({exc})."}
            else:
                self.renders += panel.chart is not None
            self.outputs[key].outputs = _outputs([bundle])
            self._drawn[key] = (panel.inputs, panel.chart is None)
        self.view = view
        self.seconds = time.perf_counter() - started
        self.status.value = ""
        return view

    @staticmethod
    def _findings_html(view: View) -> str:
        sel = view.selection
        if sel is None or not sel.people:
            return ""
        if not view.findings:
            return _p(_e(f"No findings for {month_words(sel.month)} for the people picked."), _GREY)
        items = []
        for f in view.findings[:MAX_FINDINGS]:
            tip = f"<br><span style='{_GREY}'>Something to try: {_e(f.suggestions[0])}</span>" if f.suggestions else ""
            items.append(f"<li>{_e(f.text)}{tip}</li>")
        more = len(view.findings) - MAX_FINDINGS
        tail = _p(f"And {more} more in the monthly report.", _GREY) if more > 0 else ""
        return f"<ul style='margin:4px 0;padding-left:20px'>{''.join(items)}</ul>{tail}"
