"""Run a notebook's code cells in this process, the way a Jupyter kernel would.

``reflect report`` executes the report notebook here rather than in a separate kernel, through
papermill (the :mod:`reflect.reporting.engine` papermill engine drives this class): the notebook, its
parameters cell and its outputs are papermill's own, but no kernel has to start and re-import
pandas and altair for each report, which is most of a report's cost. Plain papermill with a real
kernel runs the same notebook, and a test checks that both give the same report.

Each notebook runs in a namespace of its own, in an IPython shell of this executor's own (never
the singleton: inside a running Jupyter kernel that would be the kernel's shell, whose variables
a reset would wipe). Cells run in order with the notebook's folder as the working directory; the
last expression of a cell becomes its ``execute_result`` through IPython's own display formatter
(the MIME bundle a kernel would send), ``display()`` calls and printed text become outputs, and
the first error stops the run with :class:`CellError`, as nbclient's ``CellExecutionError`` does.
A ``sys.exit`` in a cell is such an error, and so is a cell that runs longer than its timeout.

What a notebook may change in the process is put back when it ends (see :class:`ProcessState`):
environment variables, working directory, ``sys.path``, warnings filters, pandas options and
altair's active theme, renderer and data transformer.
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import io
import os
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from reflect.errors import ReflectError

#: How long one cell may run before it is stopped (seconds); ``reflect report --cell-timeout``.
DEFAULT_CELL_TIMEOUT_S = 300.0


class CellError(ReflectError):
    """A cell raised an exception; ``ename`` and ``evalue`` say which and why."""

    def __init__(self, index: int, ename: str, evalue: str):
        self.index, self.ename, self.evalue = index, ename, evalue
        self.outputs: list[dict[str, Any]] = []
        super().__init__(f"cell {index} stopped: {ename}: {evalue}")


class CellTimeout(Exception):  # noqa: N818 - the name a reader sees in the notebook's error output
    """Raised inside a cell that ran longer than its timeout."""


class ProcessState:
    """What a notebook may change in this process, saved so that it can be put back."""

    def __init__(self) -> None:
        self.environ = dict(os.environ)
        self.cwd = os.getcwd()
        self.path = list(sys.path)
        self.pandas = _pandas_options()
        self.altair = _altair_state()

    def restore(self) -> None:
        for key in [k for k in os.environ if k not in self.environ]:
            del os.environ[key]
        for key, value in self.environ.items():
            if os.environ.get(key) != value:
                os.environ[key] = value
        if "TZ" in self.environ or "TZ" in os.environ:
            import time

            time.tzset()
        os.chdir(self.cwd)
        sys.path[:] = self.path
        _restore_pandas(self.pandas)
        _restore_altair(self.altair)


def _pandas_options() -> dict[str, Any] | None:
    pd = sys.modules.get("pandas")
    if pd is None:
        return None
    found: dict[str, Any] = {}

    def walk(node: Any, prefix: str) -> None:
        for name in dir(node):
            value = getattr(node, name)
            if type(value).__name__ == "DictWrapper":
                walk(value, f"{prefix}{name}.")
            else:
                found[f"{prefix}{name}"] = value

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        walk(pd.options, "")
    return found


def _restore_pandas(saved: dict[str, Any] | None) -> None:
    pd = sys.modules.get("pandas")
    if pd is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        now = _pandas_options() or {}
        for key, value in now.items():
            try:
                if saved is None:  # pandas came with this notebook: back to its defaults
                    pd.reset_option(key)
                elif key in saved and saved[key] is not value and saved[key] != value:
                    pd.set_option(key, saved[key])
            except Exception:  # noqa: S112 - e.g. a plotting backend that cannot be imported here
                continue


def _altair_state() -> dict[str, Any] | None:
    alt = sys.modules.get("altair")
    if alt is None or not hasattr(alt, "renderers"):
        return None
    return {
        "theme": alt.theme.active,
        "renderer": (alt.renderers.active, dict(alt.renderers.options)),
        "data": (alt.data_transformers.active, dict(alt.data_transformers.options)),
    }


def _restore_altair(saved: dict[str, Any] | None) -> None:
    if saved is None:
        return
    alt = sys.modules["altair"]
    if alt.theme.active != saved["theme"]:
        alt.theme.enable(saved["theme"])
    for registry, (name, options) in ((alt.renderers, saved["renderer"]), (alt.data_transformers, saved["data"])):
        if registry.active != name or dict(registry.options) != options:
            registry.enable(name, **options)


@contextlib.contextmanager
def isolated() -> Iterator[ProcessState]:
    """Run the block, then put back what it changed in the process (see :class:`ProcessState`)."""
    state = ProcessState()
    try:
        with warnings.catch_warnings():
            yield state
    finally:
        state.restore()


def _make_shell() -> Any:
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class PrivateShell(InteractiveShell):  # type: ignore[misc]
        """An IPython shell that is nobody's singleton and leaves ``sys.modules['__main__']`` alone."""

        def init_sys_modules(self) -> None:
            pass

    # no history database: nothing written to the user's profile, and no history thread
    # and no output cache: nothing to flush (with a full gc.collect) when each notebook starts
    config = Config({"HistoryManager": {"enabled": False}, "InteractiveShell": {"cache_size": 0}})
    shell = PrivateShell(config=config, colors="nocolor")
    # the cell's last expression is evaluated (and shown) by this class, nothing else is shown
    shell.ast_node_interactivity = "none"
    return shell


