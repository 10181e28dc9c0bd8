"""Importing CSV files into a store: all of the file or none of it, in one streaming pass.

Check-ins (:func:`import_checkins`) are read row by row, checked, and put into a private staging
database in a temporary folder (0700) beside the store, so memory stays flat however big the file
is; a person, cadence and period given twice is found there. Only when the whole file is good is
the store opened (and created, if need be) and the rows saved in one transaction, set by set:
each row new, updated (the earlier version stays in history) or unchanged. A file with problems
raises :class:`~reflect.errors.ImportFileError` naming file, line and column of each (up to
:data:`~reflect.domain.csvio.MAX_PROBLEMS`), and the store is neither created nor changed.

Rituals (:func:`import_rituals`) are few, and are checked in memory against the kinds the store
knows, also before the store is opened for writing.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path

from reflect.domain.checkin import CheckIn
from reflect.domain.csvio import (
    IMPORT_COLUMNS,
    MAX_PROBLEMS,
    OPTIONAL,
    CheckinRows,
    csv_fields,
    duplicate_problem,
    header_columns,
    not_utf8,
    open_text,
    raise_problems,
)
from reflect.domain.dimensions import DESIRED_KEYS, KEYS
from reflect.domain.people import check_people
from reflect.errors import StoreError, ValidationError
from reflect.storage import migrations, storefile
from reflect.storage.store import BatchResult, Store, now_stamp
from reflect.storage.storefile import describe_error
from reflect.system.paths import resolve_store_path

_VALUE_COLUMNS = ("person", "cadence", "period_start", *KEYS, *DESIRED_KEYS, "note", "weighing")
_BATCH = 5000
#: The page cache of each connection while importing (KiB): indexes are built in memory.
CACHE_KB = 64 * 1024


#: ``sign_in(store, names)``: sign in the people of a file who have a passphrase (the CLI asks them).
SignIn = Callable[[Store, list[str]], object]


def import_checkins(path: str | os.PathLike[str], db: str | os.PathLike[str] | None = None,
                    *, source: str | None = None, sign_in: SignIn | None = None) -> BatchResult:
    """Import the check-ins of a CSV file into the store ``db`` (see the module's docstring).

    Rows of a person with a passphrase need that person signed in (``sign_in`` is called with the
    store and the file's people before anything is written); their notes are stored sealed, so
    such rows are saved through :meth:`Store.save_many` rather than set by set.
    """
    name = str(path)
    target = resolve_store_path(db)
    # Refuse a store that cannot be used before reading a million rows.
    storefile.identify(target, application_id=migrations.APPLICATION_ID, newest=migrations.SCHEMA_VERSION)
    folder = target.parent if target.parent.is_dir() else Path(tempfile.gettempdir())
    try:
        work = tempfile.mkdtemp(prefix=".reflect-import-", dir=folder)  # 0700: the rows hold private notes
    except OSError:
        work = tempfile.mkdtemp(prefix="reflect-import-")
    try:
        staging_path = os.path.join(work, "rows.db")
        staging = sqlite3.connect(staging_path, isolation_level=None)
        try:
            for pragma in ("journal_mode = OFF", "synchronous = OFF", f"cache_size = -{CACHE_KB}"):
                staging.execute(f"PRAGMA {pragma}")
            _stage(name, staging)
        except sqlite3.Error as exc:
            raise StoreError(f"{name}: cannot stage the rows to import ({describe_error(exc)}); "
                             "nothing was imported") from None
        finally:
            staging.close()
        people = _staged_people(staging_path)
        try:
            check_people(people)  # the file's own names, before a store is made for them
        except ValidationError as exc:
            raise exc.located(name) from None
        with Store(target) as store:
            src = source or f"import:{os.path.basename(name)}"
            try:
                store.check_newcomers(people)  # a store is one couple: no third name, no near miss
            except ValidationError as exc:
                raise exc.located(name) from None
            if sign_in is not None:
                sign_in(store, people)
            absent = _absent_columns(name)  # a column the file lacks keeps what is saved: it is not "empty"
            protected = [p for p in people if store.is_protected(p)]
            if protected:
                for person in protected:
                    store.require_signed_in(person)
                return store.save_many(_staged_checkins(staging_path), source=src, keep_note="note" in absent,
                                       keep_desired=[k for k in KEYS if f"desired_{k}" in absent],
                                       keep_weighing="weighing" in absent)
            return _apply(store, staging_path, src, absent)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _stage(name: str, staging: sqlite3.Connection) -> None:
    """Check every row of ``name`` and put the good ones into ``staging``; raise
    :class:`ImportFileError` if any row is bad or two rows have one key."""
    cols = ", ".join(_VALUE_COLUMNS)
    staging.execute(f"CREATE TABLE rows (line INTEGER PRIMARY KEY, {cols})")
    insert = f"INSERT INTO rows (line, {cols}) VALUES ({', '.join('?' * (len(_VALUE_COLUMNS) + 1))})"
    problems: list[ValidationError] = []
    checker = CheckinRows()
    seen: set[tuple[str, str, str]] = set()  # the keys so far (their strings are shared: a few bytes each)
    twice: set[tuple[str, str, str]] = set()
    batch: list[tuple[object, ...]] = []
    staging.execute("BEGIN")
    try:
        with open_text(name) as fh:
            for line, fields in csv_fields(fh, name, IMPORT_COLUMNS, problems, optional=OPTIONAL):
                try:
                    values = checker.check(fields)
                except ValidationError as exc:
                    problems.append(exc.located(f"{name}, line {line}"))
                    continue
                key = values[:3]
                if key in seen:
                    twice.add(key)
                else:
                    seen.add(key)
                batch.append((line,) + values)
                if len(batch) >= _BATCH:
                    staging.executemany(insert, batch)
                    batch.clear()
    except UnicodeDecodeError:
        raise not_utf8(name) from None
    if batch:
        staging.executemany(insert, batch)
    staging.execute("COMMIT")
    del seen
    if twice and len(problems) < MAX_PROBLEMS:
        lines: dict[tuple[str, str, str], list[int]] = {}
        for line, *key in staging.execute("SELECT line, person, cadence, period_start FROM rows ORDER BY line"):
            if tuple(key) in twice:
                lines.setdefault(tuple(key), []).append(line)
        for key, found in lines.items():
            problems += [duplicate_problem(found[0], key, f"{name}, line {n}") for n in found[1:]]
        problems.sort(key=_line_of)
    raise_problems(name, problems[:MAX_PROBLEMS])


def _staged_people(staging_path: str) -> list[str]:
    conn = sqlite3.connect(staging_path)
    try:
        return [r[0] for r in conn.execute("SELECT DISTINCT person FROM rows ORDER BY person")]
    finally:
        conn.close()


def _staged_checkins(staging_path: str) -> list[CheckIn]:
    """The staged rows as check-ins (already checked): for files with people who have a passphrase."""
    conn = sqlite3.connect(staging_path)
    try:
        rows = conn.execute(f"SELECT {', '.join(_VALUE_COLUMNS)} FROM rows ORDER BY line").fetchall()
    finally:
        conn.close()
    n = len(KEYS)
    return [CheckIn(person=r[0], cadence=r[1], period_start=dt.date.fromisoformat(r[2]),
                    scores=dict(zip(KEYS, r[3:3 + n], strict=True)),
                    desired=dict(zip(KEYS, r[3 + n:3 + 2 * n], strict=True)), note=r[-2], weighing=r[-1])
            for r in rows]


def _line_of(problem: ValidationError) -> int:
    where = problem.where or ""
    return int(where.rsplit("line ", 1)[1]) if "line " in where else 0


def _absent_columns(name: str) -> set[str]:
    """The optional columns (the desired levels, the note, how life is weighing) that the file's header
    leaves out."""
    with open_text(name) as fh:
        for line in fh:
            if line.strip():
                present = set(header_columns(line))
                return {c for c in (*DESIRED_KEYS, "note", "weighing") if c not in present}
    return set()


def _apply(store: Store, staging_path: str, source: str, absent: Collection[str] = ()) -> BatchResult:
    """Save the staged rows into ``store`` in one transaction: each new, updated or unchanged; the
    ``absent`` columns (the file has none) keep the values of the check-ins they update."""
    conn = store.connection
    values = ", ".join(f"s.{c}" for c in _VALUE_COLUMNS)
    cols = ", ".join(_VALUE_COLUMNS)
    counts: dict[str, int] = {}

    def work(conn: sqlite3.Connection) -> None:
        for column in sorted(absent):
            conn.execute(f"UPDATE staged.rows SET {column} = (SELECT v.{column} FROM checkins c "
                         "JOIN checkin_versions v ON v.id = c.version_id "
                         "WHERE c.person = rows.person AND c.cadence = rows.cadence "
                         "AND c.period_start = rows.period_start)")
        total = conn.execute("SELECT count(*) FROM staged.rows").fetchone()[0]
        before = conn.execute("SELECT coalesce(max(id), 0) FROM checkin_versions").fetchone()[0]
        if conn.execute("SELECT NOT EXISTS (SELECT 1 FROM checkins)").fetchone()[0]:
            added, updated, changed = total, 0, ""  # nothing saved yet: every row is new
            joined, shared = "FROM staged.rows s", "0"
        else:
            same = " AND ".join(f"v.{c} IS s.{c}" for c in (*KEYS, *DESIRED_KEYS, "note", "weighing"))
            shared = "coalesce(v.weighing_shared, 0)"  # shared or not as it was
            joined = ("FROM staged.rows s LEFT JOIN checkins c ON c.person = s.person AND c.cadence = s.cadence "
                      "AND c.period_start = s.period_start LEFT JOIN checkin_versions v ON v.id = c.version_id")
            changed = f" WHERE c.version_id IS NULL OR NOT ({same})"
            added, updated = conn.execute(
                f"SELECT coalesce(sum(c.version_id IS NULL), 0), "
                f"coalesce(sum(c.version_id IS NOT NULL AND NOT ({same})), 0) {joined}"
            ).fetchone()
        conn.execute(
            f"INSERT INTO checkin_versions ({cols}, weighing_shared, saved_at, source) "
            f"SELECT {values}, {shared}, ?, ? {joined}{changed} "
            "ORDER BY s.line",
            (now_stamp(), source),
        )
        # in this transaction, so that no other writer makes a third person meanwhile
        staged = conn.execute("SELECT person FROM staged.rows GROUP BY person ORDER BY min(line)").fetchall()
        store.admit_people(conn, [r[0] for r in staged])
        conn.execute(
            "INSERT INTO checkins (person, cadence, period_start, version_id) "
            "SELECT person, cadence, period_start, id FROM checkin_versions WHERE id > ? ORDER BY id "
            "ON CONFLICT (person, cadence, period_start) DO UPDATE SET version_id = excluded.version_id",
            (before,),
        )
        counts.update(added=added, updated=updated, unchanged=total - added - updated)

    conn.execute("ATTACH DATABASE ? AS staged", (staging_path,))
    cache = conn.execute("PRAGMA main.cache_size").fetchone()[0]
    conn.execute(f"PRAGMA main.cache_size = -{CACHE_KB}")
    try:
        store.write(work)
    finally:
        conn.execute(f"PRAGMA main.cache_size = {cache}")
        conn.execute("DETACH DATABASE staged")
    return BatchResult(**counts)


def import_rituals(path: str | os.PathLike[str], db: str | os.PathLike[str] | None = None,
                   *, source: str | None = None, sign_in: SignIn | None = None) -> tuple[BatchResult, dict[str, str]]:
    """Import rituals from a CSV file (all or none); returns the counts and the kinds it added.

    The file is checked against the kinds the store knows before the store is opened for writing,
    so a file with problems creates no store and changes none."""
    from reflect.domain.rituals import DEFAULT_KINDS, parse_rituals

    name = str(path)
    store_path = resolve_store_path(db)
    known = {k.key: k.cadence for k in DEFAULT_KINDS}
    try:
        with open_text(path) as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise not_utf8(path) from None
    if os.path.exists(store_path) and os.path.getsize(store_path) > 0:
        with Store(store_path, create=False) as store:
            known = {k.key: k.cadence for k in store.ritual_kinds().values()}
    items, new_kinds = parse_rituals(text, name, known)
    with Store(store_path) as store:
        if sign_in is not None:
            sign_in(store, sorted({r.person for r in items if r.person}))
        result = store.log_rituals(items, new_kinds=new_kinds, source=source or f"import:{os.path.basename(name)}")
    return result, new_kinds


# -- the practices ----------------------------------------------------------------------------------


def _read(path: str | os.PathLike[str]) -> str:
    try:
        with open_text(path) as fh:
            return fh.read()
    except UnicodeDecodeError:
        raise not_utf8(path) from None


def _existing(store_path: Path) -> Store | None:
    """The store at ``store_path``, opened without creating it, if it is there."""
    if os.path.exists(store_path) and os.path.getsize(store_path) > 0:
        return Store(store_path, create=False)
    return None


def import_agreements(path: str | os.PathLike[str], db: str | os.PathLike[str] | None = None, *,
                      source: str | None = None, sign_in: SignIn | None = None) -> tuple[int, int, int]:
    """Import agreements and "did we?" answers from a CSV file (all or none): (added, updated,
    unchanged). An answer may be to an agreement in the file or already in the store; answers of
    people with a passphrase need them signed in (``sign_in``)."""
    from reflect.domain.agreements import parse_agreements

    name, store_path = str(path), resolve_store_path(db)
    text = _read(path)
    known: list[tuple[str, int]] = []
    existing = _existing(store_path)
    if existing is not None:
        with existing:
            known = [a.key for a in existing.agreements()]
    items, answers = parse_agreements(text, name, known=known)
    with Store(store_path) as store:
        if sign_in is not None:
            sign_in(store, sorted({a.person for a in answers}))
        return store.save_agreements(items, answers, source=source or f"import:{os.path.basename(name)}")


def import_repairs(path: str | os.PathLike[str], db: str | os.PathLike[str] | None = None, *,
                   source: str | None = None, sign_in: SignIn | None = None) -> tuple[int, int, int]:
    """Import repairs from a CSV file (all or none); each writer with a passphrase signs in."""
    from reflect.domain.repairs import parse_repairs

    name = str(path)
    items = parse_repairs(_read(path), name)
    with Store(resolve_store_path(db)) as store:
        if sign_in is not None:
            sign_in(store, sorted({r.person for r in items}))
        return store.save_repairs(items, source=source or f"import:{os.path.basename(name)}")


def import_consent(path: str | os.PathLike[str], db: str | os.PathLike[str] | None = None, *,
                   source: str | None = None, sign_in: SignIn | None = None) -> tuple[int, int, int]:
    """Import yes / not now / no answers from a CSV file (all or none), laid over each person's
    current list (what the file does not mention keeps its answer); each person signs in."""
    from reflect.domain.consent import parse_consent

    name = str(path)
    lists = parse_consent(_read(path), name)
    with Store(resolve_store_path(db)) as store:
        if sign_in is not None:
            sign_in(store, sorted(lst.person for lst in lists))
        return store.save_consents(lists, source=source or f"import:{os.path.basename(name)}", merge=True)


def import_events(path: str | os.PathLike[str], db: str | os.PathLike[str] | None = None, *,
                  source: str | None = None) -> tuple[int, int, int]:
    """Import life events from a CSV file (all or none)."""
    from reflect.domain.lifeevents import parse_events

    name = str(path)
    items = parse_events(_read(path), name)
    with Store(resolve_store_path(db)) as store:
        return store.mark_events(items, source=source or f"import:{os.path.basename(name)}")


def import_answers(path: str | os.PathLike[str], db: str | os.PathLike[str] | None = None, *,
                   source: str | None = None, sign_in: SignIn | None = None) -> tuple[int, int, int]:
    """Import answers to the weekly question from a CSV file (all or none); each writer with a
    passphrase signs in (``sign_in``), and their words are sealed with it."""
    from reflect.domain.questions import parse_answers

    name = str(path)
    items = parse_answers(_read(path), name, today=dt.date.today())
    with Store(resolve_store_path(db)) as store:
        if sign_in is not None:
            sign_in(store, sorted({a.person for a in items}))
        return store.save_answers(items, source=source or f"import:{os.path.basename(name)}")


def import_appreciations(path: str | os.PathLike[str], db: str | os.PathLike[str] | None = None, *,
                         source: str | None = None, sign_in: SignIn | None = None) -> tuple[int, int, int]:
    """Import appreciations from a CSV file (all or none): (added, updated, unchanged); each writer with
    a passphrase signs in (``sign_in``), and their words are sealed for them and for their partner."""
    from reflect.domain.appreciations import parse_appreciations

    name = str(path)
    items = parse_appreciations(_read(path), name)
    with Store(resolve_store_path(db)) as store:
        writers = sorted({a.person for a in items})
        try:
            store.check_newcomers(writers)  # a store is one couple: no third name, no near miss
        except ValidationError as exc:
            raise exc.located(name) from None
        if sign_in is not None:
            sign_in(store, writers)
        return store.save_appreciations(items, source=source or f"import:{os.path.basename(name)}")
