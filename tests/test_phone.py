"""The form on a phone: `reflect app` in Debian's chromium emulating a 390 x 844 phone with touch.

Nothing scrolls sideways (the page, and no box inside it), every control is inside the screen and
at least 40 px high (fingers, not a mouse), and a check-in is filled in and saved by tapping alone.
The screenshot is kept in test-artifacts/phone.png (the form as a phone shows it; the README's
docs/phone.png is a copy of one) and the whole page in test-artifacts/phone-full.png.
"""

from __future__ import annotations

import re

import pytest

from reflect.domain.reminders import Schedule
from reflect.storage.reminders import next_reflection_line, write_reminders
from reflect.storage.store import Store

from .helpers import ARTIFACTS, CHROMIUM, TIMEOUT_MS, make_checkin, serve_app
from .kernelwatch import caught_up, watch

SCREENSHOT = ARTIFACTS / "phone.png"
PHONE = {"width": 390, "height": 844}
#: A finger needs about 44 px; nothing a person taps may be smaller than this.
MIN_TARGET_PX = 40

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                       "(scripts/setup --test installs it)"),
]

#: What on the page overflows the screen, scrolls sideways, or is too small to tap.
LAYOUT_JS = """(minTarget) => {
  const vw = document.documentElement.clientWidth;
  const shown = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const name = e => `${e.tagName.toLowerCase()}.${String(e.className).split(' ').slice(-2).join('.')} `
    + `"${(e.innerText || e.placeholder || e.value || '').trim().slice(0, 40)}"`;
  const outside = [], sideways = [], small = [];
  for (const e of document.querySelectorAll('body *')) {
    if (!shown(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.left < -1 || r.right > vw + 1) outside.push(`${name(e)} at ${Math.round(r.left)}..${Math.round(r.right)}`);
    const style = getComputedStyle(e);
    if (e.tagName !== 'INPUT' && /(auto|scroll)/.test(style.overflowX) && e.scrollWidth > e.clientWidth + 1)
      sideways.push(`${name(e)} scrolls ${e.scrollWidth} > ${e.clientWidth}`);
  }
  const targets = '#rendered_cells button, #rendered_cells select, #rendered_cells textarea, '
    + '#rendered_cells input:not([type=checkbox]), #rendered_cells .widget-checkbox, #rendered_cells .noUi-handle';
  let count = 0;
  for (const e of document.querySelectorAll(targets)) {
    if (!shown(e)) continue;
    count += 1;
    const r = e.getBoundingClientRect();
    if (r.height < minTarget || r.width < minTarget)
      small.push(`${name(e)} is ${Math.round(r.width)} x ${Math.round(r.height)}`);
  }
  return {width: vw, scrollWidth: document.scrollingElement.scrollWidth, outside, sideways, small, count};
}"""


