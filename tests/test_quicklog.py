"""The quick-log widget, driven without a browser."""

import datetime as dt

from reflect.storage.store import Store
from reflect.views.quicklog import QuickLog

from .helpers import make_checkin

DAY = dt.date(2026, 10, 4)


def test_one_click_logs_and_a_second_takes_back():
    store = Store(":memory:")
    q = QuickLog(store, today=DAY)
    assert set(q.buttons) == {"appreciation", "hug", "check-in", "phone-free", "special-evening", "keepsake"}
    q.buttons["hug"].click()
    [r] = store.rituals()
    assert (r.kind, r.day, r.person) == ("hug", DAY, "")
    assert q.buttons["hug"].button_style == "success" and q.buttons["hug"].description.startswith("\u2713")
    assert "Logged a long hug (together, 04 October)" in q.message.value
    q.buttons["hug"].click()
    assert store.rituals() == []
    assert q.buttons["hug"].button_style == ""
    assert [v[2].done for v in store.ritual_history(None, DAY, "hug")] == [True, False]


def test_who_and_day_choose_what_is_shown_and_logged():
    store = Store(":memory:")
    store.save(make_checkin("Sam"))
    q = QuickLog(store, today=DAY)
    assert ("Sam", "Sam") in q.who.options
    q.who.value = "Sam"
    q.buttons["appreciation"].click()
    assert store.rituals()[0].person == "Sam"
    q.who.value = ""
    assert q.buttons["appreciation"].button_style == ""  # Sam's, not the couple's
    q.who.value = "Sam"
    assert q.buttons["appreciation"].button_style == "success"
    q.day.value = DAY + dt.timedelta(days=1)
    assert q.buttons["appreciation"].button_style == ""


def test_a_kind_of_your_own_gets_a_button():
    store = Store(":memory:")
    store.add_ritual_kind("walk", "weekly", "A walk by the river")
    q = QuickLog(store, today=DAY)
    q.buttons["walk"].click()
    assert store.rituals()[0].kind == "walk"


def test_no_day_writes_nothing():
    store = Store(":memory:")
    q = QuickLog(store, today=DAY)
    q.day.value = None
    q.buttons["hug"].click()
    assert store.rituals() == [] and "choose a day" in q.message.value
