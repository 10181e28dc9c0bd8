"""The question of the week in a real browser: `reflect app` in Debian's chromium on a 390 x 844 phone.

Robin and Sam (each with a passphrase) sign in one after the other at the same page and answer this
week's question in the form, by tapping and typing. Robin's answer appears on Sam's page only once
Sam has answered too; before that, Sam's page holds not a word of it. The box fits the phone (nothing
wider than the screen). The screenshot of Sam's page after both answered is kept in
test-artifacts/questions-phone.png (the README's docs/questions-phone.png is a copy of one).
"""

from __future__ import annotations

import pytest

from reflect.storage.store import Store

from .helpers import ARTIFACTS, CHROMIUM, FAST_KDF, TIMEOUT_MS, serve_app, sign_in
from .kernelwatch import caught_up, watch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                       "(scripts/setup --test installs it)"),
]

PHONE = {"width": 390, "height": 844}
WORDS = {"Robin": "robin's words", "Sam": "sam's own words"}
ANSWERS = {"Robin": "The night we walked home from the station in the snow",
           "Sam": "Your laugh on the ferry, soaked through"}
SCREENSHOT = ARTIFACTS / "questions-phone.png"


@pytest.fixture
def couple_app(tmp_path):
    """`reflect app` over a store where Robin and Sam have passphrases (quick to derive) and nothing saved."""
    db = tmp_path / "couple.db"
    with Store(db) as store:
        for name, words in WORDS.items():
            store.add_person(name, words, params=FAST_KDF)
        store.sign_out()
    yield from serve_app(tmp_path, db)


@pytest.fixture
def phone(browser, request):
    context = browser.new_context(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch(page)
    failures = request.session.testsfailed
    yield page
    if request.session.testsfailed > failures:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"))
    context.close()


def fits(page, selector: str) -> None:
    """Nothing of ``selector`` is wider than the phone's screen, and the page does not scroll sideways."""
    found = page.evaluate("""(sel) => {
      const vw = document.documentElement.clientWidth, out = [];
      for (const e of document.querySelectorAll(sel + ', ' + sel + ' *')) {
        const r = e.getBoundingClientRect();
        if (r.width > 0 && (r.left < -1 || r.right > vw + 1)) out.push(e.className + ' ' + r.left + '..' + r.right);
      }
      return {vw, scroll: document.scrollingElement.scrollWidth, out};
    }""", selector)
    assert found["vw"] == PHONE["width"] and found["scroll"] <= PHONE["width"], found
    assert not found["out"], found["out"][:5]


def answer(page, person: str) -> None:
    box = page.locator(".reflect-question")
    field = box.get_by_placeholder("A few words are plenty")
    field.tap()
    field.fill(ANSWERS[person])
    caught_up(page)  # the kernel has the words before the tap
    box.locator("button:has-text('Save my answer')").tap()
    box.get_by_text("Saved your answer. Thank you.").wait_for()


def test_both_answer_on_a_phone_and_each_sees_the_other_only_after_both(couple_app, phone):
    from playwright.sync_api import expect

    url, db = couple_app
    page = phone
    page.goto(url)
    page.locator(".reflect-checkin-form").wait_for(state="visible")
    with Store(db) as store:
        question = store.week_question().text

    sign_in(page, "Robin", WORDS["Robin"])
    box = page.locator(".reflect-question")
    box.wait_for(state="visible")
    expect(box.locator(".reflect-question-text")).to_have_text(question)
    fits(page, ".reflect-question")
    answer(page, "Robin")
    expect(box.locator(".reflect-question-partner")).to_have_text("Sam has not answered this week\u2019s question yet.")
    page.locator("button:has-text('Sign out')").tap()
    box.wait_for(state="hidden")

    sign_in(page, "Sam", WORDS["Sam"])
    box.wait_for(state="visible")
    partner = box.locator(".reflect-question-partner")
    expect(partner).to_have_text("Robin has answered; you\u2019ll see it once you have given yours.")
    assert ANSWERS["Robin"] not in page.content()
    assert box.get_by_placeholder("A few words are plenty").input_value() == ""  # Robin's words left with Robin
    answer(page, "Sam")
    expect(partner).to_have_text(f"Robin\u2019s answer: {ANSWERS['Robin']}")
    fits(page, ".reflect-question")
    box.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    page.locator("button:has-text('Sign out')").tap()
    box.wait_for(state="hidden")
    assert ANSWERS["Robin"] not in page.content() and ANSWERS["Sam"] not in page.content()
    with Store(db) as store:
        store.sign_in("Robin", WORDS["Robin"])
        saved = {a.person: a.text for a in store.question_answers("Robin")}
        assert saved == ANSWERS
        assert store.answer_history("Robin", store.today())[0][1] == "form"
