"""The `reflect` papermill engine, and what a notebook run in this process may not change."""

import json
import os
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from reflect.reporting import publish
from reflect.reporting.execute import CellError, InProcessExecutor
from reflect.storage.store import Store

from .helpers import ROOT, make_checkin

NOTEBOOK = ROOT / "notebooks" / "monthly_report.ipynb"
PAPERMILL = Path(sys.executable).with_name("papermill")


@pytest.fixture(scope="module")
def executor():
    return InProcessExecutor()


@pytest.fixture
def three_months(tmp_path):
    db = tmp_path / "us.db"
    with Store(db) as s:
        for m in ("2026-08", "2026-09", "2026-10"):
            s.save(make_checkin("Ana", f"{m}-01", passion=6))
    return db


def _notebook(tmp_path, *sources, parameters="month = None\ndb = None\ninclude_notes = False"):
    cells = [new_code_cell(parameters, metadata={"tags": ["parameters"]}), *(new_code_cell(s) for s in sources)]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                             "language": "python"}})
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


# -- the engine ----------------------------------------------------------------------------------


def test_papermill_cli_runs_the_report_with_the_reflect_engine(tmp_path):
    from reflect.storage.demo import generate

    db = tmp_path / "demo.db"
    with Store(db) as s:
        s.save_many(generate(end="2026-10"), source="demo")
    out = tmp_path / "out.ipynb"
    proc = subprocess.run([str(PAPERMILL), "--engine", "reflect", str(NOTEBOOK), str(out), "-p", "month", "2026-10",
                           "-p", "db", str(db)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    nb = nbformat.read(out, as_version=4)
    assert nb.metadata.papermill.parameters == {"month": "2026-10", "db": str(db)}
    assert "injected-parameters" in nb.cells[2].metadata.tags
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    assert "Dear Robin and Sam," in html and html.count("<svg") == 3  # wishes, over time, balance
    assert all(c.metadata.papermill.status == "completed" for c in nb.cells)


def test_papermill_api_raises_papermills_own_error_with_the_engine(tmp_path, three_months):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as err:
        papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "out.ipynb"), engine_name="reflect",
                                   parameters={"month": "2026-13", "db": str(three_months)}, progress_bar=False)
    assert err.value.ename == "ValidationError"
    assert "'2026-13' is not a month" in err.value.evalue
    saved = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert saved.metadata.papermill.exception is True


def test_the_engine_honours_papermills_execution_timeout(tmp_path):
    """As with a kernel: nbclient's CellTimeoutError, and the cell keeps what it showed until then."""
    import papermill
    from nbclient.exceptions import CellTimeoutError

    path = _notebook(tmp_path, "import time\nprint('started')\ntime.sleep(30)")
    out = tmp_path / "out.ipynb"
    with pytest.raises(CellTimeoutError, match="after 1 seconds"):
        papermill.execute_notebook(str(path), str(out), engine_name="reflect", progress_bar=False, execution_timeout=1)
    cell = nbformat.read(out, as_version=4).cells[1]
    assert [o.get("text") for o in cell.outputs] == ["started\n"]


# -- isolation -----------------------------------------------------------------------------------


def test_a_notebook_leaves_the_process_as_it_found_it(executor, tmp_path):
    import altair as alt
    import pandas as pd

    import reflect.views.charts  # noqa: F401  (registers and enables the house theme)

    before = (dict(os.environ), os.getcwd(), list(sys.path), pd.get_option("display.max_rows"),
              alt.theme.active, alt.renderers.active, alt.data_transformers.active, list(warnings.filters))
    code = textwrap.dedent(f"""
        import os, sys, warnings
        import pandas as pd, altair as alt
        os.environ["REFLECT_LEAK"] = "yes"
        os.environ.pop("HOME", None)
        os.chdir({str(tmp_path)!r})
        sys.path.insert(0, "/leak")
        pd.set_option("display.max_rows", 3)
        alt.theme.enable("dark")
        alt.renderers.enable("svg")
        alt.data_transformers.disable_max_rows()
        warnings.simplefilter("error")
    """)
    executor.execute(new_notebook(cells=[new_code_cell(code)]))
    after = (dict(os.environ), os.getcwd(), list(sys.path), pd.get_option("display.max_rows"),
             alt.theme.active, alt.renderers.active, alt.data_transformers.active, list(warnings.filters))
    assert after == before


def test_each_notebook_has_a_namespace_of_its_own(executor):
    executor.execute(new_notebook(cells=[new_code_cell("secret = 'month one'")]))
    with pytest.raises(CellError, match="NameError"):
        executor.execute(new_notebook(cells=[new_code_cell("secret")]))


