"""The ``reflect`` command line: thin over the library.

Each command parses its arguments, makes one library call, and prints the result. Every error the
kit raises on purpose is printed as one line on stderr with a non-zero exit; never a traceback.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import click

from reflect import __version__
from reflect.analytics.phrases import month_words, sealed_sentence, sealed_words
from reflect.domain.dimensions import BY_KEY, CADENCES, KEYS
from reflect.domain.text import printable
from reflect.system.paths import resolve_store_path

log = logging.getLogger("reflect")

EXIT_ERROR = 1
EXIT_USAGE = 2


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("reflect: %(message)s"))
    root = logging.getLogger("reflect")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False),
        default=None,
        help="The store (an SQLite file). Default: $REFLECT_DB, else data/reflect.db.",
    )(f)


class Month(click.ParamType):
    """A month given as an option: ``YYYY-MM`` (checked by the library), or one of ``words``
    (``latest``, ``last``). A bad month is a usage error, as click's own are (exit 2), in every
    command that takes one."""

    name = "month"

    def __init__(self, *words: str) -> None:
        self.words = words

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from reflect.domain.months import parse_month
        from reflect.errors import ValidationError

        if isinstance(value, str) and value.strip().lower() in self.words:
            return value.strip().lower()
        try:
            return parse_month(value)
        except ValidationError as exc:
            also = " or ".join(f"'{w}'" for w in self.words)
            self.fail(exc.message + (f"; or {also}" if also else ""), param, ctx)


def month_option(help_text: str, *words: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    metavar = "|".join(("YYYY-MM", *words))
    return click.option("--month", "-m", type=Month(*words), default=None, metavar=metavar, help=help_text)


def _echo_err(message: str) -> None:
    click.echo(printable(message), err=True)


def _echo(message: str) -> None:
    """Print ``message``, with what a terminal would act on (escape sequences...) escaped."""
    click.echo(printable(message))


# -- signing in ---------------------------------------------------------------------------------

PASSPHRASE_FILE_HELP = ("Read the passphrase from the first line of FILE (owner-only), or '-' for standard "
                        "input: for scripts. Without it, the passphrase is asked for, hidden.")


def passphrase_file_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--passphrase-file", "passphrase_file", default=None, metavar="FILE",
                        help=PASSPHRASE_FILE_HELP)(f)


def passphrases_for_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--passphrase-for", "passphrases_for", nargs=2, multiple=True, metavar="NAME FILE",
        help="For scripts: NAME's passphrase is on the first line of FILE (owner-only). Repeat for each person.",
    )(f)


def _ask_passphrase(prompt: str) -> str:
    return str(click.prompt(prompt, hide_input=True, default="", show_default=False, err=True))


def sign_in(store: Any, name: str, passphrase_file: str | None = None, *, optional: bool = False,
            option: str = "--passphrase-file FILE") -> bool:
    """Sign ``name`` in to ``store``: no passphrase needed for someone without one; else from the
    file, or asked for (hidden) on a terminal, three tries. ``optional``: an empty answer skips
    (returns False)."""
    import time

    from reflect.errors import NotSignedIn, SignInDelayed, WrongPassphrase
    from reflect.storage.keys import read_passphrase_file

    if not store.is_protected(name):
        if store.person(name) is not None:
            store.sign_in(name)
        return True
    if passphrase_file is not None:
        store.sign_in(name, read_passphrase_file(passphrase_file))
        _tell(store, name)
        return True
    if not sys.stdin.isatty():
        if optional:
            return False
        raise NotSignedIn(f"{name} has a passphrase: give it with {option} "
                          "(standard input is not a terminal, so it cannot be asked for)")
    for attempt in range(3):
        given = _ask_passphrase(f"{name}'s passphrase" + (" (Enter to skip)" if optional else ""))
        if not given:
            if optional:
                return False
            raise NotSignedIn(f"{name} has a passphrase: nothing was done without it")
        try:
            store.sign_in(name, given)
            _tell(store, name)
            return True
        except SignInDelayed as exc:
            _echo_err(f"reflect: {exc}; waiting ...")
            time.sleep(exc.wait)
        except WrongPassphrase as exc:
            if attempt == 2:
                raise
            _echo_err(f"reflect: {exc}")
    raise WrongPassphrase(f"that is not {name}'s passphrase")  # pragma: no cover


def _tell(store: Any, name: str) -> None:
    """Say what ``name`` must be told now they signed in (a reset of their passphrase), on stderr."""
    for notice in store.notices(name):
        _echo_err(f"reflect: {notice}")


def sign_in_each(store: Any, names: list[str], passphrases_for: tuple[tuple[str, str], ...], *,
                 optional: bool = False) -> list[str]:
    """Sign in each protected person of ``names``; returns those who did not (``optional`` only)."""
    from reflect.errors import NotSignedIn

    files = {parse_name(n): f for n, f in passphrases_for}
    missing = [n for n in names if store.is_protected(n) and n not in files]
    if missing and not optional and not sys.stdin.isatty():  # name them all at once, not one per run
        raise NotSignedIn(
            f"{' and '.join(missing)} {'has a passphrase' if len(missing) == 1 else 'have passphrases'}: give "
            + " ".join(f"--passphrase-for {n} FILE" for n in missing)
            + " (standard input is not a terminal, so they cannot be asked for)")
    left_out = []
    for name in names:
        if not sign_in(store, name, files.get(name), optional=optional, option=f"--passphrase-for {name} FILE"):
            left_out.append(name)
    return left_out


def parse_name(value: str) -> str:
    from reflect.domain.checkin import parse_person

    return parse_person(value)


def _new_passphrase(passphrase_file: str | None, name: str) -> str:
    from reflect.storage.keys import check_new_passphrase, read_passphrase_file

    if passphrase_file is not None:
        return check_new_passphrase(read_passphrase_file(passphrase_file))
    if not sys.stdin.isatty():
        raise click.UsageError("standard input is not a terminal: give the new passphrase with --passphrase-file")
    while True:
        first = _ask_passphrase(f"Choose a passphrase for {name} (a few words; hidden)")
        try:
            check_new_passphrase(first)
        except Exception as exc:  # a ValidationError: say it and ask again
            _echo_err(f"reflect: {exc}")
            continue
        if _ask_passphrase("Type it again") == first:
            return first
        _echo_err("reflect: the two passphrases are not the same; once more")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reflect")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what happens.")
def cli(verbose: bool) -> None:
    """Reflect: a private, month-by-month reflection on passion and the five dimensions of
    intimacy (emotional, physical, intellectual, experiential, spiritual).

    Everything stays on this machine, in one SQLite file per relationship.
    """
    _setup_logging(verbose)


# -- init --------------------------------------------------------------------------------------


@cli.command()
@db_option
def init(db: str | None) -> None:
    """Create the store (if it does not exist yet) and say where it is."""
    from reflect.storage.store import Store

    with Store(resolve_store_path(db)) as store:
        _echo(f"Store ready at {store.path} ({store.count()} check-ins).")


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


@cli.command()
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
@passphrase_file_option
@db_option
def add(person: str, date: str | None, cadence: str, note: str | None, share_note: bool | None,
        passphrase_file: str | None, db: str | None, **ratings: str | None) -> None:
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
    )
    with Store(resolve_store_path(db)) as store:
        if store.person(checkin.person) is None:
            _NOTES.append(f"{checkin.person} has no passphrase: anyone using the kit can see and change their "
                          f"answers and read their notes. Choose one: reflect person passphrase {checkin.person}")
        sign_in(store, checkin.person, passphrase_file)
        result = store.save(checkin, source="cli", share_note=share_note, keep_note=note is None,
                            keep_desired=[k for k in KEYS if ratings[f"desired_{k}"] is None])
    c = result.checkin
    what = f"{c.person}'s {c.cadence} check-in for {_period_label(c)}"
    kept = " Your note is kept as it was (--note \"\" clears it)." if note is None and c.note else ""
    if result.status == "added":
        _echo(f"Saved {what}.")
    elif result.status == "updated":
        _echo(f"Updated {what} (the earlier version is kept in history).{kept}")
    else:
        _echo(f"Nothing changed: {what} already holds these ratings.")


def _period_label(c: Any) -> str:
    if c.cadence == "monthly":
        return c.period_start.strftime("%B %Y")
    if c.cadence == "weekly":
        return f"the week of {c.period_start.isoformat()}"
    return c.period_start.isoformat()


# -- import / export ---------------------------------------------------------------------------


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=False))
@passphrases_for_option
@db_option
def import_(file: str, passphrases_for: tuple[tuple[str, str], ...], db: str | None) -> None:
    """Import check-ins from a CSV file: all of them, or none if any row is bad.

    The format is the one `reflect export` writes (see the README); a file may leave out the columns
    cadence, desired_* and note, and may be separated by semicolons. Importing the same file twice
    changes nothing.
    """
    from reflect.storage.importing import import_checkins

    result = import_checkins(file, db, sign_in=lambda store, people: sign_in_each(store, people, passphrases_for))
    _echo(
        f"Imported {result.total} check-in{'s' if result.total != 1 else ''} from {file}: {result.added} new, "
        f"{result.updated} updated, {result.unchanged} unchanged."
    )


def spreadsheet_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--safe-for-spreadsheets", "safe", is_flag=True,
        help="Put ' before every cell that starts with = + - @, a tab or a carriage return, so that a "
             "spreadsheet shows it as text instead of running it as a formula. Such a file is for "
             "reading in a spreadsheet, not for importing back (the CSV is exact without this option).",
    )(f)


@cli.command()
@click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@spreadsheet_option
@passphrases_for_option
@db_option
def export(file: str, force: bool, safe: bool, passphrases_for: tuple[tuple[str, str], ...], db: str | None) -> None:
    """Write the latest check-ins as CSV to FILE (or - for standard output).

    FILE is written readable by you only (0600). Standard output redirected to a file
    (`reflect export > us.csv`) is created by your shell with its usual permissions (often
    readable by others): give the file name instead.

    The notes (and the answers still sealed) of a person with a passphrase are included only when
    they sign in: each is asked for their passphrase (Enter leaves them out), or use --passphrase-for.
    """
    from reflect.domain.csvio import FormulaCells, to_csv
    from reflect.storage.store import Store

    _refuse_to_overwrite(file, force)
    cells = FormulaCells(neutralise=safe)
    with Store(resolve_store_path(db), create=False) as store:
        people = store.people()
        protected = [p for p in people if store.is_protected(p)]
        for p in people:
            if p not in protected:
                store.sign_in(p)  # no passphrase: nothing of theirs is closed
        left_out = sign_in_each(store, protected, passphrases_for, optional=True)
        shown = store.checkins()
        text = to_csv(shown, cells=cells)
        sealed = store.count() - len(shown)
    if left_out:
        _NOTES.append(f"Left out the notes of {', '.join(left_out)} (not signed in)"
                      + (f", and {sealed} check-in{'s' if sealed != 1 else ''} still sealed" if sealed else "")
                      + ".")
    _write_output(file, text, "check-ins", cells)


def _refuse_to_overwrite(file: str, force: bool) -> None:
    from reflect.errors import ReflectError

    if not file.strip():
        raise click.UsageError("FILE cannot be empty: give a file name, or - for standard output")
    if file != "-" and os.path.lexists(file) and not force:
        raise ReflectError(f"{file} already exists; use --force to replace it")


def _write_output(file: str, text: str, what: str, cells: Any) -> None:
    """CSV ``text`` to standard output (``-``), or to ``file`` atomically and owner-only; then a
    word on the cells a spreadsheet would run as formulas, if there are any."""
    from reflect.system.paths import write_private

    if file == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_private(file, text)
        _echo_err(f"Exported {text.count(chr(10)) - 1} {what} to {file}.")
    if cells.count and cells.neutralise:
        _echo_err(f"{cells.count} cell{'s' if cells.count != 1 else ''} starting with = + - @, a tab or a carriage "
                  "return were made plain text for spreadsheets (a ' in front).")
    elif cells.count:
        _echo_err(f"reflect: warning: {cells.count} cell{'s' if cells.count != 1 else ''} start with = + - @, a tab "
                  "or a carriage return, which a spreadsheet may run as a formula; to open the file in a "
                  "spreadsheet, export with --safe-for-spreadsheets.")


# -- list / history ----------------------------------------------------------------------------

_SHORT = {"passion": "pas", "emotional": "emo", "physical": "phy", "intellectual": "int",
          "experiential": "exp", "spiritual": "spi"}


#: Notes for the user, printed on stderr once a command has succeeded (an error stays one line).
_NOTES: list[str] = []


def _viewing(db: str | None):
    from reflect.storage.demo import open_for_viewing

    store, is_demo = open_for_viewing(db)
    if is_demo:
        _NOTES.append(
            f"No check-ins of your own yet: showing the demo couple ({store.path}). "
            "Add yours with `reflect add` or the reflection notebook."
        )
    return store


def as_option(f: Callable[..., Any]) -> Callable[..., Any]:
    f = passphrase_file_option(f)
    return click.option("--as", "as_person", default=None, metavar="NAME",
                        help="See as NAME (signs NAME in): NAME's own answers too, even those still sealed.")(f)


def _view_as(store: Any, name: str | None, passphrase_file: str | None) -> None:
    if name is None:
        return
    name = parse_name(name)
    if store.person(name) is None:
        raise click.UsageError(f"there is no one called {name} in this store")
    sign_in(store, name, passphrase_file)


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


@cli.command("list")
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
    store = _viewing(db)
    with store:
        _view_as(store, as_person, passphrase_file)
        if month == "latest":
            month = store.latest_month()
            if month is None:
                _echo_err(f"No check-ins to show yet{sealed_words(store.sealed_count())}.")
                return
            click.echo(f"Latest month with check-ins: {month}")
        checkins = store.checkins(person=person, month=month, cadence=cadence)
        sealed = store.sealed_count()
    if not checkins:
        _echo_err(f"No check-ins match{sealed_words(sealed)}.")
        return
    _echo(_format_table(checkins, notes=notes))


@cli.command()
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

    with _viewing(db) as store:
        _view_as(store, as_person, passphrase_file)
        try:
            result = month_summary(store.frame(), month)
        except NoData:  # check-ins saved but still sealed are not missing: say so, and that is all
            sealed = store.sealed_count(month)
            if not sealed:
                raise
            _echo_err(sealed_sentence(sealed, month))
            return
    _echo(json.dumps(result, ensure_ascii=False) if fmt == "json" else summary_text(result))


@cli.command()
@click.option("--month", "-m", type=Month("last", "latest"), default=None, metavar="YYYY-MM|last|latest",
              help="The month to report: YYYY-MM, 'last' (last calendar month) or 'latest' (the latest "
                   "month with check-ins, the default).")
@click.option("--db", "dbs", multiple=True, type=click.Path(dir_okay=False),
              help="A store to report on; repeat for several (a folder of reports for each). "
                   "Default: $REFLECT_DB, else data/reflect.db (the demo couple while it is empty).")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Where to write the reports. Default: reports/ in the project.")
@click.option("--pdf", is_flag=True, help="Also print each report to PDF (needs Debian's chromium).")
@click.option("--paper", type=click.Choice(["a4", "letter"], case_sensitive=False), default=None,
              help="The PDF's paper. Default: what your locale uses (Letter in the US, Canada, Mexico...; "
                   "A4 elsewhere).")
@click.option("--include-notes", is_flag=True,
              help="Put the notes in the report (left out by default): each person with a passphrase is asked "
                   "for it, and only the notes of those who give it are included.")
@passphrases_for_option
@click.option("--all", "all_months", is_flag=True,
              help="Every month with check-ins; months whose inputs have not changed are skipped.")
@click.option("--force", is_flag=True, help="Remake reports even when their inputs have not changed.")
@click.option("--jobs", "-j", type=click.IntRange(1, 32), default=1, show_default=True,
              help="Reports to make in parallel (one process each).")
@click.option("--cell-timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Stop a report whose notebook cell runs longer than this (default: 300).")
def report(month: str | None, dbs: tuple[str, ...], out: str | None, pdf: bool, paper: str | None,
           include_notes: bool, passphrases_for: tuple[tuple[str, str], ...], all_months: bool, force: bool,
           jobs: int, cell_timeout: float | None) -> None:
    """Make the monthly report: an HTML page that opens anywhere with no network (and a PDF).

    Writes OUT/YYYY-MM.html and the executed notebook OUT/YYYY-MM.ipynb, readable by you only.

    \b
    Examples:
      reflect report                      the latest month
      reflect report --month last --pdf   last calendar month, for a monthly timer
      reflect report --all --jobs 2       every month (unchanged ones are skipped)
    """
    from reflect.reporting import publish
    from reflect.reporting.handover import sweep_legacy_files

    if all_months and month is not None:
        raise click.UsageError("use either --month or --all, not both")
    if out is not None and not out.strip():
        raise click.UsageError("--out needs a folder")
    try:
        stores, is_demo = publish.stores_to_report(dbs)
        if is_demo:
            _NOTES.append(
                f"No check-ins of your own yet: showing the demo couple ({stores[0]}). "
                "Add yours with `reflect add` or the reflection notebook."
            )
        # the notes are handed over in memory (never in a file), each report its own month's only; the
        # files in which earlier versions handed them over, if a killed report left one, are removed
        sweep_legacy_files()
        handed = ({path: _notes_of_people_who_sign_in(path, passphrases_for) for path in stores}
                  if include_notes else None)
        _report(stores, month, all_months, out, include_notes, pdf, force, jobs, cell_timeout, handed,
                paper.lower() if paper else None)
    except KeyboardInterrupt:
        raise _stopped() from None
    except click.exceptions.Abort as exc:  # Ctrl-C at a passphrase prompt
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise _stopped() from None
        raise


class Stopped(click.ClickException):
    """Ctrl-C during a report: one line (main() prints it), exit 130 (128 + SIGINT, as shells say)."""

    exit_code = 130


def _stopped() -> Stopped:
    """What a Ctrl-C during a report says. Every file a report writes is written whole or not at all
    (``write_private``), and its helper processes end without a word (``reporting.workers``)."""
    if sys.stderr.isatty():
        click.echo(err=True)  # after the terminal's own "^C"
    return Stopped("stopped (Ctrl-C); nothing was half-written")


def _notes_of_people_who_sign_in(path: Any, passphrases_for: tuple[tuple[str, str], ...]) -> Any:
    """Ask each person with a passphrase whether to include their notes (their passphrase, or Enter),
    and what those who signed in hand to the report, in memory (a ``reporting.handover.Handover``)."""
    from reflect.errors import ReflectError
    from reflect.reporting.handover import Handover
    from reflect.storage.store import Store

    try:
        store = Store(path, create=False)
    except ReflectError:  # the report itself says what is wrong with this store
        return Handover()
    with store:  # a wrong passphrase stops the command: nobody's notes are left out silently
        protected = [p.name for p in store.persons() if p.protected]
        if protected and sys.stdin.isatty():
            _echo_err(f"{path}: each of you may include your notes in the report with your passphrase "
                      "(Enter leaves yours out).")
        left_out = sign_in_each(store, protected, passphrases_for, optional=True)
        notes = store.signed_in_notes()
        # what each couple both said yes to, as those who signed in see it (never a list, never a no)
        consent = [{"people": [v.person, v.partner], "items": list(v.items)} for v in store.consent_shared_views()]
    return Handover.of(notes, left_out, consent)


def _report(stores: list[Any], month: str | None, all_months: bool, out: str | None, include_notes: bool,
            pdf: bool, force: bool, jobs: int, cell_timeout: float | None, handed: Any,
            paper: str | None = None) -> None:
    from pathlib import Path

    from reflect.reporting import publish

    planned, failed = publish.plan(stores, month=month, all_months=all_months,
                                   out_dir=Path(out) if out else None, include_notes=include_notes, pdf=pdf,
                                   force=force, handed=handed, paper=paper)
    results = list(failed)
    single = len(planned) + len(failed) == 1  # one report: its error is the one line said at the end
    if not single:
        for r in failed:
            _echo_err(f"Failed: {r.error}")
    progress = _progress(len(planned))

    def show(result: Any) -> None:
        if progress is not None:
            progress.update(1)
            if result.status == "failed":
                progress.write(f"Failed: {result.error}", file=sys.stderr)
            return
        if result.status == "failed" and single:
            return
        if result.status == "made":
            extra = " (and .pdf)" if result.job.pdf else ""
            # one report: the whole time the command took, its imports included (not a set-up before it)
            took = _waited() if single else result.seconds
            click.echo(f"Made {result.job.stem.with_suffix('.html')}{extra} in {took:.1f} s")
        elif result.status == "skipped":
            click.echo(f"Skipped {result.job.stem.with_suffix('.html')}: unchanged since it was made")
        else:
            _echo_err(f"Failed: {result.error}")

    results += publish.run(planned, workers=jobs, cell_timeout=cell_timeout, on_result=show)
    if progress is not None:
        progress.close()
    made = [r for r in results if r.status == "made"]
    skipped = [r for r in results if r.status == "skipped"]
    bad = [r for r in results if r.status == "failed"]
    if single and bad:
        raise ReportFailed(f"reflect: {bad[0].error or 'the report failed'}")
    if len(results) > 1:
        summary_line = f"{len(made)} made, {len(skipped)} skipped (unchanged), {len(bad)} failed in {_waited():.1f} s"
        if bad:
            summary_line = f"reflect: {summary_line}: " + "; ".join(r.error or "?" for r in bad)
        click.echo(summary_line, err=bool(bad))
    if len(results) == 1 and not bad:
        html = results[0].job.stem.with_suffix(".html").resolve()
        click.echo(f"Open it in any browser: {html.as_uri()}")
    if bad:
        raise ReportFailed("")


class ReportFailed(Exception):
    """Some report failed: main() prints the message, if any (what failed was already said), and
    exits 1."""


def _progress(total: int) -> Any:
    if total < 4 or not sys.stderr.isatty():
        return None
    import tqdm

    # no monitor thread: a process with a second thread cannot fork the report's helpers safely
    tqdm.tqdm.monitor_interval = 0
    return tqdm.tqdm(total=total, unit="report", file=sys.stderr)


def _waited() -> float:
    """Seconds since this command loaded the kit (``reflect.LOADED_AT``; the interpreter's own start,
    some 0.05 s, comes before). Not the process's start: ``scripts/monthly`` sets up the kit (a first
    run creates .venv/, a minute or two) and then ``exec``s this command in the same process."""
    import reflect

    return time.perf_counter() - reflect.LOADED_AT


@cli.command()
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
        line = f"v{v.number}  saved {v.saved_at[:19].replace('T', ' ')} UTC  via {v.source or '?'}{mark}\n    {scores}"
        if desired:
            line += f"\n    wants: {desired}"
        if notes and c.note:
            line += f"\n    note: {c.note}"
        _echo(line)


# -- backup / demo -----------------------------------------------------------------------------


@cli.command()
@click.argument("dest", type=click.Path())
@click.option("--overwrite", is_flag=True, help="Replace DEST if it exists.")
@db_option
def backup(dest: str, overwrite: bool, db: str | None) -> None:
    """Write a consistent copy of the store to DEST (a file, or a folder to put it in).

    Safe while the store is in use (for example, while a notebook is saving).
    """
    from reflect.storage.store import Store

    with Store(resolve_store_path(db), create=False) as store:
        target = store.backup(dest, overwrite=overwrite)
    _echo(f"Backed up {store.path} to {target}.")


@cli.command()
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same data.")
@click.option("--end", type=Month(), default=None, metavar="YYYY-MM",
              help="The demo's last month (default: last month).")
@click.option("--months", type=click.IntRange(12, 240), default=30, show_default=True)
@click.option("--db", "db", type=click.Path(dir_okay=False), default=None,
              help="Where to put the demo (default: data/demo.db, apart from your own store).")
def demo(seed: int, end: str | None, months: int, db: str | None) -> None:
    """Fill a store with a demo couple's history (Robin and Sam), to explore the kit.

    The demo goes into its own store, never into one that holds your check-ins.
    """
    from reflect.storage import demo as demo_mod
    from reflect.storage.store import Store
    from reflect.system.paths import demo_store_path

    with Store(db or demo_store_path()) as store:
        result = demo_mod.fill(store, seed=seed, end=end, months=months)
        months_held = store.months()
    _echo(
        f"Demo store {store.path}: {result.added} check-ins added, {result.updated} updated, "
        f"{result.unchanged} already there ({months_held[0]} to {months_held[-1]})."
    )


# -- app ---------------------------------------------------------------------------------------


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="The port to listen on (default: a free one).")
@click.option("--lan", is_flag=True,
              help="Serve it on your home network, for your phones (HTTPS; each signs in with their passphrase).")
@click.option("--address", default=None, metavar="IP",
              help="With --lan: which of this computer's addresses to serve on (default: its home-network one).")
@db_option
def app(port: int | None, lan: bool, address: str | None, db: str | None) -> None:
    """Serve the reflection form as a web page on this computer only, behind a token (or, with --lan, on
    your home network).

    For a partner who never uses Jupyter: open the address it prints in a browser on this computer,
    fill in the form and save. No code is shown, nothing is fetched from the internet, and no
    browser is opened for you. Ctrl-C stops it.

    With --lan, the same form is served to your home network, for each of you on your own phone:
    over HTTPS with a certificate the kit makes (its fingerprint is printed, to check the browser's
    warning against), at an address with a token, also shown as a QR code to scan. Everyone in the
    store must have a passphrase, and each partner signs in with theirs. Use it only on a network
    you trust, such as your own Wi-Fi at home.
    """
    from reflect.servers.app import serve

    if address is not None and not lan:
        raise click.UsageError("--address is for the home network: add --lan")
    serve(db, port=port, lan=lan, address=address, tell=click.echo)


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="The port to listen on (default: a free one).")
@db_option
def lab(port: int | None, db: str | None) -> None:
    """Open JupyterLab on the kit's notebooks, on this computer only, behind a token.

    It listens on 127.0.0.1, prints the address to open (token included), starts as root where it
    must (--allow-root), fetches nothing from the internet, and stops with this command. Ctrl-C
    stops it.
    """
    from reflect.servers.lab import serve

    serve(db, port=port, tell=click.echo)


# -- reminders ----------------------------------------------------------------------------------

#: Each kind of reminder in the words the user knows: the event's name, and the option that sets it.
REMINDER_WORDS = {"reflection": "our monthly reflection", "daily": "a moment for us (--daily)",
                  "weekly": "our phone-free hour (--weekly)", "special": "our special evening (--special)"}


@cli.command()
@click.option("--day", default="last-sunday", show_default=True, metavar="DAY",
              help="The monthly reflection's day: first|second|third|fourth|last-WEEKDAY (last-sunday, "
                   "first-saturday), or a date of the month from 1 to 28.")
@click.option("--time", "at", default="20:00", show_default=True, metavar="HH:MM",
              help="The monthly reflection's time (24-hour clock).")
@click.option("--daily", default=None, metavar="HH:MM",
              help="A daily moment: one appreciation, a long hug, a one-minute check-in.")
@click.option("--weekly", default=None, metavar="'WEEKDAY HH:MM'",
              help="A weekly phone-free hour, e.g. 'sunday 19:00'.")
@click.option("--special", default=None, metavar="'DAY HH:MM'",
              help="A monthly special evening, e.g. 'first-saturday 19:30' (DAY as for --day).")
@click.option("--address", default=None, metavar="URL",
              help="The app's address to put in each event (the token is left out; one with a space, a "
                   "control character or a user name or password is refused).")
@click.option("--out", default=None, type=click.Path(dir_okay=False),
              help="Where to write the calendar (default: beside the store, e.g. data/reflect-reminders.ics).")
@db_option
def remind(day: str, at: str, daily: str | None, weekly: str | None, special: str | None, address: str | None,
           out: str | None, db: str | None) -> None:
    """Write your rhythm as a calendar file (.ics) to import into any phone or desktop calendar.

    The monthly reflection on the day you choose, and, if you like, the 3x3 rhythm: a daily moment,
    a weekly phone-free hour, a monthly special evening. Run it again to change them: the same
    events are updated, not doubled (their UIDs are read back from the file, and SEQUENCE only goes
    up). The form and the report then mention your next reflection. --db must be a Reflect store.
    """
    from reflect.domain.reminders import Schedule, next_occurrence, next_reflection_words
    from reflect.errors import ValidationError
    from reflect.storage.reminders import default_path, write_reminders

    try:
        schedule = Schedule.create(day=day, time=at, daily=daily, weekly=weekly, special=special, address=address)
    except ValidationError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{exc.field}") from None
    store = resolve_store_path(db)
    written = write_reminders(schedule, store, out=out)
    now = dt.datetime.now()
    verb = "Updated" if written.updated else "Wrote"
    _echo(f"{verb} {written.path}: {', '.join(r.summary.lower() for r in schedule.reminders())}.")
    if written.cancelled:
        words = ", ".join(REMINDER_WORDS.get(kind, kind) for kind in written.cancelled)
        _echo(f"Taken off the calendar: {words} (left in the file as cancelled).")
    _echo(next_reflection_words(next_occurrence(schedule.reminders()[0], after=now), today=now.date()) + ".")
    _echo("Import the file into your calendar (open it on your phone, or use your calendar's Import); "
          "after a change, run this again and import it again: the same events are updated.")
    if out is not None and written.path.resolve() != default_path(store).resolve():
        _echo(f"The form and the report look for reminders beside the store ({default_path(store)}), "
              "so they will not mention this file.")


# -- rituals ------------------------------------------------------------------------------------


@cli.group()
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
        _echo(f"Nothing changed: {what} was already {'taken back' if undo else 'logged like this'}.")
    elif undo:
        _echo(f"Took back {what}; the history keeps it.")
    else:
        _echo(f"{'Logged' if status == 'added' else 'Updated'} {what}.")


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
    with _viewing(db) as store:
        items = store.rituals(month=month, person="" if together else person, kind=kind)
        kinds = store.ritual_kinds()
    if not items:
        _echo_err("No rituals logged" + (f" in {month}" if month else "") + ".")
        return
    for r in items:
        note = f"  {r.note}" if r.note else ""
        _echo(f"{r.day.isoformat()}  {r.kind:<16} {person_word(r.person):<12}{note}".rstrip())
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
    with _viewing(db) as store:
        kinds = store.ritual_kinds()
    for k in kinds.values():
        _echo(f"{k.key:<16} {k.cadence:<8} {k.label}" + (f": {k.description}" if k.description else ""))


@ritual.command("history")
@click.argument("kind")
@click.option("--date", "-d", "date", required=True, metavar="YYYY-MM-DD", help="The day.")
@click.option("--person", "-p", default=None, help="Who (default: together).")
@db_option
def ritual_history(kind: str, date: str, person: str | None, db: str | None) -> None:
    """Every saved version of one logged ritual, oldest first."""
    from reflect.errors import NoData
    from reflect.storage.store import Store

    with Store(resolve_store_path(db), create=False) as store:
        versions = store.ritual_history(person, date, kind)
    if not versions:
        raise NoData(f"no {kind} logged on {date}")
    for i, (saved_at, source, r) in enumerate(versions, 1):
        state = "done" if r.done else "taken back"
        note = f"  note: {r.note}" if r.note else ""
        _echo(f"v{i}  saved {saved_at[:19].replace('T', ' ')} UTC  via {source or '?'}  {state}{note}")


@ritual.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@passphrases_for_option
@db_option
def ritual_import(file: str, passphrases_for: tuple[tuple[str, str], ...], db: str | None) -> None:
    """Import rituals from CSV (date,person,kind,cadence,note): all of them, or none if any row is bad."""
    from reflect.storage.importing import import_rituals

    result, new_kinds = import_rituals(
        file, db, sign_in=lambda store, people: sign_in_each(store, people, passphrases_for))
    added = f" and {len(new_kinds)} new kind{'s' if len(new_kinds) != 1 else ''}" if new_kinds else ""
    _echo(f"Imported {result.total} rituals{added} from {file}: {result.added} new, {result.updated} updated, "
               f"{result.unchanged} unchanged.")


@ritual.command("export")
@click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@spreadsheet_option
@db_option
def ritual_export(file: str, force: bool, safe: bool, db: str | None) -> None:
    """Write the logged rituals as CSV to FILE (or - for standard output).

    FILE is written readable by you only (0600); standard output redirected to a file by your
    shell is not.
    """
    from reflect.domain.csvio import FormulaCells
    from reflect.domain.rituals import to_csv
    from reflect.storage.store import Store

    _refuse_to_overwrite(file, force)
    cells = FormulaCells(neutralise=safe)
    with Store(resolve_store_path(db), create=False) as store:
        text = to_csv(store.rituals(), {k.key: k.cadence for k in store.ritual_kinds().values()}, cells=cells)
    _write_output(file, text, "rituals", cells)


# -- the practices: agreements, repairs, consent lists, life events ----------------------------------


def _counts(added: int, updated: int, unchanged: int) -> str:
    return f"{added} new, {updated} updated, {unchanged} unchanged"


@cli.group()
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
    _echo({"added": f"Saved {what}: {item.text}", "updated": f"Updated {what} (the earlier words are kept in "
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
    _echo(f"Took back agreement {n} for {month_words(chosen)}; its history keeps it.")


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
    _echo(f"Saved {what}: {reply.answer}." if status != "unchanged" else f"Nothing changed: {what} was already "
          f"{reply.answer}.")


@agreement.command("list")
@month_option("Only this month (YYYY-MM).")
@db_option
def agreement_list(month: str | None, db: str | None) -> None:
    """The agreements, oldest first, with each person's "did we?"."""
    from reflect.analytics.agreements import answer_words

    with _viewing(db) as store:
        items = store.agreements(month=month)
        answers = store.agreement_answers(month=month)
    if not items:
        _echo_err("No agreements yet" + (f" for {month}" if month else "") + ".")
        return
    for a in items:
        given = {r.person: r.answer for r in answers if (r.month, r.number) == a.key}
        ties = ", ".join(t for t in (a.dimension, a.ritual) if t)
        _echo(f"{a.month}  {a.number}  {a.text}" + (f"  [{ties}]" if ties else "")
              + f"\n    did we? {answer_words(given)}")


