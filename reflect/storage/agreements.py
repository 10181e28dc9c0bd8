"""Agreements in the store: one small thing to try each month, and each partner's "did we?".

An agreement belongs to the couple (anyone using the kit may write one); an answer belongs to its
person, who must be signed in when they have a passphrase. Every version of both is kept.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from reflect.domain.agreements import MAX_NUMBER, Agreement, AgreementAnswer, parse_number
from reflect.domain.months import parse_month
from reflect.domain.text import words_key
from reflect.errors import ValidationError
from reflect.storage.records import Records, SaveStatus, now_stamp

if TYPE_CHECKING:
    import pandas as pd


def _agreement(row: sqlite3.Row) -> Agreement:
    return Agreement(month=row["month"], number=int(row["number"]), text=row["text"], dimension=row["dimension"],
                     ritual=row["ritual"], active=bool(row["active"]))


def _answer(row: sqlite3.Row) -> AgreementAnswer:
    return AgreementAnswer(month=row["month"], number=int(row["number"]), person=row["person"],
                           answer=row["answer"])


class AgreementRecords(Records):
    """The store's agreements (a mixin of :class:`~reflect.storage.store.Store`)."""

    def next_agreement_number(self, month: str) -> int:
        """The number a new agreement for ``month`` gets (one more than the highest so far)."""
        row = self._conn.execute("SELECT coalesce(max(number), 0) FROM agreements WHERE month = ?",
                                 (parse_month(month),)).fetchone()
        number = int(row[0]) + 1
        if number > MAX_NUMBER:
            raise ValidationError(f"{month} has {MAX_NUMBER} agreements already: one small thing at a time is "
                                  "plenty (change one with its number)", field="number")
        return number

    def save_agreement(self, agreement: Agreement, *, source: str | None = None) -> SaveStatus:
        """Save one agreement (a new one, a change, or taking it back) in one transaction."""
        result = self.save_agreements([agreement], [], source=source)
        return "added" if result[0] else "updated" if result[1] else "unchanged"

    def add_agreement(self, agreement: Agreement, *, source: str | None = None) -> tuple[SaveStatus, Agreement]:
        """Add ``agreement`` as a new one of its month (its number is chosen here, in the write's
        transaction), unless the month already has an agreement saying the same (case and spacing
        aside): then that one is kept as it is worded, "unchanged" (or "updated" when tied anew to a
        dimension or a ritual; a tie not given stays as it was). Returns the status and the agreement
        as saved (with its number)."""
        self.require_someone_signed_in("write an agreement")
        result: list[Any] = []

        def work(conn: sqlite3.Connection) -> None:
            result.clear()
            rows = conn.execute("SELECT v.* FROM agreements c JOIN agreement_versions v ON v.id = c.version_id "
                                "WHERE c.month = ? AND v.active = 1 ORDER BY c.number", (agreement.month,)).fetchall()
            same = next((_agreement(r) for r in rows if words_key(r["text"]) == words_key(agreement.text)), None)
            if same is not None:
                item = replace(agreement, number=same.number, text=same.text,
                               dimension=agreement.dimension or same.dimension, ritual=agreement.ritual or same.ritual)
                if item.content() == same.content():
                    result[:] = ["unchanged", same]
                    return
            else:
                highest = conn.execute("SELECT coalesce(max(number), 0) FROM agreements WHERE month = ?",
                                       (agreement.month,)).fetchone()[0]
                if int(highest) >= MAX_NUMBER:
                    raise ValidationError(f"{agreement.month} has {MAX_NUMBER} agreements already: one small thing "
                                          "at a time is plenty (change one with its number)", field="number")
                item = replace(agreement, number=int(highest) + 1)
            self._put(conn, "agreements", "agreement_versions", {"month": item.month, "number": item.number},
                      {"text": item.text, "dimension": item.dimension, "ritual": item.ritual, "active": 1},
                      now_stamp(), source)
            result[:] = ["added" if same is None else "updated", item]

        self.write(work)
        return result[0], result[1]

    def answer_agreement(self, answer: AgreementAnswer, *, source: str | None = None) -> SaveStatus:
        """Save one person's "did we?" (they must be signed in if they have a passphrase)."""
        result = self.save_agreements([], [answer], source=source)
        return "added" if result[0] else "updated" if result[1] else "unchanged"

    def save_agreements(self, agreements: Iterable[Agreement], answers: Iterable[AgreementAnswer], *,
                        source: str | None = None) -> tuple[int, int, int]:
        """Save agreements and answers in one transaction, all of them or none: (added, updated, unchanged).

        An answer must be to an agreement that is in the store (or in this batch) and not taken back.
        """
        items, replies = list(agreements), list(answers)
        if items:
            self.require_someone_signed_in("write an agreement")
        for person in sorted({a.person for a in replies}):
            self.require_signed_in(person)
        counts = [0, 0, 0]

        def work(conn: sqlite3.Connection) -> None:
            counts[:] = [0, 0, 0]
            stamp = now_stamp()
            for a in items:
                key = {"month": a.month, "number": a.number}
                current = self._current(conn, "agreements", "agreement_versions", key)
                if current is None and not a.active:
                    raise ValidationError(f"there is no agreement {a.number} for {a.month} to take back",
                                          field="number")
                if current is not None and _agreement(current).content() == a.content():
                    counts[2] += 1
                    continue
                self._put(conn, "agreements", "agreement_versions", key,
                          {"text": a.text, "dimension": a.dimension, "ritual": a.ritual, "active": int(a.active)},
                          stamp, source)
                counts[0 if current is None else 1] += 1
            for r in replies:
                agreed = self._current(conn, "agreements", "agreement_versions",
                                       {"month": r.month, "number": r.number})
                if agreed is None or not agreed["active"]:
                    raise ValidationError(f"there is no agreement {r.number} for {r.month} to answer", field="number")
                self._register(conn, r.person, stamp)
                key = {"month": r.month, "number": r.number, "person": r.person}
                current = self._current(conn, "agreement_answers", "agreement_answer_versions", key)
                if current is not None and current["answer"] == r.answer:
                    counts[2] += 1
                    continue
                self._put(conn, "agreement_answers", "agreement_answer_versions", key, {"answer": r.answer}, stamp,
                          source)
                counts[0 if current is None else 1] += 1

        self.write(work)
        return counts[0], counts[1], counts[2]

    def agreements(self, *, month: str | None = None, include_taken_back: bool = False) -> list[Agreement]:
        """The current agreements, by month and number."""
        if self._hidden_from_visitors():
            return []
        where, params = [], []
        if not include_taken_back:
            where.append("v.active = 1")
        if month is not None:
            where.append("c.month = ?")
            params.append(parse_month(month))
        sql = ("SELECT v.* FROM agreements c JOIN agreement_versions v ON v.id = c.version_id"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY c.month, c.number")
        return [_agreement(r) for r in self._conn.execute(sql, params)]

    def agreement_answers(self, *, month: str | None = None) -> list[AgreementAnswer]:
        """Everyone's current "did we?" answers to agreements not taken back, by month, number, person."""
        if self._hidden_from_visitors():
            return []
        sql = ("SELECT v.* FROM agreement_answers c JOIN agreement_answer_versions v ON v.id = c.version_id "
               "JOIN agreements a ON a.month = c.month AND a.number = c.number "
               "JOIN agreement_versions av ON av.id = a.version_id WHERE av.active = 1"
               + (" AND c.month = ?" if month is not None else "") + " ORDER BY c.month, c.number, c.person")
        return [_answer(r) for r in self._conn.execute(sql, (parse_month(month),) if month is not None else ())]

    def agreement_history(self, month: str, number: Any = 1) -> list[tuple[str, str | None, Agreement]]:
        """Every version of one agreement, oldest first: (saved_at, source, agreement)."""
        key = {"month": parse_month(month), "number": parse_number(number)}
        return [(r["saved_at"], r["source"], _agreement(r)) for r in self._history("agreement_versions", key)]

    def agreement_answer_history(self, month: str, number: Any, person: str) -> list[tuple[str, str | None, str]]:
        """Every answer one person gave to one agreement, oldest first: (saved_at, source, answer)."""
        key = {"month": parse_month(month), "number": parse_number(number), "person": person}
        return [(r["saved_at"], r["source"], r["answer"]) for r in self._history("agreement_answer_versions", key)]

    def agreement_frame(self) -> pd.DataFrame:
        """The agreements not taken back, one row per answer (or one row with no answer):
        ``month, number, text, dimension, ritual, person, answer``."""
        import pandas as pd

        answers: dict[tuple[str, int], list[AgreementAnswer]] = {}
        for answer in self.agreement_answers():
            answers.setdefault((answer.month, answer.number), []).append(answer)
        rows = []
        for a in self.agreements():
            given: list[AgreementAnswer | None] = [*answers.get(a.key, [])] or [None]
            for r in given:
                rows.append((a.month, a.number, a.text, a.dimension, a.ritual, r.person if r else None,
                             r.answer if r else None))
        return pd.DataFrame(rows, columns=["month", "number", "text", "dimension", "ritual", "person", "answer"])