@pytest.fixture
def phone(browser, request):
    """A page in a phone: 390 x 844 CSS pixels, three device pixels to one, touch, a mobile viewport."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch(page)  # tests wait on the kernel (caught_up), not on the clock
    failures = request.session.testsfailed
    yield page
    if request.session.testsfailed > failures:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"))
    context.close()


@pytest.fixture
def app(tmp_path, calendar):
    """`reflect app` over a store where Robin and Sam answered last month, with reminders set."""
    db = tmp_path / "phone.db"
    with Store(db) as store:
        for person in ("Robin", "Sam"):
            store.save(make_checkin(person, calendar.first_of_last_month, passion=5, emotional=6, physical=4))
    write_reminders(Schedule.create(day="last-sunday", time="20:00"), db)
    yield from serve_app(tmp_path, db)


@pytest.fixture
def protected_app(tmp_path, calendar):
    """`reflect app` over a store where Robin has a passphrase."""
    db = tmp_path / "couple.db"
    with Store(db) as store:
        store.add_person("Robin", "robin's words")
        store.save(make_checkin("Robin", calendar.first_of_last_month))
        store.sign_out()
    yield from serve_app(tmp_path, db)


def open_and_tap_name(page, url: str, name: str):
    """Open the form at ``url`` and give ``name`` by touch, as a phone does; the name box."""
    page.goto(url)
    who = page.locator(".reflect-checkin-form").get_by_placeholder("Pick your name")
    who.wait_for(state="visible")
    who.tap()
    who.fill(name)
    who.press("Enter")
    return who


def check_layout(page, when: str) -> int:
    """Assert that nothing overflows the phone's screen or scrolls sideways, and every control is big
    enough to tap; the number of controls checked."""
    found = page.evaluate(LAYOUT_JS, MIN_TARGET_PX)
    assert found["width"] == PHONE["width"], found
    assert found["scrollWidth"] <= PHONE["width"], f"{when}: the page scrolls sideways: {found['scrollWidth']}"
    assert not found["outside"], f"{when}: wider than the screen: {found['outside'][:8]}"
    assert not found["sideways"], f"{when}: boxes that scroll sideways: {found['sideways'][:8]}"
    assert not found["small"], f"{when}: too small to tap (< {MIN_TARGET_PX} px): {found['small'][:12]}"
    return found["count"]


def settle(page) -> None:
    """Wait until the browser has drawn two frames (the layout has settled)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def test_the_form_fits_a_phone_and_saves_by_tapping(app, phone, calendar):
    from playwright.sync_api import expect

    url, db = app
    page = phone
    month = calendar.month_words
    page.goto(url)
    form = page.locator(".reflect-checkin-form")
    form.wait_for(state="visible")
    # the reminders beside the store: the form says when the next reflection is
    expect(page.locator(".reflect-next-reflection")).to_contain_text(next_reflection_line(db))

    who = form.get_by_placeholder("Pick your name")
    who.tap()
    who.fill("Robin")
    who.press("Enter")
    page.get_by_text(f"A new monthly check-in for {month}, Robin").wait_for()
    settle(page)
    checked = check_layout(page, "the form")
    assert checked >= 20, f"only {checked} controls were measured"

    # passion: a tap near the right end of its track moves the slider there
    passion = page.locator(".reflect-dimension-passion")
    track = passion.locator(".noUi-target").first
    track.scroll_into_view_if_needed()
    box = track.bounding_box()
    assert box is not None
    page.touchscreen.tap(box["x"] + box["width"] * 0.98, box["y"] + box["height"] / 2)
    expect(passion.locator(".widget-readout").first).to_have_text("10")

    # physical: tap "Add how I'd like it to be", then tap its slider's track at the far right
    physical = page.locator(".reflect-dimension-physical")
    physical.get_by_text("Add how I'd like it to be").tap()
    desired = physical.locator(".noUi-target").nth(1)
    desired.wait_for(state="visible")
    settle(page)
    box = desired.bounding_box()
    assert box is not None
    page.touchscreen.tap(box["x"] + box["width"] * 0.98, box["y"] + box["height"] / 2)
    expect(physical.locator(".widget-readout").nth(1)).to_have_text("10")

    # the private yes / not now / no list opens by tapping, and fits the screen too
    page.locator("button:has-text('My yes / not now / no list')").tap()
    page.get_by_text("Robin, this list is yours.").wait_for()
    settle(page)
    check_layout(page, "the form with the yes / not now / no list open")

    # a note (typed, as with a phone's keyboard), then save by tapping
    form.locator("textarea").first.tap()
    form.locator("textarea").first.fill("Typed with my thumbs.")
    caught_up(page)  # the kernel has every answer before the tap
    form.evaluate("e => e.scrollIntoView({block: 'start'})")
    settle(page)
    _keep_screenshot(page)
    page.locator("button:has-text('Save my check-in')").tap()
    page.get_by_text(f"Saved Robin's monthly check-in for {month}").wait_for()
    settle(page)
    check_layout(page, "after saving")
    _keep_full_page(page)

    with Store(db) as store:
        store.sign_in("Robin")
        saved = store.get("Robin", calendar.today)
        assert saved is not None
        assert saved.scores["passion"] == 10 and saved.scores["emotional"] == 6
        assert {k: v for k, v in saved.desired.items() if v is not None} == {"physical": 10}
        assert saved.note == "Typed with my thumbs."
        assert store.history("Robin", calendar.today)[0].source == "form"


