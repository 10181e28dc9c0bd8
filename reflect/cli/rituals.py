"""reflect ritual: the ritual log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from reflect.cli.common import (
    db_option,
    echo,
    echo_err,
    month_option,
    passphrase_file_option,
    sign_in,
    viewing,
)
from reflect.cli.shapes import echo_versions, export_command, import_command
from reflect.domain.dimensions import CADENCES
from reflect.system.paths import resolve_store_path


@click.group()
def ritual() -> None:
    """The ritual log: the small acts of the daily, weekly and monthly rhythm.

    \b
    The catalogue: appreciation, hug, check-in (daily); phone-free (weekly);
    special-evening, keepsake (monthly). Add your own with --cadence.
    """


@ritual.command("add")
@click.argument("kind")
@click.option("--person", "-p", default=None,
              help="Who did it, by name (any name: Both or Together too). Default: both of you, together.")
@click.option("--date", "-d", "date", default=None, metavar="YYYY-MM-DD", help="The day (default: today).")
@click.option("--note", default=None,
              help="A few words to remember it by (the ritual log is shared: both of you see them).")
@click.option("--cadence", "-c", type=click.Choice(CADENCES), default=None,
              help="For a kind of your own: its rhythm (this adds it to the catalogue).")
@click.option("--undo", is_flag=True, help="Take back a ritual logged by mistake (the history keeps it).")
@passphrase_file_option
@db_option
def ritual_add(kind: str, person: str | None, date: str | None, note: str | None, cadence: str | None,
               undo: bool, passphrase_file: str | None, db: str | None) -> None:
    """Log that a ritual happened (KIND: e.g. hug, phone-free, or a kind of your own)."""
    from reflect.domain.rituals import Ritual, person_word
    from reflect.storage.store import Store

    item = Ritual.create(day=date if date is not None else dt.date.today(), kind=kind, person=person, note=note,
                         done=not undo)
    with Store(resolve_store_path(db)) as store:
        if item.person:
            sign_in(store, item.person, passphrase_file)
        status = store.log_ritual(item, cadence=cadence, source="cli")
    who = person_word(item.person)
    what = f"{item.kind} on {item.day.isoformat()} ({who})"
    if status == "unchanged":
        echo(f"Nothing changed: {what} was already {'taken back' if undo else 'logged like this'}.")
    elif undo:
        echo(f"Took back {what}; the history keeps it.")
    else:
        echo(f"{'Logged' if status == 'added' else 'Updated'} {what}.")


@ritual.command("list")
@month_option("Only this month (YYYY-MM).")
@click.option("--person", "-p", default=None, help="Only this person's (a name, whatever it is).")
@click.option("--together", is_flag=True, help="Only the rituals you did together.")
@click.option("--kind", "-k", default=None, help="Only this kind.")
@db_option
def ritual_list(month: str | None, person: str | None, together: bool, kind: str | None, db: str | None) -> None:
    """List the logged rituals, oldest first, and how the month kept its rhythm."""
    from reflect.domain.rituals import person_word

    if together and person is not None:
        raise click.UsageError("use either --person or --together, not both")
    with viewing(db) as store:
        items = store.rituals(month=month, person="" if together else person, kind=kind)
        kinds = store.ritual_kinds()
    if not items:
        echo_err("No rituals logged" + (f" in {month}" if month else "") + ".")
        return
    for r in items:
        note = f"  {r.note}" if r.note else ""
        echo(f"{r.day.isoformat()}  {r.kind:<16} {person_word(r.person):<12}{note}".rstrip())
    if month is not None:
        from reflect.analytics import rhythm

        table = rhythm.rhythm_table(_ritual_frame(items, kinds), kinds, month, 1)
        parts = [f"{row.kind} {row.done} of {row.expected}" for row in table.itertuples()]
        click.echo(f"In {month}, against each ritual's rhythm: " + ", ".join(parts))


def _ritual_frame(items: list[Any], kinds: dict[str, Any]) -> Any:
    import pandas as pd

    df = pd.DataFrame([(r.day, r.person, r.kind, kinds[r.kind].cadence) for r in items],
                      columns=["day", "person", "kind", "cadence"])
    df["day"] = pd.to_datetime(df["day"])
    df.insert(1, "month", df["day"].dt.strftime("%Y-%m"))
    df.insert(2, "week", df["day"] - pd.to_timedelta(df["day"].dt.day_of_week, unit="D"))
    return df


@ritual.command("kinds")
@db_option
def ritual_kinds(db: str | None) -> None:
    """The catalogue of rituals: the rhythm's own and the ones you added."""
    with viewing(db) as store:
        kinds = store.ritual_kinds()
    for k in kinds.values():
        echo(f"{k.key:<16} {k.cadence:<8} {k.label}" + (f": {k.description}" if k.description else ""))


@ritual.command("history")
@click.argument("kind")
@click.option("--date", "-d", "date", required=True, metavar="YYYY-MM-DD", help="The day.")
@click.option("--person", "-p", default=None, help="Who (default: together).")
@db_option
def ritual_history(kind: str, date: str, person: str | None, db: str | None) -> None:
    """Every saved version of one logged ritual, oldest first."""
    from reflect.storage.store import Store

    with Store(resolve_store_path(db), create=False) as store:
        versions = store.ritual_history(person, date, kind)
    echo_versions(versions, f"no {kind} logged on {date}",
                  lambda r: f"  {'done' if r.done else 'taken back'}" + (f"  note: {r.note}" if r.note else ""))


@import_command(ritual)
def ritual_import(file: str, db: str | None, sign_in: Any) -> str:
    """Import rituals from CSV (date,person,kind,cadence,note): all of them, or none if any row is bad."""
    from reflect.storage.importing import import_rituals

    result, new_kinds = import_rituals(file, db, sign_in=sign_in)
    added = f" and {len(new_kinds)} new kind{'s' if len(new_kinds) != 1 else ''}" if new_kinds else ""
    return (f"Imported {result.total} rituals{added} from {file}: {result.added} new, {result.updated} updated, "
            f"{result.unchanged} unchanged.")


@export_command(ritual, "rituals")
def ritual_export(store: Any, cells: Any) -> str:
    """Write the logged rituals as CSV to FILE (or - for standard output).

    FILE is written readable by you only (0600); standard output redirected to a file by your
    shell is not.
    """
    from reflect.domain.rituals import to_csv

    return to_csv(store.rituals(), {k.key: k.cadence for k in store.ritual_kinds().values()}, cells=cells)
