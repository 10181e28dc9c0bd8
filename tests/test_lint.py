"""Cheap honesty: ruff on the code and tests, mypy on the library."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "reflect", "tests", "benchmarks"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_on_the_library():
    r = subprocess.run([sys.executable, "-m", "mypy", "reflect"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
