"""The store: one SQLite file per relationship, holding every check-in ever saved.

Saving again for the same (person, cadence, period start) supersedes the earlier check-in:
analyses see the latest, and every version stays in ``checkin_versions`` for :meth:`Store.history`.
Nothing is ever deleted. Writes are single transactions (``BEGIN IMMEDIATE``); the file uses WAL
mode and a busy timeout so that two partners saving at once from two notebooks both succeed.

>>> with Store(":memory:") as store:
...     store.count()
0
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import sqlite3
import stat
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import migrations, storefile
from .checkin import CheckIn, add_months, month_start, parse_month
from .dimensions import DESIRED_KEYS, KEYS
from .errors import NotAReflectStore, StoreError, StoreTooNew, ValidationError
from .paths import make_private_dirs, refuse_non_regular, resolve_store_path
from .rituals import DEFAULT_BY_KEY, DEFAULT_KINDS, Ritual, RitualKind
from .storefile import describe_error

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
WRITE_RETRIES = 8

SaveStatus = Literal["added", "updated", "unchanged"]

_COLUMNS = ("person", "cadence", "period_start", *KEYS, *DESIRED_KEYS, "note")


@dataclass(frozen=True)
class SaveResult:
    status: SaveStatus
    checkin: CheckIn
    previous: CheckIn | None = None


@dataclass(frozen=True)
class BatchResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


@dataclass(frozen=True)
class Version:
    """One saved version of a check-in, as :meth:`Store.history` lists it."""

    number: int
    saved_at: str
    source: str | None
    checkin: CheckIn
    current: bool


def now_stamp() -> str:
    """When a version is saved: UTC, ISO 8601 with microseconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


_now = now_stamp


def _row_to_checkin(row: sqlite3.Row) -> CheckIn:
    return CheckIn(
        person=row["person"],
        cadence=row["cadence"],
        period_start=dt.date.fromisoformat(row["period_start"]),
        scores={k: row[k] for k in KEYS},
        desired={k: row[f"desired_{k}"] for k in KEYS},
        note=row["note"],
    )


