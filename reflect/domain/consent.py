"""Consent and pacing: a private yes / not now / no list per person, and what two lists share.

Each person answers, privately, a list of things a couple may want to do together: a gentle
starting list (:data:`STARTING_ITEMS`, not only about sex) and the items the couple added. The
guides' words: a clear "yes / no / not now" creates safety, and safety creates depth.

What a partner may ever see of a list is its **visible part** (:func:`visible_to_partner`): the
items answered *yes*, and the items answered *not now* when the person chose to show them. A *no*
is never part of it: to the partner, a *no* looks exactly like no answer at all. What both partners
see is the **shared view** (:func:`shared_view`), a function of the two visible parts only: the
items both said yes to, and, when both chose to show them, the items either said *not now* to.

The CSV format (the contract), UTF-8 with a header row::

    person,item,answer

``answer`` is ``yes``, ``not now`` or ``no``. An item the store does not know is added to the
couple's list (both partners see the items; never each other's answers).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from reflect.domain.checkin import parse_person
from reflect.domain.text import clean_words
from reflect.errors import ValidationError

if TYPE_CHECKING:
    from reflect.domain.csvio import FormulaCells

YES, NOT_NOW, NO = "yes", "not now", "no"
ANSWERS: tuple[str, ...] = (YES, NOT_NOW, NO)
#: The guides' comfort signal, for the same three answers.
SIGNALS = {YES: "green: keep", NOT_NOW: "yellow: adjust", NO: "red: pause"}
MAX_ITEM = 80

#: A gentle place to start; the couple adds their own.
STARTING_ITEMS: tuple[str, ...] = (
    "A weekend away, just the two of us",
    "Talking about money",
    "Talking about the future: home, family, work",
    "Hugs in public",
    "Holding hands in public",
    "A long massage",
    "Cooking something new together",
    "A phone-free evening every week",
    "An evening with friends, together",
    "Time on our own, each of us, every week",
    "Talking about our families",
    "A class or a course together",
    "Sleeping in late together at weekends",
    "Showering or bathing together",
    "Talking about what we like in bed",
    "Trying something new in bed",
)

COLUMNS: tuple[str, ...] = ("person", "item", "answer")
HEADER = ",".join(COLUMNS)


def parse_consent_answer(value: Any, *, field: str = "answer") -> str:
    """``yes``, ``not now`` or ``no`` (``not-now`` and any case accepted; green, yellow, red too)."""
    text = " ".join(str(value).replace("-", " ").replace("_", " ").split()).lower() if value is not None else ""
    text = {"green": YES, "yellow": NOT_NOW, "red": NO}.get(text, text)
    if text not in ANSWERS:
        raise ValidationError("this is not an answer; use yes, not now or no", field=field)
    return text


def parse_item(value: Any, *, field: str = "item") -> str:
    """An item of the list: a few words on one line."""
    words = clean_words(value, field=field, max_length=MAX_ITEM, what="a thing you may want to do together")
    assert words is not None
    return words


def item_key(item: str) -> str:
    """Items compared for sameness: case and spacing do not matter."""
    return " ".join(item.casefold().split())


#: How alike two items must be, by :class:`difflib.SequenceMatcher`'s ratio, to be a near miss.
CLOSE_RATIO = 0.8


def _words(item: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[\w'-]+", item_key(item)))


def _holds(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    """Whether the words ``shorter`` (four letters or more: not "a" or "in" alone) come, in order and
    together, within ``longer``."""
    n = len(shorter)
    if not 0 < n < len(longer) or len(" ".join(shorter)) < 4:
        return False
    return any(longer[i:i + n] == shorter for i in range(len(longer) - n + 1))


def close_items(item: str, items: Iterable[str]) -> list[str]:
    """The items of ``items`` that ``item`` (not one of them) may well have meant, closest first.

    An item whose words hold the words typed, or are held by them ("A weekend away" for "A weekend
    away, just the two of us"), then an item spelt nearly the same ("Hugs in pubic"): a
    :class:`difflib.SequenceMatcher` ratio of at least :data:`CLOSE_RATIO`, case and spacing aside.
    difflib (the standard library's, no dependency) is made for this: it compares short strings
    character by character, and its ratio is stable and explainable; the list is a few dozen items.
    """
    import difflib

    typed, words = item_key(item), _words(item)
    known = {item_key(i): i for i in items}
    if typed in known:
        return []
    held = [i for k, i in known.items() if _holds(_words(k), words) or _holds(words, _words(k))]
    alike = [known[k] for k in difflib.get_close_matches(typed, list(known), n=3, cutoff=CLOSE_RATIO)]
    return list(dict.fromkeys([*held, *alike]))


def not_on_the_list(item: str, items: Iterable[str]) -> ValidationError:
    """The error for answering an item that is not on the list (without asking for a new one):
    "did you mean ...?" when one is close, and how to add it as a new item."""
    close = close_items(item, items)
    new = f"to add \u201c{item}\u201d as a new item of you both, answer with --new-item (or use `reflect consent " \
          "add-item`)"
    if close:
        return ValidationError(f"\u201c{item}\u201d is not on the list: did you mean \u201c{close[0]}\u201d? "
                               f"Nothing was saved; {new}", field="item")
    return ValidationError(f"\u201c{item}\u201d is not on the list (see `reflect consent items`). Nothing was "
                           f"saved; {new}", field="item")


@dataclass(frozen=True)
class ConsentList:
    """One person's answers (item -> answer) and whether they show their "not now" to a partner."""

    person: str
    answers: Mapping[str, str] = field(default_factory=dict)
    show_not_now: bool = False

    @classmethod
    def create(cls, *, person: Any, answers: Mapping[Any, Any], show_not_now: bool = False) -> ConsentList:
        checked: dict[str, str] = {}
        for item, answer in answers.items():
            name = parse_item(item)
            if answer is None or (isinstance(answer, str) and not answer.strip()):
                continue  # no answer (yet)
            checked[name] = parse_consent_answer(answer)
        return cls(person=parse_person(person), answers=dict(sorted(checked.items())),
                   show_not_now=bool(show_not_now))

    def as_dict(self) -> dict[str, Any]:
        return {"answers": dict(self.answers), "show_not_now": self.show_not_now}

    @classmethod
    def from_dict(cls, person: str, data: Mapping[str, Any]) -> ConsentList:
        return cls(person=person, answers=dict(data.get("answers", {})), show_not_now=bool(data.get("show_not_now")))


@dataclass(frozen=True)
class Visible:
    """What a partner may see of a list: the yes items, the not-now items if shown, and whether the
    person shows them. Nothing here says no."""

    yes: frozenset[str] = frozenset()
    not_now: frozenset[str] = frozenset()
    show_not_now: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"yes": sorted(self.yes), "not_now": sorted(self.not_now), "show_not_now": self.show_not_now}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Visible:
        return cls(yes=frozenset(data.get("yes", ())), not_now=frozenset(data.get("not_now", ())),
                   show_not_now=bool(data.get("show_not_now")))


def visible_to_partner(answers: ConsentList) -> Visible:
    """The part of a list a partner may ever see (never a no)."""
    yes = frozenset(item_key(i) for i, a in answers.answers.items() if a == YES)
    not_now = frozenset(item_key(i) for i, a in answers.answers.items() if a == NOT_NOW) if answers.show_not_now \
        else frozenset()
    return Visible(yes=yes, not_now=not_now, show_not_now=answers.show_not_now)


def for_partner(visible: Visible, partner_shows_not_now: bool) -> Visible:
    """What of ``visible`` is left for a partner: the not-now items only once both chose to show
    them (``partner_shows_not_now`` is the partner's choice); the yes items and the choice itself always."""
    if visible.show_not_now and partner_shows_not_now:
        return visible
    return Visible(yes=visible.yes, not_now=frozenset(), show_not_now=visible.show_not_now)


def shared_view(a: Visible, b: Visible, items: Iterable[str]) -> list[tuple[str, str]]:
    """What two partners both see, over ``items`` in their order: ``(item, "yes")`` for what both
    said yes to, and, when both show their "not now", ``(item, "not now")`` for what either said not
    now to. The same for both of them, whoever computes it."""
    both_show = a.show_not_now and b.show_not_now
    out = []
    for item in items:
        key = item_key(item)
        if key in a.yes and key in b.yes:
            out.append((item, YES))
        elif both_show and (key in a.not_now or key in b.not_now):
            out.append((item, NOT_NOW))
    return out


# -- CSV --------------------------------------------------------------------------------------------


def parse_consent(text: str | Iterable[str], name: str = "<csv>") -> list[ConsentList]:
    """Parse and validate consent CSV (all or nothing): one list per person in the file.

    Raises :class:`~reflect.errors.ImportFileError` naming the file, line and column of every problem
    (the messages never repeat an answer).
    """
    from reflect.domain.csvio import csv_rows, raise_problems

    problems: list[ValidationError] = []
    lists: dict[str, dict[str, str]] = {}
    first_line: dict[tuple[str, str], int] = {}
    for line, row in csv_rows(text, name, COLUMNS, problems, export="reflect consent export"):
        where = f"{name}, line {line}"
        try:
            person = parse_person(row["person"])
            item = parse_item(row["item"])
            answer = parse_consent_answer(row["answer"])
        except ValidationError as exc:
            problems.append(exc.located(where))
            continue
        key = (person, item_key(item))
        if key in first_line:
            problems.append(ValidationError(f"the same person and item as line {first_line[key]}", field="item",
                                            where=where))
            continue
        first_line[key] = line
        lists.setdefault(person, {})[item] = answer
    raise_problems(name, problems)
    return [ConsentList.create(person=p, answers=a) for p, a in lists.items()]


def write_consent(lists: Iterable[ConsentList], out: IO[str], *, cells: FormulaCells | None = None) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for lst in sorted(lists, key=lambda x: x.person):
        for item, answer in sorted(lst.answers.items(), key=lambda kv: item_key(kv[0])):
            row = [lst.person, item, answer]
            writer.writerow(cells(row) if cells is not None else row)
            n += 1
    return n


def to_csv(lists: Iterable[ConsentList], *, cells: FormulaCells | None = None) -> str:
    buf = io.StringIO()
    write_consent(lists, buf, cells=cells)
    return buf.getvalue()
