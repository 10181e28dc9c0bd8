"""Practice cards on a phone: `reflect app` in Debian's chromium at 390 x 844 with touch, as a person uses it.

Robin signs in, then three taps (Practices to do together, the card, We did it) log the practice as a
ritual of the two of you, which the store then holds. The card fits the screen, every button on it is
big enough for a thumb, its timer counts down in the browser (Voila), and axe-core finds no serious or
critical violation with the card open. The card as a phone shows it is kept in
test-artifacts/practice-card.png (the README's docs/practice-card.png is a copy of one).
"""

from __future__ import annotations

import re

import pytest

from reflect.storage.store import Store

from .conftest import PASSPHRASES
from .helpers import ARTIFACTS, CHROMIUM, TIMEOUT_MS, make_checkin, serve_app, sign_in
from .kernelwatch import caught_up, watch

PHONE = {"width": 390, "height": 844}
MIN_TARGET_PX = 40
SCREENSHOT = ARTIFACTS / "practice-card.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                       "(scripts/setup --test installs it)"),
]

#: Inside the practice cards: what is wider than the screen, and what is too small to tap.
CARD_LAYOUT_JS = """(minTarget) => {
  const vw = document.documentElement.clientWidth;
  const panel = document.querySelector('.reflect-practice-cards');
  const outside = [], small = [];
  for (const e of panel.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const name = `${e.tagName.toLowerCase()} "${(e.innerText || '').trim().slice(0, 30)}"`;
    if (r.left < -1 || r.right > vw + 1) outside.push(`${name} at ${Math.round(r.left)}..${Math.round(r.right)}`);
    if (e.tagName === 'BUTTON' && (r.height < minTarget || r.width < minTarget))
      small.push(`${name} is ${Math.round(r.width)} x ${Math.round(r.height)}`);
  }
  return {width: vw, scrollWidth: document.scrollingElement.scrollWidth, outside, small};
}"""


@pytest.fixture
def app(tmp_path, calendar):
    """`reflect app` over a couple's store: Robin and Sam, each with a passphrase, answered last month."""
    db = tmp_path / "couple.db"
    with Store(db) as store:
        for person in ("Robin", "Sam"):
            store.add_person(person, PASSPHRASES[person])
            store.save(make_checkin(person, calendar.first_of_last_month))
            store.sign_out()
    yield from serve_app(tmp_path, db)


@pytest.fixture
def phone(browser, request):
    context = browser.new_context(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch(page)  # tests wait on the kernel (caught_up), not on the clock
    failures = request.session.testsfailed
    yield page
    if request.session.testsfailed > failures:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


def fits_the_phone(page, when: str) -> None:
    found = page.evaluate(CARD_LAYOUT_JS, MIN_TARGET_PX)
    assert found["width"] == PHONE["width"] and found["scrollWidth"] <= PHONE["width"], (when, found)
    assert not found["outside"], f"{when}: wider than the screen: {found['outside'][:8]}"
    assert not found["small"], f"{when}: too small to tap: {found['small'][:8]}"


def test_a_practice_is_logged_in_three_taps_and_its_timer_runs_on_a_phone(app, phone, calendar):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    url, db = app
    page = phone
    page.goto(url)
    form = page.locator(".reflect-checkin-form")
    form.wait_for(state="visible")
    cards = page.locator(".reflect-practice-cards")
    expect(cards).to_be_hidden()  # nobody signed in: no cards
    sign_in(page, "Robin", PASSPHRASES["Robin"])
    page.get_by_text(f"A new monthly check-in for {calendar.month_words}, Robin").wait_for()
    caught_up(page)

    taps = 0
    cards.get_by_role("button", name="Practices to do together").tap()
    taps += 1
    expect(cards.get_by_role("button", name="Story swap", exact=True)).to_be_visible()
    fits_the_phone(page, "the list of cards open")
    ARTIFACTS.mkdir(exist_ok=True)
    cards.screenshot(path=str(ARTIFACTS / "practice-deck.png"))
    cards.get_by_role("button", name="Story swap", exact=True).tap()
    taps += 1
    card = page.locator(".reflect-practice-card")
    expect(card.locator("h3")).to_have_text("Story swap")
    expect(card.locator("ol li")).to_have_count(5)
    expect(page.locator(".reflect-practice-timer")).to_contain_text("The first story: 2:00")
    fits_the_phone(page, "the story swap open")
    card.scroll_into_view_if_needed()
    caught_up(page)
    card.screenshot(path=str(SCREENSHOT))
    card.get_by_role("button", name="We did it").tap()
    taps += 1
    expect(card).to_contain_text("Lovely. Story swap is logged today, for the two of you, with your rituals.")
    assert taps <= 3
    with Store(db) as store:
        [done] = store.rituals(kind="story-swap")
        assert (done.person, done.day) == ("", calendar.today)
        assert (store.ritual_kinds()["story-swap"].cadence, store.ritual_kinds()["story-swap"].label) == (
            "weekly", "Story swap")
    expect(card).to_contain_text("Done together 1 time")

    # the timer counts in the browser: the hug's twenty seconds go down, and pause
    card.get_by_role("button", name="All practices").tap()
    cards.get_by_role("button", name="A 20-second hug").tap()
    clock = page.locator(".reflect-practice-timer")
    expect(clock).to_contain_text("The hug: 0:20")
    card.get_by_role("button", name="Start the timer").tap()
    expect(clock).to_contain_text(re.compile(r"The hug: 0:1\d left"))
    card.get_by_role("button", name="Pause the timer").tap()
    expect(card.get_by_role("button", name="Go on")).to_be_visible()
    caught_up(page)
    fits_the_phone(page, "the hug open")
    found = Axe().run(page).response["violations"]
    blocking = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in found
                if v["impact"] in ("serious", "critical")]
    assert not blocking, blocking

    # Done: Robin is signed out, and the cards go with them
    page.get_by_role("button", name="Sign out").tap()
    expect(cards).to_be_hidden()
