import datetime as dt

import pytest

from reflect.domain.checkin import CheckIn, add_months, parse_month, period_start
from reflect.domain.dimensions import CADENCES, DIMENSIONS, INTIMACY_KEYS, KEYS
from reflect.errors import ValidationError

from .helpers import make_checkin

SCORES = dict(passion=6, emotional=7, physical=5, intellectual=8, experiential=6, spiritual=7)


def test_the_six_keys_in_their_fixed_order():
    assert KEYS == ("passion", "emotional", "physical", "intellectual", "experiential", "spiritual")
    assert INTIMACY_KEYS == KEYS[1:]
    assert CADENCES == ("monthly", "weekly", "daily")
    for d in DIMENSIONS:
        assert d.label and d.description and d.description.endswith(".")


@pytest.mark.parametrize(
    "cadence, day, start",
    [
        ("monthly", "2026-10-17", "2026-10-01"),
        ("monthly", "2026-10-01", "2026-10-01"),
        ("weekly", "2026-10-17", "2026-10-12"),  # a Saturday -> its ISO Monday
        ("weekly", "2026-10-12", "2026-10-12"),
        ("weekly", "2021-01-01", "2020-12-28"),  # the week crosses a year
        ("daily", "2026-10-17", "2026-10-17"),
    ],
)
def test_dates_are_normalised_to_the_period_start(cadence, day, start):
    c = CheckIn.create(person="Robin", date=day, cadence=cadence, scores=SCORES)
    assert c.period_start.isoformat() == start
    assert period_start(dt.date.fromisoformat(day), cadence).isoformat() == start


def test_a_checkin_belongs_to_the_month_of_its_period_start():
    c = CheckIn.create(person="Robin", date="2026-10-01", cadence="weekly", scores=SCORES)
    assert c.period_start.isoformat() == "2026-09-28"
    assert c.month == "2026-09"


def test_defaults_and_trimming():
    c = CheckIn.create(person="  Robin  ", date=dt.date(2026, 10, 5), scores=SCORES, note="  ")
    assert c.person == "Robin"
    assert c.cadence == "monthly"
    assert c.note is None
    assert c.desired == dict.fromkeys(KEYS)
    assert c.key == ("Robin", "monthly", "2026-10-01")


def test_ratings_given_as_digit_strings_are_accepted():
    c = CheckIn.create(person="Sam", date="2026-10-05", scores={k: str(v) for k, v in SCORES.items()},
                       desired={"physical": " 8 "})
    assert c.scores == SCORES
    assert c.desired["physical"] == 8


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"passion": 11}, "passion", "11 is out of range: ratings go from 1 to 10"),
        ({"emotional": 0}, "emotional", "0 is out of range"),
        ({"physical": "7.5"}, "physical", "'7.5' is not a whole number from 1 to 10"),
        ({"physical": 7.5}, "physical", "7.5 is not a whole number"),
        ({"spiritual": "seven"}, "spiritual", "'seven' is not a whole number"),
        ({"intellectual": True}, "intellectual", "not a whole number"),
        ({"experiential": None}, "experiential", "a rating from 1 to 10 is required"),
        ({"experiential": ""}, "experiential", "a rating from 1 to 10 is required"),
    ],
)
def test_bad_scores_name_the_field(change, field, words):
    scores = {**SCORES, **change}
    with pytest.raises(ValidationError) as err:
        CheckIn.create(person="Robin", date="2026-10-01", scores=scores)
    assert err.value.field == field
    assert words in str(err.value)
    assert str(err.value).startswith(f"{field}: ")


def test_unknown_dimension_is_an_error():
    with pytest.raises(ValidationError, match="unknown dimension 'romance'"):
        CheckIn.create(person="Robin", date="2026-10-01", scores={**SCORES, "romance": 5})
    with pytest.raises(ValidationError, match="unknown dimension 'romance'") as err:
        CheckIn.create(person="Robin", date="2026-10-01", scores=SCORES, desired={"romance": 5})
    assert err.value.field == "desired_romance"


def test_bad_desired_level_names_its_field():
    with pytest.raises(ValidationError) as err:
        CheckIn.create(person="Robin", date="2026-10-01", scores=SCORES, desired={"passion": 12})
    assert err.value.field == "desired_passion"


@pytest.mark.parametrize(
    "person, words",
    [("", "cannot be empty"), ("   ", "cannot be empty"), ("x" * 65, "at most 64 characters"),
     ("Ro\nbin", "line breaks"), (None, "a name is required")],
)
def test_bad_person(person, words):
    with pytest.raises(ValidationError, match=words) as err:
        CheckIn.create(person=person, date="2026-10-01", scores=SCORES)
    assert err.value.field == "person"


def test_a_name_of_64_characters_is_fine():
    assert CheckIn.create(person="x" * 64, date="2026-10-01", scores=SCORES).person == "x" * 64


@pytest.mark.parametrize(
    "date, words",
    [("2026-13-01", "not a real date"), ("2026-02-30", "not a real date"), ("01/10/2026", "YYYY-MM-DD"),
     ("", "a date is required"), (20261001, "expected a date")],
)
def test_bad_dates(date, words):
    with pytest.raises(ValidationError, match=words) as err:
        CheckIn.create(person="Robin", date=date, scores=SCORES)
    assert err.value.field == "date"


def test_unknown_cadence():
    with pytest.raises(ValidationError, match="'yearly' is not a cadence; use one of monthly, weekly, daily"):
        CheckIn.create(person="Robin", date="2026-10-01", cadence="yearly", scores=SCORES)


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "26-10", "2026-1", "october", ""])
def test_bad_months(month):
    with pytest.raises(ValidationError, match="is not a month in the form YYYY-MM"):
        parse_month(month)


def test_month_arithmetic():
    assert add_months("2026-01", -1) == "2025-12"
    assert add_months("2025-12", 1) == "2026-01"
    assert add_months("2026-10", -12) == "2025-10"


def test_content_compares_what_was_rated():
    a = make_checkin(passion=6, note="x")
    assert a.content() == make_checkin(passion=6, note="x").content()
    assert a.content() != make_checkin(passion=6, note="y").content()
    assert a.content() != make_checkin(passion=6, note="x", desired={"passion": 9}).content()


def test_a_period_that_has_not_begun_is_refused(calendar):
    # CheckIn.create reads the real date: the date read once for the test (see calendar)
    with pytest.raises(ValidationError, match="is in the future") as err:
        CheckIn.create(person="Robin", date=calendar.days(1), cadence="daily", scores=SCORES)
    assert err.value.field == "date"
    # this month's and this week's check-ins are fine even before the period ends
    CheckIn.create(person="Robin", date=calendar.today, cadence="monthly", scores=SCORES)
    CheckIn.create(person="Robin", date=calendar.today, cadence="weekly", scores=SCORES)
