"""The 3x3 rhythm: how rituals were kept, and whether keeping them goes with higher scores.

Per month, each kind of ritual is counted against its own cadence (a daily ritual against the
days of the month, a weekly one against the ISO weeks that start in it, a monthly one against 1)
and shown kindly: a share, never a grade. Streaks count the cadence's own units.

:func:`associations` asks, for each ritual kind and dimension, whether the periods (months, or
ISO weeks where weekly or daily check-ins exist) in which the ritual was **kept** (at least
:data:`KEPT_SHARE` of its rhythm) show higher scores than the periods around them that did not,
in the same period and in the next one (lag 1). Nothing is said where data is thin: at least
:data:`MIN_PERIODS` periods with and :data:`MIN_PERIODS` without the ritual. Findings describe
patterns in a couple's own data, never causes. The agreements' links
(:mod:`reflect.analytics.agreements`) are asked the same way, through :func:`compare`.

**Links that respect time (issue 19).** Real series come in runs (a ritual kept for a few months,
then dropped) and scores drift (a new job, a move, the seasons). Until December 2026 the test here
treated months as exchangeable (a permutation of months, a bootstrap interval); on generated
couples whose rituals, agreements and scores were independent but drifted (``tests/couples.py``,
24 months, 60 couples a shape) 25% of letters claimed a link: 8% with steady scores, 28% with
random walks, 35% with trends, 37% with steps, 15% with seasonal waves; and the demo's keepsake,
placed at random, came out "1.1 points lower". Now each link is measured in a **model with time
in it** (:func:`with_time`): the score is a slow drift (a line broken every :data:`DRIFT_SPACING`
periods, with a yearly wave once there are :data:`SEASONS_FROM` years of months) plus the effect
in kept periods plus noise, fitted by least squares, so a kept month is compared with the months
around it; Student's t on what is left, widened where placebos (the ritual's own series shifted in
time, keeping its runs) show drift the model missed; and no link that one stretch of months alone
makes. Each family of questions (rituals, agreements) is held to a false discovery rate of
:data:`FAMILY_RATE`. The interval ("likely between") is the same model's 95% interval.

Measured on the same generator (200 couples a shape, every link of every kind, dimension and lag,
rituals and agreements, judged at the last month), letters that claim a link: over 24 months 1.4%
(1.5% steady, 1.5% random walks, 2% trends, 1.5% steps, 0.5% waves), over 36 months 2.3% (at most
3%, steady). A planted link (each partner's scores scatter by 1 point a month; the practice kept in
a random half of the months), 100 couples each: a ritual's is found over 36 months in 94 at 2
points (73 at 1.5, 99 at 2.5), over 24 months in 67 at 2 points (91 at 2.5); an agreement's in 98
and 79; its interval holds the planted value in 90% of those found at 2 points (less where scores
meet the top of the scale). Both questions of the demo's letter (30 months, 11 kinds) take 0.036 s
where they took 0.145 s, 0.09 s where they took 0.34 s over ten years
(``benchmarks/analysis_speed.py``).

Chosen over the alternatives tried on the same couples: surrogates that keep each series'
spectrum (random phases, Ebisuzaki) or circular shifts alone have too little to go on over two or
three years of months (with some sixty questions a letter, a planted 2-point link was found in
under 10% of couples); a comparison with each month's neighbours and Wald intervals claimed links
in half the null letters; the broken line alone (no placebos, yearly wave or stretch check) let
4% through over 24 months, and without the yearly wave 7.5% of letters with seasonal waves claimed
a link over 36 months.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
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
#: The share of letters (at most) that may claim a link by chance. A letter asks two families of
#: questions, the rituals' and the agreements'; each family's links are held to a false discovery
#: rate (Benjamini-Hochberg) of a quarter of it: the two together stay under half of it, and the
#: other half is room for drift the model of time cannot follow (see :func:`with_time`).
ALPHA = 0.05
#: The false discovery rate of each family of questions.
FAMILY_RATE = ALPHA / 4
#: The drift a score may have bends every this many periods (see :func:`with_time`).
DRIFT_SPACING = 4
#: With this many years of monthly periods (30 months), the drift has a yearly wave too; over fewer,
#: the broken line follows a wave well enough (measured), and two more terms would cost more than
#: they give.
SEASONS_FROM = 2.5
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


def _period_shares(
    rituals: pd.DataFrame, kinds: Mapping[str, RitualKind], period: str, starts: pd.DatetimeIndex
) -> pd.DataFrame:
    """How much of its rhythm each kind logged had in each period (index: ``starts``, one column per
    kind, capped at 1; NaN where the period holds none of its units), all kinds at once."""
    present = set(rituals["kind"])
    logged = [info for info in kinds.values() if info.key in present]
    if not logged:
        return pd.DataFrame(index=starts)
    cadence = rituals["kind"].map({info.key: info.cadence for info in logged})
    part = rituals[cadence.notna()]
    cadence = cadence[cadence.notna()]
    month = pd.to_datetime(part["month"] + "-01")
    unit = np.where(cadence == "daily", part["day"], np.where(cadence == "weekly", part["week"], month))
    key = month if period == "month" else part["week"]
    done = (pd.DataFrame({"kind": part["kind"].to_numpy(), "period": key.to_numpy(), "unit": unit})
            .drop_duplicates().groupby(["period", "kind"]).size().unstack("kind")
            .reindex(index=starts, columns=[info.key for info in logged]).fillna(0))
    if period == "month":
        names = [f"{s:%Y-%m}" for s in starts]
        expected = {c: np.array([expected_in_month(c, m) for m in names], dtype=float)
                    for c in ("daily", "weekly", "monthly")}
    else:
        expected = {c: np.full(len(starts), v) for c, v in (("daily", 7.0), ("weekly", 1.0), ("monthly", 0.0))}
    whole = np.column_stack([expected[info.cadence] for info in logged])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(whole > 0, np.minimum(done.to_numpy(dtype=float) / whole, 1.0), np.nan)
    return pd.DataFrame(share, index=starts, columns=done.columns)


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
    next one), whether periods that kept the ritual show higher scores than the periods around
    them (:func:`compare`).

    Columns: ``kind, key, dimension, lag, period, n_with, n_without, mean_with, mean_without,
    effect, ci_low, ci_high, least_effect, rho, p_value, q_value, enough, significant``.
    ``mean_with`` and ``mean_without`` are the plain means; ``effect`` and its interval are
    measured with time in it. Periods count from the first logged ritual (before it, rituals were
    not being tracked); ``until`` (a month) ends them. The same data always gives the same result
    (``seed`` is kept for callers; nothing is drawn at random any more).
    """
    cols = ["kind", "key", "dimension", "lag", "period", "n_with", "n_without", "mean_with", "mean_without",
            "effect", "ci_low", "ci_high", "least_effect", "rho", "p_value", "q_value", "enough", "significant"]
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
    table = scores.reindex(starts)[list(_SCORE_KEYS)]
    dimensions = ["Intimacy index" if key == "intimacy_index" else label(key) for key in _SCORE_KEYS]
    shares = _period_shares(rituals, kinds, period, starts)
    rows = []
    for info in kinds.values():
        if info.key not in shares.columns or (period == "week" and info.cadence == "monthly"):
            continue
        share = shares[info.key]
        for lag in (0, 1):
            # the ritual in period t against the score in period t + lag
            found = compare((share >= KEPT_SHARE - 1e-9).to_numpy(), table.shift(-lag).to_numpy(dtype=float),
                            share.notna().to_numpy(), year=12 if period == "month" else None)
            rows += [{"kind": info.key, "key": key, "dimension": dimension, "lag": lag, "period": period, **row}
                     for key, dimension, row in zip(_SCORE_KEYS, dimensions, found, strict=True)]
    out = pd.DataFrame(rows, columns=[c for c in cols if c not in ("q_value", "significant")])
    return mark_significant(out)[cols]


