"""App mode: the reflection notebook as a plain web page (Voila), for a partner who never uses Jupyter.

The page shows the prose and the form, never code. It listens on 127.0.0.1 only, behind a random
token, and needs no network: Reflect's own Voila template leaves out the stylesheets Voila would
fetch from the internet, and the form has no icons.

The store is chosen as the CLI chooses it (an explicit path, else ``$REFLECT_DB``, else
``data/reflect.db``) and handed to the notebook's kernel as ``REFLECT_DB``: kernels inherit the
server's environment. The token goes to the server through ``JUPYTER_TOKEN`` rather than the
command line, where other users of the machine could read it in the process list.

With ``lan=True`` (``reflect app --lan``) the same page is served to the home network: on this
computer's home-network address (:mod:`reflect.system.network`), over HTTPS only with the kit's own
certificate (:mod:`reflect.servers.certificate`, served by :mod:`reflect.servers.voila_https`), for a
store whose people all have a passphrase; the form's kernel then lets only people with one act
(``REFLECT_PASSPHRASES_REQUIRED``), so the token alone opens the page but lets nobody act as anyone.

>>> cmd = command(Path("monthly_reflection.ipynb"), port=8866)
>>> cmd[1:4], "--Voila.ip=127.0.0.1" in cmd, "--token" in cmd
(['-m', 'voila', 'monthly_reflection.ipynb'], True, True)
"""

from __future__ import annotations

import collections
import ipaddress
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
from typing import TYPE_CHECKING

from reflect.errors import ReflectError
from reflect.servers.kernels import SIGN_IN_WITHIN_S, kernel_environment, ready_kernel_options, sign_in_environment
from reflect.system.paths import kit_notebooks, resolve_store_path
from reflect.system.speedups import child_environment

if TYPE_CHECKING:
    from reflect.servers.certificate import Certificate
    from reflect.storage.store import Store

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
        "--VoilaConfiguration.file_allowlist=[]",  # no file served: the form is the whole page
        *ready_kernel_options(),
    ]


#: Voila with TLS: the module that ``reflect app --lan`` runs instead of ``voila``.
HTTPS_VOILA = "reflect.servers.voila_https"


def lan_command(notebook: Path, *, port: int, address: str, cert_file: Path, key_file: Path) -> list[str]:
    """:func:`command`, served over HTTPS on ``address`` (this computer's home-network address)."""
    cmd = command(notebook, port=port)
    if cmd[1:3] != ["-m", "voila"]:  # pragma: no cover - command() and this function go together
        raise AppError("the app's server command is not the one expected; reinstall Reflect (scripts/setup)")
    cmd[2] = HTTPS_VOILA
    cmd = [f"--Voila.ip={address}" if part == f"--Voila.ip={HOST}" else part for part in cmd]
    return [*cmd, f"--ReflectVoila.certfile={cert_file}", f"--ReflectVoila.keyfile={key_file}"]


