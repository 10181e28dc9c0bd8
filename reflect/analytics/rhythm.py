"""The 3x3 rhythm: how rituals were kept, and whether keeping them goes with higher scores.

Per month, each kind of ritual is counted against its own cadence (a daily ritual against the
days of the month, a weekly one against the ISO weeks that start in it, a monthly one against 1)
and shown kindly: a share, never a grade. Streaks count the cadence's own units.

:func:`associations` asks, for each ritual kind and dimension, whether the periods (months, or
ISO weeks where weekly or daily check-ins exist) in which the ritual was **kept** (at least
:data:`KEPT_SHARE` of its rhythm) show higher scores than the others, in the same period and in
the next one (lag 1). The effect is the difference of the couple's mean scores, in points, with
a bootstrap 95% interval; the confidence measure is Spearman's rank correlation between how
often the ritual happened and the score, with a permutation p-value, adjusted for the number of
questions asked at once (Benjamini-Hochberg). Nothing is said where data is thin: at least
:data:`MIN_PERIODS` periods with and :data:`MIN_PERIODS` without the ritual. Findings describe
patterns in a couple's own data, never causes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from reflect.analytics import analysis
from reflect.analytics.phrases import dimension_words, score
from reflect.domain.dimensions import KEYS, label
from reflect.domain.months import add_months, days_in, last_months, month_start, parse_month
from reflect.domain.rituals import RitualKind

#: A period "kept" a ritual when it happened at least this share of its rhythm.
KEPT_SHARE = 0.75
#: Say nothing about a ritual and a dimension with fewer periods than this with, or without, it.
MIN_PERIODS = 6
#: The false discovery rate (Benjamini-Hochberg) under which a link is reported.
ALPHA = 0.05
#: Resamples for the permutation p-value and the bootstrap interval.
RESAMPLES = 2000
#: An effect smaller than this many points is not worth a sentence, however sure.
MIN_EFFECT = 0.5

_SCORE_KEYS = (*KEYS, "intimacy_index")


def expected_in_month(cadence: str, month: str) -> int:
    """How many times a ritual of ``cadence`` fits in ``month`` (weeks: ISO weeks starting in it)."""
    if cadence == "monthly":
        return 1
    days = days_in(month)
    if cadence == "daily":
        return days
    first_monday = (7 - month_start(month).weekday()) % 7
    return len(range(first_monday, days, 7))


def _units(rituals: pd.DataFrame, cadence: str) -> pd.Series:
    """The cadence unit each ritual falls in: its day, its ISO week's Monday, or its month."""
    if cadence == "daily":
        return rituals["day"]
    if cadence == "weekly":
        return rituals["week"]
    return rituals["month"]


def rhythm_table(
    rituals: pd.DataFrame, kinds: Mapping[str, RitualKind], month: str | None = None, months: int = 12
) -> pd.DataFrame:
    """Each kind's rhythm, month by month, over the ``months`` up to ``month`` (default: the latest).

    One row per kind and month: ``kind``, ``label``, ``cadence``, ``month``, ``done`` (distinct
    days, weeks or months with the ritual, whoever logged it), ``expected``, ``share`` (capped at
    1) and ``kept`` (share at least :data:`KEPT_SHARE`). Kinds never logged are left out.
    """
    cols = ["kind", "label", "cadence", "month", "done", "expected", "share", "kept"]
    if rituals.empty:
        return pd.DataFrame(columns=cols)
    month = parse_month(month) if month else str(rituals["month"].max())
    shown = last_months(month, months)
    rows = []
    for kind, part in rituals.groupby("kind", sort=False):
        info = kinds.get(str(kind))
        if info is None:
            continue
        units = part.assign(unit=_units(part, info.cadence))
        for m in shown:
            done = int(units.loc[units["month"] == m, "unit"].nunique())
            expected = expected_in_month(info.cadence, m)
            share = min(1.0, done / expected) if expected else 0.0
            rows.append({"kind": info.key, "label": info.label, "cadence": info.cadence, "month": m, "done": done,
                         "expected": expected, "share": share, "kept": share >= KEPT_SHARE - 1e-9})
    order = {k: i for i, k in enumerate(kinds)}
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["month", "kind"], key=lambda s: s.map(order) if s.name == "kind" else s,
                           ignore_index=True)


