"""reflect appreciation: one line for your partner, whenever you feel it; what you received and sent."""

from __future__ import annotations

import sys

import click

from reflect.cli.common import (
    NOTES,
    count_words,
    db_option,
    echo,
    echo_err,
    month_option,
    parse_name,
    passphrase_file_option,
    passphrases_for_option,
    refuse_to_overwrite,
    sign_in,
    sign_in_each,
    spreadsheet_option,
    write_output,
)
from reflect.system.paths import resolve_store_path


@click.group()
def appreciation() -> None:
    """Appreciations in words: one line for your partner ("what I appreciated about you").

    It is for your partner alone: sealed with your passphrase and with theirs. They are shown it the
    next time they sign in, once, as new; then it stays in their list.
    """


def _quoted(text: str | None, writer: str = "its writer") -> str:
    if text is not None:
        return f"\u201c{text}\u201d"
    return f"(sealed for now: it opens once you have a passphrase and {writer} has signed in since)"


@appreciation.command("add")
@click.argument("text", required=False)
@click.option("--person", "-p", required=True, help="Who writes it.")
@click.option("--date", "-d", "date", default=None, metavar="YYYY-MM-DD", help="The day (default: today).")
@passphrase_file_option
@db_option
def appreciation_add(text: str | None, person: str, date: str | None, passphrase_file: str | None,
                     db: str | None) -> None:
    """Write one line for your partner: TEXT, or asked for when left out. Writing one logs the day's
    appreciation ritual for you, unless it is logged already."""
    from reflect.domain.appreciations import Appreciation
    from reflect.storage.store import Store

    name = parse_name(person)
    if text is None and not sys.stdin.isatty():
        raise click.UsageError("give the appreciation as TEXT (standard input is not a terminal, so it cannot "
                               "be asked for)")
    if text is not None:
        Appreciation.create(person=name, text=text, day=date)  # checked before anything is opened or written
    with Store(resolve_store_path(db)) as store:
        if store.person(name) is None:
            NOTES.append(f"{name} has no passphrase: anyone using the kit can read what {name} writes. Choose one: "
                         f"reflect person passphrase {name}")
        else:
            sign_in(store, name, passphrase_file)
        if text is None:
            partner = store.partner_of(name)
            text = str(click.prompt(f"What did you appreciate about {partner or 'your partner'}?", err=True))
        status, saved, logged = store.appreciate(name, text, day=date, source="cli")
        protected = store.is_protected(name)
        partner_protected = saved.to is not None and store.is_protected(saved.to)
    if status == "unchanged":
        echo(f"Nothing changed: {name} already wrote this on {saved.day.isoformat()}.")
        return
    if saved.to is None:
        said = "Kept: your partner reads it once they have joined."
    elif protected and not partner_protected:
        said = f"Kept for {saved.to}, who reads it once they have chosen a passphrase."
    else:
        said = f"Sent: {saved.to} reads it when they next sign in."
    echo(said + (" The day's appreciation ritual is logged too." if logged else ""))


@appreciation.command("list")
@month_option("Only this month (YYYY-MM).")
@click.option("--as", "as_person", required=True, metavar="NAME", help="Whose appreciations (NAME signs in).")
@passphrase_file_option
@db_option
def appreciation_list(month: str | None, as_person: str, passphrase_file: str | None, db: str | None) -> None:
    """What you received and what you sent, newest first (for NAME alone, signed in). Those received
    since you last looked are marked new, and are not new again."""
    from reflect.storage.store import Store

    name = parse_name(as_person)
    with Store(resolve_store_path(db), create=False) as store:
        if store.person(name) is None:
            raise click.UsageError(f"there is no one called {name} in this store")
        sign_in(store, name, passphrase_file)
        items = store.appreciations(name, month=month)
        partner = store.partner_of(name)
        if any(a.new and a.text is not None for a in items):
            store.new_appreciations(name)  # shown now: not new again
    if not items:
        echo_err("No appreciations yet" + (f" in {month}" if month else "") + ".")
        return
    for title, group in ((f"From {partner or 'your partner'}", [a for a in items if a.person != name]),
                         ("From you", [a for a in items if a.person == name])):
        echo(title)
        if not group:
            echo("  none yet")
        for a in reversed(group):
            echo(f"  {a.day.isoformat()}  {_quoted(a.text, a.person)}"
                 + ("  (new)" if a.new and a.text is not None else ""))


@appreciation.command("export")
@click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@spreadsheet_option
@passphrases_for_option
@db_option
def appreciation_export(file: str, force: bool, safe: bool, passphrases_for: tuple[tuple[str, str], ...],
                        db: str | None) -> None:
    """Write appreciations as CSV (date,person,number,text) to FILE (or - for standard output), owner-only.

    Each writer's own are included only when they sign in (asked for, Enter leaves theirs out; or
    --passphrase-for); a person without a passphrase is included as their notes are.
    """
    from reflect.domain.appreciations import to_csv
    from reflect.domain.csvio import FormulaCells
    from reflect.storage.store import Store

    refuse_to_overwrite(file, force)
    cells = FormulaCells(neutralise=safe)
    with Store(resolve_store_path(db), create=False) as store:
        writers = sorted(store.appreciation_count())
        protected = [p for p in writers if store.is_protected(p)]
        left_out = sign_in_each(store, protected, passphrases_for, optional=True)
        mine = []
        for p in writers:
            if p in left_out:
                continue
            if not store.is_protected(p):
                store.sign_in(p)
            mine += [a for a in store.appreciations(p) if a.person == p and a.text is not None]
        text = to_csv(mine, cells=cells)
    if left_out:
        NOTES.append(f"Left out the appreciations of {', '.join(left_out)} (not signed in).")
    write_output(file, text, "appreciations", cells)


@appreciation.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@passphrases_for_option
@db_option
def appreciation_import(file: str, passphrases_for: tuple[tuple[str, str], ...], db: str | None) -> None:
    """Import appreciations from CSV (date,person,number,text): all or none; each writer signs in."""
    from reflect.storage.importing import import_appreciations

    counts = import_appreciations(file, db, sign_in=lambda store, people: sign_in_each(store, people,
                                                                                        passphrases_for))
    echo(f"Imported {sum(counts)} appreciation{'s' if sum(counts) != 1 else ''} from {file}: "
         f"{count_words(*counts)}.")