@agreement.command("history")
@month_option("The month (YYYY-MM).")
@click.option("--number", "-n", default="1", show_default=True, metavar="N")
@db_option
def agreement_history(month: str | None, number: str, db: str | None) -> None:
    """Every version of one agreement, oldest first."""
    from reflect.errors import NoData
    from reflect.storage.store import Store

    if month is None:
        raise click.UsageError("give the agreement's --month")
    with Store(resolve_store_path(db), create=False) as store:
        versions = store.agreement_history(month, number)
    if not versions:
        raise NoData(f"there is no agreement {number} for {month}")
    for i, (saved_at, source, a) in enumerate(versions, 1):
        state = "" if a.active else "  (taken back)"
        _echo(f"v{i}  saved {saved_at[:19].replace('T', ' ')} UTC  via {source or '?'}{state}\n    {a.text}")


@agreement.command("export")
@click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@spreadsheet_option
@db_option
def agreement_export(file: str, force: bool, safe: bool, db: str | None) -> None:
    """Write the agreements and the answers as CSV to FILE (or - for standard output), owner-only."""
    from reflect.domain.agreements import to_csv
    from reflect.domain.csvio import FormulaCells
    from reflect.storage.store import Store

    _refuse_to_overwrite(file, force)
    cells = FormulaCells(neutralise=safe)
    with Store(resolve_store_path(db), create=False) as store:
        text = to_csv(store.agreements(), store.agreement_answers(), cells=cells)
    _write_output(file, text, "rows of agreements and answers", cells)


