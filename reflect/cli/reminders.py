"""reflect remind: the rhythm as a calendar file."""

from __future__ import annotations

import datetime as dt

import click

from reflect.cli.common import (
    db_option,
    echo,
)
from reflect.system.paths import resolve_store_path

#: Each kind of reminder in the words the user knows: the event's name, and the option that sets it.
REMINDER_WORDS = {"reflection": "our monthly reflection", "daily": "a moment for us (--daily)",
                  "weekly": "our phone-free hour (--weekly)", "special": "our special evening (--special)"}


@click.command()
@click.option("--day", default="last-sunday", show_default=True, metavar="DAY",
              help="The monthly reflection's day: first|second|third|fourth|last-WEEKDAY (last-sunday, "
                   "first-saturday), or a date of the month from 1 to 28.")
@click.option("--time", "at", default="20:00", show_default=True, metavar="HH:MM",
              help="The monthly reflection's time (24-hour clock).")
@click.option("--daily", default=None, metavar="HH:MM",
              help="A daily moment: one appreciation, a long hug, a one-minute check-in.")
@click.option("--weekly", default=None, metavar="'WEEKDAY HH:MM'",
              help="A weekly phone-free hour, e.g. 'sunday 19:00'.")
@click.option("--special", default=None, metavar="'DAY HH:MM'",
              help="A monthly special evening, e.g. 'first-saturday 19:30' (DAY as for --day).")
@click.option("--address", default=None, metavar="URL",
              help="The app's address to put in each event (the token is left out; one with a space, a "
                   "control character or a user name or password is refused).")
@click.option("--out", default=None, type=click.Path(dir_okay=False),
              help="Where to write the calendar (default: beside the store, e.g. data/reflect-reminders.ics).")
@db_option
def remind(day: str, at: str, daily: str | None, weekly: str | None, special: str | None, address: str | None,
           out: str | None, db: str | None) -> None:
    """Write your rhythm as a calendar file (.ics) to import into any phone or desktop calendar.

    The monthly reflection on the day you choose, and, if you like, the 3x3 rhythm: a daily moment,
    a weekly phone-free hour, a monthly special evening. Run it again to change them: the same
    events are updated, not doubled (their UIDs are read back from the file, and SEQUENCE only goes
    up). The form and the report then mention your next reflection. --db must be a Reflect store.
    """
    from reflect.domain.reminders import Schedule, next_occurrence, next_reflection_words
    from reflect.errors import ValidationError
    from reflect.storage.reminders import default_path, write_reminders

    try:
        schedule = Schedule.create(day=day, time=at, daily=daily, weekly=weekly, special=special, address=address)
    except ValidationError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{exc.field}") from None
    store = resolve_store_path(db)
    written = write_reminders(schedule, store, out=out)
    now = dt.datetime.now()
    verb = "Updated" if written.updated else "Wrote"
    echo(f"{verb} {written.path}: {', '.join(r.summary.lower() for r in schedule.reminders())}.")
    if written.cancelled:
        words = ", ".join(REMINDER_WORDS.get(kind, kind) for kind in written.cancelled)
        echo(f"Taken off the calendar: {words} (left in the file as cancelled).")
    echo(next_reflection_words(next_occurrence(schedule.reminders()[0], after=now), today=now.date()) + ".")
    echo("Import the file into your calendar (open it on your phone, or use your calendar's Import); "
          "after a change, run this again and import it again: the same events are updated.")
    if out is not None and written.path.resolve() != default_path(store).resolve():
        echo(f"The form and the report look for reminders beside the store ({default_path(store)}), "
              "so they will not mention this file.")


