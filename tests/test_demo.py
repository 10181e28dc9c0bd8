import pytest

from reflect.domain.dimensions import INTIMACY_KEYS
from reflect.errors import StoreError
from reflect.storage.demo import DEMO_PEOPLE, fill, generate, open_for_viewing
from reflect.storage.store import Store
from reflect.system.paths import resolve_store_path

from .helpers import make_checkin


@pytest.fixture(scope="module")
def demo_frame():
    with Store(":memory:") as s:
        s.save_many(generate(end="2026-10"))
        return s.frame(include_notes=True)


def test_same_seed_same_data_other_seed_other_data():
    assert generate(seed=1, end="2026-10") == generate(seed=1, end="2026-10")
    assert generate(seed=1, end="2026-10") != generate(seed=2, end="2026-10")


def test_at_least_24_months_for_two_partners_with_every_cadence(demo_frame):
    monthly = demo_frame[demo_frame.cadence == "monthly"]
    assert set(demo_frame.person) == set(DEMO_PEOPLE)
    assert monthly.groupby("person").month.nunique().min() >= 24
    assert monthly.month.max() == "2026-10"
    assert {"weekly", "daily"} <= set(demo_frame.cadence)
    assert monthly.desired_passion.notna().mean() > 0.6
    assert demo_frame.note.notna().sum() > 10


def test_the_story_shows_every_imbalance(demo_frame):
    m = demo_frame[demo_frame.cadence == "monthly"].copy()
    m["gap"] = m.passion - m[list(INTIMACY_KEYS)].mean(axis=1)
    assert (m.gap >= 2).sum() >= 4, "high passion, low intimacy"
    assert (m.gap <= -2).sum() >= 4, "high intimacy, low passion"
    assert (m.gap.abs() < 2).sum() >= 20, "balanced most of the time"
    # mismatched needs: the two partners' desired physical closeness 3+ apart in some months
    wide = m.pivot_table(index="month", columns="person", values="desired_physical")
    assert ((wide["Robin"] - wide["Sam"]).abs() >= 3).sum() >= 2
    # unmet needs: someone wanting 3+ more than they have
    assert ((m.desired_emotional - m.emotional) >= 3).sum() >= 2
    # a dip in passion and a recovery
    passion = m.groupby("month").passion.mean()
    assert passion.min() <= 4 and passion.iloc[-6:].mean() >= 7


def test_fill_refuses_a_store_with_real_checkins():
    with Store(":memory:") as s:
        s.save(make_checkin())
        with pytest.raises(StoreError, match="holds check-ins of your own"):
            fill(s)
        assert s.count() == 1


def test_viewing_falls_back_to_the_demo_until_there_is_real_data(home):
    store, is_demo = open_for_viewing()
    assert is_demo and store.path == home / "data" / "demo.db" and store.count() > 100
    store.close()
    with Store(resolve_store_path()) as own:
        own.save(make_checkin())
    store, is_demo = open_for_viewing()
    assert not is_demo and store.path == home / "data" / "reflect.db"
    store.close()


def test_viewing_a_named_store_never_falls_back(home, tmp_path):
    with pytest.raises(StoreError, match="no such store"):
        open_for_viewing(tmp_path / "typo.db")
    assert not (tmp_path / "typo.db").exists()
