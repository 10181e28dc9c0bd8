"""The trends explorer's view model: what to show for a selection of people, dimensions and
months, as Altair charts, kind sentences and words, with no widgets (:mod:`reflect.views.explorer` is
the ipywidgets face over it, and the trends notebook's sections).

:meth:`TrendsModel.view` is a plain function of the check-ins and a :class:`Selection` (people,
dimensions, a range of months, and one month to look closer at). It returns a :class:`View`: the
six charts as Altair charts, or, where a chart has nothing to show, a kind sentence in its place;
the trend readings and the month's findings, in words. Private notes are never read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reflect.analytics import analysis, insights, lifeevents
from reflect.analytics.phrases import and_list, month_words, number_words
from reflect.analytics.practices import Practices
from reflect.domain.dimensions import KEYS
from reflect.domain.months import add_months, month_start
from reflect.errors import NoData, ValidationError
from reflect.views import charts

#: How many months the explorer shows at first, ending with the latest.
DEFAULT_MONTHS = 24
#: How many of the month's findings the explorer lists: the ones the report's letter leads with
#: (the report has the rest under "More to notice").
MAX_FINDINGS = insights.LEAD_FINDINGS

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

#: The words of the balance chart's legend and of the report.
BALANCE_WORDS = analysis.BALANCE_WORDS

# -- words -----------------------------------------------------------------------------------------


def span_words(first: str, last: str) -> str:
    if first == last:
        return f"in {month_words(first)}"
    if first[:4] == last[:4]:
        return f"from {month_start(first):%B} to {month_words(last)}"
    return f"from {month_words(first)} to {month_words(last)}"


def range_words(first: str, last: str) -> str:
    """``May 2024 to October 2026`` (or one month)."""
    return month_words(first) if first == last else f"{month_words(first)} to {month_words(last)}"


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


class TrendsModel:
    """The check-ins to look at, read once, and what can be shown of them (no widgets here).

    ``checkins`` is :meth:`reflect.storage.store.Store.frame` (notes are not needed and never shown).
    ``is_demo`` says they are the demo couple's; ``source`` names where they came from.
    """

    def __init__(self, checkins: pd.DataFrame, *, is_demo: bool = False, source: str | None = None,
                 rituals: pd.DataFrame | None = None, ritual_kinds: dict[str, Any] | None = None,
                 practices: Practices | None = None):
        self.checkins = checkins.drop(columns=["note"], errors="ignore")
        self.rituals = rituals
        self.ritual_kinds = ritual_kinds or {}
        #: The agreements, repairs (no words) and life events, when read from a store.
        self.practice_records = practices or Practices.none()
        self.events = self.practice_records.events
        self.table = analysis.monthly_table(self.checkins)
        self.is_demo = is_demo
        self.source = source
        self.people: list[str] = sorted(self.table["person"].unique()) if len(self.table) else []
        self.months: list[str] = sorted(self.table["month"].unique()) if len(self.table) else []

    @classmethod
    def open(cls, source: Any = None) -> Any:
        """From a DataFrame of check-ins, a :class:`~reflect.storage.store.Store`, or a path to a store.

        ``None`` finds the store the way the CLI does (``$REFLECT_DB``, else ``data/reflect.db``),
        and uses the demo couple's store while yours has no check-ins yet.
        """
        import os

        from reflect.storage.demo import open_for_viewing
        from reflect.storage.store import Store

        if source is not None and not isinstance(source, (str, os.PathLike, pd.DataFrame, Store)):
            # papermill's -p turns a bare number into an int
            raise ValidationError(f"{source!r} is not a path to a store (pass it as text: -p db us.db)", field="db")
        if isinstance(source, pd.DataFrame):
            return cls(source)
        if isinstance(source, Store):
            path = str(source.path) if source.path is not None else None
            return cls(source.frame(), is_demo=source.holds_only_demo(), source=path,
                       rituals=source.ritual_frame(), ritual_kinds=source.ritual_kinds(),
                       practices=Practices.read(source))
        store, is_demo = open_for_viewing(source)
        with store:
            return cls(store.frame(), is_demo=is_demo or store.holds_only_demo(), source=str(store.path),
                       rituals=store.ritual_frame(), ritual_kinds=store.ritual_kinds(),
                       practices=Practices.read(store))

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
            text = f"There are no check-ins from {and_list(people)} {span_words(sel.first, sel.last)}."
            return [Panel(k, None, text, inputs) for k in OVER_TIME]
        if sel.dimensions:
            trends = Panel("trends", charts.dimension_trends(part, people=people, dimensions=sel.dimensions,
                                                             events=self.events),
                           "", (*inputs, sel.dimensions))
        else:
            trends = Panel("trends", None, "Pick at least one dimension above to see it over time.",
                           (*inputs, sel.dimensions))
        return [
            trends,
            Panel("balance", charts.balance_over_time(part, people=people, events=self.events), "", inputs),
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
        """The trend of each person over the :data:`~reflect.analytics.analysis.TREND_MONTHS` months up to the
        chosen month, one line each, in words."""
        part = self.table[self.table["person"].isin(sel.people) & (self.table["month"] <= sel.month)]
        if part.empty:
            return ()
        span = f"the {number_words(analysis.TREND_MONTHS)} months to {month_words(sel.month)}"
        lines = list(insights.trend_words(analysis.trend(part, sel.month), sel.dimensions, span=span))
        # the life events of the year before the month, taken into account
        lines += lifeevents.event_words(part, self.events, sel.month, people=sel.people)
        return tuple(lines)

    def findings(self, sel: Selection) -> tuple[insights.Insight, ...]:
        """The chosen month's findings for the people picked (:func:`reflect.analytics.insights.insights`)."""
        part = self.checkins[self.checkins["person"].isin(sel.people)]
        try:
            return tuple(insights.insights(part, sel.month))
        except NoData:
            return ()


def balance_words(table: pd.DataFrame, person: str, months: Sequence[str]) -> str:
    """One person's balance over the months, in a few words."""
    stretches = analysis.balance_stretches(table, person, months)
    if not stretches:
        return f"{person}: no check-ins in these months."
    total = sum(len(months_between(a, b)) for _, a, b in stretches)
    balanced = sum(len(months_between(a, b)) for kind, a, b in stretches if kind == analysis.BALANCED)
    out = [f"{person}: in balance in {balanced} of {total} month{'s' if total != 1 else ''}."]
    leaning = [f"{BALANCE_WORDS[kind]} {span_words(a, b)}" for kind, a, b in stretches if kind != analysis.BALANCED]
    if leaning:
        text = "; ".join(leaning)
        out.append(text[:1].upper() + text[1:] + ".")
    kind, _, last = stretches[-1]
    out.append(f"Most recently ({month_words(last)}): {BALANCE_WORDS[kind]}.")
    return " ".join(out)
