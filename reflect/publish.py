"""Making the monthly report: run the report notebook headless, write HTML (and PDF).

The report notebook is parameterized the way papermill does it (papermill's own
``parameterize_notebook`` injects the parameters cell) and executed in this process by
:class:`~reflect.execute.InProcessExecutor`, so that no kernel has to start and re-import pandas
and altair for every report; a batch pays those imports once. Plain papermill runs the same
notebook with a real kernel. The executed notebook is exported to self-contained HTML with the
kit's template (no code, no script or style from a network), and Debian's chromium prints the
HTML to PDF when asked.

A report records a fingerprint of its inputs (the check-ins it read, its parameters, the notebook
and the kit's version) in the executed notebook; ``--all`` skips a month whose fingerprint has not
changed, so a changed store never leaves a stale report behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .checkin import add_months, month_start
from .errors import ReflectError, StoreError
from .params import resolve_month
from .paths import make_private_dirs, notebooks_dir, reports_dir, write_private
from .store import Store

log = logging.getLogger(__name__)

REPORT_NOTEBOOK = "monthly_report.ipynb"
TEMPLATE_NAME = "reflect_report"
TEMPLATES_DIR = Path(__file__).parent / "templates"
#: Cells with this tag explain the notebook to its reader and stay out of the report.
NOTEBOOK_ONLY_TAG = "notebook-only"
CELL_TIMEOUT_S = 300
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
    path = notebooks_dir() / REPORT_NOTEBOOK
    if not path.is_file():
        raise ReportError(f"{path}: the report notebook is missing")
    return path


def plan(
    stores: Sequence[Path],
    *,
    month: str | None = None,
    all_months: bool = False,
    out_dir: Path | None = None,
    include_notes: bool = False,
    pdf: bool = False,
    force: bool = False,
) -> tuple[list[ReportJob], list[ReportResult]]:
    """The reports to make for ``stores``.

    Checks everything that can be checked before a kernel starts: the month, that each store
    opens and has check-ins that month, and that the output folder can be written. A store that
    fails is returned as a failed result, so that a batch goes on with the others.
    """
    base = Path(out_dir) if out_dir else reports_dir()
    folders = _folder_names(stores)
    jobs: list[ReportJob] = []
    failed: list[ReportResult] = []
    for path in stores:
        target = base / folders[path] if len(stores) > 1 else base
        try:
            with Store(path, create=False) as store:
                months = store.months()
            chosen = months if all_months else [resolve_month(month, months)]
            if not chosen:
                raise ReportError(f"{path}: no check-ins yet, so there is nothing to report")
            _check_writable(target)
        except ReflectError as exc:
            message = str(exc)
            if str(path) not in message:
                message = f"{path}: {message}"
            stub = ReportJob(path, month or "-", target)
            failed.append(ReportResult(stub, "failed", error=message))
            continue
        jobs += [ReportJob(path, m, target, include_notes, pdf, force) for m in chosen]
    return jobs, failed


def _folder_names(paths: Sequence[Path]) -> dict[Path, str]:
    """A report folder name for each store: its file name without the extension, with its own
    folder's name in front where two stores share a file name (``c1-reflect``, ``c2-reflect``)."""
    names: dict[Path, str] = {}
    stems = [p.stem for p in paths]
    for path in paths:
        name = path.stem if stems.count(path.stem) == 1 else f"{path.resolve().parent.name}-{path.stem}"
        name = name.lstrip(".") or "store"  # never "..", "." or hidden: the folder stays inside --out
        base, n = name, 2
        while name in names.values():
            name, n = f"{base}-{n}", n + 1
        names[path] = name
    return names


def _check_writable(folder: Path) -> None:
    try:
        make_private_dirs(folder)
    except OSError as exc:
        raise ReportError(f"{folder}: cannot create the output folder ({exc.strerror})") from None
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise ReportError(f"{folder}: the output folder is not writable")


def inputs_fingerprint(job: ReportJob, notebook: Path) -> str:
    """What a report depends on: the check-ins and rituals up to the end of its month (their saved
    versions), the ritual kinds, its parameters, the report notebook and the kit's code."""
    end = month_start(add_months(job.month, 1)).isoformat()
    with Store(job.store, create=False) as store:
        conn = store.connection
        checkins = conn.execute(
            "SELECT person, cadence, period_start, version_id FROM checkins WHERE period_start < ? "
            "ORDER BY person, cadence, period_start",
            (end,),
        ).fetchall()
        rituals = conn.execute(
            "SELECT person, day, kind, version_id FROM rituals WHERE day < ? ORDER BY person, day, kind", (end,)
        ).fetchall()
        kinds = conn.execute("SELECT kind, cadence FROM ritual_kinds ORDER BY kind").fetchall()
    digest = hashlib.sha256()
    digest.update(json.dumps([__version__, job.month, job.include_notes, str(job.store.resolve())]).encode())
    digest.update(notebook.read_bytes())
    digest.update(_code_digest())
    for row in [*checkins, ("rituals",), *rituals, ("kinds",), *kinds]:
        digest.update("\x1f".join(map(str, row)).encode() + b"\x1e")
    return digest.hexdigest()


