"""reflect person: the people of a store, and their passphrases."""

from __future__ import annotations

import sys

import click

from reflect.cli.common import (
    ask_passphrase,
    db_option,
    echo,
    echo_err,
    parse_name,
    passphrase_file_option,
    sign_in,
)
from reflect.system.paths import resolve_store_path


@click.group()
def person() -> None:
    """The people of a store, and their passphrases.

    A person with a passphrase is the only one who can see and change their check-ins before their
    partner has answered, and the only one who can read their notes (unless they share them).
    """


def _new_passphrase(passphrase_file: str | None, name: str) -> str:
    from reflect.storage.keys import check_new_passphrase, read_passphrase_file

    if passphrase_file is not None:
        return check_new_passphrase(read_passphrase_file(passphrase_file))
    if not sys.stdin.isatty():
        raise click.UsageError("standard input is not a terminal: give the new passphrase with --passphrase-file")
    while True:
        first = ask_passphrase(f"Choose a passphrase for {name} (a few words; hidden)")
        try:
            check_new_passphrase(first)
        except Exception as exc:  # a ValidationError: say it and ask again
            echo_err(f"reflect: {exc}")
            continue
        if ask_passphrase("Type it again") == first:
            return first
        echo_err("reflect: the two passphrases are not the same; once more")


@person.command("add")
@click.argument("name")
@click.option("--no-passphrase", is_flag=True,
              help="Have no passphrase: anyone using the kit can act as NAME and read NAME's notes.")
@passphrase_file_option
@db_option
def person_add(name: str, no_passphrase: bool, passphrase_file: str | None, db: str | None) -> None:
    """Add NAME to the store, with a passphrase (asked for twice, hidden) or explicitly none."""
    from reflect.storage.store import Store

    name = parse_name(name)
    with Store(resolve_store_path(db)) as store:
        chosen = None if no_passphrase else _new_passphrase(passphrase_file, name)
        store.add_person(name, chosen)
    if chosen is None:
        click.echo(f"Added {name}, with no passphrase: anyone using the kit can see and change {name}'s "
                   "answers and read their notes. Choose one any time: reflect person passphrase " + name)
    else:
        click.echo(f"Added {name}. Keep the passphrase safe: forgotten, {name}'s notes cannot be recovered "
                   "(the scores stay).")


@person.command("passphrase")
@click.argument("name")
@click.option("--reset", is_flag=True,
              help="A new passphrase without the old one (forgotten): NAME's earlier notes stay sealed for ever.")
@click.option("--old-passphrase-file", default=None, metavar="FILE",
              help="For scripts: the current passphrase, from FILE's first line.")
@click.option("--as", "as_person", default=None, metavar="NAME",
              help="With --reset: who is doing it, signed in (the record says so; without it, 'nobody signed in').")
@click.option("--as-passphrase-file", default=None, metavar="FILE",
              help="For scripts: the passphrase of the person given with --as, from FILE's first line.")
@passphrase_file_option
@db_option
def person_passphrase(name: str, reset: bool, old_passphrase_file: str | None, as_person: str | None,
                      as_passphrase_file: str | None, passphrase_file: str | None, db: str | None) -> None:
    """Choose a passphrase for NAME, change it, or reset a forgotten one (--reset).

    A reset opens nothing saved before it: NAME's answers saved before stay sealed (and cannot be
    changed) until their period is over, and NAME's notes written before stay sealed for ever. It is
    recorded with who was signed in (--as), and NAME is told at their next sign-in."""
    from reflect.storage.store import Store

    name = parse_name(name)
    with Store(resolve_store_path(db), create=False) as store:
        known = store.person(name)
        if known is None:
            raise click.UsageError(f"there is no one called {name} in this store (add them with `reflect person add`)")
        if reset:
            if as_person is not None:
                if parse_name(as_person) == name:
                    raise click.UsageError(f"--as names who resets {name}'s passphrase: someone other than {name}")
                sign_in(store, parse_name(as_person), as_passphrase_file)
            if passphrase_file is None and sys.stdin.isatty():
                click.confirm(f"Reset {name}'s passphrase? {name}'s notes written until now can never be read "
                              "again (they stay, sealed), and answers saved for a period not over stay sealed until "
                              "it is; both partners will see that it was reset, and by whom.",
                              abort=True, err=True)
            store.reset_passphrase(name, _new_passphrase(passphrase_file, name))
            click.echo(f"Reset {name}'s passphrase. What was saved before stays sealed; the reset is recorded, "
                       f"and {name} is told at their next sign-in.")
        elif known.protected:
            sign_in(store, name, old_passphrase_file)
            store.set_passphrase(name, _new_passphrase(passphrase_file, name))
            click.echo(f"Changed {name}'s passphrase; every note stays readable.")
        else:
            store.set_passphrase(name, _new_passphrase(passphrase_file, name))
            click.echo(f"{name} now has a passphrase; {name}'s earlier notes are sealed with it. Copies made "
                       "before now (backups, exports) still hold them as they were.")


