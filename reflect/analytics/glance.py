"""This month at a glance: one person's month beside the month before, in a few words or a small table.

Used by the check-in form after a save (the one-line comparison) and by the reflection notebook
(the small table). Scores only: private notes are never read here.

A month's scores are the month's figures of :mod:`reflect.analytics.analysis` (the mean of the month's
check-ins, every cadence counting once), the same the report and ``reflect summary`` show; a
month made of more than one check-in says so.

>>> from reflect.storage.store import Store
>>> from reflect.domain.checkin import CheckIn
>>> store = Store(":memory:")
>>> for month, passion in (("2026-09", 5), ("2026-10", 7)):
...     _ = store.save(CheckIn.create(person="Robin", date=f"{month}-01", scores=dict(
...         passion=passion, emotional=7, physical=6, intellectual=7, experiential=6, spiritual=7)))
>>> comparison_line(store, store.get("Robin", "2026-10-01"))
'Compared with September 2026: your intimacy index is 6.6 (no change) and passion 7 (up 2 from 5).'
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from statistics import fmean
from typing import TYPE_CHECKING

from reflect.analytics.phrases import score, signed
from reflect.domain.checkin import CheckIn, add_months, month_start
from reflect.domain.dimensions import DIMENSIONS, INTIMACY_KEYS, KEYS

if TYPE_CHECKING:
    from reflect.storage.store import Store


def period_label(cadence: str, start: dt.date) -> str:
    """How a period reads: ``October 2026``, ``the week of Monday 5 October 2026``, ``Thursday 15 October 2026``."""
    if cadence == "monthly":
        return f"{start:%B} {start.year}"
    day = f"{start:%A} {start.day} {start:%B} {start.year}"
    return f"the week of {day}" if cadence == "weekly" else day


def month_label(month: str) -> str:
    """``2026-10`` -> ``October 2026``."""
    return period_label("monthly", month_start(month))


def intimacy_index(scores: dict[str, float] | CheckIn) -> float:
    """The mean of the five dimensions of intimacy (every key but passion)."""
    values = scores.scores if isinstance(scores, CheckIn) else scores
    return fmean(float(values[k]) for k in INTIMACY_KEYS)


@dataclass(frozen=True)
class MonthScores:
    """One person's scores for one month, and where they come from."""

    person: str
    month: str
    scores: dict[str, float]
    desired: dict[str, float | None]
    source: str  # "monthly", or e.g. "the mean of 12 daily check-ins"

    @property
    def intimacy_index(self) -> float:
        return intimacy_index(self.scores)


def month_scores(store: Store, person: str, month: str) -> MonthScores | None:
    """The person's figures for ``month``, as the report and ``reflect summary`` have them
    (:func:`reflect.analytics.analysis.person_month`: the mean of the month's check-ins, every cadence)."""
    from reflect.analytics import analysis

    checkins = store.checkins(person=person, month=month)
    if not checkins:
        return None
    row = analysis.person_month(store.frame(), checkins[0].person, month)
    assert row is not None
    counts = {cad: sum(c.cadence == cad for c in checkins) for cad in ("monthly", "weekly", "daily")}
    parts = [f"{n} {cad} check-in{'s' if n != 1 else ''}" for cad, n in counts.items() if n]
    return MonthScores(
        person=person,
        month=month,
        scores={k: float(row[k]) for k in KEYS},
        desired={k: None if _missing(row[f"desired_{k}"]) else float(row[f"desired_{k}"]) for k in KEYS},
        source="monthly" if counts == {"monthly": 1, "weekly": 0, "daily": 0} else "the mean of " + " and ".join(parts),
    )


def _missing(value: object) -> bool:
    return value is None or value != value  # NaN is the one value not equal to itself


def latest_month(store: Store, person: str) -> str | None:
    """The latest month in which ``person`` checked in at all."""
    checkins = store.checkins(person=person)
    return max(c.month for c in checkins) if checkins else None


def _change(now: float, before: float) -> str:
    diff = round(now - before, 1)
    if diff == 0:
        return "no change"
    return f"{'up' if diff > 0 else 'down'} {score(abs(diff))} from {score(before)}"


