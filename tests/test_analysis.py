"""The monthly figures against hand-computed values on small crafted data."""

import json

import pandas as pd
import pytest

from reflect.analytics import analysis
from reflect.analytics.analysis import Thresholds, month_summary, monthly_table
from reflect.domain.dimensions import KEYS
from reflect.errors import NoData, ValidationError
from reflect.storage.store import Store

from .helpers import make_checkin


def frame(*checkins):
    """The check-ins as a store's frame: one store per two people (a store is one couple), joined."""
    import pandas as pd

    people = list(dict.fromkeys(c.person for c in checkins))
    parts = []
    for pair in [people[i:i + 2] for i in range(0, len(people), 2)] or [[]]:
        with Store(":memory:") as s:
            for c in checkins:
                if c.person in pair:
                    s.save(c)
            parts.append(s.frame())
    return pd.concat(parts).sort_values(["date", "person", "cadence"], kind="stable").reset_index(drop=True)


def scores(p, e, ph, i, x, s):
    return dict(passion=p, emotional=e, physical=ph, intellectual=i, experiential=x, spiritual=s)


@pytest.fixture
def couple_frame():
    return frame(
        make_checkin("Ana", "2026-09-01", **scores(7, 6, 5, 6, 6, 7)),
        make_checkin("Ana", "2026-10-01", **scores(8, 6, 6, 6, 6, 6), desired={"passion": 9, "physical": 9}),
        make_checkin("Ben", "2026-10-01", **scores(4, 6, 6, 6, 6, 6), desired={"physical": 6, "emotional": 9}),
        make_checkin("Ben", "2026-10-05", cadence="weekly", **scores(4, 7, 6, 6, 6, 6)),
    )


NULLS = dict.fromkeys(KEYS)


def test_the_summary_json_exactly(couple_frame):
    expected = {
        "month": "2026-10",
        "people": {
            "Ana": {
                "checkins": 1,
                "scores": {"passion": 8.0, "emotional": 6.0, "physical": 6.0, "intellectual": 6.0,
                           "experiential": 6.0, "spiritual": 6.0},
                "desired": {**NULLS, "passion": 9.0, "physical": 9.0},
                "intimacy_index": 6.0,
                "balance": "high_passion_low_intimacy",  # 8 - 6 = 2.0: the tie counts
                "unmet_needs": ["physical"],  # 9 - 6 = 3.0: the tie counts; passion 9 - 8 does not
                "change": {"passion": 1.0, "emotional": 0.0, "physical": 1.0, "intellectual": 0.0,
                           "experiential": 0.0, "spiritual": -1.0},
            },
            "Ben": {
                "checkins": 2,
                "scores": {"passion": 4.0, "emotional": 6.5, "physical": 6.0, "intellectual": 6.0,
                           "experiential": 6.0, "spiritual": 6.0},
                "desired": {**NULLS, "emotional": 9.0, "physical": 6.0},  # the weekly gave none
                "intimacy_index": 6.1,
                "balance": "high_intimacy_low_passion",  # 4 - 6.1 = -2.1
                "unmet_needs": [],  # emotional 9 - 6.5 = 2.5
                "change": NULLS,  # no check-in in September
            },
        },
        # physical wishes 9 and 6: 3 apart (a tie); emotional: Ana gave none. Passion seen 8 and 4.
        "partners": {"mismatched_needs": ["physical"], "seen_differently": ["passion"]},
    }
    result = month_summary(couple_frame, "2026-10")
    assert result == expected
    assert json.dumps(result) == json.dumps(expected)  # key order too
    assert list(result["people"]["Ana"]) == [
        "checkins", "scores", "desired", "intimacy_index", "balance", "unmet_needs", "change"]


def test_the_month_defaults_to_the_latest_with_data(couple_frame):
    assert month_summary(couple_frame)["month"] == "2026-10"


def test_one_person_only_has_no_partners_section(couple_frame):
    result = month_summary(couple_frame, "2026-09")
    assert list(result["people"]) == ["Ana"]
    assert result["partners"] is None
    assert result["people"]["Ana"]["change"] == NULLS  # no previous month at all


def test_three_people_have_no_partners_section(couple_frame):
    third = make_checkin("Cy", "2026-10-01")
    df = pd.concat([couple_frame, frame(third)], ignore_index=True)
    assert month_summary(df, "2026-10")["partners"] is None


