"""Remake the README's pictures of the report from the demo couple: ``.venv/bin/python docs/screenshots.py``.

Makes the latest month's report (HTML and A4 PDF) of the demo couple in a temporary folder, then
keeps three pictures in docs/: the top of the letter (``report.png``), the practices section
(``report-practices.png``) and every page of the PDF side by side (``report-pdf.png``; needs
Ghostscript's ``gs``, which only this script uses, to draw the pages; chromium lays them side by side).
Nothing here is part of the kit; it only draws what the kit made.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
REFLECT = Path(sys.executable).with_name("reflect")
CHROMIUM = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="reflect-shots-") as tmp:
        out = Path(tmp)
        subprocess.run([str(REFLECT), "report", "--db", str(ROOT / "data" / "demo.db"), "--pdf", "--paper", "a4",
                        "--out", str(out)], check=True, cwd=ROOT)
        html = next(out.glob("*.html"))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM)
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                       else route.abort())
            page.goto(html.as_uri())
            # the cover: the month, your year, good news, what to talk about, one thing to try
            end = page.locator("h2", has_text="The month at a glance").bounding_box()
            page.screenshot(path=str(DOCS / "report.png"), full_page=True,
                            clip={"x": 0, "y": 0, "width": 1000, "height": end["y"] - 10})
            box = page.locator(".reflect", has=page.locator("h2", has_text="What you are practising")).bounding_box()
            page.screenshot(path=str(DOCS / "report-practices.png"), full_page=True, clip={
                "x": box["x"] - 24, "y": box["y"] - 8, "width": box["width"] + 48, "height": box["height"] + 24})
            pdf = next(out.glob("*.pdf"))
            subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=png16m", "-r40",
                            f"-sOutputFile={out / 'page-%d.png'}", str(pdf)], check=True)
            pages = sorted(out.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))
            sheet = out / "pages.html"
            sheet.write_text("<body style='margin:0;background:#9a9a9a'><div style='display:flex;gap:6px;padding:6px'>"
                             + "".join(f"<img src='{p.name}'>" for p in pages) + "</div></body>")
            page.set_viewport_size({"width": 6 + len(pages) * 337, "height": 480})
            page.goto(sheet.as_uri())
            page.locator("div").screenshot(path=str(DOCS / "report-pdf.png"))
            browser.close()
        print(f"{html.stem}: docs/report.png, docs/report-practices.png, docs/report-pdf.png ({len(pages)} pages)")


if __name__ == "__main__":
    main()
