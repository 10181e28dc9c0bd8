"""A check-in: one person's ratings for one period, validated and normalised.

>>> c = CheckIn.create(person=" Robin ", date="2026-10-17",
...                    scores=dict(passion=6, emotional=7, physical=5,
...                                intellectual=8, experiential=6, spiritual=7))
>>> c.person, c.cadence, c.period_start.isoformat()
('Robin', 'monthly', '2026-10-01')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reflect.domain.dimensions import CADENCES, DEFAULT_CADENCE, KEYS, MAX_SCORE, MIN_SCORE
from reflect.domain.months import MIN_YEAR, add_months, month_of, month_start, parse_month  # noqa: F401  (the names checkin gave)
from reflect.domain.text import MAX_NAME_LENGTH, clean_name
from reflect.errors import ValidationError

MAX_PERSON_LENGTH = MAX_NAME_LENGTH
MAX_NOTE_LENGTH = 20_000
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_INT_RE = re.compile(r"^[+-]?\d+$")


def period_start(day: dt.date, cadence: str) -> dt.date:
    """The first day of the period of ``cadence`` that holds ``day``.

    Monthly: the first of the month; weekly: the ISO week's Monday; daily: the day itself.
    """
    cadence = parse_cadence(cadence)
    if cadence == "monthly":
        return day.replace(day=1)
    if cadence == "weekly":
        return day - dt.timedelta(days=day.weekday())
    return day


def begun_period(date: Any, cadence: str) -> dt.date:
    """The start of the period of ``cadence`` holding ``date``, which must have begun."""
    start = period_start(parse_date(date), cadence)
    if start > dt.date.today():
        raise ValidationError(
            f"{start.isoformat()} is in the future; a check-in is for a period that has begun", field="date"
        )
    return start


def parse_date(value: Any, *, field: str = "date") -> dt.date:
    """A date from a ``datetime.date`` or a ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if value.year < MIN_YEAR:
            raise ValidationError(f"{value.isoformat()} is too early: dates start in {MIN_YEAR}", field=field)
        return value
    if not isinstance(value, str):
        raise ValidationError(f"expected a date as YYYY-MM-DD, got {value!r}", field=field)
    text = value.strip()
    if not text:
        raise ValidationError("a date is required (YYYY-MM-DD)", field=field)
    m = _DATE_RE.match(text)
    if not m:
        raise ValidationError(f"{text!r} is not a date in the form YYYY-MM-DD", field=field)
    try:
        day = dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise ValidationError(f"{text!r} is not a real date ({exc})", field=field) from None
    if day.year < MIN_YEAR:
        raise ValidationError(f"{text} is too early: dates start in {MIN_YEAR}", field=field)
    return day


def parse_cadence(value: Any, *, field: str = "cadence") -> str:
    """A cadence; empty or ``None`` means monthly."""
    if value is None:
        return DEFAULT_CADENCE
    text = str(value).strip().lower()
    if not text:
        return DEFAULT_CADENCE
    if text not in CADENCES:
        raise ValidationError(
            f"{value!r} is not a cadence; use one of {', '.join(CADENCES)}", field=field
        )
    return text


def parse_person(value: Any, *, field: str = "person") -> str:
    """A person's name: 1 to 64 characters once normalised (see :func:`reflect.domain.text.clean_name`)."""
    return clean_name(value, field=field)


