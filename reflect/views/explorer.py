"""The trends explorer: pick people, dimensions and months, and see the charts redrawn.

The trends notebook (``notebooks/trends.ipynb``) makes one call per cell to a :class:`Trends`:

>>> trends = Trends.open()          # doctest: +SKIP
>>> trends.explorer()               # doctest: +SKIP
>>> trends.balance()                # doctest: +SKIP

``Trends.open()`` finds your store as the CLI does, or the demo couple's while yours is empty.

Two layers, so that the logic is testable without a browser:

- :mod:`reflect.views.trends` is the view model: :meth:`Trends.view` is a plain function of the
  check-ins and a :class:`Selection` (people, dimensions, a range of months, and one month to look
  closer at). It returns a :class:`View`:
  the six charts as Altair charts, or, where a chart has nothing to show, a kind sentence in its
  place; the trend readings and the month's findings, in words.
- :class:`Explorer` is the ipywidgets face over it: controls, and one ``Output`` per chart. On any
  change it asks for the view again and redraws only the charts whose inputs changed.

Charts are rendered here to static SVG (:func:`reflect.views.charts.to_svg`, no network) and shown as
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
from dataclasses import dataclass
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

from reflect.analytics import analysis  # noqa: E402
from reflect.analytics.analysis import balance_stretches  # noqa: E402
from reflect.analytics.phrases import and_list, dimension_words, dimensions_together, month_words, score  # noqa: E402
from reflect.domain.dimensions import KEYS, label  # noqa: E402
from reflect.domain.months import last_months  # noqa: E402
from reflect.views import charts  # noqa: E402
from reflect.views.trends import (  # noqa: E402  (the view model; its names are the explorer's too)
    DEFAULT_MONTHS,
    MAX_FINDINGS,
    ONE_MONTH,
    OVER_TIME,
    PANELS,
    TITLES,
    Panel,
    Selection,
    TrendsModel,
    View,
    balance_words,
    months_between,
    range_words,
    span_words,
)

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_MONTHS", "MAX_FINDINGS", "ONE_MONTH", "OVER_TIME", "PANELS", "TITLES", "CheckboxGroup",
           "Explorer", "Panel", "Section", "Selection", "Trends", "View", "balance_stretches", "explorer",
           "months_between"]

_GREY = "color: var(--jp-ui-font-color2, #666);"

Bundle = dict[str, str]



def _e(text: Any) -> str:
    return html.escape(str(text))


def _p(text: str, style: str = "") -> str:
    return f'<p style="margin:4px 0;{style}">{text}</p>'



def render(panel: Panel) -> Bundle:
    """The panel as a display bundle: its chart as static SVG, or its sentence as HTML."""
    if panel.chart is not None:
        return {"image/svg+xml": charts.to_svg(panel.chart), "text/plain": f"[chart: {panel.title}]"}
    return {"text/html": _p(_e(panel.text), _GREY), "text/plain": panel.text}


def _svg_count(bundles: Sequence[Bundle]) -> int:
    return sum("image/svg+xml" in b for b in bundles)



class Trends(TrendsModel):
    """The check-ins to look at, and the notebook's faces over them: the explorer and the sections."""

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

    def practices(self, month: str | None = None) -> Section:
        """Agreements and how they went, repairs (how often, how soon), life events, and where the
        consent lists are (never what they hold)."""
        return practices_section(self, month)


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
    from reflect.analytics import rhythm

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


