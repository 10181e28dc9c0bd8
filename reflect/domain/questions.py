"""The question of the week: a bank of questions that deepen step by step, and each partner's answer.

The **bank** is data (``reflect/bank/questions.toml``, read with :mod:`importlib.resources`): each
question has an id, a **dimension** (passion and the five dimensions of intimacy) and a **depth**
(light, deeper, deepest). :func:`load_bank` checks every entry; a bad one is an error naming the
file and the line of its ``[[question]]``.

**The week's question** is chosen, without any state, from the ISO week and the couple's depth:
each depth's questions are put in one fixed order (the dimensions taking turns), and week number
``n`` (counted from a fixed Monday) at depth ``d`` gets question ``n mod len(d)`` of that order.
So a question of index ``i`` can only ever be asked in weeks ``n = i (mod len(d))``: two weeks
that ask it are at least ``len(d)`` weeks apart, whatever the depth did in between. With 53 or
more questions of each depth (:data:`MIN_PER_DEPTH`, checked when the bank is read) that is more
than a year. (Adding questions to the bank changes the order from then on; answers keep the id of
the question they answered.)

An **answer** is one person's words to the week's question (:class:`QuestionAnswer`), keyed by
person and week (its Monday). The CSV format (the contract), UTF-8 with a header row::

    week,person,question,answer

``week`` is the week's Monday (``YYYY-MM-DD``; another day of the week is read as its Monday),
``question`` a question id of the bank, ``answer`` the words (line breaks allowed, standard CSV
quoting).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import zip_longest
from typing import IO, TYPE_CHECKING, Any

from reflect.domain.checkin import parse_date, parse_note, parse_person, period_start
from reflect.domain.dimensions import KEYS
from reflect.domain.text import clean_words
from reflect.errors import ValidationError

if TYPE_CHECKING:
    from reflect.domain.csvio import FormulaCells

#: How deep the questions go, lightest first; a couple starts light.
DEPTHS: tuple[str, ...] = ("light", "deeper", "deepest")
DEPTH_WORDS = {"light": "light questions", "deeper": "deeper questions", "deepest": "the deepest questions"}
#: Each depth needs this many questions, so that none comes back within a year (52 or 53 ISO weeks).
MIN_PER_DEPTH = 53
MAX_QUESTION = 200
MAX_ANSWER = 4000
#: The Monday that week number 0 starts on.
EPOCH = dt.date(2001, 1, 1)
BANK_FILE = "questions.toml"
_FIELDS = ("id", "dimension", "depth", "text")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

COLUMNS: tuple[str, ...] = ("week", "person", "question", "answer")
HEADER = ",".join(COLUMNS)


@dataclass(frozen=True)
class Question:
    id: str
    dimension: str
    depth: str
    text: str


class Bank:
    """The questions, by id, and each depth's questions in the order the weeks ask them."""

    def __init__(self, questions: Iterable[Question]):
        self.questions = tuple(questions)
        self.by_id = {q.id: q for q in self.questions}
        self.order: dict[str, tuple[Question, ...]] = {}
        for depth in DEPTHS:
            cells = [[q for q in self.questions if q.depth == depth and q.dimension == key] for key in KEYS]
            self.order[depth] = tuple(q for turn in zip_longest(*cells) for q in turn if q is not None)

    def __len__(self) -> int:
        return len(self.questions)

    def __getitem__(self, question_id: str) -> Question:
        return self.by_id[question_id]

    def for_week(self, week: dt.date, depth: str) -> Question:
        """The question of the ISO week holding ``week`` at ``depth``."""
        order = self.order[parse_depth(depth)]
        return order[week_number(week) % len(order)]


def parse_depth(value: Any, *, field: str = "depth") -> str:
    text = str(value).strip().lower() if value is not None else ""
    if text not in DEPTHS:
        raise ValidationError(f"{text!r} is not a depth (one of {', '.join(DEPTHS)})", field=field)
    return text


def week_of(day: Any, *, field: str = "week") -> dt.date:
    """The Monday of the ISO week holding ``day`` (a date or ``YYYY-MM-DD``)."""
    return period_start(parse_date(day, field=field), "weekly")


def week_number(day: dt.date) -> int:
    """Weeks from :data:`EPOCH` to the week holding ``day``."""
    return (week_of(day) - EPOCH).days // 7


def week_words(monday: dt.date) -> str:
    """"the week of 30 November 2026"."""
    return f"the week of {monday.day} {monday:%B %Y}"


# -- the bank ----------------------------------------------------------------------------------------


def _entry_lines(text: str) -> list[int]:
    """The line of each ``[[question]]`` header, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip().replace(" ", "") == "[[question]]"]


def load_bank(text: str, name: str = BANK_FILE) -> Bank:
    """Read and check a bank; raise :class:`ValidationError` naming the file and line of the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        where = f"{name}, line {found[1]}" if found else name
        raise ValidationError(f"not a valid question file ({exc})", where=where) from None
    entries = data.get("question")
    unknown = sorted(set(data) - {"question"})
    if unknown:
        raise ValidationError(f"unknown table {unknown[0]!r}: the file holds [[question]] entries only", where=name)
    if not isinstance(entries, list) or not entries:
        raise ValidationError("no [[question]] entries", where=name)
    lines = _entry_lines(text)
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        line = lines[i] if i < len(lines) else 0
        where = f"{name}, line {line}" if line else f"{name}, question {i + 1}"
        question = _question(entry, where)
        if question.id in seen:
            raise ValidationError(f"the id {question.id!r} is used twice (also on line {seen[question.id]})",
                                  field="id", where=where)
        seen[question.id] = line
        questions.append(question)
    for depth in DEPTHS:
        have = sum(q.depth == depth for q in questions)
        if have < MIN_PER_DEPTH:
            raise ValidationError(f"{have} {depth} questions; each depth needs at least {MIN_PER_DEPTH}, so that "
                                  "no question comes back within a year", where=name)
    return Bank(questions)