def _drift_basis(n: int, spacing: int, year: int | None = None) -> np.ndarray:
    """The slow drift a couple's scores may have over ``n`` periods, as columns a least-squares fit
    combines: hat functions ``spacing`` periods apart (any line broken every ``spacing`` periods)
    and, once there are :data:`SEASONS_FROM` years of periods (``year`` periods a year), a yearly wave."""
    knots = np.linspace(0, n - 1, max(2, math.ceil((n - 1) / spacing) + 1))
    width = knots[1] - knots[0]
    t = np.arange(n, dtype=float)[:, None]
    hats = np.clip(1 - np.abs(t - knots[None, :]) / width, 0, None)
    if year is None or n < SEASONS_FROM * year:
        return hats
    angle = 2 * np.pi * t / year
    return np.hstack([hats, np.sin(angle), np.cos(angle)])


def t_tail(t: float, df: int) -> float:
    """Two-sided tail probability of Student's t with ``df`` (whole) degrees of freedom, in closed
    form (Abramowitz and Stegun 26.7.3 and 26.7.4)."""
    if not np.isfinite(t):
        return 0.0 if np.isinf(t) else 1.0
    theta = math.atan(abs(t) / math.sqrt(df))
    c, s = math.cos(theta), math.sin(theta)
    if df % 2:  # odd
        term, total = c, 0.0
        if df > 1:
            total = c
            for k in range(3, df, 2):
                term *= c * c * (k - 1) / k
                total += term
        a = 2 / math.pi * (theta + s * total)
    else:
        term, total = 1.0, 1.0
        for k in range(2, df, 2):
            term *= c * c * (k - 1) / k
            total += term
        a = s * total
    return max(0.0, min(1.0, 1 - a))


