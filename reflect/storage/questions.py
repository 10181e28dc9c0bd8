"""The question of the week in the store: each partner's answer, sealed for its writer, and the couple's depth.

**Answers.** Each partner answers the week's question in words. An answer is kept like a check-in
(every version stays in ``question_answer_versions``; ``question_answers`` points at the current
one of each person and week) and its words are sealed like notes: for a writer with a passphrase
they are stored only sealed with the writer's key, and the content key is also wrapped for the
partner's public key (``question_answer_shares``). The gate decides when that share may be used:
the partner is shown an answer only once both have answered that week (a visitor, or someone not
signed in, never). A writer without a passphrase keeps plain words, as their notes are.

**Depth.** The couple's depth (light, deeper, deepest) is kept in clear, with every change
(``question_depth``), but never who changed it. What each person asked for is kept only sealed, in
``question_wishes``, which has no column naming anyone: "ready for deeper questions" is sealed for
the writer (so they see they said it) and, as a mark, for the partner's public key (so the
partner's kit can tell, when the partner says it too, that both are ready: then the depth rises).
"Slower, please" is sealed for its writer alone and brings the depth down one step at once; no mark
of it is left for the partner. Every change of depth starts a new round (its row id), so a "ready"
of an earlier round counts no more. A person without a passphrase has no key to seal for: their
wishes, and marks left for them, are kept plain, as their notes are.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag

from reflect.domain.checkin import parse_person
from reflect.domain.questions import DEPTHS, Question, QuestionAnswer, bank, week_of
from reflect.errors import ValidationError
from reflect.storage import keys
from reflect.storage.records import Records, SaveStatus, now_stamp

if TYPE_CHECKING:
    import pandas as pd

_TABLE, _VERSIONS, _SHARES = "question_answers", "question_answer_versions", "question_answer_shares"


def _context(row: sqlite3.Row | dict[str, Any]) -> str:
    return f"question answer|{row['person']}|{row['week']}|{row['question']}|{row['id']}"


def _wish_context(epoch: int) -> str:
    return f"question wish|{epoch}"


class QuestionRecords(Records):
    """The store's weekly questions (a mixin of :class:`~reflect.storage.store.Store`)."""

    # -- depth --------------------------------------------------------------------------------------

    def _round(self, conn: sqlite3.Connection | None = None) -> tuple[int, str]:
        """The current round (the id of the last change of depth; 0 before any) and depth."""
        row = (conn or self._conn).execute("SELECT id, depth FROM question_depth ORDER BY id DESC LIMIT 1").fetchone()
        return (int(row[0]), row[1]) if row else (0, DEPTHS[0])

    def question_depth(self) -> str:
        """How deep the couple's questions go now: ``light`` until both have asked for deeper ones."""
        return self._round()[1]

    def depth_history(self) -> list[tuple[str, str]]:
        """Every change of depth, oldest first: (saved_at, depth). Who asked is not kept here."""
        if self._hidden_from_visitors():
            return []
        return [(r[0], r[1]) for r in self._conn.execute("SELECT saved_at, depth FROM question_depth ORDER BY id")]

    def _depth_at(self, week: dt.date) -> str:
        """The depth of a week: the current one for this week and later, else the depth at the week's end."""
        if week >= week_of(self.today()):
            return self.question_depth()
        end = (week + dt.timedelta(days=7)).isoformat()
        row = self._conn.execute("SELECT depth FROM question_depth WHERE saved_at < ? ORDER BY id DESC LIMIT 1",
                                 (end,)).fetchone()
        return row[0] if row else DEPTHS[0]

    def _wishes_for(self, conn: sqlite3.Connection, reader: str, epoch: int) -> list[dict[str, Any]]:
        """The wishes of round ``epoch`` that ``reader`` (signed in, or without a passphrase) can open."""
        mine = self._keys.get(reader)
        found = []
        for row in conn.execute("SELECT box, body FROM question_wishes WHERE epoch = ? ORDER BY id", (epoch,)):
            if row["body"] is not None:
                data = json.loads(row["body"])
            elif mine is not None:
                try:
                    data = json.loads(keys.open_sealed_for(mine[1], row["box"], context=_wish_context(epoch),
                                                           reader=reader))
                except (InvalidTag, ValueError):  # sealed for someone else: not this reader's to open
                    continue
            else:
                continue
            if data.get("for") == reader:
                found.append(data)
        return found

    def _leave_wish(self, conn: sqlite3.Connection, epoch: int, writer: str, reader: str, wish: str,
                    stamp: str) -> None:
        """Keep ``writer``'s ``wish`` of round ``epoch`` for ``reader`` to open (sealed for their key if any)."""
        data = json.dumps({"person": writer, "wish": wish, "for": reader, "epoch": epoch}, sort_keys=True)
        row = conn.execute("SELECT public_key FROM person_keys WHERE person = ? AND retired_at IS NULL",
                           (reader,)).fetchone()
        if row is None:
            conn.execute("INSERT INTO question_wishes (epoch, box, body, saved_at) VALUES (?, NULL, ?, ?)",
                         (epoch, data, stamp))
            return
        box = keys.seal_for(row[0], data.encode("utf-8"), context=_wish_context(epoch), reader=reader)
        conn.execute("INSERT INTO question_wishes (epoch, box, body, saved_at) VALUES (?, ?, NULL, ?)",
                     (epoch, box, stamp))

    def _new_depth(self, conn: sqlite3.Connection, depth: str, stamp: str) -> None:
        conn.execute("INSERT INTO question_depth (depth, saved_at) VALUES (?, ?)", (depth, stamp))

    def depth_wish(self, person: str) -> str | None:
        """``"deeper"`` when ``person`` (signed in) said they are ready for deeper questions in this round
        and their partner has not said it yet; else None. For ``person`` alone."""
        person = parse_person(person)
        self.require_signed_in(person)
        epoch, _ = self._round()
        wishes = [w for w in self._wishes_for(self._conn, person, epoch) if w.get("person") == person]
        return "deeper" if any(w.get("wish") == "deeper" for w in wishes) else None

    def ask_deeper(self, person: str) -> str:
        """``person`` (signed in) says, privately, that they are ready for deeper questions. Returns
        ``"deeper"`` when the depth rose (the partner had said so too), ``"waiting"`` when it waits for
        the partner, ``"already"`` when they had said so in this round, ``"deepest"`` at the deepest."""
        person = parse_person(person)
        self.require_signed_in(person)
        partner = self.partner_of(person)
        if partner is None and [r[0] for r in self._conn.execute("SELECT name FROM people")] != [person]:
            raise ValidationError(f"{person} has no partner in this store to go deeper with", field="person")
        result: list[str] = []

        def work(conn: sqlite3.Connection) -> None:
            result.clear()
            epoch, depth = self._round(conn)
            if depth == DEPTHS[-1]:
                result.append("deepest")
                return
            wishes = self._wishes_for(conn, person, epoch)
            if any(w.get("person") == person and w.get("wish") == "deeper" for w in wishes):
                result.append("already")
                return
            stamp = now_stamp()
            self._leave_wish(conn, epoch, person, person, "deeper", stamp)
            if partner is None or any(w.get("person") == partner and w.get("wish") == "deeper" for w in wishes):
                self._new_depth(conn, DEPTHS[DEPTHS.index(depth) + 1], stamp)
                result.append("deeper")
                return
            self._leave_wish(conn, epoch, person, partner, "deeper", stamp)
            result.append("waiting")

        self.write(work)
        return result[0]

    def ask_slower(self, person: str) -> str:
        """``person`` (signed in) asks to slow down: the depth goes one step lighter at once (it stays
        light at light), and every "ready" of the round counts no more. Nobody is told who asked.
        Returns the depth now."""
        person = parse_person(person)
        self.require_signed_in(person)
        result: list[str] = []

        def work(conn: sqlite3.Connection) -> None:
            result.clear()
            epoch, depth = self._round(conn)
            stamp = now_stamp()
            self._leave_wish(conn, epoch, person, person, "slower", stamp)
            lighter = DEPTHS[max(0, DEPTHS.index(depth) - 1)]
            self._new_depth(conn, lighter, stamp)
            result.append(lighter)

        self.write(work)
        return result[0]

    # -- the week's question ------------------------------------------------------------------------

    def week_question(self, week: Any = None) -> Question:
        """The question of the ISO week holding ``week`` (default: this week): the one answered, once
        someone has answered it; else the bank's question for the week at the couple's depth."""
        monday = week_of(week if week is not None else self.today())
        row = self._conn.execute(
            f"SELECT v.question FROM {_TABLE} c JOIN {_VERSIONS} v ON v.id = c.version_id WHERE c.week = ? "
            "ORDER BY c.version_id LIMIT 1", (monday.isoformat(),)).fetchone()
        questions = bank()
        if row is not None and row[0] in questions.by_id:
            return questions[row[0]]
        return questions.for_week(monday, self._depth_at(monday))

    # -- answers --------------------------------------------------------------------------------------

    def answer_question(self, person: str, text: str, *, week: Any = None, source: str | None = None) -> SaveStatus:
        """Save ``person``'s answer to the week's question (default: this week). A changed answer keeps the
        earlier version in the history. ``person`` must be signed in if they have a passphrase."""
        monday = week_of(week if week is not None else self.today())
        answer = QuestionAnswer.create(person=person, week=monday, question=self.week_question(monday).id, text=text,
                                       today=self.today())
        return self._save_answers([answer], source=source)[0]

    def save_answers(self, answers: Iterable[QuestionAnswer], *, source: str | None = None) -> tuple[int, int, int]:
        """Save answers in one transaction, all of them or none (an import): (added, updated, unchanged)."""
        counts = [0, 0, 0]
        for status in self._save_answers(list(answers), source=source):
            counts[("added", "updated", "unchanged").index(status)] += 1
        return counts[0], counts[1], counts[2]

    def _save_answers(self, items: list[QuestionAnswer], *, source: str | None) -> list[SaveStatus]:
        if any(a.text is None for a in items):
            raise ValidationError("an answer to save needs its words", field="answer")
        for person in sorted({a.person for a in items}):
            self.require_signed_in(person)
        statuses: list[SaveStatus] = []

        def work(conn: sqlite3.Connection) -> None:
            statuses.clear()
            stamp = now_stamp()
            for a in items:
                self._register(conn, a.person, stamp)
                statuses.append(self._put_answer(conn, a, stamp, source))

        self.write(work)
        return statuses

    def _put_answer(self, conn: sqlite3.Connection, a: QuestionAnswer, stamp: str, source: str | None) -> SaveStatus:
        key = {"person": a.person, "week": a.week.isoformat()}
        current = self._current(conn, _TABLE, _VERSIONS, key)
        if current is not None:
            before = self._answer(current, a.person)
            if before.text is None:
                raise ValidationError(f"{a.person}'s answer for {a.week.isoformat()} was sealed with a passphrase "
                                      "since reset; it cannot be changed (nothing was saved)", field="answer")
            if (before.question, before.text) == (a.question, a.text):
                return "unchanged"
        version_id = self._put(conn, _TABLE, _VERSIONS, key, {"question": a.question}, stamp, source)
        context = _context({**key, "question": a.question, "id": version_id})
        box = self._seal_into(conn, _VERSIONS, version_id, a.person, {"text": a.text}, context)
        if box is not None:
            self._share_body(conn, _SHARES, version_id, a.person, box, context)
        return "updated" if current is not None else "added"

    def _answer(self, row: sqlite3.Row, reader: str | None) -> QuestionAnswer:
        """A version row as an answer, with its words if ``reader`` may read them (see :meth:`question_answers`)."""
        text = None
        writer = row["person"]
        if reader is not None and (reader == writer or (reader == self.partner_of(writer)
                                                        and self._both_answered(row["week"]))):
            data = self._open_body(row, _context(row), reader=reader, shares=_SHARES)
            text = data.get("text") if isinstance(data, dict) else None
        return QuestionAnswer(person=row["person"], week=dt.date.fromisoformat(row["week"]),
                              question=row["question"], text=text)

    def _both_answered(self, week: str) -> bool:
        """Whether every person of the couple (two) has answered the week's question."""
        row = self._conn.execute(f"SELECT count(*) FROM {_TABLE} WHERE week = ?", (week,)).fetchone()
        return int(row[0]) >= 2

    def question_answers(self, reader: str | None = None, *, week: Any = None,
                         person: str | None = None) -> list[QuestionAnswer]:
        """The current answers, by week and person. Their words (``text``) are there only for ``reader``
        (signed in if they have a passphrase): their own, and the partner's once both have answered that
        week; otherwise ``None`` (``reader=None``: nobody's words). On the home network a visitor who has
        not signed in gets nothing at all."""
        if reader is not None:
            reader = parse_person(reader)
            self.require_signed_in(reader)
        if self._hidden_from_visitors():
            return []
        where, params = [], []
        if week is not None:
            where.append("c.week = ?")
            params.append(week_of(week).isoformat())
        if person is not None:
            where.append("c.person = ?")
            params.append(parse_person(person))
        sql = (f"SELECT v.* FROM {_TABLE} c JOIN {_VERSIONS} v ON v.id = c.version_id"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY c.week, c.person")
        return [self._answer(row, reader) for row in self._conn.execute(sql, params)]

    def answer_history(self, person: str, week: Any) -> list[tuple[str, str | None, QuestionAnswer]]:
        """Every version of one answer, oldest first: (saved_at, source, answer). For its writer alone."""
        person = parse_person(person)
        self.require_signed_in(person)
        key = {"person": person, "week": week_of(week).isoformat()}
        return [(r["saved_at"], r["source"], self._answer(r, person)) for r in self._history(_VERSIONS, key)]

    def answer_frame(self) -> pd.DataFrame:
        """Who answered which week's question, without any words: ``person, week`` (datetime64), ``month``
        (of the week's Monday), ``question, dimension, depth``."""
        import pandas as pd

        questions = bank()
        rows = []
        for a in self.question_answers():
            q = questions.by_id.get(a.question)
            rows.append((a.person, a.week, a.question, q.dimension if q else None, q.depth if q else None))
        df = pd.DataFrame(rows, columns=["person", "week", "question", "dimension", "depth"])
        df["week"] = pd.to_datetime(df["week"])
        df.insert(2, "month", df["week"].dt.strftime("%Y-%m"))
        return df

    # -- hooks --------------------------------------------------------------------------------------

    def _seal_practices(self, conn: sqlite3.Connection, person: str, key_id: int, unlocked: keys.UnlockedKey) -> None:
        super()._seal_practices(conn, person, key_id, unlocked)
        self._seal_plain(conn, _VERSIONS, person, key_id, unlocked, _context)
        # wishes kept plain for a person without a passphrase: now sealed for their new key
        for row in conn.execute("SELECT id, epoch, body FROM question_wishes WHERE body IS NOT NULL").fetchall():
            if json.loads(row["body"]).get("for") == person:
                box = keys.seal_for(unlocked.public_key, row["body"].encode("utf-8"),
                                    context=_wish_context(int(row["epoch"])), reader=person)
                conn.execute("UPDATE question_wishes SET box = ?, body = NULL WHERE id = ?", (box, row["id"]))

    def _practices_signed_in(self, person: str) -> None:
        super()._practices_signed_in(person)
        mine = self._keys.get(person)
        if mine is None:
            return
        rows = self._conn.execute(
            f"SELECT v.* FROM {_TABLE} c JOIN {_VERSIONS} v ON v.id = c.version_id "
            "WHERE c.person = ? AND v.body_key = ? AND EXISTS ("
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
