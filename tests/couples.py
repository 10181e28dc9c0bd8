"""Generated couples: check-ins, rituals and agreements whose scores drift the way real ones do,
with the practices and the scores independent unless an effect is planted. A helper module (no
tests here), for the tests of the links between practices and scores and for letters of many
generated couples.

One call makes one couple, deterministically from its ``seed``::

    c = couple(seed=3, shape="random-walk", months=24)                  # nothing links to anything
    c = couple(seed=3, shape="steps", effect=Effect("phone-free", "emotional", 2.0))  # one planted link
    rhythm.associations(c.checkins, c.rituals, c.kinds, until=c.last_month)
    agreements.links(c.checkins, c.agreements, until=c.last_month)

The frames are shaped as the store gives them: ``checkins`` as :meth:`Store.frame` (two people, one
monthly check-in each a month, the six scores rounded to whole points between 1 and 10, no desired
levels), ``rituals`` as :meth:`Store.ritual_frame` and ``agreements`` as
:meth:`Store.agreement_frame` (one agreement a month, answered by both). ``kinds`` is the default
catalogue, as :meth:`Store.ritual_kinds` gives it to a couple who added none.

**Shapes.** The scores drift in one of :data:`DRIFTS` (the couple's shape), the same way for both
people, with a part shared by every dimension and a part of each dimension's own:

- ``steady``: no drift, only each month's noise;
- ``random-walk``: each month moves a little from the last (steps of 0.25 to 0.5 points);
- ``trend``: a straight line, up or down, 1.5 to 4 points over the whole history;
- ``steps``: one to three regime shifts (a new job, a move) of 1 to 2.5 points, at random months;
- ``seasonal``: a yearly wave of 0.7 to 1.5 points either side.

Each practice (every ritual kind, and the agreements) is kept month by month in one of
:data:`PATTERNS`, drawn for each one (or given): ``random`` (each month on its own, kept in 30 to
70% of months), ``runs`` (kept or not for a few months at a time), ``stop-restart`` (kept for a long
stretch, dropped for one, taken up again) and ``growing`` (kept more and more often, as in the
demo). ``half`` (a random half of the months, as in the planted-effect tests) is never drawn, only
asked for. :data:`SHAPES` names the drifts; ``shape="mixed"`` draws one of them from the seed.

**A planted effect** (:class:`Effect`) adds ``points`` to one dimension in the months after (``lag``
0: the same month) those in which one practice (a ritual kind, or ``"agreements"``) was kept. The
months each practice was kept are in ``Couple.kept``, the truth the analysis is judged against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reflect.domain.dimensions import DESIRED_KEYS, KEYS
from reflect.domain.months import add_months
from reflect.domain.rituals import DEFAULT_BY_KEY, RitualKind

#: How the scores drift, one per couple.
DRIFTS = ("steady", "random-walk", "trend", "steps", "seasonal")
#: How a practice is kept month by month, one drawn for each practice.
PATTERNS = ("random", "runs", "stop-restart", "growing")
#: A pattern never drawn, only asked for (as for the planted effects): a random half of the months.
HALF = "half"
#: The shapes a couple can be asked for: each drift, and "mixed" (a drift drawn from the seed).
SHAPES = (*DRIFTS, "mixed")
#: The ritual kinds a generated couple logs (a daily, a weekly and a monthly one).
RITUAL_KINDS = ("hug", "phone-free", "special-evening")
PEOPLE = ("Ana", "Ben")


@dataclass(frozen=True)
class Effect:
    """A real link: keeping ``practice`` (a ritual kind or ``"agreements"``) adds ``points`` to
    ``key`` (a dimension) ``lag`` months later (0: the same month), for both people."""

    practice: str = "phone-free"
    key: str = "emotional"
    points: float = 2.0
    lag: int = 0


@dataclass(frozen=True)
class Couple:
    """One generated couple: the frames the analyses take, and the truth behind them."""

    seed: int
    shape: str
    months: list[str]
    checkins: pd.DataFrame
    rituals: pd.DataFrame
    agreements: pd.DataFrame
    kinds: dict[str, RitualKind]
    #: Each practice (ritual kind, "agreements") -> (its pattern, which months it was kept).
    kept: dict[str, tuple[str, np.ndarray]] = field(default_factory=dict)
    effect: Effect | None = None

    @property
    def last_month(self) -> str:
        return self.months[-1]


def drift(rng: np.random.Generator, shape: str, months: int) -> np.ndarray:
    """A drift of ``shape`` over ``months`` (points, starting near 0)."""
    t = np.arange(months, dtype=float)
    if shape == "steady":
        return np.zeros(months)
    if shape == "random-walk":
        return np.concatenate([[0.0], np.cumsum(rng.normal(0, rng.uniform(0.25, 0.5), months - 1))])
    if shape == "trend":
        return rng.choice([-1, 1]) * rng.uniform(1.5, 4.0) * t / max(1, months - 1)
    if shape == "steps":
        out = np.zeros(months)
        for at in rng.choice(np.arange(2, months - 1), size=rng.integers(1, 4), replace=False):
            out[at:] += rng.choice([-1, 1]) * rng.uniform(1.0, 2.5)
        return out
    if shape == "seasonal":
        return rng.uniform(0.7, 1.5) * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 2 * np.pi))
    raise ValueError(f"unknown drift {shape!r} (one of {', '.join(DRIFTS)})")


def kept_months(rng: np.random.Generator, pattern: str, months: int) -> np.ndarray:
    """Which of ``months`` months a practice kept in ``pattern`` (a boolean array)."""
    if pattern == "random":
        return rng.random(months) < rng.uniform(0.3, 0.7)
    if pattern == "half":
        return np.isin(np.arange(months), rng.choice(months, size=months // 2, replace=False))
    if pattern == "runs":
        stay = rng.uniform(0.75, 0.9)
        out = np.empty(months, dtype=bool)
        out[0] = rng.random() < 0.5
        flips = rng.random(months) > stay
        for i in range(1, months):
            out[i] = out[i - 1] != flips[i]
        return out
    if pattern == "stop-restart":
        cuts = np.sort(rng.choice(np.arange(3, months - 2), size=2, replace=False))
        out = np.ones(months, dtype=bool)
        out[cuts[0]:cuts[1]] = False
        return out if rng.random() < 0.5 else ~out
    if pattern == "growing":
        return rng.random(months) < np.linspace(0.15, 0.85, months)
    raise ValueError(f"unknown pattern {pattern!r} (one of {', '.join((*PATTERNS, HALF))})")


def couple(
    seed: int,
    shape: str = "mixed",
    months: int = 24,
    *,
    effect: Effect | None = None,
    patterns: dict[str, str] | None = None,
    noise: float = 1.0,
    start: str = "2024-11",
    kinds: tuple[str, ...] = RITUAL_KINDS,
) -> Couple:
    """A couple of ``shape`` (see :data:`SHAPES`) over ``months`` months from ``start``, made from
    ``seed``; ``patterns`` fixes how each practice is kept (by default drawn from the seed),
    ``noise`` is each score's month-to-month scatter (points, one person), ``effect`` plants a link,
    ``kinds`` are the ritual kinds logged (keys of the default catalogue)."""
    rng = np.random.default_rng([seed, SHAPES.index(shape) if shape in SHAPES else 99, months])
    if shape == "mixed":
        shape = str(rng.choice(DRIFTS))
    elif shape not in DRIFTS:
        raise ValueError(f"unknown shape {shape!r} (one of {', '.join(SHAPES)})")
    unknown = [k for k in kinds if k not in DEFAULT_BY_KEY]
    if unknown or (effect is not None and effect.practice not in (*kinds, "agreements")):
        raise ValueError(f"unknown ritual kind or practice: {unknown or effect}")
    names = [add_months(start, i) for i in range(months)]
    firsts = pd.to_datetime([m + "-01" for m in names])
    practices = (*kinds, "agreements")
    kept = {}
    for p in practices:
        pattern = (patterns or {}).get(p) or str(rng.choice(PATTERNS))
        kept[p] = (pattern, kept_months(rng, pattern, months))

    # scores: a base per dimension, the couple's drift (shared and per dimension), each one's noise
    common = drift(rng, shape, months)
    level = {k: rng.uniform(5.0, 7.5) + 0.7 * common + 0.7 * drift(rng, shape, months) for k in KEYS}
    if effect is not None:
        lifted = kept[effect.practice][1].astype(float)
        level[effect.key] = level[effect.key] + effect.points * np.concatenate(
            [np.zeros(effect.lag), lifted[: months - effect.lag]])
    frames = []
    for person in PEOPLE:
        scores = {k: np.clip(np.round(level[k] + rng.normal(0, noise, months)), 1, 10) for k in KEYS}
        frames.append(pd.DataFrame({"person": person, "cadence": "monthly", "date": firsts, "month": names,
                                    **scores, **{d: np.nan for d in DESIRED_KEYS}}))
    checkins = pd.concat(frames).sort_values(["date", "person"], kind="stable", ignore_index=True)

    rituals = _rituals(rng, kinds, kept, firsts)
    agreements = _agreements(rng, kept["agreements"][1], names)
    return Couple(seed=seed, shape=shape, months=names, checkins=checkins, rituals=rituals, agreements=agreements,
                  kinds=dict(DEFAULT_BY_KEY), kept=kept, effect=effect)


def _rituals(rng: np.random.Generator, kinds: tuple[str, ...], kept: dict[str, tuple[str, np.ndarray]],
             firsts: pd.DatetimeIndex) -> pd.DataFrame:
    """The ritual log: a daily kind on most days of a kept month (90%) and some of the others' (40%);
    a weekly kind in every week of a kept month (now and then one fewer, still at least three in
    four) and in none or one of the others; a monthly kind once in a kept month."""
    days = pd.date_range(firsts[0], firsts[-1] + pd.offsets.MonthEnd(0), freq="D")
    month_of_day = np.searchsorted(firsts.values, days.values, side="right") - 1
    parts = []
    for kind in kinds:
        cadence = DEFAULT_BY_KEY[kind].cadence
        on = kept[kind][1]
        if cadence == "daily":
            chosen = days[rng.random(len(days)) < np.where(on[month_of_day], 0.9, 0.4)]
        elif cadence == "weekly":
            # on the Monday of each ISO week that starts in the month (the weeks the month counts)
            mondays = days[(days.day_of_week == 0)]
            owner = np.searchsorted(firsts.values, mondays.values, side="right") - 1
            rank = pd.Series(np.arange(len(mondays))).groupby(owner).cumcount().to_numpy()
            size = pd.Series(owner).map(pd.Series(owner).value_counts()).to_numpy()
            allowed = np.where(on[owner], size - (rng.random(len(size)) < 0.3),
                               rng.integers(0, 2, len(size)))
            chosen = mondays[rank < allowed]
        else:
            chosen = firsts[on] + pd.to_timedelta(rng.integers(0, 28, int(on.sum())), unit="D")
        parts.append(pd.DataFrame({"day": chosen, "person": "", "kind": kind, "cadence": cadence}))
    df = pd.concat(parts, ignore_index=True).sort_values(["day", "kind"], ignore_index=True)
    df.insert(1, "month", df["day"].dt.strftime("%Y-%m"))
    df.insert(2, "week", df["day"] - pd.to_timedelta(df["day"].dt.day_of_week, unit="D"))
    return df[["day", "month", "week", "person", "kind", "cadence"]]


def _agreements(rng: np.random.Generator, on: np.ndarray, names: list[str]) -> pd.DataFrame:
    """One agreement a month, both answering: a kept month has two yeses or a yes and a partly;
    another has a partly and a not yet, or two not yets."""
    rows = []
    for month, kept in zip(names, on, strict=True):
        if kept:
            answers = ("yes", "yes") if rng.random() < 0.6 else ("yes", "partly")
        else:
            answers = ("partly", "not yet") if rng.random() < 0.5 else ("not yet", "not yet")
        for person, answer in zip(PEOPLE, answers, strict=True):
            rows.append((month, 1, "A phone-free evening every week", "emotional", "phone-free", person, answer))
    return pd.DataFrame(rows, columns=["month", "number", "text", "dimension", "ritual", "person", "answer"])


def claimed_links(c: Couple, *, until: str | None = None) -> pd.DataFrame:
    """Every link a letter at ``until`` (default: the couple's last month) would claim, of rituals
    and of agreements, over the couple's whole history: ``practice, key, lag, effect, ci_low,
    ci_high`` (empty when the letter claims none)."""
    from reflect.analytics import agreements, rhythm

    until = until or c.last_month
    rituals = rhythm.associations(c.checkins, c.rituals, c.kinds, until=until)
    kept = agreements.links(c.checkins, c.agreements, until=until).assign(kind="agreements")
    both = pd.concat([rituals[rituals["significant"].astype(bool)], kept[kept["significant"].astype(bool)]])
    cols = ["practice", "key", "lag", "effect", "ci_low", "ci_high"]
    return both.rename(columns={"kind": "practice"}).reindex(columns=cols).reset_index(drop=True)