@functools.lru_cache(maxsize=256)
def t_quantile(df: int, tail: float = 0.05) -> float:
    """The ``t`` with two-sided tail probability ``tail`` (bisection on :func:`t_tail`)."""
    low, high = 0.0, 1000.0
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if t_tail(mid, df) > tail else (low, mid)
    return (low + high) / 2


def compare(
    kept: np.ndarray, scores: np.ndarray, known: np.ndarray | None = None, *, year: int | None = 12
) -> list[dict[str, Any]]:
    """Periods that kept something against the periods around them that did not, by their scores.

    ``kept`` (one boolean per period) and ``scores`` (one column per score, NaN where there is
    none) run over consecutive periods in time order; ``known`` (default: all) says where ``kept``
    is known. One dict per column of ``scores``: how many periods kept it and how many did not
    (``n_with``, ``n_without``), their plain means, whether there are ``enough`` (at least
    :data:`MIN_PERIODS` each) and then, only then, the ``effect`` in points with its 95% interval
    (``ci_low``, ``ci_high``), ``rho``, the ``p_value`` and ``least_effect``, all of them measured
    with time in it (:func:`with_time`; ``year``: periods in a year, for the yearly wave). The
    honesty rules for anything kept or not period by period (agreements too)."""
    y = np.asarray(scores, dtype=float)
    y = y[:, None] if y.ndim == 1 else y
    k = np.asarray(kept, dtype=bool)
    m = ~np.isnan(y) & (np.ones(len(k), dtype=bool) if known is None else np.asarray(known, dtype=bool))[:, None]
    kk = np.where(m, k[:, None], False)
    n_with, n_without = kk.sum(axis=0), (m & ~kk).sum(axis=0)
    y0 = np.where(m, y, 0.0)
    mean_with = np.divide((y0 * kk).sum(axis=0), n_with, out=np.full(y.shape[1], np.nan), where=n_with > 0)
    mean_without = np.divide((y0 * (m & ~kk)).sum(axis=0), n_without, out=np.full(y.shape[1], np.nan),
                             where=n_without > 0)
    enough = (n_with >= MIN_PERIODS) & (n_without >= MIN_PERIODS)
    effect, ci_low, ci_high, rho, p, least = with_time(k, y, m, year=year)
    rows = []
    for j in range(y.shape[1]):
        row: dict[str, Any] = {"n_with": int(n_with[j]), "n_without": int(n_without[j]),
                               "mean_with": float(mean_with[j]), "mean_without": float(mean_without[j]),
                               "effect": float(effect[j]), "enough": bool(enough[j])}
        if enough[j]:
            row.update(ci_low=float(ci_low[j]), ci_high=float(ci_high[j]), rho=float(rho[j]), p_value=float(p[j]),
                       least_effect=float(least[j]))
        else:
            row.update(rho=float("nan"), p_value=float("nan"), ci_low=float("nan"), ci_high=float("nan"),
                       least_effect=float("nan"))
        rows.append(row)
    return rows


