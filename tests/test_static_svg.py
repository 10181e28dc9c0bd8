"""The report's charts as lean SVG (reflect/views/static_svg.py): the same picture in far fewer
elements, and nothing joined that would look different joined."""

import re

import pytest
import vl_convert as vlc

from reflect.reporting.report import MonthlyReport
from reflect.storage.demo import fill
from reflect.storage.store import Store
from reflect.views import charts
from reflect.views.static_svg import element_count, lean_svg
from tests.helpers import chromium


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """Each chart of the demo couple's October 2026 report: (as vl-convert draws it, lean)."""
    db = tmp_path_factory.mktemp("svg") / "demo.db"
    with Store(db) as store:
        fill(store, end="2026-10")
    report = MonthlyReport.open(month="2026-10", db=str(db))
    specs = {name: charts.page_spec(build()) for name, build in report._charts().items()}
    assert {"trends", "balance", "rituals"} <= set(specs)
    return {name: (vlc.vegalite_to_svg(spec), lean_svg(vlc.vegalite_to_svg(spec))) for name, spec in specs.items()}


def test_every_chart_has_far_fewer_elements_and_every_mark(drawn):
    for name, (full, lean) in drawn.items():
        assert element_count(lean) < 0.6 * element_count(full), name
        # every shape is still there, as a sub-path of its own (but the empty backgrounds)
        assert _shapes(lean) == _shapes(full), name
    full, lean = drawn["rituals"]
    assert element_count(lean) < element_count(full) / 4  # a square per ritual became a path per kind


def _shapes(svg):
    """How many shapes ``svg`` draws: each rule, and each sub-path of a path that draws something."""
    paths = [d for attrs, d in re.findall(r"<path([^>]*?) d=\"([^\"]*)\"", svg) if 'class="background"' not in attrs]
    return svg.count("<line") + sum(d.count("M") for d in paths)


def test_the_pictures_are_the_same(drawn):
    """Drawn by Chromium, the lean SVG and vl-convert's differ only in the anti-aliasing of a few
    edges: no pixel by more than a faint shade, but in a handful of places."""
    script = """async ([one, two]) => {
        const pixels = async (svg) => { const img = new Image();
            img.src = 'data:image/svg+xml;base64,' + btoa(unescape(encodeURIComponent(svg))); await img.decode();
            const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            return g.getImageData(0, 0, c.width, c.height).data; };
        const a = await pixels(one), b = await pixels(two);
        if (a.length !== b.length) return null;
        let faint = 0, strong = 0;
        for (let i = 0; i < a.length; i += 4) {
            let d = 0; for (let k = 0; k < 4; k++) d = Math.max(d, Math.abs(a[i + k] - b[i + k]));
            if (d > 32) faint++; if (d > 80) strong++; }
        return [faint, strong, a.length / 4]; }"""
    with chromium() as browser:
        page = browser.new_page()
        for name, (full, lean) in drawn.items():
            found = page.evaluate(script, [full, lean])
            assert found is not None, f"{name}: not the same size"
            faint, strong, pixels = found
            assert strong == 0 and faint <= 0.001 * pixels, (name, faint, strong, pixels)


def test_see_through_shapes_that_overlap_are_not_joined():
    dot = 'd="M3,0A3,3,0,1,1,-3,0A3,3,0,1,1,3,0" fill="red" opacity="0.5"'
    svg = (f'<svg><g><path transform="translate(10,10)" {dot}/><path transform="translate(12,10)" {dot}/>'
           f'<path transform="translate(40,10)" {dot}/></g></svg>')
    lean = lean_svg(svg)
    assert lean.count("<path") == 2  # the third joins the first; the second overlaps it and stays apart


def test_a_shape_is_not_moved_under_another_it_overlaps():
    square = 'd="M-2,-2h4v4h-4Z"'
    svg = (f'<svg><g><path transform="translate(10,10)" {square} fill="red"/>'
           f'<path transform="translate(11,10)" {square} fill="blue"/>'
           f'<path transform="translate(12,10)" {square} fill="red"/>'
           f'<path transform="translate(30,10)" {square} fill="blue"/></g></svg>')
    lean = lean_svg(svg)
    # the second red square was drawn over the blue one: it stays after it; the far blue one joins its colour
    assert [re.search(r'fill="(\w+)"', p).group(1) for p in re.findall(r"<path[^>]*>", lean)] == ["red", "blue", "red"]


def test_what_it_cannot_read_it_leaves_as_it_is():
    svg = ('<svg><g><path transform="rotate(45)" d="M0,0h4v4h-4Z" fill="red"/>'
           '<path transform="rotate(45)" d="M0,0h4v4h-4Z" fill="red"/></g></svg>')
    assert lean_svg(svg).count("<path") == 2
