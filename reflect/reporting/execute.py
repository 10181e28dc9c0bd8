"""Run a notebook's code cells in this process, the way a Jupyter kernel does.

``reflect report`` executes the report notebook here rather than in a separate kernel, through
papermill (the :mod:`reflect.reporting.engine` papermill engine drives this class): the notebook, its
parameters cell and its outputs are papermill's own, but no kernel has to start and re-import
pandas and altair for each report, which is most of a report's cost. Plain papermill with a real
kernel runs the same notebook, and tests check that both give the same report and the same outputs.

Each notebook runs in a namespace of its own, in an IPython shell of this executor's own (never
the singleton: inside a running Jupyter kernel that would be the kernel's shell, whose variables
a reset would wipe), with the notebook's folder as the working directory. The outputs are the ones
ipykernel sends and nbclient records, in the order they are made:

- printed text is buffered per stream as ipykernel's ``OutStream`` does, and becomes a ``stream``
  output when it is flushed: every :data:`FLUSH_INTERVAL_S`, on ``flush()``, and before a display,
  a result or an error (so ``display(A); print("x"); display(B)`` keeps its order);
- ``display()`` calls become ``display_data`` (a ``display_id`` updates the outputs that have it;
  ``clear_output`` clears, or with ``wait=True`` clears before the next output);
- the cell's last expression becomes its ``execute_result`` through IPython's display hook (a
  trailing semicolon hides it);
- an exception becomes one ``error`` output with IPython's own structured traceback
  (``InteractiveTB.structured_traceback``, labelled ``Cell In[N]`` with the cell's execution count),
  as ipykernel's ``_showtraceback`` sends it; a ``sys.exit`` gives IPython's short one.

Execution counts are IPython's (an empty cell is not run and has none), each code cell run gets
nbclient's ``execution`` timings in its metadata, and ``input()`` raises as in a kernel that allows
no stdin. An error stops the run with :class:`CellError` (unless the cell is tagged
``raises-exception``), as nbclient's ``CellExecutionError`` does; so does a cell that runs longer
than its timeout (``CellError.timed_out``). A Ctrl-C (``KeyboardInterrupt``) is not a cell error:
it goes on up to whoever runs the notebook.

What a notebook may change in the process is put back when it ends (see :class:`ProcessState`):
environment variables, working directory, ``sys.path``, warnings filters, pandas options and
altair's active theme, renderer and data transformer.
"""

from __future__ import annotations

import builtins
import contextlib
import ctypes
import datetime as dt
import getpass
import io
import json
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from reflect.errors import ReflectError

#: How long one cell may run before it is stopped (seconds); ``reflect report --cell-timeout``.
DEFAULT_CELL_TIMEOUT_S = 300.0

#: How often printed text becomes an output while a cell runs (ipykernel's ``OutStream.flush_interval``).
FLUSH_INTERVAL_S = 0.2

#: What a kernel says about its language (ipykernel's ``IPythonKernel.language_info``); nbclient
#: writes it into the executed notebook's metadata.
LANGUAGE_INFO: dict[str, Any] = {
    "name": "python",
    "version": sys.version.split()[0],
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "pygments_lexer": f"ipython{sys.version_info[0]}",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
}


class CellError(ReflectError):
    """A cell raised an exception; ``ename`` and ``evalue`` say which and why (``timed_out``: the
    cell was stopped by its timeout, ``ename`` is then ``CellTimeout``)."""

    def __init__(self, index: int, ename: str, evalue: str, *, timed_out: bool = False):
        self.index, self.ename, self.evalue, self.timed_out = index, ename, evalue, timed_out
        self.outputs: list[Any] = []
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


def _stamp() -> str:
    """A time as nbclient writes a kernel message's date in a cell's ``execution`` timings."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _as_sent(content: dict[str, Any]) -> dict[str, Any]:
    """``content`` as it arrives after a trip through a kernel's JSON messages (bytes in base64,
    tuples as lists: jupyter_client's own packing)."""
    from jupyter_client.jsonutil import json_default

    return json.loads(json.dumps(content, default=json_default))  # type: ignore[no-any-return]


