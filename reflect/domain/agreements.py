"""Agreements: one small thing we'll try next month, and, a month later, "did we?".

The guides' "align: agree on one small change" and "small promises kept are intimacy's
scaffolding", as records. An **agreement** belongs to the couple: a few words for the month it is
for, optionally tied to a dimension or a ritual. Its key is (month, number): the first agreement of
a month is number 1, a second one 2, and so on; saving it again supersedes the earlier version
(every version stays in the history), and taking it back (``active=False``) keeps it there too.

Each partner answers **"did we?"** for the month's agreements: *yes*, *partly* or *not yet*. An
answer's key is (month, number, person); a new answer supersedes the earlier one.

The CSV format (the contract), UTF-8 with a header row::

    month,number,text,dimension,ritual,person,did_we

A row with an empty ``person`` is an agreement (``text`` required, ``did_we`` empty); a row with a
``person`` is that person's answer to the agreement (month, number) (``did_we`` required: ``yes``,
``partly`` or ``not yet``; ``text``, ``dimension`` and ``ritual`` empty). ``dimension`` is a
dimension key (``physical``...) or empty; ``ritual`` a ritual kind (``phone-free``...) or empty.

An import may leave out every column but ``month`` and ``number`` (:data:`OPTIONAL`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from reflect.domain.checkin import parse_person
from reflect.domain.dimensions import BY_KEY, KEYS
from reflect.domain.months import add_months, month_of, month_start, parse_month
from reflect.domain.rituals import parse_kind
from reflect.domain.text import clean_words
from reflect.errors import ValidationError

if TYPE_CHECKING:
    from reflect.domain.csvio import FormulaCells

#: The answers to "did we?", as stored and written in CSV.
YES, PARTLY, NOT_YET = "yes", "partly", "not yet"
ANSWERS: tuple[str, ...] = (YES, PARTLY, NOT_YET)
#: How much of an agreement an answer says was kept (a month keeps its agreements at 0.75 or more).
ANSWER_VALUE = {YES: 1.0, PARTLY: 0.5, NOT_YET: 0.0}
MAX_TEXT = 200
MAX_NUMBER = 9

COLUMNS: tuple[str, ...] = ("month", "number", "text", "dimension", "ritual", "person", "did_we")
HEADER = ",".join(COLUMNS)
#: The columns a file to import may leave out (their cells are then empty; an export writes them all).
OPTIONAL: tuple[str, ...] = ("text", "dimension", "ritual", "person", "did_we")


def parse_answer(value: Any, *, field: str = "did_we") -> str:
    """``yes``, ``partly`` or ``not yet`` (``not-yet`` and any case are accepted)."""
    text = " ".join(str(value).replace("-", " ").replace("_", " ").split()).lower() if value is not None else ""
    if text not in ANSWERS:
        shown = "" if value is None else str(value).strip()
        raise ValidationError(f"{shown!r} is not an answer to \u201cdid we?\u201d; use yes, partly or not yet",
                              field=field)
    return text


def parse_number(value: Any, *, field: str = "number") -> int:
    """An agreement's number within its month: 1 to :data:`MAX_NUMBER`."""
    if isinstance(value, bool):
        raise ValidationError(f"{value!r} is not a number from 1 to {MAX_NUMBER}", field=field)
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip() if value is not None else ""
        if not text.isdigit():
            raise ValidationError(f"{text!r} is not a number from 1 to {MAX_NUMBER}", field=field)
        number = int(text)
    if not 1 <= number <= MAX_NUMBER:
        raise ValidationError(f"{number} is not a number from 1 to {MAX_NUMBER}", field=field)
    return number


def parse_dimension(value: Any, *, field: str = "dimension") -> str | None:
    """A dimension key, or ``None`` for none."""
    text = str(value).strip().lower() if value is not None else ""
    if not text:
        return None
    if text not in BY_KEY:
        raise ValidationError(f"{text!r} is not a dimension; use one of {', '.join(KEYS)}", field=field)
    return text


def parse_ritual(value: Any, *, field: str = "ritual") -> str | None:
    """A ritual kind (``phone-free``...), or ``None`` for none."""
    if value is None or not str(value).strip():
        return None
    return parse_kind(value, field=field)


def latest_month(today: dt.date | None = None) -> str:
    """The latest month an agreement can be for: the month after this one."""
    return add_months(month_of(today or dt.date.today()), 1)


@dataclass(frozen=True)
class Agreement:
    """One small thing the couple will try in ``month``. Build it with :meth:`create`."""

    month: str
    number: int
    text: str
    dimension: str | None = None
    ritual: str | None = None
    active: bool = True

    @classmethod
    def create(cls, *, month: Any, text: Any, number: Any = 1, dimension: Any = None, ritual: Any = None,
               active: bool = True, today: dt.date | None = None) -> Agreement:
        """Validate; raise :class:`ValidationError` naming the bad field. An agreement can be for any
        month up to the next one (it is written at the end of a month, for the month to come)."""
        checked = parse_month(month)
        if checked > latest_month(today):
            raise ValidationError(f"{checked} is too far ahead: an agreement is for this month or the next",
                                  field="month")
        words = clean_words(text, field="text", max_length=MAX_TEXT, what="one small thing to try, in a few words")
        assert words is not None
        return cls(month=checked, number=parse_number(number), text=words, dimension=parse_dimension(dimension),
                   ritual=parse_ritual(ritual), active=bool(active))

    @property
    def key(self) -> tuple[str, int]:
        return (self.month, self.number)

    def content(self) -> tuple[Any, ...]:
        return (self.text, self.dimension, self.ritual, self.active)


