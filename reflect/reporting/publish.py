"""Making the monthly report: run the report notebook headless, write HTML (and PDF).

The report notebook is run by papermill (``papermill.execute_notebook``) with the kit's own
papermill engine, ``reflect`` (:mod:`reflect.reporting.engine`), which executes it in this process, so that
no kernel has to start and re-import pandas and altair for every report; a batch pays those
imports once. Plain papermill runs the same notebook with a real kernel. The executed notebook is
exported to self-contained HTML with the kit's template (:mod:`reflect.reporting.pages`: no code, no script
or style from a network), and Debian's chromium prints the HTML to PDF when asked.

A report records a fingerprint of its inputs (the check-ins it read, its parameters, the notebook
and the kit's version) in the executed notebook; ``--all`` skips a month whose fingerprint has not
changed, so a changed store never leaves a stale report behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from reflect import __version__
from reflect.analytics.phrases import sealed_words
from reflect.domain.months import add_months, month_start
from reflect.errors import ReflectError, StoreError
from reflect.reporting.handover import Handover, offered, without_private
from reflect.reporting.params import resolve_month
from reflect.storage.store import Store
from reflect.system.paths import kit_notebooks, make_private_dirs, reports_dir, write_private

log = logging.getLogger(__name__)

REPORT_NOTEBOOK = "monthly_report.ipynb"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


class ReportError(ReflectError):
    """A report could not be made (bad output folder, chromium missing, a failed run...)."""


@dataclass(frozen=True)
class ReportJob:
    """One report to make: a store, a month, where to write it and how."""

    store: Path
    month: str
    out_dir: Path
    include_notes: bool = False
    pdf: bool = False
    force: bool = False
    #: with include_notes: what the people who signed in hand over, this month's notes only
    #: (in memory: never in a file, never a notebook parameter; see reflect.reporting.handover)
    handover: Handover | None = field(default=None, repr=False, compare=False)
    paper: str = "a4"  # the PDF's paper: "a4" or "letter" (see paper_for_locale)
    #: the folders this run made for the report (deepest first), removed if it leaves them empty
    new_folders: tuple[Path, ...] = field(default=(), compare=False)

    @property
    def stem(self) -> Path:
        return self.out_dir / self.month

    def files(self) -> list[Path]:
        suffixes = [".ipynb", ".html", *([".pdf"] if self.pdf else [])]
        return [self.stem.with_suffix(s) for s in suffixes]


@dataclass
class ReportResult:
    job: ReportJob
    status: str  # "made", "skipped" or "failed"
    files: list[Path] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


# -- planning (cheap: no pandas, no kernel) -----------------------------------------------------


def notebook_path() -> Path:
    """The report notebook, shipped with the package (``reflect.notebooks``; in a checkout, its
    ``notebooks/`` folder)."""
    path = kit_notebooks() / REPORT_NOTEBOOK
    if not path.is_file():
        raise ReportError(f"{path}: the report notebook is missing")
    return path


def stores_to_report(dbs: Sequence[str | os.PathLike[str]] = ()) -> tuple[list[Path], bool]:
    """The stores to report on, and whether they are the demo couple's: each store named (once;
    one that is missing or broken is reported by :func:`plan`, and a batch goes on), else the one
    every command uses (``$REFLECT_DB``, else yours, else the demo couple's while yours is empty,
    see :func:`reflect.storage.demo.open_for_viewing`)."""
    from reflect.system.paths import resolve_store_path, store_was_chosen

    if dbs:
        unique = {str(Path(d).expanduser().resolve()): Path(d).expanduser() for d in dbs}
        return list(unique.values()), False
    if store_was_chosen(None):  # $REFLECT_DB: a missing one is said by the plan, as for --db
        return [resolve_store_path(None)], False
    from reflect.storage.demo import open_for_viewing

    store, is_demo = open_for_viewing(None)
    with store:
        assert store.path is not None
        return [store.path], is_demo


def plan(
    stores: Sequence[Path],
    *,
    month: str | None = None,
    all_months: bool = False,
    out_dir: Path | None = None,
    include_notes: bool = False,
    pdf: bool = False,
    force: bool = False,
    handed: Mapping[Path, Handover] | None = None,
    paper: str | None = None,
) -> tuple[list[ReportJob], list[ReportResult]]:
    """The reports to make for ``stores``.

    Checks everything that can be checked before a kernel starts: the month, that each store
    opens and has check-ins that month, and that the output folder can be written. A store that
    fails is returned as a failed result, so that a batch goes on with the others.

    Each store's reports go to a folder of its own (:func:`report_folders`) under ``out_dir``
    (default: ``reports/`` in the project); only one store with an explicit ``out_dir`` writes
    into ``out_dir`` itself. A folder made here for a store that fails is removed again if it is
    left empty (:func:`remove_left_empty`).

    ``handed``: for each store, what the people who signed in hand over (``--include-notes``);
    each report gets the notes of its own month only.
    """
    paper = paper or paper_for_locale()
    if paper not in PAPER_SIZES:
        raise ReportError(f"unknown paper size {paper!r}: use {' or '.join(PAPER_SIZES)}")
    base = Path(out_dir) if out_dir else reports_dir()
    folders = {stores[0]: base} if out_dir and len(stores) == 1 else report_folders(stores, base)
    jobs: list[ReportJob] = []
    failed: list[ReportResult] = []
    for path in stores:
        target = folders[path]
        made = _missing_folders(target)
        try:
            with Store(path, create=False) as store:
                months, sealed = store.months(), store.sealed_count()
            chosen = months if all_months else [resolve_month(month, months, sealed=sealed)]
            if not chosen:
                raise ReportError(f"{path}: no check-ins to show yet, so there is nothing to report"
                                  f"{sealed_words(sealed)}")
            _check_writable(target)
            if target != base:
                _claim(target, path)
        except ReflectError as exc:
            message = str(exc)
            if str(path) not in message:
                message = f"{path}: {message}"
            stub = ReportJob(path, month or "-", target)
            failed.append(ReportResult(stub, "failed", error=message))
            remove_left_empty(made)
            continue
        given = (handed or {}).get(path) if include_notes else None
        jobs += [ReportJob(path, m, target, include_notes, pdf, force, paper=paper, new_folders=made,
                           handover=given.for_month(m) if given is not None else None) for m in chosen]
    return jobs, failed


def _missing_folders(folder: Path) -> tuple[Path, ...]:
    """``folder`` and the folders above it that do not exist yet (deepest first)."""
    missing: list[Path] = []
    current = Path(os.path.abspath(folder))
    while not os.path.lexists(current) and current != current.parent:
        missing.append(current)
        current = current.parent
    return tuple(missing)


def remove_left_empty(folders: Iterable[Path]) -> None:
    """Remove each of ``folders`` (deepest first) that holds nothing, or nothing but its
    :data:`FOLDER_MARKER`: what a run that made them and then failed (a full disk) leaves."""
    for folder in folders:
        try:
            if os.listdir(folder) == [FOLDER_MARKER]:
                os.unlink(folder / FOLDER_MARKER)
            os.rmdir(folder)
        except OSError:  # not empty (a report was made there meanwhile), or already gone
            if os.path.lexists(folder):
                return


#: In each store's report folder: the store it belongs to (its resolved path).
FOLDER_MARKER = ".reflect-store"


def report_folders(stores: Sequence[Path], base: Path) -> dict[Path, Path]:
    """The report folder of each store under ``base``: the store's file name without the extension
    (``reports/reflect/``, the demo couple's ``reports/demo/``).

    Two stores never share a folder: a folder records its store (:data:`FOLDER_MARKER`), a store
    goes back to the folder that records it, and a name already taken gets the store's own
    folder's name in front (``c1-reflect``, ``c2-reflect``), then a number. Names are given in
    the order of the stores' full paths, so they do not depend on the order of ``--db``.
    """
    owners: dict[str, str] = {}
    if base.is_dir():
        for sub in base.iterdir():
            try:
                owners[sub.name] = (sub / FOLDER_MARKER).read_text(encoding="utf-8").strip()
            except OSError:
                continue
    stems = [_stem(p) for p in stores]
    folders: dict[Path, Path] = {}
    for path in sorted(stores, key=lambda p: str(p.resolve())):
        key = str(path.resolve())
        mine = sorted(name for name, owner in owners.items() if owner == key)
        if mine:
            folders[path] = base / mine[0]
            continue
        long = f"{path.resolve().parent.name}-{_stem(path)}".lstrip(".")
        names = [_stem(path)] if stems.count(_stem(path)) == 1 else []
        names += [long, *(f"{long}-{n}" for n in range(2, len(owners) + 3))]
        name = next(n for n in names if n not in owners)
        owners[name] = key
        folders[path] = base / name
    return folders


def _claim(folder: Path, store: Path) -> None:
    """Record in ``folder`` that it holds ``store``'s reports."""
    marker = folder / FOLDER_MARKER
    if not marker.exists():
        write_private(marker, str(store.resolve()) + "\n")


def _stem(store: Path) -> str:
    """A store's name for its folder: never "..", "." or hidden, so the folder stays inside --out."""
    return store.stem.lstrip(".") or "store"


def _check_writable(folder: Path) -> None:
    try:
        make_private_dirs(folder)
    except OSError as exc:
        raise ReportError(f"{folder}: cannot create the output folder ({exc.strerror})") from None
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise ReportError(f"{folder}: the output folder is not writable")


def inputs_fingerprint(job: ReportJob, notebook: Path) -> str:
    """What a report depends on: the check-ins and rituals up to the end of its month (their saved
    versions), the ritual kinds, its parameters, who signed in to hand over their notes (a report
    made with Sam's notes is not the one made without them), the report notebook and the kit's code."""
    end = month_start(add_months(job.month, 1)).isoformat()
    with Store(job.store, create=False) as store:
        rows = store.report_inputs(end)
    digest = hashlib.sha256()
    left_out = sorted(job.handover.left_out) if job.include_notes and job.handover is not None else None
    digest.update(json.dumps([__version__, job.month, job.include_notes, str(job.store.resolve()), job.paper,
                              left_out]).encode())
    digest.update(notebook.read_bytes())
    digest.update(_code_digest())
    for row in rows:
        digest.update("\x1f".join(map(str, row)).encode() + b"\x1e")
    return digest.hexdigest()


_CODE_DIGEST: bytes | None = None


def _code_digest() -> bytes:
    """The kit's own code and templates: a change to how reports are made remakes them."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        digest = hashlib.sha256()
        package = Path(str(resources.files("reflect")))
        for path in sorted([*package.rglob("*.py"), *package.joinpath("templates").rglob("*")]):
            if path.is_file():
                digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        _CODE_DIGEST = digest.digest()
    return _CODE_DIGEST


def is_up_to_date(job: ReportJob, fingerprint: str) -> bool:
    if not all(f.exists() for f in job.files()):
        return False
    pdf = job.stem.with_suffix(".pdf")
    if pdf.exists() and pdf.stat().st_mtime < job.stem.with_suffix(".ipynb").stat().st_mtime:
        return False  # a PDF older than its page: print it again
    try:
        made = json.loads(job.stem.with_suffix(".ipynb").read_text(encoding="utf-8"))
        page = job.stem.with_suffix(".html").read_bytes()
    except (OSError, ValueError):
        return False
    recorded = made.get("metadata", {}).get("reflect", {})
    if recorded.get("inputs") != fingerprint:
        return False
    # the page beside it must be the one that run wrote (not missing, not left from another run)
    return recorded.get("outputs", {}).get("html") == hashlib.sha256(page).hexdigest()


# -- running ------------------------------------------------------------------------------------


def execute(job: ReportJob, notebook: Path, fingerprint: str, *, cell_timeout: float | None = None) -> Any:
    """Run the report notebook for ``job`` through papermill with the ``reflect`` engine (this
    process, no kernel): parameters, metadata and errors are papermill's own."""
    import papermill
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    from reflect.reporting.engine import NAME
    from reflect.reporting.execute import DEFAULT_CELL_TIMEOUT_S

    params: dict[str, Any] = {"month": job.month, "db": str(job.store.resolve()), "include_notes": job.include_notes}
    # the notes are held in this process for the notebook run here to take: never a parameter or a file
    holding = (offered(job.store, job.month, job.handover) if job.include_notes and job.handover
               else contextlib.nullcontext())
    try:
        with holding:
            nb = papermill.execute_notebook(
                str(notebook), None, parameters=params, engine_name=NAME, kernel_name="python3", language="python",
                progress_bar=False, cwd=str(notebook.parent), execution_timeout=cell_timeout,
            )
    except PapermillExecutionError as exc:
        raise ReportError(_explain_failure(exc.ename, exc.evalue)) from None
    except CellTimeoutError:  # nbclient's, as with a kernel
        limit = cell_timeout or DEFAULT_CELL_TIMEOUT_S
        raise ReportError(_explain_failure("CellTimeout", f"the cell ran longer than {limit:g} s (the cell timeout)")
                          ) from None
    for cell in nb.cells:  # papermill lets a sys.exit(0) pass; for a report it is a failure too
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise ReportError(_explain_failure(output.ename, output.evalue))
    nb.metadata["title"] = f"Reflect: {month_start(job.month):%B %Y}"
    nb.metadata["reflect"] = {"inputs": fingerprint, "version": __version__, "month": job.month}
    return nb


def find_chromium() -> str:
    for name in (os.environ.get("REFLECT_CHROMIUM"), *CHROMIUM_NAMES):
        if name and (found := shutil.which(name)):
            return found
    raise ReportError(
        "PDF reports need Chromium, which is not installed (on Debian or Ubuntu: "
        "sudo apt-get install chromium); the HTML report was written"
    )


#: The paper sizes a PDF report can be printed on, as CSS names them.
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
#: Where paper is US Letter (the territories whose LC_PAPER is Letter in glibc's locale data);
#: everywhere else uses A4.
LETTER_TERRITORIES = frozenset({"US", "CA", "MX", "PH", "PR", "CL", "CO", "CR", "GT", "NI", "PA", "SV", "VE", "DO"})


def paper_for_locale(environ: Mapping[str, str] | None = None) -> str:
    """``letter`` where the locale's territory uses US Letter (``en_US.UTF-8``, ``fr_CA``...), else ``a4``.

    The locale is the first of ``LC_ALL``, ``LC_PAPER`` and ``LANG`` that is set, as for any
    program; ``C`` or ``POSIX`` (no territory) means A4.
    """
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_PAPER", "LANG"):
        if value := environ.get(name):
            territory = re.match(r"^[A-Za-z]{2,3}_([A-Za-z]{2})", value)
            return "letter" if territory and territory.group(1).upper() in LETTER_TERRITORIES else "a4"
    return "a4"


#: The private folders chromium prints in, beside the PDF.
PRINT_PREFIX = ".reflect-print-"


def sweep_print_leftovers(folder: Path, *, older_than: float = 600) -> list[Path]:
    """Remove print folders left behind in ``folder`` by a print that was killed (``kill -9``
    leaves no way out to clean up): those untouched for ``older_than`` seconds, so that a print
    running now is never touched (:func:`reflect.system.leftovers.sweep`, which ``reflect lab``
    uses for its own). Returns what was removed."""
    from reflect.system.leftovers import sweep

    return sweep(folder, PRINT_PREFIX, older_than=older_than)


def print_pdf(html_path: Path, pdf_path: Path, *, paper: str = "a4", timeout: float = 120) -> None:
    """Print an HTML file to PDF with headless chromium, offline, on ``paper`` (``a4`` or ``letter``).

    The page's own print style decides where pages break; the paper size is added to a private
    copy of the page that chromium prints (a browser printing the page itself uses its own).
    Chromium prints into a private (0700) temporary folder beside ``pdf_path``, with its profile
    there too; the PDF is made 0600 and moved into place, and the folder is removed on every way
    out (an error, a timeout, an interrupt). Chromium is stopped if this process dies.
    """
    from reflect.system.children import die_with_parent

    chromium = find_chromium()
    size = PAPER_SIZES.get(paper)
    if size is None:
        raise ReportError(f"unknown paper size {paper!r}: use {' or '.join(PAPER_SIZES)}")
    sweep_print_leftovers(pdf_path.parent)
    with tempfile.TemporaryDirectory(prefix=PRINT_PREFIX, dir=pdf_path.parent) as work:
        profile, tmp = os.path.join(work, "profile"), os.path.join(work, "report.pdf")
        os.mkdir(profile, 0o700)
        page = Path(work) / "report.html"
        html = html_path.read_text(encoding="utf-8")
        head = html.lower().find("</head>")
        style = f"<style>@page {{ size: {size}; }}</style>"
        write_private(page, (html[:head] + style + html[head:] if head >= 0 else style + html).encode("utf-8"))
        cmd = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", f"--user-data-dir={profile}", "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}", page.resolve().as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, preexec_fn=die_with_parent())
        except subprocess.TimeoutExpired:
            raise ReportError(f"chromium took longer than {timeout:.0f} s to print {html_path}") from None
        if proc.returncode != 0 or not os.path.isfile(tmp):
            raise ReportError(f"chromium could not print {html_path} to PDF (exit {proc.returncode})")
        os.chmod(tmp, 0o600)
        os.replace(tmp, pdf_path)