def test_sys_exit_in_a_cell_stops_that_notebook_only(executor):
    nb = new_notebook(cells=[new_code_cell("import sys\nsys.exit(0)"), new_code_cell("after = 1")])
    with pytest.raises(CellError) as err:
        executor.execute(nb)
    assert err.value.ename == "SystemExit"
    assert nb.cells[1].outputs == []
    with pytest.raises(CellError, match="SystemExit: bye"):
        executor.execute(new_notebook(cells=[new_code_cell("1\nraise SystemExit('bye')")]))
    assert executor.execute(new_notebook(cells=[new_code_cell("40 + 2")])).cells[0].outputs[0].data[
        "text/plain"] == "42"


def test_a_cell_longer_than_its_timeout_is_stopped_here_and_in_a_thread(executor):
    nb = new_notebook(cells=[new_code_cell("import time\ntime.sleep(30)")])
    with pytest.raises(CellError, match="CellTimeout: the cell ran longer than 0.5 s"):
        executor.execute(nb, timeout=0.5)
    caught = []

    def in_a_thread():
        busy = new_notebook(cells=[new_code_cell("while True:\n    pass")])
        try:
            InProcessExecutor().execute(busy, timeout=0.5)
        except CellError as exc:
            caught.append(exc.ename)

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join(60)
    assert caught == ["CellTimeout"]


def _batch(monkeypatch, tmp_path, db, notebook, **run):
    monkeypatch.setattr(publish, "notebook_path", lambda: notebook)
    monkeypatch.setenv("REFLECT_HELPERS", "0")
    jobs, failed = publish.plan([db], all_months=True, out_dir=tmp_path / "out")
    assert not failed
    return {r.job.month: r for r in publish.run(jobs, **run)}


def test_a_sys_exit_fails_one_report_and_the_batch_goes_on(monkeypatch, tmp_path, three_months):
    notebook = _notebook(tmp_path, "import sys\nif month == '2026-09':\n    sys.exit(0)", "month")
    results = _batch(monkeypatch, tmp_path, three_months, notebook)
    assert [results[m].status for m in ("2026-08", "2026-09", "2026-10")] == ["made", "failed", "made"]
    assert results["2026-09"].error == "us.db 2026-09: the report notebook stopped: SystemExit: 0"
    assert not (tmp_path / "out" / "2026-09.html").exists()


def test_the_cell_timeout_fails_one_report_and_the_batch_goes_on(monkeypatch, tmp_path, three_months):
    notebook = _notebook(tmp_path, "import time\nif month == '2026-08':\n    time.sleep(60)", "month")
    results = _batch(monkeypatch, tmp_path, three_months, notebook, cell_timeout=1)
    assert [results[m].status for m in ("2026-08", "2026-09", "2026-10")] == ["failed", "made", "made"]
    assert "CellTimeout: the cell ran longer than 1 s" in (results["2026-08"].error or "")


def test_environment_changes_do_not_leak_into_the_next_report(monkeypatch, tmp_path, three_months):
    notebook = _notebook(tmp_path, "import os\nseen = os.environ.get('LEAK')\nos.environ['LEAK'] = month\nseen")
    monkeypatch.delenv("LEAK", raising=False)
    results = _batch(monkeypatch, tmp_path, three_months, notebook)
    for month in results:
        made = json.loads((tmp_path / "out" / f"{month}.ipynb").read_text())
        assert made["cells"][-1]["outputs"] == [], month  # None each time: nothing left by the month before
    assert "LEAK" not in os.environ


def test_the_library_inside_a_running_kernel_leaves_the_kernels_shell_alone(tmp_path, three_months):
    """A real kernel (plain papermill) makes a report through the library between two cells of its own."""
    code = textwrap.dedent(f"""
        from pathlib import Path
        from reflect.reporting import publish
        before = (get_ipython(), __import__("sys").modules["__main__"])
        jobs, _ = publish.plan([Path({str(three_months)!r})], month="2026-10", out_dir=Path({str(tmp_path / "out")!r}))
        [result] = publish.run(jobs)
        assert result.status == "made", result.error
        assert (get_ipython(), __import__("sys").modules["__main__"]) == before
    """)
    path = _notebook(tmp_path, "mine = 41", code, "assert mine + 1 == 42\nmine + 1", parameters="x = 1")
    out = tmp_path / "ran.ipynb"
    proc = subprocess.run([str(PAPERMILL), str(path), str(out)], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert nbformat.read(out, as_version=4).cells[-1].outputs[0].data["text/plain"] == "42"
    assert (tmp_path / "out" / "2026-10.html").exists()
