"""Practice cards: the guides' exercises to do together, as data.

Each practice is one small TOML file in the package's ``reflect/cards/`` folder (read with the
standard library's :mod:`tomllib` through :mod:`importlib.resources`, so an installed wheel finds
them too); the file's name is the card's name (``story-swap.toml`` is ``story-swap``). This module
loads them and checks each one; a card that is not right is a :class:`CardError` naming the file
and the field. The fields:

``title``
    what the card is called ("Story swap"); at most 60 characters.
``group``
    where it sits in the list: one of :data:`GROUPS` (``tonight``, ``skills``, ``busy``, ``hard``, ``apart``).
``purpose``
    one sentence: what it is for.
``minutes`` (and ``up_to``)
    how long it takes: about ``minutes``, or ``minutes`` to ``up_to``.
``cadence``
    how often it is meant to happen (``daily``, ``weekly``, ``monthly``): the rhythm of the ritual
    that "we did it" logs.
``ritual`` (optional)
    the ritual kind "we did it" logs; the card's name when left out. A kind of the catalogue
    (``hug``, ``appreciation``) must keep its own cadence.
``dimensions``
    the dimensions it speaks to (:data:`reflect.domain.dimensions.KEYS`).
``situations``
    what it fits (:data:`SITUATIONS`): the findings a letter names it for.
``steps``
    what to do, in order: 2 to 10 short sentences.
``[[timer]]`` (optional)
    the timer the guide gives, in phases: each a ``label`` and ``seconds`` (story swap: two minutes each).
``[[menu]]`` (optional)
    ideas by mood: each a ``mood`` and its ``ideas``.

>>> card = by_name("story swap")
>>> card.name, card.time_words, [p.seconds for p in card.timer]
('story-swap', 'About 5 minutes', [120, 120])
"""

from __future__ import annotations

import difflib
import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from reflect.domain.dimensions import CADENCES, KEYS
from reflect.domain.rituals import DEFAULT_BY_KEY, parse_kind
from reflect.errors import ReflectError, ValidationError

#: The groups of the list, in order, with their headings.
GROUPS: dict[str, str] = {
    "tonight": "For tonight",
    "skills": "Skills to practise",
    "busy": "For busy weeks",
    "hard": "When it is hard",
    "apart": "When you are apart",
}

#: The situations a card may fit, with what each means: the names :func:`reflect.analytics.cards.cards_for` takes.
SITUATIONS: dict[str, str] = {
    "unmet-emotional-need": "emotional intimacy is further from where one of you would like it than anything else",
    "low-passion-high-closeness": "close and warm, with little spark",
    "high-passion-low-closeness": "plenty of spark, little talking and sharing",
    "ritual-gap": "a long gap in your rituals",
    "rupture": "a rupture to repair",
    "seeing-differently": "the two of you see the month quite differently",
    "mismatched-wishes": "you would like different things (more closeness, more space)",
    "new-baby": "a new baby",
    "new-job": "a new job",
    "move": "a move",
    "illness": "an illness",
    "loss": "a loss",
    "long-distance": "time apart, at a distance",
    "good-month": "a good month, worth keeping",
}

#: Where the fields of a card file must be; the optional ones may be left out.
REQUIRED = ("title", "group", "purpose", "minutes", "cadence", "dimensions", "situations", "steps")
OPTIONAL = ("up_to", "ritual", "timer", "menu")
MAX_TITLE = 60
MAX_TEXT = 240
MAX_MINUTES = 180
MAX_STEPS = 10
#: A timer phase lasts at least this many seconds and at most an hour.
MIN_SECONDS, MAX_SECONDS = 5, 3600


class CardError(ReflectError, ValueError):
    """A practice card's file is not right: ``file`` and ``field`` say where, ``message`` what."""

    def __init__(self, file: str, message: str, *, field: str | None = None):
        self.file, self.field, self.message = file, field, message
        super().__init__(f"{file}, field {field}: {message}" if field else f"{file}: {message}")


class UnknownCard(ReflectError, LookupError):
    """No practice card has the name asked for; ``close`` holds the names of those that come close."""

    def __init__(self, typed: str, close: list[str]):
        self.typed, self.close = typed, close
        hint = (" Did you mean " + " or ".join(f"\u201c{c}\u201d" for c in close) + "?") if close else ""
        super().__init__(f"There is no practice called \u201c{typed}\u201d.{hint}")


@dataclass(frozen=True)
class TimerPhase:
    label: str
    seconds: int