def test_a_month_without_checkins_and_a_malformed_month(couple_frame):
    with pytest.raises(NoData, match="no check-ins in 2026-08"):
        month_summary(couple_frame, "2026-08")
    with pytest.raises(ValidationError, match="not a month"):
        month_summary(couple_frame, "2026-13")
    with pytest.raises(NoData):
        month_summary(frame(), None)


def test_ties_survive_floating_point():
    # emotional: scores 6, 6, 5 (mean 17/3), wishes 9, 9, 8 (mean 26/3): exactly 3 apart.
    df = frame(
        make_checkin("Ana", "2026-10-01", emotional=6, desired={"emotional": 9}),
        make_checkin("Ana", "2026-10-02", cadence="daily", emotional=6, desired={"emotional": 9}),
        make_checkin("Ana", "2026-10-03", cadence="daily", emotional=5, desired={"emotional": 8}),
    )
    person = month_summary(df)["people"]["Ana"]
    assert person["unmet_needs"] == ["emotional"]
    assert person["scores"]["emotional"] == 5.67 and person["desired"]["emotional"] == 8.67


def test_just_under_a_threshold_does_not_count():
    # passion 8, intimacy (6+6+6+6+7)/5 = 6.2: gap 1.8
    df = frame(make_checkin("Ana", **scores(8, 6, 6, 6, 6, 7), desired={"physical": 8}))
    person = month_summary(df)["people"]["Ana"]
    assert person["balance"] == "balanced"
    assert person["unmet_needs"] == []  # 8 - 6 = 2


def test_thresholds_can_be_overridden(couple_frame):
    loose = Thresholds(balance=5.0, unmet=1.0, mismatch=4.0, seen_differently=0.5)
    result = month_summary(couple_frame, "2026-10", loose)
    assert result["people"]["Ana"]["balance"] == "balanced"
    assert result["people"]["Ana"]["unmet_needs"] == ["passion", "physical"]
    assert result["people"]["Ben"]["unmet_needs"] == ["emotional"]
    assert result["partners"] == {"mismatched_needs": [], "seen_differently": ["passion", "emotional"]}
    assert analysis.BALANCE_GAP == 2.0 and analysis.UNMET_GAP == 3.0
    assert analysis.MISMATCH_GAP == 3.0 and analysis.SEEN_DIFFERENTLY_GAP == 3.0


def test_every_cadence_counts_once_in_the_month():
    df = frame(
        make_checkin("Ana", "2026-10-01", passion=9),
        make_checkin("Ana", "2026-10-12", cadence="weekly", passion=6),
        make_checkin("Ana", "2026-10-13", cadence="daily", passion=3),
        make_checkin("Ana", "2026-09-30", cadence="weekly", passion=1),  # week of Mon 28 Sep: September
    )
    table = monthly_table(df)
    october = table[table.month == "2026-10"].iloc[0]
    assert october.checkins == 3 and october.passion == 6.0
    assert table[table.month == "2026-09"].iloc[0].passion == 1.0
    assert october.change_passion == 5.0


def test_change_is_against_the_previous_calendar_month_only():
    df = frame(make_checkin("Ana", "2026-07-01", passion=2), make_checkin("Ana", "2026-09-01", passion=8))
    table = monthly_table(df)
    assert table.change_passion.isna().all()  # August is missing: no change for September


def test_monthly_table_columns_and_long_form(couple_frame):
    table = monthly_table(couple_frame)
    assert list(table.columns[:4]) == ["person", "month", "date", "checkins"]
    assert {"intimacy_index", "passion_gap", "balance", "unmet_needs", "change_spiritual"} <= set(table.columns)
    long = analysis.long_scores(table)
    assert list(long.columns) == ["person", "month", "date", "key", "dimension", "kind", "value"]
    assert len(long) == len(table) * 12
    ana_oct = long[(long.person == "Ana") & (long.month == "2026-10") & (long.kind == "desired")]
    assert ana_oct.set_index("key").value.dropna().to_dict() == {"passion": 9.0, "physical": 9.0}


