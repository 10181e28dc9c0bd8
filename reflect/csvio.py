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
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from .checkin import CheckIn
from .dimensions import DESIRED_KEYS, KEYS
from .errors import ImportFileError, ValidationError

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


def parse_checkins(text: str, name: str = "<csv>") -> list[CheckIn]:
    """Parse and validate CSV text; raise :class:`ImportFileError` listing every problem."""
    problems: list[ValidationError] = []
    if not text.strip():
        raise ImportFileError(
            name, [ValidationError(f"the file is empty; expected the header {HEADER}", where=f"{name}, line 1")]
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise ImportFileError(name, [ValidationError(f"unreadable CSV ({exc})", where=f"{name}, line 1")]) from None
    header = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if missing or unknown or dupes:
        if missing:
            msg = f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
            field = missing[0]
        elif unknown:
            msg = f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
            field = unknown[0]
        else:
            msg = f"column {dupes[0]} appears twice"
            field = dupes[0]
        raise ImportFileError(
            name, [ValidationError(f"{msg}; the header must be: {HEADER}", field=field, where=f"{name}, line 1")]
        )
    index = {c: header.index(c) for c in COLUMNS}

    checkins: list[CheckIn] = []
    first_line: dict[tuple[str, str, str], int] = {}
    last_line = reader.line_num
    truncated = False
    while True:
        start_line = last_line + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(ValidationError(f"unreadable CSV ({exc})", where=f"{name}, line {reader.line_num}"))
            break
        last_line = reader.line_num
        where = f"{name}, line {start_line}"
        if not fields or all(not f.strip() for f in fields):
            continue  # a blank line
        if len(fields) != len(header):
            problems.append(
                ValidationError(f"expected {len(header)} fields, found {len(fields)}", where=where)
            )
        else:
            row = {c: fields[i] for c, i in index.items()}
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
            else:
                if checkin.key in first_line:
                    problems.append(
                        ValidationError(
                            f"same person, cadence and period as line {first_line[checkin.key]} "
                            f"({checkin.person}, {checkin.cadence}, {checkin.period_start})",
                            field="date",
                            where=where,
                        )
                    )
                else:
                    first_line[checkin.key] = start_line
                    checkins.append(checkin)
        if len(problems) >= MAX_PROBLEMS:
            truncated = True
            break
    if problems:
        raise ImportFileError(name, problems, truncated=truncated)
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
    _write_atomically(path, buf.getvalue())
    return n


def _write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file, owner-only (0600)."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
