"""Kernel parity: a real kernel (plain papermill) and `reflect report` (the in-process engine) make
the same report, to the character, time stamps apart."""

import re
import subprocess
import sys
from pathlib import Path

import nbformat

from reflect.reporting.pages import export_html
from reflect.storage.demo import fill
from reflect.storage.store import Store

from .helpers import REFLECT_BIN, ROOT

NOTEBOOK = ROOT / "notebooks" / "monthly_report.ipynb"
PAPERMILL = Path(sys.executable).with_name("papermill")
STAMP = re.compile(r"on \d{1,2} \w+ \d{4} at \d{2}:\d{2}")


def _visible(html: str) -> tuple[str, list[str]]:
    """The page's text (tags stripped) and each chart's SVG, with the time stamp taken out."""
    html = STAMP.sub("on DATE", html)
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", html, flags=re.S)))
    return text.strip(), svgs


def test_a_real_kernel_and_the_engine_make_the_same_report(tmp_path):
    db = tmp_path / "demo.db"
    with Store(db) as s:
        fill(s, end="2026-10")  # check-ins and rituals: every section and all seven charts
    kernel_nb = tmp_path / "kernel.ipynb"
    proc = subprocess.run([str(PAPERMILL), str(NOTEBOOK), str(kernel_nb), "-p", "month", "2026-09",
                           "-p", "db", str(db)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    proc = subprocess.run([str(REFLECT_BIN), "report", "--db", str(db), "--month", "2026-09", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr

    kernel_text, kernel_svgs = _visible(export_html(nbformat.read(kernel_nb, as_version=4), "Reflect: September 2026"))
    engine_text, engine_svgs = _visible((out / "2026-09.html").read_text(encoding="utf-8"))
    assert "Dear Robin and Sam," in engine_text and "on DATE" in engine_text
    assert len(engine_svgs) == 4  # wishes, over time, balance, rituals
    assert engine_text == kernel_text
    assert engine_svgs == kernel_svgs