@agreement.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@passphrases_for_option
@db_option
def agreement_import(file: str, passphrases_for: tuple[tuple[str, str], ...], db: str | None) -> None:
    """Import agreements and answers from CSV (month,number,text,dimension,ritual,person,did_we): all or none."""
    from reflect.storage.importing import import_agreements

    counts = import_agreements(file, db, sign_in=lambda store, people: sign_in_each(store, people, passphrases_for))
    _echo(f"Imported {sum(counts)} rows from {file}: {_counts(*counts)}.")


# -- repairs --


@cli.group()
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
            _NOTES.append(f"{name} has no passphrase: anyone using the kit can read {name}'s repairs. Choose one: "
                          f"reflect person passphrase {name}")
        else:
            sign_in(store, name, passphrase_file)
        if number is not None:
            status = store.save_repair(item, source="cli")
        else:  # a new one, unless the same words were noted that day
            status, item = store.add_repair(item, source="cli")
    what = f"{name}'s repair {item.number} of {item.day.isoformat()} ({'shared' if item.shared else 'private'})"
    _echo({"added": f"Saved {what}. Repairing is a strength.", "updated": f"Updated {what}; the earlier version "
           "is kept in its history.", "unchanged": f"Nothing changed: {what} already says this."}[status])


@repair.command("list")
@month_option("Only this month (YYYY-MM).")
@as_option
@db_option
def repair_list(month: str | None, as_person: str | None, passphrase_file: str | None, db: str | None) -> None:
    """The repairs, oldest first: when, and how soon. With --as NAME, NAME's own words, and the
    partner's shared ones; never a partner's private words."""

    with _viewing(db) as store:
        _view_as(store, as_person, passphrase_file)
        items = store.repairs(parse_name(as_person) if as_person else None, month=month)
    if not items:
        _echo_err("No repairs noted" + (f" in {month}" if month else "") + ".")
        return
    for r in items:
        days = r.days_to_repair
        soon = "the same day" if days == 0 else f"{days} day{'s' if days != 1 else ''} after"
        head = f"{r.day.isoformat()}  {r.person}  {r.number}  ({soon}{', shared' if r.shared else ''})"
        if r.body is None:
            _echo(head + ("" if as_person is None else "  (private to its writer)"))
            continue
        lines = [head, f"    topic: {r.body.topic}"]
        lines += [f"    {step}: {text}" for step, text in (("own", r.body.own), ("offer", r.body.offer),
                                                            ("align", r.body.align)) if text]
        _echo("\n".join(lines))
    if as_person is None:
        _NOTES.append("Only when, and how soon: each writer reads their own words with --as NAME.")


