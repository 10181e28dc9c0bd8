"""Appreciations in the store: one line for the partner, sealed for its writer and for the partner.

Who wrote an appreciation and on which day are kept openly (a count of them is no secret between the
two of you); its words are stored only sealed for a writer with a passphrase, exactly as notes are,
and their key is sealed for the partner too (``appreciation_shares``), with the partner's own key:
the writer's passphrase and the partner's open them, nobody else's. A writer without a passphrase
keeps them in plain text, as their notes are, and seals them when they choose one.

An appreciation is for the partner (:meth:`~reflect.storage.records.Records.partner_of`) and read
only by them and its writer, each signed in; the partner is shown it once as new
(:meth:`AppreciationRecords.new_appreciations`, which the form and the command line ask at sign-in),
then keeps it in their list (:meth:`AppreciationRecords.appreciations`). A partner who chose a
passphrase after it was written reads it once the writer has signed in again (its key is sealed for
them then), as with shared notes.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from typing import Any

from reflect.domain.appreciations import MAX_NUMBER, RITUAL_KIND, Appreciation, same_words
from reflect.domain.checkin import parse_date, parse_person
from reflect.domain.months import add_months, month_start, parse_month
from reflect.errors import NotSignedIn, ValidationError
from reflect.storage import keys
from reflect.storage.records import Records, SaveStatus, now_stamp

_TABLE, _VERSIONS, _SHARES, _SEEN = "appreciations", "appreciation_versions", "appreciation_shares", "appreciation_seen"


def _context(row: sqlite3.Row | dict[str, Any]) -> str:
    return f"appreciation|{row['person']}|{row['day']}|{row['number']}|{row['id']}"


class AppreciationRecords(Records):
    """The store's appreciations (a mixin of :class:`~reflect.storage.store.Store`)."""

    # -- writing ----------------------------------------------------------------------------------

    def appreciate(self, person: str, text: str, *, day: Any = None,
                   source: str | None = None) -> tuple[SaveStatus, Appreciation, bool]:
        """Write one appreciation of ``person`` (signed in, if they have a passphrase) for their partner.

        The same words on the same day (case and spacing aside) are kept once: "unchanged". Writing
        one logs the day's "appreciation" ritual for its writer, unless it was logged already. Returns
        the status, the appreciation as saved, and whether the ritual was logged now."""
        item = Appreciation.create(person=person, text=text, day=day, today=self.today())
        self.require_signed_in(item.person)
        out: list[Any] = []

        def work(conn: sqlite3.Connection) -> None:
            out.clear()
            stamp = now_stamp()
            self._register(conn, item.person, stamp)
            rows = conn.execute(f"SELECT v.* FROM {_TABLE} c JOIN {_VERSIONS} v ON v.id = c.version_id "
                                "WHERE c.person = ? AND c.day = ? ORDER BY c.number",
                                (item.person, item.day.isoformat())).fetchall()
            same = next((r for r in rows if same_words(self._words(r, item.person), item.text)), None)
            if same is not None:
                saved = Appreciation(item.person, item.day, int(same["number"]), self._words(same, item.person),
                                     to=self.partner_of(item.person))
                status: SaveStatus = "unchanged"
            else:
                highest = conn.execute(f"SELECT coalesce(max(number), 0) FROM {_VERSIONS} WHERE person = ? "
                                       "AND day = ?", (item.person, item.day.isoformat())).fetchone()[0]
                if highest >= MAX_NUMBER:
                    raise ValidationError(f"{item.person} already wrote {MAX_NUMBER} appreciations on "
                                          f"{item.day.isoformat()}; that is plenty for one day", field="text")
                saved = Appreciation(item.person, item.day, int(highest) + 1, item.text,
                                     to=self.partner_of(item.person))
                status = self._put_appreciation(conn, saved, stamp, source)
            out[:] = [status, saved, self._log_ritual(conn, item.person, item.day, stamp, source)]

        self.write(work)
        return out[0], out[1], out[2]

    def save_appreciations(self, items: Iterable[Appreciation], *, source: str | None = None) -> tuple[int, int, int]:
        """Save appreciations (an import) in one transaction, all of them or none: (added, updated,
        unchanged). Each writer with a passphrase must be signed in; their words are sealed with it."""
        items = list(items)
        if any(a.text is None for a in items):
            raise ValidationError("an appreciation to save needs its words", field="text")
        for person in sorted({a.person for a in items}):
            self.require_signed_in(person)
        counts = [0, 0, 0]
        index = {"added": 0, "updated": 1, "unchanged": 2}

        def work(conn: sqlite3.Connection) -> None:
            counts[:] = [0, 0, 0]
            stamp = now_stamp()
            for a in items:
                self._register(conn, a.person, stamp)
                counts[index[self._put_appreciation(conn, a, stamp, source)]] += 1

        self.write(work)
        return counts[0], counts[1], counts[2]

    def _put_appreciation(self, conn: sqlite3.Connection, a: Appreciation, stamp: str,
                          source: str | None) -> SaveStatus:
        key = {"person": a.person, "day": a.day.isoformat(), "number": a.number}
        current = self._current(conn, _TABLE, _VERSIONS, key)
        if current is not None and self._words(current, a.person) == a.text:
            return "unchanged"
        version_id = self._put(conn, _TABLE, _VERSIONS, key, {}, stamp, source)
        context = _context({**key, "id": version_id})
        box = self._seal_into(conn, _VERSIONS, version_id, a.person, {"text": a.text}, context)
        if box is not None:  # an appreciation is for the partner: sealed for them too
            self._share_body(conn, _SHARES, version_id, a.person, box, context)
        return "updated" if current is not None else "added"

    @staticmethod
    def _log_ritual(conn: sqlite3.Connection, person: str, day: dt.date, stamp: str, source: str | None) -> bool:
        """Log the day's appreciation ritual for ``person``, unless it is logged (inside the write)."""
        key = (person, day.isoformat(), RITUAL_KIND)
        done = conn.execute("SELECT v.done FROM rituals c JOIN ritual_versions v ON v.id = c.version_id "
                            "WHERE c.person = ? AND c.day = ? AND c.kind = ?", key).fetchone()
        if done is not None and done[0]:
            return False
        cur = conn.execute("INSERT INTO ritual_versions (person, day, kind, done, note, saved_at, source) "
                           "VALUES (?, ?, ?, 1, NULL, ?, ?)", (*key, stamp, source))
        conn.execute("INSERT INTO rituals (person, day, kind, version_id) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (person, day, kind) DO UPDATE SET version_id = excluded.version_id",
                     (*key, cur.lastrowid))
        return True

    # -- reading ----------------------------------------------------------------------------------

    def _words(self, row: sqlite3.Row, reader: str) -> str | None:
        """The words of a version row, if ``reader`` (its writer, or the writer's partner) may open them."""
        if reader != row["person"] and reader != self.partner_of(row["person"]):
            return None  # for the two of you only, whatever the store holds
        data = self._open_body(row, _context(row), reader=reader, shares=_SHARES)
        return str(data["text"]) if isinstance(data, dict) and "text" in data else None

    def _require_reader(self, reader: str) -> str:
        """``reader``, who must be signed in to this store object (with their passphrase, if they have one)."""
        reader = parse_person(reader)
        self.require_signed_in(reader)
        if reader not in self._present or self._hidden_from_visitors():
            raise NotSignedIn(f"sign in as {reader} first to read appreciations")
        return reader

    def _rows(self, where: list[str], params: list[Any]) -> list[sqlite3.Row]:
        sql = (f"SELECT v.*, (SELECT s.seen_at FROM {_SEEN} s WHERE s.person = c.person AND s.day = c.day "
               f"AND s.number = c.number AND s.reader = ?) AS seen_at FROM {_TABLE} c "
               f"JOIN {_VERSIONS} v ON v.id = c.version_id"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY c.day, c.person, c.number")
        return self._conn.execute(sql, params).fetchall()

    def appreciations(self, reader: str, *, month: str | None = None) -> list[Appreciation]:
        """What ``reader`` (signed in) wrote and received, oldest first; the words only where they may be
        opened (``text`` None: written before ``reader`` had a key it is sealed for). ``new``: received,
        and not shown to ``reader`` before."""
        reader = self._require_reader(reader)
        partner = self.partner_of(reader)
        people = [reader] + ([partner] if partner else [])
        where = [f"c.person IN ({', '.join('?' * len(people))})"]
        params: list[Any] = [reader, *people]
        if month is not None:
            month = parse_month(month)
            where.append("c.day >= ? AND c.day < ?")
            params += [month_start(month).isoformat(), month_start(add_months(month, 1)).isoformat()]
        return [self._appreciation(row, reader) for row in self._rows(where, params)]

    def _appreciation(self, row: sqlite3.Row, reader: str) -> Appreciation:
        mine = row["person"] == reader
        return Appreciation(person=row["person"], day=dt.date.fromisoformat(row["day"]), number=int(row["number"]),
                            text=self._words(row, reader), to=self.partner_of(row["person"]),
                            new=not mine and row["seen_at"] is None)

    def new_appreciations(self, reader: str) -> list[Appreciation]:
        """The appreciations from ``reader``'s partner that ``reader`` (signed in) has not been shown yet,
        oldest first: shown now, so each is new once (it stays in :meth:`appreciations`). One still
        sealed only for its writer waits until it can be opened."""
        reader = self._require_reader(reader)
        partner = self.partner_of(reader)
        if partner is None:
            return []
        rows = self._rows(["c.person = ?"], [reader, partner])
        fresh = [a for a in (self._appreciation(r, reader) for r in rows) if a.new and a.text is not None]
        if fresh:
            stamp = now_stamp()
            self.write(lambda conn: conn.executemany(
                f"INSERT OR IGNORE INTO {_SEEN} (person, day, number, reader, seen_at) VALUES (?, ?, ?, ?, ?)",
                [(a.person, a.day.isoformat(), a.number, reader, stamp) for a in fresh]))
        return fresh

    def appreciation_count(self, *, month: str | None = None) -> dict[str, int]:
        """How many appreciations each person wrote (in ``month``): counts only, never words."""
        if self._hidden_from_visitors():
            return {}
        sql, params = f"SELECT person, count(*) FROM {_TABLE}", []
        if month is not None:
            month = parse_month(month)
            sql += " WHERE day >= ? AND day < ?"
            params = [month_start(month).isoformat(), month_start(add_months(month, 1)).isoformat()]
        return {r[0]: int(r[1]) for r in self._conn.execute(sql + " GROUP BY person ORDER BY person", params)}

    def signed_in_appreciations(self, month: str) -> list[Appreciation]:
        """The appreciations of ``month`` that whoever is signed in may read (their own, and those their
        partner wrote them), words included, in memory only: what a report with notes may show back."""
        month = parse_month(month)
        readers = sorted(self._present) if not self._hidden_from_visitors() else []
        out: dict[tuple[str, str, int], Appreciation] = {}
        for reader in readers:
            if self.is_protected(reader) and reader not in self._keys:
                continue
            for item in self.appreciations(reader, month=month):
                if item.text is not None:
                    out.setdefault(item.key, Appreciation(item.person, item.day, item.number, item.text, to=item.to))
        return [out[k] for k in sorted(out, key=lambda k: (k[1], k[0], k[2]))]

    def appreciation_history(self, person: str, day: Any, number: Any = 1) -> list[tuple[str, str | None, str | None]]:
        """Every version of one appreciation, oldest first: (saved_at, source, words). Only its writer
        (signed in) may read it."""
        person = self._require_reader(person)
        key = {"person": person, "day": parse_date(day).isoformat(), "number": int(number)}
        return [(r["saved_at"], r["source"], self._words(r, person)) for r in self._history(_VERSIONS, key)]

    # -- hooks ------------------------------------------------------------------------------------

    def _seal_practices(self, conn: sqlite3.Connection, person: str, key_id: int, unlocked: keys.UnlockedKey) -> None:
        super()._seal_practices(conn, person, key_id, unlocked)
        self._seal_plain(conn, _VERSIONS, person, key_id, unlocked, _context)

    def _practices_signed_in(self, person: str) -> None:
        """Seal for the partner (their current key) every appreciation of ``person`` not sealed for them yet."""
        super()._practices_signed_in(person)
        mine = self._keys.get(person)
        partner = self.partner_of(person)
        if mine is None or partner is None:
            return
        rows = self._conn.execute(
            f"SELECT v.* FROM {_TABLE} c JOIN {_VERSIONS} v ON v.id = c.version_id "
            "WHERE c.person = ? AND v.body_key = ? AND EXISTS ("
            "SELECT 1 FROM person_keys k WHERE k.retired_at IS NULL AND k.person = ? AND NOT EXISTS ("
            f"SELECT 1 FROM {_SHARES} s WHERE s.version_id = v.id AND s.reader = k.person AND s.reader_key = k.id))",
            (person, mine[0], partner)).fetchall()
        if not rows:
            return

        def work(conn: sqlite3.Connection) -> None:
            for row in rows:
                box = keys.SealedNote(sealed=row["body_sealed"], wrapped_cek=row["body_cek"])
                self._share_body(conn, _SHARES, row["id"], person, box, _context(row))

        self.write(work)
