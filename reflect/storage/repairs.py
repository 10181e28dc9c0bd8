"""The repair log in the store: each repair's words are its writer's, sealed like notes.

A repair's day, the day of the rupture, whether it is shared and who wrote it are kept openly (the
report counts repairs and says how soon they came, never what they said). Its words (the topic and
the three steps) are stored only sealed for a writer with a passphrase, and opened only for the
writer, or for the partner when the writer shares the entry (the partner's own passphrase opens
the share). A writer without a passphrase keeps them in plain text, as their notes are.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from reflect.domain.agreements import parse_number
from reflect.domain.checkin import parse_date, parse_person
from reflect.domain.months import add_months, month_start, parse_month
from reflect.domain.repairs import Repair, RepairBody, topic_key
from reflect.domain.text import words_key
from reflect.errors import ValidationError
from reflect.storage import keys
from reflect.storage.records import Records, SaveStatus, now_stamp

if TYPE_CHECKING:
    import pandas as pd

_TABLE, _VERSIONS, _SHARES = "repairs", "repair_versions", "repair_shares"


def _words(body: RepairBody) -> tuple[str, ...]:
    """A repair's words compared for sameness: case and spacing do not matter."""
    return tuple(words_key(text) for text in (body.topic, body.own, body.offer, body.align))


def _context(row: sqlite3.Row | dict[str, Any]) -> str:
    return f"repair|{row['person']}|{row['day']}|{row['number']}|{row['id']}"


