"""What the commands share: the options every subject uses (--db, --month, --as, the passphrase
options), signing in, printing, the notes said after a command, CSV output, and the error handling
that turns every error the kit raises on purpose into one line on stderr and a non-zero exit."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import click

from reflect.domain.text import printable

log = logging.getLogger("reflect")

EXIT_ERROR = 1
EXIT_USAGE = 2


def setup_logging(verbose: bool) -> None:
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


def echo_err(message: str) -> None:
    click.echo(printable(message), err=True)


def echo(message: str) -> None:
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


def ask_passphrase(prompt: str) -> str:
    return str(click.prompt(prompt, hide_input=True, default="", show_default=False, err=True))


def sign_in(store: Any, name: str, passphrase_file: str | None = None, *, optional: bool = False,
            option: str = "--passphrase-file FILE") -> bool:
    """Sign ``name`` in to ``store``: no passphrase needed for someone without one; else from the
    file, or asked for (hidden) on a terminal, three tries. ``optional``: an empty answer skips
    (returns False)."""

    from reflect.errors import NotSignedIn, SignInDelayed, WrongPassphrase
    from reflect.storage.keys import read_passphrase_file

    if not store.is_protected(name):
        if store.person(name) is not None:
            store.sign_in(name)
        return True
    if passphrase_file is not None:
        store.sign_in(name, read_passphrase_file(passphrase_file))
        tell(store, name)
        return True
    if not sys.stdin.isatty():
        if optional:
            return False
        raise NotSignedIn(f"{name} has a passphrase: give it with {option} "
                          "(standard input is not a terminal, so it cannot be asked for)")
    for attempt in range(3):
        given = ask_passphrase(f"{name}'s passphrase" + (" (Enter to skip)" if optional else ""))
        if not given:
            if optional:
                return False
            raise NotSignedIn(f"{name} has a passphrase: nothing was done without it")
        try:
            store.sign_in(name, given)
            tell(store, name)
            return True
        except SignInDelayed as exc:
            echo_err(f"reflect: {exc}; waiting ...")
            time.sleep(exc.wait)
        except WrongPassphrase as exc:
            if attempt == 2:
                raise
            echo_err(f"reflect: {exc}")
    raise WrongPassphrase(f"that is not {name}'s passphrase")  # pragma: no cover


def tell(store: Any, name: str) -> None:
    """Say what ``name`` must be told now they signed in (a reset of their passphrase, and what their
    partner appreciated about them since they last looked, once), on stderr."""
    for notice in store.notices(name):
        echo_err(f"reflect: {notice}")
    for item in store.new_appreciations(name):
        echo_err(f"New from {item.person} ({item.day.isoformat()}): \u201c{item.text}\u201d")


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


# -- CSV out ----------------------------------------------------------------------------------


def spreadsheet_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--safe-for-spreadsheets", "safe", is_flag=True,
        help="Put ' before every cell that starts with = + - @, a tab or a carriage return, so that a "
             "spreadsheet shows it as text instead of running it as a formula. Such a file is for "
             "reading in a spreadsheet, not for importing back (the CSV is exact without this option).",
    )(f)


def refuse_to_overwrite(file: str, force: bool) -> None:
    from reflect.errors import ReflectError

    if not file.strip():
        raise click.UsageError("FILE cannot be empty: give a file name, or - for standard output")
    if file != "-" and os.path.lexists(file) and not force:
        raise ReflectError(f"{file} already exists; use --force to replace it")


def write_output(file: str, text: str, what: str, cells: Any) -> None:
    """CSV ``text`` to standard output (``-``), or to ``file`` atomically and owner-only; then a
    word on the cells a spreadsheet would run as formulas, if there are any."""
    from reflect.system.paths import write_private

    if file == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_private(file, text)
        echo_err(f"Exported {text.count(chr(10)) - 1} {what} to {file}.")
    if cells.count and cells.neutralise:
        echo_err(f"{cells.count} cell{'s' if cells.count != 1 else ''} starting with = + - @, a tab or a carriage "
                  "return were made plain text for spreadsheets (a ' in front).")
    elif cells.count:
        echo_err(f"reflect: warning: {cells.count} cell{'s' if cells.count != 1 else ''} start with = + - @, a tab "
                  "or a carriage return, which a spreadsheet may run as a formula; to open the file in a "
                  "spreadsheet, export with --safe-for-spreadsheets.")

# -- notes and views ----------------------------------------------------------------------------

#: Notes for the user, printed on stderr once a command has succeeded (an error stays one line).
NOTES: list[str] = []


def viewing(db: str | None):
    from reflect.storage.demo import open_for_viewing

    store, is_demo = open_for_viewing(db)
    if is_demo:
        NOTES.append(
            f"No check-ins of your own yet: showing the demo couple ({store.path}). "
            "Add yours with `reflect add` or the reflection notebook."
        )
    return store


def as_option(f: Callable[..., Any]) -> Callable[..., Any]:
    f = passphrase_file_option(f)
    return click.option("--as", "as_person", default=None, metavar="NAME",
                        help="See as NAME (signs NAME in): NAME's own answers too, even those still sealed.")(f)


def view_as(store: Any, name: str | None, passphrase_file: str | None) -> None:
    if name is None:
        return
    name = parse_name(name)
    if store.person(name) is None:
        raise click.UsageError(f"there is no one called {name} in this store")
    sign_in(store, name, passphrase_file)


def count_words(added: int, updated: int, unchanged: int) -> str:
    return f"{added} new, {updated} updated, {unchanged} unchanged"


class ReportFailed(Exception):
    """Some report failed: main() prints the message, if any (what failed was already said), and
    exits 1."""


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


def run(group: click.Group, argv: list[str] | None = None) -> None:
    """Run ``group`` as the command line; turn every error into one line on stderr and a non-zero exit."""
    import sqlite3

    from reflect.errors import ReflectError
    from reflect.storage.storefile import describe_error

    NOTES.clear()
    _stop_cleanly_on_sigterm()
    args = sys.argv[1:] if argv is None else argv
    for i, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            echo_err(f"reflect: argument {i} is not valid UTF-8 text ({arg.encode('utf-8', 'surrogateescape')!r}); "
                      "Reflect takes UTF-8 names and values only")
            sys.exit(EXIT_USAGE)
    try:
        group.main(args=args, prog_name="reflect", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        echo_err("reflect: aborted")
        sys.exit(EXIT_ERROR)
    except click.UsageError as exc:
        cmd = exc.ctx.command_path if exc.ctx else "reflect"
        echo_err(f"{cmd}: {exc.format_message()} (see `{cmd} --help`)")
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        echo_err(f"reflect: {exc.format_message()}")
        sys.exit(exc.exit_code)
    except ReflectError as exc:
        echo_err(f"reflect: {exc}")
        sys.exit(EXIT_ERROR)
    except ReportFailed as exc:
        if str(exc):
            echo_err(str(exc))
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        echo_err("reflect: interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_ERROR)
    except OSError as exc:  # a file the kit was asked to use, and the system refused
        where = f"{exc.filename}: " if exc.filename else ""
        echo_err(f"reflect: {where}{describe_error(exc)}")
        sys.exit(EXIT_ERROR)
    except sqlite3.Error as exc:
        echo_err(f"reflect: the store could not be used: {describe_error(exc)}")
        sys.exit(EXIT_ERROR)
    except UnicodeError:  # e.g. a REFLECT_DB or REFLECT_HOME that is not UTF-8
        echo_err("reflect: a file name or a value (perhaps in REFLECT_DB or REFLECT_HOME) is not valid UTF-8 text")
        sys.exit(EXIT_ERROR)
    except Exception as exc:  # pragma: no cover - a bug; still no traceback for the user
        if os.environ.get("REFLECT_DEBUG"):
            raise
        echo_err(
            f"reflect: unexpected error: {type(exc).__name__}: {exc} "
            "(set REFLECT_DEBUG=1 to see the details)"
        )
        sys.exit(EXIT_ERROR)
    for note in NOTES:
        echo_err(note)
    sys.exit(0)

