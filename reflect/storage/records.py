"""What the practices' records share in the store: versions kept for ever, and words sealed like notes.

The practices (agreements, repairs, consent lists, life events) are parts of :class:`~reflect.storage.
store.Store`, one mixin each (:mod:`reflect.storage.agreements`, :mod:`~reflect.storage.repairs`,
:mod:`~reflect.storage.consent`, :mod:`~reflect.storage.lifeevents`). Each record is kept like a
check-in: a ``*_versions`` table holds every version ever saved, and a small table points at the
current one of each key. :class:`Records` is their common base: the versioned write and read, and
sealing a person's words with their data key (:mod:`reflect.storage.keys`), exactly as notes are.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from reflect.domain.people import MAX_PEOPLE, check_newcomer
from reflect.errors import NotSignedIn
from reflect.storage import keys

SaveStatus = Literal["added", "updated", "unchanged"]


def nobody_new_words(name: str) -> str:
    return (f"{name} is not one of the people of this kit, and on the home network nobody new is made: "
            f"ask at the computer (`reflect person add {name}`)")


def now_stamp() -> str:
    """When a version is saved: UTC, ISO 8601 with microseconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class Records:
    """The common base of the store's practice mixins (the :class:`~reflect.storage.store.Store`
    provides the connection, the signed-in keys and the transactions)."""

    _conn: sqlite3.Connection
    _keys: dict[str, tuple[int, keys.UnlockedKey]]
    _present: set[str]
    path: Path | None
    today: Any
    passphrases_required: bool

    # -- provided by the Store ------------------------------------------------------------------

    def write(self, work: Callable[[sqlite3.Connection], Any]) -> None:  # pragma: no cover - the Store's
        raise NotImplementedError

    def require_signed_in(self, person: str) -> None:  # pragma: no cover - the Store's
        raise NotImplementedError

    def is_protected(self, name: str) -> bool:  # pragma: no cover - the Store's
        raise NotImplementedError

    def require_someone_signed_in(self, what: str) -> None:
        """On the home network (``passphrases_required``), what the two of you share (a ritual done
        together, a life event, an agreement, an item of the yes / not now / no list) is written only
        by someone signed in: the page's address alone lets nobody write to the store."""
        if self.passphrases_required and not self._keys:
            raise NotSignedIn(f"on the home network, sign in first to {what} (nothing was saved)")

    def _hidden_from_visitors(self) -> bool:
        """On the home network with nobody signed in: the gate shows a visitor nothing at all (no score,
        wish or note, and none of what the two of you share: rituals, agreements, repairs, life events)."""
        return self.passphrases_required and not self._keys

    def _register(self, conn: sqlite3.Connection, name: str, stamp: str) -> None:
        """Make ``name`` one of the store's people if they are not already (inside the write's
        transaction, so two writers cannot make a third person together). Refused, with nothing
        written: anyone new on the home network (nobody new is made there), a near miss of a name the
        store knows ("did you mean Robin?"), and a third person (:func:`reflect.domain.people.check_newcomer`)."""
        if conn.execute("SELECT 1 FROM people WHERE name = ?", (name,)).fetchone() is not None:
            return
        self._refuse_newcomer(name, [r[0] for r in conn.execute("SELECT name FROM people ORDER BY name")])
        conn.execute("INSERT INTO people (name, created_at) VALUES (?, ?)", (name, stamp))

    def _refuse_newcomer(self, name: str, known: list[str]) -> None:
        """The one rule for someone new joining ``known``: a near miss ("did you mean Robin?") or a
        third person is refused as such, on the home network too; there, anyone else new as well."""
        check_newcomer(name, known)
        if self.passphrases_required:
            raise NotSignedIn(nobody_new_words(name))

    def partner_of(self, name: str) -> str | None:
        """The other one of the couple (None for a person on their own, for someone the store does
        not know, and in a store that holds more than two people until it is mended)."""
        names = [r[0] for r in self._conn.execute("SELECT name FROM people ORDER BY name")]
        if name not in names or len(names) != MAX_PEOPLE:
            return None
        return next(n for n in names if n != name)

    # -- versions ---------------------------------------------------------------------------------

    @staticmethod
    def _current(conn: sqlite3.Connection, table: str, versions: str, key: Mapping[str, Any]) -> sqlite3.Row | None:
        """The current version (a row of ``versions``) of the record ``key``, if any."""
        where = " AND ".join(f"c.{k} = ?" for k in key)
        return conn.execute(f"SELECT v.* FROM {table} c JOIN {versions} v ON v.id = c.version_id WHERE {where}",
                            list(key.values())).fetchone()

    @staticmethod
    def _put(conn: sqlite3.Connection, table: str, versions: str, key: Mapping[str, Any], values: Mapping[str, Any],
             stamp: str, source: str | None) -> int:
        """Save a new version of the record ``key`` and make it the current one; returns its id."""
        cols = [*key, *values, "saved_at", "source"]
        cur = conn.execute(f"INSERT INTO {versions} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                           [*key.values(), *values.values(), stamp, source])
        version_id = cur.lastrowid
        assert version_id is not None
        names = ", ".join(key)
        conn.execute(f"INSERT INTO {table} ({names}, version_id) VALUES ({', '.join('?' * (len(key) + 1))}) "
                     f"ON CONFLICT ({names}) DO UPDATE SET version_id = excluded.version_id",
                     [*key.values(), version_id])
        return version_id

    def _history(self, versions: str, key: Mapping[str, Any]) -> list[sqlite3.Row]:
        if self._hidden_from_visitors():
            return []
        where = " AND ".join(f"{k} = ?" for k in key)
        return self._conn.execute(f"SELECT * FROM {versions} WHERE {where} ORDER BY id", list(key.values())).fetchall()

    # -- sealed words -----------------------------------------------------------------------------

    def _seal_into(self, conn: sqlite3.Connection, versions: str, version_id: int, person: str, data: Any,
                   context: str) -> keys.SealedNote | None:
        """Store ``data`` (JSON) in the version's ``body``: sealed with ``person``'s key when they have
        one (they must be signed in), else as it is. Returns the sealed box, if sealed."""
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        mine = self._keys.get(person)
        if mine is None:
            conn.execute(f"UPDATE {versions} SET body = ? WHERE id = ?", (text, version_id))
            return None
        box = keys.seal_note(mine[1], text, context=context)
        conn.execute(f"UPDATE {versions} SET body = NULL, body_key = ?, body_sealed = ?, body_cek = ? WHERE id = ?",
                     (mine[0], box.sealed, box.wrapped_cek, version_id))
        return box

    def _open_body(self, row: sqlite3.Row, context: str, *, reader: str | None = None,
                   shares: str | None = None) -> Any:
        """The JSON body of a version row, for its writer (``row["person"]``) or, through ``shares``,
        for ``reader``; ``None`` when it cannot be opened by whoever is signed in."""
        if row["body_key"] is None:
            return json.loads(row["body"]) if row["body"] is not None else None
        writer = row["person"]
        box = keys.SealedNote(sealed=row["body_sealed"], wrapped_cek=row["body_cek"])
        if reader in (None, writer):
            mine = self._keys.get(writer)
            if mine is None or mine[0] != row["body_key"]:
                return None  # not signed in, or sealed under a key whose passphrase was forgotten
            return json.loads(keys.open_note(mine[1], box, context=context))
        if shares is None or reader not in self._keys or self.partner_of(writer) != reader:
            return None
        key_id, unlocked = self._keys[reader]
        share = self._conn.execute(f"SELECT wrapped_cek FROM {shares} WHERE version_id = ? AND reader = ? "
                                   "AND reader_key = ?", (row["id"], reader, key_id)).fetchone()
        if share is None:
            return None
        return json.loads(keys.open_shared_note(unlocked, box, share[0], context=context, reader=reader))

    def _share_body(self, conn: sqlite3.Connection, shares: str, version_id: int, writer: str, box: keys.SealedNote,
                    context: str) -> None:
        """Share a sealed body's key with the partner, if they have a passphrase (and no share yet)."""
        _, unlocked = self._keys[writer]
        readers = conn.execute(
            "SELECT k.person, k.id, k.public_key FROM person_keys k WHERE k.retired_at IS NULL AND k.person = ? "
            f"AND NOT EXISTS (SELECT 1 FROM {shares} s WHERE s.version_id = ? AND s.reader = k.person "
            "AND s.reader_key = k.id)", (self.partner_of(writer), version_id)).fetchall()
        for reader, key_id, public in readers:
            wrapped = keys.share_note(unlocked, box, public, context=context, reader=reader)
            conn.execute(f"INSERT OR REPLACE INTO {shares} (version_id, reader, reader_key, wrapped_cek) "
                         "VALUES (?, ?, ?, ?)", (version_id, reader, key_id, wrapped))

    def _seal_plain(self, conn: sqlite3.Connection, versions: str, person: str, key_id: int,
                    unlocked: keys.UnlockedKey, context: Callable[[sqlite3.Row], str]) -> None:
        """Seal every version ``person`` wrote while they had no passphrase (they just chose one)."""
        rows = conn.execute(f"SELECT * FROM {versions} WHERE person = ? AND body IS NOT NULL AND body_key IS NULL",
                            (person,)).fetchall()
        for row in rows:
            box = keys.seal_note(unlocked, row["body"], context=context(row))
            conn.execute(f"UPDATE {versions} SET body = NULL, body_key = ?, body_sealed = ?, body_cek = ? "
                         "WHERE id = ?", (key_id, box.sealed, box.wrapped_cek, row["id"]))

    # -- hooks the Store calls --------------------------------------------------------------------

    def _seal_practices(self, conn: sqlite3.Connection, person: str, key_id: int, unlocked: keys.UnlockedKey) -> None:
        """Inside the transaction that gives ``person`` a passphrase: seal what they wrote openly."""

    def _practices_signed_in(self, person: str) -> None:
        """After ``person`` signed in (or chose a passphrase): leave partners what they may read."""

