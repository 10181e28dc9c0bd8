"""Repairs, counted warmly: how often they happened and how soon, never what they said.

Everything here works on :meth:`~reflect.storage.store.Store.repair_frame` (no words, no topics,
no writer's private anything): the couple's repairs together, whoever noted them. All couples
rupture; repairing early, gently and often is a strength, and the words say so.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reflect.domain.months import last_months, month_start, parse_month

#: A repair within this many days of the rupture counts as soon.
SOON_DAYS = 2


def month_counts(frame: pd.DataFrame, month: str, months: int = 12) -> list[dict[str, Any]]:
    """The last ``months`` months up to ``month``: each one's short name and how many repairs."""
    counts = frame["month"].value_counts() if not frame.empty else pd.Series(dtype=int)
    return [{"month": m, "label": month_start(m).strftime("%b"), "count": int(counts.get(m, 0))}
            for m in last_months(parse_month(month), months)]


def _soon_words(days: pd.Series) -> str:
    soon = int((days <= SOON_DAYS).sum())
    same_day = int((days == 0).sum())
    n = len(days)
    if n == 1:
        d = int(days.iloc[0])
        return "the same day" if d == 0 else "the next day" if d == 1 else f"{d} days after the rupture"
    if same_day == n:
        return "all of them the same day"
    if soon == n:
        return f"all of them within {SOON_DAYS} days"
    return f"{soon} of them within {SOON_DAYS} days"


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
        times = "once" if n == 1 else "twice" if n == 2 else f"{n} times"
        lines.append(f"You repaired {times} this month, {_soon_words(here['days'])}. Coming back to each other "
                     "after a rupture is a strength, not a sign of trouble.")
    else:
        lines.append("No repair was noted this month.")
    total = len(window)
    median = float(window["days"].median())
    when = ("usually the same day" if median == 0 else "usually the next day" if median <= 1
            else f"usually within {median:.0f} days")
    lines.append(f"Over the last {months} months: {total} repair{'s' if total != 1 else ''}, {when}.")
    return lines
