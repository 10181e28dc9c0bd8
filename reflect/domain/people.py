"""Who a store is for: one couple, or one person; at most two people, and a name is one person.

A store holds the check-ins of one relationship. Its people are the couple (or a person on their
own): :data:`MAX_PEOPLE` names at most, and for each of them "the partner" is the other one. Several
couples (a counsellor's) are several stores.

Names are kept as typed (:func:`reflect.domain.text.clean_name`), and "Robin" and "robin" are two
spellings. But two spellings of one name must never become two people: a name that matches a
person only after Unicode compatibility normalisation (NFKC: a fullwidth "Ｒｏｂｉｎ"), case folding
("ROBIN") or by characters that look alike (a Cyrillic "о" in "Rоbin": Unicode's confusables list,
from the ``confusable_homoglyphs`` package, which ships the Unicode data) is a **near miss**
(:func:`near_miss`), and a store refuses it with "did you mean Robin?".

>>> near_miss("ROBIN", ["Robin", "Sam"])
'Robin'
>>> near_miss("R\\u043ebin", ["Robin", "Sam"])   # a Cyrillic o
'Robin'
>>> near_miss("Robyn", ["Robin", "Sam"]) is None
True
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

from reflect.errors import ValidationError

#: A store is one couple, or one person.
MAX_PEOPLE = 2


#: Characters that show nothing (Unicode's default-ignorable code points that a name could carry:
#: variation selectors, the combining grapheme joiner, Mongolian and Khmer invisible marks...).
#: :func:`reflect.domain.text.clean_name` refuses most of them; the rest are ignored when names are
#: compared, so "Sam" with an invisible variation selector is still Sam.
_IGNORABLE = frozenset(
    [chr(c) for c in (0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFEFF, 0xFFA0)]
    + [chr(c) for c in range(0x180B, 0x1810)] + [chr(c) for c in range(0x200B, 0x2010)]
    + [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2060, 0x2070)]
    + [chr(c) for c in range(0xFE00, 0xFE10)] + [chr(c) for c in range(0xE0100, 0xE01F0)]
)


def _visible(name: str) -> str:
    return unicodedata.normalize("NFKC", "".join(ch for ch in name if ch not in _IGNORABLE))


def folded(name: str) -> str:
    """``name`` as compared for sameness: invisible marks dropped, NFKC, then case folded (and NFKC
    again, as Unicode advises)."""
    return unicodedata.normalize("NFKC", _visible(name).casefold())


@functools.lru_cache(maxsize=4096)
def _look_alikes(ch: str) -> frozenset[str]:
    """The single characters Unicode lists as confusable with ``ch`` (``ch`` included)."""
    from confusable_homoglyphs import confusables

    found = {ch}
    for entry in confusables.is_confusable(ch, greedy=True) or ():
        found.update(h["c"] for h in entry["homoglyphs"] if len(h["c"]) == 1)
    return frozenset(found)


def _chars_alike(a: str, b: str) -> bool:
    """Whether two letters read the same: equal but for case, or look-alikes (Unicode lists capitals
    and small letters apart, so each is compared as written, in capitals and in small letters)."""
    if a.casefold() == b.casefold():
        return True
    return any(y in _look_alikes(x) or x in _look_alikes(y)
               for x, y in ((a, b), (a.upper(), b.upper()), (a.lower(), b.lower())))


def looks_like(a: str, b: str) -> bool:
    """Whether two different spellings are the same name to a reader: equal once folded, or equal
    letter by letter where each letter is the other's look-alike (of either case)."""
    if folded(a) == folded(b):
        return True
    va, vb = _visible(a), _visible(b)
    if len(va) != len(vb):
        return False
    return all(_chars_alike(x, y) for x, y in zip(va, vb, strict=True))


def near_miss(name: str, known: Iterable[str]) -> str | None:
    """The known name that ``name`` is a near miss of (spelled differently, but the same name to a
    reader), or None. A name exactly as known is not a near miss of itself."""
    for other in known:
        if other != name and looks_like(name, other):
            return other
    return None


def couple_words(names: Iterable[str]) -> str:
    """"Robin and Sam", "Robin", or "Ana, Robin and Sam"."""
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def check_people(names: Iterable[str]) -> None:
    """Raise ValidationError unless ``names`` (as in a file, in order) can be the people of one store."""
    known: list[str] = []
    for name in names:
        if name not in known:
            check_newcomer(name, known)
            known.append(name)


def check_newcomer(name: str, known: list[str]) -> None:
    """Raise ValidationError unless ``name`` may join a store whose people are ``known``: not a near
    miss of one of them (:func:`check_not_near_miss`), and not a third person."""
    check_not_near_miss(name, known)
    if len(known) >= MAX_PEOPLE:
        raise ValidationError(
            f"this store is for {couple_words(sorted(known))}: it cannot hold a third person ({name}). "
            f"If you meant one of them, use their name as it is; if a name was mistyped, mend it with "
            f"`reflect person rename` or `reflect person merge`; another couple keeps a store of their own "
            f"(--db)", field="person")


def check_not_near_miss(name: str, known: list[str]) -> None:
    """Raise ValidationError ("did you mean Robin?") when ``name`` is a near miss of a known name."""
    similar = near_miss(name, known)
    if similar is not None:
        raise ValidationError(
            f"did you mean {similar}? {name!r} is spelled differently from {similar} but reads the same, so it "
            f"cannot be someone new; use {similar} (names are kept exactly as first typed)", field="person")
