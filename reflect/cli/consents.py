"""reflect consent: each person's yes / not now / no list."""

from __future__ import annotations

from typing import Any

import click

from reflect.cli.common import (
    NOTES,
    as_option,
    count_words,
    db_option,
    echo,
    echo_err,
    parse_name,
    sign_in,
    view_as,
    viewing,
)
from reflect.cli.shapes import export_command, import_command, saved_words
from reflect.system.paths import resolve_store_path


def _as_required(as_person: str | None) -> str:
    if as_person is None:
        raise click.UsageError("give --as NAME: a yes / not now / no list is shown only to its person")
    return parse_name(as_person)


@click.group()
def consent() -> None:
    """Your private yes / not now / no list (green, yellow, red: keep, adjust, pause).

    Each list is its person's alone (sealed with their passphrase). Your partner sees only what you
    both said yes to, and "not now" if you both choose to show it; never a no.
    """


@consent.command("items")
@db_option
def consent_items(db: str | None) -> None:
    """The items of the list: the gentle starting list, then the ones you added."""
    with viewing(db) as store:
        items = store.consent_items()
    for item in items:
        echo(item)


@consent.command("add-item")
@click.argument("item")
@db_option
def consent_add_item(item: str, db: str | None) -> None:
    """Add an item to the list of you both (your partner sees the item, never your answer)."""
    from reflect.domain.consent import close_items
    from reflect.storage.store import Store

    with Store(resolve_store_path(db)) as store:
        before = store.consent_items()
        name = store.add_consent_item(item, source="cli")
        added = len(store.consent_items()) > len(before)
    echo(f"Added \u201c{name}\u201d to your list." if added else f"\u201c{name}\u201d is on the list already.")
    close = close_items(name, before) if added else []
    if close:
        NOTES.append(f"Close to \u201c{close[0]}\u201d, which is on the list too.")


@consent.command("answer")
@click.argument("item")
@click.argument("answer", metavar="yes|not-now|no")
@click.option("--new-item", is_flag=True,
              help="ITEM is not on the list yet: add it to the list of you both (without this, an item not on "
                   "the list is refused, with the close one it may mean).")
@as_option
@db_option
def consent_answer(item: str, answer: str, new_item: bool, as_person: str | None, passphrase_file: str | None,
                   db: str | None) -> None:
    """Answer one item of your list: yes, not-now or no (green, yellow, red) as NAME (--as); answers
    can change any time. ITEM is as on the list (`reflect consent items`; case and spacing aside)."""
    from reflect.domain.consent import ConsentList
    from reflect.storage.store import Store

    name = _as_required(as_person)
    with Store(resolve_store_path(db)) as store:
        if store.person(name) is None:
            raise click.UsageError(f"there is no one called {name} in this store (add them with `reflect person add`)")
        sign_in(store, name, passphrase_file)
        store.save_consents([ConsentList.create(person=name, answers={item: answer})], source="cli", merge=True,
                            new_items=new_item)
    echo(f"Saved, {name}. Your list is yours; your partner sees only what you both said yes to.")


@consent.command("show-not-now")
@click.option("--hide", is_flag=True, help="Stop showing your \"not now\" to your partner.")
@as_option
@db_option
def consent_show_not_now(hide: bool, as_person: str | None, passphrase_file: str | None, db: str | None) -> None:
    """Show your "not now" answers to your partner (only if they choose to show theirs too)."""
    from dataclasses import replace

    from reflect.domain.consent import ConsentList
    from reflect.storage.store import Store

    name = _as_required(as_person)
    with Store(resolve_store_path(db), create=False) as store:
        view_as(store, name, passphrase_file)
        current = store.consent_list(name) or ConsentList(person=name)
        store.save_consent(replace(current, show_not_now=not hide), source="cli")
    echo(f"{name}, your \u201cnot now\u201d " + ("stays yours." if hide else
          "is shown to your partner once they choose to show theirs too."))


@consent.command("list")
@as_option
@db_option
def consent_list(as_person: str | None, passphrase_file: str | None, db: str | None) -> None:
    """Your own list (--as NAME): every item and your answer."""
    from reflect.domain.consent import SIGNALS, item_key

    name = _as_required(as_person)
    with viewing(db) as store:
        view_as(store, name, passphrase_file)
        mine = store.consent_list(name)
        items = store.consent_items()
    answers = {item_key(i): a for i, a in (mine.answers.items() if mine else [])}
    width = max(len(i) for i in items)
    for item in items:
        answer = answers.get(item_key(item))
        echo(f"{item:<{width}}  " + (f"{answer} ({SIGNALS[answer]})" if answer else "-"))
    if mine is not None:
        click.echo("\nYour \u201cnot now\u201d is " + ("shown to your partner if they show theirs too."
                                                       if mine.show_not_now else "yours alone."))


@consent.command("shared")
@as_option
@db_option
def consent_shared(as_person: str | None, passphrase_file: str | None, db: str | None) -> None:
    """What you and your partner both said yes to (--as NAME), and "not now" if you both show it."""
    from reflect.domain.consent import YES

    name = _as_required(as_person)
    with viewing(db) as store:
        view_as(store, name, passphrase_file)
        views = store.consent_shared(name)
    if not views:
        echo_err("There is no one else in this store yet.")
        return
    for view in views:
        if not view.known:
            echo(f"With {view.partner}: {view.why}")
            continue
        yes = [i for i, s in view.items if s == YES]
        later = [i for i, s in view.items if s != YES]
        echo(f"What you and {view.partner} both said yes to: " + ("; ".join(yes) if yes else "nothing yet") + ".")
        if later:
            echo("Not now, for now: " + "; ".join(later) + ".")


@consent.command("history")
@as_option
@db_option
def consent_history(as_person: str | None, passphrase_file: str | None, db: str | None) -> None:
    """Every version of your list (--as NAME), oldest first: yours alone."""
    name = _as_required(as_person)
    with viewing(db) as store:
        view_as(store, name, passphrase_file)
        versions = store.consent_history(name)
    if not versions:
        echo_err(f"No list yet, {name}.")
        return
    for i, (saved_at, source, lst) in enumerate(versions, 1):
        answers = "sealed under a reset passphrase" if lst is None else "; ".join(
            f"{item}: {a}" for item, a in lst.answers.items())
        echo(f"{saved_words(i, saved_at, source)}\n    {answers}")


@export_command(consent, "answers", options=[as_option], check=lambda as_person, **_: _as_required(as_person))
def consent_export(store: Any, cells: Any, as_person: str | None, passphrase_file: str | None) -> str:
    """Write your own list (--as NAME) as CSV to FILE (or - for standard output), owner-only."""
    from reflect.domain.consent import to_csv

    name = _as_required(as_person)
    view_as(store, name, passphrase_file)
    mine = store.consent_list(name)
    return to_csv([mine] if mine else [], cells=cells)


@import_command(consent)
def consent_import(file: str, db: str | None, sign_in: Any) -> str:
    """Import answers from CSV (person,item,answer), laid over each person's list: all or none.
    Each person in the file signs in."""
    from reflect.storage.importing import import_consent

    counts = import_consent(file, db, sign_in=sign_in)
    return (f"Imported the lists of {sum(counts)} {'person' if sum(counts) == 1 else 'people'} from {file}: "
            f"{count_words(*counts)}.")