def make_one(job: ReportJob, notebook: Path, *, pages: Any = None, cell_timeout: float | None = None
             ) -> ReportResult:
    """Make one report in this process (with ``pages``, a :class:`~reflect.reporting.workers.Worker` that
    exports the page, if given)."""
    started = time.perf_counter()
    try:
        fingerprint = inputs_fingerprint(job, notebook)
        if not job.force and is_up_to_date(job, fingerprint):
            return ReportResult(job, "skipped", job.files(), seconds=time.perf_counter() - started)
        nb = execute(job, notebook, fingerprint, cell_timeout=cell_timeout)
        import nbformat

        title = nb.metadata["title"]
        if pages is not None:
            body = pages.call((nbformat.writes(nb), title))
        else:
            from reflect.reporting.pages import export_html

            body = export_html(nb, title)
        page = body.encode("utf-8")
        # the executed notebook, written last, says which page it made: a missing or other page is remade
        nb.metadata["reflect"]["outputs"] = {"html": hashlib.sha256(page).hexdigest()}
        make_private_dirs(job.out_dir)
        html_path = job.stem.with_suffix(".html")
        write_unseen(html_path, page)
        # the executed notebook kept beside the page: the sections that show notes are in the page only
        kept = without_private(nb, html_path.name)
        write_private(job.stem.with_suffix(".ipynb"), nbformat.writes(kept).encode("utf-8"))
        pdf_path = job.stem.with_suffix(".pdf")
        if job.pdf or pdf_path.exists():  # never leave an older PDF beside a newer page
            print_pdf(html_path, pdf_path, paper=job.paper)
        return ReportResult(job, "made", job.files(), seconds=time.perf_counter() - started)
    except ReflectError as exc:
        return ReportResult(job, "failed", error=f"{job.store.name} {job.month}: {exc}",
                            seconds=time.perf_counter() - started)
    except OSError as exc:
        return ReportResult(job, "failed", error=f"{job.store.name} {job.month}: {exc}",
                            seconds=time.perf_counter() - started)


