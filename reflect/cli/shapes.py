"""The shape the subjects share, written once: ``export``, ``import`` and ``history``.

Each subject says only what differs. An export is a function that gives the CSV text of an open store;
an import, a function that imports a file and gives the line to say; a history, the versions and what
each one says. The function's docstring is the command's help::

    @export_command(ritual, "rituals")
    def ritual_export(store: Any, cells: Any) -> str:
        \"\"\"Write the logged rituals as CSV to FILE (or - for standard output).\"\"\"
        return to_csv(store.rituals(), cells=cells)

    @import_command(ritual)
    def ritual_import(file: str, db: str | None, sign_in: Any) -> str:
        \"\"\"Import rituals from CSV: all of them, or none if any row is bad.\"\"\"
        result = import_rituals(file, db, sign_in=sign_in)
        return f"Imported {result.total} rituals from {file}: ..."

    echo_versions(store.ritual_history(person, date, kind), f"no {kind} logged on {date}",
                  lambda r: "  done" if r.done else "  taken back")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from reflect.cli.common import (
    db_option,
    echo,
    passphrases_for_option,
    refuse_to_overwrite,
    sign_in_each,
    spreadsheet_option,
    write_output,
)
from reflect.system.paths import resolve_store_path

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _command(group: click.Group | None, name: str,
             help_text: str | None) -> Callable[[Callable[..., Any]], click.Command]:
    """A command named ``name`` on ``group`` (None: on the root group, registered in ``reflect.cli``)."""
    if group is None:
        return click.command(name, help=help_text)
    return group.command(name, help=help_text)


def _decorated(f: Callable[..., Any], decorators: Sequence[Decorator]) -> Callable[..., Any]:
    """``f`` with ``decorators`` applied as if written above it, first one on top."""
    for decorate in reversed(decorators):
        f = decorate(f)
    return f


def export_command(group: click.Group | None, what: str, *, options: Sequence[Decorator] = (),
                   check: Callable[..., Any] | None = None) -> Callable[[Callable[..., str]], click.Command]:
    """``export [FILE] [--force] [--safe-for-spreadsheets] [OPTIONS] [--db]``, made from a function
    ``rows(store, cells, **options)`` that gives the CSV text of the open store (``cells``: a
    ``FormulaCells``). FILE (or - for standard output) is written owner-only, never over a file
    without --force; ``what`` names the rows in "Exported N what to FILE". ``options`` are the
    subject's own (``as_option``, ``passphrases_for_option``), put before --db; ``check(**options)``
    runs first of all, to refuse what is missing."""

    def make(rows: Callable[..., str]) -> click.Command:
        def export(file: str, force: bool, safe: bool, db: str | None, **given: Any) -> None:
            from reflect.domain.csvio import FormulaCells
            from reflect.storage.store import Store

            if check is not None:
                check(**given)
            refuse_to_overwrite(file, force)
            cells = FormulaCells(neutralise=safe)
            with Store(resolve_store_path(db), create=False) as store:
                text = rows(store, cells, **given)
            write_output(file, text, what, cells)

        return _command(group, "export", rows.__doc__)(_decorated(export, [
            click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True)),
            click.option("--force", is_flag=True, help="Replace FILE if it exists."),
            spreadsheet_option,
            *options,
            db_option,
        ]))

    return make


def import_command(group: click.Group | None, *, signs_in: bool = True
                   ) -> Callable[[Callable[..., str]], click.Command]:
    """``import FILE [--passphrase-for NAME FILE]... [--db]``, made from a function
    ``run(file, db, sign_in)`` that imports the file (all of it or none) and gives the line to say.
    ``sign_in(store, people)`` signs in each protected person the file names (from --passphrase-for,
    else asked for); ``signs_in=False``: a subject whose rows belong to nobody, without the option
    (``sign_in`` is None)."""

    def make(run: Callable[..., str]) -> click.Command:
        def import_(file: str, db: str | None, passphrases_for: tuple[tuple[str, str], ...] = ()) -> None:
            def sign_in(store: Any, people: list[str]) -> list[str]:
                return sign_in_each(store, people, passphrases_for)

            echo(run(file, db, sign_in if signs_in else None))

        return _command(group, "import", run.__doc__)(_decorated(import_, [
            click.argument("file", type=click.Path(dir_okay=False)),
            *([passphrases_for_option] if signs_in else []),
            db_option,
        ]))

    return make


def saved_words(number: int, saved_at: str, source: str | None) -> str:
    """The head of one version in a history: ``v2  saved 2026-10-04 20:15:03 UTC  via cli``."""
    return f"v{number}  saved {saved_at[:19].replace('T', ' ')} UTC  via {source or '?'}"


def echo_versions(versions: Sequence[tuple[str, str | None, Any]], missing: str,
                  describe: Callable[[Any], str]) -> None:
    """Say each version of a history, oldest first: (saved_at, source, item) as ``saved_words``
    followed by ``describe(item)``; none at all is ``NoData(missing)``."""
    from reflect.errors import NoData

    if not versions:
        raise NoData(missing)
    for number, (saved_at, source, item) in enumerate(versions, 1):
        echo(saved_words(number, saved_at, source) + describe(item))
