"""Rituals: the small acts of the daily, weekly and monthly rhythm, logged as they happen.

A **ritual** is a record that something happened on a day: a kind from the catalogue (or one the
couple added), done by one person or by both together (``person`` empty), with an optional note.
Its key is (person, day, kind): logging it again supersedes the earlier record (a new note, or
taking it back with ``done=False``), and every version stays in the history.

The CSV format (the contract), UTF-8 with a header row::

    date,person,kind,cadence,note

``date`` is ``YYYY-MM-DD``; an empty ``person`` means both of you together (any other value is
a name, "Both" and "Together" included); ``kind`` is a kind
key; ``cadence`` may be empty for a kind the store knows and names the rhythm of a new kind
(which adds it); ``note`` may be empty.

An import may leave out the columns ``person``, ``cadence`` and ``note`` (:data:`OPTIONAL`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from reflect.domain.checkin import parse_cadence, parse_date, parse_note, parse_person
from reflect.errors import ValidationError

if TYPE_CHECKING:
    from reflect.domain.csvio import FormulaCells

TOGETHER = ""
TOGETHER_WORD = "together"


@dataclass(frozen=True)
class RitualKind:
    key: str
    cadence: str
    label: str
    description: str = ""


#: The catalogue that matches the guides' rhythm: small daily acts, a weekly ritual, a monthly one.
DEFAULT_KINDS: tuple[RitualKind, ...] = (
    RitualKind("appreciation", "daily", "An appreciation",
               "Saying one specific thing you value in the other."),
    RitualKind("hug", "daily", "A long hug", "A hug that lasts long enough to relax into it."),
    RitualKind("check-in", "daily", "A one-minute check-in",
               "\u201cAnything on your heart today?\u201d, and listening."),
    RitualKind("phone-free", "weekly", "A phone-free ritual", "An hour or so together, the phones in another room."),
    RitualKind("special-evening", "monthly", "A special evening", "An evening planned for the two of you."),
    RitualKind("keepsake", "monthly", "A keepsake", "Something kept from the month: a photo, a note, a ticket."),
)
DEFAULT_BY_KEY = {k.key: k for k in DEFAULT_KINDS}

_KIND_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
COLUMNS: tuple[str, ...] = ("date", "person", "kind", "cadence", "note")
HEADER = ",".join(COLUMNS)
#: The columns a file to import may leave out (their cells are then empty; an export writes them all).
OPTIONAL: tuple[str, ...] = ("person", "cadence", "note")


def parse_kind(value: Any, *, field: str = "kind") -> str:
    text = str(value).strip().lower() if value is not None else ""
    if not text:
        raise ValidationError("a ritual kind is required", field=field)
    if not _KIND_RE.match(text):
        raise ValidationError(
            f"{value!r} is not a ritual kind: use 1 to 40 lowercase letters, digits or hyphens (e.g. phone-free)",
            field=field,
        )
    return text


def parse_ritual_person(value: Any, *, field: str = "person") -> str:
    """A name, or ``None`` or empty for both of you together.

    Every other value is a name, checked like any name: "Both" or "Together" is a person called
    so, never the marker for together (which is no name at all), so that nobody's name is taken.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return TOGETHER
    return parse_person(value, field=field)


def person_word(person: str) -> str:
    """Who, as shown: the name, or "together"; a person called "Together" or "Both" is shown as
    ``person "Together"`` so the two never look alike."""
    if person == TOGETHER:
        return TOGETHER_WORD
    if person.casefold() in (TOGETHER_WORD, "both"):
        return f'person "{person}"'
    return person


@dataclass(frozen=True)
class Ritual:
    """One logged ritual: who (``""`` for both together), which day, which kind."""

    person: str
    day: Any  # datetime.date
    kind: str
    note: str | None = None
    done: bool = True

    @classmethod
    def create(cls, *, day: Any, kind: Any, person: Any = None, note: Any = None, done: bool = True) -> Ritual:
        when = parse_date(day)
        if when > dt.date.today():
            raise ValidationError(f"{when.isoformat()} is in the future; log a ritual once it has happened",
                                  field="date")
        return cls(
            person=parse_ritual_person(person),
            day=when,
            kind=parse_kind(kind),
            note=parse_note(note),
            done=bool(done),
        )

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.person, self.day.isoformat(), self.kind)

    def content(self) -> tuple[Any, ...]:
        return (self.note, self.done)


# -- CSV --------------------------------------------------------------------------------------------


def parse_rituals(
    text: str, name: str = "<csv>", kinds: Mapping[str, str] | None = None
) -> tuple[list[Ritual], dict[str, str]]:
    """Parse and validate ritual CSV (all or nothing).

    ``kinds`` maps the kinds the store knows to their cadences. Returns the rituals and the new
    kinds the file adds (kind -> cadence). Raises :class:`ImportFileError` naming file, line and
    column of every problem.
    """
    from reflect.domain.csvio import csv_rows, raise_problems

    known = dict(kinds or {k.key: k.cadence for k in DEFAULT_KINDS})
    problems: list[ValidationError] = []
    rituals: list[Ritual] = []
    added: dict[str, str] = {}
    first_line: dict[tuple[str, str, str], int] = {}
    for line, row in csv_rows(text, name, COLUMNS, problems, optional=OPTIONAL,
                                   export="reflect ritual export"):
        where = f"{name}, line {line}"
        try:
            ritual = Ritual.create(day=row["date"], kind=row["kind"], person=row["person"], note=row["note"])
            cadence = row["cadence"].strip()
            have = known.get(ritual.kind) or added.get(ritual.kind)
            if cadence:
                cadence = parse_cadence(cadence)
                if have and have != cadence:
                    raise ValidationError(f"{ritual.kind} is a {have} ritual, not {cadence}", field="cadence")
                if not have:
                    added[ritual.kind] = cadence
            elif not have:
                raise ValidationError(
                    f"unknown ritual kind {ritual.kind!r}; give its cadence (daily, weekly or monthly) to add it",
                    field="kind",
                )
        except ValidationError as exc:
            problems.append(exc.located(where))
            continue
        if ritual.key in first_line:
            problems.append(ValidationError(
                f"the same ritual, person and day as line {first_line[ritual.key]}", field="date", where=where))
            continue
        first_line[ritual.key] = line
        rituals.append(ritual)
    raise_problems(name, problems)
    return rituals, added


def write_rituals(rituals: Iterable[Ritual], kinds: Mapping[str, str], out: IO[str], *,
                  cells: FormulaCells | None = None) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for r in rituals:
        row = [r.day.isoformat(), r.person, r.kind, kinds.get(r.kind, ""), r.note or ""]
        writer.writerow(cells(row) if cells is not None else row)
        n += 1
    return n


def to_csv(rituals: Iterable[Ritual], kinds: Mapping[str, str], *, cells: FormulaCells | None = None) -> str:
    buf = io.StringIO()
    write_rituals(rituals, kinds, buf, cells=cells)
    return buf.getvalue()
