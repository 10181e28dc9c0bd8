"""Accessibility, checked by axe-core (the engine behind the browsers' own accessibility audits, from
the `axe-playwright-python` package, which bundles it: nothing is fetched) in Debian's chromium.

The pages are built to WCAG 2.1 AA: axe finds no serious or critical violation on the monthly
report (on a desktop and on a 390 px phone), nor on the form of `reflect app` as it opens, signed in
(a store with a passphrase) and with the practices open ("did we?", the yes / not now / no list,
repairs and life events), on a desktop and on a phone. What axe finds of lesser impact (moderate,
minor) is printed. Beyond what axe can see: each rating slider is named for what it rates, each chart
of the report is one image named by its title and a line of what it shows, and the months at a glance
say "up" and "down" in words beside their arrows.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from reflect.domain.agreements import Agreement
from reflect.domain.dimensions import DIMENSIONS
from reflect.storage.demo import fill
from reflect.storage.store import Store

from .helpers import ARTIFACTS, CHROMIUM, REFLECT_BIN, TIMEOUT_MS, make_checkin, serve_app, sign_in
from .kernelwatch import caught_up, watch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                       "(scripts/setup --test installs it)"),
]

#: The impacts that fail a page; the others (moderate, minor) are printed.
BLOCKING = {"serious", "critical"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
ROBINS_WORDS = "robin's words"


def axe(page, when: str) -> list[dict]:
    """Run axe-core on ``page``; print every violation found (rule, impact, how many elements, the
    first few), and return the serious and critical ones."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    print(f"\naxe, {when}: " + ("nothing found" if not found else f"{len(found)} rule(s)"))
    for rule in found:
        print(f"  {rule['id']} ({rule['impact']}): {len(rule['nodes'])} element(s): {rule['help']}")
        for node in rule["nodes"][:3]:
            print(f"    {node['target']} {node['html'][:160]!r}")
    return [rule for rule in found if rule["impact"] in BLOCKING]


def assert_clean(page, when: str) -> None:
    blocking = axe(page, when)
    assert not blocking, f"{when}: " + "; ".join(
        f"{r['id']} ({r['impact']}, {len(r['nodes'])}): {r['help']}: {[n['target'] for n in r['nodes'][:3]]}"
        for r in blocking)


@pytest.fixture
def new_page(browser, request):
    """A function making pages (with ``DESKTOP`` or ``PHONE``); a failing test keeps their screenshots."""
    contexts = []

    def make(device: dict):
        context = browser.new_context(**device)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        watch(page)  # tests wait on the kernel (caught_up), not on the clock
        return page

    failures = request.session.testsfailed
    yield make
    if request.session.testsfailed > failures:
        ARTIFACTS.mkdir(exist_ok=True)
        for i, context in enumerate(contexts):
            for page in context.pages:
                page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}-{i}.png"), full_page=True)
    for context in contexts:
        context.close()


