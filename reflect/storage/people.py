"""Mending who a store is for: rename a person, merge a mistyped name into the right one, remove a
name with nothing saved (a mixin of :class:`~reflect.storage.store.Store`).

A store is one couple (:mod:`reflect.domain.people`): a third name, or a near miss of a known one,
is refused when it would be made. These mend a store made before that rule (or a name typed wrong
the first time): each runs in one transaction, keeps every saved version (a merge moves the
versions, it deletes none), and is recorded in the passphrase record for both partners to see.

A name with a passphrase keeps its name: its keys are bound to it. So a rename or the name merged
away must be a name without a passphrase; a merge *into* a person with a passphrase needs them
signed in, and seals what it brings with their key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from reflect.domain.checkin import parse_person
from reflect.domain.people import check_newcomer
from reflect.errors import NotSignedIn, ValidationError
from reflect.storage import keys
from reflect.storage.records import Records, now_stamp

#: The records kept per person: (current table, versions table, the key's other columns).
_PER_PERSON: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("checkins", "checkin_versions", ("cadence", "period_start")),
    ("rituals", "ritual_versions", ("day", "kind")),
    ("agreement_answers", "agreement_answer_versions", ("month", "number")),
    ("repairs", "repair_versions", ("day", "number")),
    ("consent_lists", "consent_versions", ()),
    ("appreciations", "appreciation_versions", ("day", "number")),
)


class PeopleRecords(Records):
    """Who the store is for, and mending it (a mixin of :class:`~reflect.storage.store.Store`)."""

    def _seal_plain_words(self, conn: sqlite3.Connection, name: str, key_id: int,
                          unlocked: keys.UnlockedKey) -> None:  # pragma: no cover - the Store's
        raise NotImplementedError

    def check_newcomer(self, name: str) -> None:
        """Raise (ValidationError, or NotSignedIn on the home network) unless ``name`` is one of the
        store's people or may become one; writes nothing."""
        self.check_newcomers([parse_person(name)])

    def admit_people(self, conn: sqlite3.Connection, names: Iterable[str]) -> None:
        """Inside a write transaction (``conn``), make each of ``names`` one of the store's people if they
        are not already, refusing as every write does (a third person, a near miss, anyone new on the
        home network): for writes that insert rows in bulk, such as an import."""
        stamp = now_stamp()
        for name in names:
            self._register(conn, name, stamp)

    def check_newcomers(self, names: Iterable[str]) -> None:
        """:meth:`check_newcomer` for several names at once, as if each joined in turn (an import)."""
        known = self._names()
        for name in names:
            if name in known:
                continue
            self._refuse_newcomer(name, known)
            known.append(name)

    def _names(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT name FROM people ORDER BY name")]

    def _saved_by(self, conn: sqlite3.Connection, name: str) -> int:
        return sum(conn.execute(f"SELECT count(*) FROM {versions} WHERE person = ?", (name,)).fetchone()[0]
                   for _, versions, _ in _PER_PERSON)

    def _without_passphrase(self, name: str, what: str) -> None:
        if self.is_protected(name):
            raise ValidationError(
                f"{name} has a passphrase, and a name with a passphrase keeps its name (its keys are bound to "
                f"it): {what}", field="person")

    def rename_person(self, old: str, new: str) -> None:
        """Give ``old`` (a person without a passphrase) the name ``new``, with everything of theirs."""
        old, new = parse_person(old), parse_person(new)
        if old == new:
            raise ValidationError(f"{old} already has that name", field="person")
        if old not in self._names():
            raise ValidationError(f"there is no one called {old} in this store", field="person")
        self._without_passphrase(old, "it cannot be renamed")
        if new in self._names():
            raise ValidationError(f"{new} is already someone in this store: to bring {old}'s check-ins to "
                                  f"{new}, use `reflect person merge {old} INTO {new}`", field="person")
        check_newcomer(new, [n for n in self._names() if n != old])

        def work(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE people SET name = ? WHERE name = ?", (new, old))
            for current, versions, _ in _PER_PERSON:
                conn.execute(f"UPDATE {versions} SET person = ? WHERE person = ?", (new, old))
                conn.execute(f"UPDATE {current} SET person = ? WHERE person = ?", (new, old))
            conn.execute("UPDATE people_events SET person = ? WHERE person = ?", (new, old))
            self._move_seen(conn, old, new)
            self._record(conn, new, "renamed")

        self.write(work)
        self._present.discard(old)

    def merge_person(self, typo: str, into: str) -> tuple[int, int]:
        """Move everything of ``typo`` (a name without a passphrase) to ``into``, then remove ``typo``.

        Every version is kept. Where both saved the same record (a check-in of the same rhythm and
        period, say), the one saved last becomes the current one and the other stays in the history.
        ``into`` must be signed in when they have a passphrase: what is brought is sealed with their
        key. Returns (records moved, records where both had one)."""
        typo, into = parse_person(typo), parse_person(into)
        names = self._names()
        for name in (typo, into):
            if name not in names:
                raise ValidationError(f"there is no one called {name} in this store", field="person")
        if typo == into:
            raise ValidationError("a name cannot be merged into itself", field="person")
        self._without_passphrase(typo, f"it cannot be merged into {into}")
        if self.is_protected(into) and into not in self._keys:
            raise NotSignedIn(f"{into} has a passphrase: sign in as {into} to merge {typo} into {into}")
        counts = [0, 0]

        def work(conn: sqlite3.Connection) -> None:
            counts[:] = [0, 0]
            for current, versions, others in _PER_PERSON:
                for row in conn.execute(f"SELECT * FROM {current} WHERE person = ?", (typo,)).fetchall():
                    counts[0] += 1
                    where = " AND ".join(["person = ?", *(f"{c} = ?" for c in others)])
                    key = [row[c] for c in others]
                    theirs = conn.execute(f"SELECT version_id FROM {current} WHERE {where}", [into, *key]).fetchone()
                    if theirs is None:
                        continue
                    if current == "repairs":  # two repairs of one day: the moved one takes the next number
                        self._renumber_repair(conn, typo, into, row["day"], row["number"])
                        continue
                    counts[1] += 1
                    later = conn.execute(f"SELECT id FROM {versions} WHERE id IN (?, ?) "
                                         "ORDER BY saved_at DESC, id DESC LIMIT 1",
                                         (theirs[0], row["version_id"])).fetchone()[0]
                    conn.execute(f"UPDATE {current} SET version_id = ? WHERE {where}", [later, into, *key])
                    conn.execute(f"DELETE FROM {current} WHERE {where}", [typo, *key])
                conn.execute(f"UPDATE {versions} SET person = ? WHERE person = ?", (into, typo))
                conn.execute(f"UPDATE {current} SET person = ? WHERE person = ?", (into, typo))
            conn.execute("UPDATE people_events SET person = ? WHERE person = ?", (into, typo))
            self._move_seen(conn, typo, into)
            conn.execute("DELETE FROM people WHERE name = ?", (typo,))
            if into in self._keys:
                key_id, unlocked = self._keys[into]
                self._seal_plain_words(conn, into, key_id, unlocked)
            self._record(conn, into, "merged")

        self.write(work)
        self._present.discard(typo)
        return counts[0], counts[1]

    @staticmethod
    def _move_seen(conn: sqlite3.Connection, old: str, new: str) -> None:
        """What ``old`` was shown of appreciations (as writer or reader) is ``new``'s: not new again."""
        for column in ("person", "reader"):
            conn.execute(f"UPDATE OR IGNORE appreciation_seen SET {column} = ? WHERE {column} = ?", (new, old))
            conn.execute(f"DELETE FROM appreciation_seen WHERE {column} = ?", (old,))

    @staticmethod
    def _renumber_repair(conn: sqlite3.Connection, typo: str, into: str, day: str, number: int) -> None:
        free = conn.execute("SELECT coalesce(max(number), 0) + 1 FROM repair_versions WHERE person IN (?, ?) "
                            "AND day = ?", (typo, into, day)).fetchone()[0]
        conn.execute("UPDATE repair_versions SET number = ? WHERE person = ? AND day = ? AND number = ?",
                     (free, typo, day, number))
        conn.execute("UPDATE repairs SET number = ? WHERE person = ? AND day = ? AND number = ?",
                     (free, typo, day, number))

    def remove_person(self, name: str) -> None:
        """Remove ``name``, who has saved nothing (a name made by mistake). A person with a passphrase
        must be signed in."""
        name = parse_person(name)
        if name not in self._names():
            raise ValidationError(f"there is no one called {name} in this store", field="person")
        if self.is_protected(name) and name not in self._keys:
            raise NotSignedIn(f"{name} has a passphrase: sign in as {name} to remove the name")

        def work(conn: sqlite3.Connection) -> None:
            saved = self._saved_by(conn, name)
            if saved:
                raise ValidationError(
                    f"{name} has saved {saved} record{'s' if saved != 1 else ''}, and nothing saved is ever "
                    f"dropped: to bring them to the right name, use `reflect person merge {name} INTO NAME`",
                    field="person")
            for table, column in (("note_shares", "reader"), ("repair_shares", "reader"),
                                  ("appreciation_shares", "reader"), ("appreciation_seen", "reader"),
                                  ("consent_signals", "reader"), ("consent_signals", "writer")):
                conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (name,))
            conn.execute("DELETE FROM person_keys WHERE person = ?", (name,))
            conn.execute("DELETE FROM people WHERE name = ?", (name,))
            self._record(conn, name, "removed")

        self.write(work)
        self._keys.pop(name, None)
        self._present.discard(name)

    def _record(self, conn: sqlite3.Connection, name: str, event: str) -> None:
        stamp = now_stamp()
        by = ", ".join(sorted(self._present - {name})) or None
        conn.execute("INSERT INTO people_events (person, event, at, by, told_at) VALUES (?, ?, ?, ?, ?)",
                     (name, event, stamp, by, stamp))
