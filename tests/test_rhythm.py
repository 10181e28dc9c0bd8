"""The rhythm figures, and rituals against scores on crafted data with a known effect and with none."""

import datetime as dt
import random

import numpy as np
import pytest

from reflect.analytics import rhythm
from reflect.domain.checkin import CheckIn, add_months
from reflect.domain.dimensions import KEYS
from reflect.domain.rituals import Ritual
from reflect.storage.store import Store


def ritual_frame(*rituals, store=None):
    s = store or Store(":memory:")
    s.log_rituals(rituals)
    return s.ritual_frame(), s.ritual_kinds()


def test_rhythm_counts_against_each_cadence():
    rituals = [Ritual.create(day=f"2026-10-{d:02d}", kind="hug") for d in (1, 2, 2, 3)]  # day 2 twice: once
    rituals = [r for i, r in enumerate(rituals) if i != 2]
    rituals += [Ritual.create(day="2026-10-02", kind="hug", person="Sam")]  # same day, other person: still 1 day
    rituals += [Ritual.create(day=f"2026-10-{d:02d}", kind="phone-free") for d in (4, 11, 12, 25)]
    rituals += [Ritual.create(day="2026-10-20", kind="special-evening")]
    df, kinds = ritual_frame(*rituals)
    table = rhythm.rhythm_table(df, kinds, "2026-10", months=2).set_index(["kind", "month"])
    assert tuple(table.loc[("hug", "2026-10"), ["done", "expected"]]) == (3, 31)
    # Oct 2026: ISO weeks starting in it: Mondays 5, 12, 19, 26; rituals fall in weeks of Sep 28, Oct 5, Oct 12, Oct 19
    assert tuple(table.loc[("phone-free", "2026-10"), ["done", "expected"]]) == (4, 4)
    assert table.loc[("phone-free", "2026-10"), "kept"]
    assert tuple(table.loc[("special-evening", "2026-10"), ["done", "expected", "share"]]) == (1, 1, 1.0)
    assert table.loc[("hug", "2026-09"), "done"] == 0 and not table.loc[("hug", "2026-09"), "kept"]
    assert rhythm.expected_in_month("weekly", "2026-11") == 5  # Mondays 2, 9, 16, 23, 30
    assert rhythm.expected_in_month("daily", "2024-02") == 29


def test_streaks_in_the_cadence_units():
    days = [dt.date(2026, 10, 1) + dt.timedelta(days=i) for i in (0, 1, 2, 5, 6, 7, 8)]
    rituals = [Ritual.create(day=d, kind="hug") for d in days]
    rituals += [Ritual.create(day=d, kind="phone-free") for d in ("2026-09-20", "2026-09-27", "2026-10-04")]
    df, kinds = ritual_frame(*rituals)
    s = rhythm.streaks(df, kinds, dt.date(2026, 10, 10)).set_index("kind")
    assert (s.loc["hug", "current"], s.loc["hug", "longest"]) == (4, 4)  # not yet today: the streak goes on
    assert (s.loc["phone-free", "current"], s.loc["phone-free", "longest"], s.loc["phone-free", "unit"]) == (
        3, 3, "week")
    finished = rhythm.streaks(df, kinds, dt.date(2026, 10, 10), ongoing=False).set_index("kind")
    assert finished.loc["hug", "current"] == 0
    assert rhythm.streaks(df, kinds, dt.date(2026, 10, 20)).set_index("kind").loc["hug", "current"] == 0