@repair.command("topics")
@as_option
@db_option
def repair_topics(as_person: str | None, passphrase_file: str | None, db: str | None) -> None:
    """How often each topic came up in your own repairs (--as NAME): for you alone."""
    if as_person is None:
        raise click.UsageError("give --as NAME: topics are counted for their writer alone")
    with _viewing(db) as store:
        _view_as(store, as_person, passphrase_file)
        topics = store.repair_topics(parse_name(as_person))
    if not topics:
        _echo_err("No repairs of yours yet.")
        return
    for topic, n in topics:
        _echo(f"{n:>3}  {topic}" + ("  (comes back: worth a quiet talk)" if n >= 3 else ""))


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
    _echo(f"Took back {name}'s repair {n} of {day.isoformat()}; its history keeps it.")


@repair.command("history")
@click.option("--person", "-p", required=True)
@click.option("--date", "-d", "date", required=True, metavar="YYYY-MM-DD")
@click.option("--number", "-n", default="1", show_default=True, metavar="N")
@passphrase_file_option
@db_option
def repair_history(person: str, date: str, number: str, passphrase_file: str | None, db: str | None) -> None:
    """Every version of one of your repairs, oldest first (its writer signs in)."""
    from reflect.errors import NoData
    from reflect.storage.store import Store

    name = parse_name(person)
    with Store(resolve_store_path(db), create=False) as store:
        if store.person(name) is not None:
            sign_in(store, name, passphrase_file)
        versions = store.repair_history(name, date, number)
    if not versions:
        raise NoData(f"{name} noted no repair {number} on {date}")
    for i, (saved_at, source, r) in enumerate(versions, 1):
        state = ("shared" if r.shared else "private") + ("" if r.active else ", taken back")
        topic = r.body.topic if r.body is not None else "(sealed under a reset passphrase)"
        _echo(f"v{i}  saved {saved_at[:19].replace('T', ' ')} UTC  via {source or '?'}  {state}\n    topic: {topic}")


