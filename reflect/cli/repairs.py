"""reflect repair: the repair log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from reflect.cli.common import (
    NOTES,
    as_option,
    count_words,
    db_option,
    echo,
    echo_err,
    month_option,
    parse_name,
    passphrase_file_option,
    passphrases_for_option,
    sign_in,
    sign_in_each,
    view_as,
    viewing,
)
from reflect.cli.shapes import echo_versions, export_command, import_command
from reflect.system.paths import resolve_store_path


@click.group()
def repair() -> None:
    """The repair log: after a rupture, own it, offer (listening, space or a hug), align on one small change.

    Each repair's words are its writer's: sealed with their passphrase, shown to the partner only if
    shared. Reports count repairs and say how soon they came, never what they say.
    """


@repair.command("add")
@click.option("--person", "-p", required=True, help="Who writes it.")
@click.option("--topic", "-t", required=True, help="What it was about, in a few words.")
@click.option("--date", "-d", "date", default=None, metavar="YYYY-MM-DD",
              help="The day of the repair (default: today).")
@click.option("--happened", default=None, metavar="YYYY-MM-DD", help="The day of the rupture (default: the same day).")
@click.option("--own", default=None, help="Own it: what I am sorry for.")
@click.option("--offer", default=None, help="Offer: listening, some space, a hug...")
@click.option("--align", default=None, help="Align: one small change.")
@click.option("--shared/--private", default=False, show_default=True,
              help="Share it with your partner, or keep it yours.")
@click.option("--number", "-n", default=None, metavar="N",
              help="Change your repair N of that day instead of adding one.")
@passphrase_file_option
@db_option
def repair_add(person: str, topic: str, date: str | None, happened: str | None, own: str | None, offer: str | None,
               align: str | None, shared: bool, number: str | None, passphrase_file: str | None,
               db: str | None) -> None:
    """Note a repair (the person signs in if they have a passphrase). The same words noted again for
    the same day (case and spacing aside) change nothing."""
    from reflect.domain.repairs import Repair
    from reflect.storage.store import Store

    name = parse_name(person)
    day = date if date is not None else dt.date.today().isoformat()
    item = Repair.create(person=name, day=day, number=number if number is not None else 1, happened=happened,
                         topic=topic, own=own, offer=offer, align=align, shared=shared)
    with Store(resolve_store_path(db)) as store:
        if store.person(name) is None:
            NOTES.append(f"{name} has no passphrase: anyone using the kit can read {name}'s repairs. Choose one: "
                          f"reflect person passphrase {name}")
        else:
            sign_in(store, name, passphrase_file)
        if number is not None:
            status = store.save_repair(item, source="cli")
        else:  # a new one, unless the same words were noted that day
            status, item = store.add_repair(item, source="cli")
    what = f"{name}'s repair {item.number} of {item.day.isoformat()} ({'shared' if item.shared else 'private'})"
    echo({"added": f"Saved {what}. Repairing is a strength.", "updated": f"Updated {what}; the earlier version "
           "is kept in its history.", "unchanged": f"Nothing changed: {what} already says this."}[status])


@repair.command("list")
@month_option("Only this month (YYYY-MM).")
@as_option
@db_option
def repair_list(month: str | None, as_person: str | None, passphrase_file: str | None, db: str | None) -> None:
    """The repairs, oldest first: when, and how soon. With --as NAME, NAME's own words, and the
    partner's shared ones; never a partner's private words."""

    with viewing(db) as store:
        view_as(store, as_person, passphrase_file)
        items = store.repairs(parse_name(as_person) if as_person else None, month=month)
    if not items:
        echo_err("No repairs noted" + (f" in {month}" if month else "") + ".")
        return
    for r in items:
        days = r.days_to_repair
        soon = "the same day" if days == 0 else f"{days} day{'s' if days != 1 else ''} after"
        head = f"{r.day.isoformat()}  {r.person}  {r.number}  ({soon}{', shared' if r.shared else ''})"
        if r.body is None:
            echo(head + ("" if as_person is None else "  (private to its writer)"))
            continue
        lines = [head, f"    topic: {r.body.topic}"]
        lines += [f"    {step}: {text}" for step, text in (("own", r.body.own), ("offer", r.body.offer),
                                                            ("align", r.body.align)) if text]
        echo("\n".join(lines))
    if as_person is None:
        NOTES.append("Only when, and how soon: each writer reads their own words with --as NAME.")


@repair.command("topics")
@as_option
@db_option
def repair_topics(as_person: str | None, passphrase_file: str | None, db: str | None) -> None:
    """How often each topic came up in your own repairs (--as NAME): for you alone."""
    if as_person is None:
        raise click.UsageError("give --as NAME: topics are counted for their writer alone")
    with viewing(db) as store:
        view_as(store, as_person, passphrase_file)
        topics = store.repair_topics(parse_name(as_person))
    if not topics:
        echo_err("No repairs of yours yet.")
        return
    for topic, n in topics:
        echo(f"{n:>3}  {topic}" + ("  (comes back: worth a quiet talk)" if n >= 3 else ""))


@repair.command("drop")
@click.option("--person", "-p", required=True)
@click.option("--date", "-d", "date", required=True, metavar="YYYY-MM-DD")
@click.option("--number", "-n", default="1", show_default=True, metavar="N")
@passphrase_file_option
@db_option
def repair_drop(person: str, date: str, number: str, passphrase_file: str | None, db: str | None) -> None:
    """Take back a repair noted by mistake (its history keeps it)."""
    from dataclasses import replace

    from reflect.domain.agreements import parse_number
    from reflect.domain.checkin import parse_date
    from reflect.errors import NoData
    from reflect.storage.store import Store

    name, day, n = parse_name(person), parse_date(date), parse_number(number)
    with Store(resolve_store_path(db), create=False) as store:
        if store.person(name) is not None:
            sign_in(store, name, passphrase_file)
        current = [r for r in store.repairs(name, person=name) if r.day == day and r.number == n]
        if not current:
            raise NoData(f"{name} noted no repair {n} on {day.isoformat()}")
        store.save_repair(replace(current[0], active=False), source="cli")
    echo(f"Took back {name}'s repair {n} of {day.isoformat()}; its history keeps it.")


@repair.command("history")
@click.option("--person", "-p", required=True)
@click.option("--date", "-d", "date", required=True, metavar="YYYY-MM-DD")
@click.option("--number", "-n", default="1", show_default=True, metavar="N")
@passphrase_file_option
@db_option
def repair_history(person: str, date: str, number: str, passphrase_file: str | None, db: str | None) -> None:
    """Every version of one of your repairs, oldest first (its writer signs in)."""
    from reflect.storage.store import Store

    name = parse_name(person)
    with Store(resolve_store_path(db), create=False) as store:
        if store.person(name) is not None:
            sign_in(store, name, passphrase_file)
        versions = store.repair_history(name, date, number)
    echo_versions(versions, f"{name} noted no repair {number} on {date}", _version_words)


def _version_words(r: Any) -> str:
    state = ("shared" if r.shared else "private") + ("" if r.active else ", taken back")
    topic = r.body.topic if r.body is not None else "(sealed under a reset passphrase)"
    return f"  {state}\n    topic: {topic}"


@export_command(repair, "repairs", options=[passphrases_for_option])
def repair_export(store: Any, cells: Any, passphrases_for: tuple[tuple[str, str], ...]) -> str:
    """Write your repairs as CSV to FILE (or - for standard output), owner-only.

    Each person's repairs are included only when they sign in (asked for, Enter leaves theirs out;
    or --passphrase-for); a person without a passphrase is included as their notes are.
    """
    from reflect.domain.repairs import to_csv

    writers = sorted({r.person for r in store.repairs()})
    protected = [p for p in writers if store.is_protected(p)]
    left_out = sign_in_each(store, protected, passphrases_for, optional=True)
    mine = [r for p in writers if p not in left_out for r in store.repairs(p, person=p) if r.body is not None]
    if left_out:
        NOTES.append(f"Left out the repairs of {', '.join(left_out)} (not signed in).")
    return to_csv(mine, cells=cells)


@import_command(repair)
def repair_import(file: str, db: str | None, sign_in: Any) -> str:
    """Import repairs from CSV (date,person,number,happened,topic,own,offer,align,shared): all or none."""
    from reflect.storage.importing import import_repairs

    counts = import_repairs(file, db, sign_in=sign_in)
    return f"Imported {sum(counts)} repairs from {file}: {count_words(*counts)}."