def check_passphrases(store: Store) -> None:
    """Refuse to serve ``store`` on the home network while it is not a couple with passphrases: while
    it knows nobody (nobody new is made on the home network), while it holds more than two people,
    and while someone in it has no passphrase (anyone with the address could act as them)."""
    people = store.persons()
    if not people:
        raise AppError("nobody is in this store yet, and on the home network nobody new is made: add each of you "
                       "at the computer first (`reflect person add NAME`), then start `reflect app --lan` again")
    problem = store.couple_problem()
    if problem:
        raise AppError(problem[:1].upper() + problem[1:] + "; then start `reflect app --lan` again")
    bare = [p.name for p in people if not p.protected]
    if not bare:
        return
    who = " and ".join([", ".join(bare[:-1]), bare[-1]] if len(bare) > 1 else bare)
    first = bare[0]
    raise AppError(
        f"{who} {'has' if len(bare) == 1 else 'have'} no passphrase, and on the home network anyone with the "
        f"address could act as {'them' if len(bare) > 1 else first}; choose one first with "
        f"`reflect person passphrase {first}`{' (and for each of them)' if len(bare) > 1 else ''}, "
        "then start `reflect app --lan` again")


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
    """A running ``reflect app`` server. ``start()``, then ``url``; ``stop()`` when done.

    With ``lan=True`` it serves the home network over HTTPS (on ``address``, else this computer's
    home-network address); ``certificate`` is then the one it serves, once started. There, a page
    nobody signs in to closes after ``sign_in_within_s`` seconds (:mod:`reflect.servers.kernels`)."""

    def __init__(self, store: str | os.PathLike[str] | None = None, *, port: int | None = None,
                 lan: bool = False, address: str | None = None, sign_in_within_s: float = SIGN_IN_WITHIN_S):
        from reflect.system.network import choose_address

        self.store = resolve_store_path(store).expanduser().resolve()
        self.notebook = notebook_path()
        self.lan = lan
        if address is not None and not lan:
            raise AppError("--address is for the home network: add --lan")
        self.host = choose_address(address).address if lan else HOST
        if port is None:
            port = free_port(self.host)
        else:
            check_port(port, self.host)
        self.port = port
        self.token = new_token()
        self.sign_in_within_s = sign_in_within_s
        self.certificate: Certificate | None = None
        self.process: subprocess.Popen[str] | None = None
        self._output: collections.deque[str] = collections.deque(maxlen=40)

    @property
    def url(self) -> str:
        """The page's address, token included."""
        scheme = "https" if self.lan else "http"
        return f"{scheme}://{self.host}:{self.port}/?token={self.token}"

    def _command_and_environment(self) -> tuple[list[str], dict[str, str]]:
        """Open (or create) the store here first: a wrong --db is said on the command line, not in
        the page. On the home network: check everyone has a passphrase, and make the certificate."""
        from reflect.servers.certificate import ensure_certificate
        from reflect.storage.store import ENV_PASSPHRASES_REQUIRED, Store

        with Store(self.store) as store:
            if self.lan:
                check_passphrases(store)
        env = environment(self.store, self.token)
        # on the home network a page nobody signs in to closes sooner; at the computer, never
        env.update(sign_in_environment(self.sign_in_within_s if self.lan else 0))
        if not self.lan:
            return command(self.notebook, port=self.port), env
        self.certificate = ensure_certificate(self.store, [self.host])
        env[ENV_PASSPHRASES_REQUIRED] = "1"
        # the ready kernels wait for their page through this server: at its address, over HTTPS
        env.update(kernel_environment(self.host, certfile=self.certificate.cert_file))
        return lan_command(self.notebook, port=self.port, address=self.host, cert_file=self.certificate.cert_file,
                           key_file=self.certificate.key_file), env

    def start(self, *, timeout: float = READY_TIMEOUT_S) -> AppServer:
        """Start the server and wait until it answers; raise :class:`AppError` if it does not."""
        from reflect.system.children import die_with_parent

        cmd, env = self._command_and_environment()
        self.process = subprocess.Popen(
            cmd,
            env=env,
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
                with socket.create_connection((self.host, self.port), timeout=0.5):
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


#: The QR code's colours in the terminal, said explicitly (ANSI: black, and bright white for the light
#: modules and the quiet zone around them), so that it reads the same on a light and a dark theme: drawn
#: in the terminal's own colours, it comes out inverted on one of them, and a QR reader reads nothing.
QR_FOREGROUND = {True: "30", False: "97"}
QR_BACKGROUND = {True: "40", False: "107"}
#: The QR code's quiet zone, in modules (the standard's 4).
QR_BORDER = 4


def qr_matrix(text: str) -> list[list[bool]]:
    """``text`` as a QR code: its rows of modules (``True`` is dark), the quiet zone included."""
    import segno

    return [[bool(m) for m in row] for row in segno.make(text, error="l").matrix_iter(scale=1, border=QR_BORDER)]


def qr_code(text: str) -> str:
    """``text`` as a QR code for a phone's camera to read off a terminal: two rows of modules a line (an
    upper half block, its top module the foreground colour and its bottom one the background), every
    cell in explicit colours (:data:`QR_FOREGROUND`, :data:`QR_BACKGROUND`)."""
    rows = qr_matrix(text)
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))  # one more row of quiet zone
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2], strict=True):
        parts, drawn = [], None
        for up, down in zip(top, bottom, strict=True):
            colours = f"\x1b[{QR_FOREGROUND[up]};{QR_BACKGROUND[down]}m"
            if colours != drawn:
                parts.append(colours)
                drawn = colours
            parts.append("\u2580")
        lines.append("".join(parts) + "\x1b[0m")
    return "\n".join(lines)


