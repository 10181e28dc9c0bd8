"""reflect report: the monthly report, one or many."""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from reflect.cli.common import (
    NOTES,
    Month,
    ReportFailed,
    echo_err,
    passphrases_for_option,
    sign_in_each,
)


@click.command()
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
            NOTES.append(
                f"No check-ins of your own yet: showing the demo couple ({stores[0]}). "
                "Add yours with `reflect add` or the reflection notebook."
            )
        if not include_notes and _keeps_consent_lists(stores):
            # the letter names no command line: what --include-notes adds is said here
            NOTES.append("Your yes / not now / no lists stay out of the report. `reflect report --include-notes` "
                         "adds what you both said yes to (never a no), for those of you who sign in.")
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
    from reflect.analytics import appreciations
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
            echo_err(f"{path}: each of you may include your notes in the report with your passphrase "
                      "(Enter leaves yours out).")
        left_out = sign_in_each(store, protected, passphrases_for, optional=True)
        notes = store.signed_in_notes()
        # what each couple both said yes to, as those who signed in see it (never a list, never a no)
        consent = [{"people": [v.person, v.partner], "items": list(v.items)} for v in store.consent_shared_views()]
        # the appreciations you wrote each other, for "this month last year": only when both of you signed in
        both_in = len(store.persons()) == 2 and not left_out
        words = [a for m in (store.months() if both_in else [])
                 for a in appreciations.month_appreciations(store, m)]
    return Handover.of(notes, left_out, consent, words)


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
            echo_err(f"Failed: {r.error}")
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
            echo_err(f"Failed: {result.error}")

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


def _keeps_consent_lists(stores: list) -> bool:
    """Whether anyone keeps a yes / not now / no list in one of ``stores``."""
    from reflect.storage.store import Store

    for path in stores:
        try:
            with Store(path, create=False) as store:  # a hint only: never makes or changes a store
                if store.consent_people():
                    return True
        except Exception:  # noqa: BLE001 - a hint only: the report says what is wrong with a store
            continue
    return False
