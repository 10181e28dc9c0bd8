"""Shared fixtures: the tests' own temporary folder, the real date read once, fast key derivation,
stores in memory or in a temporary folder, the couple (Robin and Sam with passphrases) as a store
and on the command line, the CLI run as a user runs it, and Debian's chromium.

Shared helpers (plain functions) are in tests/helpers.py.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass

import pytest

from reflect.domain.months import add_months
from reflect.storage import keys
from reflect.storage.store import Store

from .helpers import CHROMIUM, CHROMIUM_ARGS, REFLECT_BIN, ROOT, launch_chromium, make_checkin

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "REFLECT_BIN", "ROOT", "make_checkin"]  # also importable from here


# -- the run as a whole ------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def private_tmpdir(tmp_path_factory):
    """The tests' own temporary folder, never the shared one (/tmp): TMPDIR, which every child
    process inherits, and this process's tempfile.tempdir point to a private folder under pytest's
    base temporary folder for the whole run, and are put back after."""
    folder = tmp_path_factory.mktemp("tmp", numbered=False)
    folder.chmod(0o700)
    saved = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        if saved[0] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[0]
        tempfile.tempdir = saved[1]


@pytest.fixture(scope="session", autouse=True)
def interrupt_as_at_a_terminal():
    """Ctrl-C (SIGINT) reaches the processes the tests start as it reaches a command typed at a
    terminal. A run started in the background (`cmd &` in a script, as some tools and CI runners
    start it) inherits SIGINT ignored, and so would every child: a test that stops `reflect app`
    with SIGINT would wait in vain. Python installs its own handler only where SIGINT is not
    ignored, and a child starts with the default action where this process has a handler."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


# -- the date ---------------------------------------------------------------------------------------

#: A test whose subject reads the real date starts no closer to midnight than this (see `calendar`).
MIDNIGHT_MARGIN_S = 300


@dataclass(frozen=True)
class Calendar:
    """The real date, read once at the start of a test: today, and the months around it."""

    today: dt.date

    @property
    def this_month(self) -> str:
        """This month, YYYY-MM."""
        return f"{self.today:%Y-%m}"

    @property
    def last_month(self) -> str:
        """Last month, YYYY-MM."""
        return add_months(self.this_month, -1)

    @property
    def next_month(self) -> str:
        """Next month, YYYY-MM."""
        return add_months(self.this_month, 1)

    @property
    def first_of_this_month(self) -> dt.date:
        return self.today.replace(day=1)

    @property
    def first_of_last_month(self) -> dt.date:
        return dt.date.fromisoformat(f"{self.last_month}-01")

    @property
    def month_words(self) -> str:
        """This month as the kit says it: "December 2026"."""
        return f"{self.today:%B %Y}"

    def days(self, n: int) -> dt.date:
        """Today plus ``n`` days (minus, for n < 0)."""
        return self.today + dt.timedelta(days=n)


@pytest.fixture
def calendar() -> Calendar:
    """For a test whose subject reads the real date (the CLI, the app, the browser, a check-in's
    "not in the future"): the date read once, here, not at import; library tests pass fixed dates
    or set ``store.today`` instead. So that no test straddles a midnight (a day, or a month, that
    changes under it), a test that would start within MIDNIGHT_MARGIN_S of midnight first waits
    until midnight has passed: at most once a run, and only in those minutes."""
    now = dt.datetime.now()
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())
    left = (midnight - now).total_seconds()
    if left < MIDNIGHT_MARGIN_S:
        time.sleep(left + 1)
    return Calendar(dt.date.today())


# -- passphrases ------------------------------------------------------------------------------------


def _fast_kdf_init(init):
    def fast(self, n=2**10, r=8, p=1, salt=None):
        init(self, n=n, r=r, p=p, **({"salt": salt} if salt is not None else {}))
    return fast


@pytest.fixture
def fast_keys(monkeypatch):
    """Key derivation without its real cost, in this process (the cost is benchmarked apart): a
    module asks for it with ``pytestmark = pytest.mark.usefixtures("fast_keys")``."""
    monkeypatch.setattr(keys, "SCRYPT_N", 2**10)
    monkeypatch.setattr(keys.KdfParams, "__init__", _fast_kdf_init(keys.KdfParams.__init__))


#: The couple's passphrases, and a wrong one.
PASSPHRASES = {"Robin": "robin's words", "Sam": "sam's own words", "Wrong": "a wrong guess"}


@pytest.fixture
def passphrase_files(tmp_path):
    """Owner-only passphrase files for Robin, Sam and a wrong guess ("Wrong"): name -> path."""
    files = {}
    for name, words in PASSPHRASES.items():
        path = tmp_path / f"{name.lower()}.pass"
        path.write_text(words + "\n")
        path.chmod(0o600)
        files[name] = str(path)
    return files


@pytest.fixture
def store():
    with Store(":memory:") as s:
        yield s


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An isolated project home: data/ and reports/ go under tmp_path, no REFLECT_DB."""
    monkeypatch.setenv("REFLECT_HOME", str(tmp_path))
    monkeypatch.delenv("REFLECT_DB", raising=False)
    return tmp_path


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "couple.db"


@pytest.fixture
def file_store(db_path):
    with Store(db_path) as s:
        yield s


@pytest.fixture
def couple_store(db_path, fast_keys):
    """Robin and Sam, each with a passphrase (PASSPHRASES), in a file store (``db_path``); nobody signed in."""
    with Store(db_path) as s:
        s.add_person("Robin", PASSPHRASES["Robin"])
        s.add_person("Sam", PASSPHRASES["Sam"])
        s.sign_out()
        yield s


class CLIResult:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def __repr__(self):
        return f"<exit {self.returncode}\nstdout: {self.stdout}\nstderr: {self.stderr}>"


@pytest.fixture
def cli(home):
    """Run the installed ``reflect`` command in a subprocess, in an isolated home."""

    def run(*args: str, input: str | None = None, env: dict | None = None) -> CLIResult:
        full_env = {**os.environ, "REFLECT_HOME": str(home)}
        full_env.pop("REFLECT_DB", None)
        full_env.update(env or {})
        proc = subprocess.run(
            [str(REFLECT_BIN), *args],
            input=input,
            capture_output=True,
            text=True,
            cwd=home,
            env=full_env,
            timeout=120,
        )
        return CLIResult(proc)

    return run


@pytest.fixture
def couple_cli(cli, passphrase_files):
    """The ``cli`` of a home where Robin and Sam were added with their passphrases
    (``reflect person add NAME --passphrase-file FILE``), as a user does it: the store is
    ``home / "data" / "reflect.db"``."""
    for name in ("Robin", "Sam"):
        r = cli("person", "add", name, "--passphrase-file", passphrase_files[name])
        assert r.returncode == 0, r
    return cli


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, driven by Playwright (the browser tests' own; one per test module)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        yield chromium
        chromium.close()
