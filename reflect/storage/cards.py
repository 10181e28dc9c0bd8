""""We did it": a practice card done together, logged as a ritual of the couple.

A card's ritual kind (:attr:`reflect.domain.cards.Card.ritual_kind`) joins the couple's catalogue
the first time they do it, with the card's cadence and title, in the same transaction as the log,
so the rituals' analysis (:mod:`reflect.analytics.rhythm`) sees it like any other ritual. A kind
the couple already has keeps its own cadence and name. Who may log it is the rituals' rule: a
ritual done together, so on the home network someone signed in
(:meth:`reflect.storage.store.Store.log_rituals`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reflect.domain.cards import Card
from reflect.domain.rituals import TOGETHER, Ritual
from reflect.storage.records import SaveStatus
from reflect.storage.store import Store

#: The source recorded with a practice logged from a card (the history says where it came from).
SOURCE = "practice card"


def log_practice(store: Store, card: Card, *, day: Any = None, note: Any = None,
                 source: str = SOURCE) -> SaveStatus:
    """Log that the two of you did ``card`` on ``day`` (default: today), in one transaction.

    Returns ``added``, or ``unchanged`` when it was already logged for that day (``updated`` when a
    note changed). Raises what the store raises (a day in the future, nobody signed in on the home
    network), with nothing written.
    """
    kind = card.ritual_kind
    new = kind not in store.ritual_kinds()
    ritual = Ritual.create(day=store.today() if day is None else day, kind=kind, person=TOGETHER, note=note)
    return store.log_ritual(ritual, cadence=card.cadence if new else None, label=card.title if new else None,
                            source=source)


def times_done(store: Store, card: Card, *, since: dt.date | None = None) -> list[dt.date]:
    """The days the two of you did ``card`` together (its ritual kind), oldest first, from ``since`` on."""
    days = [r.day for r in store.rituals(kind=card.ritual_kind, person=TOGETHER)]
    return [d for d in days if since is None or d >= since]
