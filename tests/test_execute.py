"""The in-process executor gives the outputs a kernel would."""

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from reflect.reporting.execute import CellError, InProcessExecutor


@pytest.fixture(scope="module")
def executor():
    return InProcessExecutor()


def run(executor, *sources, cwd=None):
    nb = new_notebook(cells=[new_code_cell(s) if not s.startswith("#md") else new_markdown_cell(s) for s in sources])
    return executor.execute(nb, cwd=cwd)


def test_last_expression_becomes_the_execute_result(executor):
    nb = run(executor, "x = 40", "#md some prose", "x + 2", "y = x\ny * 2")
    assert [c.get("execution_count") for c in nb.cells] == [1, None, 2, 3]
    assert nb.cells[0].outputs == []
    [out] = nb.cells[2].outputs
    assert out.output_type == "execute_result" and out.data["text/plain"] == "42" and out.execution_count == 2
    assert nb.cells[3].outputs[0].data["text/plain"] == "80"
    nbformat.validate(nb)


def test_only_the_last_expression_is_shown_and_a_semicolon_hides_it(executor):
    nb = run(executor, "1\n2", "3;", "None")
    assert [o.data["text/plain"] for o in nb.cells[0].outputs] == ["2"]
    assert nb.cells[1].outputs == [] and nb.cells[2].outputs == []


def test_rich_reprs_prints_and_displays(executor):
    nb = run(executor, "class H:\n    def _repr_html_(self):\n        return '<b>hi</b>'\nH()",
             "print('hello')", "from IPython.display import display, HTML\ndisplay(HTML('<i>x</i>'))")
    assert nb.cells[0].outputs[0].data["text/html"] == "<b>hi</b>"
    assert nb.cells[1].outputs == [nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "hello\n"})]
    assert nb.cells[2].outputs[0].output_type == "display_data"
    assert nb.cells[2].outputs[0].data["text/html"] == "<i>x</i>"


def test_each_notebook_starts_with_a_fresh_namespace(executor):
    run(executor, "leftover = 1")
    with pytest.raises(CellError, match="NameError"):
        run(executor, "leftover")


def test_an_error_stops_the_run_and_is_recorded(executor):
    nb = new_notebook(cells=[new_code_cell("a = 1"), new_code_cell("raise ValueError('bad month')"),
                             new_code_cell("never = True")])
    with pytest.raises(CellError) as err:
        executor.execute(nb)
    assert (err.value.index, err.value.ename, err.value.evalue) == (1, "ValueError", "bad month")
    assert nb.cells[1].outputs[-1].output_type == "error"
    assert nb.cells[2].outputs == []


def test_cells_run_in_the_given_folder(executor, tmp_path):
    (tmp_path / "marker.txt").write_text("here")
    nb = run(executor, "open('marker.txt').read()", cwd=tmp_path)
    assert nb.cells[0].outputs[0].data["text/plain"] == "'here'"


def test_outputs_keep_the_order_they_were_made_in_as_a_kernel_sends_them(executor):
    code = ("import sys\nfrom IPython.display import display\n"
            "print('a')\nprint('b', file=sys.stderr)\nprint('c')\ndisplay('shown')\nprint('d')\n'value'")
    [cell] = run(executor, code).cells
    assert [(o.output_type, o.get("name"), o.get("text")) for o in cell.outputs] == [
        ("stream", "stdout", "a\nc\n"), ("stream", "stderr", "b\n"), ("display_data", None, None),
        ("stream", "stdout", "d\n"), ("execute_result", None, None)]


def test_printed_text_is_flushed_on_a_timer_as_in_a_kernel(executor):
    [cell] = run(executor, "import time\nprint('one')\ntime.sleep(0.5)\nprint('two')").cells
    assert [o.text for o in cell.outputs] == ["one\n", "two\n"]


def test_an_error_is_one_output_with_ipythons_traceback_and_the_cells_count(executor):
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("print('before')\n1 / 0")])
    with pytest.raises(CellError, match="ZeroDivisionError: division by zero"):
        executor.execute(nb)
    outputs = nb.cells[1].outputs
    assert [o.output_type for o in outputs] == ["stream", "error"]
    traceback = re.sub(r"\x1b\[[0-9;]*m", "", "".join(outputs[1].traceback))
    assert "Cell In[2], line 2" in traceback and traceback.rstrip().endswith("ZeroDivisionError: division by zero")


def test_input_raises_as_in_a_kernel_without_stdin(executor):
    with pytest.raises(CellError, match="StdinNotImplementedError"):
        run(executor, "input('your passphrase: ')")


def test_ctrl_c_in_a_cell_is_not_a_cell_error_it_goes_on_up(executor):
    from IPython.core.interactiveshell import InteractiveShell

    before = InteractiveShell._instance
    with pytest.raises(KeyboardInterrupt):
        run(executor, "raise KeyboardInterrupt")
    assert InteractiveShell._instance is before
    assert run(executor, "40 + 2").cells[0].outputs[0].data["text/plain"] == "42"
