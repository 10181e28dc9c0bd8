"""Shared fixtures: stores in memory or in a temporary folder, and the CLI run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reflect.domain.checkin import CheckIn
from reflect.domain.dimensions import KEYS
from reflect.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent
REFLECT_BIN = Path(sys.executable).with_name("reflect")


def make_checkin(person="Robin", date="2026-10-01", cadence=None, note=None, desired=None, **scores):
    base = dict.fromkeys(KEYS, 5)
    base.update(scores)
    return CheckIn.create(
        person=person, date=date, cadence=cadence, scores=base, desired=desired or {}, note=note
    )


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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, driven by Playwright (the browser tests' own; one per test module)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
