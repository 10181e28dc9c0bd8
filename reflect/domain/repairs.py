"""The repair log: after a rupture, the guides' three steps, noted by either partner.

A **repair** is noted by one person (its writer), privately or shared with the partner: what it
was about (the **topic**, in a few words) and, as far as the writer wants, the three steps: **own**
(what I am sorry for), **offer** (listening, space or a hug), **align** (one small change). It has
the day the repair was made and the day the rupture happened, so the report can say how soon
repairs come (all couples rupture; repairing early, gently and often is a strength).

Its key is (person, day, number): the writer's first repair of a day is number 1. Saving it again
supersedes the earlier version; every version stays in the history. Taking it back
(``active=False``) keeps it there too. The topic and the steps are the writer's: sealed like notes
for a person with a passphrase, shown to the partner only when the writer shares the entry.

The CSV format (the contract), UTF-8 with a header row::

    date,person,number,happened,topic,own,offer,align,shared

``date`` and ``happened`` are ``YYYY-MM-DD`` (``happened`` empty: the same day); ``shared`` is
``yes`` or ``no`` (empty: no); ``own``, ``offer`` and ``align`` may be empty and may hold line
breaks (standard CSV quoting).

An import may leave out the columns ``happened``, ``own``, ``offer``, ``align`` and ``shared``
(:data:`OPTIONAL`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from reflect.domain.agreements import MAX_NUMBER, parse_number
from reflect.domain.checkin import parse_date, parse_note, parse_person
from reflect.domain.text import clean_words
from reflect.errors import ValidationError

if TYPE_CHECKING:
    from reflect.domain.csvio import FormulaCells

MAX_TOPIC = 60
STEPS: tuple[str, ...] = ("own", "offer", "align")
#: The guides' words for each step, for forms and help.
STEP_WORDS = {
    "own": "Own it: what I am sorry for, and why it makes sense they felt as they did",
    "offer": "Offer: listening, some space, or a hug",
    "align": "Align: one small change, and end with warmth",
}
COLUMNS: tuple[str, ...] = ("date", "person", "number", "happened", "topic", "own", "offer", "align", "shared")
HEADER = ",".join(COLUMNS)
#: The columns a file to import may leave out (their cells are then empty; an export writes them all).
OPTIONAL: tuple[str, ...] = ("happened", "own", "offer", "align", "shared")


def parse_shared(value: Any, *, field: str = "shared") -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    if text in ("", "no", "false", "0"):
        return False
    if text in ("yes", "true", "1"):
        return True
    raise ValidationError(f"{text!r} is not yes or no", field=field)


@dataclass(frozen=True)
class RepairBody:
    """What a repair says: the writer's own words (sealed for a person with a passphrase)."""

    topic: str
    own: str | None = None
    offer: str | None = None
    align: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"topic": self.topic, "own": self.own, "offer": self.offer, "align": self.align}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RepairBody:
        return cls(topic=str(data["topic"]), own=data.get("own"), offer=data.get("offer"), align=data.get("align"))


@dataclass(frozen=True)
class Repair:
    """One repair, noted by ``person``. Build it with :meth:`create`.

    ``body`` is ``None`` when a repair is read by someone it is not shown to (the partner, for an
    entry not shared): then only when it was, and how soon, are known.
    """

    person: str
    day: dt.date
    number: int
    happened: dt.date
    shared: bool
    body: RepairBody | None
    active: bool = True

    @classmethod
    def create(cls, *, person: Any, topic: Any, day: Any = None, number: Any = 1, happened: Any = None,
               own: Any = None, offer: Any = None, align: Any = None, shared: Any = False,
               active: bool = True, today: dt.date | None = None) -> Repair:
        """Validate; raise :class:`ValidationError` naming the bad field."""
        today = today or dt.date.today()
        when = parse_date(day if day is not None and str(day).strip() else today, field="date")
        if when > today:
            raise ValidationError(f"{when.isoformat()} is in the future; note a repair once it has happened",
                                  field="date")
        began = parse_date(happened, field="happened") if happened is not None and str(happened).strip() else when
        if began > when:
            raise ValidationError(f"the rupture ({began.isoformat()}) cannot come after the repair "
                                  f"({when.isoformat()})", field="happened")
        words = clean_words(topic, field="topic", max_length=MAX_TOPIC, what="what it was about, in a few words")
        assert words is not None
        body = RepairBody(topic=words, own=parse_note(own, field="own"), offer=parse_note(offer, field="offer"),
                          align=parse_note(align, field="align"))
        return cls(person=parse_person(person), day=when, number=parse_number(number), happened=began,
                   shared=parse_shared(shared), body=body, active=bool(active))

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.person, self.day.isoformat(), self.number)

    @property
    def days_to_repair(self) -> int:
        """Days from the rupture to the repair (0: the same day)."""
        return (self.day - self.happened).days

    def content(self) -> tuple[Any, ...]:
        return (self.happened, self.shared, self.body, self.active)


def topic_key(topic: str) -> str:
    """Topics compared for counting: case and spacing do not matter."""
    return " ".join(topic.casefold().split())


# -- CSV --------------------------------------------------------------------------------------------


def parse_repairs(text: str | Iterable[str], name: str = "<csv>", *, today: dt.date | None = None) -> list[Repair]:
    """Parse and validate repair CSV (all or nothing); raise :class:`~reflect.errors.ImportFileError`."""
    from reflect.domain.csvio import csv_rows, raise_problems

    problems: list[ValidationError] = []
    repairs: list[Repair] = []
    first_line: dict[tuple[str, str, int], int] = {}
    for line, row in csv_rows(text, name, COLUMNS, problems, optional=OPTIONAL,
                                   export="reflect repair export"):
        where = f"{name}, line {line}"
        try:
            if not row["date"].strip():
                raise ValidationError("a date is required (YYYY-MM-DD)", field="date")
            repair = Repair.create(person=row["person"], day=row["date"], number=row["number"],
                                   happened=row["happened"], topic=row["topic"], own=row["own"],
                                   offer=row["offer"], align=row["align"], shared=row["shared"], today=today)
        except ValidationError as exc:
            problems.append(exc.located(where))
            continue
        if repair.key in first_line:
            problems.append(ValidationError(f"the same person, date and number as line {first_line[repair.key]}",
                                            field="number", where=where))
            continue
        first_line[repair.key] = line
        repairs.append(repair)
    raise_problems(name, problems)
    return repairs


def write_repairs(repairs: Iterable[Repair], out: IO[str], *, cells: FormulaCells | None = None) -> int:
    """Write repairs whose words are known, ordered by date, person and number."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for r in sorted(repairs, key=lambda r: (r.day, r.person, r.number)):
        if r.body is None:
            raise ValueError("a repair whose words are not known cannot be written")
        row = [r.day.isoformat(), r.person, str(r.number), "" if r.happened == r.day else r.happened.isoformat(),
               r.body.topic, r.body.own or "", r.body.offer or "", r.body.align or "", "yes" if r.shared else "no"]
        writer.writerow(cells(row) if cells is not None else row)
        n += 1
    return n


def to_csv(repairs: Iterable[Repair], *, cells: FormulaCells | None = None) -> str:
    buf = io.StringIO()
    write_repairs(repairs, buf, cells=cells)
    return buf.getvalue()


__all__ = ["COLUMNS", "HEADER", "MAX_NUMBER", "MAX_TOPIC", "OPTIONAL", "STEPS", "STEP_WORDS", "Repair", "RepairBody",
           "parse_repairs", "parse_shared", "to_csv", "topic_key", "write_repairs"]
