"""reflect event: life events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from reflect.cli.common import (
    count_words,
    db_option,
    echo,
    echo_err,
    viewing,
)
from reflect.cli.shapes import echo_versions, export_command, import_command
from reflect.system.paths import resolve_store_path


@click.group()
def event() -> None:
    """Life events (a move, a birth, a new job, an illness, a loss): a date and a few words.

    The trend charts show them, and the report's words take them into account.
    """


@event.command("add")
@click.argument("words")
@click.option("--date", "-d", "date", default=None, metavar="YYYY-MM-DD", help="When (default: today).")
@click.option("--kind", "-k", default="other", show_default=True,
              type=click.Choice(["birth", "move", "new-job", "illness", "loss", "other"]))
@db_option
def event_add(words: str, date: str | None, kind: str, db: str | None) -> None:
    """Mark a life event (marking the same kind on the same day again changes its words)."""
    from reflect.domain.lifeevents import LifeEvent
    from reflect.storage.store import Store

    item = LifeEvent.create(day=date if date is not None else dt.date.today(), kind=kind, words=words)
    with Store(resolve_store_path(db)) as store:
        status = store.mark_event(item, source="cli")
    what = f"{item.kind} on {item.day.isoformat()}"
    echo({"added": f"Marked {what}: {item.words}", "updated": f"Updated {what} (the earlier words are kept).",
           "unchanged": f"Nothing changed: {what} already says this."}[status])


@event.command("drop")
@click.option("--date", "-d", "date", required=True, metavar="YYYY-MM-DD")
@click.option("--kind", "-k", default="other", show_default=True)
@db_option
def event_drop(date: str, kind: str, db: str | None) -> None:
    """Take back a life event marked by mistake (its history keeps it)."""
    from dataclasses import replace

    from reflect.errors import NoData
    from reflect.storage.store import Store

    with Store(resolve_store_path(db), create=False) as store:
        current = store.life_event(date, kind)
        if current is None or not current.active:
            raise NoData(f"no {kind} marked on {date}")
        store.mark_event(replace(current, active=False), source="cli")
    echo(f"Took back the {current.kind} of {current.day.isoformat()}; its history keeps it.")


@event.command("list")
@db_option
def event_list(db: str | None) -> None:
    """The life events, oldest first."""
    with viewing(db) as store:
        items = store.life_events()
    if not items:
        echo_err("No life events marked.")
        return
    for e in items:
        echo(f"{e.day.isoformat()}  {e.kind:<8} {e.words}")


@event.command("history")
@click.option("--date", "-d", "date", required=True, metavar="YYYY-MM-DD")
@click.option("--kind", "-k", default="other", show_default=True)
@db_option
def event_history(date: str, kind: str, db: str | None) -> None:
    """Every version of one life event, oldest first."""
    from reflect.storage.store import Store

    with Store(resolve_store_path(db), create=False) as store:
        versions = store.event_history(date, kind)
    echo_versions(versions, f"no {kind} marked on {date}",
                  lambda e: f"{'' if e.active else '  (taken back)'}\n    {e.words}")


@export_command(event, "life events")
def event_export(store: Any, cells: Any) -> str:
    """Write the life events as CSV to FILE (or - for standard output), owner-only."""
    from reflect.domain.lifeevents import to_csv

    return to_csv(store.life_events(), cells=cells)


@import_command(event, signs_in=False)
def event_import(file: str, db: str | None, sign_in: None) -> str:
    """Import life events from CSV (date,kind,words): all or none."""
    from reflect.storage.importing import import_events

    counts = import_events(file, db)
    return f"Imported {sum(counts)} life events from {file}: {count_words(*counts)}."
