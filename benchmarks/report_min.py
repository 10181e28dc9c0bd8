"""MIN: the least a script can do to make the monthly report's charts into one page, for
benchmarks/report_speed.py to measure the report against.

    .venv/bin/python benchmarks/report_min.py --db STORE --month 2026-10 --out page.html

What a person would write by hand with this stack: import pandas, altair and vl-convert, read the
same store, build the same charts as the report with the kit's own chart functions (the same
specs: ``charts.page_spec``), draw each to SVG with vl-convert, and write one HTML page. No
papermill, no notebook, no letter, no template: the floor of making those charts on this stack
(with the kit's one start-up fix, so that the floor is not raised by an import the kit avoids).
"""

from __future__ import annotations

import argparse
import html
from pathlib import Path


def main() -> None:
    # as the kit does first: skip jsonschema's slow optional rfc3987_syntax import
    # (reflect/system/speedups.py), which would otherwise cost this script about a second of CPU
    # and make the floor look higher than it is
    from reflect.system.speedups import skip_slow_optional_imports

    skip_slow_optional_imports()
    import altair  # noqa: F401 - imported as the script a person writes does
    import pandas as pd
    import vl_convert as vlc

    from reflect.analytics import analysis
    from reflect.domain.dimensions import KEYS
    from reflect.domain.months import add_months, last_months, month_start
    from reflect.storage.store import Store
    from reflect.views import charts

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--month", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    month = args.month

    with Store(args.db, create=False) as store:
        frame = store.frame()
        rituals = store.ritual_frame()
        kinds = store.ritual_kinds()
        events = store.event_frame()

    end = pd.Timestamp(month_start(add_months(month, 1)))
    table = analysis.monthly_table(frame[frame["date"] < end].reset_index(drop=True))
    rows = table[table["month"] == month]
    people = list(rows["person"])
    history = table[(table["month"] >= add_months(month, -23)) & table["person"].isin(people)]
    wished = bool(rows[[f"desired_{k}" for k in KEYS]].notna().any().any())
    built = []
    if wished:
        built.append(charts.desired_vs_current(table, month, people=people))
    elif len(people) == 2:
        built.append(charts.partners_side_by_side(table, month))
    if history["month"].nunique() >= 3:
        built.append(charts.dimension_trends(history, events=events))
        built.append(charts.balance_over_time(history, events=events))
    rituals = rituals[rituals["day"] < end]
    if not rituals.empty:
        built.append(charts.ritual_calendar(rituals, kinds, months=last_months(month, 12)))

    figures = "\n".join(f"<figure>{vlc.vegalite_to_svg(charts.page_spec(chart))}</figure>" for chart in built)
    title = html.escape(f"{month_start(month):%B %Y}")
    Path(args.out).write_text(f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}"
                              f"</title></head><body><h1>{title}</h1>\n{figures}\n</body></html>\n", encoding="utf-8")


if __name__ == "__main__":
    main()
