"""End to end in a real browser: Debian's chromium, driven by Playwright, against JupyterLab and `reflect app`.

Each test starts a server on 127.0.0.1 with a token and a temporary store, fills in the form as a
person would (sliders by keyboard, a note, Save), checks the check-in in the store, checks that the
page asked nothing of any host but this one, and keeps a screenshot in test-artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from reflect.storage.store import Store

from .helpers import (
    ARTIFACTS,
    CHROMIUM,
    PREVIOUS,
    ROOT,
    TIMEOUT_MS,
    make_checkin,
    move,
    pick,
    serve_app,
    sign_in,
    start_app,
    start_jupyterlab,
    stop,
    store_bytes,
)
from .kernelwatch import caught_up, watch

NOTEBOOK = ROOT / "notebooks" / "monthly_reflection.ipynb"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                       "(scripts/setup --test installs it)"),
]


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def seeded(tmp_path, calendar):
    """A temporary project home and store, with last month's check-ins for Robin and Sam."""
    db = tmp_path / "browser.db"
    with Store(db) as store:
        for person in ("Robin", "Sam"):
            store.save(make_checkin(person, calendar.first_of_last_month, note=f"{person}'s words", **PREVIOUS))
    env = {**os.environ, "REFLECT_HOME": str(tmp_path), "REFLECT_DB": str(db)}
    return tmp_path, db, env


@pytest.fixture
def requests():
    """Every address the page asked for (requests and websockets)."""
    return []


@pytest.fixture
def page(browser, requests, request):
    """A fresh page; if the test fails, its screenshot and text are kept in test-artifacts/."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch(page)  # what the page asks its kernel: tests wait on that (caught_up), not on the clock
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    failures = request.session.testsfailed
    yield page
    if request.session.testsfailed > failures:
        ARTIFACTS.mkdir(exist_ok=True)
        name = f"FAILED-{request.node.name}"
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.txt").write_text(page.locator("body").inner_text())
    context.close()


@pytest.fixture
def jupyterlab(seeded):
    """JupyterLab on 127.0.0.1 with a token, serving a copy of the reflection notebook, on the port it
    picks (`--port=0`, read from what it says)."""
    tmp, _db, env = seeded
    root = tmp / "lab"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    settings = tmp / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {**env, "JUPYTERLAB_SETTINGS_DIR": str(tmp / "lab-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "lab-workspaces"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime")}
    token = "reflect-test-token"
    process, base = start_jupyterlab(root, env, tmp / "jupyterlab.log", token)
    try:
        yield base, token, root
    finally:
        stop(process)


@pytest.fixture
def app(seeded):
    """`reflect app --port PORT`, run as a person runs it; the address is read from what it prints."""
    tmp, db, _env = seeded
    process, url = start_app(db, tmp, port=True)
    try:
        yield url, process
    finally:
        stop(process)


# -- the person's part ---------------------------------------------------------------------------


def fill_in_and_save(page, person: str, note: str, calendar) -> None:
    form = page.locator(".reflect-checkin-form")
    form.wait_for(state="visible")
    who = form.get_by_placeholder("Pick your name")
    who.fill(person)
    who.press("Enter")
    page.get_by_text(f"A new monthly check-in for {calendar.month_words}, {person}").wait_for()
    move(page, "passion", 0, +2, 7)  # last month 5
    move(page, "emotional", 0, -1, 5)  # last month 6
    form.locator(".reflect-dimension-physical input[type=checkbox]").check()
    move(page, "physical", 1, +4, 8)  # how I'd like it: starts where it is (4)
    form.locator("textarea").fill(note)
    caught_up(page)  # the kernel has every answer before the click
    page.locator("button:has-text('Save my check-in')").click()
    page.get_by_text(f"Saved {person}'s monthly check-in").wait_for()
    page.get_by_text("Passion 7, emotional 5, physical 4 (you'd like 8), intellectual 7, experiential 6, "
                     "spiritual 6; and your private note.").wait_for()
    page.get_by_text(f"Compared with {calendar.first_of_last_month:%B %Y}").wait_for()
    page.get_by_text(f"{person}, {calendar.month_words} at a glance").wait_for()


def check_saved(db: Path, person: str, note: str, day) -> None:
    with Store(db) as store:
        store.sign_in(person)  # no passphrase (see test_two_partners_with_passphrases for those)
        saved = store.get(person, day)
        assert saved is not None, f"no check-in for {person} in {db}"
        assert saved.scores["passion"] == 7
        assert saved.scores["emotional"] == 5
        assert saved.scores["physical"] == 4
        assert saved.desired["physical"] == 8
        assert saved.note == note
        assert store.history(person, day)[0].source == "form"


def assert_only_loopback(requests: list[str]) -> None:
    outside = [url for url in requests
               if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).hostname not in LOCAL_HOSTS]
    assert not outside, f"the page asked hosts other than this one: {outside}"
    assert requests, "no request was recorded at all"


def screenshot(page, name: str) -> None:
    """The whole page: both JupyterLab and Voila scroll inside a panel, so make the window tall."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 2300})
    page.evaluate("document.querySelectorAll('.jp-WindowedPanel-outer').forEach(e => { e.scrollTop = 0; })")
    # let the layout settle: wait until the browser has drawn two frames since the scroll
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