_CODE_DIGEST: bytes | None = None


def _code_digest() -> bytes:
    """The kit's own code and templates: a change to how reports are made remakes them."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        digest = hashlib.sha256()
        package = Path(__file__).parent
        for path in sorted([*package.glob("*.py"), *TEMPLATES_DIR.rglob("*")]):
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
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
    except (OSError, ValueError):
        return False
    return made.get("metadata", {}).get("reflect", {}).get("inputs") == fingerprint


# -- running ------------------------------------------------------------------------------------


_EXPORTER: Any = None


def _exporter() -> Any:
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
        from nbconvert.preprocessors import TagRemovePreprocessor

        class ReportExporter(HTMLExporter):  # type: ignore[misc]
            """JupyterLab's HTML exporter without its last pass, which re-parses the whole page with
            BeautifulSoup to add alt text to <img> tags and tabindex to code cells. A report has
            neither (its charts are inline SVG and its code is left out), and on a page of SVG
            that pass costs more than the rest of the export."""

            def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
                self.register_filter("highlight_code", Highlight2HTML(pygments_lexer="ipython3", parent=self))
                resources = self._init_resources(resources)
                self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources))
                return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

        exporter = ReportExporter(
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        exporter.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY_TAG}, enabled=True), enabled=True
        )
        _EXPORTER = exporter
    return _EXPORTER


def _warm_exporter() -> None:
    """Import nbconvert and compile the report template (by exporting an empty notebook)."""
    import nbformat

    _exporter().from_notebook_node(nbformat.v4.new_notebook())


def _prepare(job: ReportJob, notebook: Path, fingerprint: str, pages: Any = None) -> Any:
    """The report notebook with this job's parameters injected, as papermill injects them."""
    params = {"month": job.month, "db": str(job.store.resolve()), "include_notes": job.include_notes}
    metadata = {"title": f"Reflect: {month_start(job.month):%B %Y}",
                "reflect": {"inputs": fingerprint, "version": __version__, "month": job.month}}
    if pages is None:
        return parameterized(str(notebook), params, metadata)
    import nbformat

    return nbformat.reads(pages.call(("prepare", str(notebook), params, metadata)), as_version=4)


def parameterized(path: str, parameters: dict[str, Any], metadata: dict[str, Any]) -> Any:
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(load_notebook_node(path), parameters, kernel_name="python3", language="python")
    nb.metadata.update(metadata)
    return nb


def find_chromium() -> str:
    for name in (os.environ.get("REFLECT_CHROMIUM"), *CHROMIUM_NAMES):
        if name and (found := shutil.which(name)):
            return found
    raise ReportError(
        "PDF reports need Chromium, which is not installed (on Debian or Ubuntu: "
        "sudo apt-get install chromium); the HTML report was written"
    )


def print_pdf(html_path: Path, pdf_path: Path, *, timeout: float = 120) -> None:
    """Print an HTML file to PDF with headless chromium, offline.

    Chromium prints into a private (0700) temporary folder beside ``pdf_path``, with its profile
    there too; the PDF is made 0600 and moved into place, and the folder is removed on every way
    out (an error, a timeout, an interrupt). Chromium is stopped if this process dies.
    """
    from .children import die_with_parent

    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix=".reflect-print-", dir=pdf_path.parent) as work:
        profile, tmp = os.path.join(work, "profile"), os.path.join(work, "report.pdf")
        os.mkdir(profile, 0o700)
        cmd = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", f"--user-data-dir={profile}", "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}", html_path.resolve().as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, preexec_fn=die_with_parent())
        except subprocess.TimeoutExpired:
            raise ReportError(f"chromium took longer than {timeout:.0f} s to print {html_path}") from None
        if proc.returncode != 0 or not os.path.isfile(tmp):
            raise ReportError(f"chromium could not print {html_path} to PDF (exit {proc.returncode})")
        os.chmod(tmp, 0o600)
        os.replace(tmp, pdf_path)


