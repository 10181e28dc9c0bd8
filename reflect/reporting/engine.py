"""The ``reflect`` papermill engine: papermill's execution, with the notebook run in this process.

Registered through the ``papermill.engine`` entry point (see ``pyproject.toml``), so that
``papermill --engine reflect notebooks/monthly_report.ipynb out.ipynb -p month 2026-10`` and
``papermill.execute_notebook(..., engine_name="reflect")`` both use it. Papermill does everything
around the run (parameters, metadata, the saved notebook, the errors it raises); the engine only
runs the cells, with :class:`reflect.reporting.execute.InProcessExecutor`, one per process, reused from
one notebook to the next.

It keeps the contract papermill's own engine keeps with a kernel (``papermill.engines.NBClientEngine``
and ``papermill.clientwrap.PapermillNotebookClient``), and papermill's own execution tests pass
with it (``tests/test_papermill_contract.py``):

- every cell, markdown too, goes through papermill's ``NotebookExecutionManager`` (``cell_start``,
  ``cell_exception``, ``cell_complete``; papermill calls ``notebook_start`` and ``notebook_complete``):
  the same timings, statuses and progress bar; the first failing cell stops the run;
- each output is handed to papermill as it is made: ``--log-output`` logs it, ``--stdout-file``
  and ``--stderr-file`` get the printed text (papermill's own ``log_output_message``), and the
  notebook is saved every ``--autosave-cell-every`` seconds;
- the outputs, execution counts, tracebacks and ``language_info`` are a kernel's
  (:mod:`reflect.reporting.execute`);
- a cell that runs longer than ``execution_timeout`` (papermill's ``--execution-timeout``) raises
  nbclient's ``CellTimeoutError``, as with a kernel. Without it,
  :data:`reflect.reporting.execute.DEFAULT_CELL_TIMEOUT_S` bounds each cell (a kernel has no bound).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

NAME = "reflect"


def __getattr__(name: str) -> Any:
    # papermill loads its engines' entry points while it is being imported, this module's among
    # them: when this module is imported first, papermill finds it half made (the import just
    # below) and registers None (no engine), which the end of the module replaces with the engine
    if name == "ReflectEngine":
        return None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


from papermill.engines import Engine, papermill_engines  # noqa: E402

from reflect.reporting.execute import DEFAULT_CELL_TIMEOUT_S, LANGUAGE_INFO, CellError, InProcessExecutor  # noqa: E402

_EXECUTORS: list[InProcessExecutor] = []


def executor() -> InProcessExecutor:
    """This process's executor (its IPython shell is made once)."""
    if not _EXECUTORS:
        _EXECUTORS.append(InProcessExecutor())
    return _EXECUTORS[0]


def _echo(log_output: bool, stdout_file: Any, stderr_file: Any) -> Any:
    """What papermill does with each output a kernel sends: ``PapermillNotebookClient.log_output_message``
    itself, told where to write (``None`` when there is nothing to do)."""
    if not (log_output or stdout_file or stderr_file):
        return None
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.log import logger

    client = SimpleNamespace(log_output=log_output, log=logger, stdout_file=stdout_file, stderr_file=stderr_file)
    return lambda output: PapermillNotebookClient.log_output_message(client, output)


class ReflectEngine(Engine):  # type: ignore[misc]
    """Runs a notebook's cells in this process; papermill's execution manager records each cell."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        execution_timeout: float | None = None,
        cwd: str | None = None,
        **kwargs: Any,
    ) -> Any:
        from nbclient.exceptions import CellTimeoutError
        from papermill.log import logger

        echo = _echo(log_output, stdout_file, stderr_file)

        def on_output(output: Any) -> None:
            nb_man.autosave_cell()
            if echo is not None:
                echo(output)

        timeout = execution_timeout if execution_timeout else DEFAULT_CELL_TIMEOUT_S
        nb = nb_man.nb
        with executor().running(nb, cwd=cwd, on_output=on_output) as run:
            logger.info(f"Executing notebook in this process (engine {NAME}, no kernel)")
            # PapermillNotebookClient.papermill_execute_cells, cell for cell
            for index, cell in enumerate(nb.cells):
                try:
                    nb_man.cell_start(cell, index)
                    run.cell(index, timeout=timeout)
                except CellError as exc:
                    if exc.timed_out:  # nbclient's own error; the cell keeps what it showed until then
                        cell.outputs = [o for o in cell.outputs
                                        if not (o.output_type == "error" and o.ename == "CellTimeout")]
                        said: Any = int(timeout) if float(timeout).is_integer() else timeout
                        raise CellTimeoutError.error_from_timeout_and_cell(
                            "Cell execution timed out", said, cell) from None
                    nb_man.cell_exception(nb.cells[index], cell_index=index, exception=exc)
                    break
                finally:
                    nb_man.cell_complete(nb.cells[index], cell_index=index)
        nb.metadata["language_info"] = dict(LANGUAGE_INFO)
        return nb


papermill_engines.register(NAME, ReflectEngine)  # papermill has it even when this module was imported first
