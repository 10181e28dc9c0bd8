"""How fast do the analyses run on ten years of daily check-ins for two people? And the links
between practices and scores (rituals, agreements), as the letter asks them every month, on the
demo couple over 30 months and over ten years?

    .venv/bin/python benchmarks/analysis_speed.py
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from reflect.analytics import agreements, analysis, insights, rhythm
from reflect.domain.checkin import CheckIn
from reflect.domain.dimensions import KEYS
from reflect.storage import demo
from reflect.storage.store import Store


def main() -> None:
    rng = random.Random(1)
    start = dt.date(2016, 11, 1)
    checkins = [
        CheckIn.create(person=person, date=start + dt.timedelta(days=d), cadence="daily",
                       scores={k: rng.randint(3, 9) for k in KEYS}, desired={k: rng.randint(6, 10) for k in KEYS})
        for d in range(3653) for person in ("Robin", "Sam")
    ]
    with Store(":memory:") as store:
        t = time.perf_counter()
        store.save_many(checkins)
        saved = time.perf_counter() - t
        t = time.perf_counter()
        frame = store.frame()
        read = time.perf_counter() - t

    def everything() -> float:
        t = time.perf_counter()
        table = analysis.monthly_table(frame)
        month = str(table["month"].max())
        analysis.month_summary(frame, month)
        analysis.rolling_mean(table)
        analysis.trend(table, month)
        analysis.consistency(frame, month)
        analysis.last_year(table, month)
        insights.insights(frame, month)
        return time.perf_counter() - t

    everything()
    runs = [everything() for _ in range(5)]
    print(f"{len(checkins):,} daily check-ins (two people, ten years)")
    print(f"save_many (one transaction)  {saved:6.2f} s")
    print(f"store.frame()                {read:6.2f} s")
    print(f"all analyses + insights      {statistics.median(runs):6.3f} s (median of 5; "
          + ", ".join(f"{r:.3f}" for r in runs) + ")")
    for months in (30, 120):
        with Store(":memory:") as store:
            demo.fill(store, end="2026-10", months=months)
            data = store.frame(), store.ritual_frame(), store.ritual_kinds(), store.agreement_frame()
        runs = [links(*data) for _ in range(6)][1:]
        print(f"ritual + agreement links     {statistics.median(runs):6.3f} s (the demo, {months} months, "
              f"{data[1]['kind'].nunique()} kinds; median of 5)")


def links(frame, rituals, kinds, kept) -> float:
    """The letter's two questions of links, once: rituals against scores, agreements against scores."""
    t = time.perf_counter()
    rhythm.findings(rhythm.associations(frame, rituals, kinds, until="2026-10"), kinds)
    agreements.findings(agreements.links(frame, kept, until="2026-10"))
    return time.perf_counter() - t

if __name__ == "__main__":
    main()
