"""How life is weighing: described for the letter, never counted in the intimacy index.

"How much is life weighing on you?" (stress, sleep, health; 1 to 10) is saved with a check-in and
read here only as the store shows it: a person's own, to them signed in, and a partner's only where
that partner shared it (:meth:`~reflect.storage.store.Store.checkins` leaves the rest out). The
intimacy index (:func:`~reflect.analytics.analysis.monthly_table`) never sees it: the store's frame
has no such column.

What is said here describes, it does not infer: how heavy a month was, whether it was heavier than
the month before, and whether the person's scores were lower than the month before, side by side.
A link between the two is never claimed from one month; over many months the count of months in
which both went that way is given as a count, and only once there are :data:`MIN_MONTHS` of them.

The guides' third imbalance (:func:`closeness_and_weight`): one wants more closeness, the other
more space, with stress or health in the way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from reflect.analytics.analysis import person_month
from reflect.domain.dimensions import INTIMACY_KEYS
from reflect.domain.months import add_months, last_months, parse_month

#: A month weighing this much or more (out of 10) is called heavy.
HEAVY = 7.0
#: Weighing or an index that moves by less than this from one month to the next is "about the same".
STEADY = 0.5
#: Wishes this far above the scores (on average, over the intimacy dimensions wished for) want more closeness.
WANTS_MORE = 1.0
#: Wishes no more than this above the scores count as "at or below" them (ratings are whole numbers).
AT_OR_BELOW = 0.5
#: The fewest wishes (dimensions with a desired level) a month's reading of wishes is made from.
MIN_WISHES = 2
#: The fewest months with both a weighing and scores, each with the month before, before months in
#: which the two went together are even counted.
MIN_MONTHS = 6


def weighing_frame(store: Any) -> pd.DataFrame:
    """How life was weighing, as the store shows it now: ``person``, ``cadence``, ``month``,
    ``weighing``, one row per check-in that holds one."""
    rows = [(c.person, c.cadence, c.month, float(c.weighing)) for c in store.checkins() if c.weighing is not None]
    return pd.DataFrame(rows, columns=["person", "cadence", "month", "weighing"])


def _mean(frame: pd.DataFrame, person: str, month: str) -> float | None:
    mine = frame[(frame["person"] == person) & (frame["month"] == month)]
    return None if mine.empty else float(mine["weighing"].mean())


def _index(checkins: pd.DataFrame, person: str, month: str) -> float | None:
    row = person_month(checkins, person, month)
    if row is None or pd.isna(row["intimacy_index"]):
        return None
    return float(row["intimacy_index"])


def _moved(now: float | None, before: float | None) -> int | None:
    """+1 up, -1 down, 0 about the same, None when either is unknown."""
    if now is None or before is None:
        return None
    if abs(now - before) < STEADY:
        return 0
    return 1 if now > before else -1


def _n(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


@dataclass(frozen=True)
class MonthWeight:
    """How heavy ``month`` was for ``person``, beside their scores (see :func:`month_weight`)."""

    person: str
    month: str
    weighing: float
    previous: float | None  # the month before's, if known
    index: float | None  # the intimacy index this month
    previous_index: float | None
    heavier: int | None  # +1 heavier than the month before, -1 lighter, 0 about the same, None: unknown
    scores: int | None  # +1 index higher than the month before, -1 lower, 0 about the same, None: unknown
    words: str


def month_weight(store: Any, month: str) -> list[MonthWeight]:
    """For each person whose weighing of ``month`` the store shows now (their own, signed in; a
    partner's, where shared): how heavy the month was and, beside it, whether their scores went
    down. Described side by side; nothing here says one caused the other."""
    month = parse_month(month)
    frame = weighing_frame(store)
    checkins = store.frame()
    out = []
    for person in sorted(set(frame.loc[frame["month"] == month, "person"])):
        now = _mean(frame, person, month)
        assert now is not None
        before = _mean(frame, person, add_months(month, -1))
        index, previous_index = _index(checkins, person, month), _index(checkins, person, add_months(month, -1))
        heavier, scores = _moved(now, before), _moved(index, previous_index)
        words = f"Life weighed {_n(now)} of 10 on {person} this month"
        if heavier is not None and before is not None:
            words += {1: f", heavier than the {_n(before)} of the month before",
                      -1: f", lighter than the {_n(before)} of the month before",
                      0: ", about as much as the month before"}[heavier]
        words += " (heavy)." if now >= HEAVY else "."
        if scores is not None and index is not None and previous_index is not None:
            words += {1: f" {person}'s intimacy index rose, from {previous_index:.1f} to {index:.1f}.",
                      -1: f" {person}'s intimacy index went down too, from {previous_index:.1f} to {index:.1f}."
                      if heavier == 1 else
                      f" {person}'s intimacy index went down, from {previous_index:.1f} to {index:.1f}.",
                      0: f" {person}'s intimacy index stayed about the same ({index:.1f})."}[scores]
        out.append(MonthWeight(person, month, now, before, index, previous_index, heavier, scores, words))
    return out


@dataclass(frozen=True)
class TogetherCount:
    """Over the months up to one: in how many both a heavier month and lower scores came together."""

    person: str
    months: int  # months with a weighing and an index, each with the month before's
    heavier_and_lower: int  # of them, heavier than the month before, and the index lower
    heavier: int  # of them, heavier than the month before
    words: str


def went_together(store: Any, person: str, month: str, months: int = 12) -> TogetherCount | None:
    """Over the ``months`` months up to ``month``: how often a heavier month came with lower scores
    for ``person``, as a count; None with fewer than :data:`MIN_MONTHS` months to count from (one
    month, or a few, say nothing about a link). A count, not a cause."""
    frame = weighing_frame(store)
    checkins = store.frame()
    known = heavier = both = 0
    for m in last_months(parse_month(month), months):
        went = _moved(_mean(frame, person, m), _mean(frame, person, add_months(m, -1)))
        scored = _moved(_index(checkins, person, m), _index(checkins, person, add_months(m, -1)))
        if went is None or scored is None:
            continue
        known += 1
        heavier += went == 1
        both += went == 1 and scored == -1
    if known < MIN_MONTHS:
        return None
    words = (f"In {known} months with both known, {person}'s life weighed more than the month before in "
             f"{heavier}; in {both} of those, {person}'s intimacy index was lower too. That is a count, "
             "not a cause: what weighs on a person and how close they feel move for many reasons.")
    return TogetherCount(person, known, both, heavier, words)


@dataclass(frozen=True)
class ClosenessAndWeight:
    """The guides' third imbalance in one month: ``closer`` wants more closeness (wishes above scores)
    while life weighs heavily on ``space``, whose wishes are at or below their scores."""

    month: str
    closer: str
    space: str
    wish_gap: float  # how far ``closer``'s wishes are above their scores, on average
    space_gap: float  # the same for ``space`` (at or below :data:`AT_OR_BELOW`)
    weighing: float  # how life weighed on ``space``
    words: str


def _wish_gap(checkins: pd.DataFrame, person: str, month: str) -> float | None:
    row = person_month(checkins, person, month)
    if row is None:
        return None
    gaps = [float(row[f"desired_{k}"]) - float(row[k]) for k in INTIMACY_KEYS
            if not pd.isna(row[f"desired_{k}"]) and not pd.isna(row[k])]
    return sum(gaps) / len(gaps) if len(gaps) >= MIN_WISHES else None


def closeness_and_weight(store: Any, month: str) -> ClosenessAndWeight | None:
    """One partner wants more closeness while the other wants space, with stress or health in the way:
    one's wishes are at least :data:`WANTS_MORE` above their scores, while the other's weighing is
    heavy (:data:`HEAVY` or more, as the store shows it: shared, or theirs signed in) and their wishes
    are at or below their scores. None when that is not so, or not known (no weighing shown, too few
    wishes, one person)."""
    month = parse_month(month)
    frame = weighing_frame(store)
    checkins = store.frame()
    people = sorted(set(checkins.loc[checkins["month"] == month, "person"])) if not checkins.empty else []
    if len(people) != 2:
        return None
    for closer, space in (people, people[::-1]):
        want, other = _wish_gap(checkins, closer, month), _wish_gap(checkins, space, month)
        weight = _mean(frame, space, month)
        if want is None or other is None or weight is None or math.isnan(weight):
            continue
        if want >= WANTS_MORE and other <= AT_OR_BELOW and weight >= HEAVY:
            words = (f"{closer} would like more closeness than there is, while life is weighing on {space} "
                     f"({_n(weight)} of 10) and {space}'s wishes are at or below how things are. The guides "
                     "call this mismatched needs, with stress or health in the way: talk about each one's "
                     "rhythm without blame, and share the load that weighs.")
            return ClosenessAndWeight(month, closer, space, round(want, 2), round(other, 2), weight, words)
    return None
