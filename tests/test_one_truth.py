"""One definition of a month: the form's glance, `reflect summary` and the report agree, even when a
month mixes cadences (a monthly passion of 8 and a weekly one of 2 make 5.0, down 3.0 from 8)."""

import json
import subprocess

from reflect.analytics.glance import at_a_glance, glance_html
from reflect.storage.store import Store
from reflect.views.widgets import this_month_at_a_glance

from .helpers import REFLECT_BIN, make_checkin


def _mixed(db):
    with Store(db) as s:
        s.save(make_checkin("Ana", "2026-09-01", passion=8))
        s.save(make_checkin("Ana", "2026-10-01", passion=8))
        s.save(make_checkin("Ana", "2026-10-05", cadence="weekly", passion=2))


def test_form_summary_and_report_agree_on_a_month_of_mixed_cadences(tmp_path):
    db = tmp_path / "us.db"
    _mixed(db)

    with Store(db) as store:
        glance = at_a_glance(store, "Ana", "2026-10")
        widget = this_month_at_a_glance(store=store, person="Ana").value
    assert glance is not None and glance.now is not None and glance.before is not None
    assert glance.now.scores["passion"] == 5.0 and glance.before.scores["passion"] == 8.0
    assert glance.now.source == "the mean of 1 monthly check-in and 1 weekly check-in"
    passion_row = widget.split("Passion", 1)[1].split("</tr>", 1)[0]
    assert ">5.0<" in passion_row and ">8.0<" in passion_row and "−3.0" in passion_row
    assert glance_html(glance) == widget

    summary = subprocess.run([str(REFLECT_BIN), "summary", "--db", str(db), "--month", "2026-10", "--format", "json"],
                             capture_output=True, text=True, timeout=120)
    assert summary.returncode == 0, summary.stderr
    ana = json.loads(summary.stdout)["people"]["Ana"]
    assert ana["scores"]["passion"] == 5.0 and ana["change"]["passion"] == -3.0

    out = tmp_path / "out"
    made = subprocess.run([str(REFLECT_BIN), "report", "--db", str(db), "--month", "2026-10", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    page = (out / "2026-10.html").read_text(encoding="utf-8")
    passion = page.split("<td>Passion</td>", 1)[1].split("</tr>", 1)[0]
    assert "<td>5.0</td>" in passion
    down = '<span class="down"><span aria-hidden="true">\u25bc</span><span class="visually-hidden">down</span> 3.0'
    assert down in passion
