"""Check-ins: add, import, export, list, summary and history (top-level commands, the kit's first subject)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click

from reflect.analytics.phrases import sealed_sentence, sealed_words
from reflect.cli.common import (
    NOTES,
    as_option,
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
from reflect.cli.shapes import export_command, import_command, saved_words
from reflect.domain.dimensions import BY_KEY, CADENCES, KEYS
from reflect.system.paths import resolve_store_path

# -- add ---------------------------------------------------------------------------------------


def _score_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for key in reversed(KEYS):
        dim = BY_KEY[key]
        f = click.option(
            f"--desired-{key}",
            default=None,
            metavar="1-10",
            help=f"How you would like {'passion' if key == 'passion' else dim.label.lower() + ' intimacy'} "
                 "to be (optional).",
        )(f)
    for key in reversed(KEYS):
        dim = BY_KEY[key]
        f = click.option(
            f"--{key}", required=True, metavar="1-10", help=f"{dim.label}: {dim.description}"
        )(f)
    return f


@click.command()
@click.option("--person", "-p", required=True, help="Whose check-in this is (1-64 characters).")
@click.option(
    "--date", "-d", "date", default=None, metavar="YYYY-MM-DD",
    help="A day in the period (default: today); it is saved as the period's first day.",
)
@click.option(
    "--cadence", "-c", default="monthly", show_default=True,
    type=click.Choice(CADENCES), help="The rhythm of this check-in.",
)
@_score_options
@click.option("--note", default=None,
              help="A private note (left out of reports unless asked). Without --note, the note already saved "
                   "for this period is kept; --note \"\" clears it.")
@click.option("--share-note/--private-note", "share_note", default=None,
              help="Share the note with your partner (shown once you have both answered), or keep it yours "
                   "alone. Default: as it was.")
@click.option("--weighing", default=None, metavar="1-10",
              help="How much life (stress, sleep, health) is weighing on you (optional; never part of your "
                   "scores). Without it, what is saved for this period is kept; --weighing \"\" clears it.")
@click.option("--share-weighing/--private-weighing", "share_weighing", default=None,
              help="Share how life is weighing with your partner (shown like the scores), or keep it yours "
                   "alone. Default: as it was (at first, yours alone).")
@passphrase_file_option
@db_option
def add(person: str, date: str | None, cadence: str, note: str | None, share_note: bool | None,
        weighing: str | None, share_weighing: bool | None, passphrase_file: str | None, db: str | None,
        **ratings: str | None) -> None:
    """Save one check-in from flags.

    Saving again for the same person and period updates it; the earlier version stays in history.
    The note and whether it is shared stay as they were unless you give --note (--note "" clears
    it) or --share-note / --private-note; so does each desired level you do not give
    (--desired-physical "" clears that one).

    \b
    Example:
      reflect add -p Robin --passion 6 --emotional 7 --physical 5 \\
                  --intellectual 8 --experiential 6 --spiritual 7 --desired-physical 8
    """
    from reflect.domain.checkin import CheckIn
    from reflect.storage.store import Store

    checkin = CheckIn.create(
        person=person,
        date=date if date is not None else dt.date.today(),
        cadence=cadence,
        scores={k: ratings[k] for k in KEYS},
        desired={k: ratings[f"desired_{k}"] for k in KEYS},
        note=note,
        weighing=weighing,
    )
    with Store(resolve_store_path(db)) as store:
        if store.person(checkin.person) is None:
            NOTES.append(f"{checkin.person} has no passphrase: anyone using the kit can see and change their "
                          f"answers and read their notes. Choose one: reflect person passphrase {checkin.person}")
        sign_in(store, checkin.person, passphrase_file)
        result = store.save(checkin, source="cli", share_note=share_note, keep_note=note is None,
                            keep_desired=[k for k in KEYS if ratings[f"desired_{k}"] is None],
                            share_weighing=share_weighing, keep_weighing=weighing is None)
    c = result.checkin
    what = f"{c.person}'s {c.cadence} check-in for {_period_label(c)}"
    kept = " Your note is kept as it was (--note \"\" clears it)." if note is None and c.note else ""
    if result.status == "added":
        echo(f"Saved {what}.")
    elif result.status == "updated":
        echo(f"Updated {what} (the earlier version is kept in history).{kept}")
    else:
        echo(f"Nothing changed: {what} already holds these ratings.")


def _period_label(c: Any) -> str:
    if c.cadence == "monthly":
        return c.period_start.strftime("%B %Y")
    if c.cadence == "weekly":
        return f"the week of {c.period_start.isoformat()}"
    return c.period_start.isoformat()


# -- import / export ---------------------------------------------------------------------------


@import_command(None)
def import_(file: str, db: str | None, sign_in: Any) -> str:
    """Import check-ins from a CSV file: all of them, or none if any row is bad.

    The format is the one `reflect export` writes (see the README); a file may leave out the columns
    cadence, desired_* and note, and may be separated by semicolons. Importing the same file twice
    changes nothing.
    """
    from reflect.storage.importing import import_checkins

    result = import_checkins(file, db, sign_in=sign_in)
    return (f"Imported {result.total} check-in{'s' if result.total != 1 else ''} from {file}: {result.added} new, "
            f"{result.updated} updated, {result.unchanged} unchanged.")


@export_command(None, "check-ins", options=[passphrases_for_option])
def export(store: Any, cells: Any, passphrases_for: tuple[tuple[str, str], ...]) -> str:
    """Write the latest check-ins as CSV to FILE (or - for standard output).

    FILE is written readable by you only (0600). Standard output redirected to a file
    (`reflect export > us.csv`) is created by your shell with its usual permissions (often
    readable by others): give the file name instead.

    The notes (and the answers still sealed) of a person with a passphrase are included only when
    they sign in: each is asked for their passphrase (Enter leaves them out), or use --passphrase-for.
    """
    from reflect.domain.csvio import to_csv

    people = store.people()
    protected = [p for p in people if store.is_protected(p)]
    for p in people:
        if p not in protected:
            store.sign_in(p)  # no passphrase: nothing of theirs is closed
    left_out = sign_in_each(store, protected, passphrases_for, optional=True)
    shown = store.checkins()
    sealed = store.count() - len(shown)
    if left_out:
        NOTES.append(f"Left out the notes of {', '.join(left_out)} (not signed in)"
                     + (f", and {sealed} check-in{'s' if sealed != 1 else ''} still sealed" if sealed else "")
                     + ".")
    return to_csv(shown, cells=cells)


# -- list / history ----------------------------------------------------------------------------

_SHORT = {"passion": "pas", "emotional": "emo", "physical": "phy", "intellectual": "int",
          "experiential": "exp", "spiritual": "spi"}


def _format_table(checkins: list[Any], *, notes: bool) -> str:
    head = ["date", "person", "cadence", *(_SHORT[k] for k in KEYS), "desired (same order)"]
    rows = []
    for c in checkins:
        desired = " ".join("-" if c.desired.get(k) is None else str(c.desired[k]) for k in KEYS)
        row = [c.period_start.isoformat(), c.person, c.cadence, *(str(c.scores[k]) for k in KEYS)]
        row.append(desired if any(c.desired.get(k) for k in KEYS) else "")
        if notes:
            row.append((c.note or "").replace("\n", " / "))
        rows.append(row)
    if notes:
        head.append("note")
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=False)]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=False)).rstrip() for r in [head, *rows]]
    return "\n".join(lines)


@click.command("list")
@click.option("--person", "-p", default=None, help="Only this person's check-ins.")
@month_option("Only this month (YYYY-MM, or 'latest' for the latest month with data).", "latest")
@click.option("--cadence", "-c", type=click.Choice(CADENCES), default=None, help="Only this rhythm.")
@click.option("--notes", is_flag=True, help="Show the notes you may read too.")
@as_option
@db_option
def list_(person: str | None, month: str | None, cadence: str | None, notes: bool, as_person: str | None,
          passphrase_file: str | None, db: str | None) -> None:
    """List the latest check-ins (scores, then desired levels), oldest first.

    A partner's answers for a period not over yet stay sealed until the other has answered; --as NAME
    shows NAME's own too (and, with --notes, NAME's notes and those shared with NAME).
    """
    store = viewing(db)
    with store:
        view_as(store, as_person, passphrase_file)
        if month == "latest":
            month = store.latest_month()
            if month is None:
                echo_err(f"No check-ins to show yet{sealed_words(store.sealed_count())}.")
                return
            click.echo(f"Latest month with check-ins: {month}")
        checkins = store.checkins(person=person, month=month, cadence=cadence)
        sealed = store.sealed_count()
    if not checkins:
        echo_err(f"No check-ins match{sealed_words(sealed)}.")
        return
    echo(_format_table(checkins, notes=notes))


@click.command()
@month_option("The month (YYYY-MM). Default: the latest month with check-ins.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Readable lines, or the JSON described in the README.")
@as_option
@db_option
def summary(month: str | None, fmt: str, as_person: str | None, passphrase_file: str | None, db: str | None) -> None:
    """The figures of one month: each person's scores, desired levels, intimacy index, balance,
    unmet needs and change since last month, and where two partners differ."""
    import json

    from reflect.analytics.analysis import month_summary, summary_text
    from reflect.errors import NoData

    with viewing(db) as store:
        view_as(store, as_person, passphrase_file)
        try:
            result = month_summary(store.frame(), month)
        except NoData:  # check-ins saved but still sealed are not missing: say so, and that is all
            sealed = store.sealed_count(month)
            if not sealed:
                raise
            echo_err(sealed_sentence(sealed, month))
            return
    echo(json.dumps(result, ensure_ascii=False) if fmt == "json" else summary_text(result))


@click.command()
@click.option("--person", "-p", required=True, help="Whose check-in.")
@click.option("--date", "-d", "date", required=True, metavar="YYYY-MM-DD", help="A day in the period.")
@click.option("--cadence", "-c", type=click.Choice(CADENCES), default="monthly", show_default=True)
@click.option("--notes", is_flag=True, help="Show the private notes too.")
@passphrase_file_option
@db_option
def history(person: str, date: str, cadence: str, notes: bool, passphrase_file: str | None, db: str | None) -> None:
    """List every saved version of one check-in, oldest first (a person with a passphrase signs in)."""
    from reflect.errors import NoData
    from reflect.storage.store import Store

    with Store(resolve_store_path(db), create=False) as store:
        if store.person(parse_name(person)) is not None:
            sign_in(store, parse_name(person), passphrase_file)
        versions = store.history(person, date, cadence)
    if not versions:
        raise NoData(f"no {cadence} check-in for {person.strip()} in the period of {date}")
    for v in versions:
        c = v.checkin
        scores = " ".join(f"{_SHORT[k]} {c.scores[k]}" for k in KEYS)
        desired = " ".join(f"{_SHORT[k]} {c.desired[k]}" for k in KEYS if c.desired.get(k))
        mark = "  (current)" if v.current else ""
        line = f"{saved_words(v.number, v.saved_at, v.source)}{mark}\n    {scores}"
        if desired:
            line += f"\n    wants: {desired}"
        if notes and c.note:
            line += f"\n    note: {c.note}"
        echo(line)


COMMANDS = [add, import_, export, list_, summary, history]
