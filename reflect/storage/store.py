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
import math
import os
import random
import sqlite3
import stat
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reflect.domain.checkin import CheckIn, add_months, month_start, parse_month, parse_person
from reflect.domain.dimensions import DESIRED_KEYS, KEYS
from reflect.domain.people import MAX_PEOPLE, couple_words
from reflect.domain.rituals import DEFAULT_BY_KEY, DEFAULT_KINDS, Ritual, RitualKind
from reflect.errors import (
    NotAReflectStore,
    NotSignedIn,
    SignInDelayed,
    StoreError,
    StoreTooNew,
    ValidationError,
    WrongPassphrase,
)
from reflect.storage import keys, migrations, storefile
from reflect.storage.agreements import AgreementRecords
from reflect.storage.appreciations import AppreciationRecords
from reflect.storage.consent import ConsentLists
from reflect.storage.lifeevents import LifeEventRecords
from reflect.storage.people import PeopleRecords
from reflect.storage.questions import QuestionRecords
from reflect.storage.records import SaveStatus, now_stamp
from reflect.storage.repairs import RepairLog
from reflect.storage.storefile import describe_error
from reflect.system.paths import make_private_dirs, refuse_non_regular, resolve_store_path

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
#: The stores this program has already said were more than a couple (see Store.couple_problem).
_TOLD_COUPLE: set[str] = set()
WRITE_RETRIES = 8

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


@dataclass(frozen=True)
class PartnerView:
    """What a signed-in person may see of their partner's answers for one period (see
    :meth:`Store.partner_view`): whether the partner answered, and the answers once shown."""

    partner: str
    answered: bool
    checkin: CheckIn | None  # None while not answered, or answered but still sealed


#: Set to ``1`` in the environment of the form's kernel by ``reflect app --lan``: the form's store
#: then lets only people with a passphrase act (see :attr:`Store.passphrases_required`).
ENV_PASSPHRASES_REQUIRED = "REFLECT_PASSPHRASES_REQUIRED"


def passphrases_required_here() -> bool:
    """Whether this process was started to serve the form on the home network (``reflect app --lan``)."""
    return os.environ.get(ENV_PASSPHRASES_REQUIRED) == "1"


#: Wrong passphrases allowed in a row before each further try must wait (1 s, then 2, 4 ... 60 s).
FREE_SIGN_IN_FAILURES = 3
MAX_SIGN_IN_DELAY_S = 60.0


def _choose_at_the_computer(name: str) -> str:
    return (f"{name} has no passphrase, and on the home network only people with one can sign in; "
            f"choose one at the computer with `reflect person passphrase {name}`")


@dataclass(frozen=True)
class Person:
    """Someone the store knows: ``protected`` when they have a passphrase."""

    name: str
    protected: bool
    chose_no_passphrase: bool
    created_at: str


@dataclass(frozen=True)
class PersonEvent:
    """Something that happened to a person's passphrase, for both partners to see."""

    person: str
    event: str  # passphrase-set, passphrase-changed, passphrase-reset, no-passphrase, renamed, merged
    at: str
    by: str | None = None  # who was signed in when it happened (None: nobody)


def _seconds(wait: float) -> str:
    """A wait in whole seconds, rounded up: never "0 s"."""
    return f"{max(1, math.ceil(wait))} s"


def reset_words(at: str, by: str | None) -> str:
    """When a reset happened and who was signed in: "2026-12-06 at 09:30 UTC, while Sam was signed in"."""
    when = f"{at[:10]} at {at[11:16]} UTC"
    return f"{when}, while {by} was signed in" if by else f"{when}, with nobody signed in"


EVENT_WORDS = {
    "passphrase-set": "chose a passphrase",
    "passphrase-changed": "changed their passphrase",
    "passphrase-reset": "reset a forgotten passphrase (notes written before stay sealed)",
    "renamed": "was given this name (renamed)",
    "merged": "took in the check-ins of a mistyped name (merged)",
    "removed": "was removed (a name with nothing saved)",
    "no-passphrase": "chose to have no passphrase",
}


_now = now_stamp


def _note_context(person: str, cadence: str, start: str) -> str:
    return f"{person}|{cadence}|{start}"


def _period_end_sql(alias: str) -> str:
    return (f"CASE {alias}.cadence WHEN 'monthly' THEN date({alias}.period_start, '+1 month') "
            f"WHEN 'weekly' THEN date({alias}.period_start, '+7 days') "
            f"ELSE date({alias}.period_start, '+1 day') END")


def make_private(path: Path, *, back_to: int | None = None) -> int | None:
    """Make a file readable and writable by its owner only, if it is not already; the mode it had
    when this changed it (else None). ``back_to`` puts that mode back instead, for a file refused
    after all (see :meth:`Store._open`)."""
    try:
        if back_to is not None:
            path.chmod(back_to)
            return None
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o600)
            return mode
    except OSError:  # pragma: no cover - not ours to fix (e.g. another owner)
        log.warning("could not restrict permissions of %s", path)
    return None