@repair.command("export")
@click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@spreadsheet_option
@passphrases_for_option
@db_option
def repair_export(file: str, force: bool, safe: bool, passphrases_for: tuple[tuple[str, str], ...],
                  db: str | None) -> None:
    """Write your repairs as CSV to FILE (or - for standard output), owner-only.

    Each person's repairs are included only when they sign in (asked for, Enter leaves theirs out;
    or --passphrase-for); a person without a passphrase is included as their notes are.
    """
    from reflect.domain.csvio import FormulaCells
    from reflect.domain.repairs import to_csv
    from reflect.storage.store import Store

    _refuse_to_overwrite(file, force)
    cells = FormulaCells(neutralise=safe)
    with Store(resolve_store_path(db), create=False) as store:
        writers = sorted({r.person for r in store.repairs()})
        protected = [p for p in writers if store.is_protected(p)]
        left_out = sign_in_each(store, protected, passphrases_for, optional=True)
        mine = [r for p in writers if p not in left_out for r in store.repairs(p, person=p) if r.body is not None]
        text = to_csv(mine, cells=cells)
    if left_out:
        _NOTES.append(f"Left out the repairs of {', '.join(left_out)} (not signed in).")
    _write_output(file, text, "repairs", cells)


@repair.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@passphrases_for_option
@db_option
def repair_import(file: str, passphrases_for: tuple[tuple[str, str], ...], db: str | None) -> None:
    """Import repairs from CSV (date,person,number,happened,topic,own,offer,align,shared): all or none."""
    from reflect.storage.importing import import_repairs

    counts = import_repairs(file, db, sign_in=lambda store, people: sign_in_each(store, people, passphrases_for))
    _echo(f"Imported {sum(counts)} repairs from {file}: {_counts(*counts)}.")