def comparison_line(store: Store, checkin: CheckIn) -> str:
    """One line: the check-in's intimacy index and passion beside the person's previous month."""
    previous_month = add_months(checkin.month, -1)
    before = month_scores(store, checkin.person, previous_month)
    if before is None:
        return (
            f"There is nothing from {month_label(previous_month)} to compare with yet: "
            "next month you will see how things moved."
        )
    index_now, passion_now = intimacy_index(checkin), float(checkin.scores["passion"])
    return (
        f"Compared with {month_label(previous_month)}: your intimacy index is {score(index_now)} "
        f"({_change(index_now, before.intimacy_index)}) and passion {score(passion_now)} "
        f"({_change(passion_now, before.scores['passion'])})."
    )


@dataclass(frozen=True)
class Glance:
    """A person's month (``now``) and the month before (``before``, may be missing)."""

    person: str
    month: str
    now: MonthScores | None
    before: MonthScores | None


def at_a_glance(store: Store, person: str, month: str | None = None) -> Glance | None:
    """The glance for ``person`` at ``month`` (default: their latest month); None with no data."""
    month = month or latest_month(store, person)
    if month is None:
        return None
    return Glance(
        person=person,
        month=month,
        now=month_scores(store, person, month),
        before=month_scores(store, person, add_months(month, -1)),
    )


def _signed(diff: float) -> str:
    text = signed(diff)
    return "same" if text == "0.0" else text


#: Words for a screen reader only (a table's corner header), kept out of sight.
_VISUALLY_HIDDEN = ("<span style='position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;"
                    "clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap;border:0'>{}</span>")


def glance_html(glance: Glance | None, *, person: str | None = None) -> str:
    """A small HTML table: each dimension and the intimacy index, this month and the month before."""
    if glance is None or glance.now is None:
        who = html.escape(person or (glance.person if glance else "")) or "you"
        return (
            f"<p class='reflect-glance'>Nothing saved yet for {who}. "
            "Once you save a check-in, this month appears here beside the month before.</p>"
        )
    now, before = glance.now, glance.before
    this_label = html.escape(month_label(glance.month))
    prev_label = html.escape(month_label(add_months(glance.month, -1)))
    wishes = any(now.desired.get(k) is not None for k in KEYS)
    # the rows are the dimensions: the corner header says so to a screen reader, and shows nothing
    head = [_VISUALLY_HIDDEN.format("Dimension"), this_label, prev_label, "Change"] + (["You'd like"] if wishes else [])
    rows: list[list[str]] = []
    for dim in DIMENSIONS:
        value = now.scores[dim.key]
        old = before.scores[dim.key] if before else None
        row = [html.escape(dim.label), score(value), "–" if old is None else score(old),
               "" if old is None else _signed(value - old)]
        if wishes:
            wish = now.desired.get(dim.key)
            row.append("" if wish is None else score(wish))
        rows.append(row)
    old_index = before.intimacy_index if before else None
    index_row = ["<b>Intimacy index</b>", f"<b>{score(now.intimacy_index)}</b>",
                 "–" if old_index is None else score(old_index),
                 "" if old_index is None else _signed(now.intimacy_index - old_index)]
    rows.append(index_row + ([""] if wishes else []))
    cell = "padding:2px 10px;text-align:{};"
    lines = [
        f"<div class='reflect-glance'><p><b>{html.escape(glance.person)}, {this_label} at a glance</b></p>",
        "<table style='border-collapse:collapse'>",
        "<tr>" + "".join(f"<th style='{cell.format('left' if i == 0 else 'right')}'>{h}</th>"
                         for i, h in enumerate(head)) + "</tr>",
    ]
    for row in rows:
        lines.append("<tr>" + "".join(f"<td style='{cell.format('left' if i == 0 else 'right')}'>{v}</td>"
                                      for i, v in enumerate(row)) + "</tr>")
    lines.append("</table>")
    notes = []
    if now.source != "monthly":
        notes.append(f"{this_label}: {html.escape(now.source)}.")
    if before is not None and before.source != "monthly":
        notes.append(f"{prev_label}: {html.escape(before.source)}.")
    if before is None:
        notes.append(f"Nothing saved for {prev_label}, so there is no change to show yet.")
    if notes:
        lines.append("<p style='font-size:90%'>" + " ".join(notes) + "</p>")
    lines.append("</div>")
    return "\n".join(lines)