# -- the tests -----------------------------------------------------------------------------------


def test_the_reflection_notebook_in_jupyterlab(jupyterlab, seeded, page, requests, calendar):
    base, token, root = jupyterlab
    _tmp, db, _env = seeded
    started = time.monotonic()
    page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}")
    page.locator(".jp-Notebook").wait_for()
    page.get_by_text(re.compile(r"\(ipykernel\) \| Idle$")).wait_for()  # the kernel is ready
    page.locator(".jp-Notebook .jp-Cell").first.click()  # the notebook is the current widget
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']:not(.lm-mod-disabled)").click()
    fill_in_and_save(page, "Robin", "A long walk on Sunday; we talked about everything.", calendar)
    check_saved(db, "Robin", "A long walk on Sunday; we talked about everything.", calendar.today)
    assert "Sam's words" not in page.content()
    screenshot(page, "jupyterlab-reflection.png")
    assert_only_loopback(requests)
    print(f"\nJupyterLab: open, run, fill in, save and check took {time.monotonic() - started:.1f} s")


def test_reflect_app_serves_the_form_with_no_code_and_no_network(app, seeded, page, requests, calendar):
    url, _process = app
    _tmp, db, _env = seeded
    started = time.monotonic()
    # Without the token, no page.
    bare = url.split("?")[0]
    try:
        with urllib.request.urlopen(bare, timeout=10) as response:
            assert "/login" in response.url and "Save my check-in" not in response.read().decode()
    except urllib.error.HTTPError as exc:
        assert exc.code in (401, 403)

    page.goto(url)
    fill_in_and_save(page, "Sam", "Felt close this month.", calendar)
    check_saved(db, "Sam", "Felt close this month.", calendar.today)
    content = page.content()
    assert "checkin_form(" not in content and "from reflect" not in content  # no code on the page
    assert "Your monthly reflection" in content
    assert "Robin's words" not in content and "Sam's words" not in content
    screenshot(page, "reflect-app.png")
    assert_only_loopback(requests)
    print(f"\nreflect app: open, fill in, save and check took {time.monotonic() - started:.1f} s")


def test_reflect_app_stops_its_server_when_stopped(app):
    url, process = app
    port = urlsplit(url).port
    stop(process)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)


# -- two partners, each with a passphrase ------------------------------------------------------


@pytest.fixture
def protected_app(tmp_path, calendar):
    """`reflect app` over a store where Robin and Sam each have a passphrase and answered last month."""
    yield from _serve_protected(tmp_path, calendar)


@pytest.fixture
def practices_app(tmp_path, calendar):
    """Like protected_app, with one small thing the couple agreed to try this month."""
    from reflect.domain.agreements import Agreement

    yield from _serve_protected(tmp_path, calendar, agreement=Agreement.create(
        month=calendar.this_month, text="A walk after dinner on Sundays"))


def _serve_protected(tmp_path, calendar, agreement=None):
    db = tmp_path / "couple.db"
    with Store(db) as store:
        for person, words in (("Robin", "robin's words"), ("Sam", "sam's own words")):
            store.add_person(person, words)
            store.save(make_checkin(person, calendar.first_of_last_month, **PREVIOUS))
        store.sign_out()
        if agreement is not None:
            store.save_agreement(agreement)
    yield from serve_app(tmp_path, db)