def test_the_rituals_quick_log_is_tapped_on_a_phone(app, phone, calendar):
    url, db = app
    page = phone
    page.goto(url)
    page.locator(".reflect-checkin-form").wait_for(state="visible")
    hug = page.locator("button:has-text('A long hug')")
    hug.scroll_into_view_if_needed()
    settle(page)
    check_layout(page, "the quick log")
    hug.tap()
    page.get_by_text(re.compile(r"Logged a long hug \(together, today\)")).wait_for()
    with Store(db) as store:
        assert [(r.kind, r.day) for r in store.rituals()] == [("hug", calendar.today)]


def _keep_screenshot(page) -> None:
    """What a phone shows from the top of the form down, in test-artifacts/phone.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))


def _keep_full_page(page) -> None:
    """The whole page, top to bottom: Voila scrolls inside a panel, so make the window as tall as it."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = page.evaluate("document.querySelector('#rendered_cells').scrollHeight")
    page.set_viewport_size({"width": PHONE["width"], "height": int(height)})
    page.evaluate("document.querySelector('#rendered_cells').scrollTop = 0")
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "phone-full.png"), full_page=True, scale="css")


def test_signing_in_and_saving_by_tapping_on_a_phone(protected_app, phone, calendar):
    """A partner with a passphrase: the sign-in fits the screen, and signing in and saving are taps."""
    url, db = protected_app
    page = phone
    month = calendar.month_words
    open_and_tap_name(page, url, "Robin")
    box = page.locator(".reflect-sign-in")
    box.wait_for(state="visible")
    settle(page)
    check_layout(page, "signing in")
    box.locator("input[type=password]").tap()
    box.locator("input[type=password]").fill("robin's words")
    caught_up(page)
    box.locator("button:has-text('Sign in')").tap()
    page.get_by_text(f"A new monthly check-in for {month}, Robin").wait_for()
    settle(page)
    check_layout(page, "signed in")
    page.locator("button:has-text('Save my check-in')").tap()
    page.get_by_text(f"Saved Robin's monthly check-in for {month}").wait_for()
    page.locator("button:has-text('Done: sign me out')").tap()
    page.get_by_text("You are signed out, so whoever uses this next sees nothing of yours.").wait_for()
    with Store(db) as store:
        store.sign_in("Robin", "robin's words")
        assert store.get("Robin", calendar.today) is not None


def test_a_new_name_meets_the_passphrase_first_and_sees_what_was_saved_before_done(protected_app, phone,
                                                                                   calendar):
    """Issue 20, items 7 and 8, by touch: the passphrase choice is under the name (met before the
    sliders and the Save button); "No passphrase for me" says what it means just above Save; after
    saving, what was saved stays in view until "Done" signs out."""
    url, db = protected_app  # Robin is known (with a passphrase); Sam comes new
    page = phone
    month = calendar.month_words
    who = open_and_tap_name(page, url, "Sam")
    setup = page.locator(".reflect-passphrase-setup")
    setup.wait_for(state="visible")
    page.get_by_text("Choose a passphrase, Sam").wait_for()
    settle(page)
    save = page.locator("button:has-text('Save my check-in')")
    tops = [box["y"] for box in (who.bounding_box(), setup.bounding_box(),
                                 page.locator(".reflect-dimension-passion").bounding_box(), save.bounding_box())]
    assert tops == sorted(tops), tops  # the name, then the passphrase, then the sliders, then Save
    setup.locator("input[type=checkbox]").tap()
    warning = page.get_by_text("No passphrase for Sam")
    warning.wait_for()
    settle(page)
    warned, button = warning.bounding_box(), save.bounding_box()
    assert warned["y"] < button["y"] < warned["y"] + warned["height"] + 120  # just above the button
    setup.locator("input[type=checkbox]").tap()
    warning.wait_for(state="hidden")
    boxes = setup.locator("input[type=password]")
    boxes.nth(0).fill("sam's own words")
    boxes.nth(1).fill("sam's own words")
    caught_up(page)
    save.tap()
    page.get_by_text(f"Saved Sam's monthly check-in for {month}").wait_for()
    page.get_by_text("When you are ready, press Done").wait_for()
    settle(page)
    check_layout(page, "saved, before Done")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-saved.png"), full_page=True)
    page.locator("button:has-text('Done: sign me out')").tap()
    page.get_by_text("You are signed out, so whoever uses this next sees nothing of yours.").wait_for()
    with Store(db) as store:
        assert store.is_protected("Sam")
        store.sign_in("Sam", "sam's own words")
        assert store.get("Sam", calendar.today) is not None
