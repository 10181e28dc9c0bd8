"""Appreciations for a report with notes: the words the people signed in may read, in memory only.

A report made with notes by both (each signed in) may show the month's appreciations, and those of
the same month a year before ("this month last year"). Nothing here is written anywhere: the words
come from :meth:`~reflect.storage.store.Store.signed_in_appreciations`, which opens only what the
people signed in to the store object may read (their own, and those their partner wrote them).
"""

from __future__ import annotations

from typing import Any

from reflect.domain.months import add_months, parse_month


def month_appreciations(store: Any, month: str) -> list[dict[str, str]]:
    """The appreciations of ``month`` readable by whoever is signed in to ``store``, oldest first:
    ``writer``, ``to`` (the partner; "" while there is none), ``date`` (YYYY-MM-DD) and ``text``."""
    return [{"writer": a.person, "to": a.to or "", "date": a.day.isoformat(), "text": a.text or ""}
            for a in store.signed_in_appreciations(parse_month(month))]


def this_month_last_year(store: Any, month: str) -> list[dict[str, str]]:
    """The appreciations of the same month a year before ``month`` (see :func:`month_appreciations`)."""
    return month_appreciations(store, add_months(parse_month(month), -12))


def appreciation_counts(store: Any, month: str) -> dict[str, int]:
    """How many appreciations each person wrote in ``month``: counts only, never words (for any report)."""
    return store.appreciation_count(month=parse_month(month))