class InProcessExecutor:
    """Executes notebooks one after another in this process, each in a namespace of its own."""

    def __init__(self) -> None:
        self.shell = _make_shell()

    def execute(
        self,
        nb: Any,
        cwd: str | os.PathLike[str] | None = None,
        *,
        timeout: float | None = DEFAULT_CELL_TIMEOUT_S,
        on_cell: Callable[[str, Any, int], None] | None = None,
    ) -> Any:
        """Run every code cell of ``nb`` (in place) and return it.

        ``timeout`` bounds each cell (``None``: no bound). ``on_cell(event, cell, index)`` is told
        ``"start"``, ``"error"`` and ``"complete"`` for each code cell (papermill's execution
        manager listens there).
        """
        import nbformat
        from IPython.core.interactiveshell import InteractiveShell

        self.shell.reset(new_session=True)
        self.shell.user_ns["__name__"] = "__main__"
        count = 0
        singleton = InteractiveShell._instance
        # IPython.display.display() publishes through the singleton shell: ours while a notebook runs
        InteractiveShell._instance = self.shell
        try:
            with isolated():
                warnings.filterwarnings("ignore", "To exit: use", UserWarning)  # IPython's, after a sys.exit
                if cwd is not None:
                    os.chdir(cwd)
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    count += 1
                    cell.execution_count = count
                    if on_cell:
                        on_cell("start", cell, index)
                    try:
                        outputs = self._run(cell.source, index, count, timeout)
                    except CellError as exc:
                        cell.outputs = [nbformat.from_dict(o) for o in exc.outputs]
                        if on_cell:
                            on_cell("error", cell, index)
                            on_cell("complete", cell, index)
                        raise
                    cell.outputs = [nbformat.from_dict(o) for o in outputs]
                    if on_cell:
                        on_cell("complete", cell, index)
        finally:
            InteractiveShell._instance = singleton
        return nb

    def _run(self, source: str, index: int, count: int, timeout: float | None) -> list[dict[str, Any]]:
        from IPython.core.displaypub import CapturingDisplayPublisher

        outputs: list[dict[str, Any]] = []
        body, last = _split_last_expression(source)
        publisher = CapturingDisplayPublisher()
        saved = self.shell.display_pub
        out, err = io.StringIO(), io.StringIO()
        self.shell.display_pub = publisher
        value = None
        try:
            with _time_limit(timeout), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                if body.strip():
                    result = self.shell.run_cell(body, store_history=False, silent=False)
                    if result.error_before_exec or result.error_in_exec:
                        exc = result.error_before_exec or result.error_in_exec
                        raise exc  # type: ignore[misc]
                if last is not None:
                    value = eval(compile(last, f"<cell {index}>", "eval"), self.shell.user_ns)
        except (Exception, SystemExit) as exc:  # a sys.exit stops this notebook, never the process
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


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`CellTimeout` in this thread once ``seconds`` have passed.

    In the main thread a ``SIGALRM`` timer does it (it also interrupts a sleep or a blocking
    read); elsewhere a timer thread raises the exception in this thread at its next bytecode.
    """
    if not seconds or seconds <= 0:
        yield
        return
    message = f"the cell ran longer than {seconds:g} s (the cell timeout)"
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        def expire(_signum: int, _frame: Any) -> None:
            raise CellTimeout(message)

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    target = threading.get_ident()
    done = threading.Event()

    def watch() -> None:
        if not done.wait(seconds):
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(CellTimeout))

    watcher = threading.Thread(target=watch, name="reflect-cell-timeout", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


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