def test_two_partners_with_passphrases(protected_app, page, requests, calendar):
    """A signs in and saves; B, at A's name, sees nothing of A's and cannot save over it; a wrong
    passphrase is refused and slowed; B signs in and saves; then each sees the other's scores, and
    A's note opens only for A."""
    from playwright.sync_api import expect

    url, db = protected_app
    month = calendar.month_words
    note = "Robin's own words, for Robin only"
    page.goto(url)
    page.locator(".reflect-checkin-form").wait_for(state="visible")

    # Robin signs in, answers and saves, sees what was saved; "Done" signs Robin out and clears the form.
    sign_in(page, "Robin", "robin's words")
    page.get_by_text(f"A new monthly check-in for {month}, Robin").wait_for()
    page.get_by_text(f"Sam has not answered for {month} yet.").wait_for()
    move(page, "passion", 0, +3, 8)
    page.locator(".reflect-checkin-form textarea").fill(note)
    caught_up(page)  # the kernel has every answer before the click
    page.locator("button:has-text('Save my check-in')").click()
    page.get_by_text(f"Saved Robin's monthly check-in for {month}").wait_for()
    page.get_by_text(f"Compared with {calendar.first_of_last_month:%B %Y}").wait_for()
    page.locator("button:has-text('Done: sign me out')").click()
    page.get_by_text("You are signed out, so whoever uses this next sees nothing of yours.").wait_for()
    expect(page.locator(".reflect-checkin-form textarea")).to_have_value("")

    # Sam sits down and picks Robin's name: a passphrase is asked, nothing of Robin's is shown.
    pick(page, "Robin")
    page.get_by_text("Robin's check-ins are protected by a passphrase").wait_for()
    expect(page.locator(".reflect-answers")).to_be_hidden()
    assert note not in page.content()
    message = page.locator(".reflect-sign-in")
    for attempt in range(3):
        message.locator("input[type=password]").fill(f"sam guessing {attempt}")
        caught_up(page)  # the kernel has every answer before the click
        message.locator("button:has-text('Sign in')").click()
        page.get_by_text(re.compile(rf"That is not Robin.s passphrase{'; wait' if attempt == 2 else ''}")).wait_for()
    message.locator("input[type=password]").fill("sam guessing again")
    caught_up(page)  # the kernel has every answer before the click
    message.locator("button:has-text('Sign in')").click()
    # slowed: refused unheard within the wait, or heard and the wait doubles
    page.get_by_text(re.compile("Too many wrong passphrases for Robin: wait|That is not Robin.s passphrase; wait 2 s"
                                )).wait_for()
    with Store(db) as store:
        assert store.version_count() == 3  # two from last month, Robin's new one: nothing over it

    # Sam signs in as Sam: Robin's answers are sealed until Sam has given answers of Sam's own.
    sign_in(page, "Sam", "sam's own words")
    page.get_by_text(f"Robin has answered for {month}; you'll see it once you have given yours.").wait_for()
    move(page, "passion", 0, -1, 4)
    caught_up(page)  # the kernel has every answer before the click
    page.locator("button:has-text('Save my check-in')").click()
    page.get_by_text(f"Saved Sam's monthly check-in for {month}").wait_for()
    # the reward: Sam's save unsealed Robin's answers, shown at once (never Robin's private note)
    page.get_by_text(re.compile(rf"Now that you have both answered: Robin, {month}: Passion 8")).wait_for()
    assert note not in page.content()
    page.locator("button:has-text('Done: sign me out')").click()
    page.get_by_text("You are signed out, so whoever uses this next sees nothing of yours.").wait_for()

    # Now both have answered: Sam sees Robin's scores (not Robin's note) ...
    sign_in(page, "Sam", "sam's own words")
    page.get_by_text(re.compile(rf"Robin, {month}: Passion 8, emotional 6")).wait_for()
    assert note not in page.content()
    page.locator("button:has-text('Sign out')").click()
    page.get_by_text("Sam is signed out; the form was cleared.").wait_for()

    # ... and Robin's note opens for Robin (the wait after the guesses is long over).
    sign_in(page, "Robin", "robin's words")
    page.get_by_text(re.compile(rf"Sam, {month}: Passion 4")).wait_for()
    page.locator("button:has-text('Show my note')").click()
    expect(page.locator(".reflect-checkin-form textarea")).to_have_value(note)
    screenshot(page, "reflect-app-two-partners.png")
    assert_only_loopback(requests)
    with Store(db) as store:
        assert note.encode() not in store_bytes(db)
        shown = [c.person for c in store.checkins(month=calendar.this_month)]
        assert shown == ["Robin", "Sam"], (store.people(), store.answered("monthly", calendar.first_of_this_month))


