"""Papermill's own contract, kept by the `reflect` engine as a kernel keeps it.

papermill ships its execution tests (``papermill/tests/test_execute.py``). They run here, unchanged,
with the `reflect` engine as papermill's default engine: every test class of that module is taken
as it is, except two tests that patch nbclient's client (``PapermillNotebookClient``) to look at the
arguments papermill's own engine hands it; they say nothing about another engine, and are skipped
(:data:`PATCH_NBCLIENT`).

Beside them: the same notebook run by a real kernel and by the engine gives the same outputs and
metadata; ``--log-output``, ``--stdout-file`` and ``--stderr-file`` work through papermill's command
line as with a kernel; the progress bar ends at 100 %; ``--help-notebook`` shows the report's
parameters with their types.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unittest
from pathlib import Path
from unittest import mock

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from papermill import engines
from papermill.tests import test_execute as upstream

from reflect.reporting.engine import ReflectEngine

from .helpers import ROOT

PAPERMILL = Path(sys.executable).with_name("papermill")
NOTEBOOK = ROOT / "notebooks" / "monthly_report.ipynb"

#: papermill's tests left out, and why.
PATCH_NBCLIENT = {
    "TestNotebookHelpers": ("test_start_timeout", "test_default_start_timeout"),
}
_WHY = "patches nbclient's PapermillNotebookClient (papermill's own engine), so it cannot speak to another engine"


def _without_nbclient_patches(case: type[unittest.TestCase]) -> type[unittest.TestCase]:
    left_out = PATCH_NBCLIENT.get(case.__name__, ())
    return type(case.__name__, (case,), {name: unittest.skip(_WHY)(getattr(case, name)) for name in left_out})


# papermill's test classes, every one (a later papermill with more is caught by the test below)
TestNotebookHelpers = _without_nbclient_patches(upstream.TestNotebookHelpers)
TestBrokenNotebook1 = upstream.TestBrokenNotebook1


class TestBrokenNotebook2(upstream.TestBrokenNotebook2):
    """papermill's broken2.ipynb imports ``display`` from ``IPython.core.display``, which IPython 9 no
    longer has: the cell fails on the import, before its display, with a real kernel as with the
    engine. As written the test is an expected failure; with the import IPython 9 has, it passes."""

    @unittest.expectedFailure
    def test(self):
        super().test()

    def test_with_the_display_ipython_9_has(self):
        fixed = os.path.join(self.test_dir, "broken2-ipython9.ipynb")
        nb = nbformat.read(upstream.get_notebook_path("broken2.ipynb"), as_version=4)
        cell = nb.cells[1]
        cell.source = cell.source.replace("from IPython.core.display import", "from IPython.display import")
        nbformat.write(nb, fixed)
        with mock.patch.object(upstream, "get_notebook_path", lambda *_: fixed):
            super().test()


TestReportMode = upstream.TestReportMode
TestOutputPathNone = upstream.TestOutputPathNone
TestCWD = upstream.TestCWD
TestSysExit = upstream.TestSysExit
TestNotebookValidation = upstream.TestNotebookValidation
TestMinimalNotebook = upstream.TestMinimalNotebook
TestExecuteWithCustomEngine = upstream.TestExecuteWithCustomEngine
TestNotebookNodeInput = upstream.TestNotebookNodeInput
TestOutputFormatting = upstream.TestOutputFormatting


@pytest.fixture(autouse=True)
def reflect_is_papermills_default_engine(monkeypatch):
    """papermill's default engine (``engine_name=None``) is `reflect` for every test of this module.
    (TestExecuteWithCustomEngine puts a copy of the registry in place of papermill's: put back too.)"""
    monkeypatch.setattr(engines, "papermill_engines", engines.papermill_engines)
    monkeypatch.setitem(engines.papermill_engines._engines, None, ReflectEngine)
    yield


def test_every_test_class_of_papermill_runs_here():
    theirs = {name for name, value in vars(upstream).items()
              if isinstance(value, type) and issubclass(value, unittest.TestCase)}
    ours = {name for name, value in globals().items()
            if isinstance(value, type) and issubclass(value, unittest.TestCase)}
    assert theirs == ours
    assert set(PATCH_NBCLIENT) <= theirs


def test_papermills_tests_here_run_in_this_process_with_the_engine(tmp_path):
    """The default engine really is `reflect`: the notebook runs in this process, no kernel."""
    nb = new_notebook(cells=[new_code_cell("import os\nos.getpid()")],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    ran = upstream.execute_notebook(nb, None, progress_bar=False)
    assert ran.cells[0].outputs[0].data["text/plain"] == str(os.getpid())


# -- the same outputs as a kernel -------------------------------------------------------------------

PARITY_CELLS = [
    new_markdown_cell("# Everything a cell can show"),
    new_code_cell("greeting = 'hello'", metadata={"tags": ["parameters"]}),
    new_code_cell("import sys\nprint(greeting)\nprint('to stderr', file=sys.stderr)\nprint('more')"),
    new_code_cell("from IPython.display import HTML, display, clear_output\n"
                  "display(HTML('<b>A</b>'))\nprint('between')\ndisplay(HTML('<b>B</b>'))\nprint('after')\n6 * 7"),
    new_code_cell("h = display('first', display_id=True)\nprint('x')\nh.update('updated')"),
    new_code_cell("display('gone')\nclear_output(wait=True)\nprint('kept')\ndisplay('shown')"),
    new_code_cell("import warnings\nwarnings.warn('careful')\n1;"),
    new_code_cell(""),
    new_code_cell("never = 'skipped'", metadata={"tags": ["skip-execution"]}),
    new_code_cell("raise ValueError('allowed here')", metadata={"tags": ["raises-exception"]}),
    new_code_cell("%not_a_magic", metadata={"tags": ["raises-exception"]}),
    new_code_cell("x = (1,", metadata={"tags": ["raises-exception"]}),
    new_markdown_cell("Then it fails."),
    new_code_cell("#papermill_description=failing\nprint('before')\ndef f():\n    return 1 / 0\nf()"),
    new_code_cell("print('never run')"),
]


def _comparable(nb) -> list:
    """What a run recorded, with the times and the kernel's process id left out."""
    seen: list = []
    for cell in nb.cells:
        papermill = cell.metadata.get("papermill", {})
        seen.append((cell.cell_type, cell.get("execution_count"), sorted(cell.metadata.get("execution", {})),
                     papermill.get("status"), papermill.get("exception"), sorted(papermill),
                     [t for t in cell.metadata.get("tags", [])]))
        seen += [re.sub(r"ipykernel_\d+", "ipykernel_PID", json.dumps(o, sort_keys=True))
                 for o in cell.get("outputs", [])]
    metadata = {k: v for k, v in nb.metadata.items() if k != "papermill"}
    seen += [json.dumps(metadata, sort_keys=True), nb.metadata.papermill.exception]
    return seen


def test_a_kernel_and_the_engine_record_the_same_outputs_and_metadata(tmp_path):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    nb = new_notebook(cells=PARITY_CELLS,
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    source = tmp_path / "everything.ipynb"
    nbformat.write(nb, source)
    made = {}
    for engine in ("nbclient", "reflect"):
        out = tmp_path / f"{engine}.ipynb"
        with pytest.raises(PapermillExecutionError) as err:
            papermill.execute_notebook(str(source), str(out), engine_name=engine, kernel_name="python3",
                                       parameters={"greeting": "hi"}, progress_bar=False, cwd=str(tmp_path))
        made[engine] = (nbformat.read(out, as_version=4), err.value)
    (kernel, kernel_error), (engine, engine_error) = made["nbclient"], made["reflect"]
    assert _comparable(engine) == _comparable(kernel)
    assert (engine_error.ename, engine_error.evalue, engine_error.exec_count, engine_error.traceback) == (
        kernel_error.ename, kernel_error.evalue, kernel_error.exec_count, kernel_error.traceback)
    # what the kernel path is known to give, spelled out
    [ordered] = [c for c in engine.cells if "print('between')" in c.source]
    assert [o.output_type for o in ordered.outputs] == ["display_data", "stream", "display_data", "stream",
                                                        "execute_result"]
    [failed] = [c for c in engine.cells if c.metadata.get("papermill", {}).get("status") == "failed"]
    assert [o.output_type for o in failed.outputs] == ["stream", "error"]
    traceback = re.sub(r"\x1b\[[0-9;]*m", "", "".join(failed.outputs[1].traceback))
    assert f"Cell In[{failed.execution_count}], line 5" in traceback and "ZeroDivisionError" in traceback
    assert engine.metadata.language_info["pygments_lexer"] == "ipython3"


# -- papermill's command line ----------------------------------------------------------------------


def _printing_notebook(tmp_path: Path) -> Path:
    cells = [
        new_markdown_cell("Prints, complains, shows."),
        new_code_cell("import sys\nprint('out one')\nprint('err one', file=sys.stderr)"),
        new_code_cell("from IPython.display import display\ndisplay('a value')\nprint('out two')\n'the result'"),
    ]
    path = tmp_path / "prints.ipynb"
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                      "language": "python"}}), path)
    return path