def test_rolling_mean_over_calendar_months():
    df = frame(
        make_checkin("Ana", "2026-01-01", passion=3),
        make_checkin("Ana", "2026-02-01", passion=6),
        make_checkin("Ana", "2026-03-01", passion=9),
        make_checkin("Ana", "2026-05-01", passion=10),  # April missing
    )
    r = analysis.rolling_mean(monthly_table(df))
    passion = r[r.key == "passion"].set_index("month")["rolling"].to_dict()
    assert passion == {"2026-01": 3.0, "2026-02": 4.5, "2026-03": 6.0, "2026-05": 9.5}
    assert set(r.key) == {*KEYS, "intimacy_index"}


def _series(values, person="Ana", start="2026-01"):
    from reflect.domain.checkin import add_months

    return [make_checkin(person, add_months(start, i) + "-01", passion=v, emotional=5) for i, v in enumerate(values)]


def test_trend_readings():
    df = frame(*_series([3, 4, 5, 6, 7, 8]), *_series([8, 7, 8, 7, 8, 7], person="Ben"),
               *_series([9, 8, 7, 6, 5, 4], person="Cy"), *_series([5, 6], person="Dee", start="2026-05"))
    t = analysis.trend(monthly_table(df), "2026-06").set_index(["person", "key"])
    assert t.loc[("Ana", "passion"), "slope"] == pytest.approx(1.0)
    assert t.loc[("Ana", "passion"), "reading"] == "rising"
    assert t.loc[("Ben", "passion"), "reading"] == "steady"  # zig-zag within its own noise
    assert t.loc[("Cy", "passion"), "reading"] == "falling"
    assert t.loc[("Ana", "emotional"), "reading"] == "steady"
    assert t.loc[("Dee", "passion"), "reading"] == "too early to say"


def test_a_trend_needs_four_months_with_check_ins_in_its_window():
    three = analysis.trend(monthly_table(frame(*_series([9, 6, 3], start="2026-04"))), "2026-06")
    assert set(three["reading"]) == {analysis.TOO_EARLY} and three["slope"].isna().all()
    four = analysis.trend(monthly_table(frame(*_series([9, 7, 5, 3], start="2026-03"))), "2026-06")
    assert four.set_index("key").loc["passion", "reading"] == "falling"


def test_consistency_counts_against_the_rhythm_kept():
    df = frame(
        make_checkin("Ana", "2026-08-01"), make_checkin("Ana", "2026-10-01"),
        *[make_checkin("Ana", f"2026-10-{d:02d}", cadence="weekly") for d in (5, 12)],
        *[make_checkin("Ana", f"2026-10-{d:02d}", cadence="daily") for d in range(1, 11)],
    )
    c = analysis.consistency(df, "2026-10").set_index(["cadence", "month"])
    assert c.loc[("monthly", "2026-09"), "done"] == 0  # a gap, shown as such
    assert c.loc[("monthly", "2026-10"), "streak"] == 1
    assert c.loc[("monthly", "2026-08"), "streak"] == 1
    assert tuple(c.loc[("weekly", "2026-10"), ["done", "expected"]]) == (2, 4)  # Mondays 5, 12, 19, 26
    assert tuple(c.loc[("daily", "2026-10"), ["done", "expected"]]) == (10, 31)
    assert c.loc[("daily", "2026-10"), "share"] == pytest.approx(10 / 31)
    assert ("weekly", "2026-09") not in c.index  # a rhythm counts from its first check-in
    assert analysis.streak(df, "Ana", "2026-10") == 1
    assert analysis.streak(df, "Ana", "2026-09") == 0


def test_this_month_last_year():
    df = frame(make_checkin("Ana", "2025-10-01", passion=4), make_checkin("Ana", "2026-10-01", passion=7),
               make_checkin("Ben", "2026-10-01"))
    ly = analysis.last_year(monthly_table(df), "2026-10")
    assert set(ly.person) == {"Ana"}
    row = ly.set_index("key").loc["passion"]
    assert (row.this_month, row.last_year, row.difference) == (7.0, 4.0, 3.0)
    assert analysis.last_year(monthly_table(df), "2026-09").empty


def test_summary_text_reads_well(couple_frame):
    text = analysis.summary_text(month_summary(couple_frame, "2026-10"))
    assert text.startswith("October 2026")
    assert "Ana (1 check-in)" in text and "Ben (2 check-ins)" in text
    assert "balance: high passion, low intimacy" in text
    assert "Unmet needs: Physical" in text
    assert "Mismatched needs: Physical" in text and "Seen differently: Passion" in text
