"""Appreciations: one line, whenever one feels it, "what I appreciated about you".

An **appreciation** is written by one person (its writer) for the partner, on a day. Its words are
the writer's: sealed like notes for a person with a passphrase, and sealed for the partner too, who
reads it when they next sign in (once as new, then in their list for rereading). Nobody else reads it.

Its key is (person, day, number): the writer's first appreciation of a day is number 1. Saving it
again with other words supersedes the earlier version; every version stays in the history.

The CSV format (the contract), UTF-8 with a header row::

    date,person,number,text

``date`` is ``YYYY-MM-DD``; ``person`` is the writer; ``number`` may be empty (1); ``text`` is the
one line itself. An import may leave out the column ``number`` (:data:`OPTIONAL`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from reflect.domain.checkin import parse_date, parse_person
from reflect.domain.text import clean_words
from reflect.errors import ValidationError

if TYPE_CHECKING:
    from reflect.domain.csvio import FormulaCells

#: An appreciation is one line: long enough for "When you ..., I felt ...", short enough to stay one.
MAX_LENGTH = 280
#: The most appreciations one person writes in a day (each has its number).
MAX_NUMBER = 99
#: The daily ritual that writing an appreciation logs (see :mod:`reflect.domain.rituals`).
RITUAL_KIND = "appreciation"

COLUMNS: tuple[str, ...] = ("date", "person", "number", "text")
HEADER = ",".join(COLUMNS)
#: The columns a file to import may leave out (their cells are then empty; an export writes them all).
OPTIONAL: tuple[str, ...] = ("number",)


def parse_text(value: Any, *, field: str = "text") -> str:
    """One line of appreciation: trimmed, not empty, at most :data:`MAX_LENGTH` characters, no line break."""
    if isinstance(value, str) and ("\n" in value.strip() or "\r" in value.strip()):
        raise ValidationError("an appreciation is one line; write it without line breaks", field=field)
    words = clean_words(value, field=field, max_length=MAX_LENGTH, what="what you appreciated, in one line")
    assert words is not None
    return words


def parse_number(value: Any, *, field: str = "number") -> int:
    """An appreciation's number within its writer's day: 1 to :data:`MAX_NUMBER` (empty: 1)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1
    if isinstance(value, bool):
        raise ValidationError(f"{value!r} is not a number from 1 to {MAX_NUMBER}", field=field)
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_NUMBER:
        raise ValidationError(f"{text!r} is not a number from 1 to {MAX_NUMBER}", field=field)
    return int(text)


@dataclass(frozen=True)
class Appreciation:
    """One appreciation, written by ``person``. Build it with :meth:`create`.

    ``text`` is ``None`` when it is read by someone who may not open it (a stranger, or the partner
    before it was sealed for them); ``new`` says, for its reader, that it was not shown to them before.
    """

    person: str
    day: dt.date
    number: int
    text: str | None
    to: str | None = None  # the partner it is for (None while the writer has no partner)
    new: bool = False

    @classmethod
    def create(cls, *, person: Any, text: Any, day: Any = None, number: Any = 1,
               today: dt.date | None = None) -> Appreciation:
        """Validate; raise :class:`ValidationError` naming the bad field."""
        today = today or dt.date.today()
        when = parse_date(day if day is not None and str(day).strip() else today, field="date")
        if when > today:
            raise ValidationError(f"{when.isoformat()} is in the future; an appreciation is for a day that has "
                                  "come", field="date")
        return cls(person=parse_person(person), day=when, number=parse_number(number), text=parse_text(text))

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.person, self.day.isoformat(), self.number)

    @property
    def month(self) -> str:
        return self.day.strftime("%Y-%m")


def same_words(a: str | None, b: str | None) -> bool:
    """Two appreciations say the same thing (case and spacing aside)."""
    def key(text: str | None) -> str:
        return " ".join((text or "").casefold().split())

    return key(a) == key(b)


# -- CSV --------------------------------------------------------------------------------------------


def parse_appreciations(text: str | Iterable[str], name: str = "<csv>", *,
                        today: dt.date | None = None) -> list[Appreciation]:
    """Parse and validate appreciation CSV (all or nothing); raise :class:`~reflect.errors.ImportFileError`."""
    from reflect.domain.csvio import csv_rows, raise_problems

    problems: list[ValidationError] = []
    items: list[Appreciation] = []
    first_line: dict[tuple[str, str, int], int] = {}
    for line, row in csv_rows(text, name, COLUMNS, problems, optional=OPTIONAL,
                              export="reflect appreciation export"):
        where = f"{name}, line {line}"
        try:
            if not row["date"].strip():
                raise ValidationError("a date is required (YYYY-MM-DD)", field="date")
            item = Appreciation.create(person=row["person"], day=row["date"], number=row["number"],
                                       text=row["text"], today=today)
        except ValidationError as exc:
            problems.append(exc.located(where))
            continue
        if item.key in first_line:
            problems.append(ValidationError(f"the same person, date and number as line {first_line[item.key]}",
                                            field="number", where=where))
            continue
        first_line[item.key] = line
        items.append(item)
    raise_problems(name, problems)
    return items


def write_appreciations(items: Iterable[Appreciation], out: IO[str], *, cells: FormulaCells | None = None) -> int:
    """Write appreciations whose words are known, ordered by date, person and number."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for a in sorted(items, key=lambda a: (a.day, a.person, a.number)):
        if a.text is None:
            raise ValueError("an appreciation whose words are not known cannot be written")
        row = [a.day.isoformat(), a.person, str(a.number), a.text]
        writer.writerow(cells(row) if cells is not None else row)
        n += 1
    return n


def to_csv(items: Iterable[Appreciation], *, cells: FormulaCells | None = None) -> str:
    buf = io.StringIO()
    write_appreciations(items, buf, cells=cells)
    return buf.getvalue()


__all__ = ["COLUMNS", "HEADER", "MAX_LENGTH", "MAX_NUMBER", "OPTIONAL", "RITUAL_KIND", "Appreciation",
           "parse_appreciations", "parse_number", "parse_text", "same_words", "to_csv", "write_appreciations"]