def streaks(
    rituals: pd.DataFrame, kinds: Mapping[str, RitualKind], until: dt.date, *, ongoing: bool = True
) -> pd.DataFrame:
    """For each kind logged: the current streak (in days, weeks or months, up to ``until``) and
    the longest streak. The unit holding ``until`` counts if done; while it is ``ongoing`` (today,
    say) not having done it yet does not break the streak, but a finished period does."""
    rows = []
    for kind, part in rituals.groupby("kind", sort=False):
        info = kinds.get(str(kind))
        if info is None:
            continue
        units = sorted(set(pd.to_datetime(_units(part, info.cadence) if info.cadence != "monthly"
                                          else part["month"] + "-01").dt.date))
        step = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7)}.get(info.cadence)

        def previous(u: dt.date, step: dt.timedelta | None = step) -> dt.date:
            return u - step if step else month_start(add_months(f"{u:%Y-%m}", -1))

        if info.cadence == "daily":
            current_unit = until
        elif info.cadence == "weekly":
            current_unit = until - dt.timedelta(days=until.weekday())
        else:
            current_unit = until.replace(day=1)
        done = set(units)
        probe = current_unit if current_unit in done or not ongoing else previous(current_unit)
        current = 0
        while probe in done:
            current += 1
            probe = previous(probe)
        longest, run, last = 0, 0, None
        for u in units:
            run = run + 1 if last is not None and previous(u) == last else 1
            longest, last = max(longest, run), u
        unit = {"daily": "day", "weekly": "week", "monthly": "month"}[info.cadence]
        rows.append({"kind": info.key, "label": info.label, "cadence": info.cadence, "unit": unit,
                     "current": current, "longest": longest})
    return pd.DataFrame(rows, columns=["kind", "label", "cadence", "unit", "current", "longest"])


def month_in_words(rituals: pd.DataFrame, kinds: Mapping[str, RitualKind], month: str) -> str:
    """``"An appreciation: 19 of 31 days; A phone-free ritual: 3 of 4 weeks; ..."`` for ``month``."""
    units = {"daily": "days", "weekly": "weeks"}
    lines = []
    for r in rhythm_table(rituals, kinds, month, 1).itertuples():
        if r.cadence == "monthly":
            lines.append(f"{r.label}: {'yes' if r.done else 'not this month'}")
        else:
            lines.append(f"{r.label}: {r.done} of {r.expected} {units[r.cadence]}")
    return "; ".join(lines)


def streaks_in_words(
    rituals: pd.DataFrame, kinds: Mapping[str, RitualKind], month: str, *, today: dt.date | None = None
) -> str | None:
    """``"Going strong: a long hug, 4 days in a row; ..."`` at the end of ``month`` (or today, while
    the month is still going on); ``None`` when no streak is 2 or more."""
    today = today or dt.date.today()
    end = month_start(add_months(month, 1)) - dt.timedelta(days=1)
    going = streaks(rituals, kinds, min(today, end), ongoing=end >= today)
    going = going[going["current"] >= 2]
    if going.empty:
        return None
    return "Going strong: " + "; ".join(f"{r.label.lower()}, {r.current} {r.unit}s in a row"
                                        for r in going.itertuples()) + "."


# -- rituals against scores ----------------------------------------------------------------------


def _period_scores(checkins: pd.DataFrame, period: str) -> pd.DataFrame:
    """The couple's mean scores per period (index: the period's start)."""
    if period == "month":
        table = analysis.monthly_table(checkins)
        per = table.groupby("date")[list(_SCORE_KEYS)].mean()
        return per
    frequent = checkins[checkins["cadence"].isin(["weekly", "daily"])].copy()
    if frequent.empty:
        return pd.DataFrame(columns=list(_SCORE_KEYS))
    frequent["week"] = frequent["date"] - pd.to_timedelta(frequent["date"].dt.day_of_week, unit="D")
    person_week = frequent.groupby(["person", "week"])[list(KEYS)].mean()
    person_week["intimacy_index"] = person_week[list(KEYS[1:])].mean(axis=1)
    return person_week.groupby("week").mean()


def _period_counts(rituals: pd.DataFrame, info: RitualKind, period: str, starts: pd.DatetimeIndex) -> pd.DataFrame:
    part = rituals[rituals["kind"] == info.key]
    units = part.assign(unit=_units(part, info.cadence))
    key = pd.to_datetime(part["month"] + "-01") if period == "month" else part["week"]
    done = units.assign(period=key.values).groupby("period")["unit"].nunique()
    done = done.reindex(starts, fill_value=0)
    if period == "month":
        expected = pd.Series([expected_in_month(info.cadence, f"{s:%Y-%m}") for s in starts], index=starts)
    else:
        expected = pd.Series({"daily": 7, "weekly": 1}.get(info.cadence, 0), index=starts)
    share = (done / expected.replace(0, np.nan)).clip(upper=1.0)
    return pd.DataFrame({"done": done, "share": share})


