"""The monthly report's content: a letter to the couple, section by section.

The report notebook (``notebooks/monthly_report.ipynb``) holds one call per cell to a
:class:`MonthlyReport`; each call returns a :class:`Section` that Jupyter shows as HTML. Charts
are embedded as static SVG, rendered here with no network, so the exported page works offline.

>>> report = MonthlyReport.open(month="2026-10", db="data/reflect.db")   # doctest: +SKIP
>>> report.at_a_glance()                                                 # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import html
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import rendering  # noqa: E402

if rendering.active() is None:  # with a renderer passed in (reflect report), it is warming up there
    # vl-convert's engine starts (off the GIL) while pandas and altair load
    threading.Thread(target=rendering.warm_up, name="reflect-warm-up", daemon=True).start()

import pandas as pd  # noqa: E402

from . import analysis, charts, insights, notesfile, rhythm  # noqa: E402
from .dimensions import KEYS, label  # noqa: E402
from .errors import NoData, ValidationError  # noqa: E402
from .months import add_months, last_months, month_start  # noqa: E402
from .params import parse_flag, resolve_month  # noqa: E402
from .phrases import and_list, dimension_words, dimensions_words  # noqa: E402

#: How many months the charts over time show, ending with the report's month.
HISTORY_MONTHS = 24

_BALANCE_WORDS = {
    analysis.BALANCED: "in balance",
    analysis.HIGH_PASSION: "high passion, low intimacy",
    analysis.HIGH_INTIMACY: "high intimacy, low passion",
}


@dataclass(frozen=True)
class Section:
    """A piece of the report, shown by Jupyter as HTML."""

    html: str

    def _repr_html_(self) -> str:
        return f'<div class="reflect">{self.html}</div>'

    def __str__(self) -> str:
        return self.html


def _e(text: Any) -> str:
    return html.escape(str(text))


# -- start-up ------------------------------------------------------------------------------------


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
    ):
        self.month = month
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
        self.charts_shown = 0
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
        with ``include_notes``, the notes of people without a passphrase and those in
        ``notes_file`` (what ``reflect report --include-notes`` hands over for the people who
        signed in).
        """
        from .demo import open_for_viewing

        if db is not None and not isinstance(db, (str, os.PathLike)):
            raise ValidationError(f"{db!r} is not a path to a store", field="db")
        notes = parse_flag(include_notes, field="include_notes")
        if month is not None and not isinstance(month, str):
            # papermill's -p turns 2026 into an int; say what to write instead
            raise ValidationError(
                f"{month!r} is not a month in the form YYYY-MM (pass it as text, e.g. -p month 2026-10)",
                field="month",
            )
        store, is_demo = open_for_viewing(db or None)
        with store:
            chosen = resolve_month(month, store.months())
            frame = store.frame(include_notes=notes)
            rituals = store.ritual_frame()
            kinds = store.ritual_kinds()
            source = str(store.path)
            is_demo = is_demo or store.holds_only_demo()
            people = [(p.name, p.protected) for p in store.persons()]
        left_out: list[str] = []
        if notes:
            with_keys = [p for p in people if p[1]]
            handed, left_out = notesfile.read(notes_file) if notes_file else ([], [p[0] for p in with_keys])
            frame = notesfile.overlay(frame, handed)
        return cls(frame, chosen, include_notes=notes, is_demo=is_demo, source=source, rituals=rituals,
                   ritual_kinds=kinds, notes_left_out=left_out)

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
        plan["trends"] = lambda: charts.dimension_trends(self.history)
        plan["balance"] = lambda: charts.balance_over_time(self.history)
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
        for name, build in self._charts().items():
            # drawn by a renderer process while the next spec is built here, or here and now
            self._svgs[name] = rendering.render_later(build().to_dict(validate=False))

    def has_chart(self, name: str) -> bool:
        return name in self._svgs

    def _figure(self, name: str, caption: str) -> str:
        self.charts_shown += 1
        svg = self._svgs[name].result()
        return f'<figure class="chart">{svg}<figcaption>{_e(caption)}</figcaption></figure>'

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
        demo = (
            '<p class="demo">This report is about Robin and Sam, the demo couple, so that you can see what '
            "Reflect does. Your own report appears once you have saved a check-in of your own.</p>"
            if self.is_demo else ""
        )
        greeting = "Dear " + _e(and_list(self.people)) + ","
        return Section(
            f'<p class="kicker">Reflect &middot; monthly reflection</p><h1>{_e(self.title)}</h1>{demo}'
            f"<p>{greeting}</p>"
            f"<p>Here is your reflection for {_e(self.title)}. This month {_e(count_text)} "
            f"(monthly, weekly and daily check-ins together). {_e(mood)}</p>"
            "<p>Read it together, somewhere comfortable. The numbers are a starting point for talking, "
            "not a verdict: what matters is what you notice, and what you decide to do next.</p>"
        )

    def at_a_glance(self) -> Section:
        people = self.summary["people"]
        head = "".join(f"<th>{_e(p)}</th><th>since last month</th>" for p in people)
        rows = []
        for key in [*KEYS, "intimacy_index"]:
            name = "Intimacy index" if key == "intimacy_index" else label(key)
            cells = []
            for p in people.values():
                score = p["intimacy_index"] if key == "intimacy_index" else p["scores"][key]
                change = None
                if key != "intimacy_index":
                    change = p["change"][key]
                else:
                    changes = [p["change"][k] for k in KEYS[1:]]
                    change = round(sum(changes) / 5, 2) if all(c is not None for c in changes) else None
                cells.append(f"<td>{score:.1f}</td><td>{_change(change)}</td>")
            klass = ' class="index"' if key == "intimacy_index" else ""
            rows.append(f"<tr{klass}><td>{_e(name)}</td>{''.join(cells)}</tr>")
        table = f'<table class="glance"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        lines = []
        for person, p in people.items():
            words = _BALANCE_WORDS[p["balance"]]
            gap = round(p["scores"]["passion"] - p["intimacy_index"], 1)
            if gap == 0:
                where = "level with each other"
            else:
                where = f"passion {abs(gap):.1f} {'above' if gap > 0 else 'below'} the index"
            lines.append(f"{_e(person)}: passion {p['scores']['passion']:.1f} against an intimacy index of "
                         f"{p['intimacy_index']:.1f} ({words}: {where}).")
            moves = [(abs(c), k, c) for k, c in p["change"].items() if c is not None]
            if moves:
                _, k, c = max(moves)
                if abs(c) >= 0.5:
                    lines.append(f"The biggest change for {_e(person)}: {_e(dimension_words(k))}, "
                                 f"{'up' if c > 0 else 'down'} {abs(c):.1f}.")
        parts = ["<h2>The month at a glance</h2>", table, "<p>" + " ".join(lines) + "</p>"]
        if self.has_chart("side_by_side"):
            parts.append(self._figure("side_by_side",
                                      "Where each of you put each dimension this month; the grey bar is the distance "
                                      "between you."))
        if self.has_chart("change"):
            parts.append(self._figure("change",
                                      "How each score moved since last month: blue up, orange down."
                                      + self._missing_last_month()))
        return Section("".join(parts))

    def _missing_last_month(self) -> str:
        before = month_start(add_months(self.month, -1)).strftime("%B")
        missing = [p for p, s in self.summary["people"].items() if all(c is None for c in s["change"].values())]
        if not missing:
            return ""
        who = " and ".join(missing)
        return f" {who} did not check in in {before}, so there is nothing to compare with."

    def what_might_help(self) -> Section:
        parts = ["<h2>What stands out, and what might help</h2>"]
        for f in self.findings:
            tips = "".join(f"<li>{_e(s)}</li>" for s in f.suggestions)
            klass = "finding support" if f.kind == "support" else "finding"
            parts.append(f'<div class="{klass}"><p>{_e(f.text)}</p>{f"<ul>{tips}</ul>" if tips else ""}</div>')
        weakest = sorted({_lowest(p["scores"]) for p in self.summary["people"].values()}, key=KEYS.index)
        for key in weakest:
            questions = "".join(f"<li>{_e(q)}</li>" for q in insights.conversation_starters(key, self.month))
            parts.append(f"<h3>To talk about {_e(dimension_words(key))}</h3><ul>{questions}</ul>")
        return Section("".join(parts))

    def needs(self) -> Section:
        parts = ["<h2>How it is, and how you would like it</h2>"]
        has_desired = self.has_chart("desired")
        if has_desired:
            parts.append(self._figure("desired",
                                      "The filled dot is how it is; the ring is how you would like it. Orange gaps of "
                                      "3 points or more are unmet needs."))
        else:
            parts.append("<p>Nobody said this month how they would like things to be. Next time, try the "
                         "\u201chow I'd like it to be\u201d sliders: the gap between the two is often where the "
                         "most useful conversation is.</p>")
        lines = []
        for person, p in self.summary["people"].items():
            if p["unmet_needs"]:
                lines.append(f"{_e(person)} would like more {_e(dimensions_words(p['unmet_needs']))}.")
        partners = self.summary["partners"]
        if partners is not None:
            if partners["mismatched_needs"]:
                mismatched = dimensions_words(partners["mismatched_needs"])
                lines.append(f"You would like different amounts of {_e(mismatched)}: "
                             "a difference in rhythm to talk about, not a fault in either of you.")
            if partners["seen_differently"]:
                seen = dimensions_words(partners["seen_differently"])
                lines.append(f"You saw {_e(seen)} quite differently this month.")
            if not partners["mismatched_needs"] and not partners["seen_differently"]:
                lines.append("Your scores and your wishes are close to each other this month: you see the "
                             "relationship in much the same way.")
        if has_desired and not any(p["unmet_needs"] for p in self.summary["people"].values()):
            lines.append("No wish is 3 or more points away from how things are.")
        if lines:
            parts.append("<p>" + " ".join(lines) + "</p>")
        return Section("".join(parts))

    def over_time(self) -> Section:
        parts = ["<h2>Over time</h2>"]
        readings = self.readings
        sentences = []
        for person, part in readings.groupby("person", sort=False):
            moving = part[part["reading"].isin(["rising", "falling"]) & (part["key"] != "intimacy_index")]
            if part["reading"].eq("too few months").all():
                sentences.append(f"{_e(person)}: not enough months yet to read a trend.")
            elif moving.empty:
                sentences.append(f"{_e(person)}: everything has been steady over the last six months.")
            else:
                bits = [f"{dimension_words(r.key)} {r.reading} ({r.slope:+.1f} a month)" for r in moving.itertuples()]
                sentences.append(f"{_e(person)}, over the last six months: {_e(', '.join(bits))}; the rest steady.")
        parts.append("<p>" + " ".join(sentences) + "</p>")
        months = self.history["month"].nunique()
        parts.append(self._figure("trends",
                                  f"Each dimension over the last {months} month{'s' if months != 1 else ''}: dots "
                                  "are monthly scores, lines the 3-month rolling mean."))
        parts.append(self._figure("balance",
                                  "Passion against the intimacy index. Shaded months were out of balance: 2 or more "
                                  "points apart. A dip is normal; what matters is noticing it together."))
        parts.append(self._figure("pixels",
                                  "The relationship in pixels: one square per month and dimension, darker is lower."))
        return Section("".join(parts))

    def rhythm(self) -> Section:
        parts = ["<h2>Your rhythm</h2>"]
        months = last_months(self.month, 12)
        for person in self.people:
            mine = self.checkins[self.checkins["person"] == person]
            seen = set(mine["month"])
            dots = "".join(
                f'<span><b class="{"done" if m in seen else ""}"></b>{_e(month_start(m).strftime("%b"))}</span>'
                for m in months
            )
            this = mine[mine["month"] == self.month]["cadence"].value_counts()
            counts = ", ".join(f"{int(this[c])} {c}" for c in ("monthly", "weekly", "daily") if c in this.index)
            streak = analysis.streak(self.checkins, person, self.month)
            kept = sum(m in seen for m in months)
            if streak >= 2:
                streak_text = f"{streak} months in a row"
            elif kept > 1:
                streak_text = "back after a gap, which is what counts"
            else:
                streak_text = "a first month, and a good start"
            parts.append(f"<h3>{_e(person)}</h3><div class=\"strip\">{dots}</div>"
                         f"<p>This month: {_e(counts)} check-in{'s' if this.sum() != 1 else ''}; "
                         f"{kept} of the last 12 months; {_e(streak_text)}.</p>")
        parts.append("<p>A missed month is a gap, not a failure. Small and regular beats long and rare: a "
                     "one-minute daily check-in, a weekly hour without phones, a special evening each month.</p>")
        parts.append(self._rituals())
        return Section("".join(parts))

    def _rituals(self) -> str:
        kinds = self.ritual_kinds
        if self.rituals.empty:
            return ("<h3>Rituals</h3><p>No rituals logged yet. When a small ritual happens (an appreciation, a long "
                    "hug, a phone-free evening), log it with one click in the reflection notebook or with "
                    "<code>reflect ritual add hug</code>; over a few months this report will show whether keeping "
                    "them goes with how you feel.</p>")
        parts = ["<h3>Rituals</h3>"]
        parts.append(f"<p>This month: {_e(rhythm.month_in_words(self.rituals, kinds, self.month))}.</p>")
        going = rhythm.streaks_in_words(self.rituals, kinds, self.month)
        if going:
            parts.append(f"<p>{_e(going)}</p>")
        parts.append(self._figure("rituals",
                                  "Every ritual of the last twelve months, day by day."))
        links = self.ritual_links
        if links:
            parts.append("<h3>Do your rituals go with how you feel?</h3>"
                         + "".join(f"<p>{_e(x)}</p>" for x in links))
        return "".join(parts)

    def last_year(self) -> Section:
        rows = analysis.last_year(self.table, self.month)
        if rows.empty:
            return Section("")
        before = month_start(add_months(self.month, -12)).strftime("%B %Y")
        parts = [f"<h2>This month last year</h2><p>Set against {_e(before)}:</p>"]
        for person, part in rows.groupby("person", sort=False):
            cells = "".join(
                f"<tr{_INDEX_CLASS if r.key == 'intimacy_index' else ''}><td>{_e(r.dimension)}</td>"
                f"<td>{r.last_year:.1f}</td><td>{r.this_month:.1f}</td><td>{_change(r.difference)}</td></tr>"
                for r in part.itertuples()
            )
            parts.append(f'<h3>{_e(person)}</h3><table class="glance"><thead><tr><th></th><th>{_e(before)}</th>'
                         f"<th>{_e(self.title)}</th><th>difference</th></tr></thead><tbody>{cells}</tbody></table>")
        return Section("".join(parts))

    def notes(self) -> Section:
        """The month's notes, only when the report was asked to include them."""
        if not self.include_notes or "note" not in self.checkins:
            return Section("")
        month_rows = self.checkins[(self.checkins["month"] == self.month) & self.checkins["note"].notna()]
        if month_rows.empty:
            return Section("")
        parts = ["<h2>In your own words</h2>"]
        for person, part in month_rows.groupby("person", sort=True):
            quotes = "".join(
                f"<blockquote>{_e(r.note)}<br><small>{_e(r.cadence)}, {r.date:%d %B}</small></blockquote>"
                for r in part.itertuples()
            )
            parts.append(f"<h3>{_e(person)}</h3>{quotes}")
        return Section("".join(parts))

    def closing(self) -> Section:
        made = dt.datetime.now().strftime("%d %B %Y at %H:%M")
        private = ("Private notes are included, as you asked: keep this file somewhere safe."
                   if self.include_notes else "Private notes are left out.")
        if self.include_notes and self.notes_left_out:
            private += (f" The notes of {' and '.join(self.notes_left_out)} are left out: a note with a passphrase "
                        "is shown only when its writer signs in for the report.")
        return Section(
            '<p class="signature">Until next month. Be kind to each other, and to yourselves.</p>'
            f'<p class="footer">Made by Reflect on this machine on {_e(made)}, from {_e(Path(self.source).name)}. '
            f"Nothing in this report was sent anywhere, and it opens with no network. {_e(private)}</p>"
        )

    def sections(self) -> list[Callable[[], Section]]:
        """Every section, in the order the report notebook shows them."""
        return [self.opening, self.at_a_glance, self.what_might_help, self.needs, self.over_time,
                self.rhythm, self.last_year, self.notes, self.closing]


_INDEX_CLASS = ' class="index"'


def _change(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "&ndash;"
    if abs(value) < 0.05:
        return "same"
    arrow, klass = ("\u25b2", "up") if value > 0 else ("\u25bc", "down")
    return f'<span class="{klass}">{arrow} {abs(value):.1f}</span>'


def _lowest(scores: dict[str, float]) -> str:
    return min(KEYS, key=lambda k: (scores[k], KEYS.index(k)))


