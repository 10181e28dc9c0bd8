"""The ``reflect`` papermill engine: papermill's execution, with the notebook run in this process.

Registered through the ``papermill.engine`` entry point (see ``pyproject.toml``), so that
``papermill --engine reflect notebooks/monthly_report.ipynb out.ipynb -p month 2026-10`` and
``papermill.execute_notebook(..., engine_name="reflect")`` both use it. Papermill does everything
around the run (parameters, metadata, the saved notebook, the errors it raises); the engine only
runs the cells, with :class:`reflect.reporting.execute.InProcessExecutor`, one per process, reused from
one notebook to the next. ``execution_timeout`` (papermill's ``--execution-timeout``) bounds each
cell; without it, :data:`reflect.reporting.execute.DEFAULT_CELL_TIMEOUT_S` does.
"""

from __future__ import annotations

from typing import Any

from papermill.engines import Engine

from reflect.reporting.execute import DEFAULT_CELL_TIMEOUT_S, CellError, InProcessExecutor

NAME = "reflect"

_EXECUTORS: list[InProcessExecutor] = []


def executor() -> InProcessExecutor:
    """This process's executor (its IPython shell is made once)."""
    if not _EXECUTORS:
        _EXECUTORS.append(InProcessExecutor())
    return _EXECUTORS[0]


class ReflectEngine(Engine):  # type: ignore[misc]
    """Runs a notebook's cells in this process; papermill's execution manager records each cell."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        cwd: str | None = None,
        execution_timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        def on_cell(event: str, cell: Any, index: int) -> None:
            if event == "start":
                nb_man.cell_start(cell, index)
            elif event == "error":
                nb_man.cell_exception(cell, index)
            else:
                nb_man.cell_complete(cell, index)

        timeout = execution_timeout if execution_timeout else DEFAULT_CELL_TIMEOUT_S
        try:
            executor().execute(nb_man.nb, cwd=cwd, timeout=timeout, on_cell=on_cell)
        except CellError:
            pass  # recorded in the cell's outputs: papermill raises PapermillExecutionError from them
        return nb_man.nb