@dataclass(frozen=True)
class MenuChoice:
    mood: str
    ideas: tuple[str, ...]


@dataclass(frozen=True)
class Card:
    """One practice to do together (see the module's docstring for the fields)."""

    name: str
    title: str
    group: str
    purpose: str
    minutes: int
    cadence: str
    dimensions: tuple[str, ...]
    situations: tuple[str, ...]
    steps: tuple[str, ...]
    up_to: int | None = None
    ritual: str = ""
    timer: tuple[TimerPhase, ...] = ()
    menu: tuple[MenuChoice, ...] = ()

    @property
    def ritual_kind(self) -> str:
        """The ritual kind "we did it" logs: ``ritual``, else the card's name."""
        return self.ritual or self.name

    @property
    def time_words(self) -> str:
        """How long it takes, in words: "About 5 minutes", "20 to 30 minutes", "About a minute"."""
        if self.up_to:
            return f"{self.minutes} to {self.up_to} minutes"
        return "About a minute" if self.minutes == 1 else f"About {self.minutes} minutes"

    @property
    def timer_seconds(self) -> int:
        """The timer's whole length (0 without a timer)."""
        return sum(p.seconds for p in self.timer)

    def fits(self, situation: str) -> bool:
        return situation in self.situations or situation in self.dimensions


# -- reading a card --------------------------------------------------------------------------------