# -- consent --


def _as_required(as_person: str | None) -> str:
    if as_person is None:
        raise click.UsageError("give --as NAME: a yes / not now / no list is shown only to its person")
    return parse_name(as_person)


@cli.group()
def consent() -> None:
    """Your private yes / not now / no list (green, yellow, red: keep, adjust, pause).

    Each list is its person's alone (sealed with their passphrase). Your partner sees only what you
    both said yes to, and "not now" if you both choose to show it; never a no.
    """


@consent.command("items")
@db_option
def consent_items(db: str | None) -> None:
    """The items of the list: the gentle starting list, then the ones you added."""
    with _viewing(db) as store:
        items = store.consent_items()
    for item in items:
        _echo(item)


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
    _echo(f"Added \u201c{name}\u201d to your list." if added else f"\u201c{name}\u201d is on the list already.")
    close = close_items(name, before) if added else []
    if close:
        _NOTES.append(f"Close to \u201c{close[0]}\u201d, which is on the list too.")


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
    _echo(f"Saved, {name}. Your list is yours; your partner sees only what you both said yes to.")


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
        _view_as(store, name, passphrase_file)
        current = store.consent_list(name) or ConsentList(person=name)
        store.save_consent(replace(current, show_not_now=not hide), source="cli")
    _echo(f"{name}, your \u201cnot now\u201d " + ("stays yours." if hide else
          "is shown to your partner once they choose to show theirs too."))


