import pytest

from reflect.analytics import insights as ins
from reflect.domain.checkin import add_months
from reflect.storage.demo import generate
from reflect.storage.store import Store

from .helpers import make_checkin


def frame(*checkins):
    with Store(":memory:") as s:
        s.save_many(checkins)
        return s.frame()


@pytest.fixture(scope="module")
def demo():
    with Store(":memory:") as s:
        s.save_many(generate(end="2026-10"))
        return s.frame()


def kinds(found):
    return [i.kind for i in found]


def test_high_passion_low_intimacy_with_fitting_suggestions():
    df = frame(make_checkin("Ana", passion=9, emotional=5, physical=6, intellectual=5, experiential=6, spiritual=5))
    [balance] = [i for i in ins.insights(df) if i.kind == "balance"]
    assert balance.text.startswith("Ana: plenty of spark")  # passion 9.0: high enough for the word
    assert 1 <= len(balance.suggestions) <= 2
    assert set(balance.suggestions) <= set(ins.SUGGESTIONS["high_passion_low_intimacy"])


def test_unmet_needs_mismatch_and_seen_differently():
    df = frame(
        make_checkin("Ana", emotional=5, physical=3, desired={"physical": 9}),
        make_checkin("Ben", emotional=9, physical=5, desired={"physical": 5}),
    )
    found = {i.kind: i for i in ins.insights(df)}
    assert "Ana would like more physical intimacy" in found["unmet_needs"].text
    assert "physical: Ana 9.0, Ben 5.0" in found["mismatched_needs"].text
    assert "emotional: Ana 5.0, Ben 9.0" in found["seen_differently"].text
    assert set(found["mismatched_needs"].suggestions) <= set(ins.SUGGESTIONS["mismatched"])


def test_weakest_strongest_change_and_streak():
    df = frame(
        make_checkin("Ana", "2026-08-01", passion=5),
        make_checkin("Ana", "2026-09-01", passion=5),
        make_checkin("Ana", "2026-10-01", passion=8, spiritual=2),
    )
    found = {i.kind: i for i in ins.insights(df, "2026-10")}
    assert "spiritual intimacy scored lowest this month (2.0)" in found["weakest"].text
    assert "passion is where you feel strongest (8.0)" in found["strongest"].text
    assert "Ana's spiritual intimacy, down 3.0 points" in found["change"].text  # a drop outranks a rise
    assert "Ana has reflected 3 months in a row" in found["streak"].text


def test_a_gap_is_welcomed_not_scolded():
    df = frame(make_checkin("Ana", "2026-05-01"), make_checkin("Ana", "2026-10-01", passion=9))
    [streak] = [i for i in ins.insights(df, "2026-10") if i.kind == "streak"]
    assert streak.text.startswith("Welcome back, Ana")


def test_counselling_is_mentioned_only_after_months_low_across_the_board():
    low = dict(passion=3, emotional=4, physical=4, intellectual=5, experiential=4, spiritual=5)
    months = [add_months("2026-08", i) for i in range(3)]
    df = frame(*[make_checkin("Ana", m + "-01", **low) for m in months])
    support = [i for i in ins.insights(df, "2026-10") if i.kind == "support"]
    assert support and "couples counsellor is a sign of strength" in support[0].text
    assert kinds(ins.insights(df, "2026-10"))[0] == "support"
    assert not [i for i in ins.insights(df, "2026-09") if i.kind == "support"]  # only two months yet


def test_no_suggestion_repeats_within_a_month_or_in_two_months_running(demo):
    previous = None
    for month in sorted(demo.month.unique()):
        found = ins.insights(demo, month)
        all_suggestions = [s for i in found for s in i.suggestions]
        assert len(all_suggestions) == len(set(all_suggestions)), month
        by_kind = {(i.kind, i.person): set(i.suggestions) for i in found}
        if previous:
            for key, suggestions in by_kind.items():
                if key in previous and len(suggestions) > 0:
                    pool_size = max(len(p) for p in (*ins.SUGGESTIONS.values(), *ins.DIMENSION_SUGGESTIONS.values()))
                    assert pool_size >= 3
                    assert suggestions != previous[key], (month, key)
        previous = by_kind


def test_conversation_starters_turn_with_the_month():
    a = ins.conversation_starters("emotional", "2026-10")
    b = ins.conversation_starters("emotional", "2026-11")
    assert len(a) == 3 and set(a) <= set(ins.CONVERSATION_STARTERS["emotional"])
    assert a != b


def test_words_never_diagnose(demo):
    banned = ("diagnos", "disorder", "toxic", "failing", "you should", "must ")
    for month in sorted(demo.month.unique()):
        for i in ins.insights(demo, month):
            text = (i.text + " ".join(i.suggestions)).lower()
            assert not any(b in text for b in banned), (month, i.text)
