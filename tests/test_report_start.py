"""`reflect report` starts with only what it uses: planning a report (the store, the months, the
output folder, whether it is up to date) loads none of the heavy libraries, so that the helper
processes it forks then (vl-convert's engine, nbconvert) start while the main process loads them."""

import subprocess
import sys

from reflect.storage.demo import fill
from reflect.storage.store import Store

HEAVY = ("pandas", "altair", "papermill", "nbformat", "nbconvert", "vl_convert", "IPython")


def test_planning_a_report_loads_nothing_heavy(tmp_path):
    db = tmp_path / "demo.db"
    with Store(db) as store:
        fill(store, end="2026-10", months=12)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "import reflect.cli, reflect.cli.reports\n"
        "from reflect.reporting import publish\n"
        f"jobs, failed = publish.plan([Path({str(db)!r})], all_months=True, out_dir=Path({str(tmp_path / 'out')!r}))\n"
        "assert jobs and not failed, failed\n"
        "nb = publish.notebook_path()\n"
        "assert not publish.is_up_to_date(jobs[0], publish.inputs_fingerprint(jobs[0], nb))\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