@consent.command("list")
@as_option
@db_option
def consent_list(as_person: str | None, passphrase_file: str | None, db: str | None) -> None:
    """Your own list (--as NAME): every item and your answer."""
    from reflect.domain.consent import SIGNALS, item_key

    name = _as_required(as_person)
    with _viewing(db) as store:
        _view_as(store, name, passphrase_file)
        mine = store.consent_list(name)
        items = store.consent_items()
    answers = {item_key(i): a for i, a in (mine.answers.items() if mine else [])}
    width = max(len(i) for i in items)
    for item in items:
        answer = answers.get(item_key(item))
        _echo(f"{item:<{width}}  " + (f"{answer} ({SIGNALS[answer]})" if answer else "-"))
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
    with _viewing(db) as store:
        _view_as(store, name, passphrase_file)
        views = store.consent_shared(name)
    if not views:
        _echo_err("There is no one else in this store yet.")
        return
    for view in views:
        if not view.known:
            _echo(f"With {view.partner}: {view.why}")
            continue
        yes = [i for i, s in view.items if s == YES]
        later = [i for i, s in view.items if s != YES]
        _echo(f"What you and {view.partner} both said yes to: " + ("; ".join(yes) if yes else "nothing yet") + ".")
        if later:
            _echo("Not now, for now: " + "; ".join(later) + ".")


@consent.command("history")
@as_option
@db_option
def consent_history(as_person: str | None, passphrase_file: str | None, db: str | None) -> None:
    """Every version of your list (--as NAME), oldest first: yours alone."""
    name = _as_required(as_person)
    with _viewing(db) as store:
        _view_as(store, name, passphrase_file)
        versions = store.consent_history(name)
    if not versions:
        _echo_err(f"No list yet, {name}.")
        return
    for i, (saved_at, source, lst) in enumerate(versions, 1):
        answers = "sealed under a reset passphrase" if lst is None else "; ".join(
            f"{item}: {a}" for item, a in lst.answers.items())
        _echo(f"v{i}  saved {saved_at[:19].replace('T', ' ')} UTC  via {source or '?'}\n    {answers}")


@consent.command("export")
@click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@spreadsheet_option
@as_option
@db_option
def consent_export(file: str, force: bool, safe: bool, as_person: str | None, passphrase_file: str | None,
                   db: str | None) -> None:
    """Write your own list (--as NAME) as CSV to FILE (or - for standard output), owner-only."""
    from reflect.domain.consent import to_csv
    from reflect.domain.csvio import FormulaCells
    from reflect.storage.store import Store

    name = _as_required(as_person)
    _refuse_to_overwrite(file, force)
    cells = FormulaCells(neutralise=safe)
    with Store(resolve_store_path(db), create=False) as store:
        _view_as(store, name, passphrase_file)
        mine = store.consent_list(name)
        text = to_csv([mine] if mine else [], cells=cells)
    _write_output(file, text, "answers", cells)


