"""reflect agreement: one small thing to try, and "did we?"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from reflect.analytics.phrases import month_words
from reflect.cli.common import (
    count_words,
    db_option,
    echo,
    echo_err,
    month_option,
    parse_name,
    passphrase_file_option,
    sign_in,
    viewing,
)
from reflect.cli.shapes import echo_versions, export_command, import_command
from reflect.domain.dimensions import KEYS
from reflect.system.paths import resolve_store_path


@click.group()
def agreement() -> None:
    """One small thing you'll try next month, and, the month after, "did we?".

    \b
    reflect agreement add "A walk after dinner on Sundays"    for next month
    reflect agreement did-we yes --person Robin                about last month's
    reflect agreement list
    """


@agreement.command("add")
@click.argument("text")
@month_option("The month it is for (YYYY-MM; default: next month). This month or the next.")
@click.option("--number", "-n", default=None, metavar="N",
              help="Change agreement N of that month instead of adding one.")
@click.option("--dimension", default=None, type=click.Choice(KEYS), help="Tie it to a dimension.")
@click.option("--ritual", default=None, metavar="KIND", help="Tie it to a ritual (e.g. phone-free).")
@db_option
def agreement_add(text: str, month: str | None, number: str | None, dimension: str | None, ritual: str | None,
                  db: str | None) -> None:
    """Write one small thing the two of you will try (it belongs to you both). The same words again
    for the same month (case and spacing aside) change nothing."""
    from reflect.domain.agreements import Agreement, latest_month
    from reflect.storage.store import Store

    chosen = month if month is not None else latest_month()
    item = Agreement.create(month=chosen, number=number if number is not None else 1, text=text,
                            dimension=dimension, ritual=ritual)
    with Store(resolve_store_path(db)) as store:
        if number is not None:
            status = store.save_agreement(item, source="cli")
        else:  # a new one, unless the month already says the same
            status, item = store.add_agreement(item, source="cli")
    what = f"agreement {item.number} for {month_words(item.month)}"
    echo({"added": f"Saved {what}: {item.text}", "updated": f"Updated {what} (the earlier words are kept in "
           "its history).", "unchanged": f"Nothing changed: {what} already says this."}[status])



@agreement.command("drop")
@month_option("The month of the agreement (YYYY-MM).")
@click.option("--number", "-n", default="1", show_default=True, metavar="N", help="Which agreement of the month.")
@db_option
def agreement_drop(month: str | None, number: str, db: str | None) -> None:
    """Take back an agreement written by mistake (its history keeps it)."""
    from dataclasses import replace

    from reflect.domain.agreements import parse_number
    from reflect.errors import NoData
    from reflect.storage.store import Store

    if month is None:
        raise click.UsageError("give the agreement's --month")
    chosen, n = month, parse_number(number)
    with Store(resolve_store_path(db), create=False) as store:
        current = [a for a in store.agreements(month=chosen) if a.number == n]
        if not current:
            raise NoData(f"there is no agreement {n} for {chosen}")
        store.save_agreement(replace(current[0], active=False), source="cli")
    echo(f"Took back agreement {n} for {month_words(chosen)}; its history keeps it.")


@agreement.command("did-we")
@click.argument("answer", metavar="yes|partly|not-yet")
@click.option("--person", "-p", required=True, help="Whose answer this is.")
@month_option("The month of the agreement (YYYY-MM; default: the latest month with one that is over).")
@click.option("--number", "-n", default="1", show_default=True, metavar="N", help="Which agreement of the month.")
@passphrase_file_option
@db_option
def agreement_did_we(answer: str, person: str, month: str | None, number: str, passphrase_file: str | None,
                     db: str | None) -> None:
    """Answer "did we?" for an agreement: yes, partly or not yet."""
    from reflect.domain.agreements import AgreementAnswer
    from reflect.domain.months import month_of
    from reflect.errors import NoData
    from reflect.storage.store import Store

    name = parse_name(person)
    with Store(resolve_store_path(db), create=False) as store:
        if month is None:  # the latest month that is over (else this one): "did we?" looks back
            this = month_of(dt.date.today())
            begun = [a.month for a in store.agreements() if a.month <= this]
            coming = sorted(a.month for a in store.agreements() if a.month > this)
            if not begun and coming:
                raise NoData(f"your agreement is for {month_words(coming[0])}: answer \"did we?\" once that month "
                             "is under way")
            if not begun:
                raise NoData("there is no agreement to answer yet (write one with `reflect agreement add`)")
            month = next((m for m in reversed(begun) if m < this), begun[-1])
        reply = AgreementAnswer.create(month=month, number=number, person=name, answer=answer)
        if store.person(name) is not None:
            sign_in(store, name, passphrase_file)
        status = store.answer_agreement(reply, source="cli")
    what = f"{name}'s answer for {month_words(reply.month)}"
    echo(f"Saved {what}: {reply.answer}." if status != "unchanged" else f"Nothing changed: {what} was already "
          f"{reply.answer}.")


@agreement.command("list")
@month_option("Only this month (YYYY-MM).")
@db_option
def agreement_list(month: str | None, db: str | None) -> None:
    """The agreements, oldest first, with each person's "did we?"."""
    from reflect.analytics.agreements import answer_words

    with viewing(db) as store:
        items = store.agreements(month=month)
        answers = store.agreement_answers(month=month)
    if not items:
        echo_err("No agreements yet" + (f" for {month}" if month else "") + ".")
        return
    for a in items:
        given = {r.person: r.answer for r in answers if (r.month, r.number) == a.key}
        ties = ", ".join(t for t in (a.dimension, a.ritual) if t)
        echo(f"{a.month}  {a.number}  {a.text}" + (f"  [{ties}]" if ties else "")
              + f"\n    did we? {answer_words(given)}")


@agreement.command("history")
@month_option("The month (YYYY-MM).")
@click.option("--number", "-n", default="1", show_default=True, metavar="N")
@db_option
def agreement_history(month: str | None, number: str, db: str | None) -> None:
    """Every version of one agreement, oldest first."""
    from reflect.storage.store import Store

    if month is None:
        raise click.UsageError("give the agreement's --month")
    with Store(resolve_store_path(db), create=False) as store:
        versions = store.agreement_history(month, number)
    echo_versions(versions, f"there is no agreement {number} for {month}",
                  lambda a: ("" if a.active else "  (taken back)") + f"\n    {a.text}")


@export_command(agreement, "rows of agreements and answers")
def agreement_export(store: Any, cells: Any) -> str:
    """Write the agreements and the answers as CSV to FILE (or - for standard output), owner-only."""
    from reflect.domain.agreements import to_csv

    return to_csv(store.agreements(), store.agreement_answers(), cells=cells)


@import_command(agreement)
def agreement_import(file: str, db: str | None, sign_in: Any) -> str:
    """Import agreements and answers from CSV (month,number,text,dimension,ritual,person,did_we): all or none."""
    from reflect.storage.importing import import_agreements

    counts = import_agreements(file, db, sign_in=sign_in)
    return f"Imported {sum(counts)} rows from {file}: {count_words(*counts)}."