def _papermill(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PAPERMILL), *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_log_output_stdout_file_and_stderr_file_work_as_with_a_kernel(tmp_path):
    source = _printing_notebook(tmp_path)
    runs = {}
    for engine in ("nbclient", "reflect"):
        folder = tmp_path / engine
        folder.mkdir()
        proc = _papermill("--engine", engine, str(source), str(folder / "out.ipynb"), "--log-output",
                          "--stdout-file", str(folder / "stdout.txt"), "--stderr-file", str(folder / "stderr.txt"),
                          cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        logged = [line for line in proc.stderr.splitlines()
                  if not line.startswith(("Input Notebook", "Output Notebook", "Executing notebook", "[IPKernelApp]"))]
        runs[engine] = ((folder / "stdout.txt").read_text(), (folder / "stderr.txt").read_text(), logged)
    assert runs["reflect"][0] == "out one\nout two\n"
    assert runs["reflect"][1] == "err one\n"
    assert "Executing Cell 2---------------------------------------" in runs["reflect"][2]
    assert {"out one", "err one", "'a value'", "'the result'"} <= set(runs["reflect"][2])
    assert runs["reflect"] == runs["nbclient"]


def test_the_progress_bar_counts_every_cell(tmp_path):
    source = _printing_notebook(tmp_path)
    proc = _papermill("--engine", "reflect", "--progress-bar", str(source), str(tmp_path / "out.ipynb"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "3/3" in proc.stderr and "100%" in proc.stderr
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert [(c.metadata.papermill.status, c.metadata.papermill.exception) for c in nb.cells] == [
        ("completed", False)] * 3
    assert all(c.metadata.papermill.duration is not None for c in nb.cells)


def test_help_notebook_shows_the_reports_parameters_with_their_types():
    proc = _papermill("--help-notebook", str(NOTEBOOK), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "Unknown type" not in proc.stdout
    for line in ("month: Optional[str] (default None)", "db: Optional[str] (default None)",
                 "include_notes: bool (default False)"):
        assert line in proc.stdout
