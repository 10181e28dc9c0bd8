"""Repairs, counted warmly: how often they happened and how soon, never what they said.

Everything here works on :meth:`~reflect.storage.store.Store.repair_frame` (no words, no topics,
no writer's private anything): the couple's repairs together, whoever noted them. All couples
rupture; repairing early, gently and often is a strength, and the words say so.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reflect.analytics.phrases import times_words
from reflect.domain.months import last_months, month_start, parse_month

#: A repair within this many days of the rupture counts as soon.
SOON_DAYS = 2


def month_counts(frame: pd.DataFrame, month: str, months: int = 12) -> list[dict[str, Any]]:
    """The last ``months`` months up to ``month``: each one's short name and how many repairs."""
    counts = frame["month"].value_counts() if not frame.empty else pd.Series(dtype=int)
    return [{"month": m, "label": month_start(m).strftime("%b"), "count": int(counts.get(m, 0))}
            for m in last_months(parse_month(month), months)]


def _after(d: int) -> str:
    return "the same day" if d == 0 else "the next day" if d == 1 else f"{d} days after the rupture"


def _soon_words(days: pd.Series) -> str:
    """How soon this month's repairs came: ``the next day``, ``both the same day``, ``one the same
    day and one the next``, ``all of them within 2 days``."""
    values = sorted(int(d) for d in days)
    n = len(values)
    if n == 1:
        return _after(values[0])
    if len(set(values)) == 1:
        return f"{'both' if n == 2 else 'all of them'} {_after(values[0])}"
    if n == 2:
        return f"one {_after(values[0])} and one {_after(values[1])}"
    soon = sum(d <= SOON_DAYS for d in values)
    return f"all of them within {SOON_DAYS} days" if soon == n else f"{soon} of them within {SOON_DAYS} days"


def _usually(days: pd.Series) -> str:
    """How soon repairs came over months: "usually" only when most of three or more did."""
    values = [int(d) for d in days]
    n = len(values)
    if n < 3:
        return _soon_words(days)
    for d in (0, 1):
        if values.count(d) * 2 > n:
            return f"usually {_after(d)}"
    soon = sum(d <= SOON_DAYS for d in values)
    return f"all within {SOON_DAYS} days" if soon == n else f"{soon} of them within {SOON_DAYS} days"


def words(frame: pd.DataFrame, month: str, months: int = 12) -> list[str]:
    """Warm sentences about the repairs of ``month`` and of the ``months`` before it (empty when no
    repair was ever noted)."""
    month = parse_month(month)
    shown = last_months(month, months)
    window = frame[frame["month"].isin(shown)] if not frame.empty else frame
    if frame.empty or window.empty:
        return []
    here = window[window["month"] == month]
    lines = []
    if len(here):
        n = len(here)
        lines.append(f"You repaired {times_words(n)} this month, {_soon_words(here['days'])}. Coming back to "
                     "each other after a rupture is a strength.")
    else:
        lines.append("No repair was noted this month.")
    total = len(window)
    lines.append(f"Over the last {months} months: {total} repair{'s' if total != 1 else ''}, "
                 f"{_usually(window['days'])}.")
    return lines