def _text(file: str, field: str, value: Any, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CardError(file, "give some words (a text in quotes)", field=field)
    text = " ".join(value.split())
    if len(text) > limit:
        raise CardError(file, f"at most {limit} characters ({len(text)} given)", field=field)
    return text


def _whole(file: str, field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise CardError(file, f"a whole number from {low} to {high} (not {value!r})", field=field)
    return value


def _texts(file: str, field: str, value: Any, low: int, high: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not low <= len(value) <= high:
        raise CardError(file, f"a list of {low} to {high} texts", field=field)
    return tuple(_text(file, f"{field} {i}", v) for i, v in enumerate(value, 1))


def _choices(file: str, field: str, value: Any, allowed: Iterable[str]) -> tuple[str, ...]:
    allowed = list(allowed)
    if not isinstance(value, list) or not value:
        raise CardError(file, f"a list of at least one of: {', '.join(allowed)}", field=field)
    out: list[str] = []
    for v in value:
        if v not in allowed:
            close = difflib.get_close_matches(str(v), allowed, n=1)
            hint = f" (did you mean {close[0]}?)" if close else f"; use one of: {', '.join(allowed)}"
            raise CardError(file, f"{v!r} is not one of them{hint}", field=field)
        if v in out:
            raise CardError(file, f"{v!r} is there twice", field=field)
        out.append(v)
    return tuple(out)


def _tables(file: str, field: str, value: Any, keys: tuple[str, ...]) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise CardError(file, f"one or more [[{field}]] tables, each with {' and '.join(keys)}", field=field)
    for i, table in enumerate(value, 1):
        missing = [k for k in keys if k not in table]
        extra = sorted(set(table) - set(keys))
        if missing or extra:
            said = f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(extra)}"
            raise CardError(file, f"{field} {i}: {said} (each has {' and '.join(keys)})", field=field)
    return value


def parse_card(text: str, file: str) -> Card:
    """The card in ``text``, the TOML of the file ``file`` (``story-swap.toml``: its name gives the card's).

    Raises :class:`CardError` naming the file and the field of the first thing that is not right.
    """
    name = Path(file).name.removesuffix(".toml")
    try:
        name = parse_kind(name)
    except ValidationError:
        raise CardError(file, "a card's file name is 1 to 40 lowercase letters, digits or hyphens, then "
                              ".toml (e.g. story-swap.toml)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CardError(file, f"not valid TOML: {exc}") from None
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise CardError(file, "this field is missing (every card has " + ", ".join(REQUIRED) + ")",
                        field=missing[0])
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        close = difflib.get_close_matches(unknown[0], [*REQUIRED, *OPTIONAL], n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise CardError(file, f"not a field of a card{hint}", field=unknown[0])
    group = data["group"]
    if group not in GROUPS:
        raise CardError(file, f"{group!r} is not a group; use one of: {', '.join(GROUPS)}", field="group")
    minutes = _whole(file, "minutes", data["minutes"], 1, MAX_MINUTES)
    up_to = None
    if "up_to" in data:
        up_to = _whole(file, "up_to", data["up_to"], minutes + 1, MAX_MINUTES)
    cadence = data["cadence"]
    if cadence not in CADENCES:
        raise CardError(file, f"{cadence!r} is not a rhythm; use one of: {', '.join(CADENCES)}", field="cadence")
    ritual = ""
    if "ritual" in data:
        try:
            ritual = parse_kind(data["ritual"])
        except ValidationError as exc:
            raise CardError(file, exc.message, field="ritual") from None
        known = DEFAULT_BY_KEY.get(ritual)
        if known is not None and known.cadence != cadence:
            raise CardError(file, f"{ritual} is a {known.cadence} ritual, but the card's cadence is {cadence}",
                            field="cadence")
    timer = tuple(
        TimerPhase(_text(file, "timer", t["label"], MAX_TITLE),
                   _whole(file, "timer", t["seconds"], MIN_SECONDS, MAX_SECONDS))
        for t in (_tables(file, "timer", data["timer"], ("label", "seconds")) if "timer" in data else ())
    )
    menu = tuple(
        MenuChoice(_text(file, "menu", m["mood"], MAX_TITLE), _texts(file, "menu", m["ideas"], 1, MAX_STEPS))
        for m in (_tables(file, "menu", data["menu"], ("mood", "ideas")) if "menu" in data else ())
    )
    return Card(
        name=name,
        title=_text(file, "title", data["title"], MAX_TITLE),
        group=group,
        purpose=_text(file, "purpose", data["purpose"]),
        minutes=minutes,
        up_to=up_to,
        cadence=cadence,
        ritual=ritual,
        dimensions=_choices(file, "dimensions", data["dimensions"], KEYS),
        situations=_choices(file, "situations", data["situations"], SITUATIONS),
        steps=_texts(file, "steps", data["steps"], 2, MAX_STEPS),
        timer=timer,
        menu=menu,
    )


# -- the deck --------------------------------------------------------------------------------------


def read_cards(folder: Traversable | Path, *, label: str | None = None) -> dict[str, Card]:
    """Every card in ``folder`` (its ``*.toml`` files), by name, in the order of :data:`GROUPS` then
    title. ``label`` is how the folder is named in errors (default: its path)."""
    where = label if label is not None else str(folder)
    cards: list[Card] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        file = f"{where}/{entry.name}"
        try:
            text = entry.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CardError(file, f"cannot be read ({exc})") from None
        card = parse_card(text, file)
        cards.append(card)
    if not cards:
        raise CardError(where, "holds no practice card (*.toml)")
    order = list(GROUPS)

    def place(card: Card) -> tuple[int, str]:
        title = card.title.casefold()
        return order.index(card.group), title.removeprefix("a ").removeprefix("the ")

    return {c.name: c for c in sorted(cards, key=place)}


@functools.cache
def all_cards() -> dict[str, Card]:
    """The practice cards the kit ships (``reflect/cards/*.toml``), by name, read once."""
    return read_cards(resources.files("reflect") / "cards", label="reflect/cards")


def _key(text: str) -> str:
    return "-".join(str(text).casefold().replace("\u2019", "'").split())


def by_name(typed: str, cards: Mapping[str, Card] | None = None) -> Card:
    """The card called ``typed``: its name (``story-swap``) or its title (``Story swap``), case and
    spacing aside. Raises :class:`UnknownCard` with the names that come close."""
    deck = all_cards() if cards is None else cards
    names = {}
    for card in deck.values():
        names[_key(card.name)] = card
        names[_key(card.title)] = card
    found = names.get(_key(typed))
    if found is not None:
        return found
    typed_key = _key(typed)
    near = [names[c].name for c in difflib.get_close_matches(typed_key, list(names), n=3, cutoff=0.6)]
    # a word typed that is (nearly) a word of a card's name or title is enough: "hugg" -> twenty-second-hug
    words = [w for w in typed_key.split("-") if len(w) >= 3]
    for card in deck.values():
        own = set(_key(card.name).split("-")) | set(_key(card.title).split("-"))
        if any(difflib.get_close_matches(w, list(own), n=1, cutoff=0.75) for w in words):
            near.append(card.name)
    raise UnknownCard(str(typed).strip(), list(dict.fromkeys(near))[:3])


def fitting(situation: str, cards: Mapping[str, Card] | None = None) -> list[Card]:
    """The cards tagged for ``situation`` (a name of :data:`SITUATIONS`, or a dimension key), by name."""
    deck = all_cards() if cards is None else cards
    return sorted((c for c in deck.values() if c.fits(situation)), key=lambda c: c.name)
