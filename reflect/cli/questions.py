"""reflect question: the question of the week, answered in words by each of you."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
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
    passphrase_file_option,
    passphrases_for_option,
    refuse_to_overwrite,
    sign_in,
    sign_in_each,
    spreadsheet_option,
    view_as,
    write_output,
)
from reflect.system.paths import resolve_store_path

_WEEK = click.option("--week", "-w", "week", default=None, metavar="YYYY-MM-DD",
                     help="Any day of the week (default: this week).")


def _person_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--person", "-p", required=True, help="Who you are (signs in if you have a passphrase).")(f)


def _week_words(store: Any, week: str | None) -> tuple[dt.date, str]:
    from reflect.domain.questions import week_of, week_words

    monday = week_of(week if week is not None else store.today())
    return monday, week_words(monday)


@click.group(invoke_without_command=True)
@_WEEK
@db_option
@click.pass_context
def question(ctx: click.Context, week: str | None, db: str | None) -> None:
    """The question of the week: one a week for the two of you, each answering in your own words.

    Without a command, shows this week's question. Your partner sees your answer once you have both
    answered. The questions start light and go deeper only when you have both said, each privately,
    that you are ready (reflect question deeper); one "slower" (reflect question slower) brings them
    back, and nobody is told who asked.
    """
    if ctx.invoked_subcommand is not None:
        return
    from reflect.domain.questions import DEPTH_WORDS
    from reflect.storage.store import Store

    path = resolve_store_path(db)
    with Store(path if path.exists() else ":memory:", create=False) as store:  # no store yet: a light one
        monday, when = _week_words(store, week)
        asked = store.week_question(monday)
        answered = [a.person for a in store.question_answers(week=monday)]
        depth = store.question_depth()
    echo(f"The question for {when} ({DEPTH_WORDS[asked.depth]}, {asked.dimension}):\n\n    {asked.text}\n")
    if answered:
        echo(f"Answered so far: {' and '.join(answered)}.")
    if depth != asked.depth:
        echo(f"From the next unanswered week on: {DEPTH_WORDS[depth]}.")


@question.command("answer")
@click.argument("text", required=False)
@_person_option
@_WEEK
@passphrase_file_option
@db_option
def question_answer(text: str | None, person: str, week: str | None, passphrase_file: str | None,
                    db: str | None) -> None:
    """Answer the week's question in your own words (TEXT; without it, you are asked, or it is read from
    standard input). Answering again updates it; the earlier version stays in your history."""
    from reflect.storage.store import Store

    name = parse_name(person)
    with Store(resolve_store_path(db)) as store:
        if store.person(name) is None:
            NOTES.append(f"{name} has no passphrase: anyone using the kit can read {name}'s answers. Choose one: "
                         f"reflect person passphrase {name}")
        else:
            sign_in(store, name, passphrase_file)
        monday, when = _week_words(store, week)
        if text is None:
            if sys.stdin.isatty():
                echo_err(store.week_question(monday).text)
                text = str(click.prompt("Your answer", err=True))
            else:
                text = sys.stdin.read().rstrip("\r\n")  # the line break that ends what was piped in
        status = store.answer_question(name, text, week=monday, source="cli")
        partner = store.partner_of(name)
        both = partner is not None and {a.person for a in store.question_answers(week=monday)} >= {name, partner}
    echo({"added": f"Saved {name}'s answer for {when}. Thank you.",
          "updated": f"Updated {name}'s answer for {when}; the earlier version is kept in its history.",
          "unchanged": f"Nothing changed: {name}'s answer for {when} already says this."}[status])
    if partner is not None:
        NOTES.append(f"You have both answered: reflect question show --as {name}" if both
                     else f"{partner} sees it once they have answered too.")


@question.command("show")
@_WEEK
@as_option
@db_option
def question_show(week: str | None, as_person: str | None, passphrase_file: str | None, db: str | None) -> None:
    """Both answers to the week's question, once you have both answered (--as NAME: one of the two of you,
    signed in). Before that, only your own."""
    if as_person is None:
        raise click.UsageError("give --as NAME: the answers are shown only to one of the two of you, signed in")
    from reflect.storage.store import Store

    name = parse_name(as_person)
    with Store(resolve_store_path(db), create=False) as store:
        view_as(store, name, passphrase_file)
        monday, when = _week_words(store, week)
        asked = store.week_question(monday)
        answers = {a.person: a for a in store.question_answers(name, week=monday)}
        partner = store.partner_of(name)
    lines = [f"{when[:1].upper()}{when[1:]}: {asked.text}", ""]
    mine = answers.get(name)
    lines.append(f"{name}: {mine.text}" if mine is not None and mine.text is not None
                 else f"{name}: (not answered yet)")
    if partner is not None:
        theirs = answers.get(partner)
        if theirs is None:
            lines.append(f"{partner}: (not answered yet)")
        elif theirs.text is None and mine is not None:
            lines.append(f"{partner}: has answered; their words reach you once you have a passphrase of your own "
                         f"and {partner} has signed in since.")
        elif theirs.text is None:
            lines.append(f"{partner}: has answered; you'll see it once you have given yours.")
        else:
            lines.append(f"{partner}: {theirs.text}")
    echo("\n".join(lines))


@question.command("deeper")
@_person_option
@passphrase_file_option
@db_option
def question_deeper(person: str, passphrase_file: str | None, db: str | None) -> None:
    """Say, privately, that you are ready for deeper questions: they come once you have both said so."""
    from reflect.storage.store import Store

    name = parse_name(person)
    with Store(resolve_store_path(db), create=False) as store:
        sign_in(store, name, passphrase_file)
        outcome = store.ask_deeper(name)
    echo({"deeper": "You are both ready: the questions go a little deeper now.",
          "waiting": "Noted, privately. Deeper questions come once you have both said so.",
          "already": "You had already said so; deeper questions come once you have both said so.",
          "deepest": "These are already the deepest questions."}[outcome])


@question.command("slower")
@_person_option
@passphrase_file_option
@db_option
def question_slower(person: str, passphrase_file: str | None, db: str | None) -> None:
    """Ask for lighter questions: they are lighter at once, and nobody is told who asked."""
    from reflect.domain.questions import DEPTH_WORDS
    from reflect.storage.store import Store

    name = parse_name(person)
    with Store(resolve_store_path(db), create=False) as store:
        sign_in(store, name, passphrase_file)
        depth = store.ask_slower(name)
    echo(f"Noted. From now on: {DEPTH_WORDS[depth]}. Nobody is told who asked.")


@question.command("history")
@_person_option
@_WEEK
@passphrase_file_option
@db_option
def question_history(person: str, week: str | None, passphrase_file: str | None, db: str | None) -> None:
    """Every version of your answer for a week, oldest first (for you alone: you sign in)."""
    from reflect.errors import NoData
    from reflect.storage.store import Store

    name = parse_name(person)
    with Store(resolve_store_path(db), create=False) as store:
        sign_in(store, name, passphrase_file)
        monday, when = _week_words(store, week)
        versions = store.answer_history(name, monday)
    if not versions:
        raise NoData(f"{name} has not answered the question of {when}")
    for i, (saved_at, source, a) in enumerate(versions, 1):
        words = a.text if a.text is not None else "(sealed under a reset passphrase)"
        echo(f"v{i}  saved {saved_at[:19].replace('T', ' ')} UTC  via {source or '?'}\n    {words}")


@question.command("export")
@click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@spreadsheet_option
@passphrases_for_option
@db_option
def question_export(file: str, force: bool, safe: bool, passphrases_for: tuple[tuple[str, str], ...],
                    db: str | None) -> None:
    """Write your answers as CSV (week,person,question,answer) to FILE (or - for standard output), owner-only.

    Each person's answers are included only when they sign in (asked for, Enter leaves theirs out; or
    --passphrase-for); a person without a passphrase is included as their notes are.
    """
    from reflect.domain.csvio import FormulaCells
    from reflect.domain.questions import to_csv
    from reflect.storage.store import Store

    refuse_to_overwrite(file, force)
    cells = FormulaCells(neutralise=safe)
    with Store(resolve_store_path(db), create=False) as store:
        writers = sorted({a.person for a in store.question_answers()})
        protected = [p for p in writers if store.is_protected(p)]
        left_out = sign_in_each(store, protected, passphrases_for, optional=True)
        mine = [a for p in writers if p not in left_out for a in store.question_answers(p, person=p)
                if a.text is not None]
        text = to_csv(mine, cells=cells)
    if left_out:
        NOTES.append(f"Left out the answers of {', '.join(left_out)} (not signed in).")
    write_output(file, text, "answers", cells)


@question.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@passphrases_for_option
@db_option
def question_import(file: str, passphrases_for: tuple[tuple[str, str], ...], db: str | None) -> None:
    """Import answers from CSV (week,person,question,answer): all or none; each writer signs in."""
    from reflect.storage.importing import import_answers

    counts = import_answers(file, db, sign_in=lambda store, people: sign_in_each(store, people, passphrases_for))
    echo(f"Imported {sum(counts)} answers from {file}: {count_words(*counts)}.")