@consent.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@passphrases_for_option
@db_option
def consent_import(file: str, passphrases_for: tuple[tuple[str, str], ...], db: str | None) -> None:
    """Import answers from CSV (person,item,answer), laid over each person's list: all or none.
    Each person in the file signs in."""
    from reflect.storage.importing import import_consent

    counts = import_consent(file, db, sign_in=lambda store, people: sign_in_each(store, people, passphrases_for))
    _echo(f"Imported the lists of {sum(counts)} {'person' if sum(counts) == 1 else 'people'} from {file}: "
          f"{_counts(*counts)}.")


# -- life events --


@cli.group()
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
    _echo({"added": f"Marked {what}: {item.words}", "updated": f"Updated {what} (the earlier words are kept).",
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
    _echo(f"Took back the {current.kind} of {current.day.isoformat()}; its history keeps it.")


@event.command("list")
@db_option
def event_list(db: str | None) -> None:
    """The life events, oldest first."""
    with _viewing(db) as store:
        items = store.life_events()
    if not items:
        _echo_err("No life events marked.")
        return
    for e in items:
        _echo(f"{e.day.isoformat()}  {e.kind:<8} {e.words}")


@event.command("history")
@click.option("--date", "-d", "date", required=True, metavar="YYYY-MM-DD")
@click.option("--kind", "-k", default="other", show_default=True)
@db_option
def event_history(date: str, kind: str, db: str | None) -> None:
    """Every version of one life event, oldest first."""
    from reflect.errors import NoData
    from reflect.storage.store import Store

    with Store(resolve_store_path(db), create=False) as store:
        versions = store.event_history(date, kind)
    if not versions:
        raise NoData(f"no {kind} marked on {date}")
    for i, (saved_at, source, e) in enumerate(versions, 1):
        _echo(f"v{i}  saved {saved_at[:19].replace('T', ' ')} UTC  via {source or '?'}"
              f"{'' if e.active else '  (taken back)'}\n    {e.words}")


@event.command("export")
@click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@spreadsheet_option
@db_option
def event_export(file: str, force: bool, safe: bool, db: str | None) -> None:
    """Write the life events as CSV to FILE (or - for standard output), owner-only."""
    from reflect.domain.csvio import FormulaCells
    from reflect.domain.lifeevents import to_csv
    from reflect.storage.store import Store

    _refuse_to_overwrite(file, force)
    cells = FormulaCells(neutralise=safe)
    with Store(resolve_store_path(db), create=False) as store:
        text = to_csv(store.life_events(), cells=cells)
    _write_output(file, text, "life events", cells)


@event.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
def event_import(file: str, db: str | None) -> None:
    """Import life events from CSV (date,kind,words): all or none."""
    from reflect.storage.importing import import_events

    counts = import_events(file, db)
    _echo(f"Imported {sum(counts)} life events from {file}: {_counts(*counts)}.")


# -- people and passphrases -------------------------------------------------------------------

@cli.group()
def person() -> None:
    """The people of a store, and their passphrases.

    A person with a passphrase is the only one who can see and change their check-ins before their
    partner has answered, and the only one who can read their notes (unless they share them).
    """


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
    _echo(f"{parse_name(old)} is now called {parse_name(new)}; everything saved is kept.")


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
    _echo(f"Merged {typo} into {name}: {moved} record{'s' if moved != 1 else ''} moved"
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
    _echo(f"Removed {name}; nothing was saved under that name.")


@person.command("list")
@db_option
def person_list(db: str | None) -> None:
    """Everyone in the store, whether they have a passphrase, and what happened to passphrases."""
    from reflect.storage.store import EVENT_WORDS, Store

    with Store(resolve_store_path(db), create=False) as store:
        people = store.persons()
        events = store.people_events()
    if not people:
        _echo_err("No one yet.")
        return
    for p in people:
        state = ("passphrase" if p.protected else
                 "no passphrase (chosen)" if p.chose_no_passphrase else "no passphrase yet")
        click.echo(f"{p.name:<20} {state}")
    if events:
        click.echo("")
        for e in events:
            by = f" (while {e.by} was signed in)" if e.by and e.event == "passphrase-reset" else ""
            _echo(f"{e.at[:16].replace('T', ' ')} UTC  {e.person} {EVENT_WORDS.get(e.event, e.event)}{by}")


# -- entry point -------------------------------------------------------------------------------


def _stop_cleanly_on_sigterm() -> None:
    """On SIGTERM (cron, a systemd timeout, ``kill``), leave by an exception, so that every
    ``finally`` runs: temporary folders are removed and child processes stopped. Processes forked
    from this one keep the default action."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread can handle signals
    me = os.getpid()

    def stop(signum: int, frame: Any) -> None:
        if os.getpid() != me:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn every error into one line on stderr and a non-zero exit."""
    import sqlite3

    from reflect.errors import ReflectError
    from reflect.storage.storefile import describe_error

    _NOTES.clear()
    _stop_cleanly_on_sigterm()
    args = sys.argv[1:] if argv is None else argv
    for i, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            _echo_err(f"reflect: argument {i} is not valid UTF-8 text ({arg.encode('utf-8', 'surrogateescape')!r}); "
                      "Reflect takes UTF-8 names and values only")
            sys.exit(EXIT_USAGE)
    try:
        cli.main(args=args, prog_name="reflect", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _echo_err("reflect: aborted")
        sys.exit(EXIT_ERROR)
    except click.UsageError as exc:
        cmd = exc.ctx.command_path if exc.ctx else "reflect"
        _echo_err(f"{cmd}: {exc.format_message()} (see `{cmd} --help`)")
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        _echo_err(f"reflect: {exc.format_message()}")
        sys.exit(exc.exit_code)
    except ReflectError as exc:
        _echo_err(f"reflect: {exc}")
        sys.exit(EXIT_ERROR)
    except ReportFailed as exc:
        if str(exc):
            _echo_err(str(exc))
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        _echo_err("reflect: interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_ERROR)
    except OSError as exc:  # a file the kit was asked to use, and the system refused
        where = f"{exc.filename}: " if exc.filename else ""
        _echo_err(f"reflect: {where}{describe_error(exc)}")
        sys.exit(EXIT_ERROR)
    except sqlite3.Error as exc:
        _echo_err(f"reflect: the store could not be used: {describe_error(exc)}")
        sys.exit(EXIT_ERROR)
    except UnicodeError:  # e.g. a REFLECT_DB or REFLECT_HOME that is not UTF-8
        _echo_err("reflect: a file name or a value (perhaps in REFLECT_DB or REFLECT_HOME) is not valid UTF-8 text")
        sys.exit(EXIT_ERROR)
    except Exception as exc:  # pragma: no cover - a bug; still no traceback for the user
        if os.environ.get("REFLECT_DEBUG"):
            raise
        _echo_err(
            f"reflect: unexpected error: {type(exc).__name__}: {exc} "
            "(set REFLECT_DEBUG=1 to see the details)"
        )
        sys.exit(EXIT_ERROR)
    for note in _NOTES:
        _echo_err(note)
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
