"""Consent lists in the store: each person's yes / not now / no, theirs alone.

A person's whole list is one value per saved version, sealed with their key when they have a
passphrase (so the file does not even show which items they answered), in plain text otherwise
(like their notes: anyone using the kit can pick their name). Every version is kept, and only the
person reads them.

What a partner may see of a list (:func:`reflect.domain.consent.visible_to_partner`: the yes
items, and the not-now items if the person shows them; never a no) is left for each partner who
has a passphrase as a **signal**, sealed for that partner's public key alone and padded to a fixed
size, rewritten whenever the list is saved (and when the writer next signs in after the partner
chose or reset a passphrase). From their own list and the partner's signal, each partner computes
the same shared view (:func:`reflect.domain.consent.shared_view`); nobody else can.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from reflect.domain.checkin import parse_person
from reflect.domain.consent import (
    STARTING_ITEMS,
    ConsentList,
    Visible,
    for_partner,
    item_key,
    not_on_the_list,
    parse_item,
    shared_view,
    visible_to_partner,
)
from reflect.errors import ValidationError
from reflect.storage import keys
from reflect.storage.records import Records, SaveStatus, now_stamp

_TABLE, _VERSIONS = "consent_lists", "consent_versions"
#: Signals are padded to a multiple of this many bytes, so their size says nothing of how many yeses.
SIGNAL_BLOCK = 1024


def _context(row: sqlite3.Row | dict[str, Any]) -> str:
    return f"consent|{row['person']}|{row['id']}"


def _signal_context(writer: str) -> str:
    return f"consent signal|{writer}"


@dataclass(frozen=True)
class SharedList:
    """What ``person`` and ``partner`` both see of their lists (the same for both of them).

    ``known`` is False when it cannot be worked out yet (``why`` says why, in words that say
    nothing of anyone's answers); then ``items`` is empty.
    """

    person: str
    partner: str
    items: tuple[tuple[str, str], ...]
    known: bool
    why: str = ""


class ConsentLists(Records):
    """The store's consent lists (a mixin of :class:`~reflect.storage.store.Store`)."""

    # -- the items --------------------------------------------------------------------------------

    def consent_items(self) -> list[str]:
        """The list's items: the gentle starting list, then those the couple added (not shown to a
        visitor on the home network who has not signed in)."""
        if self._hidden_from_visitors():
            return list(STARTING_ITEMS)
        added = [r[0] for r in self._conn.execute("SELECT item FROM consent_items ORDER BY created_at, item")]
        return [*STARTING_ITEMS, *added]

    def _known_item(self, item: str) -> str | None:
        key = item_key(item)
        return next((i for i in self.consent_items() if item_key(i) == key), None)

    def add_consent_item(self, item: Any, *, source: str | None = None) -> str:
        """Add an item to the couple's list (both see the items, never each other's answers); an
        item already there (whatever its case) is returned as it is."""
        name = parse_item(item)
        known = self._known_item(name)
        if known is not None:
            return known
        self.require_someone_signed_in("add to the list")
        self.write(lambda conn: conn.execute(
            "INSERT OR IGNORE INTO consent_items (item, created_at, source) VALUES (?, ?, ?)",
            (name, now_stamp(), source)))
        return name

    # -- a person's own list ----------------------------------------------------------------------

    def save_consent(self, answers: ConsentList, *, source: str | None = None) -> SaveStatus:
        """Save a person's whole list as a new version (they must be signed in if they have a
        passphrase); items the store does not know are added to the couple's list."""
        added, updated, _ = self.save_consents([answers], source=source)
        return "added" if added else "updated" if updated else "unchanged"

    def save_consents(self, lists: list[ConsentList], *, source: str | None = None,
                      merge: bool = False, new_items: bool = True) -> tuple[int, int, int]:
        """Save several people's lists in one transaction, all or none: (added, updated, unchanged).
        With ``merge``, each list's answers are laid over the person's current ones (items it does
        not mention keep their answer, and the person's choice about "not now" stays). Items the
        store does not know are added to the couple's list; with ``new_items=False`` they are
        refused instead (nothing is saved), with "did you mean ...?" when one is close."""
        for person in sorted({lst.person for lst in lists}):
            self.require_signed_in(person)
        if len({lst.person for lst in lists}) != len(lists):
            raise ValidationError("one list per person, please")
        counts = [0, 0, 0]

        def work(conn: sqlite3.Connection) -> None:
            counts[:] = [0, 0, 0]
            stamp = now_stamp()
            for answers in lists:
                self._register(conn, answers.person, stamp)
                current = self._current(conn, _TABLE, _VERSIONS, {"person": answers.person})
                before = None
                if current is not None:
                    data = self._open_body(current, _context(current))
                    before = ConsentList.from_dict(answers.person, data) if data is not None else None
                canonical: dict[str, str] = dict(before.answers) if merge and before is not None else {}
                for item, answer in answers.answers.items():
                    known = self._known_item(item)
                    if known is None:
                        if not new_items:
                            raise not_on_the_list(item, self.consent_items())
                        conn.execute("INSERT OR IGNORE INTO consent_items (item, created_at, source) "
                                     "VALUES (?, ?, ?)", (item, stamp, source))
                        known = item
                    canonical[known] = answer
                show = before.show_not_now if merge and before is not None else answers.show_not_now
                checked = ConsentList(person=answers.person, answers=dict(sorted(canonical.items())),
                                      show_not_now=show)
                if before is not None and before == checked:
                    counts[2] += 1
                    continue
                version_id = self._put(conn, _TABLE, _VERSIONS, {"person": answers.person}, {}, stamp, source)
                self._seal_into(conn, _VERSIONS, version_id, answers.person, checked.as_dict(),
                                _context({"person": answers.person, "id": version_id}))
                self._leave_signals(conn, checked)
                counts[0 if current is None else 1] += 1

        self.write(work)
        return counts[0], counts[1], counts[2]

    def consent_list(self, person: str) -> ConsentList | None:
        """``person``'s own list (they must be signed in if they have a passphrase); ``None`` when
        they have none, or when it was sealed under a passphrase they have since reset."""
        person = parse_person(person)
        self.require_signed_in(person)
        current = self._current(self._conn, _TABLE, _VERSIONS, {"person": person})
        if current is None:
            return None
        data = self._open_body(current, _context(current))
        return ConsentList.from_dict(person, data) if data is not None else None

    def consent_history(self, person: str) -> list[tuple[str, str | None, ConsentList | None]]:
        """Every version of ``person``'s list, oldest first: theirs alone (they must be signed in)."""
        person = parse_person(person)
        self.require_signed_in(person)
        out = []
        for row in self._history(_VERSIONS, {"person": person}):
            data = self._open_body(row, _context(row))
            out.append((row["saved_at"], row["source"], ConsentList.from_dict(person, data) if data else None))
        return out

    # -- what two lists share ---------------------------------------------------------------------

    def _visible_of(self, partner: str, reader: str) -> Visible | None:
        """What ``reader`` may see of ``partner``'s list (never a no), or None if not known here."""
        if self.partner_of(reader) != partner:
            return None  # a list is seen by the partner, and by nobody else
        if not self.is_protected(partner):
            row = self._current(self._conn, _TABLE, _VERSIONS, {"person": partner})
            if row is None:
                return Visible()
            data = self._open_body(row, _context(row))
            if data is None:
                return Visible()
            return for_partner(visible_to_partner(ConsentList.from_dict(partner, data)), self._shows_not_now(reader))
        mine = self._keys.get(reader)
        if mine is None:
            return None
        row = self._conn.execute("SELECT box FROM consent_signals WHERE writer = ? AND reader = ? AND reader_key = ?",
                                 (partner, reader, mine[0])).fetchone()
        if row is None:
            return None
        plain = keys.open_sealed_for(mine[1], row[0], context=_signal_context(partner), reader=reader)
        return Visible.from_dict(json.loads(plain.decode("utf-8")))

    def consent_shared(self, person: str) -> list[SharedList]:
        """For each partner of ``person`` (everyone else in the store), what the two of them both see:
        the items both said yes to and, when both show them, those either said not now to. ``person``
        must be signed in if they have a passphrase. Nothing here ever says no."""
        person = parse_person(person)
        self.require_signed_in(person)
        mine = self.consent_list(person)
        my_visible = visible_to_partner(mine) if mine is not None else Visible()
        items = self.consent_items()
        out = []
        partner_name = self.partner_of(person)
        for partner in [partner_name] if partner_name is not None else []:
            theirs = self._visible_of(partner, person)
            if theirs is None:
                why = (f"{partner} keeps their list under a passphrase: you will see what you both said yes to "
                       "once you choose one too, and " + partner + " next signs in."
                       if person not in self._keys else
                       f"What you and {partner} both said yes to shows here once {partner} has a list of their "
                       "own (and has signed in since you chose your passphrase).")
                out.append(SharedList(person, partner, (), False, why))
                continue
            out.append(SharedList(person, partner, tuple(shared_view(my_visible, theirs, items)), True))
        return out

    def consent_shared_views(self) -> list[SharedList]:
        """What each pair of partners both see, for every pair that can be worked out by whoever is
        signed in now (or from lists kept without a passphrase), each pair once: what a report with
        notes may show."""
        out, seen = [], set()
        for name in [r[0] for r in self._conn.execute("SELECT name FROM people ORDER BY name")]:
            if self.is_protected(name) and name not in self._keys:
                continue
            for view in self.consent_shared(name):
                pair = frozenset((view.person, view.partner))
                if view.known and pair not in seen:
                    seen.add(pair)
                    out.append(view)
        return out

    def consent_people(self) -> list[str]:
        """Who keeps a list (names only: nothing of what it says)."""
        return [r[0] for r in self._conn.execute("SELECT person FROM consent_lists ORDER BY person")]

    def _shows_not_now(self, person: str) -> bool:
        """Whether ``person`` chose to show their "not now" (a choice, not an answer; False if not known)."""
        row = self._current(self._conn, _TABLE, _VERSIONS, {"person": person})
        if row is None:
            return False
        data = self._open_body(row, _context(row))
        if data is not None:
            return bool(data.get("show_not_now"))
        partner = self.partner_of(person)  # their list is sealed: what their signal to us says
        mine = self._keys.get(partner) if partner is not None else None
        if mine is None or partner is None:
            return False
        signal = self._conn.execute(
            "SELECT box FROM consent_signals WHERE writer = ? AND reader = ? AND reader_key = ?",
            (person, partner, mine[0])).fetchone()
        if signal is None:
            return False
        plain = keys.open_sealed_for(mine[1], signal[0], context=_signal_context(person), reader=partner)
        return bool(json.loads(plain.decode("utf-8")).get("show_not_now"))

    def _leave_signals(self, conn: sqlite3.Connection, answers: ConsentList) -> None:
        """Seal for the partner alone, if they have a passphrase, what they may see of ``answers``: the
        yes items, whether "not now" is shown and, only once both chose to show it, the not-now items."""
        writer = answers.person
        partner = self.partner_of(writer)
        conn.execute("DELETE FROM consent_signals WHERE writer = ? AND reader IS NOT ?", (writer, partner))
        if writer not in self._keys or partner is None:
            conn.execute("DELETE FROM consent_signals WHERE writer = ?", (writer,))
            return
        visible = for_partner(visible_to_partner(answers), self._shows_not_now(partner))
        text = json.dumps(visible.as_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        padded = text + b" " * (-len(text) % SIGNAL_BLOCK)
        readers = conn.execute("SELECT person, id, public_key FROM person_keys WHERE retired_at IS NULL "
                               "AND person = ?", (partner,)).fetchall()
        for reader, key_id, public in readers:
            box = keys.seal_for(public, padded, context=_signal_context(writer), reader=reader)
            conn.execute("INSERT OR REPLACE INTO consent_signals (writer, reader, reader_key, box, written_at) "
                         "VALUES (?, ?, ?, ?, ?)", (writer, reader, key_id, box, now_stamp()))

    # -- hooks ------------------------------------------------------------------------------------

    def _seal_practices(self, conn: sqlite3.Connection, person: str, key_id: int, unlocked: keys.UnlockedKey) -> None:
        super()._seal_practices(conn, person, key_id, unlocked)
        self._seal_plain(conn, _VERSIONS, person, key_id, unlocked, _context)
        # a new key (chosen, or reset after a forgotten passphrase): what partners saw is written anew
        conn.execute("DELETE FROM consent_signals WHERE writer = ?", (person,))

    def _practices_signed_in(self, person: str) -> None:
        super()._practices_signed_in(person)
        partner = self.partner_of(person)
        if person not in self._keys or partner is None:
            return
        # Written anew when missing or older than the partner's list: the partner may have chosen a
        # passphrase (or a new one), or chosen to show their "not now", which its not-now items wait for.
        stale = self._conn.execute(
            "SELECT 1 FROM person_keys k WHERE k.retired_at IS NULL AND k.person = ? AND NOT EXISTS ("
            "SELECT 1 FROM consent_signals s WHERE s.writer = ? AND s.reader = k.person AND s.reader_key = k.id "
            "AND s.written_at >= coalesce((SELECT v.saved_at FROM consent_lists c JOIN consent_versions v "
            "ON v.id = c.version_id WHERE c.person = k.person), ''))", (partner, person)).fetchone()
        if stale is None or self._current(self._conn, _TABLE, _VERSIONS, {"person": person}) is None:
            return
        mine = self.consent_list(person)
        if mine is None:
            return
        self.write(lambda conn: self._leave_signals(conn, mine))