class Recorder:
    """Where a running notebook's outputs go: the messages a kernel would send, recorded in the
    cells as nbclient records them (one output each; nothing merged)."""

    def __init__(self, nb: Any, on_output: Callable[[Any], None] | None = None) -> None:
        self.nb = nb
        self.on_output = on_output
        self.index: int | None = None
        self.outputs: list[Any] = []
        self.pending: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self.since: dict[str, float] = {"stdout": 0.0, "stderr": 0.0}
        self.clear_before_next = False
        self.display_ids: dict[str, dict[int, list[int]]] = {}
        self.real_streams: tuple[Any, Any] = (sys.stdout, sys.stderr)
        self.lock = threading.RLock()

    def start(self, index: int) -> None:
        with self.lock:
            self.index = index
            self.outputs = self.nb.cells[index].outputs = []
            self.clear_before_next = False

    def stop(self) -> None:
        with self.lock:
            self.flush()
            self.index = None

    # -- streams (ipykernel's OutStream: buffered, flushed on a timer, on flush() and before any other output)

    def write(self, name: str, text: str) -> None:
        with self.lock:
            if self.index is None:
                return
            now = time.monotonic()
            if self.pending[name] and now - self.since[name] >= FLUSH_INTERVAL_S:
                self.flush(name)  # what the kernel's I/O thread would have sent by now
            if not self.pending[name]:
                self.since[name] = now
            self.pending[name].append(text)

    def flush(self, name: str | None = None) -> None:
        with self.lock:
            for stream in (name,) if name else ("stdout", "stderr"):
                text = "".join(self.pending[stream])
                self.pending[stream].clear()
                if text and self.index is not None:
                    self._add({"output_type": "stream", "name": stream, "text": text})

    # -- what IPython publishes

    def display(self, data: dict[str, Any], metadata: dict[str, Any] | None, transient: dict[str, Any] | None,
                update: bool) -> None:
        with self.lock:
            self.flush()
            content = _as_sent({"data": data, "metadata": metadata or {}})
            display_id = (transient or {}).get("display_id")
            if display_id:
                self._update_display(display_id, content)
            if not update:
                self._add({"output_type": "display_data", **content}, display_id)

    def result(self, data: dict[str, Any], metadata: dict[str, Any], count: int | None) -> None:
        with self.lock:
            self.flush()
            if data:
                content = _as_sent({"data": data, "metadata": metadata})
                self._add({"output_type": "execute_result", "execution_count": count, **content})

    def error(self, ename: str, evalue: str, traceback: list[str]) -> None:
        with self.lock:
            self.flush()
            self._add({"output_type": "error", "ename": ename, "evalue": evalue, "traceback": list(traceback)})

    def clear(self, wait: bool) -> None:
        with self.lock:
            self.flush()
            if wait:
                self.clear_before_next = True
            else:
                self._clear()

    def _clear(self) -> None:
        self.outputs[:] = []
        for cells in self.display_ids.values():
            if self.index in cells:
                cells[self.index] = []

    def _update_display(self, display_id: str, content: dict[str, Any]) -> None:
        import nbformat

        for index, positions in self.display_ids.get(display_id, {}).items():
            outputs = self.nb.cells[index].outputs
            for position in positions:
                outputs[position]["data"] = nbformat.from_dict(content["data"])
                outputs[position]["metadata"] = nbformat.from_dict(content["metadata"])

    def _add(self, output: dict[str, Any], display_id: str | None = None) -> None:
        import nbformat

        if self.index is None:
            return
        if self.clear_before_next:
            self._clear()
            self.clear_before_next = False
        if display_id:
            self.display_ids.setdefault(display_id, {}).setdefault(self.index, []).append(len(self.outputs))
        node = nbformat.v4.output_from_msg({"header": {"msg_type": output["output_type"]}, "content": output})
        self.outputs.append(node)
        if self.on_output is not None:
            # told with the process's own streams in place: what it logs or prints is not the cell's
            captured = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = self.real_streams
            try:
                self.on_output(node)
            finally:
                sys.stdout, sys.stderr = captured