@dataclass(frozen=True)
class AgreementAnswer:
    """One person's answer to "did we?" for the agreement (month, number)."""

    month: str
    number: int
    person: str
    answer: str

    @classmethod
    def create(cls, *, month: Any, person: Any, answer: Any, number: Any = 1,
               today: dt.date | None = None) -> AgreementAnswer:
        checked = parse_month(month)
        if month_start(checked) > (today or dt.date.today()):
            raise ValidationError(f"{checked} has not begun yet: \u201cdid we?\u201d is asked once the month is "
                                  "under way", field="month")
        return cls(month=checked, number=parse_number(number), person=parse_person(person),
                   answer=parse_answer(answer))

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.month, self.number, self.person)


# -- CSV --------------------------------------------------------------------------------------------


def parse_agreements(text: str | Iterable[str], name: str = "<csv>", *, known: Iterable[tuple[str, int]] = (),
                     today: dt.date | None = None) -> tuple[list[Agreement], list[AgreementAnswer]]:
    """Parse and validate agreements CSV (all or nothing): the agreements and the answers.

    ``known`` are the (month, number) of agreements the store already holds: an answer must be to
    one of them or to one in the file. Raises :class:`~reflect.errors.ImportFileError` naming the
    file, line and column of every problem.
    """
    from reflect.domain.csvio import csv_rows, raise_problems

    problems: list[ValidationError] = []
    agreements: list[Agreement] = []
    answers: list[tuple[int, AgreementAnswer]] = []
    first_line: dict[tuple[Any, ...], int] = {}
    for line, row in csv_rows(text, name, COLUMNS, problems, optional=OPTIONAL,
                                   export="reflect agreement export"):
        where = f"{name}, line {line}"
        try:
            if not row["person"].strip():
                if row["did_we"].strip():
                    raise ValidationError("an agreement row has no answer; answers are rows with a person",
                                          field="did_we")
                item: Agreement | AgreementAnswer = Agreement.create(
                    month=row["month"], number=row["number"], text=row["text"], dimension=row["dimension"],
                    ritual=row["ritual"], today=today)
            else:
                for column in ("text", "dimension", "ritual"):
                    if row[column].strip():
                        raise ValidationError("an answer row (with a person) leaves this empty", field=column)
                item = AgreementAnswer.create(month=row["month"], number=row["number"], person=row["person"],
                                              answer=row["did_we"], today=today)
        except ValidationError as exc:
            problems.append(exc.located(where))
            continue
        if item.key in first_line:
            what = "agreement" if isinstance(item, Agreement) else "person's answer to the same agreement"
            problems.append(ValidationError(f"the same {what} as line {first_line[item.key]}", field="number",
                                            where=where))
            continue
        first_line[item.key] = line
        if isinstance(item, Agreement):
            agreements.append(item)
        else:
            answers.append((line, item))
    have = set(known) | {a.key for a in agreements}
    for line, answer in answers:
        if (answer.month, answer.number) not in have:
            problems.append(ValidationError(
                f"there is no agreement {answer.number} for {answer.month} to answer (in the file or the store)",
                field="number", where=f"{name}, line {line}"))
    raise_problems(name, sorted(problems, key=_line_of))
    return agreements, [a for _, a in answers]


def _line_of(problem: ValidationError) -> int:
    where = problem.where or ""
    tail = where.rsplit("line ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def write_agreements(agreements: Iterable[Agreement], answers: Iterable[AgreementAnswer], out: IO[str], *,
                     cells: FormulaCells | None = None) -> int:
    """Write agreements, each followed by its answers (by person), ordered by month and number."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    by_key: dict[tuple[str, int], list[AgreementAnswer]] = {}
    for answer in answers:
        by_key.setdefault((answer.month, answer.number), []).append(answer)
    n = 0
    for a in sorted(agreements, key=lambda a: a.key):
        rows = [[a.month, str(a.number), a.text, a.dimension or "", a.ritual or "", "", ""]]
        rows += [[r.month, str(r.number), "", "", "", r.person, r.answer]
                 for r in sorted(by_key.get(a.key, []), key=lambda r: r.person)]
        for row in rows:
            writer.writerow(cells(row) if cells is not None else row)
            n += 1
    return n


def to_csv(agreements: Iterable[Agreement], answers: Iterable[AgreementAnswer], *,
           cells: FormulaCells | None = None) -> str:
    buf = io.StringIO()
    write_agreements(agreements, answers, buf, cells=cells)
    return buf.getvalue()
