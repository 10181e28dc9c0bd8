"""How fast is the monthly report? Measured side by side on this machine, in one run.

    .venv/bin/python benchmarks/report_speed.py [--runs 5] [--jobs 1]

- F, the floor: the papermill CLI executing a one-cell notebook in a *minimal* virtual
  environment that holds only papermill and ipykernel (built once in benchmarks/.floor-venv);
- one ``reflect report`` (execute + HTML) in the kit's own environment;
- a 24-month ``reflect report --all`` batch (every report remade: ``--force``).

Goals: one report at most 2.0 x F; the batch at most 0.4 x (24 x one report). The figures are
printed, never asserted: speed is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR_VENV = Path(__file__).resolve().parent / ".floor-venv"
BIN = Path(sys.executable).parent


def sh(cmd: list[str], **kw) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
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


def median_of(runs: int, fn) -> tuple[float, list[float]]:
    times = [fn() for _ in range(runs)]
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each single measurement (median)")
    parser.add_argument("--jobs", type=int, default=1, help="--jobs for the batch")
    parser.add_argument("--baseline", action="store_true",
                        help="also time the straightforward way: papermill CLI then nbconvert CLI")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="reflect-bench-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "REFLECT_HOME": str(work)}
        env.pop("REFLECT_DB", None)
        one = one_cell_notebook(work)
        papermill = floor_env()
        sh([str(papermill), str(one), str(work / "one-out.ipynb")])  # warm the disk cache
        floor, floor_times = median_of(
            args.runs, lambda: sh([str(papermill), str(one), str(work / "one-out.ipynb")], cwd=work))

        db24 = work / "demo24.db"
        sh([str(BIN / "reflect"), "demo", "--db", str(db24), "--months", "24", "--end", "2026-10"], env=env)
        month = "2026-10"

        def one_report() -> float:
            return sh([str(BIN / "reflect"), "report", "--db", str(db24), "--month", month,
                       "--out", str(work / "one"), "--force"], env=env)

        one_report()  # warm
        single, single_times = median_of(args.runs, one_report)

        def batch() -> float:
            return sh([str(BIN / "reflect"), "report", "--db", str(db24), "--all", "--force",
                       "--jobs", str(args.jobs), "--out", str(work / "batch")], env=env)

        batch_time, batch_times = median_of(max(1, args.runs // 2), batch)
        n = len(list((work / "batch").glob("*.html")))

        baseline = None
        if args.baseline:
            kit_papermill = BIN / "papermill"
            nb = ROOT / "notebooks" / "monthly_report.ipynb"

            def straightforward() -> float:
                t = sh([str(kit_papermill), str(nb), str(work / "b.ipynb"), "-p", "month", month, "-p", "db",
                        str(db24)], env=env)
                return t + sh([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                               str(work / "b.ipynb")], env=env)

            baseline, _ = median_of(max(1, args.runs // 2), straightforward)

    print()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"F  (papermill CLI, one-cell notebook, minimal venv)   {floor:6.2f} s   runs: "
          + ", ".join(f"{t:.2f}" for t in floor_times))
    print(f"R1 (reflect report: execute + HTML, one month)        {single:6.2f} s   runs: "
          + ", ".join(f"{t:.2f}" for t in single_times))
    print(f"B  (reflect report --all, {n} months, --jobs {args.jobs})        {batch_time:6.2f} s   runs: "
          + ", ".join(f"{t:.2f}" for t in batch_times))
    if baseline is not None:
        print(f"   (papermill CLI + nbconvert CLI, one month          {baseline:6.2f} s = {baseline / floor:.1f} x F)")
    print()
    print(f"one report / F               = {single / floor:5.2f}   (goal: at most 2.0)")
    print(f"batch / ({n} x one report)    = {batch_time / (n * single):5.2f}   (goal: at most 0.4)")
    print(f"per report in the batch      = {batch_time / max(n, 1):5.2f} s")


if __name__ == "__main__":
    main()