def write_unseen(path: Path, data: bytes) -> None:
    """Write the page: :func:`~reflect.system.paths.write_private`, which writes through a file with no
    name until it is whole, so a report killed meanwhile leaves no half-written page (it may hold
    notes) beside it."""
    write_private(path, data)


def _explain_failure(ename: str | None, evalue: str | None) -> str:
    if ename in ("ValidationError", "NoData", "StoreError", "NotAReflectStore", "StoreTooNew"):
        return str(evalue)
    first = (evalue or "").strip().splitlines()
    return f"the report notebook stopped: {ename}: {first[0] if first else ''}".rstrip(": ")


def _run_chunk(jobs: list[ReportJob], cell_timeout: float | None = None) -> list[ReportResult]:
    """Make a list of reports in this process (a process of ``--jobs``)."""
    from reflect.system.speedups import skip_slow_optional_imports

    skip_slow_optional_imports()
    return list(_iter_chunk(jobs, cell_timeout))


def _iter_chunk(jobs: list[ReportJob], cell_timeout: float | None = None) -> Iterable[ReportResult]:
    from reflect.reporting import rendering, workers

    notebook = notebook_path()
    started = False
    renderer: workers.Worker | None = None
    try:
        for job in jobs:
            if not started:
                if not job.force and _quick_skip(job, notebook):
                    yield ReportResult(job, "skipped", job.files())
                    continue
                if helpers_wanted() and workers.can_fork():
                    # before anything heavy is imported: vl-convert's engine starts up in parallel.
                    # (The page is exported here: a helper for it cost more than it saved, measured
                    # with benchmarks/report_speed.py, one report and a batch alike.)
                    renderer = workers.start_renderer()
                started = True
            with rendering.use(renderer):
                yield make_one(job, notebook, cell_timeout=cell_timeout)
    finally:
        if renderer is not None:
            renderer.close()


