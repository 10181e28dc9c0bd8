"""CSV interchange: the exact file format for importing and exporting check-ins.

UTF-8, a header row, one check-in per row, the columns of :data:`COLUMNS` in that order. Reading
is all-or-nothing: :func:`read_checkins` returns every row validated or raises
:class:`~reflect.errors.ImportFileError` naming the file, line and column of each problem.
Writing is deterministic, so export -> import -> export gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from .checkin import CheckIn
from .dimensions import DESIRED_KEYS, KEYS
from .errors import ImportFileError, ValidationError
from .paths import write_private

COLUMNS: tuple[str, ...] = ("date", "person", "cadence", *KEYS, *DESIRED_KEYS, "note")
HEADER = ",".join(COLUMNS)
#: Stop collecting problems after this many (the first ones are what a person fixes first).
MAX_PROBLEMS = 50


def _decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            name,
            [ValidationError("the file is not UTF-8 text (save it as UTF-8 CSV)", where=f"{name}, line {line}")],
        ) from None
    return text


def csv_rows(
    text: str, name: str, columns: Sequence[str], problems: list[ValidationError]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` for each data row of CSV ``text`` whose header holds exactly
    ``columns`` (in any order); ``line`` is the row's first line in the file.

    A bad header raises :class:`ImportFileError` at once; a row with the wrong number of fields
    or broken quoting is added to ``problems``; blank lines are skipped; reading stops once
    :data:`MAX_PROBLEMS` problems are known.
    """
    header_text = ",".join(columns)
    if not text.strip():
        raise ImportFileError(
            name, [ValidationError(f"the file is empty; expected the header {header_text}", where=f"{name}, line 1")]
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise ImportFileError(name, [ValidationError(f"unreadable CSV ({exc})", where=f"{name}, line 1")]) from None
    missing = [c for c in columns if c not in header]
    unknown = [h for h in header if h not in columns]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if missing or unknown or dupes:
        if missing:
            msg, field = f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", missing[0]
        elif unknown:
            msg, field = f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}", unknown[0]
        else:
            msg, field = f"column {dupes[0]} appears twice", dupes[0]
        raise ImportFileError(
            name, [ValidationError(f"{msg}; the header must be: {header_text}", field=field, where=f"{name}, line 1")]
        )
    index = {c: header.index(c) for c in columns}
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
        if not fields or all(not f.strip() for f in fields):
            continue  # a blank line
        if len(fields) != len(header):
            problems.append(ValidationError(f"expected {len(header)} fields, found {len(fields)}",
                                            where=f"{name}, line {start_line}"))
            continue
        yield start_line, {c: fields[i] for c, i in index.items()}


def raise_problems(name: str, problems: list[ValidationError]) -> None:
    """Raise :class:`ImportFileError` if anything was wrong (all or nothing)."""
    if problems:
        raise ImportFileError(name, problems, truncated=len(problems) >= MAX_PROBLEMS)


def parse_checkins(text: str, name: str = "<csv>") -> list[CheckIn]:
    """Parse and validate CSV text; raise :class:`ImportFileError` listing every problem."""
    problems: list[ValidationError] = []
    checkins: list[CheckIn] = []
    first_line: dict[tuple[str, str, str], int] = {}
    for line, row in csv_rows(text, name, COLUMNS, problems):
        where = f"{name}, line {line}"
        try:
            checkin = CheckIn.create(
                person=row["person"],
                date=row["date"],
                cadence=row["cadence"],
                scores={k: row[k] for k in KEYS},
                desired={k: row[f"desired_{k}"] for k in KEYS},
                note=row["note"],
            )
        except ValidationError as exc:
            problems.append(exc.located(where))
            continue
        if checkin.key in first_line:
            problems.append(ValidationError(
                f"same person, cadence and period as line {first_line[checkin.key]} "
                f"({checkin.person}, {checkin.cadence}, {checkin.period_start})",
                field="date", where=where,
            ))
            continue
        first_line[checkin.key] = line
        checkins.append(checkin)
    raise_problems(name, problems)
    return checkins


def read_checkins(path: str | os.PathLike[str]) -> list[CheckIn]:
    """Read and validate a CSV file of check-ins (all or nothing)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        problem = ValidationError(f"cannot read the file ({exc.strerror})", where=str(p))
        raise ImportFileError(str(p), [problem]) from None
    return parse_checkins(_decode(raw, str(p)), str(p))


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def write_checkins(checkins: Iterable[CheckIn], out: IO[str]) -> int:
    """Write check-ins as CSV (``\\n`` line ends, minimal quoting); return how many."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for c in checkins:
        row = c.as_row()
        writer.writerow([_cell(row[col]) for col in COLUMNS])
        n += 1
    return n


def to_csv(checkins: Iterable[CheckIn]) -> str:
    buf = io.StringIO()
    write_checkins(checkins, buf)
    return buf.getvalue()


def export_file(checkins: Iterable[CheckIn], path: str | os.PathLike[str]) -> int:
    """Write check-ins to ``path`` atomically, owner-only (0600)."""
    buf = io.StringIO()
    n = write_checkins(checkins, buf)
    write_private(path, buf.getvalue())
    return n
