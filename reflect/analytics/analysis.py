"""What the ratings say, in numbers: monthly figures, balance, unmet needs, partners, trends.

Every function takes pandas DataFrames and returns DataFrames (tidy, long form where a chart
uses it) or plain dicts. The input is :meth:`reflect.storage.store.Store.frame`: the latest check-ins,
one row each, with ``person``, ``cadence``, ``date``, ``month``, the six scores and the six
``desired_*`` levels.

The monthly figures follow one contract (see :func:`month_summary`):

- a dimension's monthly **score** is the mean of that month's check-ins (every cadence, each
  check-in counting once); its **desired** level the mean of the desired levels given;
- the **intimacy index** is the mean of the five intimacy dimensions' monthly scores;
- **balance** compares passion with the intimacy index (:data:`BALANCE_GAP`);
- **unmet needs** are dimensions whose desired level exceeds the score by :data:`UNMET_GAP`;
- **change** is a score minus the same person's score in the previous calendar month;
- for a month with exactly two people: **mismatched needs** (desired levels :data:`MISMATCH_GAP`
  apart) and **seen differently** (scores :data:`SEEN_DIFFERENTLY_GAP` apart).

Thresholds compare unrounded values (with a tolerance of 1e-9 for floating point, so that a gap
of exactly 3.0 counts as 3.0); output is rounded to 2 decimals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from reflect.analytics import phrases
from reflect.domain.dimensions import DESIRED_KEYS, INTIMACY_KEYS, KEYS, label
from reflect.domain.months import add_months, days_in, month_start, parse_month
from reflect.errors import NoData

#: Passion minus the intimacy index at or above this is "high passion, low intimacy";
#: at or below its negative, "high intimacy, low passion".
BALANCE_GAP = 2.0
#: A desired level this far above the score is an unmet need.
UNMET_GAP = 3.0
#: Two partners' desired levels this far apart are a mismatch of needs.
MISMATCH_GAP = 3.0
#: Two partners' scores this far apart: they see that dimension differently.
SEEN_DIFFERENTLY_GAP = 3.0
#: The 6-month trend reading ignores moves smaller than this many points (or the person's own
#: month-to-month noise, if that is larger).
MIN_TREND_MOVE = 1.0
#: Months in the trend window, and the fewest months with check-ins a trend is read from (fewer,
#: and a line through them says more about one odd month than about a direction).
TREND_MONTHS = 6
MIN_TREND_POINTS = 4
#: The reading when the window has fewer than :data:`MIN_TREND_POINTS` months with check-ins.
TOO_EARLY = "too early to say"

_EPS = 1e-9

BALANCED = "balanced"
HIGH_PASSION = "high_passion_low_intimacy"
HIGH_INTIMACY = "high_intimacy_low_passion"
#: How each balance reads in a sentence (the report, the explorer, the balance chart's legend).
BALANCE_WORDS = {
    BALANCED: "in balance",
    HIGH_PASSION: "high passion, low intimacy",
    HIGH_INTIMACY: "high intimacy, low passion",
}


@dataclass(frozen=True)
class Thresholds:
    """The thresholds of the monthly figures; pass your own to override any of them."""

    balance: float = BALANCE_GAP
    unmet: float = UNMET_GAP
    mismatch: float = MISMATCH_GAP
    seen_differently: float = SEEN_DIFFERENTLY_GAP


DEFAULT_THRESHOLDS = Thresholds()


def at_least(value: float, threshold: float) -> bool:
    return value is not None and not math.isnan(value) and value >= threshold - _EPS


def classify_balance(gap: float, threshold: float = BALANCE_GAP) -> str:
    """``balanced``, ``high_passion_low_intimacy`` or ``high_intimacy_low_passion``."""
    if at_least(gap, threshold):
        return HIGH_PASSION
    if at_least(-gap, threshold):
        return HIGH_INTIMACY
    return BALANCED


def _r(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return round(float(value) + 0.0, 2)


# -- the monthly table ---------------------------------------------------------------------------


#: The monthly tables made last (a few: the report, its findings and its figures ask for the same ones).
_TABLES: dict[tuple[bytes, Thresholds], pd.DataFrame] = {}
_TABLES_KEPT = 16


def monthly_table(checkins: pd.DataFrame, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> pd.DataFrame:
    """One row per person and month with check-ins: every monthly figure, unrounded.

    Columns: ``person``, ``month``, ``date`` (the month's first day), ``checkins``, the six
    scores, the six ``desired_*``, ``intimacy_index``, ``passion_gap`` (passion minus the index),
    ``balance``, ``unmet_needs`` (a tuple of keys, in dimension order), and ``change_<key>`` for
    each of the six (NaN where the previous calendar month has no check-in).

    The same check-ins give the same table: a table made from them a moment ago (found by a hash of
    the columns it reads) is handed out again, as a copy of its own.
    """
    try:
        key = (pd.util.hash_pandas_object(checkins[["person", "month", *KEYS, *DESIRED_KEYS]], index=False)
               .to_numpy().tobytes(), thresholds)
    except (KeyError, TypeError):
        return _monthly_table(checkins, thresholds)
    made = _TABLES.pop(key, None)
    if made is None:
        made = _monthly_table(checkins, thresholds)
    _TABLES[key] = made  # the most recent last
    while len(_TABLES) > _TABLES_KEPT:
        del _TABLES[next(iter(_TABLES))]
    return made.copy()


def _monthly_table(checkins: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    cols = ["person", "month", "date", "checkins", *KEYS, *DESIRED_KEYS, "intimacy_index", "passion_gap",
            "balance", "unmet_needs", *(f"change_{k}" for k in KEYS)]
    if checkins.empty:
        return pd.DataFrame(columns=cols)
    grouped = checkins.groupby(["person", "month"], sort=True)
    table = grouped[[*KEYS, *DESIRED_KEYS]].mean()
    table.insert(0, "checkins", grouped.size())
    table = table.reset_index()
    table.insert(2, "date", pd.to_datetime(table["month"] + "-01"))
    table["intimacy_index"] = table[list(INTIMACY_KEYS)].mean(axis=1)
    table["passion_gap"] = table["passion"] - table["intimacy_index"]
    table["balance"] = [classify_balance(g, thresholds.balance) for g in table["passion_gap"]]
    gaps = table[list(DESIRED_KEYS)].to_numpy() - table[list(KEYS)].to_numpy()
    table["unmet_needs"] = [
        tuple(k for k, gap in zip(KEYS, row, strict=True) if at_least(gap, thresholds.unmet)) for row in gaps
    ]
    previous = table[["person", "month", *KEYS]].copy()
    previous["month"] = [add_months(m, 1) for m in previous["month"]]
    merged = table[["person", "month"]].merge(previous, on=["person", "month"], how="left")
    for k in KEYS:
        table[f"change_{k}"] = table[k].to_numpy() - merged[k].to_numpy()
    return table[cols]


def person_month(checkins: pd.DataFrame, person: str, month: str) -> pd.Series | None:
    """``person``'s row of :func:`monthly_table` for ``month`` (None without check-ins): the one
    definition of a month's figures, for the report, ``reflect summary`` and the form's glance."""
    mine = checkins[(checkins["person"] == person) & (checkins["month"] == month)]
    if mine.empty:
        return None
    return monthly_table(mine).iloc[0]


def long_scores(table: pd.DataFrame, *, desired: bool = True) -> pd.DataFrame:
    """The monthly table in long form: ``person, month, date, key, dimension, kind, value``.

    ``kind`` is ``score`` or ``desired``; ``dimension`` is the label people read.
    """
    frames = []
    score = table.melt(id_vars=["person", "month", "date"], value_vars=list(KEYS), var_name="key", value_name="value")
    score["kind"] = "score"
    frames.append(score)
    if desired:
        want = table.melt(
            id_vars=["person", "month", "date"], value_vars=list(DESIRED_KEYS), var_name="key", value_name="value"
        )
        want["key"] = want["key"].str.removeprefix("desired_")
        want["kind"] = "desired"
        frames.append(want)
    out = pd.concat(frames, ignore_index=True)
    out["dimension"] = out["key"].map(label)
    out["order"] = out["key"].map({k: i for i, k in enumerate(KEYS)})
    return out.sort_values(["person", "date", "order", "kind"], ignore_index=True)[
        ["person", "month", "date", "key", "dimension", "kind", "value"]
    ]


def rolling_mean(table: pd.DataFrame, window: int = 3) -> pd.DataFrame:
    """Each person's monthly scores (six dimensions and the intimacy index), with the mean of the
    last ``window`` calendar months (months without check-ins are skipped, not counted as zero).

    Long form: ``person, month, date, key, dimension, score, rolling``.
    """
    keys = [*KEYS, "intimacy_index"]
    rows = []
    for person, part in table.groupby("person", sort=True):
        series = part.set_index("date")[keys].sort_index()
        full = series.asfreq("MS")  # calendar months, gaps as NaN
        rolled = full.rolling(window, min_periods=1).mean().loc[series.index]
        for key in keys:
            rows.append(
                pd.DataFrame(
                    {"person": person, "date": series.index, "key": key, "score": series[key].to_numpy(),
                     "rolling": rolled[key].to_numpy()}
                )
            )
    if not rows:
        return pd.DataFrame(columns=["person", "month", "date", "key", "dimension", "score", "rolling"])
    out = pd.concat(rows, ignore_index=True)
    out["month"] = out["date"].dt.strftime("%Y-%m")
    out["dimension"] = out["key"].map(lambda k: "Intimacy index" if k == "intimacy_index" else label(k))
    return out[["person", "month", "date", "key", "dimension", "score", "rolling"]]


# -- one month -----------------------------------------------------------------------------------


def latest_month(checkins: pd.DataFrame) -> str:
    if checkins.empty:
        raise NoData("there are no check-ins yet")
    return str(checkins["month"].max())


def month_summary(
    checkins: pd.DataFrame, month: str | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> dict[str, Any]:
    """The monthly figures of one month, as the JSON contract of ``reflect summary`` has them.

    ``month`` defaults to the latest month with data. A month with no check-ins raises
    :class:`~reflect.errors.NoData`; a malformed month raises
    :class:`~reflect.errors.ValidationError`.
    """
    month = parse_month(month) if month is not None else latest_month(checkins)
    table = monthly_table(checkins[checkins["month"].isin([month, add_months(month, -1)])], thresholds)
    rows = table[table["month"] == month]
    if rows.empty:
        raise NoData(f"there are no check-ins in {month}")
    people: dict[str, Any] = {}
    for row in rows.itertuples(index=False):
        r = row._asdict()
        people[r["person"]] = {
            "checkins": int(r["checkins"]),
            "scores": {k: _r(r[k]) for k in KEYS},
            "desired": {k: _r(r[f"desired_{k}"]) for k in KEYS},
            "intimacy_index": _r(r["intimacy_index"]),
            "balance": r["balance"],
            "unmet_needs": list(r["unmet_needs"]),
            "change": {k: _r(r[f"change_{k}"]) for k in KEYS},
        }
    return {"month": month, "people": people, "partners": partners(rows, thresholds)}


def partners(month_rows: pd.DataFrame, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> dict[str, list[str]] | None:
    """Where two partners differ in one month (``None`` unless exactly two people)."""
    if len(month_rows) != 2:
        return None
    a, b = (month_rows.iloc[i] for i in range(2))
    mismatched = [
        k for k in KEYS
        if not pd.isna(a[f"desired_{k}"]) and not pd.isna(b[f"desired_{k}"])
        and at_least(abs(a[f"desired_{k}"] - b[f"desired_{k}"]), thresholds.mismatch)
    ]
    seen = [k for k in KEYS if at_least(abs(a[k] - b[k]), thresholds.seen_differently)]
    return {"mismatched_needs": mismatched, "seen_differently": seen}


def summary_text(summary: dict[str, Any]) -> str:
    """The monthly figures as a few readable lines (``reflect summary --format text``)."""
    lines = [f"{month_start(summary['month']).strftime('%B %Y')}"]
    names = {HIGH_PASSION: "high passion, low intimacy", HIGH_INTIMACY: "high intimacy, low passion",
             BALANCED: "balanced"}
    for person, p in summary["people"].items():
        lines.append("")
        lines.append(f"{person} ({p['checkins']} check-in{'s' if p['checkins'] != 1 else ''})")
        for k in KEYS:
            score = p["scores"][k]
            want = p["desired"][k]
            change = p["change"][k]
            bits = [f"  {label(k):<13}{phrases.score(score):>5}"]
            bits.append(f"  would like {phrases.score(want)}" if want is not None else "")
            bits.append(f"  ({phrases.signed(change)} since last month)" if change is not None else "")
            lines.append("".join(bits).rstrip())
        index = phrases.score(p["intimacy_index"])
        lines.append(f"  {'Intimacy index':<13}{index:>5}   balance: {names[p['balance']]}")
        if p["unmet_needs"]:
            lines.append("  Unmet needs: " + ", ".join(label(k) for k in p["unmet_needs"]))
    if summary["partners"] is not None:
        lines.append("")
        mm = summary["partners"]["mismatched_needs"]
        sd = summary["partners"]["seen_differently"]
        lines.append("Mismatched needs: " + (", ".join(label(k) for k in mm) if mm else "none"))
        lines.append("Seen differently: " + (", ".join(label(k) for k in sd) if sd else "none"))
    return "\n".join(lines)


# -- beyond the month ----------------------------------------------------------------------------


def trend(table: pd.DataFrame, month: str | None = None, months: int = TREND_MONTHS) -> pd.DataFrame:
    """Each person's trend over the ``months`` months ending with ``month`` (default: the latest).

    One row per person and key (six dimensions and the intimacy index): ``slope`` in points per
    month (least squares over the months with data, at least :data:`MIN_TREND_POINTS` of them),
    ``move`` (the slope over the window's span), ``noise`` (the typical month-to-month change in
    the person's whole history for that key) and ``reading``: ``rising`` or ``falling`` when the
    move is larger than both the noise and :data:`MIN_TREND_MOVE`, else ``steady``;
    :data:`TOO_EARLY` when there is not enough data.
    """
    cols = ["person", "key", "dimension", "months", "slope", "move", "noise", "reading"]
    if table.empty:
        return pd.DataFrame(columns=cols)
    month = parse_month(month) if month else str(table["month"].max())
    end = month_start(month)
    start = month_start(add_months(month, -(months - 1)))
    keys = [*KEYS, "intimacy_index"]
    rows = []
    for person, part in table.groupby("person", sort=True):
        part = part.sort_values("date")
        window = part[(part["date"] >= pd.Timestamp(start)) & (part["date"] <= pd.Timestamp(end))]
        x = (window["date"].dt.year * 12 + window["date"].dt.month).to_numpy(dtype=float)
        full = part.set_index("date")[keys].asfreq("MS")
        for key in keys:
            diffs = full[key].diff().dropna().abs()
            noise = float(diffs.median()) if len(diffs) >= 2 else float("nan")
            y = window[key].to_numpy(dtype=float)
            if len(y) >= MIN_TREND_POINTS and np.ptp(x) > 0:
                slope = float(np.polyfit(x, y, 1)[0])
                move = slope * (months - 1)
                bar = max(MIN_TREND_MOVE, noise if not math.isnan(noise) else 0.0)
                reading = "steady" if abs(move) < bar else ("rising" if move > 0 else "falling")
            else:
                slope, move, reading = float("nan"), float("nan"), TOO_EARLY
            rows.append(
                {"person": person, "key": key,
                 "dimension": "Intimacy index" if key == "intimacy_index" else label(key),
                 "months": len(y), "slope": slope, "move": move, "noise": noise, "reading": reading}
            )
    return pd.DataFrame(rows, columns=cols)


def _expected(cadence: str, month: str) -> int:
    start, days = month_start(month), days_in(month)
    if cadence == "monthly":
        return 1
    if cadence == "daily":
        return days
    # ISO weeks whose Monday falls in this month
    first_monday = (7 - start.weekday()) % 7
    return len(range(first_monday, days, 7))


def consistency(checkins: pd.DataFrame, month: str | None = None, months: int = 12) -> pd.DataFrame:
    """How each person kept their rhythm, month by month, over the ``months`` up to ``month``.

    The rhythms a person keeps are the cadences they have used. One row per person, cadence and
    month (from the person's first check-in of that cadence): ``done`` check-ins against
    ``expected`` ones (1 a month; the ISO weeks starting in the month; its days), ``share``
    (capped at 1), and ``streak``: for the monthly rhythm, how many months in a row up to that one
    had a check-in of any cadence. A missed month is a gap, not a failure: shares are reported,
    never a score.
    """
    cols = ["person", "cadence", "month", "done", "expected", "share", "streak"]
    if checkins.empty:
        return pd.DataFrame(columns=cols)
    month = parse_month(month) if month else str(checkins["month"].max())
    first_shown = add_months(month, -(months - 1))
    counts = checkins.groupby(["person", "cadence", "month"]).size()
    any_month = set(zip(checkins["person"], checkins["month"], strict=True))
    rows = []
    for (person, cadence), part in counts.groupby(level=[0, 1]):
        begin = max(part.index.get_level_values(2).min(), first_shown)
        m = begin
        while m <= month:
            done = int(part.get((person, cadence, m), 0))
            expected = _expected(str(cadence), m)
            streak = 0
            if cadence == "monthly":
                probe = m
                while (person, probe) in any_month:
                    streak += 1
                    probe = add_months(probe, -1)
            rows.append({"person": person, "cadence": cadence, "month": m, "done": done, "expected": expected,
                         "share": min(1.0, done / expected), "streak": streak})
            m = add_months(m, 1)
    return pd.DataFrame(rows, columns=cols)


def streak(checkins: pd.DataFrame, person: str, month: str) -> int:
    """How many months in a row, up to and including ``month``, ``person`` checked in."""
    months = set(checkins.loc[checkins["person"] == person, "month"])
    n, probe = 0, parse_month(month)
    while probe in months:
        n += 1
        probe = add_months(probe, -1)
    return n


def last_year(table: pd.DataFrame, month: str) -> pd.DataFrame:
    """This month against the same month a year before, per person who has both.

    Long form: ``person, key, dimension, this_month, last_year, difference`` (six dimensions and
    the intimacy index). Empty when nobody has both months.
    """
    month = parse_month(month)
    before = add_months(month, -12)
    keys = [*KEYS, "intimacy_index"]
    now = table[table["month"] == month].set_index("person")
    then = table[table["month"] == before].set_index("person")
    rows = []
    for person in sorted(set(now.index) & set(then.index)):
        for key in keys:
            a, b = float(now.at[person, key]), float(then.at[person, key])
            rows.append({"person": person, "key": key,
                         "dimension": "Intimacy index" if key == "intimacy_index" else label(key),
                         "this_month": a, "last_year": b, "difference": a - b})
    return pd.DataFrame(rows, columns=["person", "key", "dimension", "this_month", "last_year", "difference"])


def balance_stretches(table: pd.DataFrame, person: str, months: Sequence[str]) -> list[tuple[str, str, str]]:
    """``(balance, first month, last month)`` for each run of months in a row with the same balance."""
    rows = table[(table["person"] == person) & table["month"].isin(list(months))].sort_values("month")
    out: list[tuple[str, str, str]] = []
    for month, balance in zip(rows["month"], rows["balance"], strict=True):
        if out and out[-1][0] == balance and add_months(out[-1][2], 1) == month:
            out[-1] = (balance, out[-1][1], month)
        else:
            out.append((balance, month, month))
    return out


def wished_most(table: pd.DataFrame, person: str, months: Sequence[str]) -> list[tuple[str, int]]:
    """What ``person`` most often wished for more of over ``months``: ``(key, months with that
    unmet need)`` for each dimension wished for at least once, most often first (ties in dimension order)."""
    rows = table[(table["person"] == person) & table["month"].isin(list(months))]
    counts = {k: sum(k in needs for needs in rows["unmet_needs"]) for k in KEYS}
    return [(k, counts[k]) for k in sorted((k for k in KEYS if counts[k]), key=lambda k: (-counts[k], KEYS.index(k)))]