# -- the report ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The demo couple's September 2026 (check-ins, wishes, rituals, practices: every chart the letter
    draws and every section), notes included, made by `reflect report` as a person makes it."""
    folder = tmp_path_factory.mktemp("a11y-report")
    db = folder / "demo.db"
    with Store(db) as store:
        fill(store, end="2026-10")
    proc = subprocess.run([str(REFLECT_BIN), "report", "--db", str(db), "--month", "2026-09", "--out",
                           str(folder / "out"), "--include-notes"],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "REFLECT_HOME": str(folder)})
    assert proc.returncode == 0, proc.stderr
    return folder / "out" / "2026-09.html"


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_report_has_no_serious_violation(report, new_page, device):
    page = new_page(device)
    page.goto(report.as_uri())
    assert_clean(page, f"the report, {device['viewport']['width']} px")


def test_each_chart_of_the_report_is_an_image_with_its_title_and_what_it_shows(report, new_page):
    page = new_page(DESKTOP)
    page.goto(report.as_uri())
    charts = page.locator("figure.chart [role=img]")
    assert charts.count() == 4
    names = [charts.nth(i).get_attribute("aria-label") for i in range(4)]
    expected = ["How it is and how you'd like it, September 2026. Each dimension as it is and as Robin and Sam "
                "would like it; unmet needs (3+ points to go): ",
                "Each dimension over time. Monthly scores of Robin and Sam for each dimension, October 2024 to "
                "September 2026, with the 3-month rolling mean; dashed lines mark ",
                "Passion and intimacy. Passion against the intimacy index for Robin and Sam, October 2024 to "
                "September 2026; months out of balance: Robin ",
                "Your rituals, day by day. "]
    for name, start in zip(names, expected, strict=True):
        assert name is not None and name.startswith(start), name
    # the drawing itself says nothing unnamed: its marks and axes are out of the accessibility tree
    unnamed = page.eval_on_selector_all(
        "figure.chart svg [role=graphics-symbol]:not([aria-label]), figure.chart svg [role=img]:not([aria-label])",
        "els => els.length")
    assert unnamed == 0
    # the arrows say which way in words, to a screen reader
    glance = page.locator("table.glance").first
    corner = glance.locator("th").first
    assert corner.inner_text() == "Dimension"  # to a screen reader, and out of sight
    box = corner.locator(".visually-hidden").bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1
    changes = glance.locator("span.up, span.down")
    assert changes.count() > 0
    for i in range(changes.count()):
        words = changes.nth(i).text_content() or ""
        assert words.startswith(("▲up ", "▼down ")), words


# -- the form --------------------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path, calendar):
    """`reflect app` over a store where Robin has a passphrase, Robin and Sam answered last month,
    and the two of them agreed on one small thing for this month (so the form asks "did we?")."""
    db = tmp_path / "couple.db"
    with Store(db) as store:
        store.add_person("Robin", ROBINS_WORDS)
        store.save(make_checkin("Robin", calendar.first_of_last_month, passion=5, emotional=6, physical=4))
        store.sign_out()
        store.save(make_checkin("Sam", calendar.first_of_last_month, passion=6))
        store.save_agreement(Agreement.create(month=calendar.this_month, text="A walk after dinner on Sundays",
                                              today=calendar.today))
    yield from serve_app(tmp_path, db)


def sliders_are_named(page) -> None:
    """Each rating slider is named for what it rates (not "slider 7"), by the name a screen reader reads."""
    from playwright.sync_api import expect

    for d in DIMENSIONS:
        expect(page.get_by_role("slider", name=f"{d.label}: how it is", exact=True)).to_have_count(1)
    physical = page.locator(".reflect-dimension-physical")
    physical.get_by_text("Add how I'd like it to be").click()
    expect(page.get_by_role("slider", name="Physical: how I'd like it to be", exact=True)).to_have_count(1)


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_form_has_no_serious_violation(app, new_page, device, calendar):
    from playwright.sync_api import expect

    url, _db = app
    width = device["viewport"]["width"]
    page = new_page(device)
    page.goto(url)
    page.locator(".reflect-checkin-form").wait_for(state="visible")
    page.get_by_text("Rituals today").wait_for()  # the last cell is drawn
    caught_up(page)
    assert page.locator("main").count() == 1 and page.locator("main .reflect-checkin-form").count() == 1
    assert_clean(page, f"the form as it opens, {width} px")

    sign_in(page, "Robin", ROBINS_WORDS)
    page.get_by_text(f"A new monthly check-in for {calendar.month_words}, Robin").wait_for()
    page.get_by_text("Did we?").wait_for()
    caught_up(page)
    assert_clean(page, f"the form signed in, {width} px")
    sliders_are_named(page)
    # the rhythm and "did we?" are groups of buttons named for what they answer, each saying if it is pressed
    rhythm = page.get_by_role("group", name="Rhythm")
    expect(rhythm.get_by_role("button", name="Monthly")).to_have_attribute("aria-pressed", "true")
    expect(rhythm.get_by_role("button", name="Weekly")).to_have_attribute("aria-pressed", "false")
    did_we = page.get_by_role("group", name="Did we? A walk after dinner on Sundays")
    did_we.get_by_role("button", name="partly").click()
    expect(did_we.get_by_role("button", name="partly")).to_have_attribute("aria-pressed", "true")

    # the practices open: the yes / not now / no list (its answers), a repair and a life event below
    page.locator("button:has-text('My yes / not now / no list')").click()
    page.get_by_text("Robin, this list is yours.").wait_for()
    expect(page.get_by_role("button", name="My yes / not now / no list")).to_have_attribute("aria-pressed", "true")
    item = page.get_by_role("group", name="A weekend away, just the two of us")
    item.get_by_role("button", name="yes").click()
    page.locator(".reflect-repair").wait_for(state="visible")
    caught_up(page)
    # headings go down one level at a time: the notebook's h1 and h2, the form's parts under them
    levels = page.eval_on_selector_all("main :is(h1, h2, h3, h4, h5, h6)",
                                       "els => els.filter(e => e.getClientRects().length).map(e => [e.tagName, "
                                       "e.textContent.replace('¶', '').trim()])")
    assert levels[:2] == [["H1", "Your monthly reflection"], ["H2", "Your check-in"]], levels
    assert ["H3", "This week\u2019s question"] in levels and ["H3", "Did we?"] in levels, levels
    assert ["H3", "A life event"] in levels
    for (before, _), (after, words) in zip(levels, levels[1:], strict=False):
        assert int(after[1]) <= int(before[1]) + 1, f"{words!r} ({after}) comes after an {before}: {levels}"
    expect(item.get_by_role("button", name="yes")).to_have_attribute("aria-pressed", "true")
    assert_clean(page, f"the form with the practices open, {width} px")


def test_the_form_names_the_desired_slider_of_a_dimension_it_was_loaded_with(app, new_page, calendar):
    """A check-in saved with a wish shows the wish's slider when it is loaded: it is named too."""
    from playwright.sync_api import expect

    url, db = app
    with Store(db) as store:
        store.sign_in("Robin", ROBINS_WORDS)
        store.save(make_checkin("Robin", calendar.first_of_this_month, desired={"spiritual": 9}))
        store.sign_out()
    page = new_page(DESKTOP)
    page.goto(url)
    sign_in(page, "Robin", ROBINS_WORDS)
    page.get_by_text("You already saved a monthly check-in for").wait_for()
    expect(page.get_by_role("slider", name="Spiritual: how I'd like it to be", exact=True)).to_have_attribute(
        "aria-valuenow", "9.0")