def helpers_wanted() -> bool:
    """Whether to fork the helper processes (``REFLECT_HELPERS=0`` switches them off, for the
    benchmark that checks they pay)."""
    return os.environ.get("REFLECT_HELPERS", "1") != "0"


def _quick_skip(job: ReportJob, notebook: Path) -> bool:
    try:
        return is_up_to_date(job, inputs_fingerprint(job, notebook))
    except (ReflectError, OSError):
        return False


def _start_pool_worker(parent: int) -> None:
    """In each process of ``--jobs``: end with the command (even killed with SIGKILL), and end
    without a word on Ctrl-C (the command says the one line)."""
    from reflect.system.children import end_quietly_on_interrupt, end_with_parent

    end_with_parent(parent)
    end_quietly_on_interrupt()


def run(
    jobs: list[ReportJob],
    *,
    workers: int = 1,
    cell_timeout: float | None = None,
    on_result: Callable[[ReportResult], None] | None = None,
) -> list[ReportResult]:
    """Make every report; ``workers`` processes share the work, each with one kernel."""
    results: list[ReportResult] = []

    def emit(result: ReportResult) -> None:
        results.append(result)
        if on_result:
            on_result(result)

    try:
        _run(jobs, workers, cell_timeout, emit)
    finally:  # a folder this run made and left empty (every report in it failed: a full disk) goes
        for made in dict.fromkeys(job.new_folders for job in jobs):
            remove_left_empty(made)
    return results


def _run(jobs: list[ReportJob], workers: int, cell_timeout: float | None,
         emit: Callable[[ReportResult], None]) -> None:
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        for result in _iter_chunk(jobs, cell_timeout):
            emit(result)
        return
    chunks: list[list[ReportJob]] = [[] for _ in range(workers)]
    for i, job in enumerate(jobs):
        chunks[i % workers].append(job)
    import multiprocessing
    from multiprocessing import resource_tracker

    from reflect.system.children import interrupt_held

    # started now, not while Ctrl-C is held back below: starting it lets SIGINT through again
    resource_tracker.ensure_running()
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_pool_worker, initargs=(os.getpid(),)) as pool:
        with interrupt_held():  # the processes start here: a Ctrl-C waits until each has its handler
            futures = [pool.submit(_run_chunk, chunk, cell_timeout) for chunk in chunks]
        for future in as_completed(futures):
            try:
                for result in future.result():
                    emit(result)
            except Exception as exc:  # pragma: no cover - a worker died
                raise StoreError(f"a report worker failed: {exc}") from exc
