"""Remake the README's pictures of the report from the demo couple: ``.venv/bin/python docs/screenshots.py``.

Makes the latest month's report (HTML and A4 PDF) of the demo couple in a temporary folder, then
keeps three pictures in docs/: the top of the letter (``report.png``), the practices section
(``report-practices.png``) and every page of the PDF side by side (``report-pdf.png``; needs
poppler's ``pdftoppm`` and ImageMagick's ``montage``, which only this script uses).
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
            # the letter down to the end of "What stands out, and what might help"
            end = page.locator("h2", has_text="How it is, and how you would like it").bounding_box()
            page.screenshot(path=str(DOCS / "report.png"), full_page=True,
                            clip={"x": 0, "y": 0, "width": 1000, "height": end["y"] - 10})
            box = page.locator(".reflect", has=page.locator("h2", has_text="What you are practising")).bounding_box()
            page.screenshot(path=str(DOCS / "report-practices.png"), full_page=True, clip={
                "x": box["x"] - 24, "y": box["y"] - 8, "width": box["width"] + 48, "height": box["height"] + 24})
            browser.close()
        pdf = next(out.glob("*.pdf"))
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(out / "page")], check=True)
        pages = sorted(out.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))
        subprocess.run(["montage", *map(str, pages), "-tile", "5x", "-geometry", "+6+6", "-background", "#9a9a9a",
                        str(DOCS / "report-pdf.png")], check=True)
        print(f"{html.stem}: docs/report.png, docs/report-practices.png, docs/report-pdf.png ({len(pages)} pages)")


if __name__ == "__main__":
    main()