def qr_picture_path(store: Path) -> Path:
    """Where the QR code of the page's address is kept as a picture: beside the store, named after it."""
    return store.with_name(store.name + ".lan-qr.png")


def save_qr_picture(text: str, path: Path) -> Path:
    """``text`` as a QR code in a PNG file at ``path`` (8 pixels a module, the quiet zone around),
    readable by its owner only: it holds the page's address, token included."""
    import io

    import segno

    from reflect.system.paths import write_private

    picture = io.BytesIO()
    segno.make(text, error="l").save(picture, kind="png", scale=8, border=QR_BORDER)
    return write_private(path, picture.getvalue())


def lan_words(server: AppServer, picture: Path | None = None) -> list[str]:
    """What the terminal says when the form is served on the home network (``picture``: where the QR
    code was saved as a PNG). On a loopback address (a trial on this computer) no QR code is drawn:
    no phone can reach it."""
    assert server.certificate is not None
    cert = server.certificate
    alone = ipaddress.ip_address(server.host).is_loopback
    where = ("(on this computer only: for your phones, leave --address out or give the home-network one)"
             if alone else "(on your home network)")
    if alone:
        scan = [f"No QR code: no phone can reach {server.host}, which is this computer alone."]
    else:
        kept = f" (also kept as a picture: {picture})" if picture is not None else ""
        scan = [f"Scan this with your phone's camera, on the same Wi-Fi{kept}:", qr_code(server.url)]
    return [
        f"Your reflection is ready at {server.url} {where}",
        *scan,
        f"Your {'browser' if alone else 'phone'} will warn that it does not know this certificate: the kit made it "
        "itself, on this computer" + (" (just now)." if cert.made else "."),
        "Before you go on, check that the certificate's SHA-256 fingerprint it shows is this one:",
        f"  {cert.fingerprint}",
        f"(kept in {cert.cert_file}, valid until {cert.not_after:%Y-%m-%d}).",
        "Each of you then signs in with your own passphrase."
        " Keep the address to yourselves: anyone who has it can open the page on this network, though not "
        "your answers.",
        f"Check-ins are saved to {server.store}. Press Ctrl-C to stop.",
    ]


def lan_announcement(server: AppServer) -> list[str]:
    """:func:`lan_words` for a server just started on the home network, the QR code also saved as a
    picture beside the store (:func:`qr_picture_path`); on a loopback address, neither."""
    picture = None
    if not ipaddress.ip_address(server.host).is_loopback:
        picture = save_qr_picture(server.url, qr_picture_path(server.store))
    return lan_words(server, picture)


def serve(store: str | os.PathLike[str] | None = None, *, port: int | None = None, lan: bool = False,
          address: str | None = None, tell: Callable[[str], object] = print) -> None:
    """Run the app until interrupted (Ctrl-C) or terminated, then stop the server."""
    server = AppServer(store, port=port, lan=lan, address=address)

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        server.start()
        if lan:
            for line in lan_announcement(server):
                tell(line)
        else:
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
