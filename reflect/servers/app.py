"""App mode: the reflection notebook as a plain web page (Voila), for a partner who never uses Jupyter.

The page shows the prose and the form, never code. It listens on 127.0.0.1 only, behind a random
token, and needs no network: Reflect's own Voila template leaves out the stylesheets Voila would
fetch from the internet, and the form has no icons.

The store is chosen as the CLI chooses it (an explicit path, else ``$REFLECT_DB``, else
``data/reflect.db``) and handed to the notebook's kernel as ``REFLECT_DB``: kernels inherit the
server's environment. The token goes to the server through ``JUPYTER_TOKEN`` rather than the
command line, where other users of the machine could read it in the process list.

>>> cmd = command(Path("monthly_reflection.ipynb"), port=8866)
>>> cmd[1:4], "--Voila.ip=127.0.0.1" in cmd, "--token" in cmd
(['-m', 'voila', 'monthly_reflection.ipynb'], True, True)
"""

from __future__ import annotations

import collections
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from types import FrameType

from reflect.errors import ReflectError
from reflect.servers.kernels import ready_kernel_options
from reflect.system.paths import kit_notebooks, resolve_store_path
from reflect.system.speedups import child_environment

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
NOTEBOOK = "monthly_reflection.ipynb"
TEMPLATE = "reflect"
#: Where Reflect's Voila template lives: ``<this>/voila/templates/reflect``.
TEMPLATES_ROOT = Path(str(resources.files("reflect") / "templates"))
READY_TIMEOUT_S = 60.0


class AppError(ReflectError):
    """The app could not be started (no notebook, port taken, the server stopped...)."""


def notebook_path() -> Path:
    """The reflection notebook, shipped with the package (:func:`~reflect.system.paths.kit_notebooks`)."""
    path = kit_notebooks() / NOTEBOOK
    if not path.is_file():
        raise AppError(f"{path}: the reflection notebook is missing (reinstall Reflect: scripts/setup)")
    return path


def new_token() -> str:
    """A random token for the page's address (48 hex characters)."""
    return secrets.token_hex(24)


def free_port(host: str = HOST) -> int:
    """A port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def check_port(port: int, host: str = HOST) -> None:
    """Raise :class:`AppError` when ``port`` cannot be used."""
    if not 1 <= port <= 65535:
        raise AppError(f"{port} is not a port number (use 1 to 65535)")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            raise AppError(
                f"port {port} is already in use on {host}; choose another with --port, "
                "or leave --port out to pick a free one"
            ) from None


def command(notebook: Path, *, port: int) -> list[str]:
    """The command line that serves ``notebook`` with Voila on 127.0.0.1:``port``, with no code shown."""
    return [
        sys.executable, "-m", "voila", str(notebook),
        "--no-browser",
        "--token",  # a token is required; its value comes from JUPYTER_TOKEN (see environment())
        f"--port={port}",
        f"--Voila.ip={HOST}",
        "--Voila.port_retries=0",  # never move to another port than the one printed
        f"--template={TEMPLATE}",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--theme=light",
        *ready_kernel_options(),
    ]


def environment(store: Path, token: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment (which its kernels inherit): the store, the token, the template."""
    env = dict(os.environ if base is None else base)
    env["REFLECT_DB"] = str(store)
    env["JUPYTER_TOKEN"] = token
    env.pop("JUPYTER_TOKEN_FILE", None)
    paths = [str(TEMPLATES_ROOT), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
    env["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return child_environment(env)  # the server and its kernels skip a slow import, as the kit does


class AppServer:
    """A running ``reflect app`` server. ``start()``, then ``url``; ``stop()`` when done."""

    def __init__(self, store: str | os.PathLike[str] | None = None, *, port: int | None = None):
        self.store = resolve_store_path(store).expanduser().resolve()
        self.notebook = notebook_path()
        if port is None:
            port = free_port()
        else:
            check_port(port)
        self.port = port
        self.token = new_token()
        self.process: subprocess.Popen[str] | None = None
        self._output: collections.deque[str] = collections.deque(maxlen=40)

    @property
    def url(self) -> str:
        """The page's address, token included."""
        return f"http://{HOST}:{self.port}/?token={self.token}"

    def start(self, *, timeout: float = READY_TIMEOUT_S) -> AppServer:
        """Start the server and wait until it answers; raise :class:`AppError` if it does not."""
        from reflect.storage.store import Store
        from reflect.system.children import die_with_parent

        # Open (or create) the store here first: a wrong --db is said on the command line, not in the page.
        Store(self.store).close()
        self.process = subprocess.Popen(
            command(self.notebook, port=self.port),
            env=environment(self.store, self.token),
            cwd=self.notebook.parent,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            preexec_fn=die_with_parent(),  # the server stops if this process dies, even by SIGKILL
        )
        threading.Thread(target=self._drain, daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process.wait()
                last = " | ".join(line for line in self._output if line.strip())[-600:]
                raise AppError(f"the app server stopped at once (exit {self.process.returncode}): {last}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AppError(f"the app server did not answer on port {self.port} within {timeout:.0f} s")

    def _drain(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            line = line.rstrip()
            self._output.append(line)
            log.debug("voila: %s", line.replace(self.token, "…"))

    def wait(self) -> int:
        """Wait until the server stops; its exit code."""
        assert self.process is not None
        return self.process.wait()

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop the server (politely, then firmly) if it runs."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(store: str | os.PathLike[str] | None = None, *, port: int | None = None,
          tell: Callable[[str], object] = print) -> None:
    """Run the app until interrupted (Ctrl-C) or terminated, then stop the server."""
    server = AppServer(store, port=port)

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        server.start()
        tell(f"Your reflection is ready at {server.url}")
        tell(f"Open that address in a browser on this computer. Check-ins are saved to {server.store}.")
        tell("Press Ctrl-C to stop.")
        code = server.wait()
        if code:
            raise AppError(f"the app server stopped unexpectedly (exit {code})")
    except KeyboardInterrupt:
        tell("Stopped. Everything you saved is kept.")
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