def _question(entry: Any, where: str) -> Question:
    if not isinstance(entry, dict):
        raise ValidationError("a question is a table of id, dimension, depth and text", where=where)
    extra = sorted(set(entry) - set(_FIELDS))
    if extra:
        raise ValidationError(f"unknown field {extra[0]!r} (a question has {', '.join(_FIELDS)})", where=where)
    for key in _FIELDS:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ValidationError("missing, or not text", field=key, where=where)
    if not _ID_RE.match(entry["id"]):
        raise ValidationError(f"{entry['id']!r} is not an id (small letters, digits and dashes)", field="id",
                              where=where)
    if entry["dimension"] not in KEYS:
        raise ValidationError(f"{entry['dimension']!r} is not a dimension (one of {', '.join(KEYS)})",
                              field="dimension", where=where)
    try:
        depth = parse_depth(entry["depth"])
        text = clean_words(entry["text"], field="text", max_length=MAX_QUESTION, what="the question")
    except ValidationError as exc:
        raise exc.located(where) from None
    if entry["depth"] != depth:
        raise ValidationError(f"write the depth as {depth!r}", field="depth", where=where)
    assert text is not None
    return Question(id=entry["id"], dimension=entry["dimension"], depth=depth, text=text)


@cache
def bank() -> Bank:
    """The kit's own bank (``reflect/bank/questions.toml``), read once."""
    source = resources.files("reflect.bank").joinpath(BANK_FILE)
    return load_bank(source.read_text(encoding="utf-8"), f"reflect/bank/{BANK_FILE}")


# -- answers -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionAnswer:
    """One person's answer to the question of one week. ``text`` is ``None`` when read by someone it is
    not shown to (the partner before both have answered, a visitor): then only that there is one is known."""

    person: str
    week: dt.date
    question: str
    text: str | None

    @classmethod
    def create(cls, *, person: Any, week: Any, question: Any, text: Any, today: dt.date | None = None,
               questions: Bank | None = None) -> QuestionAnswer:
        """Validate; raise :class:`ValidationError` naming the bad field."""
        monday = week_of(week if week is not None and str(week).strip() else "", field="week")
        if today is not None and monday > week_of(today):
            raise ValidationError(f"the week of {monday.isoformat()} has not begun yet", field="week")
        qid = str(question).strip() if question is not None else ""
        if qid not in (questions or bank()).by_id:
            raise ValidationError(f"{qid!r} is not a question of the bank" if qid else "a question id is required",
                                  field="question")
        words = parse_note(text, field="answer")
        if words is None:
            raise ValidationError("this cannot be empty (your answer, in a few words)", field="answer")
        if len(words) > MAX_ANSWER:
            raise ValidationError(f"an answer can be at most {MAX_ANSWER:,} characters (this one has {len(words):,})",
                                  field="answer")
        return cls(person=parse_person(person), week=monday, question=qid, text=words)

    @property
    def key(self) -> tuple[str, str]:
        return (self.person, self.week.isoformat())


def parse_answers(text: str | Iterable[str], name: str = "<csv>", *,
                  today: dt.date | None = None) -> list[QuestionAnswer]:
    """Parse and validate answers CSV (all or nothing); raise :class:`~reflect.errors.ImportFileError`."""
    from reflect.domain.csvio import csv_rows, raise_problems

    problems: list[ValidationError] = []
    answers: list[QuestionAnswer] = []
    first_line: dict[tuple[str, str], int] = {}
    for line, row in csv_rows(text, name, COLUMNS, problems, export="reflect question export"):
        where = f"{name}, line {line}"
        try:
            answer = QuestionAnswer.create(person=row["person"], week=row["week"], question=row["question"],
                                           text=row["answer"], today=today)
        except ValidationError as exc:
            problems.append(exc.located(where))
            continue
        if answer.key in first_line:
            problems.append(ValidationError(f"the same person and week as line {first_line[answer.key]}",
                                            field="week", where=where))
            continue
        first_line[answer.key] = line
        answers.append(answer)
    raise_problems(name, problems)
    return answers


def write_answers(answers: Iterable[QuestionAnswer], out: IO[str], *, cells: FormulaCells | None = None) -> int:
    """Write answers whose words are known, by week and person."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for a in sorted(answers, key=lambda a: (a.week, a.person)):
        if a.text is None:
            raise ValueError("an answer whose words are not known cannot be written")
        row = [a.week.isoformat(), a.person, a.question, a.text]
        writer.writerow(cells(row) if cells is not None else row)
        n += 1
    return n


def to_csv(answers: Iterable[QuestionAnswer], *, cells: FormulaCells | None = None) -> str:
    buf = io.StringIO()
    write_answers(answers, buf, cells=cells)
    return buf.getvalue()


__all__ = ["COLUMNS", "DEPTHS", "DEPTH_WORDS", "EPOCH", "HEADER", "MAX_ANSWER", "MIN_PER_DEPTH", "Bank", "Question",
           "QuestionAnswer", "bank", "load_bank", "parse_answers", "parse_depth", "to_csv", "week_number", "week_of",
           "week_words", "write_answers"]