def _without_drift(drift: tuple[int, int, int | None], rows: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, int]:
    """``values`` (at ``rows``) less their least-squares fit by the drift (``n, spacing, year`` of
    :func:`_drift_basis`), and the number of drift terms that fit took."""
    q = _drift_fit(*drift, rows.astype(np.intp).tobytes())
    return values - q @ (q.T @ values), q.shape[1]


@functools.lru_cache(maxsize=64)
def _drift_fit(n: int, spacing: int, year: int | None, rows: bytes) -> np.ndarray:
    """An orthonormal basis of the drift terms at ``rows`` (as bytes, so the fit of one history's
    periods is worked out once for every ritual and score)."""
    part = _drift_basis(n, spacing, year)[np.frombuffer(rows, dtype=np.intp)]
    part = part[:, np.abs(part).sum(axis=0) > 0]
    u, sv, _ = np.linalg.svd(part, full_matrices=False)
    return u[:, sv > 1e-9 * sv.max()] if len(sv) else u[:, :0]


def with_time(
    kept: np.ndarray, scores: np.ndarray, mask: np.ndarray, spacing: int | None = None, year: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The link between ``kept`` and each column of ``scores`` (where ``mask``), in a model with
    time in it: ``(effect, ci_low, ci_high, rho, p_value, least_effect)``, one value per column.
    ``year`` is the number of periods in a year (12 for months; None: no yearly wave).

    1. **Drift.** Each score is a slow drift (:func:`_drift_basis`: any line broken every
       ``spacing`` periods, and a yearly wave) plus the effect in kept periods plus noise. The
       effect is fitted by least squares together with the drift, so a kept period is measured
       against the periods around it, never against another stretch of time. Whatever the
       ritual's own pattern (runs, a stop and a restart, more and more often), it is taken as it
       is: nothing is assumed of it.
    2. **Its spread**, for Student's t on the degrees of freedom left: the model's own, widened
       (never narrowed) when placebos say so. A placebo is the ritual's own series shifted in time
       (circularly, by every shift): it keeps its runs, so when drift the model cannot follow lines
       up with runs by chance, the placebos' effects spread wider than the model expects, and the
       interval and the p-value widen by as much. ``rho`` is the correlation of the two series once
       the drift is taken out.
    3. **No one stretch.** ``least_effect`` is the smallest effect (in the same direction, else 0)
       left when any one stretch of ``spacing`` periods is taken out: a regime shift that happens
       to fall where a ritual was taken up makes a link in one stretch only. Worked out only where
       the p-value could make a claim (under :data:`FAMILY_RATE`); NaN elsewhere.
    """
    spacing = DRIFT_SPACING if spacing is None else spacing
    n, columns = scores.shape
    drift = (n, spacing, year)
    out = np.full((6, columns), np.nan)
    out[4] = 1.0
    for pattern in np.unique(mask, axis=1).T:
        same = np.flatnonzero((mask == pattern[:, None]).all(axis=0))
        rows = np.flatnonzero(pattern)
        if len(rows) < 5:  # a drift, an effect and a spread need more than this
            continue
        k = kept[rows].astype(float)
        shifted = k[(np.arange(len(rows))[:, None] - np.arange(len(rows))[None, :]) % len(rows)]  # column 0: k
        shifted, terms = _without_drift(drift, rows, shifted)
        x, placebo = shifted[:, 0], shifted[:, 1:]
        y, _ = _without_drift(drift, rows, scores[np.ix_(rows, same)])
        df = len(rows) - terms - 1
        sxx = float(x @ x)
        if df < 3 or sxx < 1e-9:
            continue
        effect = (x @ y) / sxx
        residual = y - np.outer(x, effect)
        rss = (residual**2).sum(axis=0)
        se = np.sqrt(rss / df / sxx)
        pxx = (placebo**2).sum(axis=0)
        placebo, pxx = placebo[:, pxx > 1e-9], pxx[pxx > 1e-9]
        if len(pxx):
            fake = (placebo.T @ residual) / pxx[:, None]  # one row per shift
            expected = ((rss[None, :] - fake**2 * pxx[:, None]) / (df - 2) / pxx[:, None]).sum(axis=0)
            ratio = np.divide((fake**2).sum(axis=0), expected, out=np.ones(len(same)), where=expected > 1e-12)
            se = se * np.sqrt(np.maximum(1.0, ratio))
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = (x @ y) / np.sqrt(sxx * (y**2).sum(axis=0))
            p = np.array([t_tail(v, df) for v in effect / se])
        half = t_quantile(df) * se
        out[:5, same] = [effect, effect - half, effect + half, rho, p]
        for i, j in enumerate(same):
            if p[i] < FAMILY_RATE:
                q = _drift_fit(n, spacing, year, rows.astype(np.intp).tobytes())
                out[5, j] = _least_effect(q, rows, k, residual[:, i], effect[i], spacing, drift)
    return out[0], out[1], out[2], out[3], out[4], out[5]


def _least_effect(
    q: np.ndarray, rows: np.ndarray, kept: np.ndarray, residual: np.ndarray, whole: float, spacing: int,
    drift: tuple[int, int, int | None],
) -> float:
    """The smallest effect, in the direction of the ``whole`` one (0 if any turns), when any one
    stretch of ``spacing`` periods is left out (see :func:`with_time`). Each is the whole fit less
    the stretch's part (the deletion formula of least squares: no refit), but where leaving the
    stretch out leaves part of the drift without data, which is fitted again."""
    design = np.column_stack([q, kept])  # the drift's orthonormal terms, then the ritual
    try:
        inverse = np.linalg.inv(design.T @ design)
    except np.linalg.LinAlgError:
        return 0.0
    least = abs(whole)
    for start in range(0, max(1, int(rows.max()) - spacing + 2)):
        out = np.flatnonzero((rows >= start) & (rows < start + spacing))
        if len(out) == 0:
            continue
        part = design[out]
        left = np.eye(len(out)) - part @ inverse @ part.T
        if np.linalg.svd(left, compute_uv=False).min() > 1e-8:
            effect = whole - float((inverse @ part.T @ np.linalg.solve(left, residual[out]))[-1])
        else:
            keep = np.setdiff1d(np.arange(len(rows)), out)
            x, terms = _without_drift(drift, rows[keep], kept[keep])
            if x @ x < 1e-9 or len(keep) - terms < 2:
                return 0.0
            y, _ = _without_drift(drift, rows[keep], residual[keep] + whole * kept[keep])
            effect = float(x @ y / (x @ x))
        if np.sign(effect) != np.sign(whole):
            return 0.0
        least = min(least, abs(effect))
    return math.copysign(least, whole)


def mark_significant(out: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`compare` with ``q_value`` (Benjamini-Hochberg over every question of the family
    asked at once) and ``significant``: a link that holds up on every count (q under
    :data:`FAMILY_RATE`, rho and the effect the same way, an interval that excludes 0, at least
    :data:`MIN_EFFECT` points, and still :data:`MIN_EFFECT` without any one stretch of periods)."""
    out = out.copy()
    if out.empty:
        out["q_value"] = float("nan")
        out["significant"] = pd.Series(dtype=bool)
        return out
    p = out["p_value"].to_numpy(dtype=float)
    tested = out["enough"].to_numpy(dtype=bool) & ~np.isnan(p)
    q = np.full(len(out), np.nan)
    q[tested] = benjamini_hochberg(p[tested])
    effect, low, high = (out[c].to_numpy(dtype=float) for c in ("effect", "ci_low", "ci_high"))
    with np.errstate(invalid="ignore"):
        out["q_value"] = q
        out["significant"] = (
            tested & (q < FAMILY_RATE) & (np.sign(out["rho"].to_numpy(dtype=float)) == np.sign(effect))
            & ((low > 0) | (high < 0)) & (np.abs(effect) >= MIN_EFFECT)
            & (np.abs(out["least_effect"].to_numpy(dtype=float)) >= MIN_EFFECT)
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
        found["strength"] = found["effect"].abs().round(2)  # equal as shown: the same period first
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