def make_one(job: ReportJob, executor: Any, notebook: Path, exporter: Any = None) -> ReportResult:
    """Make one report with an :class:`~reflect.execute.InProcessExecutor` (and, if given, a
    :class:`~reflect.workers.Worker` that exports the page)."""
    started = time.perf_counter()
    try:
        fingerprint = inputs_fingerprint(job, notebook)
        if not job.force and is_up_to_date(job, fingerprint):
            return ReportResult(job, "skipped", job.files(), seconds=time.perf_counter() - started)
        nb = _prepare(job, notebook, fingerprint, exporter)
        try:
            nb = executor.execute(nb, cwd=notebook.parent)
        except Exception as exc:
            raise ReportError(_explain_failure(exc)) from None
        import nbformat

        notebook_json = nbformat.writes(nb)
        if exporter is not None:
            body = exporter.call(("export", notebook_json, nb.metadata["title"]))
        else:
            body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": nb.metadata["title"]}})
        make_private_dirs(job.out_dir)
        write_private(job.stem.with_suffix(".ipynb"), notebook_json.encode("utf-8"))
        html_path = job.stem.with_suffix(".html")
        write_private(html_path, body.encode("utf-8"))
        pdf_path = job.stem.with_suffix(".pdf")
        if job.pdf or pdf_path.exists():  # never leave an older PDF beside a newer page
            print_pdf(html_path, pdf_path)
        return ReportResult(job, "made", job.files(), seconds=time.perf_counter() - started)
    except ReflectError as exc:
        return ReportResult(job, "failed", error=f"{job.store.name} {job.month}: {exc}",
                            seconds=time.perf_counter() - started)
    except OSError as exc:
        return ReportResult(job, "failed", error=f"{job.store.name} {job.month}: {exc}",
                            seconds=time.perf_counter() - started)


def _explain_failure(exc: Exception) -> str:
    ename = getattr(exc, "ename", None)
    evalue = getattr(exc, "evalue", None)
    if ename in ("ValidationError", "NoData", "StoreError", "NotAReflectStore", "StoreTooNew"):
        return str(evalue)
    if ename and evalue:
        return f"the report notebook stopped: {ename}: {evalue}"
    return f"the report notebook stopped: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _run_chunk(jobs: list[ReportJob]) -> list[ReportResult]:
    """Make a list of reports in this process, with one kernel (a worker of ``--jobs``)."""
    from .speedups import skip_slow_optional_imports

    skip_slow_optional_imports()
    return list(_iter_chunk(jobs))


def _iter_chunk(jobs: list[ReportJob]) -> Iterable[ReportResult]:
    from . import workers

    notebook = notebook_path()
    executor: Any = None
    exporter: workers.Worker | None = None
    try:
        for job in jobs:
            if executor is None:
                if not job.force and _quick_skip(job, notebook):
                    yield ReportResult(job, "skipped", job.files())
                    continue
                if workers.can_fork():
                    # before anything heavy is imported: the helpers start up in parallel
                    workers.RENDERER = workers.start_renderer()
                    exporter = workers.start_pages()
                from . import report  # noqa: F401  (pandas and altair load while the helpers start)
                from .execute import InProcessExecutor

                executor = InProcessExecutor()
            yield make_one(job, executor, notebook, exporter)
    finally:
        if exporter is not None:
            exporter.close()
        if workers.RENDERER is not None:
            workers.RENDERER.close()
            workers.RENDERER = None


def _quick_skip(job: ReportJob, notebook: Path) -> bool:
    try:
        return is_up_to_date(job, inputs_fingerprint(job, notebook))
    except (ReflectError, OSError):
        return False


def run(
    jobs: list[ReportJob],
    *,
    workers: int = 1,
    on_result: Callable[[ReportResult], None] | None = None,
) -> list[ReportResult]:
    """Make every report; ``workers`` processes share the work, each with one kernel."""
    results: list[ReportResult] = []

    def emit(result: ReportResult) -> None:
        results.append(result)
        if on_result:
            on_result(result)

    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        for result in _iter_chunk(jobs):
            emit(result)
        return results
    chunks: list[list[ReportJob]] = [[] for _ in range(workers)]
    for i, job in enumerate(jobs):
        chunks[i % workers].append(job)
    import multiprocessing

    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_run_chunk, chunk) for chunk in chunks]
        for future in as_completed(futures):
            try:
                for result in future.result():
                    emit(result)
            except Exception as exc:  # pragma: no cover - a worker died
                raise StoreError(f"a report worker failed: {exc}") from exc
    return results