class CellStream(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr`` while a cell runs (ipykernel's ``OutStream``)."""

    encoding = "UTF-8"  # type: ignore[assignment]

    def __init__(self, recorder: Recorder, name: str) -> None:
        super().__init__()
        self.recorder, self._name = recorder, name

    @property
    def name(self) -> str:
        return self._name

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:  # type: ignore[override]
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.recorder.write(self._name, text)
        return len(text)

    def flush(self) -> None:
        self.recorder.flush(self._name)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """Python's own way of showing a warning (on ``sys.stderr``), as in a kernel."""
    (file or sys.stderr).write(warnings.formatwarning(message, category, filename, lineno, line))


def _no_stdin(*_args: Any, **_kwargs: Any) -> str:
    from IPython.core.error import StdinNotImplementedError

    raise StdinNotImplementedError("raw_input was called, but this frontend does not support input requests.")


@contextlib.contextmanager
def _kernel_io(recorder: Recorder) -> Iterator[None]:
    """While a cell runs: its printed text goes to ``recorder``, and ``input()`` and ``getpass``
    raise, as in a kernel that nbclient runs (no stdin)."""
    saved = sys.stdout, sys.stderr, builtins.input, getpass.getpass
    recorder.real_streams = saved[:2]
    sys.stdout, sys.stderr = CellStream(recorder, "stdout"), CellStream(recorder, "stderr")
    builtins.input = getpass.getpass = _no_stdin
    try:
        yield
    finally:
        sys.stdout, sys.stderr, builtins.input, getpass.getpass = saved


def _make_shell() -> Any:
    from ipykernel.compiler import XCachingCompiler
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class CellDisplayHook(DisplayHook):  # type: ignore[misc]
        """The cell's last expression becomes its ``execute_result`` (ipykernel's ``ZMQShellDisplayHook``)."""

        def start_displayhook(self) -> None:
            self.bundle: tuple[dict[str, Any], dict[str, Any]] = ({}, {})

        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict: dict[str, Any], md_dict: dict[str, Any] | None = None) -> None:
            self.bundle = (format_dict, md_dict or {})

        def finish_displayhook(self) -> None:
            recorder = getattr(self.shell, "recorder", None)
            if recorder is not None:
                recorder.result(*self.bundle, self.prompt_count)

    class CellDisplayPublisher(DisplayPublisher):  # type: ignore[misc]
        """``display()`` and ``clear_output()`` become the cell's outputs (ipykernel's ``ZMQDisplayPublisher``)."""

        def publish(self, data: dict[str, Any], metadata: dict[str, Any] | None = None, source: Any = None, *,
                    transient: dict[str, Any] | None = None, update: bool = False, **kwargs: Any) -> None:
            self._validate_data(data, metadata)
            if self.shell.recorder is not None:
                self.shell.recorder.display(data, metadata, transient, update)

        def clear_output(self, wait: bool = False) -> None:
            if self.shell.recorder is not None:
                self.shell.recorder.clear(wait)

    class PrivateShell(InteractiveShell):  # type: ignore[misc]
        """An IPython shell that is nobody's singleton, leaves ``sys.modules['__main__']`` alone and
        records what it shows in the running cell, as ipykernel's shell sends it."""

        displayhook_class = CellDisplayHook
        display_pub_class = CellDisplayPublisher
        recorder: Recorder | None = None

        def init_sys_modules(self) -> None:
            pass

        def _showtraceback(self, etype: type, evalue: BaseException, stb: list[str]) -> None:
            # ipykernel's own: the traceback IPython formatted (InteractiveTB.structured_traceback)
            # becomes one error output, after what was printed before it
            if self.recorder is None:
                super()._showtraceback(etype, evalue, stb)
                return
            self.recorder.error(str(etype.__name__), str(evalue), stb)

    # no history database: nothing written to the user's profile, and no history thread
    # and no output cache: nothing to flush (with a full gc.collect) when each notebook starts
    config = Config({"HistoryManager": {"enabled": False}, "InteractiveShell": {"cache_size": 0}})
    # ipykernel's compiler: cells are named as in a kernel, so tracebacks and warnings read the same
    return PrivateShell(config=config, compiler_class=XCachingCompiler)


class InProcessExecutor:
    """Executes notebooks one after another in this process, each in a namespace of its own."""

    def __init__(self) -> None:
        self.shell = _make_shell()

    @contextlib.contextmanager
    def running(self, nb: Any, cwd: str | os.PathLike[str] | None = None, *,
                on_output: Callable[[Any], None] | None = None) -> Iterator[NotebookRun]:
        """A fresh namespace for ``nb``, in ``cwd``; the block runs its cells (:meth:`NotebookRun.cell`),
        and what the notebook changed in the process is put back when it ends. ``on_output(output)``
        is told of each output as it is made (papermill logs it and saves the notebook now and then)."""
        from IPython.core.interactiveshell import InteractiveShell

        self.shell.reset(new_session=True)
        self.shell.user_ns["__name__"] = "__main__"
        recorder = Recorder(nb, on_output)
        singleton = InteractiveShell._instance
        # IPython.display.display() publishes through the singleton shell: ours while a notebook runs
        InteractiveShell._instance = self.shell
        self.shell.recorder = recorder
        try:
            with isolated():
                warnings.showwarning = _show_warning  # on the cell's stderr, whatever the host does with its own
                if cwd is not None:
                    os.chdir(cwd)
                yield NotebookRun(self.shell, nb, recorder)
        finally:
            self.shell.recorder = None
            InteractiveShell._instance = singleton

    def execute(self, nb: Any, cwd: str | os.PathLike[str] | None = None, *,
                timeout: float | None = DEFAULT_CELL_TIMEOUT_S) -> Any:
        """Run every code cell of ``nb`` (in place) and return it; the first error raises :class:`CellError`.
        ``timeout`` bounds each cell (``None``: no bound)."""
        with self.running(nb, cwd) as run:
            for index in range(len(nb.cells)):
                run.cell(index, timeout=timeout)
        return nb


class NotebookRun:
    """One notebook being run by an :class:`InProcessExecutor`."""

    def __init__(self, shell: Any, nb: Any, recorder: Recorder) -> None:
        self.shell, self.nb, self.recorder = shell, nb, recorder

    def cell(self, index: int, *, timeout: float | None = DEFAULT_CELL_TIMEOUT_S) -> None:
        """Run cell ``index`` as nbclient has a kernel run it: a markdown cell, an empty one or one
        tagged ``skip-execution`` is left alone; its outputs and timings are recorded in the cell.
        Raises :class:`CellError` if it fails (unless it is tagged ``raises-exception``), and lets a
        ``KeyboardInterrupt`` through."""
        cell = self.nb.cells[index]
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "code" or not cell.source.strip() or "skip-execution" in tags:
            return
        cell.metadata["execution"] = {"iopub.status.busy": _stamp()}
        timing = cell.metadata["execution"]
        cell.execution_count = self.shell.execution_count
        timing["iopub.execute_input"] = _stamp()
        self.recorder.start(index)
        error: BaseException | None = None
        message = f"the cell ran longer than {timeout:g} s (the cell timeout)" if timeout else ""
        try:
            with _time_limit(timeout), _kernel_io(self.recorder):
                result = self.shell.run_cell(cell.source, store_history=True)
            error = result.error_before_exec or result.error_in_exec
            failed = not result.success
        except CellTimeout as exc:  # the timer went off outside the cell's own code
            error, failed = exc, True
        finally:
            self.recorder.stop()
            timing["shell.execute_reply"] = timing["iopub.status.idle"] = _stamp()
        if isinstance(error, KeyboardInterrupt):
            raise error
        if isinstance(error, CellTimeout):
            stopped = CellError(index, "CellTimeout", message, timed_out=True)
        elif failed and "raises-exception" not in tags:
            stopped = CellError(index, type(error).__name__ if error else "Error", str(error) if error else "")
        else:
            return
        stopped.outputs = cell.outputs
        raise stopped


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
