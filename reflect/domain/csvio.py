"""CSV interchange: the exact file format for importing and exporting check-ins.

UTF-8, a header row, one check-in per row, the columns of :data:`COLUMNS` in that order. Reading
is all-or-nothing: :func:`read_checkins` returns every row validated or raises
:class:`~reflect.errors.ImportFileError` naming the file, line and column of each problem.
Writing is deterministic, so export -> import -> export gives the same bytes.

Reading is kind to files made in a spreadsheet: the columns of :data:`OPTIONAL` may be left out
(their cells are then empty), a byte-order mark before the header is skipped, and a file
separated by semicolons (as spreadsheets save "CSV" where the comma is the decimal mark) is read
as such when its header says so unambiguously (:func:`header_delimiter`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import repeat
from typing import IO, Any

from reflect.domain.checkin import (
    CheckIn,
    begun_period,
    parse_cadence,
    parse_note,
    parse_person,
    parse_rating,
    parse_weighing,
)
from reflect.domain.dimensions import DESIRED_KEYS, KEYS
from reflect.errors import ImportFileError, ValidationError

COLUMNS: tuple[str, ...] = ("date", "person", "cadence", *KEYS, *DESIRED_KEYS, "note")
HEADER = ",".join(COLUMNS)
#: How life is weighing (1 to 10, optional): the last column, written by an export only when a check-in
#: it writes holds one (so that a store without any writes the files it always wrote).
WEIGHING = "weighing"
#: The columns an import reads: :data:`COLUMNS`, then :data:`WEIGHING`.
IMPORT_COLUMNS: tuple[str, ...] = (*COLUMNS, WEIGHING)
#: The columns a file to import may leave out (an export always writes all of them).
OPTIONAL: tuple[str, ...] = ("cadence", *DESIRED_KEYS, "note", WEIGHING)
#: Stop collecting problems after this many (the first ones are what a person fixes first).
MAX_PROBLEMS = 50


def csv_rows(
    text: str | Iterable[str], name: str, columns: Sequence[str], problems: list[ValidationError], *,
    optional: Collection[str] = (), export: str = "reflect export",
) -> Iterator[tuple[int, dict[str, str]]]:
    """Like :func:`csv_fields`, with each row as a dict by column."""
    for line, fields in csv_fields(text, name, columns, problems, optional=optional, export=export):
        yield line, dict(zip(columns, fields, strict=True))


def header_delimiter(line: str) -> str:
    """The delimiter of a CSV file, from its header line: ``;`` when the header splits into several
    cells with ``;`` and into one with ``,`` (a file a spreadsheet saved with semicolons), else ``,``.

    The header alone decides, and it is known, so this is a check rather than a guess:
    :class:`csv.Sniffer` guesses from how often characters recur in a sample (the notes too) and
    may pick a space or a quote, or give up on a short file; a header that is neither is refused
    by the header check, naming its columns.
    """
    def cells(delimiter: str) -> int:
        try:
            return len(next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter)))
        except (csv.Error, StopIteration):
            return 0

    return ";" if cells(",") == 1 and cells(";") > 1 else ","


def header_columns(line: str) -> list[str]:
    """The column names of a CSV header line, as the import reads them (its delimiter, trimmed, in
    lower case; a byte-order mark skipped)."""
    line = line.lstrip("\ufeff")
    try:
        cells = next(csv.reader([line.rstrip("\r\n")], delimiter=header_delimiter(line)))
    except (csv.Error, StopIteration):
        return []
    return [c.strip().lower() for c in cells]


def csv_fields(
    text: str | Iterable[str], name: str, columns: Sequence[str], problems: list[ValidationError], *,
    optional: Collection[str] = (), export: str = "reflect export",
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, fields)`` for each data row of CSV ``text`` (a string, or lines as an open
    text file gives them, read as they come) whose header holds ``columns`` (in any order; those of
    ``optional`` may be left out, and are then empty); ``fields`` are in the order of ``columns``;
    ``line`` is the row's first line in the file. A byte-order mark is skipped, and a file separated
    by semicolons is read as such (:func:`header_delimiter`).

    A bad header raises :class:`ImportFileError` at once, in one short line naming what is wrong
    (``export``: the command whose files show the full header); a row with the wrong number of
    fields or broken quoting is added to ``problems``; blank lines are skipped; reading stops once
    :data:`MAX_PROBLEMS` problems are known.
    """
    empty = ImportFileError(
        name, [ValidationError(f"the file is empty; expected a header row ({_full_header(export)})",
                               where=f"{name}, line 1")]
    )
    lines = iter(io.StringIO(text, newline="") if isinstance(text, str) else text)
    peeked: list[str] = []
    for raw in lines:  # blank lines, then the header's first line
        if not peeked and raw.startswith("\ufeff"):
            raw = raw[1:]  # a byte-order mark (a file opened as utf-8-sig has none left)
        peeked.append(raw)
        if raw.strip():
            break
    delimiter = header_delimiter(peeked[-1]) if peeked else ","
    reader = csv.reader(itertools.chain(peeked, lines), strict=True, delimiter=delimiter)
    try:  # a spreadsheet may capitalise the header ("Date,Person,..."): names are matched in lower case
        header = [h.strip().lower() for h in next(reader)]
        while not any(header):  # blank lines before the header
            header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise empty from None
    except csv.Error as exc:
        raise ImportFileError(name, [ValidationError(f"unreadable CSV ({exc})", where=f"{name}, line 1")]) from None
    missing = [c for c in columns if c not in header and c not in optional]
    unknown = [h for h in header if h not in columns]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if missing or unknown or dupes:
        if missing:
            msg = f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} ({_full_header(export)})"
        elif unknown:
            shown = ", ".join(repr(h) if not h or h != h.strip() else h for h in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            msg = f"unknown column{'s' if len(unknown) > 1 else ''} {shown}{more} ({_full_header(export)})"
        else:
            msg = f"column {dupes[0]} appears twice"
        if delimiter == ";":
            msg = f"separated by semicolons; {msg}"
        raise ImportFileError(name, [ValidationError(msg, where=f"{name}, line 1")])
    order = [header.index(c) if c in header else -1 for c in columns]
    in_order = order == list(range(len(columns)))
    width = len(header)
    last_line = reader.line_num
    while len(problems) < MAX_PROBLEMS:
        start_line = last_line + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(ValidationError(f"unreadable CSV ({exc})", where=f"{name}, line {reader.line_num}"))
            return
        last_line = reader.line_num
        if not any(fields) or (not fields[0].strip() and all(not f.strip() for f in fields)):
            continue  # a blank line
        if len(fields) != width:
            problems.append(ValidationError(f"expected {width} fields, found {len(fields)}",
                                            where=f"{name}, line {start_line}"))
            continue
        yield start_line, fields if in_order else [fields[i] if i >= 0 else "" for i in order]


def _full_header(export: str) -> str:
    """Where the full header is shown (a bad header's message stays one short line)."""
    return f"see `{export}` or the README for the full header"


def raise_problems(name: str, problems: list[ValidationError]) -> None:
    """Raise :class:`ImportFileError` if anything was wrong (all or nothing)."""
    if problems:
        raise ImportFileError(name, problems, truncated=len(problems) >= MAX_PROBLEMS)


_SCORES = slice(3, 3 + len(KEYS))
_DESIRED = slice(3 + len(KEYS), 3 + 2 * len(KEYS))
_NOTE = 3 + 2 * len(KEYS)
_UNSEEN = object()


class CheckinRows:
    """Checks CSV rows of check-ins by the rules of :meth:`CheckIn.create` (the same functions, in
    the same order, so the same messages), remembering each value already checked: a big file
    repeats few distinct names, dates and ratings, so a million rows check in seconds."""

    def __init__(self) -> None:
        self._people: dict[str, str] = {}
        self._cadences: dict[str, str] = {}
        self._starts: dict[tuple[str, str], str] = {}
        self._scores: dict[str, int] = {}
        self._desired: dict[str, int | None] = {}

    def check(self, fields: Sequence[str]) -> tuple[Any, ...]:
        """``(person, cadence, period_start, *scores, *desired, note, weighing)`` (the period start as
        ``YYYY-MM-DD``, the scores and desired levels in :data:`~reflect.domain.dimensions.KEYS` order) of a
        row whose fields are in the order of :data:`IMPORT_COLUMNS` (or :data:`COLUMNS`: no weighing);
        raises :class:`ValidationError` naming the field."""
        text = fields[1]
        person = self._people.get(text)
        if person is None:
            person = self._people[text] = parse_person(text)
        text = fields[2]
        cadence = self._cadences.get(text)
        if cadence is None:
            cadence = self._cadences[text] = parse_cadence(text)
        key = (fields[0], cadence)
        start = self._starts.get(key)
        if start is None:
            start = self._starts[key] = begun_period(key[0], cadence).isoformat()
        scores = tuple(map(self._scores.get, fields[_SCORES]))
        if None in scores:
            scores = tuple(self._learn(self._scores, t, k, True) for t, k in zip(fields[_SCORES], KEYS, strict=True))
        desired = tuple(map(self._desired.get, fields[_DESIRED], repeat(_UNSEEN)))
        if _UNSEEN in desired:
            desired = tuple(self._learn(self._desired, t, k, False)
                            for t, k in zip(fields[_DESIRED], DESIRED_KEYS, strict=True))
        note = fields[_NOTE]
        weighing = parse_weighing(fields[_NOTE + 1]) if len(fields) > _NOTE + 1 and fields[_NOTE + 1] else None
        return (person, cadence, start) + scores + desired + (parse_note(note) if note else None, weighing)

    @staticmethod
    def _learn(seen: dict[str, Any], text: str, field: str, required: bool) -> int | None:
        value = parse_rating(text, field=field, required=required)
        seen[text] = value
        return value


_N = len(KEYS)


def parse_checkins(text: str | Iterable[str], name: str = "<csv>") -> list[CheckIn]:
    """Parse and validate CSV text; raise :class:`ImportFileError` listing every problem."""
    problems: list[ValidationError] = []
    checkins: list[CheckIn] = []
    first_line: dict[tuple[str, str, str], int] = {}
    rows = CheckinRows()
    for line, fields in csv_fields(text, name, IMPORT_COLUMNS, problems, optional=OPTIONAL):
        where = f"{name}, line {line}"
        try:
            values = rows.check(fields)
        except ValidationError as exc:
            problems.append(exc.located(where))
            continue
        checkin = CheckIn(person=values[0], cadence=values[1], period_start=dt.date.fromisoformat(values[2]),
                          scores=dict(zip(KEYS, values[3:3 + _N], strict=True)),
                          desired=dict(zip(KEYS, values[3 + _N:3 + 2 * _N], strict=True)), note=values[-2],
                          weighing=values[-1])
        if checkin.key in first_line:
            problems.append(duplicate_problem(first_line[checkin.key], checkin.key, where))
            continue
        first_line[checkin.key] = line
        checkins.append(checkin)
    raise_problems(name, problems)
    return checkins


def duplicate_problem(first: int, key: tuple[str, str, str], where: str) -> ValidationError:
    """The problem of a row whose person, cadence and period are those of line ``first``."""
    return ValidationError(f"same person, cadence and period as line {first} ({', '.join(key)})",
                           field="date", where=where)


def open_text(path: str | os.PathLike[str]) -> IO[str]:
    """Open a file to import as UTF-8 text, read as it is used; raise :class:`ImportFileError` if it
    cannot be read or is not a regular file (a FIFO or a device would never end)."""
    import stat

    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ImportFileError(name, [ValidationError(f"cannot read the file ({exc.strerror})", where=name)]) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(mode) else "a device or other special file"
        raise ImportFileError(name, [ValidationError(f"this is {kind}, not a CSV file", where=name)])
    os.set_blocking(fd, True)
    return open(fd, encoding="utf-8-sig", newline="", errors="strict")


def not_utf8(path: str | os.PathLike[str]) -> ImportFileError:
    """The error for a file that is not UTF-8, naming the line of its first bad byte."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 16):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk[: exc.start].count(b"\n")
                break
            line += chunk.count(b"\n")
    name = str(path)
    return ImportFileError(
        name, [ValidationError("the file is not UTF-8 text (save it as UTF-8 CSV)", where=f"{name}, line {line}")]
    )


def read_checkins(path: str | os.PathLike[str]) -> list[CheckIn]:
    """Read and validate a CSV file of check-ins (all or nothing)."""
    try:
        with open_text(path) as fh:
            return parse_checkins(fh, str(path))
    except UnicodeDecodeError:
        raise not_utf8(path) from None


def _cell(value: object) -> str:
    return "" if value is None else str(value)


#: What a spreadsheet takes for the start of a formula (or of a command, for some).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FormulaCells:
    """Counts the cells of an export that a spreadsheet would run as formulas (``=HYPERLINK(...)``,
    ``+cmd|...``) and, with ``neutralise``, makes them plain text by putting ``'`` in front.

    The CSV stays exact by default (export -> import gives back the same data); a neutralised
    file is for opening in a spreadsheet, not for importing back.
    """

    def __init__(self, *, neutralise: bool = False) -> None:
        self.neutralise = neutralise
        self.count = 0

    def __call__(self, row: list[str]) -> list[str]:
        risky = [i for i, cell in enumerate(row) if cell.startswith(FORMULA_STARTS)]
        self.count += len(risky)
        if risky and self.neutralise:
            row = [("'" + cell) if i in risky else cell for i, cell in enumerate(row)]
        return row


def write_checkins(checkins: Iterable[CheckIn], out: IO[str], *, cells: FormulaCells | None = None) -> int:
    """Write check-ins as CSV (``\\n`` line ends, minimal quoting); return how many. ``cells``, if
    given, sees (and may neutralise) each row's cells. The :data:`WEIGHING` column is written when one
    of the check-ins holds how life is weighing (as its reader may see it)."""
    items = list(checkins)
    columns = IMPORT_COLUMNS if any(c.weighing is not None for c in items) else COLUMNS
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    n = 0
    for c in items:
        row = c.as_row()
        cols = [_cell(row[col]) for col in columns]
        writer.writerow(cells(cols) if cells is not None else cols)
        n += 1
    return n


def to_csv(checkins: Iterable[CheckIn], *, cells: FormulaCells | None = None) -> str:
    buf = io.StringIO()
    write_checkins(checkins, buf, cells=cells)
    return buf.getvalue()
