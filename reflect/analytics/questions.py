"""How the question of the week went in a month, for the letter: never a word of any answer.

>>> import pandas as pd
>>> frame = pd.DataFrame({"person": ["Robin", "Sam", "Robin"],
...                       "week": pd.to_datetime(["2026-11-02", "2026-11-02", "2026-11-09"])})
>>> weeks_answered(frame, "2026-11", people=["Robin", "Sam"], today=dt.date(2026, 12, 6))
(1, 5)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reflect.domain.months import add_months, month_start, parse_month

if TYPE_CHECKING:
    import pandas as pd


def month_weeks(month: str, *, today: dt.date | None = None) -> list[dt.date]:
    """The Mondays of ``month`` that have come (a week belongs to the month its Monday is in)."""
    first = month_start(parse_month(month))
    end = min(month_start(add_months(month, 1)), (today or dt.date.today()) + dt.timedelta(days=1))
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    out = []
    while monday < end:
        out.append(monday)
        monday += dt.timedelta(days=7)
    return out


def weeks_answered(store_or_frame: Any, month: str, *, people: Iterable[str] | None = None,
                   today: dt.date | None = None) -> tuple[int, int]:
    """(the weeks of ``month`` that both of you answered the week's question, the weeks of the month so
    far). ``store_or_frame`` is a store (its :meth:`answer_frame`, which holds no words) or such a frame
    (columns ``person`` and ``week``). ``people``: the couple (default: everyone in the store, or in the
    frame); a person on their own "both" answers the weeks they answered."""
    month = parse_month(month)
    if hasattr(store_or_frame, "answer_frame"):
        frame: pd.DataFrame = store_or_frame.answer_frame()
        names = list(people) if people is not None else store_or_frame.people()
    else:
        frame = store_or_frame
        names = list(people) if people is not None else sorted(set(frame["person"]))
    weeks = month_weeks(month, today=today)
    if not names or frame.empty:
        return 0, len(weeks)
    answered: dict[dt.date, set[str]] = {}
    for person, week in zip(frame["person"], frame["week"], strict=True):
        answered.setdefault(week.date() if hasattr(week, "date") else week, set()).add(person)
    both = sum(1 for w in weeks if set(names) <= answered.get(w, set()))
    return both, len(weeks)
