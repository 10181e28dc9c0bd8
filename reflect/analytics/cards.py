"""Which practice cards fit a finding: one or two, turning with the month.

:func:`cards_for` is what a letter calls to name "one or two practices that fit" each kind of
finding. The choice is deterministic (the same situation and month always give the same cards)
and turns with the month, so the same finding in consecutive months names other cards.

>>> [c.name for c in cards_for("rupture", "2026-10")], [c.name for c in cards_for("rupture", "2026-11")]
(['repair-walk-through', 'five-breath-sync'], ['hard-talk', 'listening-loop'])
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping

from reflect.domain.cards import SITUATIONS, Card, all_cards, fitting
from reflect.domain.dimensions import KEYS
from reflect.domain.months import parse_month
from reflect.errors import ValidationError

#: Life events' kinds (:data:`reflect.domain.lifeevents.KINDS`) that name a situation of their own.
EVENT_SITUATIONS: dict[str, str] = {
    "birth": "new-baby",
    "new-job": "new-job",
    "move": "move",
    "illness": "illness",
    "loss": "loss",
    "distance": "long-distance",
}


def situation_name(situation: str) -> str:
    """``situation`` as :func:`cards_for` knows it: a situation, a dimension key, or a life event's
    kind (``birth`` is ``new-baby``). Raises :class:`ValidationError` for anything else."""
    text = str(situation).strip().lower().replace("_", "-").replace(" ", "-")
    if text in SITUATIONS or text in KEYS:
        return text
    if text in EVENT_SITUATIONS:
        return EVENT_SITUATIONS[text]
    raise ValidationError(
        f"{situation!r} is not a situation practice cards know; use one of {', '.join(SITUATIONS)}, "
        f"a dimension ({', '.join(KEYS)}) or a life event's kind", field="situation")


def _month_number(month: str) -> int:
    year, number = parse_month(month).split("-")
    return int(year) * 12 + int(number) - 1


def cards_for(situation: str, month: str, *, exclude: Iterable[str] = (), count: int = 2,
              cards: Mapping[str, Card] | None = None) -> list[Card]:
    """One or two practice cards that fit ``situation`` in ``month`` (``YYYY-MM``).

    The situations (:data:`reflect.domain.cards.SITUATIONS`)::

        unmet-emotional-need        emotional intimacy furthest from where one of you would like it
        low-passion-high-closeness  close and warm, little spark
        high-passion-low-closeness  plenty of spark, little talking and sharing
        ritual-gap                  a long gap in your rituals
        rupture                     a rupture to repair
        seeing-differently          the two of you see the month quite differently
        mismatched-wishes           you would like different things (more closeness, more space)
        new-baby, new-job, move, illness, loss, long-distance    life events
        good-month                  a good month, worth keeping

    A dimension key (``passion``, ``emotional``, ``physical``, ``intellectual``, ``experiential``,
    ``spiritual``) gives cards for that dimension (an unmet need in it, a dip), and a life event's
    kind its situation (``birth`` is ``new-baby``, ``distance`` is ``long-distance``).

    Every situation fits at least four cards, so two cards a month never repeat from one month to the
    next: the fitting cards (by name) are taken two at a time, the window moving on by two each month
    from a start that depends on the situation alone. ``exclude`` leaves out cards by name (those a
    letter has already named); months keep not repeating as long as ``exclude`` stays the same.
    ``count`` is 1 or 2. Raises :class:`ValidationError` for a situation or month it does not know.
    """
    name = situation_name(situation)
    if count not in (1, 2):
        raise ValidationError(f"count is 1 or 2, not {count!r}", field="count")
    left_out = {str(e) for e in exclude}
    pool = [c for c in fitting(name, all_cards() if cards is None else cards) if c.name not in left_out]
    if not pool:
        return []
    # with fewer than twice ``count`` cards, fewer a month, so that consecutive months never share one
    take = max(1, min(count, len(pool) // 2))
    start = zlib.crc32(name.encode()) % len(pool)
    first = (start + _month_number(month) * take) % len(pool)
    return [pool[(first + i) % len(pool)] for i in range(take)]


def _fits(card: Card) -> set[str]:
    """Everything a card fits: its situations and its dimensions."""
    return set(card.situations) | set(card.dimensions)


def deck_halves(cards: Mapping[str, Card] | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """The deck in two halves that each fit as many situations as they can, for letters that take
    turns (:func:`month_half`). Deterministic: the cards, by name, each go to the half that has
    fewer cards for what it fits (ties to the smaller half, then to the first)."""
    deck = all_cards() if cards is None else cards
    halves: tuple[set[str], set[str]] = (set(), set())
    counts: tuple[dict[str, int], dict[str, int]] = ({}, {})
    for name in sorted(deck):
        fits = _fits(deck[name])
        need = [sum(counts[i].get(s, 0) for s in fits) for i in (0, 1)]
        i = min((0, 1), key=lambda h: (need[h], len(halves[h]), h))
        halves[i].add(name)
        for s in fits:
            counts[i][s] = counts[i].get(s, 0) + 1
    return frozenset(halves[0]), frozenset(halves[1])


def month_half(month: str, cards: Mapping[str, Card] | None = None) -> frozenset[str]:
    """The half of the deck a letter of ``month`` names cards from: the halves take turns, so two
    months in a row never name the same card."""
    return deck_halves(cards)[_month_number(month) % 2]
