"""The monthly report's content: a letter to the couple, section by section.

The report notebook (``notebooks/monthly_report.ipynb``) holds one call per cell to a
:class:`MonthlyReport`; each call returns a :class:`Section` that Jupyter shows as HTML. Charts
are embedded as static SVG, rendered here with no network, so the exported page works offline.

>>> report = MonthlyReport.open(month="2026-10", db="data/reflect.db")   # doctest: +SKIP
>>> report.at_a_glance()                                                 # doctest: +SKIP
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from reflect.reporting import rendering  # noqa: E402

if rendering.active() is None:  # with a renderer passed in (reflect report), it is warming up there
    # vl-convert's engine starts (off the GIL) while pandas and altair load
    threading.Thread(target=rendering.warm_up, name="reflect-warm-up", daemon=True).start()

import pandas as pd  # noqa: E402

from reflect.analytics import analysis, insights, lifeevents, rhythm  # noqa: E402
from reflect.analytics.phrases import and_list, dimension_words, dimensions_words, score  # noqa: E402
from reflect.analytics.practices import Practices  # noqa: E402
from reflect.domain.dimensions import KEYS, label  # noqa: E402
from reflect.domain.months import add_months, last_months, month_start  # noqa: E402
from reflect.errors import NoData, ValidationError  # noqa: E402
from reflect.reporting import handover  # noqa: E402
from reflect.reporting.params import parse_flag, resolve_month  # noqa: E402
from reflect.storage.reminders import next_reflection_line  # noqa: E402
from reflect.views import charts  # noqa: E402

#: How many months the charts over time show, ending with the report's month.
HISTORY_MONTHS = 24



@dataclass(frozen=True)
class Section:
    """A piece of the report, shown by Jupyter as HTML."""

    html: str
    #: Shows notes (or what a couple both said yes to): left out of the executed notebook that
    #: ``reflect report`` keeps beside the page (see :func:`reflect.reporting.handover.without_private`).
    private: bool = False

    def _repr_html_(self) -> str:
        return f'<div class="reflect">{self.html}</div>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        data = {"text/html": self._repr_html_()}
        return (data, copy.deepcopy(handover.PRIVATE)) if self.private else data

    def __str__(self) -> str:
        return self.html


# -- the report ----------------------------------------------------------------------------------


class MonthlyReport:
    """Everything the monthly report says about one month of one store."""

    def __init__(
        self,
        checkins: pd.DataFrame,
        month: str,
        *,
        include_notes: bool = False,
        is_demo: bool = False,
        source: str = "",
        rituals: pd.DataFrame | None = None,
        ritual_kinds: dict[str, Any] | None = None,
        notes_left_out: list[str] | None = None,
        practices: Practices | None = None,
        consent: dict[str, Any] | None = None,
        next_reflection: str = "",
    ):
        self.month = month
        #: "Your next reflection: Sunday 27 December, 20:00" when reminders are set (``reflect remind``), else "".
        self.next_reflection = next_reflection
        #: Agreements, repairs (no words) and life events; the consent views the report may show
        #: (``views``: what pairs both see, with ``include_notes`` only; ``kept``: whether anyone has a list).
        self.practices = practices or Practices.none()
        self.events = self.practices.events
        self.consent = consent or {"views": None, "kept": False}
        self.include_notes = include_notes
        self.notes_left_out = notes_left_out or []
        self.is_demo = is_demo
        self.source = source
        end = pd.Timestamp(month_start(add_months(month, 1)))
        self.checkins = checkins[checkins["date"] < end].reset_index(drop=True)
        self.table = analysis.monthly_table(self.checkins)
        self.rows = self.table[self.table["month"] == month]
        if self.rows.empty:
            raise NoData(f"there are no check-ins in {month}")
        self.people: list[str] = list(self.rows["person"])
        self.summary = analysis.month_summary(self.checkins, month)
        self.findings = insights.insights(self.checkins, month)
        first_shown = add_months(month, -(HISTORY_MONTHS - 1))
        self.history = self.table[(self.table["month"] >= first_shown) & self.table["person"].isin(self.people)]
        self.ritual_kinds = ritual_kinds or {}
        if rituals is None or rituals.empty:
            self.rituals = pd.DataFrame(columns=["day", "month", "week", "person", "kind", "cadence"])
        else:
            self.rituals = rituals[rituals["day"] < end].reset_index(drop=True)
        self._start_rendering()
        # the heavier sums, done while the charts are being drawn
        self.readings = analysis.trend(self.table[self.table["person"].isin(self.people)], month)
        self.ritual_links = (
            [] if self.rituals.empty else
            rhythm.findings(rhythm.associations(self.checkins, self.rituals, self.ritual_kinds, until=month),
                            self.ritual_kinds)
        )

    @classmethod
    def open(cls, month: Any = None, db: Any = None, include_notes: Any = False,
             notes_file: Any = None) -> MonthlyReport:
        """Check the report's parameters and read the store; clear errors for bad ones.

        ``db=None`` uses the default store (``$REFLECT_DB`` or ``data/reflect.db``), or the demo
        couple's while the default store has no check-ins. The report shows what is no longer
        sealed (a partner's answers for a month not over yet wait until both have answered) and,
        with ``include_notes``, the notes of people without a passphrase and those that
        ``reflect report --include-notes`` hands over in memory for the people who signed in
        (:mod:`reflect.reporting.handover`), of this month only. ``notes_file`` (a file of notes,
        in earlier versions) is refused: notes are never handed over in a file.
        """
        from reflect.storage.demo import open_for_viewing

        if db is not None and not isinstance(db, (str, os.PathLike)):
            raise ValidationError(f"{db!r} is not a path to a store", field="db")
        notes = parse_flag(include_notes, field="include_notes")
        if notes_file is not None:
            raise ValidationError("notes_file is no longer taken: notes never go through a file; "
                                  "`reflect report --include-notes` hands them to the report in memory",
                                  field="notes_file")
        if month is not None and not isinstance(month, str):
            # papermill's -p turns 2026 into an int; say what to write instead
            raise ValidationError(
                f"{month!r} is not a month in the form YYYY-MM (pass it as text, e.g. -p month 2026-10)",
                field="month",
            )
        store, is_demo = open_for_viewing(db or None)
        with store:
            chosen = resolve_month(month, store.months())
            handed = handover.take(store.path, chosen) if store.path is not None else None
            frame = store.frame(include_notes=notes)
            rituals = store.ritual_frame()
            kinds = store.ritual_kinds()
            source = str(store.path)
            upcoming = next_reflection_line(store.path)
            is_demo = is_demo or store.holds_only_demo()
            people = [(p.name, p.protected) for p in store.persons()]
            practices = Practices.read(store)
            open_views = store.consent_shared_views() if notes else []  # lists kept without a passphrase
            consent: dict[str, Any] = {"views": None, "kept": bool(store.consent_people())}
        left_out: list[str] = []
        if notes:
            with_keys = [p for p in people if p[1]]
            given = handed.for_month(chosen) if handed is not None else handover.Handover(
                left_out=tuple(p[0] for p in with_keys))
            left_out = list(given.left_out)
            frame = handover.overlay(frame, given.notes)
            views = [{"people": [v.person, v.partner], "items": list(v.items)} for v in open_views]
            views += [dict(v) for v in given.consent]
            consent["views"] = _one_per_pair(views)
        return cls(frame, chosen, include_notes=notes, is_demo=is_demo, source=source, rituals=rituals,
                   ritual_kinds=kinds, notes_left_out=left_out, practices=practices, consent=consent,
                   next_reflection=upcoming)

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return month_start(self.month).strftime("%B %Y")

    def _charts(self) -> dict[str, Callable[[], Any]]:
        """Every chart this report shows, by name, in the order the sections show them."""
        plan: dict[str, Callable[[], Any]] = {}
        if len(self.people) == 2:
            plan["side_by_side"] = lambda: charts.partners_side_by_side(self.table, self.month)
        if self.rows[[f"change_{k}" for k in KEYS]].notna().any().any():
            plan["change"] = lambda: charts.change_since_last_month(self.table, self.month, people=self.people)
        if self.rows[[f"desired_{k}" for k in KEYS]].notna().any().any():
            plan["desired"] = lambda: charts.desired_vs_current(self.table, self.month, people=self.people)
        plan["trends"] = lambda: charts.dimension_trends(self.history, events=self.events)
        plan["balance"] = lambda: charts.balance_over_time(self.history, events=self.events)
        plan["pixels"] = lambda: charts.year_in_pixels(self.history)
        if not self.rituals.empty:
            months = last_months(self.month, 12)
            plan["rituals"] = lambda: charts.ritual_calendar(self.rituals, self.ritual_kinds, months=months)
        return plan

    def _start_rendering(self) -> None:
        """Build every chart's spec now. With a renderer process (``reflect report``), the SVGs are
        drawn there while this process writes the rest of the report; otherwise here."""
        from concurrent.futures import Future

        self._svgs: dict[str, Future[str]] = {}
        self._alts: dict[str, str] = {}
        for name, build in self._charts().items():
            # each chart is one image on the page, named by its title and what it shows
            spec = charts.page_spec(build())
            self._alts[name] = charts.text_alternative(spec)
            # drawn by a renderer process while the next spec is built here, or here and now
            self._svgs[name] = rendering.render_later(spec)

    def has_chart(self, name: str) -> bool:
        return name in self._svgs

    def _figure(self, name: str, caption: str) -> dict[str, Any]:
        """A chart for a template: its SVG (drawn by vl-convert, trusted), its text alternative (its
        title and what it shows, :func:`reflect.views.charts.text_alternative`) and its caption."""
        return {"svg": Markup(self._svgs[name].result()), "alt": self._alts[name], "caption": caption}

    # -- sections --------------------------------------------------------------------------------

    def opening(self) -> Section:
        counts = []
        for i, (person, p) in enumerate(self.summary["people"].items()):
            n = p["checkins"]
            verb = "checked in " if i == 0 else ""
            counts.append(f"{person} {verb}{'once' if n == 1 else f'{n} times'}")
        count_text = " and ".join([", ".join(counts[:-1]), counts[-1]] if len(counts) > 1 else counts)
        balances = {p["balance"] for p in self.summary["people"].values()}
        first = self.rows[[f"change_{k}" for k in KEYS]].isna().all().all()
        if balances == {analysis.BALANCED}:
            mood = ("Passion and intimacy are in step this month." if first
                    else "Passion and intimacy moved together this month.")
        elif analysis.HIGH_INTIMACY in balances and analysis.HIGH_PASSION not in balances:
            mood = "Closeness held up this month while the spark was quieter."
        elif analysis.HIGH_PASSION in balances and analysis.HIGH_INTIMACY not in balances:
            mood = "There was plenty of spark this month, with less of the closeness underneath."
        else:
            mood = "Passion and intimacy pulled in different directions this month."
        return _section("opening", title=self.title, is_demo=self.is_demo, names=and_list(self.people),
                        count_text=count_text, mood=mood)

    def at_a_glance(self) -> Section:
        people = self.summary["people"]
        rows = []
        for key in [*KEYS, "intimacy_index"]:
            cells = []
            for p in people.values():
                if key == "intimacy_index":
                    changes = [p["change"][k] for k in KEYS[1:]]
                    change = round(sum(changes) / 5, 2) if all(c is not None for c in changes) else None
                    cells.append((p["intimacy_index"], change))
                else:
                    cells.append((p["scores"][key], _known(p["change"][key])))
            rows.append({"name": "Intimacy index" if key == "intimacy_index" else label(key),
                         "index": key == "intimacy_index", "cells": cells})
        lines = []
        for person, p in people.items():
            words = analysis.BALANCE_WORDS[p["balance"]]
            gap = round(p["scores"]["passion"] - p["intimacy_index"], 1)
            if gap == 0:
                where = "level with each other"
            else:
                where = f"passion {score(abs(gap))} {'above' if gap > 0 else 'below'} the index"
            lines.append(f"{person}: passion {score(p['scores']['passion'])} against an intimacy index of "
                         f"{score(p['intimacy_index'])} ({words}: {where}).")
            moves = [(abs(c), k, c) for k, c in p["change"].items() if c is not None]
            if moves:
                _, k, c = max(moves)
                if abs(c) >= 0.5:
                    lines.append(f"The biggest change for {person}: {dimension_words(k)}, "
                                 f"{'up' if c > 0 else 'down'} {score(abs(c))}.")
        charts = []
        if self.has_chart("side_by_side"):
            charts.append(self._figure("side_by_side",
                                       "Where each of you put each dimension this month; the grey bar is the "
                                       "distance between you."))
        if self.has_chart("change"):
            charts.append(self._figure("change",
                                       "How each score moved since last month: blue up, orange down."
                                       + self._missing_last_month()))
        return _section("at_a_glance", people=list(people), rows=rows, lines=lines, charts=charts)

    def _missing_last_month(self) -> str:
        before = month_start(add_months(self.month, -1)).strftime("%B")
        missing = [p for p, s in self.summary["people"].items() if all(c is None for c in s["change"].values())]
        if not missing:
            return ""
        who = " and ".join(missing)
        return f" {who} did not check in in {before}, so there is nothing to compare with."

    def what_might_help(self) -> Section:
        weakest = sorted({_lowest(p["scores"]) for p in self.summary["people"].values()}, key=KEYS.index)
        talks = [{"dimension": dimension_words(key), "questions": insights.conversation_starters(key, self.month)}
                 for key in weakest]
        lead = insights.LEAD_FINDINGS
        return _section("what_might_help", findings=self.findings[:lead], more=self.findings[lead:], talks=talks)

    def needs(self) -> Section:
        chart = self._figure("desired",
                             "The filled dot is how it is; the ring is how you would like it. Orange gaps of "
                             "3 points or more are unmet needs.") if self.has_chart("desired") else None
        lines = []
        for person, p in self.summary["people"].items():
            if p["unmet_needs"]:
                lines.append(f"{person} would like more {dimensions_words(p['unmet_needs'])}.")
        partners = self.summary["partners"]
        if partners is not None:
            if partners["mismatched_needs"]:
                lines.append(f"You would like different amounts of {dimensions_words(partners['mismatched_needs'])}: "
                             "a difference in rhythm to talk about, not a fault in either of you.")
            if partners["seen_differently"]:
                lines.append(f"You saw {dimensions_words(partners['seen_differently'])} quite differently this month.")
            if not partners["mismatched_needs"] and not partners["seen_differently"]:
                lines.append("Your scores and your wishes are close to each other this month: you see the "
                             "relationship in much the same way.")
        if chart and not any(p["unmet_needs"] for p in self.summary["people"].values()):
            lines.append("No wish is 3 or more points away from how things are.")
        return _section("needs", chart=chart, lines=lines)

    def over_time(self) -> Section:
        sentences = list(insights.trend_words(self.readings))
        sentences += lifeevents.event_words(self.table, self.events, self.month, people=self.people)
        months = self.history["month"].nunique()
        charts = [
            self._figure("trends", f"Each dimension over the last {months} month{'s' if months != 1 else ''}: "
                                   "dots are monthly scores, lines the 3-month rolling mean."),
            self._figure("balance", "Passion against the intimacy index. Shaded months were out of balance: 2 or "
                                    "more points apart. A dip is normal; what matters is noticing it together."),
            self._figure("pixels", "The relationship in pixels: one square per month and dimension, darker is lower."),
        ]
        return _section("over_time", sentences=sentences, charts=charts)

    def rhythm(self) -> Section:
        months = last_months(self.month, 12)
        people = []
        for person in self.people:
            mine = self.checkins[self.checkins["person"] == person]
            seen = set(mine["month"])
            this = mine[mine["month"] == self.month]["cadence"].value_counts()
            streak = analysis.streak(self.checkins, person, self.month)
            kept = sum(m in seen for m in months)
            if streak >= 2:
                streak_text = f"{streak} months in a row"
            elif kept > 1:
                streak_text = "back after a gap, which is what counts"
            else:
                streak_text = "a first month, and a good start"
            people.append({
                "name": person,
                "strip": [{"done": m in seen, "label": month_start(m).strftime("%b")} for m in months],
                "counts": ", ".join(f"{int(this[c])} {c}" for c in ("monthly", "weekly", "daily") if c in this.index),
                "plural": this.sum() != 1, "kept": kept, "streak": streak_text,
            })
        rituals = None
        if not self.rituals.empty:
            kinds = self.ritual_kinds
            rituals = {
                "month": rhythm.month_in_words(self.rituals, kinds, self.month),
                "going": rhythm.streaks_in_words(self.rituals, kinds, self.month),
                "chart": self._figure("rituals", "Every ritual of the last twelve months, day by day."),
                "links": self.ritual_links,
            }
        return _section("rhythm", people=people, rituals=rituals)

    def last_year(self) -> Section:
        rows = analysis.last_year(self.table, self.month)
        if rows.empty:
            return Section("")
        before = month_start(add_months(self.month, -12)).strftime("%B %Y")
        people = [{"name": person, "rows": [r._replace(difference=_known(r.difference)) for r in part.itertuples()]}
                  for person, part in rows.groupby("person", sort=False)]
        return _section("last_year", before=before, title=self.title, people=people)

    def practices_section(self) -> Section:
        """The practices: the agreements and how they went, repairs (how often and how soon, never
        their words), the life events, and what you both said yes to (with notes only)."""
        from reflect.reporting import practices

        return _section("practices", shows_notes=bool(self.include_notes and self.consent.get("views")),
                        **practices.context(self))

    def notes(self) -> Section:
        """The month's notes, only when the report was asked to include them."""
        if not self.include_notes or "note" not in self.checkins:
            return Section("")
        month_rows = self.checkins[(self.checkins["month"] == self.month) & self.checkins["note"].notna()]
        if month_rows.empty:
            return Section("")
        people = [{"name": person, "notes": [{"text": r.note, "cadence": r.cadence, "day": f"{r.date:%d %B}"}
                                             for r in part.itertuples()]}
                  for person, part in month_rows.groupby("person", sort=True)]
        return _section("notes", shows_notes=True, people=people)

    def closing(self) -> Section:
        private = ("Private notes are included, as you asked: keep this file somewhere safe."
                   if self.include_notes else "Private notes are left out.")
        if self.include_notes and self.notes_left_out:
            private += (f" The notes of {' and '.join(self.notes_left_out)} are left out: a note with a passphrase "
                        "is shown only when its writer signs in for the report.")
        return _section("closing", made=dt.datetime.now().strftime("%d %B %Y at %H:%M"),
                        source=Path(self.source).name, private=private, next_reflection=self.next_reflection)

    def sections(self) -> list[Callable[[], Section]]:
        """Every section, in the order the report notebook shows them."""
        return [self.opening, self.at_a_glance, self.what_might_help, self.needs, self.over_time,
                self.rhythm, self.practices_section, self.last_year, self.notes, self.closing]


def _one_per_pair(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each pair's shared view once (both partners compute the same one)."""
    seen, out = set(), []
    for view in views:
        pair = frozenset(view["people"])
        if pair not in seen:
            seen.add(pair)
            out.append(view)
    return out


def _known(value: Any) -> float | None:
    """``None`` for a missing value (None or NaN), else the value."""
    return None if value is None or pd.isna(value) else float(value)


_TEMPLATES: list[Any] = []


def _section(name: str, *, shows_notes: bool = False, **context: Any) -> Section:
    """A section of the report from its Jinja2 template (``reflect/templates/report/NAME.html.j2``,
    autoescaped: every name, note and sentence is escaped; only the charts' SVG is trusted)."""
    if not _TEMPLATES:
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.PackageLoader("reflect", "templates/report"),
            autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=False,
        )
        env.filters["score"] = score  # every number reads the same way as in the sentences
        _TEMPLATES.append(env)
    return Section(_TEMPLATES[0].get_template(f"{name}.html.j2").render(**context).strip(), private=shows_notes)


def _lowest(scores: dict[str, float]) -> str:
    return min(KEYS, key=lambda k: (scores[k], KEYS.index(k)))