def practices_section(trends: Trends, month: str | None = None) -> Section:
    """The practices of the twelve months up to ``month`` (default: the latest month with check-ins)."""
    from reflect.analytics import agreements as follow_through
    from reflect.analytics import lifeevents, repairs

    title = "Your practices"
    practices = trends.practice_records
    month = month or (trends.months[-1] if trends.months else None)
    if month is None:
        return Section(title, (_html(_p(_e(trends.empty_notice()), _GREY)),))
    bundles: list[Bundle] = [_html("<h4 style='margin:8px 0 2px 0'>One small thing we'll try</h4>")]
    frame = practices.agreements
    counted = follow_through.kept_count_words(frame, month)
    if counted is None:
        bundles.append(_html(_p(_e("No agreements yet. At the end of a check-in, write one small thing you'll try "
                                   "next month; the month after, the form asks each of you \u201cdid we?\u201d."),
                                _GREY)))
    else:
        strip = " \u00b7 ".join(f"{s['label']}: {follow_through.STATE_WORDS[s['state']]}"
                                for s in follow_through.strip(frame, month) if s["state"] is not None)
        bundles.append(_html(_p(_e(counted)) + _p(_e(strip), _GREY)))
        for agreed in follow_through.answers_of(frame, month):
            bundles.append(_html(_p(_e(f"{month_words(month)}: {follow_through.quoted(agreed['text'])} "
                                       f"({follow_through.answer_words(agreed['answers'])})."))))
        found = follow_through.links(trends.checkins, frame, until=month)
        bundles += [_html(_p(_e(sentence))) for sentence in follow_through.findings(found)]
    bundles.append(_html("<h4 style='margin:12px 0 2px 0'>Repairs</h4>"))
    said = repairs.words(practices.repairs, month)
    bundles.append(_html("".join(_p(_e(line)) for line in said) if said else _p(_e(
        "No repairs noted yet. After a rupture, either of you can note a repair in the form: own it, offer "
        "(listening, space or a hug), align on one small change. Repairs are a strength."), _GREY)))
    bundles.append(_html("<h4 style='margin:12px 0 2px 0'>Life events</h4>"))
    events = practices.events
    if events.empty:
        bundles.append(_html(_p(_e("No life events marked. A move, a birth, a new job, an illness, a loss: mark it "
                                   "in the form, and the charts show it and the words take it into account."),
                                _GREY)))
    else:
        listed = "".join(f"<li>{e.day.day} {e.day:%B %Y}: {_e(e.words)}</li>" for e in events.itertuples())
        bundles.append(_html(f"<ul style='margin:4px 0;padding-left:20px'>{listed}</ul>"))
        bundles += [_html(_p(_e(line))) for line in lifeevents.event_words(trends.table, events, month)]
    bundles.append(_html("<h4 style='margin:12px 0 2px 0'>Yes, not now, no</h4>"))
    bundles.append(_html(_p(_e(
        "Each of your lists is private, and this notebook never reads them. What you both said yes to is in the "
        "reflection form, once you sign in (or: reflect consent shared --as NAME)."), _GREY)))
    return Section(title, tuple(bundles))


def balance_section(trends: Trends, selection: Selection | None = None) -> Section:
    gap = f"{analysis.BALANCE_GAP:g}"

    def body(sel: Selection) -> list[Bundle]:
        part = trends.table[trends.table["person"].isin(sel.people) & trends.table["month"].isin(sel.months)]
        if part.empty:
            return [_html(_p(_e(f"There are no check-ins {span_words(sel.first, sel.last)}."), _GREY))]
        chart = Panel("balance", charts.balance_over_time(part, people=sel.people, events=trends.events), "", ())
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
            often = analysis.wished_most(span, str(person), sel.months)
            if often:
                said = [f"{dimension_words(k)} ({n} month{'s' if n != 1 else ''})" for k, n in often[:3]]
                lines.append(f"Over {range_words(sel.first, sel.last)} ({len(rows)} months with check-ins), {person} "
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
            detail = "; ".join(f"{label(k).lower()}: {a['person']} {score(a[k])}, {b['person']} {score(b[k])}"
                               for k in found["seen_differently"])
            differently = dimensions_together(found["seen_differently"])
            lines.append(f"In {month_words(month)} you saw {differently} quite differently "
                         f"({detail}). Two honest views of one month are worth comparing.")
        if found["mismatched_needs"]:
            lines.append(f"Your wishes for {dimensions_together(found['mismatched_needs'])} were "
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
                         f"{range_words(both[0], both[-1])}: {said}.")
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
            f"<h3 style='margin:12px 0 4px 0'>Over time: {_e(range_words(sel.first, sel.last))}</h3>"
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