class RepairLog(Records):
    """The store's repair log (a mixin of :class:`~reflect.storage.store.Store`)."""

    def next_repair_number(self, person: str, day: Any) -> int:
        """The number a new repair of ``person`` on ``day`` gets."""
        row = self._conn.execute("SELECT coalesce(max(number), 0) FROM repairs WHERE person = ? AND day = ?",
                                 (parse_person(person), parse_date(day).isoformat())).fetchone()
        return parse_number(int(row[0]) + 1)

    def save_repair(self, repair: Repair, *, source: str | None = None) -> SaveStatus:
        """Save one repair (new, changed, shared or not, or taken back) in one transaction."""
        added, updated, _ = self.save_repairs([repair], source=source)
        return "added" if added else "updated" if updated else "unchanged"

    def add_repair(self, repair: Repair, *, source: str | None = None) -> tuple[SaveStatus, Repair]:
        """Note ``repair`` as a new repair of its writer's day (its number is chosen here, in the
        write's transaction), unless the writer noted one that day with the same words (topic and
        steps, case and spacing aside): then that one is kept as it is worded, "unchanged" (or
        "updated" when its sharing or the day of the rupture changed). The words are compared opened, so the writer
        must be signed in if they have a passphrase. Returns the status and the repair as saved."""
        words = repair.body
        if words is None:
            raise ValidationError("a repair to save needs its words (at least the topic)", field="topic")
        self.require_signed_in(repair.person)
        result: list[Any] = []

        def work(conn: sqlite3.Connection) -> None:
            result.clear()
            stamp = now_stamp()
            self._register(conn, repair.person, stamp)
            rows = conn.execute(f"SELECT v.* FROM {_TABLE} c JOIN {_VERSIONS} v ON v.id = c.version_id "
                                "WHERE c.person = ? AND c.day = ? AND v.active = 1 ORDER BY c.number",
                                (repair.person, repair.day.isoformat())).fetchall()
            mine = (self._repair(row, repair.person) for row in rows)
            same = next((r for r in mine if r.body is not None and _words(r.body) == _words(words)), None)
            if same is not None:
                item = replace(repair, number=same.number, body=same.body)
            else:
                highest = conn.execute(f"SELECT coalesce(max(number), 0) FROM {_TABLE} WHERE person = ? AND day = ?",
                                       (repair.person, repair.day.isoformat())).fetchone()[0]
                item = replace(repair, number=parse_number(int(highest) + 1))
            result[:] = [self._put_repair(conn, item, stamp, source), item]

        self.write(work)
        return result[0], result[1]

    def save_repairs(self, repairs: Iterable[Repair], *, source: str | None = None) -> tuple[int, int, int]:
        """Save repairs in one transaction, all of them or none: (added, updated, unchanged). Each
        writer with a passphrase must be signed in; their words are sealed with it."""
        items = list(repairs)
        if any(r.body is None for r in items):
            raise ValidationError("a repair to save needs its words (at least the topic)", field="topic")
        for person in sorted({r.person for r in items}):
            self.require_signed_in(person)
        counts = [0, 0, 0]
        index = {"added": 0, "updated": 1, "unchanged": 2}

        def work(conn: sqlite3.Connection) -> None:
            counts[:] = [0, 0, 0]
            stamp = now_stamp()
            for r in items:
                self._register(conn, r.person, stamp)
                counts[index[self._put_repair(conn, r, stamp, source)]] += 1

        self.write(work)
        return counts[0], counts[1], counts[2]

    def _put_repair(self, conn: sqlite3.Connection, r: Repair, stamp: str, source: str | None) -> SaveStatus:
        """Save one repair as the current version of its key (inside the write's transaction)."""
        key = {"person": r.person, "day": r.day.isoformat(), "number": r.number}
        current = self._current(conn, _TABLE, _VERSIONS, key)
        if current is None and not r.active:
            raise ValidationError(f"{r.person} noted no repair {r.number} on {r.day.isoformat()} to take "
                                  "back", field="number")
        if current is not None and self._repair(current, r.person).content() == r.content():
            return "unchanged"
        assert r.body is not None
        version_id = self._put(conn, _TABLE, _VERSIONS, key,
                               {"happened": r.happened.isoformat(), "shared": int(r.shared),
                                "active": int(r.active)}, stamp, source)
        context = _context({**key, "id": version_id})
        box = self._seal_into(conn, _VERSIONS, version_id, r.person, r.body.as_dict(), context)
        if box is not None and r.shared:
            self._share_body(conn, _SHARES, version_id, r.person, box, context)
        elif not r.shared:  # no longer shared: no earlier version stays open to the partner
            conn.execute(f"DELETE FROM {_SHARES} WHERE version_id IN (SELECT id FROM {_VERSIONS} "
                         "WHERE person = ? AND day = ? AND number = ?)", list(key.values()))
        return "updated" if current is not None else "added"

    def _repair(self, row: sqlite3.Row, reader: str | None) -> Repair:
        """A version row as a Repair, with its words if ``reader`` may read them."""
        body = None
        if reader is not None and (reader == row["person"] or row["shared"]):
            data = self._open_body(row, _context(row), reader=reader, shares=_SHARES)
            body = RepairBody.from_dict(data) if data is not None else None
        return Repair(person=row["person"], day=dt.date.fromisoformat(row["day"]), number=int(row["number"]),
                      happened=dt.date.fromisoformat(row["happened"]), shared=bool(row["shared"]), body=body,
                      active=bool(row["active"]))

    def repairs(self, reader: str | None = None, *, person: str | None = None, month: str | None = None,
                include_taken_back: bool = False) -> list[Repair]:
        """The current repairs, by day, person and number. Each one's words (``body``) are there only
        when ``reader`` may read them: their own, and the partner's shared ones; otherwise ``None``
        (``reader=None``: nobody's words, only when and how soon). ``reader`` must be signed in if
        they have a passphrase."""
        if reader is not None:
            reader = parse_person(reader)
            self.require_signed_in(reader)
        if self._hidden_from_visitors():
            return []
        where, params = [], []
        if not include_taken_back:
            where.append("v.active = 1")
        if person is not None:
            where.append("c.person = ?")
            params.append(parse_person(person))
        if month is not None:
            month = parse_month(month)
            where.append("c.day >= ? AND c.day < ?")
            params += [month_start(month).isoformat(), month_start(add_months(month, 1)).isoformat()]
        sql = (f"SELECT v.* FROM {_TABLE} c JOIN {_VERSIONS} v ON v.id = c.version_id"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY c.day, c.person, c.number")
        return [self._repair(row, reader) for row in self._conn.execute(sql, params)]

    def repair_history(self, person: str, day: Any, number: Any = 1) -> list[tuple[str, str | None, Repair]]:
        """Every version of one repair, oldest first: (saved_at, source, repair). Only its writer
        (signed in) may read it."""
        person = parse_person(person)
        self.require_signed_in(person)
        key = {"person": person, "day": parse_date(day).isoformat(), "number": parse_number(number)}
        return [(r["saved_at"], r["source"], self._repair(r, person)) for r in self._history(_VERSIONS, key)]

    def repair_topics(self, person: str) -> list[tuple[str, int]]:
        """How often each topic came up in ``person``'s own repairs (most often first): for the writer
        alone, who must be signed in. A topic is written as it was most recently."""
        mine = [r for r in self.repairs(person, person=person) if r.body is not None]
        counts = Counter(topic_key(r.body.topic) for r in mine if r.body)
        shown = {topic_key(r.body.topic): r.body.topic for r in mine if r.body}
        return [(shown[k], n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    def repair_frame(self) -> pd.DataFrame:
        """The current repairs without their words: ``person, day`` (datetime64), ``month, number,
        happened, days`` (from the rupture to the repair), ``shared``."""
        import pandas as pd

        rows = [(r.person, r.day, r.number, r.happened, r.days_to_repair, r.shared) for r in self.repairs()]
        df = pd.DataFrame(rows, columns=["person", "day", "number", "happened", "days", "shared"])
        df["day"] = pd.to_datetime(df["day"])
        df.insert(2, "month", df["day"].dt.strftime("%Y-%m"))
        return df

    # -- hooks ------------------------------------------------------------------------------------

    def _seal_practices(self, conn: sqlite3.Connection, person: str, key_id: int, unlocked: keys.UnlockedKey) -> None:
        super()._seal_practices(conn, person, key_id, unlocked)
        self._seal_plain(conn, _VERSIONS, person, key_id, unlocked, _context)

    def _practices_signed_in(self, person: str) -> None:
        super()._practices_signed_in(person)
        mine = self._keys.get(person)
        if mine is None:
            return
        rows = self._conn.execute(
            f"SELECT v.* FROM {_TABLE} c JOIN {_VERSIONS} v ON v.id = c.version_id "
            "WHERE c.person = ? AND v.shared = 1 AND v.body_key = ? AND EXISTS ("
            "SELECT 1 FROM person_keys k WHERE k.retired_at IS NULL AND k.person != ? AND NOT EXISTS ("
            f"SELECT 1 FROM {_SHARES} s WHERE s.version_id = v.id AND s.reader = k.person AND s.reader_key = k.id))",
            (person, mine[0], person)).fetchall()
        if not rows:
            return

        def work(conn: sqlite3.Connection) -> None:
            for row in rows:
                box = keys.SealedNote(sealed=row["body_sealed"], wrapped_cek=row["body_cek"])
                self._share_body(conn, _SHARES, row["id"], person, box, _context(row))

        self.write(work)

