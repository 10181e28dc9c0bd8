"""reflect practice: the practice cards (the guides' exercises to do together) and "we did it"."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from reflect.cli.common import db_option, echo, passphrase_file_option, sign_in
from reflect.system.paths import resolve_store_path

if TYPE_CHECKING:
    from reflect.domain.cards import Card


@click.group()
def practice() -> None:
    """Practice cards: short exercises to do together, with their steps and timers.

    \b
    reflect practice list             the cards, by when they help
    reflect practice show NAME        one card: what it is for, its steps, its timer
    reflect practice done NAME        we did it: logged as a ritual of the two of you
    """


def _card(name: str) -> Card:
    """The card called ``name``; an unknown name is an error that names the close ones."""
    from reflect.domain.cards import by_name

    return by_name(name)


@practice.command("list")
@click.option("--for", "situation", default=None, metavar="SITUATION",
              help="Only the cards that fit a situation (e.g. rupture, new-baby, long-distance) or a dimension.")
def practice_list(situation: str | None) -> None:
    """The practice cards: name, how long, and what each is for."""
    from reflect.analytics.cards import situation_name
    from reflect.domain.cards import GROUPS, all_cards
    from reflect.errors import ValidationError

    cards = list(all_cards().values())
    if situation is not None:
        try:
            wanted = situation_name(situation)
        except ValidationError as exc:
            raise click.BadParameter(exc.message, param_hint="'--for'") from None
        cards = [c for c in cards if c.fits(wanted)]
    for group, heading in GROUPS.items():
        mine = [c for c in cards if c.group == group]
        if not mine:
            continue
        echo(f"{heading}:")
        for c in mine:
            echo(f"  {c.name:<24} {c.title} ({c.time_words.lower()}, {c.cadence}): {c.purpose}")


@practice.command("show")
@click.argument("name")
def practice_show(name: str) -> None:
    """One practice card: what it is for, how long, its steps and its timer (NAME: e.g. story-swap)."""
    card = _card(name)
    echo(card.title)
    echo(card.purpose)
    echo(f"{card.time_words}; {card.cadence} if you like.")
    echo("")
    for i, step in enumerate(card.steps, 1):
        echo(f"{i}. {step}")
    for choice in card.menu:
        echo(f"   {choice.mood}: " + " / ".join(choice.ideas))
    if card.timer:
        echo("")
        echo("Timer: " + ", then ".join(f"{p.label.lower()}, {p.seconds // 60}:{p.seconds % 60:02d}"
                                        for p in card.timer)
             + " (in the form, the card starts and pauses it).")
    echo("")
    echo(f"Done it together? reflect practice done {card.name}")


@practice.command("done")
@click.argument("name")
@click.option("--date", "-d", "date", default=None, metavar="YYYY-MM-DD", help="The day (default: today).")
@click.option("--note", default=None,
              help="A few words to remember it by (the ritual log is shared: both of you see them).")
@click.option("--as", "--person", "-p", "as_person", default=None, metavar="NAME",
              help="Who is logging it: signs NAME in (their passphrase is asked for). It is logged for the two "
                   "of you either way.")
@passphrase_file_option
@db_option
def practice_done(name: str, date: str | None, note: str | None, as_person: str | None,
                  passphrase_file: str | None, db: str | None) -> None:
    """We did it: log practice NAME as a ritual the two of you did together (NAME: e.g. story-swap)."""
    from reflect.cli.common import parse_name
    from reflect.domain.checkin import parse_date
    from reflect.storage.cards import log_practice, times_done
    from reflect.storage.store import Store

    card = _card(name)
    day = dt.date.today() if date is None else parse_date(date)
    with Store(resolve_store_path(db)) as store:
        if as_person is not None:
            sign_in(store, parse_name(as_person), passphrase_file)
        status = log_practice(store, card, day=day, note=note, source="cli")
        count = len(times_done(store, card))
    what = f"{card.title} on {day.isoformat()} (together, as the ritual {card.ritual_kind}, {card.cadence})"
    if status == "unchanged":
        echo(f"Nothing changed: {what} was already logged like this.")
    else:
        echo(f"{'Logged' if status == 'added' else 'Updated'} {what}. "
             f"Done together {count} time{'s' if count != 1 else ''} so far.")
