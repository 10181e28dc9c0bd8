"""Life events: a move, a birth, a new job, an illness, a loss, marked with a date and a few words.

Intimacy ebbs and flows with life: the trend charts show events as annotations, and the report's
words take them into account ("passion dipped after the birth in March: common, and it tends to
come back"). An event belongs to the couple (either partner may mark it) and is shown to both.

Its key is (day, kind): marking the same kind on the same day again supersedes the earlier words
(every version stays in the history); taking it back (``active=False``) keeps it there too.

The CSV format (the contract), UTF-8 with a header row::

    date,kind,words

``date`` is ``YYYY-MM-DD``; ``kind`` one of :data:`KINDS` (empty: ``other``); ``words`` a few words.

An import may leave out the column ``kind`` (:data:`OPTIONAL`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from reflect.domain.checkin import parse_date
from reflect.domain.text import clean_words
from reflect.errors import ValidationError

if TYPE_CHECKING:
    from reflect.domain.csvio import FormulaCells

#: The kinds of event, with their name (as in "after the birth") and a word of context for the
#: trend words: what such an event tends to do, said kindly.
KINDS: dict[str, tuple[str, str]] = {
    "birth": ("the birth", "common after a birth, and it tends to come back"),
    "move": ("the move", "a move unsettles most couples for a while"),
    "new-job": ("the new job", "a new job takes energy from everything else for a while"),
    "illness": ("the illness", "illness takes a lot out of both of you; be gentle with each other"),
    "loss": ("the loss", "grief keeps its own time; be gentle with each other"),
    "distance": ("the time apart", "time apart asks for small rituals of reconnection"),
    "other": ("it", "life events move these numbers, and they tend to settle again"),
}
KIND_LABELS = {"birth": "A birth", "move": "A move", "new-job": "A new job", "illness": "An illness",
               "loss": "A loss", "distance": "Time apart (long distance)", "other": "Something else"}
MAX_WORDS = 80
COLUMNS: tuple[str, ...] = ("date", "kind", "words")
HEADER = ",".join(COLUMNS)
#: The columns a file to import may leave out (their cells are then empty; an export writes them all).
OPTIONAL: tuple[str, ...] = ("kind",)


def parse_event_kind(value: Any, *, field: str = "kind") -> str:
    text = str(value).strip().lower().replace(" ", "-").replace("_", "-") if value is not None else ""
    if not text:
        return "other"
    if text not in KINDS:
        raise ValidationError(f"{str(value).strip()!r} is not a kind of life event; use one of "
                              f"{', '.join(KINDS)}", field=field)
    return text


@dataclass(frozen=True)
class LifeEvent:
    """Something that happened to the two of you on ``day``. Build it with :meth:`create`."""

    day: dt.date
    kind: str
    words: str
    active: bool = True

    @classmethod
    def create(cls, *, day: Any, words: Any, kind: Any = None, active: bool = True,
               today: dt.date | None = None) -> LifeEvent:
        when = parse_date(day)
        if when > (today or dt.date.today()):
            raise ValidationError(f"{when.isoformat()} is in the future; mark a life event once it has happened",
                                  field="date")
        text = clean_words(words, field="words", max_length=MAX_WORDS, what="a few words to remember it by")
        assert text is not None
        return cls(day=when, kind=parse_event_kind(kind), words=text, active=bool(active))

    @property
    def key(self) -> tuple[str, str]:
        return (self.day.isoformat(), self.kind)

    @property
    def month(self) -> str:
        return f"{self.day.year:04d}-{self.day.month:02d}"

    @property
    def name(self) -> str:
        """How the words refer to it: "the birth", or its own words for something else."""
        return self.words if self.kind == "other" else KINDS[self.kind][0]

    def content(self) -> tuple[Any, ...]:
        return (self.words, self.active)


# -- CSV --------------------------------------------------------------------------------------------


def parse_events(text: str | Iterable[str], name: str = "<csv>", *, today: dt.date | None = None) -> list[LifeEvent]:
    """Parse and validate life-event CSV (all or nothing); raise :class:`~reflect.errors.ImportFileError`."""
    from reflect.domain.csvio import csv_rows, raise_problems

    problems: list[ValidationError] = []
    events: list[LifeEvent] = []
    first_line: dict[tuple[str, str], int] = {}
    for line, row in csv_rows(text, name, COLUMNS, problems, optional=OPTIONAL,
                                   export="reflect event export"):
        where = f"{name}, line {line}"
        try:
            event = LifeEvent.create(day=row["date"], kind=row["kind"], words=row["words"], today=today)
        except ValidationError as exc:
            problems.append(exc.located(where))
            continue
        if event.key in first_line:
            problems.append(ValidationError(f"the same date and kind as line {first_line[event.key]}", field="kind",
                                            where=where))
            continue
        first_line[event.key] = line
        events.append(event)
    raise_problems(name, problems)
    return events


def write_events(events: Iterable[LifeEvent], out: IO[str], *, cells: FormulaCells | None = None) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for e in sorted(events, key=lambda e: e.key):
        row = [e.day.isoformat(), e.kind, e.words]
        writer.writerow(cells(row) if cells is not None else row)
        n += 1
    return n


def to_csv(events: Iterable[LifeEvent], *, cells: FormulaCells | None = None) -> str:
    buf = io.StringIO()
    write_events(events, buf, cells=cells)
    return buf.getvalue()
