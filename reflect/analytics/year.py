"""Your year: the short story of the last twelve months that the letter tells near its top.

What grew (each person's intimacy index then and now, and the biggest single rise), what you came
through (a stretch out of balance now behind you, the life events of the year) and what each of
you most often wished for more of. Every number is one the monthly table holds, and every gap is
worked out from the numbers as printed (:func:`reflect.analytics.phrases.gap`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from reflect.analytics import analysis
from reflect.analytics.phrases import and_list, dimension_words, gap, month_words, number_words, score
from reflect.domain.dimensions import KEYS
from reflect.domain.lifeevents import KINDS
from reflect.domain.months import add_months, last_months, month_start

#: A stretch out of balance of at least this many months, now over, is something you came through.
CAME_THROUGH_MONTHS = 3
#: How the letter names a stretch out of balance.
STRETCH_WORDS = {
    analysis.HIGH_PASSION: "high passion with less closeness",
    analysis.HIGH_INTIMACY: "closeness with less passion",
}


def _when(first: str, last: str) -> str:
    if first == last:
        return month_words(first)
    if first[:4] == last[:4]:
        return f"{month_start(first):%B} to {month_words(last)}"
    return f"{month_words(first)} to {month_words(last)}"


def _grew(table: pd.DataFrame, month: str, people: Sequence[str]) -> list[str]:
    before = add_months(month, -12)
    now = table[table["month"] == month].set_index("person")
    then = table[table["month"] == before].set_index("person")
    both = [p for p in people if p in now.index and p in then.index]
    if not both:
        return []
    if len(both) == 1:
        out = [f"Since {month_words(before)}, {both[0]}'s intimacy index went from "
               f"{score(then.loc[both[0], 'intimacy_index'])} to {score(now.loc[both[0], 'intimacy_index'])}."]
    else:
        out = [f"Since {month_words(before)}, your intimacy indexes went from " + and_list(
            f"{score(then.loc[p, 'intimacy_index'])} to {score(now.loc[p, 'intimacy_index'])} ({p})" for p in both
        ) + "."]
    rises = sorted(((gap(now.loc[p, k], then.loc[p, k]), -KEYS.index(k), p, k) for p in both for k in KEYS),
                   reverse=True)
    size, _, who, key = rises[0]
    if size >= 1.0:
        out.append(f"The biggest rise: {who}'s {dimension_words(key)}, up {score(size)} on a year ago.")
    return out


def _came_through(table: pd.DataFrame, events: pd.DataFrame, month: str, people: Sequence[str]) -> list[str]:
    months = last_months(month, 12)
    out = []
    behind: dict[str, list[str]] = {}
    for person in people:
        stretches = analysis.balance_stretches(table, person, months)
        now = stretches[-1][0] if stretches and stretches[-1][2] == month else None
        for kind, first, last in stretches:
            length = len([m for m in months if first <= m <= last])
            if kind != analysis.BALANCED and kind != now and last < month and length >= CAME_THROUGH_MONTHS:
                behind.setdefault(kind, []).append(f"{number_words(length)} months for {person}, "
                                                   f"{_when(first, last)}")
    for kind, spans in behind.items():
        out.append(f"You came through a stretch of {STRETCH_WORDS[kind]} ({'; '.join(spans)}): it is behind "
                   "you now.")
    if events is not None and not events.empty:
        named = [(f"\u201c{e.words}\u201d" if e.kind == "other" else KINDS[str(e.kind)][0]) + f" in "
                 f"{month_words(str(e.month))}" for e in events[events["month"].isin(months)].itertuples()]
        if named:
            out.append(f"The year held {and_list(named)}.")
    return out


def _wished(table: pd.DataFrame, month: str, people: Sequence[str]) -> list[str]:
    months = last_months(month, 12)
    most = {p: analysis.wished_most(table, p, months) for p in people}
    most = {p: w for p, w in most.items() if w and w[0][1] >= 2}  # "most often" needs more than one month
    if not most:
        return []
    tops = {p: w[0] for p, w in most.items()}
    if len(tops) == 2 and len({k for k, _ in tops.values()}) == 1:
        key = next(iter(tops.values()))[0]
        counts = and_list(f"{p} in {n} month{'s' if n != 1 else ''}" for p, (_, n) in tops.items())
        return [f"What you both most often wished for more of: {dimension_words(key)} ({counts})."]
    return [f"{p} most often wished for more {dimension_words(k)} ({n} month{'s' if n != 1 else ''})."
            for p, (k, n) in tops.items()]


def story(table: pd.DataFrame, events: pd.DataFrame | None, month: str, people: Sequence[str]) -> list[str]:
    """A few sentences on the last twelve months up to ``month`` for ``people`` (``table``: the
    monthly table): what grew, what you came through, what you most often wished for. A couple with
    less than a year of reflections hears about the months they have."""
    mine = table[table["person"].isin(list(people)) & (table["month"] <= month)]
    months = sorted(set(mine["month"]))
    if len(months) <= 1:
        return ["This is your first month with Reflect: from next month on, this letter can show how things move."]
    out = _grew(mine, month, people)
    if not out:
        first = months[0]
        n = len(months)
        now = mine[mine["month"] == month].set_index("person")
        then = mine[mine["month"] == first].set_index("person")
        both = [p for p in people if p in now.index and p in then.index]
        moves = and_list(f"{score(then.loc[p, 'intimacy_index'])} to {score(now.loc[p, 'intimacy_index'])}"
                         + (f" ({p})" if len(both) > 1 else "") for p in both)
        lead = f"In your {number_words(n)} months with Reflect, since {month_words(first)}"
        out = [f"{lead}, {'your intimacy indexes' if len(both) > 1 else 'the intimacy index'} went from {moves}."
               if both else f"{lead}."]
    return out + _came_through(mine, events if events is not None else pd.DataFrame(), month, people) + _wished(
        mine, month, people)
