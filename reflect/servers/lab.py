"""``reflect lab``: JupyterLab on the kit's notebooks, on this computer only, behind a token.

JupyterLab listens on 127.0.0.1 with a random token, opens in the folder that holds the
notebooks, starts as root where it must (containers: ``--allow-root``), asks no news server and
checks for no updates (nothing is fetched from the internet), and dies with ``reflect lab``
however it ends (``PR_SET_PDEATHSIG``): Ctrl-C, SIGTERM or SIGKILL leave no server behind.

Its settings (no news, no update checks) are in a private temporary folder of its own
(``reflect-lab-settings-*``), removed when it stops; one that a ``reflect lab`` killed outright
left behind is swept by the next (:mod:`reflect.system.leftovers`: this user's, older than ten
minutes, held by no ``reflect lab`` still running).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from reflect.errors import ReflectError
from reflect.system.leftovers import HeldFolder, sweep
from reflect.system.paths import kit_notebooks, resolve_store_path
from reflect.system.speedups import child_environment

HOST = "127.0.0.1"
READY_TIMEOUT_S = 90.0
#: The name of JupyterLab's settings folder in the temporary folder, before its random part.
SETTINGS_PREFIX = "reflect-lab-settings-"


class LabError(ReflectError):
    """JupyterLab could not be started, or stopped on its own."""


def notebooks_folder() -> Path:
    """The folder of the kit's notebooks (the checkout's ``notebooks/``, or the installed package's)."""
    return kit_notebooks()


def command(port: int, token: str, root: Path) -> list[str]:
    """The JupyterLab command line: loopback, a token, the notebooks' folder, nothing fetched."""
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--ip={HOST}", f"--port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start(store: str | os.PathLike[str] | None = None, *, port: int | None = None,
          timeout: float = READY_TIMEOUT_S) -> tuple[subprocess.Popen[bytes], str, HeldFolder]:
    """Start JupyterLab on the notebooks for ``store`` (its kernels get ``REFLECT_DB``); return the
    process, the address to open (token included) once it answers, and its settings folder (remove
    it once the process has stopped). Settings folders a killed ``reflect lab`` left are swept first."""
    port = port or _free_port()
    token = secrets.token_hex(24)
    sweep(tempfile.gettempdir(), SETTINGS_PREFIX)
    settings = HeldFolder(SETTINGS_PREFIX)
    process: subprocess.Popen[bytes] | None = None
    try:
        notice = settings.path / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notice.parent.mkdir(parents=True)
        notice.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        env = child_environment({**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings.path)})  # skips a slow import
        if store is not None or os.environ.get("REFLECT_DB"):
            env["REFLECT_DB"] = str(resolve_store_path(store).expanduser().resolve())
        root = notebooks_folder()
        from reflect.system.children import die_with_parent

        process = subprocess.Popen(command(port, token, root), env=env, cwd=root, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   preexec_fn=die_with_parent())
        deadline = time.monotonic() + timeout
        status = f"http://{HOST}:{port}/api/status?token={token}"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise LabError(f"JupyterLab stopped at once (exit {process.returncode})")
            try:
                with urllib.request.urlopen(status, timeout=2) as answer:
                    if answer.status == 200:
                        return process, f"http://{HOST}:{port}/lab?token={token}", settings
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise LabError(f"JupyterLab did not answer on port {port} within {timeout:.0f} s")
    except BaseException:  # not started (or interrupted): nothing is left running, nor in the temporary folder
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        settings.remove()
        raise


def serve(store: str | os.PathLike[str] | None = None, *, port: int | None = None,
          tell: Callable[[str], object] = print) -> None:
    """Run JupyterLab until Ctrl-C or SIGTERM, then stop it."""
    process, url, settings = start(store, port=port)

    def on_term(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        tell(f"JupyterLab is ready at {url}")
        tell("Open that address in a browser on this computer. Press Ctrl-C to stop.")
        if process.wait():
            raise LabError(f"JupyterLab stopped unexpectedly (exit {process.returncode})")
    except KeyboardInterrupt:
        tell("Stopped.")
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        settings.remove()  # JupyterLab has stopped: its settings go too
        signal.signal(signal.SIGTERM, previous)
