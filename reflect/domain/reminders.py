"""Reminders: the couple's chosen days and times, as calendar rules (RFC 5545 recurrence rules).

The guides' advice is to put the rhythm on the calendar. A :class:`Schedule` holds what the couple
chose: the day and time of the monthly reflection (``last-sunday`` at ``20:00``, say) and, if they
like, the 3x3 rhythm: a daily moment (an appreciation, a long hug, a one-minute check-in), a weekly
phone-free hour, a monthly special evening. Each becomes a :class:`Reminder`: a recurrence rule, a
length and a short kind line. Writing them to an iCalendar file is the storage layer's job
(:mod:`reflect.storage.reminders`); here are only the rules, checked.

>>> rule = parse_monthly_day("last-sunday")
>>> rule.rrule(), rule.words
({'FREQ': 'MONTHLY', 'BYDAY': '-1SU'}, 'the last Sunday of the month')
>>> parse_monthly_day("15").rrule()
{'FREQ': 'MONTHLY', 'BYMONTHDAY': 15}
>>> next_occurrence(Schedule(reflection_day=rule, reflection_time=dt.time(20)).reminders()[0],
...                 after=dt.datetime(2026, 12, 27, 21, 0))
datetime.datetime(2027, 1, 31, 20, 0)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from dateutil import rrule as dr

from reflect.errors import ValidationError

#: The kinds of reminder, in the order a calendar file lists them.
KINDS = ("reflection", "daily", "weekly", "special")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}

#: The choices for a monthly day, said in an error message and in ``--help``.
MONTHLY_DAY_CHOICES = ("first|second|third|fourth|last, a dash, then a weekday (last-sunday, first-saturday), "
                       "or a date of the month from 1 to 28")

_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclasses.dataclass(frozen=True)
class MonthlyDay:
    """A day in every month: the ``ordinal`` (1 to 4, or -1 for the last) ``weekday`` (0 = Monday),
    or a fixed ``monthday`` (1 to 28, so that every month has it)."""

    ordinal: int | None = None
    weekday: int | None = None
    monthday: int | None = None

    def rrule(self) -> dict[str, Any]:
        """The recurrence rule's parts (for :class:`icalendar.vRecur`)."""
        if self.monthday is not None:
            return {"FREQ": "MONTHLY", "BYMONTHDAY": self.monthday}
        assert self.ordinal is not None and self.weekday is not None
        return {"FREQ": "MONTHLY", "BYDAY": f"{self.ordinal}{_ICAL_DAYS[self.weekday]}"}

    @property
    def key(self) -> str:
        """How it is written on the command line: ``last-sunday``, ``15``."""
        if self.monthday is not None:
            return str(self.monthday)
        assert self.ordinal is not None and self.weekday is not None
        return f"{_ORDINAL_WORDS[self.ordinal]}-{WEEKDAYS[self.weekday]}"

    @property
    def words(self) -> str:
        """In words: "the last Sunday of the month", "the 15th of the month"."""
        if self.monthday is not None:
            return f"the {ordinal_suffix(self.monthday)} of the month"
        assert self.ordinal is not None and self.weekday is not None
        return f"the {_ORDINAL_WORDS[self.ordinal]} {WEEKDAYS[self.weekday].title()} of the month"