def couple_with_rituals(effect: float, seed: int, months: int = 24, weekly_kept=None):
    """Two people, monthly check-ins with noise; a weekly ritual kept in a random half of the months,
    which adds ``effect`` points to emotional intimacy in those months."""
    rng = random.Random(seed)
    store = Store(":memory:")
    start = "2024-11"
    kept = weekly_kept if weekly_kept is not None else set(rng.sample(range(months), months // 2))
    for i in range(months):
        month = add_months(start, i)
        first = dt.date.fromisoformat(month + "-01")
        for person in ("Ana", "Ben"):
            scores = {k: min(10, max(1, round(6 + rng.gauss(0, 1.0) + (effect if (k == "emotional" and i in kept)
                                                                    else 0)))) for k in KEYS}
            store.save(CheckIn.create(person=person, date=first, scores=scores))
        mondays = [first + dt.timedelta(days=d) for d in range(28) if (first + dt.timedelta(days=d)).weekday() == 0]
        n = 4 if i in kept else rng.randint(0, 1)
        store.log_rituals([Ritual.create(day=d, kind="phone-free") for d in mondays[:n]]
                          + [Ritual.create(day=first + dt.timedelta(days=d), kind="hug")
                             for d in range(28) if rng.random() < 0.5])
    return store


def test_a_real_effect_is_found_with_its_size():
    store = couple_with_rituals(effect=2.0, seed=3)
    assoc = rhythm.associations(store.frame(), store.ritual_frame(), store.ritual_kinds(), seed=1)
    row = assoc[(assoc.kind == "phone-free") & (assoc.key == "emotional") & (assoc.lag == 0)].iloc[0]
    assert row.enough and row.significant
    assert row.n_with == 12 and row.n_without == 12
    assert 1.0 < row.effect < 3.0 and row.ci_low > 0 and row.rho > 0.4 and row.p_value < 0.01
    # the hug, logged at random, goes with nothing
    assert not assoc[assoc.kind == "hug"].significant.any()
    words = rhythm.findings(assoc, store.ritual_kinds())
    assert words[0].startswith("In months when a phone-free ritual happened in at least three weeks out of four, "
                               "emotional intimacy averaged")
    assert words[-1] == "These are patterns in your own data, not proof that one causes the other."


@pytest.mark.parametrize("seed", range(6))
def test_no_effect_reports_nothing(seed):
    store = couple_with_rituals(effect=0.0, seed=100 + seed)
    assoc = rhythm.associations(store.frame(), store.ritual_frame(), store.ritual_kinds(), seed=seed)
    assert assoc.enough.any()
    assert not assoc.significant.any()
    assert rhythm.findings(assoc, store.ritual_kinds()) == [
        "So far no ritual goes clearly with higher or lower scores: any differences are within what chance alone "
        "would give."]


def test_thin_data_says_nothing_but_how_much_is_needed():
    store = couple_with_rituals(effect=3.0, seed=5, months=8, weekly_kept={0, 1, 2, 3})
    assoc = rhythm.associations(store.frame(), store.ritual_frame(), store.ritual_kinds())
    assert not assoc.enough.any() and not assoc.significant.any()
    assert np.isnan(assoc.p_value).all()
    [line] = rhythm.findings(assoc, store.ritual_kinds())
    assert "needs at least 6 months with a ritual kept and 6 without" in line


def test_lag_one_compares_with_the_next_month():
    # the ritual is kept in even months, and emotional intimacy is high in the month *after*
    rng = random.Random(2)
    store = Store(":memory:")
    for i in range(24):
        month = add_months("2024-11", i)
        first = dt.date.fromisoformat(month + "-01")
        after_kept = i > 0 and (i - 1) % 2 == 0
        for person in ("Ana", "Ben"):
            scores = {k: 6 for k in KEYS}
            scores["emotional"] = 8 if after_kept else 5
            scores["passion"] = 6 + rng.choice((-1, 0, 1))
            store.save(CheckIn.create(person=person, date=first, scores=scores))
        if i % 2 == 0:
            store.log_rituals([Ritual.create(day=first, kind="special-evening")])
    assoc = rhythm.associations(store.frame(), store.ritual_frame(), store.ritual_kinds())
    rows = assoc[(assoc.kind == "special-evening") & (assoc.key == "emotional")].set_index("lag")
    assert rows.loc[1, "significant"] and rows.loc[1, "effect"] == pytest.approx(3.0)
    assert rows.loc[0, "effect"] < 0
    assert any("In the month after one in which a special evening happened that month" in s
               for s in rhythm.findings(assoc, store.ritual_kinds()))


def test_weekly_periods_use_weekly_and_daily_checkins():
    store = Store(":memory:")
    rng = random.Random(4)
    monday = dt.date(2026, 1, 5)
    for w in range(30):
        week = monday + dt.timedelta(days=7 * w)
        kept = w % 2 == 0
        for person in ("Ana", "Ben"):
            scores = {k: 6 + rng.choice((0, 1)) for k in KEYS}
            scores["physical"] = 8 if kept else 5
            store.save(CheckIn.create(person=person, date=week, cadence="weekly", scores=scores))
        if kept:
            store.log_rituals([Ritual.create(day=week + dt.timedelta(days=2), kind="phone-free")])
    assoc = rhythm.associations(store.frame(), store.ritual_frame(), store.ritual_kinds(), period="week")
    row = assoc[(assoc.kind == "phone-free") & (assoc.key == "physical") & (assoc.lag == 0)].iloc[0]
    assert row.period == "week" and row.n_with == 15 and row.significant
    assert "In weeks when a phone-free ritual happened that week" in rhythm.findings(assoc, store.ritual_kinds())[0]


def test_the_demo_shows_its_phone_free_effect():
    from reflect.storage.demo import fill

    with Store(":memory:") as store:
        fill(store, end="2026-10")
        assoc = rhythm.associations(store.frame(), store.ritual_frame(), store.ritual_kinds())
    found = assoc[assoc.significant]
    assert set(found.kind) == {"phone-free"}
    assert "emotional" in set(found.key)
