"""How fast is the monthly report? Measured side by side on this machine, interleaved, in one run.

    .venv/bin/python benchmarks/report_speed.py [--rounds 3] [--months 24] [--quick]

Each round runs every measurement once, one after the other, so that a busy moment of the
machine falls on all of them alike (the figures are medians over the rounds):

- F, the floor: the papermill CLI executing a one-cell notebook in a *minimal* virtual
  environment that holds only papermill and ipykernel (built once in benchmarks/.floor-venv);
- R1: one ``reflect report`` (execute + HTML) of one month, in the kit's own environment;
- B: a ``reflect report --all`` batch of every month (every report remade: ``--force``);

each of R1 and B with the helper processes on and off (``REFLECT_HELPERS=0``), B also with
``--jobs 2``, and all of them both without a terminal (output to a pipe, as from cron) and in a
terminal (a pseudo-terminal from ``script -qc``, where the batch shows its progress bar).

Goals: one report at most 1.5 x F; the batch at most 0.25 x (N x one report). The figures are
printed, never asserted: speed is a measurement, not a test. On a shared machine they are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
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
BIN = Path(sys.executable).parent


def run(cmd: list[str], *, tty: bool, env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    """Wall time of ``cmd``, in a pseudo-terminal (``script -qc``) or with output to a pipe."""
    if tty:
        cmd = ["script", "-qec", shlex.join(cmd), "/dev/null"]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
    return time.perf_counter() - started


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every measurement (medians)")
    parser.add_argument("--months", type=int, default=24, help="months in the demo store (the batch)")
    parser.add_argument("--quick", action="store_true", help="only the helpers-on, --jobs 1 variants")
    args = parser.parse_args()
    ttys = [False, True] if shutil.which("script") else [False]

    with tempfile.TemporaryDirectory(prefix="reflect-bench-") as tmp:
        work = Path(tmp)
        base_env = {**os.environ, "REFLECT_HOME": str(work)}
        base_env.pop("REFLECT_DB", None)
        one = one_cell_notebook(work)
        papermill = floor_env()
        db = work / "demo.db"
        subprocess.run([str(BIN / "reflect"), "demo", "--db", str(db), "--months", str(args.months),
                        "--end", "2026-10"], env=base_env, check=True, capture_output=True)
        reflect = str(BIN / "reflect")

        def report(helpers: bool, *extra: str) -> Callable[[bool], float]:
            env = {**base_env, "REFLECT_HELPERS": "1" if helpers else "0"}
            return lambda tty: run([reflect, "report", "--db", str(db), "--force", "--out", str(work / "out"),
                                    *extra], tty=tty, env=env)

        measures: dict[str, Callable[[bool], float]] = {
            "F": lambda tty: run([str(papermill), str(one), str(work / "one-out.ipynb")], tty=tty, cwd=work),
            "R1": report(True, "--month", "2026-10"),
            "B": report(True, "--all"),
        }
        if not args.quick:
            measures["R1 no helpers"] = report(False, "--month", "2026-10")
            measures["B no helpers"] = report(False, "--all")
            measures["B --jobs 2"] = report(True, "--all", "--jobs", "2")
        for fn in measures.values():  # warm the disk cache (and build nothing twice)
            fn(False)
        times: dict[tuple[str, bool], list[float]] = {(n, t): [] for n in measures for t in ttys}
        for r in range(args.rounds):
            for tty in ttys:
                for name, fn in measures.items():
                    times[(name, tty)].append(fn(tty))
            print(f"round {r + 1} of {args.rounds} done", file=sys.stderr, flush=True)
        n = len(list((work / "out").glob("*.html")))

    med = {key: statistics.median(v) for key, v in times.items()}
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
          f"{os.getloadavg()[0]:.1f}; {args.rounds} interleaved rounds, medians; batch of {n} months\n")
    print("| | no terminal | in a terminal |")
    print("| --- | --- | --- |")
    for name in measures:
        cells = [f"{med[(name, t)]:.2f} s" for t in ttys]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for tty in ttys:
        f, r1, b = med[("F", tty)], med[("R1", tty)], med[("B", tty)]
        where = "in a terminal" if tty else "no terminal"
        print(f"\n{where}: one report / F = {r1 / f:.2f} (goal at most 1.5); "
              f"batch / ({n} x one report) = {b / (n * r1):.2f} (goal at most 0.25)")
        if not args.quick:
            print(f"{where}: without helpers: one report / F = {med[('R1 no helpers', tty)] / f:.2f}, "
                  f"batch = {med[('B no helpers', tty)]:.2f} s; --jobs 2: {med[('B --jobs 2', tty)]:.2f} s")
    print("\nall runs: " + "; ".join(f"{name}{' (tty)' if tty else ''} " + ", ".join(f"{x:.2f}" for x in v)
                                     for (name, tty), v in times.items()))


if __name__ == "__main__":
    main()