def ordinal_suffix(n: int) -> str:
    """1 -> "1st", 22 -> "22nd", 13 -> "13th"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def parse_monthly_day(value: Any, *, field: str = "day") -> MonthlyDay:
    """``last-sunday``, ``first saturday``, ``2nd-friday`` or ``15`` as a :class:`MonthlyDay`."""
    text = str(value if value is not None else "").strip().lower().replace("_", "-").replace(" ", "-")
    if text.isdigit():
        day = int(text)
        if 1 <= day <= 28:
            return MonthlyDay(monthday=day)
        raise ValidationError(
            f"{value!r} is not a day every month has: choose a date from 1 to 28, or a weekday such as last-sunday",
            field=field)
    ordinal_text, _, weekday_text = text.partition("-")
    ordinal_text = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth"}.get(ordinal_text, ordinal_text)
    weekday = _weekday_index(weekday_text)
    if ordinal_text not in ORDINALS or weekday is None:
        raise ValidationError(f"{value!r} is not a day of the month: use {MONTHLY_DAY_CHOICES}", field=field)
    return MonthlyDay(ordinal=ORDINALS[ordinal_text], weekday=weekday)


def _weekday_index(text: str) -> int | None:
    text = text.strip().lower()
    for i, name in enumerate(WEEKDAYS):
        if text in (name, name[:3]):
            return i
    return None


def parse_weekday(value: Any, *, field: str = "weekly") -> int:
    """``sunday`` (or ``sun``) as 6, Monday being 0."""
    index = _weekday_index(str(value if value is not None else ""))
    if index is None:
        raise ValidationError(f"{value!r} is not a day of the week (monday ... sunday)", field=field)
    return index


def parse_time(value: Any, *, field: str = "time") -> dt.time:
    """``20:00`` or ``7:30`` as a time of day (24-hour clock)."""
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    text = str(value if value is not None else "").strip()
    m = _TIME_RE.match(text)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise ValidationError(f"{text!r} is not a time of day: use HH:MM on a 24-hour clock, e.g. 20:00",
                              field=field)
    return dt.time(int(m[1]), int(m[2]))


def parse_day_and_time(value: Any, *, field: str, weekly: bool) -> tuple[Any, dt.time]:
    """``"sunday 19:00"`` (weekly) or ``"first-saturday 19:30"`` (monthly): the day and the time."""
    text = str(value if value is not None else "").strip()
    day_text, _, time_text = text.rpartition(" ")
    if not day_text or not time_text:
        example = "sunday 19:00" if weekly else "first-saturday 19:30"
        raise ValidationError(f"{text!r} needs a day and a time, e.g. {example!r}", field=field)
    day = parse_weekday(day_text, field=field) if weekly else parse_monthly_day(day_text, field=field)
    return day, parse_time(time_text, field=field)


@dataclasses.dataclass(frozen=True)
class Reminder:
    """One recurring event: what it is, when (a rule and a time), for how long, and a kind line."""

    kind: str
    summary: str
    description: str
    rule: dict[str, Any]
    time: dt.time
    minutes: int

    def first(self, after: dt.datetime) -> dt.datetime:
        """The first time it happens at or after ``after`` (the calendar event's start)."""
        found = self.rrule(dt.datetime.combine(after.date(), self.time)).after(after, inc=True)
        assert found is not None  # monthly and weekly rules always come round again
        return found

    def rrule(self, start: dt.datetime) -> dr.rrule:
        """The rule as :mod:`dateutil` reads it, counted from ``start``."""
        return dr.rrulestr(rrule_text(self.rule), dtstart=start)  # type: ignore[return-value]


def rrule_text(rule: dict[str, Any]) -> str:
    """``{'FREQ': 'MONTHLY', 'BYDAY': '-1SU'}`` -> ``FREQ=MONTHLY;BYDAY=-1SU``."""
    return ";".join(f"{k}={v}" for k, v in rule.items())


@dataclasses.dataclass(frozen=True)
class Schedule:
    """What the couple chose. The monthly reflection is always there; the 3x3 rhythm is optional."""

    reflection_day: MonthlyDay
    reflection_time: dt.time
    daily: dt.time | None = None
    weekly: tuple[int, dt.time] | None = None
    special: tuple[MonthlyDay, dt.time] | None = None
    address: str | None = None

    @classmethod
    def create(cls, *, day: Any = "last-sunday", time: Any = "20:00", daily: Any = None, weekly: Any = None,
               special: Any = None, address: Any = None) -> Schedule:
        """Check what was given (as typed on the command line) and make the schedule."""
        weekly_pair = parse_day_and_time(weekly, field="weekly", weekly=True) if weekly else None
        special_pair = parse_day_and_time(special, field="special", weekly=False) if special else None
        return cls(
            reflection_day=parse_monthly_day(day, field="day"),
            reflection_time=parse_time(time, field="time"),
            daily=parse_time(daily, field="daily") if daily else None,
            weekly=(int(weekly_pair[0]), weekly_pair[1]) if weekly_pair else None,
            special=(special_pair[0], special_pair[1]) if special_pair else None,
            address=parse_address(address) if address else None,
        )

    def reminders(self) -> list[Reminder]:
        """The events to put on the calendar, the monthly reflection first."""
        where = f"\n\nOpen the form at {self.address}" if self.address else ""
        out = [Reminder(
            kind="reflection", summary="Our monthly reflection",
            description=("A few quiet minutes each, then time together: rate passion and the five dimensions "
                         "of intimacy, and talk about what you notice. There are no right answers."
                         + where),
            rule=self.reflection_day.rrule(), time=self.reflection_time, minutes=45,
        )]
        if self.daily is not None:
            out.append(Reminder(
                kind="daily", summary="A moment for us",
                description=("One specific appreciation, a long hug, and a one-minute \"anything on your "
                             "heart?\". Small and often beats big and rare." + where),
                rule={"FREQ": "DAILY"}, time=self.daily, minutes=10,
            ))
        if self.weekly is not None:
            day, at = self.weekly
            out.append(Reminder(
                kind="weekly", summary="Our phone-free hour",
                description=("Phones away, an hour for the two of you: a walk, a meal, a game, a long talk." + where),
                rule={"FREQ": "WEEKLY", "BYDAY": _ICAL_DAYS[day]}, time=at, minutes=60,
            ))
        if self.special is not None:
            monthly_day, at = self.special
            out.append(Reminder(
                kind="special", summary="Our special evening",
                description=("Something new or long missed, just the two of you; keep a little something "
                             "to remember it by." + where),
                rule=monthly_day.rrule(), time=at, minutes=180,
            ))
        return out


def parse_address(value: Any) -> str:
    """The app's address for the calendar, without its token (a calendar is no place for a key).

    Refused, in one line and never changed silently: a control character or a space anywhere in it
    (an address has none: one typed or pasted with them is not the address the app printed), and a
    user name or password before an ``@`` (a calendar is no place for one either; it is not said back).
    """
    import unicodedata
    from urllib.parse import urlsplit, urlunsplit

    text = str(value)
    odd = next((ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch.isspace()), None)
    if odd is not None:
        what = ("a space" if odd.isspace() and unicodedata.category(odd) == "Zs" else
                f"{'a control' if unicodedata.category(odd) == 'Cc' else 'an invisible'} character (U+{ord(odd):04X})")
        raise ValidationError(f"{text!r} holds {what}; a web address has none: give it as the app printed it, "
                              "e.g. https://192.168.1.20:8866/", field="address")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"{text!r} is not a web address (e.g. https://192.168.1.20:8866/)", field="address")
    if "@" in parts.netloc:
        hidden = urlunsplit((parts.scheme, "\u2026@" + parts.netloc.rpartition("@")[2], parts.path, "", ""))
        raise ValidationError(f"{hidden!r} holds a user name or password (before the @); a calendar is no place "
                              "for one: give the address without it", field="address")
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number from 0 to 65535
    except ValueError:
        raise ValidationError(f"{text!r} is not a web address: its port is not a number from 1 to 65535",
                              field="address") from None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))


def next_occurrence(reminder: Reminder, *, after: dt.datetime) -> dt.datetime:
    """When ``reminder`` next happens strictly after ``after``."""
    found = reminder.rrule(dt.datetime.combine(after.date(), reminder.time)).after(after)
    assert found is not None  # daily, weekly and monthly rules always come round again
    return found


def next_from_rule(rule: str, start: dt.datetime, *, after: dt.datetime) -> dt.datetime | None:
    """When an event starting at ``start`` and repeating by ``rule`` (RRULE text) next happens after ``after``."""
    found = dr.rrulestr(rule, dtstart=start).after(after)
    return found if isinstance(found, dt.datetime) else None


def next_reflection_words(when: dt.datetime, *, today: dt.date) -> str:
    """"Your next reflection: Sunday 27 December, 20:00" (the year when it is not this one)."""
    day = f"{when:%A} {when.day} {when:%B}" + (f" {when.year}" if when.year != today.year else "")
    if when.date() == today:
        day = f"today, {day}"
    return f"Your next reflection: {day}, {when:%H:%M}"
