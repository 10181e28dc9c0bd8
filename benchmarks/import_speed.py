"""How long `reflect import` takes, and how much memory it needs, for a big CSV file.

    .venv/bin/python benchmarks/import_speed.py            # 10,000 and 1,000,000 rows
    .venv/bin/python benchmarks/import_speed.py 10000      # just these sizes

Each size is written to a temporary folder as daily check-ins of 50 people (some with desired
levels and a note), then imported into a new store by `reflect import` in a child process. It
prints the wall and CPU time and the child's peak resident memory (ru_maxrss); the machine's
load average is printed too, as other work on it slows the figures down. The goal (issue 11): a
million rows in at most 15 s and 300 MB; 10,000 rows in well under a second.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLUMNS = ["date", "person", "cadence", "passion", "emotional", "physical", "intellectual", "experiential",
           "spiritual", "desired_passion", "desired_emotional", "desired_physical", "desired_intellectual",
           "desired_experiential", "desired_spiritual", "note"]
PEOPLE = [f"Person {i:02d}" for i in range(50)]


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(11)
    start = dt.date(1960, 1, 1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for i in range(rows):
            day = start + dt.timedelta(days=i // len(PEOPLE))
            scores = [rng.randint(1, 10) for _ in range(6)]
            desired = [rng.randint(1, 10) for _ in range(6)] if i % 3 == 0 else [""] * 6
            note = f"row {i}, a few words" if i % 5 == 0 else ""
            w.writerow([day.isoformat(), PEOPLE[i % len(PEOPLE)], "daily", *scores, *desired, note])


def measure(rows: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, db = Path(tmp) / "big.csv", Path(tmp) / "big.db"
        write_csv(csv_path, rows)
        code = ("import resource, sys; from reflect.cli import main\n"
                "try:\n    main(['import', sys.argv[1], '--db', sys.argv[2]])\n"
                "finally:\n    r = resource.getrusage(resource.RUSAGE_SELF)\n"
                "    print('MAXRSS', r.ru_maxrss, r.ru_utime + r.ru_stime, file=sys.stderr)")
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code, str(csv_path), str(db)], capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"import failed: {proc.stderr.strip()}")
        peak_kb, cpu = proc.stderr.split("MAXRSS")[-1].split()[:2]
        return seconds, float(cpu), int(peak_kb) / 1024


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [10_000, 1_000_000]
    for rows in sizes:
        seconds, cpu, peak_mb = measure(rows)
        print(f"{rows:>9,} rows: {seconds:6.2f} s wall ({cpu:.2f} s CPU, process start included), "
              f"peak {peak_mb:4.0f} MB; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