def make_private(path: Path) -> None:
    """Make a file readable and writable by its owner only, if it is not already."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o600)
            log.info("made %s readable by its owner only", path)
    except OSError:  # pragma: no cover - not ours to fix (e.g. another owner)
        log.warning("could not restrict permissions of %s", path)


class Store:
    """A Reflect store in one SQLite file (or ``":memory:"`` for tests).

    Opening a file that does not exist creates it (mode 0600). Opening an older store migrates
    it after writing a backup beside it; a file that is not a Reflect store, or that comes from a
    newer Reflect, raises and is left untouched.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, create: bool = True):
        if path is None or str(path) != ":memory:":
            path = resolve_store_path(path)
        self.path = Path(path) if str(path) != ":memory:" else None
        self._conn = self._open(create=create)

    # -- opening -----------------------------------------------------------------------------

    def _open(self, *, create: bool) -> sqlite3.Connection:
        if self.path is None:
            conn = self._connect(":memory:")
            self._initialise(conn, version=0)
            return conn
        path = self.path
        # What the file is, found out without changing it (not even its mode): see storefile.
        version = storefile.identify(path, application_id=migrations.APPLICATION_ID, newest=migrations.SCHEMA_VERSION)
        if version is None and not create:
            raise StoreError(f"{path}: no such store (create it with `reflect init`)")
        if version == 0 and not create:
            raise StoreError(f"{path} is empty, not yet a Reflect store (create it with `reflect init`)")
        if version is not None and version == migrations.SCHEMA_VERSION:
            make_private(path)
            return self._connect_checked(path)
        if version is None and not path.parent.exists():
            try:
                make_private_dirs(path.parent)  # first, so that its folder can be locked
            except OSError as exc:
                raise StoreError(f"{path}: cannot create the store's folder ({describe_error(exc)})") from None
        with storefile.creation_lock(path):  # one process creates or migrates at a time
            if version is None:
                try:
                    storefile.create_private_file(path)
                except OSError as exc:
                    raise StoreError(f"{path}: cannot create the store ({exc.strerror})") from None
                log.debug("created a new store at %s", path)
            version = storefile.identify(
                path, application_id=migrations.APPLICATION_ID, newest=migrations.SCHEMA_VERSION
            ) or 0
            make_private(path)
            conn = self._connect_checked(path)
            if version < migrations.SCHEMA_VERSION:
                if version > 0:
                    self._backup_before_migration(conn, version)
                self._initialise(conn, version=version)
            return conn

    def _connect_checked(self, path: Path) -> sqlite3.Connection:
        """Connect to a file :func:`storefile.identify` accepted, and check it once more with SQLite."""
        try:
            conn = self._connect(str(path))
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            n_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise NotAReflectStore(f"{path} is not a Reflect store ({exc})") from None
        if app_id != migrations.APPLICATION_ID and (n_tables or version or app_id):
            conn.close()
            raise NotAReflectStore(f"{path} is an SQLite database but not a Reflect store")
        if version > migrations.SCHEMA_VERSION:
            conn.close()
            raise StoreTooNew(
                f"{path} was written by a newer Reflect (schema {version}, this one reads up to "
                f"{migrations.SCHEMA_VERSION}); upgrade Reflect to open it"
            )
        return conn

    @staticmethod
    def _connect(target: str) -> sqlite3.Connection:
        conn = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        return conn

    def _backup_before_migration(self, conn: sqlite3.Connection, version: int) -> None:
        assert self.path is not None
        dest = self._copy_to(conn, self.path.with_name(f"{self.path.name}.schema-v{version}.bak"), unique=True)
        log.info("kept a copy of the schema-%d store at %s before migrating", version, dest)

    def _initialise(self, conn: sqlite3.Connection, *, version: int) -> None:
        def step(c: sqlite3.Connection) -> None:
            current = c.execute("PRAGMA user_version").fetchone()[0]
            if current >= migrations.SCHEMA_VERSION:
                return  # another process got there first
            if current == 0:
                c.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
            migrations.apply(c, start=current)
            if current:
                log.info(
                    "migrated %s from schema %d to %d",
                    self.path, current, migrations.SCHEMA_VERSION,
                )

        if self.path is not None:
            # WAL lets readers and one writer work at once (two partners, two notebooks).
            _retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        _retry(lambda: _in_transaction(conn, step))
        conn.execute("PRAGMA foreign_keys = ON")

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.path or ':memory:'}>"

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    # -- writing -----------------------------------------------------------------------------

    def save(self, checkin: CheckIn, *, source: str | None = None) -> SaveResult:
        """Save one check-in in one transaction; an identical re-save changes nothing."""
        holder: list[SaveResult] = []

        def work(conn: sqlite3.Connection) -> None:
            holder.clear()
            holder.append(self._save_one(conn, checkin, source, _now()))

        _retry(lambda: _in_transaction(self._conn, work))
        return holder[0]

    def save_many(self, checkins: Iterable[CheckIn], *, source: str | None = None) -> BatchResult:
        """Save many check-ins in one transaction: all of them or none.

        Two check-ins with the same key in one batch are an error (nothing is written).
        """
        items = list(checkins)
        seen: dict[tuple[str, str, str], int] = {}
        for i, c in enumerate(items):
            if c.key in seen:
                raise ValidationError(
                    f"check-ins {seen[c.key] + 1} and {i + 1} are for the same person, cadence "
                    f"and period ({', '.join(c.key)})"
                )
            seen[c.key] = i
        counts: dict[str, int] = {}

        def work(conn: sqlite3.Connection) -> None:
            counts.clear()
            stamp = _now()
            for c in items:
                status = self._save_one(conn, c, source, stamp).status
                counts[status] = counts.get(status, 0) + 1

        _retry(lambda: _in_transaction(self._conn, work))
        return BatchResult(**counts)

    @staticmethod
    def _save_one(
        conn: sqlite3.Connection, checkin: CheckIn, source: str | None, stamp: str
    ) -> SaveResult:
        previous_row = conn.execute(
            "SELECT v.* FROM checkins c JOIN checkin_versions v ON v.id = c.version_id "
            "WHERE c.person = ? AND c.cadence = ? AND c.period_start = ?",
            checkin.key,
        ).fetchone()
        previous = _row_to_checkin(previous_row) if previous_row else None
        if previous is not None and previous.content() == checkin.content():
            return SaveResult("unchanged", checkin, previous)
        row = checkin.as_row()
        values = [checkin.person, checkin.cadence, checkin.period_start.isoformat()]
        values += [row[k] for k in KEYS] + [row[k] for k in DESIRED_KEYS] + [checkin.note]
        cols = ", ".join((*_COLUMNS, "saved_at", "source"))
        marks = ", ".join("?" * (len(_COLUMNS) + 2))
        cur = conn.execute(
            f"INSERT INTO checkin_versions ({cols}) VALUES ({marks})", [*values, stamp, source]
        )
        conn.execute(
            "INSERT INTO checkins (person, cadence, period_start, version_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (person, cadence, period_start) DO UPDATE SET version_id = excluded.version_id",
            [*checkin.key, cur.lastrowid],
        )
        return SaveResult("updated" if previous else "added", checkin, previous)

    # -- reading -----------------------------------------------------------------------------

    def _latest_rows(
        self,
        *,
        person: str | None = None,
        month: str | None = None,
        cadence: str | None = None,
    ) -> list[sqlite3.Row]:
        where, params = [], []
        if person is not None:
            where.append("c.person = ?")
            params.append(person)
        if cadence is not None:
            where.append("c.cadence = ?")
            params.append(cadence)
        if month is not None:
            start = month_start(month)
            end = month_start(add_months(month, 1))
            where.append("c.period_start >= ? AND c.period_start < ?")
            params += [start.isoformat(), end.isoformat()]
        sql = (
            "SELECT v.* FROM checkins c JOIN checkin_versions v ON v.id = c.version_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY c.period_start, c.person, c.cadence"
        )
        return self._conn.execute(sql, params).fetchall()

    def checkins(
        self,
        *,
        person: str | None = None,
        month: str | None = None,
        cadence: str | None = None,
    ) -> list[CheckIn]:
        """The latest version of every check-in, ordered by date, person, cadence."""
        if month is not None:
            month = parse_month(month)
        return [_row_to_checkin(r) for r in self._latest_rows(person=person, month=month, cadence=cadence)]

    def get(self, person: str, date: Any, cadence: str | None = None) -> CheckIn | None:
        """The latest check-in for a person and the period holding ``date``, if any."""
        probe = CheckIn.create(person=person, date=date, cadence=cadence, scores=dict.fromkeys(KEYS, 1))
        row = self._conn.execute(
            "SELECT v.* FROM checkins c JOIN checkin_versions v ON v.id = c.version_id "
            "WHERE c.person = ? AND c.cadence = ? AND c.period_start = ?",
            probe.key,
        ).fetchone()
        return _row_to_checkin(row) if row else None

    def history(self, person: str, date: Any, cadence: str | None = None) -> list[Version]:
        """Every saved version of one check-in, oldest first (the last one is current)."""
        probe = CheckIn.create(person=person, date=date, cadence=cadence, scores=dict.fromkeys(KEYS, 1))
        current = self._conn.execute(
            "SELECT version_id FROM checkins WHERE person = ? AND cadence = ? AND period_start = ?",
            probe.key,
        ).fetchone()
        rows = self._conn.execute(
            "SELECT * FROM checkin_versions WHERE person = ? AND cadence = ? AND period_start = ? "
            "ORDER BY id",
            probe.key,
        ).fetchall()
        return [
            Version(
                number=i + 1,
                saved_at=r["saved_at"],
                source=r["source"],
                checkin=_row_to_checkin(r),
                current=current is not None and r["id"] == current[0],
            )
            for i, r in enumerate(rows)
        ]

    def people(self) -> list[str]:
        """Everyone with at least one check-in, by name."""
        return [r[0] for r in self._conn.execute("SELECT DISTINCT person FROM checkins ORDER BY person")]

    def months(self) -> list[str]:
        """Every month with at least one check-in, oldest first."""
        rows = self._conn.execute(
            "SELECT DISTINCT substr(period_start, 1, 7) FROM checkins ORDER BY 1"
        )
        return [r[0] for r in rows]

    def latest_month(self) -> str | None:
        row = self._conn.execute("SELECT max(period_start) FROM checkins").fetchone()
        return row[0][:7] if row and row[0] else None

    def count(self) -> int:
        """How many check-ins (latest versions) the store holds."""
        return int(self._conn.execute("SELECT count(*) FROM checkins").fetchone()[0])

    def is_empty(self) -> bool:
        """Whether nothing at all was ever saved (no check-in, no ritual)."""
        row = self._conn.execute(
            "SELECT (SELECT count(*) FROM checkin_versions) + (SELECT count(*) FROM ritual_versions)"
        ).fetchone()
        return row[0] == 0

    def version_count(self) -> int:
        """How many versions were ever saved (history included)."""
        return int(self._conn.execute("SELECT count(*) FROM checkin_versions").fetchone()[0])

    def holds_only_demo(self) -> bool:
        """Whether everything in the store came from the demo (``reflect demo``)."""
        row = self._conn.execute(
            "SELECT count(*), coalesce(sum(source IS NOT 'demo'), 0) FROM checkin_versions"
        ).fetchone()
        own_rituals = self._conn.execute(
            "SELECT count(*) FROM ritual_versions WHERE source IS NOT 'demo'"
        ).fetchone()[0]
        return bool(row[0]) and row[1] == 0 and own_rituals == 0

    def fingerprint(self) -> str:
        """Changes whenever any check-in is saved (for knowing when a report is stale)."""
        row = self._conn.execute("SELECT count(*), coalesce(max(id), 0) FROM checkin_versions").fetchone()
        return f"{migrations.SCHEMA_VERSION}:{row[0]}:{row[1]}"

    def frame(self, *, include_notes: bool = False) -> pd.DataFrame:
        """The latest check-ins as a DataFrame, one row each.

        Columns: ``person``, ``cadence``, ``date`` (period start, datetime64), ``month``
        (``YYYY-MM``), the six scores (float), the six ``desired_*`` levels (float, NaN when not
        given) and, with ``include_notes``, ``note``. Ordered by date, person, cadence.
        """
        import pandas as pd

        cols = ["person", "cadence", "period_start", *KEYS, *DESIRED_KEYS]
        if include_notes:
            cols.append("note")
        sql = (
            "SELECT " + ", ".join(f"v.{c}" for c in cols) + " FROM checkins c "
            "JOIN checkin_versions v ON v.id = c.version_id ORDER BY c.period_start, c.person, c.cadence"
        )
        rows = self._conn.execute(sql).fetchall()
        df = pd.DataFrame([tuple(r) for r in rows], columns=cols)
        df = df.rename(columns={"period_start": "date"})
        df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
        df.insert(3, "month", df["date"].dt.strftime("%Y-%m"))
        for c in (*KEYS, *DESIRED_KEYS):
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
        return df

    # -- rituals -----------------------------------------------------------------------------

    def ritual_kinds(self) -> dict[str, RitualKind]:
        """The catalogue: the default kinds, then those this couple added, by key."""
        kinds = {k.key: k for k in DEFAULT_KINDS}
        for row in self._conn.execute("SELECT kind, cadence, label FROM ritual_kinds ORDER BY created_at, kind"):
            kinds.setdefault(row[0], RitualKind(row[0], row[1], row[2]))
        return kinds

    def add_ritual_kind(self, kind: str, cadence: str, label: str | None = None) -> RitualKind:
        """Add a kind of ritual to the catalogue (adding an existing one with its cadence is a no-op)."""
        from .checkin import parse_cadence
        from .rituals import parse_kind

        key, cad = parse_kind(kind), parse_cadence(cadence)

        def work(conn: sqlite3.Connection) -> None:
            self._add_kind(conn, key, cad, label)

        _retry(lambda: _in_transaction(self._conn, work))
        return self.ritual_kinds()[key]

    def _add_kind(self, conn: sqlite3.Connection, key: str, cadence: str, label: str | None) -> None:
        existing = {k.key: k for k in DEFAULT_KINDS}.get(key)
        if existing is None:
            row = conn.execute("SELECT cadence FROM ritual_kinds WHERE kind = ?", (key,)).fetchone()
            if row is not None:
                existing = RitualKind(key, row[0], key)
        if existing is not None:
            if existing.cadence != cadence:
                raise ValidationError(f"{key} is a {existing.cadence} ritual, not {cadence}", field="cadence")
            return
        conn.execute(
            "INSERT INTO ritual_kinds (kind, cadence, label, created_at) VALUES (?, ?, ?, ?)",
            (key, cadence, label or key.replace("-", " ").capitalize(), _now()),
        )

    def log_ritual(self, ritual: Ritual, *, cadence: str | None = None, source: str | None = None) -> SaveStatus:
        """Log one ritual in one transaction. An unknown kind needs its ``cadence`` (which adds it)."""
        result = self.log_rituals([ritual], new_kinds={ritual.kind: cadence} if cadence else None, source=source)
        return "added" if result.added else ("updated" if result.updated else "unchanged")

    def log_rituals(
        self, rituals: Iterable[Ritual], *, new_kinds: dict[str, str] | None = None, source: str | None = None
    ) -> BatchResult:
        """Log many rituals (and add ``new_kinds``) in one transaction: all of them or none."""
        from .checkin import parse_cadence

        items = list(rituals)
        seen: set[tuple[str, str, str]] = set()
        for r in items:
            if r.key in seen:
                raise ValidationError(f"the same ritual is logged twice ({r.kind}, {r.day}, {r.person or 'together'})")
            seen.add(r.key)
        counts: dict[str, int] = {}

        def work(conn: sqlite3.Connection) -> None:
            counts.clear()
            for key, cadence in (new_kinds or {}).items():
                self._add_kind(conn, key, parse_cadence(cadence), None)
            known = set(DEFAULT_BY_KEY) | {r[0] for r in conn.execute("SELECT kind FROM ritual_kinds")}
            stamp = _now()
            for r in items:
                if r.kind not in known:
                    raise ValidationError(
                        f"unknown ritual kind {r.kind!r}; give its cadence (daily, weekly or monthly) to add it",
                        field="kind",
                    )
                current = conn.execute(
                    "SELECT v.note, v.done FROM rituals c JOIN ritual_versions v ON v.id = c.version_id "
                    "WHERE c.person = ? AND c.day = ? AND c.kind = ?",
                    r.key,
                ).fetchone()
                if current is None and not r.done:
                    who = r.person or "together"
                    raise ValidationError(f"nothing to take back: no {r.kind} was logged on {r.day} ({who})")
                if current is not None and not r.done and not current[1]:
                    status = "unchanged"  # already taken back
                elif current is not None and (current[0], bool(current[1])) == r.content():
                    status = "unchanged"
                else:
                    cur = conn.execute(
                        "INSERT INTO ritual_versions (person, day, kind, done, note, saved_at, source) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (*r.key, int(r.done), r.note, stamp, source),
                    )
                    conn.execute(
                        "INSERT INTO rituals (person, day, kind, version_id) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (person, day, kind) DO UPDATE SET version_id = excluded.version_id",
                        (*r.key, cur.lastrowid),
                    )
                    status = "updated" if current is not None else "added"
                counts[status] = counts.get(status, 0) + 1

        _retry(lambda: _in_transaction(self._conn, work))
        return BatchResult(**counts)

    def rituals(
        self, *, person: str | None = None, month: str | None = None, kind: str | None = None,
        include_taken_back: bool = False,
    ) -> list[Ritual]:
        """The current rituals (taken-back ones left out), ordered by day, person, kind."""
        where, params = [], []
        if not include_taken_back:
            where.append("v.done = 1")
        if person is not None:
            from .rituals import parse_ritual_person

            where.append("c.person = ?")
            params.append(parse_ritual_person(person))
        if kind is not None:
            where.append("c.kind = ?")
            params.append(kind)
        if month is not None:
            month = parse_month(month)
            where.append("c.day >= ? AND c.day < ?")
            params += [month_start(month).isoformat(), month_start(add_months(month, 1)).isoformat()]
        sql = ("SELECT v.person, v.day, v.kind, v.note, v.done FROM rituals c JOIN ritual_versions v "
               "ON v.id = c.version_id" + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY c.day, c.person, c.kind")
        return [Ritual(r[0], dt.date.fromisoformat(r[1]), r[2], r[3], bool(r[4]))
                for r in self._conn.execute(sql, params)]

    def ritual_history(self, person: Any, day: Any, kind: str) -> list[tuple[str, str | None, Ritual]]:
        """Every version of one logged ritual, oldest first: (saved_at, source, ritual)."""
        probe = Ritual.create(day=day, kind=kind, person=person)
        rows = self._conn.execute(
            "SELECT person, day, kind, note, done, saved_at, source FROM ritual_versions "
            "WHERE person = ? AND day = ? AND kind = ? ORDER BY id",
            probe.key,
        ).fetchall()
        return [(r[5], r[6], Ritual(r[0], dt.date.fromisoformat(r[1]), r[2], r[3], bool(r[4]))) for r in rows]

    def ritual_frame(self) -> pd.DataFrame:
        """The current rituals as a DataFrame: ``day`` (datetime64), ``month``, ``week`` (the ISO
        week's Monday), ``person`` (``""`` for together), ``kind``, ``cadence``."""
        import pandas as pd

        kinds = self.ritual_kinds()
        rows = [(r.day, r.person, r.kind, kinds[r.kind].cadence if r.kind in kinds else "")
                for r in self.rituals()]
        df = pd.DataFrame(rows, columns=["day", "person", "kind", "cadence"])
        df["day"] = pd.to_datetime(df["day"])
        df.insert(1, "month", df["day"].dt.strftime("%Y-%m"))
        df.insert(2, "week", df["day"] - pd.to_timedelta(df["day"].dt.day_of_week, unit="D"))
        return df

    # -- backup ------------------------------------------------------------------------------

    def backup(self, dest: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write a consistent copy of the store to ``dest`` (a file, or a folder to put it in).

        Uses SQLite's online backup, so it is safe while the store is being written. The copy is
        owner-only (0600) and checked before it is moved into place; an existing file is never
        replaced unless ``overwrite`` is true.
        """
        target = Path(dest).expanduser()
        if str(dest).endswith(("/", os.sep)) and not target.is_dir():
            raise StoreError(f"{target}: no such folder (nothing was written)")
        unique = False
        if target.is_dir():
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            stem = self.path.stem if self.path else "reflect"
            target, unique = target / f"{stem}-{stamp}.db", True
        refuse_non_regular(target, "a backup file")
        if not unique and os.path.lexists(target) and not overwrite:
            raise StoreError(f"{target} already exists; choose another name (nothing was written)")
        if self.path is not None and target.resolve() == self.path.resolve():
            raise StoreError(f"{target} is the store itself; choose another place for the backup")
        if not target.parent.is_dir():
            raise StoreError(f"{target.parent}: no such folder (nothing was written)")
        return self._copy_to(self._conn, target, unique=unique, overwrite=overwrite)

    @staticmethod
    def _copy_to(conn: sqlite3.Connection, target: Path, *, unique: bool = False, overwrite: bool = False) -> Path:
        """Copy the store to ``target`` through a private temporary file beside it; with ``unique``,
        to the first of ``target``, ``name-2``, ``name-3``... that does not exist. Returns where."""
        import tempfile

        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".reflect-", suffix=".tmp")
            os.fchmod(fd, 0o600)
            os.close(fd)
            dst = sqlite3.connect(tmp, isolation_level=None)
            try:
                conn.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
                ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
            if ok != "ok":  # pragma: no cover - would mean a broken disk
                raise StoreError(f"the backup failed its integrity check ({ok})")
            if overwrite and not unique:
                os.replace(tmp, target)
                return target
            for n in range(1, 1000):
                candidate = target if n == 1 else target.with_name(f"{target.stem}-{n}{target.suffix}")
                try:
                    os.link(tmp, candidate)  # never replaces a file
                except FileExistsError:
                    if not unique:
                        raise StoreError(f"{target} already exists; choose another name (nothing was written)"
                                         ) from None
                    continue
                return candidate
            raise StoreError(f"{target}: too many backups with this name (nothing was written)")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"{target}: cannot write the backup ({describe_error(exc)}); nothing was written"
            ) from None
        finally:
            if tmp is not None:
                for leftover in (tmp, tmp + "-journal"):
                    try:
                        os.unlink(leftover)
                    except OSError:
                        pass

    def write(self, work: Any) -> None:
        """Run ``work(connection)`` in one write transaction (retried while the store is busy)."""
        _retry(lambda: _in_transaction(self._conn, work))

    # -- raw access (tests, migrations) -----------------------------------------------------

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn


def _in_transaction(conn: sqlite3.Connection, work: Any) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        work(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _retry(action: Any) -> Any:
    """Run ``action``, retrying with jittered back-off while the database is busy."""
    for attempt in range(WRITE_RETRIES):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if not storefile.is_busy(exc):
                raise StoreError(f"the store could not be written: {describe_error(exc)}") from exc
            if attempt == WRITE_RETRIES - 1:
                raise StoreError(f"the store is busy and could not be written ({exc})") from exc
            time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def open_store(path: str | os.PathLike[str] | None = None, *, create: bool = True) -> Iterator[Store]:
    """``with open_store(path) as store: ...``, resolving the default store."""
    store = Store(path, create=create)
    try:
        yield store
    finally:
        store.close()