# -- the practices: "did we?", one small thing to try, a yes / not now / no list ------------------


def answer_item(page, item: str, answer: str) -> None:
    """Click ``answer`` (yes, not now, no) for ``item`` of the open yes / not now / no list."""
    row = page.locator(".reflect-consent .widget-hbox", has_text=item)
    row.locator("button").filter(has_text=re.compile(rf"^{answer}$")).click()


def test_an_agreement_and_a_consent_list_in_the_form(practices_app, page, requests, calendar):
    """Robin answers "did we?", writes next month's small thing and a private list with a no; Sam
    answers Sam's list and sees only what both said yes to: never Robin's no."""
    from playwright.sync_api import expect

    url, db = practices_app
    this_month, next_month = calendar.this_month, calendar.next_month
    robins_no = "Talking about money"
    page.goto(url)
    page.locator(".reflect-checkin-form").wait_for(state="visible")
    sign_in(page, "Robin", "robin's words")
    page.get_by_text(f"A new monthly check-in for {calendar.month_words}, Robin").wait_for()

    # the list, folded under the physical dimension until Robin opens it
    expect(page.locator(".reflect-consent")).to_be_hidden()
    page.locator("button:has-text('My yes / not now / no list')").click()
    page.get_by_text("Robin, this list is yours.").wait_for()
    answer_item(page, "A weekend away, just the two of us", "yes")
    answer_item(page, robins_no, "no")
    answer_item(page, "Hugs in public", "not now")
    caught_up(page)  # the kernel has every answer before the click
    page.locator("button:has-text('Save my list')").click()
    page.get_by_text("Saved your list; it stays yours.").wait_for()

    # "did we?" for this month's agreement, and one small thing for the next, saved with the check-in
    agreements = page.locator(".reflect-agreements")
    agreements.get_by_text("A walk after dinner on Sundays").wait_for()
    agreements.locator("button").filter(has_text=re.compile(r"^partly$")).click()
    agreements.get_by_placeholder("One small thing we'll try (a few words)").fill("Phones away at dinner")
    move(page, "passion", 0, +1, 6)
    caught_up(page)  # the kernel has every answer before the click
    screenshot(page, "reflect-app-practices.png")
    page.locator("button:has-text('Save my check-in')").click()
    page.get_by_text("Saved your \u201cdid we?\u201d and one small thing for").wait_for()
    page.locator("button:has-text('Done: sign me out')").click()
    page.get_by_text("You are signed out, so whoever uses this next sees nothing of yours.").wait_for()

    # Sam signs in, answers Sam's own list: only what both said yes to is shown
    sign_in(page, "Sam", "sam's own words")
    page.locator("button:has-text('My yes / not now / no list')").click()
    page.get_by_text("Sam, this list is yours.").wait_for()
    assert "Saved your list" not in page.locator(".reflect-consent").inner_text()
    answer_item(page, "A weekend away, just the two of us", "yes")
    answer_item(page, robins_no, "yes")
    caught_up(page)  # the kernel has every answer before the click
    page.locator("button:has-text('Save my list')").click()
    shared = page.locator(".reflect-consent p", has_text="What you and Robin both said yes to:")
    expect(shared).to_have_text("What you and Robin both said yes to: A weekend away, just the two of us")
    sam_sees = page.locator(".reflect-consent").inner_text()
    assert "Not now" not in sam_sees  # Robin's "not now" is Robin's to show
    assert sam_sees.count(robins_no) == 1  # the item in Sam's own list, never in what both see
    screenshot(page, "reflect-app-consent-partner.png")
    assert_only_loopback(requests)

    with Store(db) as store:
        assert [(a.person, a.answer) for a in store.agreement_answers(month=this_month)] == [("Robin", "partly")]
        assert [a.text for a in store.agreements(month=next_month)] == ["Phones away at dinner"]
        store.sign_in("Robin", "robin's words")
        assert store.consent_list("Robin").answers == {
            "A weekend away, just the two of us": "yes", robins_no: "no", "Hugs in public": "not now"}
    raw = store_bytes(db)
    assert b'"no"' not in raw and b"not now" not in raw
