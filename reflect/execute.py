"""Run a notebook's code cells in this process, the way a Jupyter kernel would.

``reflect report`` executes the report notebook here rather than in a separate kernel: the
notebook, its parameters cell (injected by papermill's own ``parameterize_notebook``) and its
outputs are the same, but no kernel has to start and re-import pandas and altair for each report,
which is most of a report's cost. The notebook stays an ordinary notebook: plain papermill (with
a real kernel) runs it too, and the tests check that it does.

Each notebook gets a fresh IPython namespace; cells run in order with the notebook's folder as
the working directory; the last expression of a cell becomes its ``execute_result`` through
IPython's own display formatter (so the same MIME bundle a kernel would send), ``display()``
calls and printed text become outputs, and the first error stops the run with
:class:`CellError`, as nbclient's ``CellExecutionError`` does.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import traceback
from pathlib import Path
from typing import Any

from .errors import ReflectError


class CellError(ReflectError):
    """A cell raised an exception; ``ename`` and ``evalue`` say which and why."""

    def __init__(self, index: int, ename: str, evalue: str):
        self.index, self.ename, self.evalue = index, ename, evalue
        self.outputs: list[dict[str, Any]] = []
        super().__init__(f"cell {index} stopped: {ename}: {evalue}")


class InProcessExecutor:
    """Executes notebooks one after another in this process with one IPython shell."""

    def __init__(self) -> None:
        from IPython.core.interactiveshell import InteractiveShell

        self.shell = InteractiveShell.instance(colors="nocolor")
        # the cell's last expression is evaluated (and shown) by this class, nothing else is shown
        self.shell.ast_node_interactivity = "none"

    def execute(self, nb: Any, cwd: str | os.PathLike[str] | None = None) -> Any:
        """Run every code cell of ``nb`` (in place) and return it."""
        import nbformat

        self.shell.reset(new_session=True)
        self.shell.user_ns["__name__"] = "__main__"
        previous = Path.cwd()
        count = 0
        try:
            if cwd is not None:
                os.chdir(cwd)
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                count += 1
                cell.execution_count = count
                try:
                    outputs = self._run(cell.source, index, count)
                except CellError as exc:
                    cell.outputs = [nbformat.from_dict(o) for o in exc.outputs]
                    raise
                cell.outputs = [nbformat.from_dict(o) for o in outputs]
        finally:
            os.chdir(previous)
        return nb

    def _run(self, source: str, index: int, count: int) -> list[dict[str, Any]]:
        from IPython.core.displaypub import CapturingDisplayPublisher

        outputs: list[dict[str, Any]] = []
        body, last = _split_last_expression(source)
        publisher = CapturingDisplayPublisher()
        saved = self.shell.display_pub
        out, err = io.StringIO(), io.StringIO()
        self.shell.display_pub = publisher
        value = None
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                if body.strip():
                    result = self.shell.run_cell(body, store_history=False, silent=False)
                    if result.error_before_exec or result.error_in_exec:
                        exc = result.error_before_exec or result.error_in_exec
                        raise exc  # type: ignore[misc]
                if last is not None:
                    value = eval(compile(last, f"<cell {index}>", "eval"), self.shell.user_ns)
        except Exception as exc:
            outputs += _streams(out, err)
            outputs.append({
                "output_type": "error", "ename": type(exc).__name__, "evalue": str(exc),
                "traceback": traceback.format_exception_only(type(exc), exc),
            })
            error = CellError(index, type(exc).__name__, str(exc))
            error.outputs = outputs
            raise error from exc
        finally:
            self.shell.display_pub = saved
        outputs += _streams(out, err)
        for shown in publisher.outputs:
            outputs.append({"output_type": "display_data", "data": shown["data"],
                            "metadata": shown["metadata"] or {}})
        if value is not None:
            formatter = self.shell.display_formatter
            assert formatter is not None
            data, metadata = formatter.format(value)
            outputs.append({"output_type": "execute_result", "data": data, "metadata": metadata,
                            "execution_count": count})
        return outputs


def _streams(out: io.StringIO, err: io.StringIO) -> list[dict[str, Any]]:
    found = []
    for name, buffer in (("stdout", out), ("stderr", err)):
        text = buffer.getvalue()
        if text:
            found.append({"output_type": "stream", "name": name, "text": text})
        buffer.seek(0)
        buffer.truncate()
    return found


def _split_last_expression(source: str) -> tuple[str, ast.Expression | None]:
    """The cell without its last expression, and that expression (IPython's 'last_expr')."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source, None  # let IPython report it
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return source, None
    last = tree.body[-1]
    lines = source.splitlines(keepends=True)
    body = "".join(lines[: last.lineno - 1]) + lines[last.lineno - 1][: last.col_offset]
    if last.end_lineno is not None and last.end_lineno < len(lines):
        body += "".join(lines[last.end_lineno:])
    if body.strip().endswith(";") or source.rstrip().endswith(";"):
        return source, None  # a trailing semicolon hides the value, as in IPython
    expr = ast.Expression(last.value)
    ast.fix_missing_locations(expr)
    return body, expr