def parse_rating(value: Any, *, field: str, required: bool) -> int | None:
    """A rating: an integer from 1 to 10 (a string of digits is accepted)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError("a rating from 1 to 10 is required", field=field)
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{value!r} is not a whole number from 1 to 10", field=field)
    if isinstance(value, str):
        text = value.strip()
        if not _INT_RE.match(text):
            raise ValidationError(f"{text!r} is not a whole number from 1 to 10", field=field)
        number = int(text)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        try:
            as_int = int(value)
        except (TypeError, ValueError):
            as_int = None
        if as_int is None or as_int != value:
            raise ValidationError(f"{value!r} is not a whole number from 1 to 10", field=field)
        number = as_int
    if not MIN_SCORE <= number <= MAX_SCORE:
        raise ValidationError(
            f"{number} is out of range: ratings go from {MIN_SCORE} to {MAX_SCORE}", field=field
        )
    return number


def parse_weighing(value: Any, *, field: str = "weighing") -> int | None:
    """How much life is weighing on a person: a whole number from 1 to 10, or None (not given)."""
    try:
        return parse_rating(value, field=field, required=False)
    except ValidationError as exc:
        raise ValidationError(exc.message.replace("ratings go", "how life is weighing goes"), field=field) from None


def parse_note(value: Any, *, field: str = "note") -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("a note must be text", field=field)
    if not value.strip():
        return None
    if len(value) > MAX_NOTE_LENGTH:
        raise ValidationError(
            f"a note can be at most {MAX_NOTE_LENGTH:,} characters (this one has {len(value):,})",
            field=field,
        )
    return value


@dataclass(frozen=True)
class CheckIn:
    """One person's ratings for one period. Build it with :meth:`create`, which validates."""

    person: str
    cadence: str
    period_start: dt.date
    scores: Mapping[str, int]
    desired: Mapping[str, int | None] = field(default_factory=dict)
    note: str | None = None
    #: Whether the writer shares the note with their partner (see :meth:`reflect.storage.store.Store.save`);
    #: not part of :meth:`content` nor of the CSV.
    note_shared: bool = False
    #: How much life (stress, sleep, health) is weighing on the person, 1 to 10 (None: not given, or not
    #: shown to whoever reads). Kept out of the intimacy index.
    weighing: int | None = None
    #: Whether the writer shares how life is weighing with their partner (like ``note_shared``: not part
    #: of :meth:`content` nor of the CSV).
    weighing_shared: bool = False

    @classmethod
    def create(
        cls,
        *,
        person: Any,
        date: Any,
        scores: Mapping[str, Any],
        desired: Mapping[str, Any] | None = None,
        cadence: Any = None,
        note: Any = None,
        weighing: Any = None,
    ) -> CheckIn:
        """Validate and normalise; raise :class:`ValidationError` naming the bad field."""
        name = parse_person(person)
        cad = parse_cadence(cadence)
        start = begun_period(date, cad)
        unknown = sorted(set(scores) - set(KEYS))
        if unknown:
            raise ValidationError(
                f"unknown dimension {unknown[0]!r}; the dimensions are {', '.join(KEYS)}",
                field=unknown[0],
            )
        desired = dict(desired or {})
        unknown = sorted(set(desired) - set(KEYS))
        if unknown:
            raise ValidationError(
                f"unknown dimension {unknown[0]!r}; the dimensions are {', '.join(KEYS)}",
                field=f"desired_{unknown[0]}",
            )
        checked_scores = {k: parse_rating(scores.get(k), field=k, required=True) for k in KEYS}
        checked_desired = {
            k: parse_rating(desired.get(k), field=f"desired_{k}", required=False) for k in KEYS
        }
        return cls(
            person=name,
            cadence=cad,
            period_start=start,
            scores=checked_scores,  # type: ignore[arg-type]
            desired=checked_desired,
            note=parse_note(note),
            weighing=parse_weighing(weighing),
        )

    @property
    def key(self) -> tuple[str, str, str]:
        """The identity of a check-in: (person, cadence, period start)."""
        return (self.person, self.cadence, self.period_start.isoformat())

    @property
    def month(self) -> str:
        """The month a check-in belongs to: that of its period start."""
        return month_of(self.period_start)

    def content(self) -> tuple:
        """What a save compares to decide whether anything changed."""
        return (
            tuple(self.scores[k] for k in KEYS),
            tuple(self.desired.get(k) for k in KEYS),
            self.note,
            self.weighing,
        )

    def as_row(self) -> dict[str, Any]:
        """A flat dict in the CSV column order."""
        row: dict[str, Any] = {
            "date": self.period_start.isoformat(),
            "person": self.person,
            "cadence": self.cadence,
        }
        row.update({k: self.scores[k] for k in KEYS})
        row.update({f"desired_{k}": self.desired.get(k) for k in KEYS})
        row["note"] = self.note
        row["weighing"] = self.weighing
        return row
