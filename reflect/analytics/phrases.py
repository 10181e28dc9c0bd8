"""How the kit's figures read in a sentence: one place for the phrase helpers.

>>> and_list(["Robin", "Sam", "Alex"]), dimension_words("physical"), dimensions_words(["passion", "emotional"])
('Robin, Sam and Alex', 'physical intimacy', 'passion and emotional intimacy')

Every score, level and change the kit writes in words goes through :func:`score` and
:func:`signed`, so a number reads the same everywhere (always one decimal):

>>> score(6), score(6.25), signed(1.04), signed(-0.5), signed(0.02)
('6.0', '6.2', '+1.0', '−0.5', '0.0')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from reflect.domain.dimensions import KEYS, label
from reflect.domain.months import month_start


def and_list(items: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` (empty for none)."""
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def dimension_words(key: str) -> str:
    """``passion``, or ``physical intimacy``: how a dimension reads in a sentence
    (``intimacy_index``: ``intimacy overall``)."""
    if key == "intimacy_index":
        return "intimacy overall"
    return "passion" if key == "passion" else f"{label(key).lower()} intimacy"


def dimensions_words(keys: Iterable[str]) -> str:
    """Several dimensions in a sentence: ``passion and physical intimacy``."""
    return and_list(dimension_words(k) for k in keys)


def dimensions_together(keys: Iterable[str]) -> str:
    """``passion, physical and experiential intimacy``: passion first, then the dimensions of
    intimacy in their usual order, "intimacy" said once."""
    keys = set(keys)
    intimacy = [label(k).lower() for k in KEYS[1:] if k in keys]
    words = and_list(intimacy) + " intimacy" if intimacy else ""
    if "passion" not in keys:
        return words
    if not intimacy:
        return "passion"
    return f"passion and {words}" if len(intimacy) == 1 else f"passion, {words}"


def sealed_words(count: int) -> str:
    """Why a store with check-ins shows none: ``; 1 check-in is sealed until ...`` (empty for none),
    to end a sentence that says there is nothing to show."""
    if count <= 0:
        return ""
    return "; " + sealed_sentence(count)[:-1]


def sealed_sentence(count: int, month: str | None = None) -> str:
    """``1 check-in is saved but sealed until ...`` (of ``month``, if given), as a sentence."""
    of = f" of {month_words(month)}" if month else ""
    return (f"{count} check-in{'s' if count != 1 else ''}{of} {'are' if count != 1 else 'is'} saved but sealed until "
            "everyone has answered for that period, or the period is over.")


def month_words(month: str, *, short: bool = False) -> str:
    """``2026-10`` -> ``October 2026`` (``Oct 2026`` when ``short``)."""
    return month_start(month).strftime("%b %Y" if short else "%B %Y")


def months_span_words(first: str, last: str) -> str:
    """``December 2026`` for one month, ``November 2025 to December 2026`` for several."""
    return month_words(first) if first == last else f"{month_words(first)} to {month_words(last)}"


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                 "twelve")


def number_words(n: int) -> str:
    """A small count in words, as a sentence says it (``six``); larger ones in figures."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def score(value: float) -> str:
    """A score, a level or the size of a change, with one decimal: ``6.0``, ``6.2``."""
    rounded = round(float(value), 1) + 0.0  # no "-0.0"
    return f"{rounded:.1f}"


def signed(value: float) -> str:
    """A change with its sign: ``+1.0``, ``−0.5`` (a true minus sign), ``0.0`` when it rounds to nothing."""
    text = score(abs(value))
    if text == "0.0":
        return text
    return ("+" if value > 0 else "−") + text


def gap(a: float, b: float) -> float:
    """``a`` minus ``b`` as the reader works it out from the two numbers printed: each rounded to one
    decimal first, so that "7.5 against 8.2" is 0.7 apart, never 0.6 (from 7.46 and 8.21)."""
    return round(round(float(a), 1) - round(float(b), 1), 1) + 0.0


def day_words(day: object) -> str:
    """``6 December 2026``: a day as a letter writes it (no leading zero)."""
    if not isinstance(day, dt.date):
        raise TypeError(f"{day!r} is not a date")
    return f"{day.day} {day:%B %Y}"


def times_words(n: int) -> str:
    """``once``, ``twice``, ``3 times``."""
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


#: The stock phrases a letter may carry, each only where it fits the month; the letter linter in
#: the tests counts them (at most three in a letter).
MAXIMS: tuple[str, ...] = (
    "not a verdict", "not a failure", "what matters is", "a dip is normal", "be kind to each other",
    "is a strength", "consistency matters", "is what counts", "not a mind reader", "chemistry is a gift",
    "is information", "worth protecting", "not a fault", "not a problem to fix",
)