class Store(PeopleRecords, AgreementRecords, RepairLog, ConsentLists, LifeEventRecords, AppreciationRecords,
            QuestionRecords):
    """A Reflect store in one SQLite file (or ``":memory:"`` for tests).

    Besides check-ins and rituals, it keeps the practices, one mixin each: agreements
    (:class:`~reflect.storage.agreements.AgreementRecords`), the repair log
    (:class:`~reflect.storage.repairs.RepairLog`), consent lists
    (:class:`~reflect.storage.consent.ConsentLists`) and life events
    (:class:`~reflect.storage.lifeevents.LifeEventRecords`).

    Opening a file that does not exist creates it (mode 0600). Opening an older store migrates
    it after writing a backup beside it; a file that is not a Reflect store, or that comes from a
    newer Reflect, raises and is left untouched.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, passphrases_required: bool = False):
        if path is None:
            raise TypeError("Store needs a path (or ':memory:'); paths.resolve_store_path() says which store is "
                            "the default")
        self.path = Path(path).expanduser() if str(path) != ":memory:" else None
        #: Today's date, for what is sealed (a period not over yet); tests may replace it.
        self.today: Any = dt.date.today
        self._keys: dict[str, tuple[int, keys.UnlockedKey]] = {}  # signed-in protected people
        self._present: set[str] = set()  # everyone signed in (with or without a passphrase)
        self._notices: dict[str, list[str]] = {}  # what a person must be told at sign-in (see notices)
        #: Only people with a passphrase may act through this store object (the form on the home
        #: network): nobody can be added without one, and nobody without one can sign in or save.
        self.passphrases_required = passphrases_required
        self._conn = self._open(create=create)
        problem = self.couple_problem() if self.path is not None else None
        if problem and str(self.path) not in _TOLD_COUPLE:  # said once per program, not at every open
            _TOLD_COUPLE.add(str(self.path))
            log.warning("%s", problem)

    # -- opening -----------------------------------------------------------------------------

    def _open(self, *, create: bool) -> sqlite3.Connection:
        if self.path is None:
            conn = self._connect(":memory:")
            self._initialise(conn, version=0)
            return conn
        path = self.path

        def private_and_checked() -> sqlite3.Connection:
            # Owner-only before SQLite opens it (SQLite gives the -wal and -shm files it makes the
            # store's mode); a file SQLite refuses after all gets its mode back: refused means untouched.
            was = make_private(path)
            try:
                conn = self._connect_checked(path)
            except (NotAReflectStore, StoreTooNew):
                if was is not None:
                    make_private(path, back_to=was)
                raise
            if was is not None:
                log.info("made %s readable by its owner only", path)
            return conn

        # What the file is, found out without changing it (not even its mode): see storefile.
        version = storefile.identify(path, application_id=migrations.APPLICATION_ID, newest=migrations.SCHEMA_VERSION)
        if version is None and not create:
            raise StoreError(f"{path}: no such store (create it with `reflect init`)")
        if version == 0 and not create:
            raise StoreError(f"{path} is empty, not yet a Reflect store (create it with `reflect init`)")
        if version is not None and version == migrations.SCHEMA_VERSION:
            conn = private_and_checked()
            if conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION:
                return conn
            # The file ran ahead of what SQLite has committed: another program is creating or
            # upgrading the store right now. Wait for it below, as a creator would.
            conn.close()
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
            conn = private_and_checked()
            if version < migrations.SCHEMA_VERSION:
                if version > 0:
                    self._backup_before_migration(conn, version)
                self._initialise(conn, version=version)
            return conn

    def _connect_checked(self, path: Path) -> sqlite3.Connection:
        """Connect to a file :func:`storefile.identify` accepted, and check it once more with SQLite."""
        conn: sqlite3.Connection | None = None
        try:
            conn = self._connect(str(path))
            # in one read, so that a store another program is creating is seen before or after, never half
            app_id, version, n_tables = conn.execute(
                "SELECT (SELECT application_id FROM pragma_application_id), "
                "(SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)").fetchone()
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()  # now: SQLite removes the -wal and -shm files it made on the way
            raise NotAReflectStore(f"{path} is not a Reflect store ({exc}); it was left untouched") from None
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
        # Deleted or replaced content (a note sealed after the fact, a re-wrapped key) is zeroed.
        conn.execute("PRAGMA secure_delete = ON")
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
        self.sign_out()
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

    # -- people, passphrases, signing in ----------------------------------------------------

    def person(self, name: str) -> Person | None:
        """What the store knows of ``name`` (None for someone it does not know)."""
        row = self._conn.execute(
            "SELECT p.name, p.created_at, p.chose_no_passphrase, "
            "EXISTS (SELECT 1 FROM person_keys k WHERE k.person = p.name AND k.retired_at IS NULL) "
            "FROM people p WHERE p.name = ?", (name,)).fetchone()
        if row is None:
            return None
        return Person(name=row[0], created_at=row[1], chose_no_passphrase=bool(row[2]), protected=bool(row[3]))

    def persons(self) -> list[Person]:
        """Everyone the store knows, by name."""
        names = [r[0] for r in self._conn.execute("SELECT name FROM people ORDER BY name")]
        return [p for p in (self.person(n) for n in names) if p is not None]

    def is_protected(self, name: str) -> bool:
        person = self.person(name)
        return person is not None and person.protected

    def people_events(self, name: str | None = None) -> list[PersonEvent]:
        """What happened to passphrases (set, changed, reset), oldest first: for both partners to see."""
        sql = "SELECT person, event, at, by FROM people_events" + (" WHERE person = ?" if name else "") + " ORDER BY id"
        return [PersonEvent(*r) for r in self._conn.execute(sql, (name,) if name else ())]

    def add_person(self, name: str, passphrase: str | None, *, params: keys.KdfParams | None = None) -> Person:
        """Make ``name`` known, with a passphrase, or explicitly with none (``passphrase=None``).

        A person the store already knows without a passphrase may still choose one here (or with
        :meth:`set_passphrase`); a person who has one keeps it (change it with :meth:`set_passphrase`).
        """
        name = parse_person(name)
        self.check_newcomer(name)  # before the slow key derivation: a third name, a near miss
        existing = self.person(name)
        if existing is not None and existing.protected:
            raise ValidationError(f"{name} already has a passphrase (change it with `reflect person passphrase`)",
                                  field="person")
        if passphrase is None and self.passphrases_required:
            raise ValidationError("on the home network everyone needs a passphrase; choose one (a few words)",
                                  field="passphrase")
        if passphrase is not None:
            self.set_passphrase(name, passphrase, params=params)
        else:
            def work(conn: sqlite3.Connection) -> None:
                stamp = _now()
                self._register(conn, name, stamp)
                conn.execute("UPDATE people SET chose_no_passphrase = 1 WHERE name = ?", (name,))
                conn.execute("INSERT INTO people_events (person, event, at) VALUES (?, 'no-passphrase', ?)",
                             (name, stamp))

            _retry(lambda: _in_transaction(self._conn, work))
            self._present.add(name)
        person = self.person(name)
        assert person is not None
        return person

    def set_passphrase(self, name: str, new: str, *, old: str | None = None,
                       params: keys.KdfParams | None = None) -> None:
        """Choose a passphrase (a person without one), or change it (``old`` is the current one, or
        the person is signed in).

        Choosing one seals the person's earlier notes, which were kept in plain text until now.
        Changing it re-wraps the person's key: no note is rewritten and every note stays readable.
        """
        name = parse_person(name)
        keys.check_new_passphrase(new)
        person = self.person(name)
        if person is not None and not person.protected and self.passphrases_required:
            raise NotSignedIn(_choose_at_the_computer(name))
        if person is not None and person.protected:
            if old is not None:
                self.sign_in(name, old)
            elif name not in self._keys:
                raise NotSignedIn(f"{name} already has a passphrase: sign in (or give the current one) to change it")
            key_id, unlocked = self._keys[name]
            wrapped = self._wrapped_key(key_id)
            rewrapped = keys.rewrap(unlocked, wrapped, new, name, params)

            def change(conn: sqlite3.Connection) -> None:
                conn.execute("UPDATE person_keys SET kdf = ?, wrapped_key = ? WHERE id = ?",
                             (rewrapped.kdf, rewrapped.wrapped_key, key_id))
                conn.execute("INSERT INTO people_events (person, event, at) VALUES (?, 'passphrase-changed', ?)",
                             (name, _now()))

            _retry(lambda: _in_transaction(self._conn, change))
            return
        self._new_key(name, new, params, event="passphrase-set")

    def reset_passphrase(self, name: str, new: str, *, params: keys.KdfParams | None = None) -> None:
        """A new passphrase for someone who forgot theirs. A reset opens nothing saved before it: their
        notes (and repairs, and list) written before cannot be read again by anyone (they stay in the
        store, sealed); their answers saved before stay sealed, and cannot be changed, until their
        period is over (or the partner has answered, as always); their scores stay. Recorded for both
        to see, with who was signed in at the time, and told to the person at their next sign-in."""
        name = parse_person(name)
        keys.check_new_passphrase(new)
        if not self.is_protected(name):
            raise ValidationError(f"{name} has no passphrase to reset; choose one instead", field="person")
        self.sign_out(name)
        self._new_key(name, new, params, event="passphrase-reset")

    def _new_key(self, name: str, passphrase: str, params: keys.KdfParams | None, *, event: str) -> None:
        wrapped, unlocked = keys.new_person_key(passphrase, name, params)

        def work(conn: sqlite3.Connection) -> None:
            stamp = _now()
            self._register(conn, name, stamp)
            conn.execute("UPDATE person_keys SET retired_at = ? WHERE person = ? AND retired_at IS NULL",
                         (stamp, name))
            key_id = conn.execute(
                "INSERT INTO person_keys (person, kdf, wrapped_key, public_key, wrapped_private, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (name, wrapped.kdf, wrapped.wrapped_key, wrapped.public_key, wrapped.wrapped_private, stamp),
            ).lastrowid
            assert key_id is not None
            conn.execute("UPDATE people SET chose_no_passphrase = 0, failures = 0, failed_at = NULL WHERE name = ?",
                         (name,))
            by = ", ".join(sorted(self._present - {name})) or None
            conn.execute("INSERT INTO people_events (person, event, at, by, told_at) VALUES (?, ?, ?, ?, ?)",
                         (name, event, stamp, by, None if event == "passphrase-reset" else stamp))
            # Notes kept in plain text while the person had no passphrase are sealed now.
            self._seal_plain_words(conn, name, key_id, unlocked)
            self._keys[name] = (key_id, unlocked)
            self._present.add(name)

        _retry(lambda: _in_transaction(self._conn, work))
        self._share_pending(name)
        self._practices_signed_in(name)
        self._checkpoint()

    def _seal_plain_words(self, conn: sqlite3.Connection, name: str, key_id: int, unlocked: keys.UnlockedKey) -> None:
        """Seal with ``name``'s key every note (and repair, and list) of theirs kept in plain text."""
        plain = conn.execute(
            "SELECT id, cadence, period_start, note FROM checkin_versions "
            "WHERE person = ? AND note IS NOT NULL AND note_key IS NULL", (name,)).fetchall()
        for row in plain:
            box = keys.seal_note(unlocked, row["note"],
                                 context=_note_context(name, row["cadence"], row["period_start"]))
            conn.execute("UPDATE checkin_versions SET note = NULL, note_key = ?, note_sealed = ?, note_cek = ? "
                         "WHERE id = ?", (key_id, box.sealed, box.wrapped_cek, row["id"]))
        self._seal_practices(conn, name, key_id, unlocked)  # repairs and consent lists, likewise

    def _checkpoint(self) -> None:
        """Move everything into the main file and empty the WAL (so no old page stays there)."""
        if self.path is not None:
            try:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError:  # pragma: no cover - busy: SQLite checkpoints later
                log.debug("could not checkpoint %s now", self.path)

    def _wrapped_key(self, key_id: int) -> keys.WrappedKey:
        row = self._conn.execute(
            "SELECT kdf, wrapped_key, public_key, wrapped_private FROM person_keys WHERE id = ?", (key_id,)
        ).fetchone()
        return keys.WrappedKey(kdf=row[0], wrapped_key=row[1], public_key=row[2], wrapped_private=row[3])

    def _current_key_id(self, name: str) -> int | None:
        row = self._conn.execute(
            "SELECT id FROM person_keys WHERE person = ? AND retired_at IS NULL", (name,)).fetchone()
        return int(row[0]) if row else None

    def sign_in(self, name: str, passphrase: str | None = None) -> None:
        """Sign ``name`` in: their own check-ins and notes open to this store object until
        :meth:`sign_out`. A person with a passphrase must give it; after a few wrong ones, each
        further try must wait longer (:class:`SignInDelayed`)."""
        name = parse_person(name)
        row = self._conn.execute("SELECT failures, failed_at FROM people WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise ValidationError(f"there is no one called {name} in this store yet", field="person")
        key_id = self._current_key_id(name)
        if key_id is None:  # no passphrase: signing in is saying who you are
            if self.passphrases_required:
                raise NotSignedIn(_choose_at_the_computer(name))
            self._present.add(name)
            return
        if name in self._keys and self._keys[name][0] == key_id and passphrase is None:
            return
        if not passphrase:
            raise NotSignedIn(f"{name} has a passphrase: give it to sign in")
        # The try is counted (and the wait checked) in one write transaction *before* the slow key
        # derivation: tries made at the same moment are counted one after the other, so once the
        # free tries are used, one guess is evaluated per wait however many are started together.
        wait = self._reserve_try(name)
        if wait > 0:
            raise SignInDelayed(
                f"too many wrong passphrases for {name}: wait {_seconds(wait)} before trying again", wait=wait)
        try:
            unlocked = keys.unlock(self._wrapped_key(key_id), passphrase, name)
        except WrongPassphrase:
            row = self._conn.execute("SELECT failures, failed_at FROM people WHERE name = ?", (name,)).fetchone()
            later = self._sign_in_wait(int(row[0]), row[1])
            raise WrongPassphrase(
                self._wrong_passphrase_words(name, passphrase)
                + (f"; wait {_seconds(later)} before the next try" if later > 0 else "")) from None
        _retry(lambda: _in_transaction(self._conn, lambda conn: conn.execute(
            "UPDATE people SET failures = 0, failed_at = NULL WHERE name = ?", (name,))))
        self._keys[name] = (key_id, unlocked)
        self._present.add(name)
        self._tell_resets(name)
        self._share_pending(name)
        self._practices_signed_in(name)

    def _reserve_try(self, name: str) -> float:
        """Count one try for ``name`` now, unless they must wait: returns the wait (0 when counted)."""
        waits: list[float] = []

        def work(conn: sqlite3.Connection) -> None:
            waits.clear()
            row = conn.execute("SELECT failures, failed_at FROM people WHERE name = ?", (name,)).fetchone()
            wait = self._sign_in_wait(int(row[0]), row[1])
            waits.append(wait)
            if wait <= 0:
                conn.execute("UPDATE people SET failures = failures + 1, failed_at = ? WHERE name = ?",
                             (_now(), name))

        _retry(lambda: _in_transaction(self._conn, work))
        return waits[0]

    def _wrong_passphrase_words(self, name: str, passphrase: str) -> str:
        """Why a passphrase did not open: not theirs, or theirs until a reset (then when, and by whom)."""
        reset = self._conn.execute(
            "SELECT e.at, e.by, k.id FROM people_events e JOIN person_keys k ON k.person = e.person "
            "AND k.retired_at = e.at WHERE e.person = ? AND e.event = 'passphrase-reset' ORDER BY e.id DESC LIMIT 1",
            (name,)).fetchone()
        if reset is not None:
            try:
                keys.unlock(self._wrapped_key(reset[2]), passphrase, name)
            except WrongPassphrase:
                pass
            else:
                return (f"that was {name}'s passphrase until it was reset on {reset_words(reset[0], reset[1])}; "
                        f"it opens nothing now. If you did not reset it, someone at the computer did: what you saved "
                        f"before stays sealed. Choose a new one with `reflect person passphrase {name} --reset`")
        return f"that is not {name}'s passphrase"

    def _tell_resets(self, name: str) -> None:
        """Keep, for the person who just signed in, a word on each reset of their passphrase not yet told."""
        rows = self._conn.execute(
            "SELECT id, at, by FROM people_events WHERE person = ? AND event = 'passphrase-reset' AND told_at IS NULL "
            "ORDER BY id", (name,)).fetchall()
        if not rows:
            return
        self._notices.setdefault(name, []).extend(
            f"{name}, your passphrase was reset on {reset_words(r[1], r[2])}. Answers saved before it stay sealed "
            "until their period is over, and notes written before it stay sealed for ever. If it was not you, "
            "talk about it together." for r in rows)
        stamp = _now()
        _retry(lambda: _in_transaction(self._conn, lambda conn: conn.executemany(
            "UPDATE people_events SET told_at = ? WHERE id = ?", [(stamp, r[0]) for r in rows])))

    def notices(self, name: str) -> list[str]:
        """What ``name`` must be told now they signed in (a reset of their passphrase), once: the list
        is emptied as it is read."""
        return self._notices.pop(name, [])

    @staticmethod
    def _sign_in_wait(failures: int, failed_at: str | None) -> float:
        if failures < FREE_SIGN_IN_FAILURES or not failed_at:
            return 0.0
        delay = min(MAX_SIGN_IN_DELAY_S, 2.0 ** (failures - FREE_SIGN_IN_FAILURES))
        since = (dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(failed_at)).total_seconds()
        return max(0.0, delay - since)

    def sign_out(self, name: str | None = None) -> None:
        """Sign ``name`` out (everyone without a name): their keys leave memory."""
        if name is None:
            self._keys.clear()
            self._present.clear()
        else:
            self._keys.pop(name, None)
            self._present.discard(name)

    @property
    def signed_in(self) -> frozenset[str]:
        """Who is signed in to this store object."""
        return frozenset(self._present)

    def require_signed_in(self, person: str) -> None:
        """Raise NotSignedIn unless ``person`` has no passphrase or is signed in to this store object."""
        if self._current_key_id(person) is not None and person not in self._keys:
            raise NotSignedIn(f"{person} has a passphrase: sign in as {person} first (nothing was saved)")
        if self.passphrases_required and person not in self._keys:
            raise NotSignedIn(_choose_at_the_computer(person) + " (nothing was saved)")


    # -- sealing: what is shown to whom ------------------------------------------------------

    def _visible_sql(self, alias: str = "c") -> tuple[str, list[Any]]:
        """A SQL condition true for the check-ins (rows of ``checkins`` as ``alias``) shown now: the
        one gate for scores and wishes, asked by every reading method of the store.

        - On the home network (:attr:`passphrases_required`), nothing at all until someone signs in.
        - A person signed in sees their own answers, except those saved before a reset of their
          passphrase (a reset opens nothing saved before it).
        - Everyone sees the answers of a period that is over, and those of a period the partner
          has answered too (in a store of more than two people, every other person).
        - A person with a passphrase who has no partner (yet, or any more) keeps an open period
          sealed: removing or merging away the partner opens nothing.
        """
        if self.passphrases_required and not self._keys:
            return "0", []
        present = sorted(self._present)
        marks = ", ".join("?" * len(present))
        own = (
            f" OR ({alias}.person IN ({marks}) AND NOT EXISTS (SELECT 1 FROM people_events e "
            f"WHERE e.person = {alias}.person AND e.event = 'passphrase-reset' AND e.at > "
            f"(SELECT r.saved_at FROM checkin_versions r WHERE r.id = {alias}.version_id)))"
        ) if present else ""
        sql = (
            f"({_period_end_sql(alias)} <= ?"
            + own
            + f" OR ((EXISTS (SELECT 1 FROM people p WHERE p.name != {alias}.person) OR NOT EXISTS ("
            f"SELECT 1 FROM person_keys k WHERE k.person = {alias}.person AND k.retired_at IS NULL))"
            f" AND NOT EXISTS (SELECT 1 FROM people p WHERE p.name != {alias}.person AND NOT EXISTS ("
            f"SELECT 1 FROM checkins o WHERE o.person = p.name AND o.cadence = {alias}.cadence "
            f"AND o.period_start = {alias}.period_start))))"
        )
        return sql, [self.today().isoformat(), *present]

    def partner_view(self, viewer: str, cadence: str, start: Any) -> PartnerView | None:
        """What ``viewer`` may see of their partner's answers for the period (cadence, start): None
        unless ``viewer`` is one of the couple and signed in to this store object (a name typed but
        not signed in, or not yet saved, sees nothing of anyone)."""
        if viewer not in self._present:
            return None
        partner = self.partner_of(viewer)
        if partner is None:
            return None
        day = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        answered = partner in self.answered(cadence, day)
        theirs = self.get(partner, day, cadence) if answered else None
        if theirs is not None and not theirs.weighing_shared:
            theirs = replace(theirs, weighing=None)  # how life weighs on them is theirs unless they share it
        return PartnerView(partner, answered, theirs)

    def couple_problem(self) -> str | None:
        """When the store holds more than two people (made before a store was one couple): what to do,
        in one sentence; else None."""
        names = [p.name for p in self.persons()]
        if len(names) <= MAX_PEOPLE:
            return None
        return (f"this store holds {len(names)} people ({couple_words(names)}), but a store is one couple: until "
                "it holds two, nothing is shared with a partner. Mend a mistyped name with `reflect person merge "
                "TYPO INTO NAME` or `reflect person rename`, remove a name with nothing saved with `reflect person "
                "remove NAME`; another couple keeps a store of their own (--db)")

    def _refuse_sealed_by_reset(self, checkins: list[CheckIn]) -> None:
        """Raise NotSignedIn for a check-in whose saved answers its (signed-in) writer may not see: saved
        before a reset of their passphrase, in a period not over and not yet answered by the partner.
        Such answers cannot be changed either, until then."""
        for c in checkins:
            if c.person in self._present and self.is_sealed(c):
                raise NotSignedIn(
                    f"{c.person}'s {c.cadence} check-in for that period was saved before {c.person}'s passphrase was "
                    "reset: it stays sealed, and cannot be changed, until the period is over or the partner has "
                    "answered (nothing was saved)")

    def answered(self, cadence: str, start: Any) -> list[str]:
        """Who has answered for a period (names only: what they answered may still be sealed)."""
        day = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        rows = self._conn.execute("SELECT person FROM checkins WHERE cadence = ? AND period_start = ? ORDER BY person",
                                  (cadence, day.isoformat()))
        return [r[0] for r in rows]

    def is_sealed(self, checkin: CheckIn) -> bool:
        """Whether ``checkin`` (saved) is hidden from whoever is signed in to this store object."""
        cond, params = self._visible_sql()
        row = self._conn.execute(
            f"SELECT NOT {cond} FROM checkins c WHERE c.person = ? AND c.cadence = ? AND c.period_start = ?",
            [*params, *checkin.key]).fetchone()
        return bool(row and row[0])

    # -- notes ---------------------------------------------------------------------------------

    def _read_note(self, row: sqlite3.Row) -> str | None:
        """The note of a version row, if whoever is signed in may read it (else None)."""
        if row["note_key"] is None:
            return row["note"]  # written without a passphrase: as open as it ever was
        person = row["person"]
        context = _note_context(person, row["cadence"], row["period_start"])
        box = keys.SealedNote(sealed=row["note_sealed"], wrapped_cek=row["note_cek"])
        mine = self._keys.get(person)
        if mine is not None:
            if mine[0] != row["note_key"]:
                return None  # written under a key whose passphrase was forgotten: sealed for ever
            return keys.open_note(mine[1], box, context=context)
        if not row["note_shared"]:
            return None
        for reader, (key_id, unlocked) in self._keys.items():
            if reader != self.partner_of(person):
                continue  # a note is shared with the partner, and with nobody else
            share = self._conn.execute(
                "SELECT wrapped_cek FROM note_shares WHERE version_id = ? AND reader = ? AND reader_key = ?",
                (row["id"], reader, key_id)).fetchone()
            if share is not None:
                return keys.open_shared_note(unlocked, box, share[0], context=context, reader=reader)
        return None

    def _checkin(self, row: sqlite3.Row) -> CheckIn:
        return CheckIn(
            person=row["person"],
            cadence=row["cadence"],
            period_start=dt.date.fromisoformat(row["period_start"]),
            scores={k: row[k] for k in KEYS},
            desired={k: row[f"desired_{k}"] for k in KEYS},
            note=self._read_note(row),
            note_shared=bool(row["note_shared"]),
            weighing=row["weighing"] if row["weighing_shared"] or row["person"] in self._present else None,
            weighing_shared=bool(row["weighing_shared"]),
        )

    def _wrap_shares(self, conn: sqlite3.Connection, version_id: int, writer: str, box: keys.SealedNote,
                     context: str) -> None:
        """Share a note's key with the partner, if they have a passphrase (and no share yet)."""
        _, unlocked = self._keys[writer]
        readers = conn.execute(
            "SELECT k.person, k.id, k.public_key FROM person_keys k WHERE k.retired_at IS NULL AND k.person = ? "
            "AND NOT EXISTS (SELECT 1 FROM note_shares s WHERE s.version_id = ? AND s.reader = k.person "
            "AND s.reader_key = k.id)", (self.partner_of(writer), version_id)).fetchall()
        for reader, key_id, public in readers:
            wrapped = keys.share_note(unlocked, box, public, context=context, reader=reader)
            conn.execute("INSERT OR REPLACE INTO note_shares (version_id, reader, reader_key, wrapped_cek) "
                         "VALUES (?, ?, ?, ?)", (version_id, reader, key_id, wrapped))

    def _share_pending(self, writer: str) -> None:
        """After ``writer`` signs in: share their shared notes with partners who chose a passphrase
        (or a new one) since."""
        key_id = self._keys[writer][0] if writer in self._keys else None
        if key_id is None:
            return
        rows = self._conn.execute(
            "SELECT v.* FROM checkins c JOIN checkin_versions v ON v.id = c.version_id "
            "WHERE c.person = ? AND v.note_shared = 1 AND v.note_key = ? AND EXISTS ("
            "SELECT 1 FROM person_keys k WHERE k.retired_at IS NULL AND k.person = ? AND NOT EXISTS ("
            "SELECT 1 FROM note_shares s WHERE s.version_id = v.id AND s.reader = k.person AND s.reader_key = k.id))",
            (writer, key_id, self.partner_of(writer))).fetchall()
        if not rows:
            return

        def work(conn: sqlite3.Connection) -> None:
            for row in rows:
                box = keys.SealedNote(sealed=row["note_sealed"], wrapped_cek=row["note_cek"])
                self._wrap_shares(conn, row["id"], writer,
                                  box, _note_context(writer, row["cadence"], row["period_start"]))

        _retry(lambda: _in_transaction(self._conn, work))

    def share_note(self, person: str, date: Any, cadence: str | None = None, *, shared: bool = True) -> None:
        """Share (or stop sharing) the note of one check-in with the partner. The writer must be
        signed in. A shared note is shown to the partner like the scores: once both have answered,
        or once the period is over."""
        probe = CheckIn.create(person=person, date=date, cadence=cadence, scores=dict.fromkeys(KEYS, 1))
        self.require_signed_in(probe.person)

        def work(conn: sqlite3.Connection) -> None:
            row = conn.execute(
                "SELECT v.* FROM checkins c JOIN checkin_versions v ON v.id = c.version_id "
                "WHERE c.person = ? AND c.cadence = ? AND c.period_start = ?", probe.key).fetchone()
            if row is None:
                raise ValidationError(f"{probe.person} has no {probe.cadence} check-in for that period")
            if row["note_key"] is not None and row["note_key"] != self._current_key_id(probe.person):
                raise NotSignedIn(f"{probe.person}'s note for that period was written before {probe.person}'s "
                                  "passphrase was reset: it stays sealed, and shared or not as it was")
            self._set_shared(conn, row, shared)

        _retry(lambda: _in_transaction(self._conn, work))

    def _set_shared(self, conn: sqlite3.Connection, row: sqlite3.Row, shared: bool) -> None:
        conn.execute("UPDATE checkin_versions SET note_shared = ? WHERE id = ?", (int(shared), row["id"]))
        if not shared:
            conn.execute("DELETE FROM note_shares WHERE version_id = ?", (row["id"],))
        elif row["note_key"] is not None and self._keys.get(row["person"], (None,))[0] == row["note_key"]:
            box = keys.SealedNote(sealed=row["note_sealed"], wrapped_cek=row["note_cek"])
            self._wrap_shares(conn, row["id"], row["person"], box,
                              _note_context(row["person"], row["cadence"], row["period_start"]))

    def signed_in_notes(self) -> list[dict[str, str]]:
        """The sealed notes whoever is signed in may read (their own, and those shared with them),
        as ``person``, ``cadence``, ``date``, ``note``: what a report with notes needs."""
        if not self._keys:
            return []
        out = []
        for row in self._latest_rows():
            if row["note_key"] is None:
                continue
            note = self._read_note(row)
            if note is not None:
                out.append({"person": row["person"], "cadence": row["cadence"], "date": row["period_start"],
                            "note": note})
        return out

    # -- writing -----------------------------------------------------------------------------

    def save(self, checkin: CheckIn, *, source: str | None = None, share_note: bool | None = None,
             keep_note: bool = False, keep_desired: Iterable[str] = (), share_weighing: bool | None = None,
             keep_weighing: bool = False) -> SaveResult:
        """Save one check-in in one transaction; an identical re-save changes nothing.

        A person with a passphrase must be signed in (:meth:`sign_in`); their note is stored
        sealed. ``share_note`` shares the note with the partner (None: as the previous version).
        ``keep_note``: a check-in without a note keeps the note of the version it updates (as the
        form does when its note box is left empty); without it, no note means the note is cleared.
        A note that can no longer be opened (sealed before a reset of the passphrase) stays in the
        history only. ``keep_desired``: the dimensions whose desired level, not given, is kept from
        the version it updates (a correction of one score keeps the wishes).

        How life is weighing (``checkin.weighing``) is shown to its writer, and to others (the partner,
        a report) only once ``share_weighing`` shared it (None: as the previous version; at first, not
        shared), and then like the scores. ``keep_weighing``: not given, it is kept from the version it
        updates.
        """
        self.require_signed_in(checkin.person)
        self._refuse_sealed_by_reset([checkin])
        holder: list[SaveResult] = []

        def work(conn: sqlite3.Connection) -> None:
            holder.clear()
            holder.append(self._save_one(conn, checkin, source, _now(), share_note, keep_note,
                                         frozenset(keep_desired), share_weighing, keep_weighing))

        _retry(lambda: _in_transaction(self._conn, work))
        return holder[0]

    def save_many(self, checkins: Iterable[CheckIn], *, source: str | None = None, keep_note: bool = False,
                  keep_desired: Iterable[str] = (), share_weighing: bool | None = None,
                  keep_weighing: bool = False) -> BatchResult:
        """Save many check-ins in one transaction: all of them or none (``keep_note``, ``keep_desired``:
        as :meth:`save`, for a file that lacks those columns).

        Two check-ins with the same key in one batch are an error (nothing is written); so is a
        check-in of a person with a passphrase who is not signed in.
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
        for person in sorted({c.person for c in items}):
            self.require_signed_in(person)
        self._refuse_sealed_by_reset(items)
        counts: dict[str, int] = {}
        kept = frozenset(keep_desired)

        def work(conn: sqlite3.Connection) -> None:
            counts.clear()
            stamp = _now()
            for c in items:
                status = self._save_one(conn, c, source, stamp, None, keep_note, kept, share_weighing,
                                        keep_weighing).status
                counts[status] = counts.get(status, 0) + 1

        _retry(lambda: _in_transaction(self._conn, work))
        return BatchResult(**counts)

    def _save_one(
        self, conn: sqlite3.Connection, checkin: CheckIn, source: str | None, stamp: str, share: bool | None,
        keep_note: bool = False, keep_desired: frozenset[str] = frozenset(), share_weighing: bool | None = None,
        keep_weighing: bool = False,
    ) -> SaveResult:
        self._register(conn, checkin.person, stamp)
        previous_row = conn.execute(
            "SELECT v.* FROM checkins c JOIN checkin_versions v ON v.id = c.version_id "
            "WHERE c.person = ? AND c.cadence = ? AND c.period_start = ?",
            checkin.key,
        ).fetchone()
        previous = self._checkin(previous_row) if previous_row else None
        if previous is not None:  # the writer saving sees their own weighing, shared or not
            previous = replace(previous, weighing=previous_row["weighing"])
        if keep_note and checkin.note is None and previous is not None and previous.note is not None:
            checkin = replace(checkin, note=previous.note)
        if previous is not None and any(checkin.desired.get(k) is None and previous.desired.get(k) is not None
                                        for k in keep_desired):
            checkin = replace(checkin, desired={k: previous.desired.get(k) if k in keep_desired and v is None else v
                                                for k, v in checkin.desired.items()})
        if keep_weighing and checkin.weighing is None and previous is not None and previous.weighing is not None:
            checkin = replace(checkin, weighing=previous.weighing)
        shared = share if share is not None else bool(previous.note_shared) if previous else False
        weighing_shared = (share_weighing if share_weighing is not None
                           else previous.weighing_shared if previous is not None else False)
        checkin = replace(checkin, note_shared=shared, weighing_shared=weighing_shared)
        if previous is not None and previous.content() == checkin.content():
            if weighing_shared != previous.weighing_shared:
                conn.execute("UPDATE checkin_versions SET weighing_shared = ? WHERE id = ?",
                             (int(weighing_shared), previous_row["id"]))
            if shared != previous.note_shared:
                self._set_shared(conn, previous_row, shared)
            if (shared, weighing_shared) != (previous.note_shared, previous.weighing_shared):
                return SaveResult("updated", checkin, previous)
            return SaveResult("unchanged", checkin, previous)
        row = checkin.as_row()
        key = self._keys.get(checkin.person)
        context = _note_context(*checkin.key)
        box = keys.seal_note(key[1], checkin.note, context=context) if key and checkin.note else None
        values: list[Any] = [checkin.person, checkin.cadence, checkin.period_start.isoformat()]
        values += [row[k] for k in KEYS] + [row[k] for k in DESIRED_KEYS]
        values += [None if key else checkin.note]
        extra: list[Any] = [stamp, source, key[0] if box and key else None, box.sealed if box else None,
                 box.wrapped_cek if box else None, int(shared), checkin.weighing, int(weighing_shared)]
        cols = ", ".join((*_COLUMNS, "saved_at", "source", "note_key", "note_sealed", "note_cek", "note_shared",
                          "weighing", "weighing_shared"))
        marks = ", ".join("?" * (len(_COLUMNS) + len(extra)))
        cur = conn.execute(f"INSERT INTO checkin_versions ({cols}) VALUES ({marks})", [*values, *extra])
        version_id = cur.lastrowid
        assert version_id is not None
        conn.execute(
            "INSERT INTO checkins (person, cadence, period_start, version_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (person, cadence, period_start) DO UPDATE SET version_id = excluded.version_id",
            [*checkin.key, version_id],
        )
        if box is not None and shared:
            self._wrap_shares(conn, version_id, checkin.person, box, context)
        return SaveResult("updated" if previous else "added", checkin, previous)

    # -- reading -----------------------------------------------------------------------------

    def _latest_rows(
        self,
        *,
        person: str | None = None,
        month: str | None = None,
        cadence: str | None = None,
    ) -> list[sqlite3.Row]:
        visible, params = self._visible_sql()
        where = [visible]
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
            + " WHERE " + " AND ".join(where)
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
        """The latest version of every check-in shown now (see :meth:`is_sealed`), ordered by
        date, person, cadence."""
        if month is not None:
            month = parse_month(month)
        return [self._checkin(r) for r in self._latest_rows(person=person, month=month, cadence=cadence)]

    def get(self, person: str, date: Any, cadence: str | None = None) -> CheckIn | None:
        """The latest check-in for a person and the period holding ``date``, if any is shown now."""
        probe = CheckIn.create(person=person, date=date, cadence=cadence, scores=dict.fromkeys(KEYS, 1))
        visible, params = self._visible_sql()
        row = self._conn.execute(
            "SELECT v.* FROM checkins c JOIN checkin_versions v ON v.id = c.version_id "
            f"WHERE c.person = ? AND c.cadence = ? AND c.period_start = ? AND {visible}",
            [*probe.key, *params],
        ).fetchone()
        return self._checkin(row) if row else None

    def history(self, person: str, date: Any, cadence: str | None = None) -> list[Version]:
        """Every saved version of one check-in, oldest first (the last one is current).

        A person with a passphrase must be signed in; a check-in still sealed is refused."""
        probe = CheckIn.create(person=person, date=date, cadence=cadence, scores=dict.fromkeys(KEYS, 1))
        self.require_signed_in(probe.person)
        current = self._conn.execute(
            "SELECT version_id FROM checkins WHERE person = ? AND cadence = ? AND period_start = ?",
            probe.key,
        ).fetchone()
        if current is not None and self.is_sealed(probe):
            raise NotSignedIn(
                f"{probe.person}'s {probe.cadence} check-in for that period stays sealed until the others "
                f"have answered or the period is over (or sign in as {probe.person})")
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
                checkin=self._checkin(r),
                current=current is not None and r["id"] == current[0],
            )
            for i, r in enumerate(rows)
        ]

    def people(self) -> list[str]:
        """Everyone the store knows (with a check-in, a personal ritual, or added), by name."""
        return [r[0] for r in self._conn.execute(
            "SELECT name FROM people UNION SELECT DISTINCT person FROM checkins ORDER BY 1")]

    def months(self) -> list[str]:
        """Every month with at least one check-in shown now, oldest first."""
        visible, params = self._visible_sql()
        rows = self._conn.execute(
            f"SELECT DISTINCT substr(c.period_start, 1, 7) FROM checkins c WHERE {visible} ORDER BY 1", params
        )
        return [r[0] for r in rows]

    def sealed_count(self, month: str | None = None) -> int:
        """How many check-ins (latest versions) are hidden from whoever is signed in now (see
        :meth:`is_sealed`): saved, but sealed until the others have answered or the period is over.
        ``month``: only those of that month."""
        visible, params = self._visible_sql()
        where = f"NOT {visible}"
        if month is not None:
            where += " AND c.period_start >= ? AND c.period_start < ?"
            params += [month_start(month).isoformat(), month_start(add_months(month, 1)).isoformat()]
        return int(self._conn.execute(f"SELECT count(*) FROM checkins c WHERE {where}", params).fetchone()[0])

    def latest_month(self) -> str | None:
        visible, params = self._visible_sql()
        row = self._conn.execute(f"SELECT max(c.period_start) FROM checkins c WHERE {visible}", params).fetchone()
        return row[0][:7] if row and row[0] else None

    def count(self) -> int:
        """How many check-ins (latest versions) the store holds, sealed ones included."""
        return int(self._conn.execute("SELECT count(*) FROM checkins").fetchone()[0])

    def is_empty(self) -> bool:
        """Whether nothing at all was ever saved (no check-in, no ritual, no practice)."""
        row = self._conn.execute(
            "SELECT " + " + ".join(f"(SELECT count(*) FROM {t})" for t in _SAVED_TABLES)).fetchone()
        return row[0] == 0

    def version_count(self) -> int:
        """How many versions were ever saved (history included)."""
        return int(self._conn.execute("SELECT count(*) FROM checkin_versions").fetchone()[0])

    def holds_only_demo(self) -> bool:
        """Whether everything in the store came from the demo (``reflect demo``)."""
        row = self._conn.execute(
            "SELECT count(*), coalesce(sum(source IS NOT 'demo'), 0) FROM checkin_versions"
        ).fetchone()
        own_others = self._conn.execute(
            "SELECT " + " + ".join(f"(SELECT count(*) FROM {t} WHERE source IS NOT 'demo')"
                                   for t in _SAVED_TABLES[1:])).fetchone()[0]
        return bool(row[0]) and row[1] == 0 and own_others == 0

    def holds_own_data(self) -> bool:
        """Whether anything in the store was saved by someone (not by ``reflect demo``)."""
        return bool(self._conn.execute(
            "SELECT " + " + ".join(f"(SELECT count(*) FROM {t} WHERE source IS NOT 'demo')" for t in _SAVED_TABLES)
        ).fetchone()[0])

    def report_inputs(self, before: str) -> list[tuple[Any, ...]]:
        """What a report of the month ending before ``before`` (an ISO date) reads: every current
        check-in (with how life weighed and whether that is shared) and ritual before it (with its
        saved version), the ritual kinds, the practices, the appreciations and the answers to the
        question of the week (counted in the letter), as rows in a stable order, for a fingerprint
        of its inputs."""
        checkins = self._conn.execute(  # how life weighed, and whether it is shared, can change in place
            "SELECT c.person, c.cadence, c.period_start, c.version_id, v.weighing, v.weighing_shared "
            "FROM checkins c JOIN checkin_versions v ON v.id = c.version_id WHERE c.period_start < ? "
            "ORDER BY c.person, c.cadence, c.period_start",
            (before,),
        ).fetchall()
        rituals = self._conn.execute(
            "SELECT person, day, kind, version_id FROM rituals WHERE day < ? ORDER BY person, day, kind", (before,)
        ).fetchall()
        kinds = self._conn.execute("SELECT kind, cadence FROM ritual_kinds ORDER BY kind").fetchall()
        practices: list[tuple[Any, ...]] = []
        for name, sql in (
            ("agreements", "SELECT month, number, version_id FROM agreements WHERE month <= substr(?, 1, 7) "
                           "ORDER BY month, number"),
            ("answers", "SELECT month, number, person, version_id FROM agreement_answers "
                        "WHERE month < substr(?, 1, 7) ORDER BY month, number, person"),
            ("repairs", "SELECT person, day, number, version_id FROM repairs WHERE day < ? "
                        "ORDER BY person, day, number"),
            ("events", "SELECT day, kind, version_id FROM life_events WHERE day < ? ORDER BY day, kind"),
            # the letter counts appreciations and the weeks you both answered (never their words)
            ("appreciations", "SELECT person, day, number, version_id FROM appreciations WHERE day < ? "
                              "ORDER BY person, day, number"),
            ("questions", "SELECT person, week, version_id FROM question_answers WHERE week < ? "
                          "ORDER BY person, week"),
        ):
            practices += [(name,), *map(tuple, self._conn.execute(sql, (before,)).fetchall())]
        lists = self._conn.execute("SELECT person, version_id FROM consent_lists ORDER BY person").fetchall()
        return [*map(tuple, checkins), ("rituals",), *map(tuple, rituals), ("kinds",), *map(tuple, kinds),
                *practices, ("consent",), *map(tuple, lists)]

    def frame(self, *, include_notes: bool = False) -> pd.DataFrame:
        """The latest check-ins shown now (see :meth:`is_sealed`) as a DataFrame, one row each.

        Columns: ``person``, ``cadence``, ``date`` (period start, datetime64), ``month``
        (``YYYY-MM``), the six scores (float), the six ``desired_*`` levels (float, NaN when not
        given) and, with ``include_notes``, ``note``. Ordered by date, person, cadence.
        """
        import pandas as pd

        cols = ["person", "cadence", "period_start", *KEYS, *DESIRED_KEYS]
        visible, params = self._visible_sql()
        if include_notes:
            rows = [(*(r[c] for c in cols), self._read_note(r)) for r in self._latest_rows()]
            cols.append("note")
        else:
            sql = (
                "SELECT " + ", ".join(f"v.{c}" for c in cols) + " FROM checkins c "
                f"JOIN checkin_versions v ON v.id = c.version_id WHERE {visible} "
                "ORDER BY c.period_start, c.person, c.cadence"
            )
            rows = [tuple(r) for r in self._conn.execute(sql, params).fetchall()]
        df = pd.DataFrame(rows, columns=cols)
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
        from reflect.domain.checkin import parse_cadence
        from reflect.domain.rituals import parse_kind

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

    def log_ritual(self, ritual: Ritual, *, cadence: str | None = None, source: str | None = None,
                   label: str | None = None) -> SaveStatus:
        """Log one ritual in one transaction. An unknown kind needs its ``cadence`` (which adds it,
        called ``label`` if given)."""
        result = self.log_rituals([ritual], new_kinds={ritual.kind: cadence} if cadence else None, source=source,
                                  labels={ritual.kind: label} if label else None)
        return "added" if result.added else ("updated" if result.updated else "unchanged")

    def log_rituals(
        self, rituals: Iterable[Ritual], *, new_kinds: dict[str, str] | None = None, source: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> BatchResult:
        """Log many rituals (and add ``new_kinds``, called by ``labels`` where given) in one transaction:
        all of them or none."""
        from reflect.domain.checkin import parse_cadence

        items = list(rituals)
        seen: set[tuple[str, str, str]] = set()
        for r in items:
            if r.key in seen:
                raise ValidationError(f"the same ritual is logged twice ({r.kind}, {r.day}, {r.person or 'together'})")
            seen.add(r.key)
        for person in sorted({r.person for r in items if r.person}):
            self.require_signed_in(person)
        if any(not r.person for r in items):
            self.require_someone_signed_in("log a ritual you did together")
        counts: dict[str, int] = {}

        def work(conn: sqlite3.Connection) -> None:
            counts.clear()
            for key, cadence in (new_kinds or {}).items():
                self._add_kind(conn, key, parse_cadence(cadence), (labels or {}).get(key))
            known = set(DEFAULT_BY_KEY) | {r[0] for r in conn.execute("SELECT kind FROM ritual_kinds")}
            stamp = _now()
            for r in items:
                if r.person:
                    self._register(conn, r.person, stamp)
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
        if self._hidden_from_visitors():
            return []
        where, params = [], []
        if not include_taken_back:
            where.append("v.done = 1")
        if person is not None:
            from reflect.domain.rituals import parse_ritual_person

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
        if self._hidden_from_visitors():
            return []
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


#: Tables of versions whose rows someone saved (``source`` tells the demo's from anyone's own).
_SAVED_TABLES = ("checkin_versions", "ritual_versions", "agreement_versions", "agreement_answer_versions",
                 "repair_versions", "consent_versions", "life_event_versions", "appreciation_versions")


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
    """``with open_store(path) as store: ...``; without ``path``, the default store
    (:func:`~reflect.system.paths.resolve_store_path`: ``$REFLECT_DB``, else ``data/reflect.db``)."""
    store = Store(resolve_store_path(path), create=create)
    try:
        yield store
    finally:
        store.close()
