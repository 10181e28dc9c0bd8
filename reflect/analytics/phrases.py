"""How the kit's figures read in a sentence: one place for the phrase helpers.

>>> and_list(["Robin", "Sam", "Alex"]), dimension_words("physical"), dimensions_words(["passion", "emotional"])
('Robin, Sam and Alex', 'physical intimacy', 'passion and emotional intimacy')
"""

from __future__ import annotations

from collections.abc import Iterable

from reflect.domain.dimensions import label


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
