"""How fast is the monthly report? Measured side by side on this machine, interleaved, in one run.

    .venv/bin/python benchmarks/report_speed.py [--rounds 5] [--months 24] [--variants] [--tty]
                                                [--kit DIR] [--before DIR]

Each round runs every measurement once, one after the other, so that a busy moment of the
machine falls on all of them alike (the figures are medians over the rounds). Each is timed in
wall time and in CPU time (user + system, of the process and of every process it started:
``getrusage(RUSAGE_CHILDREN)`` before and after), which a busy machine disturbs far less.

- F, the floor of papermill: the papermill CLI executing a one-cell notebook in a *minimal*
  virtual environment that holds only papermill and ipykernel (built once in benchmarks/.floor-venv);
- MIN, the floor of the charts (``benchmarks/report_min.py``): a hand-written script that imports
  pandas, altair and vl-convert, reads the same store, builds the same charts with the kit's own
  chart functions, draws them to SVG and writes one HTML page;
- R1: one ``reflect report`` of one month (execute + HTML), in the kit's own environment;
- B: a ``reflect report --all`` batch of every month (every report remade: ``--force``).

``--variants`` adds R1 and B without the helper processes (``REFLECT_HELPERS=0``: do they pay?);
``--tty`` runs everything in a pseudo-terminal too (``script -qc``, where the batch shows its
progress bar); ``--kit DIR`` runs the kit from a source tree (``PYTHONPATH``) instead of the
installed one, and ``--before DIR`` measures a second tree's R1 and B in the same rounds (the kit
before a change: the honest way to compare on a shared machine).

Goals (issue 23): one report at most MIN (wall and CPU) and at most 2 x F; the batch at most
0.25 x (N x one report) in CPU time. The figures are printed, never asserted: speed is a
measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR_VENV = Path(__file__).resolve().parent / ".floor-venv"
MIN_SCRIPT = Path(__file__).resolve().parent / "report_min.py"
PYTHON = sys.executable

Timing = tuple[float, float]  # (wall seconds, CPU seconds of the process and its children)


#: What the batches said when some of their reports failed (the rest is still measured).
FAILED: set[str] = set()


def run(cmd: list[str], *, tty: bool, env: dict[str, str] | None = None, cwd: Path | None = None,
        check: bool = True) -> Timing:
    """Wall and CPU time of ``cmd``, in a pseudo-terminal (``script -qc``) or with output to a pipe.
    With ``check=False`` a failure is noted in :data:`FAILED` (a batch where a month fails) instead."""
    if tty:
        cmd = ["script", "-qec", shlex.join(cmd), "/dev/null"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, check=check, capture_output=True, stdin=subprocess.DEVNULL, env=env, cwd=cwd, text=True)
    if proc.returncode:  # said once, whatever it took
        FAILED.add(re.sub(r" in [\d.]+ s:", ":", (proc.stderr or proc.stdout).strip().splitlines()[-1])[:400])
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def floor_env() -> Path:
    papermill = FLOOR_VENV / "bin" / "papermill"
    if not papermill.exists():
        print("Building the minimal floor environment (papermill + ipykernel) once ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(FLOOR_VENV)], check=True)
        subprocess.run([str(FLOOR_VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                        "papermill", "ipykernel"], check=True)
    return papermill


def one_cell_notebook(folder: Path) -> Path:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                     "source": "print('hello')"}],
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                       "language_info": {"name": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = folder / "one.ipynb"
    path.write_text(json.dumps(nb))
    return path


def kit_env(base: dict[str, str], tree: Path | None) -> dict[str, str]:
    """The environment that runs the kit from ``tree`` (a source tree), or the installed kit."""
    if tree is None:
        return dict(base)
    return {**base, "PYTHONPATH": str(tree.resolve())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of every measurement (medians)")
    parser.add_argument("--months", type=int, default=24, help="months in the demo store (the batch)")
    parser.add_argument("--month", default="2026-10", help="the month of one report (and the store's last)")
    parser.add_argument("--variants", action="store_true", help="also R1 and B without the helper processes")
    parser.add_argument("--tty", action="store_true", help="also everything in a pseudo-terminal")
    parser.add_argument("--kit", type=Path, help="run the kit from this source tree (default: the installed kit)")
    parser.add_argument("--before", type=Path, help="also R1 and B of the kit in this source tree")
    args = parser.parse_args()
    ttys = [False, True] if args.tty and shutil.which("script") else [False]

    with tempfile.TemporaryDirectory(prefix="reflect-bench-") as tmp:
        work = Path(tmp)
        base_env = {**os.environ, "REFLECT_HOME": str(work)}
        base_env.pop("REFLECT_DB", None)
        base_env.pop("PYTHONPATH", None)
        one = one_cell_notebook(work)
        papermill = floor_env()
        db = work / "demo.db"
        env = kit_env(base_env, args.kit)
        reflect = [PYTHON, "-m", "reflect.cli"]
        # run from the work folder: ``python -m`` puts the current folder first on the path
        subprocess.run([*reflect, "demo", "--db", str(db), "--months", str(args.months), "--end", args.month],
                       env=env, check=True, capture_output=True, cwd=work)

        def report(tree: Path | None, helpers: bool, out: str, *extra: str) -> Callable[[bool], Timing]:
            environ = {**kit_env(base_env, tree), "REFLECT_HELPERS": "1" if helpers else "0"}
            return lambda tty: run([*reflect, "report", "--db", str(db), "--force", "--out", str(work / out), *extra],
                                   tty=tty, env=environ, cwd=work, check="--all" not in extra)

        one_month = ("--month", args.month)
        measures: dict[str, Callable[[bool], Timing]] = {
            "F": lambda tty: run([str(papermill), str(one), str(work / "one-out.ipynb")], tty=tty, cwd=work),
            "MIN": lambda tty: run([PYTHON, str(MIN_SCRIPT), "--db", str(db), "--month", args.month,
                                    "--out", str(work / "min.html")], tty=tty, env=env, cwd=work),
            "R1": report(args.kit, True, "out", *one_month),
            "B": report(args.kit, True, "out", "--all"),
        }
        if args.variants:
            measures["R1 no helpers"] = report(args.kit, False, "out", *one_month)
            measures["B no helpers"] = report(args.kit, False, "out", "--all")
        if args.before:
            measures["R1 before"] = report(args.before, True, "before", *one_month)
            measures["B before"] = report(args.before, True, "before", "--all")
        for fn in measures.values():  # warm the disk cache (and build nothing twice)
            fn(False)
        times: dict[tuple[str, bool], list[Timing]] = {(n, t): [] for n in measures for t in ttys}
        for r in range(args.rounds):
            for tty in ttys:
                for name, fn in measures.items():
                    times[(name, tty)].append(fn(tty))
            print(f"round {r + 1} of {args.rounds} done (load average {os.getloadavg()[0]:.1f})",
                  file=sys.stderr, flush=True)
        n = len(list((work / "out").glob("*.html")))
        page = (work / "out" / f"{args.month}.html").stat().st_size
        before_page = (work / "before" / f"{args.month}.html").stat().st_size if args.before else 0

    wall = {key: statistics.median(t[0] for t in v) for key, v in times.items()}
    cpu = {key: statistics.median(t[1] for t in v) for key, v in times.items()}
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} (1, 5, 15 min); {args.rounds} interleaved rounds, "
          f"medians; batch of {n} months; one report's page {page / 1000:.0f} KB"
          + (f" ({before_page / 1000:.0f} KB before)" if args.before else "") + "\n")
    print("| | " + " | ".join(f"wall{' (tty)' if t else ''} | CPU{' (tty)' if t else ''}" for t in ttys) + " |")
    print("| --- | " + " | ".join("--- | ---" for _ in ttys) + " |")
    for name in measures:
        print(f"| {name} | " + " | ".join(f"{wall[(name, t)]:.2f} s | {cpu[(name, t)]:.2f} s" for t in ttys) + " |")
    for tty in ttys:
        where = "in a terminal" if tty else "no terminal"

        def ratio(a: str, b: str, scale: float = 1.0, *, on: dict[tuple[str, bool], float], _tty: bool = tty) -> str:
            return f"{on[(a, _tty)] / (scale * on[(b, _tty)]):.2f}"

        print(f"\n{where}:")
        print(f"  one report / F:   wall {ratio('R1', 'F', on=wall)}, CPU {ratio('R1', 'F', on=cpu)} "
              "(goal at most 2.0)")
        print(f"  one report / MIN: wall {ratio('R1', 'MIN', on=wall)}, CPU {ratio('R1', 'MIN', on=cpu)} "
              "(goal at most 1.0)")
        print(f"  MIN / F:          wall {ratio('MIN', 'F', on=wall)}, CPU {ratio('MIN', 'F', on=cpu)}")
        print(f"  batch / ({n} x one report): wall {ratio('B', 'R1', n, on=wall)}, CPU {ratio('B', 'R1', n, on=cpu)} "
              "(goal at most 0.25 in CPU time)")
        print(f"  each further report in the batch: CPU {(cpu[('B', tty)] - cpu[('R1', tty)]) / max(n - 1, 1):.2f} s")
        if args.before:
            print(f"  before: one report / F: wall {ratio('R1 before', 'F', on=wall)}, CPU "
                  f"{ratio('R1 before', 'F', on=cpu)}; / MIN: wall {ratio('R1 before', 'MIN', on=wall)}, CPU "
                  f"{ratio('R1 before', 'MIN', on=cpu)}; batch / ({n} x one report): CPU "
                  f"{ratio('B before', 'R1 before', n, on=cpu)}")
            print(f"  now / before: one report wall {ratio('R1', 'R1 before', on=wall)}, CPU "
                  f"{ratio('R1', 'R1 before', on=cpu)}; batch wall {ratio('B', 'B before', on=wall)}, CPU "
                  f"{ratio('B', 'B before', on=cpu)}")
        if args.variants:
            print(f"  without helpers: one report wall {wall[('R1 no helpers', tty)]:.2f} s, CPU "
                  f"{cpu[('R1 no helpers', tty)]:.2f} s; batch wall {wall[('B no helpers', tty)]:.2f} s, CPU "
                  f"{cpu[('B no helpers', tty)]:.2f} s")
    if FAILED:
        print("\nsome reports of a batch failed (the batch is measured all the same, over the months it made):")
        for line in sorted(FAILED):
            print(f"  {line}")
    print("\nall runs (wall/CPU): " + "; ".join(
        f"{name}{' (tty)' if tty else ''} " + ", ".join(f"{w:.2f}/{c:.2f}" for w, c in v)
        for (name, tty), v in times.items()))


if __name__ == "__main__":
    main()