@person.command("rename")
@click.argument("old")
@click.argument("new")
@db_option
def person_rename(old: str, new: str, db: str | None) -> None:
    """Give OLD (a name without a passphrase) the name NEW, with everything saved under it."""
    from reflect.storage.store import Store

    with Store(resolve_store_path(db), create=False) as store:
        store.rename_person(old, new)
    echo(f"{parse_name(old)} is now called {parse_name(new)}; everything saved is kept.")


@person.command("merge")
@click.argument("typo")
@click.argument("into_word", metavar="INTO")
@click.argument("name")
@passphrase_file_option
@db_option
def person_merge(typo: str, into_word: str, name: str, passphrase_file: str | None, db: str | None) -> None:
    """Move everything saved under TYPO (a mistyped name without a passphrase) to NAME, and remove
    TYPO: `reflect person merge robin INTO Robin`. NAME's passphrase is needed when NAME has one.
    Every version is kept; where both saved the same check-in, the one saved last is current."""
    from reflect.storage.store import Store

    if into_word.lower() != "into":
        raise click.UsageError("write it as: reflect person merge TYPO INTO NAME")
    typo, name = parse_name(typo), parse_name(name)
    with Store(resolve_store_path(db), create=False) as store:
        if store.person(name) is not None:
            sign_in(store, name, passphrase_file)
        moved, both = store.merge_person(typo, name)
    echo(f"Merged {typo} into {name}: {moved} record{'s' if moved != 1 else ''} moved"
          + (f", {both} saved by both (the later one is current, the other stays in the history)" if both else "")
          + f"; {typo} is no longer in the store.")


@person.command("remove")
@click.argument("name")
@passphrase_file_option
@db_option
def person_remove(name: str, passphrase_file: str | None, db: str | None) -> None:
    """Remove NAME, a name with nothing saved (made by mistake)."""
    from reflect.storage.store import Store

    name = parse_name(name)
    with Store(resolve_store_path(db), create=False) as store:
        if store.is_protected(name):
            sign_in(store, name, passphrase_file)
        store.remove_person(name)
    echo(f"Removed {name}; nothing was saved under that name.")


@person.command("list")
@db_option
def person_list(db: str | None) -> None:
    """Everyone in the store, whether they have a passphrase, and what happened to passphrases."""
    from reflect.storage.store import EVENT_WORDS, Store

    with Store(resolve_store_path(db), create=False) as store:
        people = store.persons()
        events = store.people_events()
    if not people:
        echo_err("No one yet.")
        return
    for p in people:
        state = ("passphrase" if p.protected else
                 "no passphrase (chosen)" if p.chose_no_passphrase else "no passphrase yet")
        click.echo(f"{p.name:<20} {state}")
    if events:
        click.echo("")
        for e in events:
            by = f" (while {e.by} was signed in)" if e.by and e.event == "passphrase-reset" else ""
            echo(f"{e.at[:16].replace('T', ' ')} UTC  {e.person} {EVENT_WORDS.get(e.event, e.event)}{by}")


