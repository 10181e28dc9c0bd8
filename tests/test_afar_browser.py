"""Two partners, each on their own phone, at the form served on the home network (`reflect app --lan`).

Debian's chromium, driven by Playwright, opens the HTTPS address `reflect app --lan` prints, in two
browser contexts at once (two phones: nothing shared, not even cookies). The certificate is the
kit's own: the browser is told to go past its warning, as a person does after checking the
fingerprint, and the test checks that the certificate served is the one whose fingerprint the
terminal printed. Each partner signs in with their own passphrase and saves a check-in with a
note; neither sees the other's note, and neither note is anywhere in the store's file.

A stranger on the network, with the page's address, types a new name, a near miss of a partner's
name, and a partner's name without the passphrase, and picks a past month: nothing of anyone is
shown, nobody is made, and nothing is saved.

The server listens on 127.0.0.1 (`--address 127.0.0.1`, which runs the same code as the home
network): tests serve on and connect to loopback addresses only, never the machine's own.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from reflect.servers.certificate import served_fingerprint
from reflect.storage.store import Store

from .helpers import (
    ARTIFACTS,
    CHROMIUM,
    FAST_KDF,
    PREVIOUS,
    TIMEOUT_MS,
    LanApp,
    chromium,
    make_checkin,
    move,
    pick,
    sign_in,
    store_bytes,
)
from .kernelwatch import caught_up, watch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                       "(scripts/setup --test installs it)"),
]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}


LOOPBACK = "127.0.0.1"  # the same code as the home network's address, without leaving the machine


@pytest.fixture
def lan_app(tmp_path, calendar):
    db = tmp_path / "couple.db"
    with Store(db) as store:
        for person in ("Robin", "Sam"):
            store.add_person(person, f"{person.lower()}'s words", params=FAST_KDF)
            store.save(make_checkin(person, calendar.first_of_last_month, note=f"{person}'s last month, shared",
                                    **PREVIOUS), share_note=True)  # passion 5
        store.sign_out()
    served = LanApp(db, address=LOOPBACK)
    yield served, db
    served.stop()


def test_a_stranger_on_the_phone_page_sees_nothing_and_makes_nobody(lan_app, calendar):
    """Over HTTPS in Chromium, as someone on the network who has the address would try it."""
    served, db = lan_app
    secrets = ("Robin's last month, shared", "Sam's last month, shared", "Passion 5", "passion 5")
    artifacts = ARTIFACTS
    artifacts.mkdir(exist_ok=True)
    with chromium() as browser:
        context = browser.new_context(ignore_https_errors=True, **PHONE)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        watch(page)
        try:
            page.goto(served.url)
            form = page.locator(".reflect-checkin-form")
            form.wait_for(state="visible")
            for typed, words in (("Mallory", "this store is for Robin and Sam"), ("robin", "did you mean Robin?"),
                                 ("\uff32\uff4f\uff42\uff49\uff4e", "did you mean Robin?")):
                pick(page, typed)
                page.get_by_text(words).wait_for()
                caught_up(page)
                assert page.locator("button:has-text('Save my check-in')").is_hidden()
                assert page.locator(".reflect-passphrase-setup").is_hidden()
                form.locator("input[type=date]").fill(f"{calendar.last_month}-03")  # a past month
                caught_up(page)
                content = page.content()
                assert not any(s in content for s in secrets), typed
            pick(page, "Robin")  # a partner's name, without the passphrase
            page.locator(".reflect-sign-in").wait_for(state="visible")
            form.locator("input[type=date]").fill(f"{calendar.last_month}-03")
            caught_up(page)
            content = page.content()
            assert not any(s in content for s in secrets)
            page.locator(".reflect-sign-in input[type=password]").fill("a guess at it")
            page.locator(".reflect-sign-in button:has-text('Sign in')").click()
            page.get_by_text("that is not Robin's passphrase", exact=False).wait_for()
            assert not any(s in page.content() for s in secrets)
            page.screenshot(path=str(artifacts / "reflect-app-lan-stranger.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(artifacts / "FAILED-lan-stranger.png"), full_page=True)
            raise
        finally:
            context.close()
    with Store(db) as store:
        assert store.people() == ["Robin", "Sam"] and store.version_count() == 2
        assert [e.event for e in store.people_events()] == ["passphrase-set", "passphrase-set"]


def test_two_partners_on_two_phones_over_https(lan_app, calendar):
    from playwright.sync_api import expect

    served, db = lan_app
    # The certificate the browser is shown is the one whose fingerprint the terminal printed.
    assert served_fingerprint(served.host, served.port) == served.fingerprint
    month = calendar.month_words
    notes = {"Robin": "Robin's words on Robin's phone", "Sam": "Sam's words on Sam's phone"}
    moves = {"Robin": (+2, 7), "Sam": (-1, 4)}
    asked: list[str] = []
    with chromium() as browser:
        phones = {}
        try:
            for person in notes:
                context = browser.new_context(ignore_https_errors=True, **PHONE)
                page = context.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                watch(page)  # tests wait on the kernel (caught_up), not on the clock
                page.on("request", lambda r: asked.append(r.url))
                page.on("websocket", lambda ws: asked.append(ws.url))
                phones[person] = page
            for page in phones.values():  # both open the address at once
                page.goto(served.url)
            for person, page in phones.items():
                page.locator(".reflect-checkin-form").wait_for(state="visible")
                sign_in(page, person, f"{person.lower()}'s words")
            for person, page in phones.items():
                page.get_by_text(f"A new monthly check-in for {month}, {person}").wait_for()
                presses, expected = moves[person]
                move(page, "passion", 0, presses, expected)
                page.locator(".reflect-checkin-form textarea").fill(notes[person])
            for page in phones.values():
                caught_up(page)  # the kernel has every answer before the click
                page.locator("button:has-text('Save my check-in')").click()
            for person, page in phones.items():
                page.get_by_text(f"Saved {person}'s monthly check-in for {month}").wait_for()
                page.locator("button:has-text('Done: sign me out')").tap()
                page.get_by_text("You are signed out, so whoever uses this next sees nothing of yours.").wait_for()
                expect(page.locator(".reflect-checkin-form textarea")).to_have_value("")
            # Each signs in again: their own note opens for them; the other's is nowhere on their phone.
            for person, page in phones.items():
                other = "Sam" if person == "Robin" else "Robin"
                sign_in(page, person, f"{person.lower()}'s words")
                page.get_by_text(re.compile(rf"{other}, {month}: Passion {moves[other][1]}")).wait_for()
                page.locator("button:has-text('Show my note')").click()
                expect(page.locator(".reflect-checkin-form textarea")).to_have_value(notes[person])
                assert notes[other] not in page.content()
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"reflect-app-lan-{person.lower()}.png"), full_page=True)
            for person, page in phones.items():
                page.locator("button:has-text('Sign out')").click()
                page.get_by_text(f"{person} is signed out; the form was cleared.").wait_for()
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            for person, page in phones.items():
                page.screenshot(path=str(ARTIFACTS / f"FAILED-lan-{person.lower()}.png"), full_page=True)
            raise
        finally:
            for page in phones.values():
                page.context.close()
    # Every request went to the served address, over HTTPS (or its websockets, over TLS).
    assert asked
    strays = [url for url in asked if urlsplit(url).scheme not in ("data", "blob", "about")
              and (urlsplit(url).hostname != served.host or urlsplit(url).scheme not in ("https", "wss"))]
    assert not strays, strays
    with Store(db) as store:
        for person in notes:
            assert notes[person].encode() not in store_bytes(db)
            store.sign_in(person, f"{person.lower()}'s words")
        saved = {c.person: c for c in store.checkins(month=calendar.this_month)}
        assert {p: c.scores["passion"] for p, c in saved.items()} == {p: m[1] for p, m in moves.items()}
        assert {p: c.note for p, c in saved.items()} == notes
        assert not any(c.note_shared for c in saved.values())
        assert all(c.source == "form" for p in notes for c in store.history(p, calendar.today))