def _ranks(x: np.ndarray) -> np.ndarray:
    return pd.Series(x).rank().to_numpy()


def _spearman_with_p(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    rx, ry = _ranks(x), _ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denom = np.sqrt((rx**2).sum() * (ry**2).sum())
    if denom == 0:
        return float("nan"), 1.0
    rho = float((rx * ry).sum() / denom)
    shuffled = rng.permuted(np.tile(ry, (RESAMPLES, 1)), axis=1)
    null = shuffled @ rx / denom
    p = (np.count_nonzero(np.abs(null) >= abs(rho) - 1e-12) + 1) / (RESAMPLES + 1)
    return rho, float(p)


def _bootstrap_interval(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    ia = rng.integers(0, len(a), size=(RESAMPLES, len(a)))
    ib = rng.integers(0, len(b), size=(RESAMPLES, len(b)))
    diffs = a[ia].mean(axis=1) - b[ib].mean(axis=1)
    low, high = np.percentile(diffs, [2.5, 97.5])
    return float(low), float(high)


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """The Benjamini-Hochberg adjusted p-values (q-values) of ``p``."""
    n = len(p)
    if n == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out


def associations(
    checkins: pd.DataFrame,
    rituals: pd.DataFrame,
    kinds: Mapping[str, RitualKind],
    *,
    period: str = "month",
    until: str | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """For each ritual kind, dimension (and the intimacy index) and lag (0: same period, 1: the
    next one), whether periods that kept the ritual show higher scores.

    Columns: ``kind, key, dimension, lag, period, n_with, n_without, mean_with, mean_without,
    effect, ci_low, ci_high, rho, p_value, q_value, enough, significant``. Periods count from the
    first logged ritual (before it, rituals were not being tracked); ``until`` (a month) ends
    them. The result is deterministic for a given ``seed``.
    """
    cols = ["kind", "key", "dimension", "lag", "period", "n_with", "n_without", "mean_with", "mean_without",
            "effect", "ci_low", "ci_high", "rho", "p_value", "q_value", "enough", "significant"]
    if period not in ("month", "week"):
        raise ValueError("period is 'month' or 'week'")
    if rituals.empty or checkins.empty:
        return pd.DataFrame(columns=cols)
    if until:
        end = pd.Timestamp(month_start(add_months(parse_month(until), 1)))
        checkins = checkins[checkins["date"] < end]
        rituals = rituals[rituals["day"] < end]
    scores = _period_scores(checkins, period)
    first = rituals["day"].min()
    first = first.replace(day=1) if period == "month" else first - pd.Timedelta(days=first.weekday())
    scores = scores[scores.index >= first]
    if scores.empty:
        return pd.DataFrame(columns=cols)
    freq = "MS" if period == "month" else "W-MON"
    starts = pd.date_range(first, scores.index.max(), freq=freq)
    rng = np.random.default_rng(seed)
    rows = []
    for info in kinds.values():
        if info.key not in set(rituals["kind"]) or (period == "week" and info.cadence == "monthly"):
            continue
        counts = _period_counts(rituals, info, period, starts)
        for lag in (0, 1):
            # the ritual in period t against the score in period t + lag
            shifted = scores.reindex(starts).shift(-lag)
            for key in _SCORE_KEYS:
                y = shifted[key]
                ok = y.notna() & counts["share"].notna()
                x_share, yv, x_done = counts["share"][ok].to_numpy(), y[ok].to_numpy(), counts["done"][ok].to_numpy()
                row: dict[str, Any] = {"kind": info.key, "key": key,
                       "dimension": "Intimacy index" if key == "intimacy_index" else label(key),
                       "lag": lag, "period": period}
                row.update(compare(x_share >= KEPT_SHARE - 1e-9, x_done.astype(float), yv, rng))
                rows.append(row)
    out = pd.DataFrame(rows, columns=[c for c in cols if c not in ("q_value", "significant")])
    return mark_significant(out)[cols]


def compare(kept: np.ndarray, amount: np.ndarray, scores: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    """Periods that kept something (``kept``) against the others, by their ``scores``: how many of
    each (``n_with``, ``n_without``), their means and the ``effect`` (the difference, in points),
    whether there are ``enough`` (:data:`MIN_PERIODS` each) and then the bootstrap 95% interval of
    the effect (``ci_low``, ``ci_high``) and Spearman's ``rho`` between ``amount`` (how much of it
    each period had) and the score, with its permutation ``p_value``. The honesty rules of the
    rituals analysis, for anything kept or not month by month (agreements too)."""
    a, b = scores[kept], scores[~kept]
    row: dict[str, Any] = {"n_with": len(a), "n_without": len(b),
                           "mean_with": float(a.mean()) if len(a) else float("nan"),
                           "mean_without": float(b.mean()) if len(b) else float("nan")}
    row["effect"] = row["mean_with"] - row["mean_without"]
    row["enough"] = len(a) >= MIN_PERIODS and len(b) >= MIN_PERIODS
    if row["enough"]:
        row["rho"], row["p_value"] = _spearman_with_p(amount, scores, rng)
        row["ci_low"], row["ci_high"] = _bootstrap_interval(a, b, rng)
    else:
        row.update(rho=float("nan"), p_value=float("nan"), ci_low=float("nan"), ci_high=float("nan"))
    return row


def mark_significant(out: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`compare` with ``q_value`` (Benjamini-Hochberg over every question asked at once)
    and ``significant``: a link that holds up on every count (q under :data:`ALPHA`, rho and the
    effect the same way, an interval that excludes 0, at least :data:`MIN_EFFECT` points)."""
    out = out.copy()
    out["q_value"] = float("nan")
    if out.empty:
        out["significant"] = pd.Series(dtype=bool)
        return out
    tested = out["enough"] & out["p_value"].notna()
    out.loc[tested, "q_value"] = benjamini_hochberg(out.loc[tested, "p_value"].to_numpy(dtype=float))
    out["significant"] = (
        tested & (out["q_value"] < ALPHA) & (np.sign(out["rho"]) == np.sign(out["effect"]))
        & ((out["ci_low"] > 0) | (out["ci_high"] < 0)) & (out["effect"].abs() >= MIN_EFFECT)
    )
    return out


def _rhythm_words(info: RitualKind, period: str) -> str:
    if period == "week":
        return {"daily": "on at least six days", "weekly": "that week"}.get(info.cadence, "")
    return {"daily": "on at least three days in four", "weekly": "in at least three weeks out of four",
            "monthly": "that month"}[info.cadence]


def findings(assoc: pd.DataFrame, kinds: Mapping[str, RitualKind]) -> list[str]:
    """Plain sentences for the links that hold up, strongest first; one kind line when data is thin
    or nothing holds up. Never a claim of cause."""
    if assoc.empty:
        return []
    unit = "months" if (assoc["period"] == "month").all() else "weeks"
    found = assoc[assoc["significant"]].copy()
    sentences = []
    if not found.empty:
        found["strength"] = found["effect"].abs()
        found = found.sort_values(["strength", "lag"], ascending=[False, True])
        for r in found.head(5).itertuples():
            info = kinds[r.kind]
            what = dimension_words(r.key)
            happened = f"{info.label.lower()} happened {_rhythm_words(info, r.period)}"
            when = (f"In {unit} when {happened}" if r.lag == 0 else
                    f"In the {unit[:-1]} after one in which {happened}")
            direction = "higher" if r.effect > 0 else "lower"
            sentences.append(
                f"{when}, {what} averaged {score(abs(r.effect))} points {direction} "
                f"(likely between {score(abs(r.ci_low if r.effect > 0 else r.ci_high))} and "
                f"{score(abs(r.ci_high if r.effect > 0 else r.ci_low))}; "
                f"{r.n_with} {unit} with, {r.n_without} without)."
            )
        sentences.append("These are patterns in your own data, not proof that one causes the other.")
        return sentences
    enough = assoc[assoc["enough"]]
    if enough.empty:
        most = assoc.sort_values(["n_with", "n_without"], ascending=False).iloc[0]
        kept = int(most.n_with)
        so_far = (f"so far the most is {kept} {unit if kept != 1 else unit[:-1]} with one kept and "
                  f"{int(most.n_without)} without")
        return [f"It is too early to say whether your rituals go with higher scores: that needs at least "
                f"{MIN_PERIODS} {unit} with a ritual kept and {MIN_PERIODS} without ({so_far})."]
    return ["So far no ritual goes clearly with higher or lower scores: any differences are within what "
            "chance alone would give."]
