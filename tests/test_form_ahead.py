"""The form built ahead of its visitor (``reflect app`` keeps pages ready): built before anyone opens
the page, it holds nothing of anyone; when someone opens it, it catches up with the store and the
calendar as they are then (people, today's date, the week's question, the month's agreements, the
day's rituals, the kinds of ritual, life events, reminders), and then works as a form built on the
spot: signing in, the idle sign-out, "Done" clearing every field. Driven without a browser;
tests/test_app_speed.py opens such a page in Chromium."""

from __future__ import annotations

import datetime as dt
import os

import nbformat
import pytest

from reflect.domain.agreements import Agreement
from reflect.domain.lifeevents import LifeEvent
from reflect.domain.rituals import TOGETHER, Ritual
from reflect.servers import app, warm
from reflect.storage.store import Store
from reflect.views.practices import PracticesPanel
from reflect.views.quicklog import QuickLog
from reflect.views.widgets import CheckInForm, this_month_at_a_glance

from .conftest import PASSPHRASES
from .helpers import make_checkin

pytestmark = pytest.mark.usefixtures("fast_keys")

BUILT = dt.date(2026, 10, 31)  # the day the kernel built the page (a Saturday, the last of October)
OPENED = dt.date(2026, 11, 2)  # the day someone opens it (a Monday, in November)
ROBINS_NOTE = "Only for me: the week was heavy"


def everything(*widgets):
    """Every value the widgets would send to a browser (all synced state of them and their children)."""
    def walk(x):
        yield x
        for child in getattr(x, "children", ()):
            yield from walk(child)
    return repr([x.get_state() for widget in widgets for x in walk(widget)])


def built_ahead(store: Store, today: dt.date = BUILT):
    """What the reflection notebook builds in a ready kernel, before anyone opens the page."""
    form = CheckInForm(store, today=today)
    glance = this_month_at_a_glance(form)
    practices = PracticesPanel(form, today=today)
    rituals = QuickLog(store, today=today)
    return form, glance, practices, rituals


# -- nothing of anyone ----------------------------------------------------------------------------


def test_a_page_built_ahead_holds_nothing_of_anyone(couple_store):
    couple_store.sign_in("Robin", PASSPHRASES["Robin"])
    couple_store.save(make_checkin("Robin", "2026-10-01", note=ROBINS_NOTE, passion=9))
    couple_store.appreciate("Robin", "Thank you for the soup", source="test")
    couple_store.sign_out()
    form, glance, practices, rituals = built_ahead(couple_store)
    held = everything(form.widget, glance, practices.widget, rituals.widget)
    assert form.person == "" and not couple_store.signed_in
    for words in (ROBINS_NOTE, "soup", "already saved", "Welcome,"):
        assert words not in held
    assert form.rows["passion"].score.value != 9  # nobody's scores: the starting values
    assert "Pick your name in the form above" in glance.value


def test_a_form_that_holds_someone_is_cleared_before_it_catches_up(couple_store):
    form = CheckInForm(couple_store, today=BUILT)
    form.who.value = "Robin"
    form.passphrase.value = PASSPHRASES["Robin"]
    form.sign_in_button.click()
    form.note.value = ROBINS_NOTE
    assert form.person == "Robin" and "Robin" in couple_store.signed_in
    form.catch_up(OPENED)
    assert form.person == "" and form.who.value == "" and form.note.value == ""
    assert not couple_store.signed_in
    assert ROBINS_NOTE not in everything(form.widget)


# -- catching up -----------------------------------------------------------------------------------


def test_the_form_catches_up_with_the_people_and_the_calendar(db_path):
    with Store(db_path) as store:
        store.save(make_checkin("Robin", "2026-10-01", passion=6))
        form, glance, practices, rituals = built_ahead(store)
        assert form.who.options == ("Robin",) and form.date.value == BUILT
        # meanwhile, elsewhere (another page, the command line): Sam joins, October's agreement is made
        with Store(db_path) as elsewhere:
            elsewhere.save(make_checkin("Sam", "2026-11-01", passion=8))
            elsewhere.save_agreement(Agreement.create(month="2026-11", text="Phones away at dinner", today=OPENED))
        form.catch_up(OPENED)
        assert form.who.options == ("Robin", "Sam")
        assert form.date.value == OPENED and form.today == OPENED
        assert form.question.week == OPENED - dt.timedelta(days=OPENED.weekday())
        assert form.agreements.today == OPENED
        # then it is the form it would have been if built now: Sam's November, and the agreement
        form.who.value = "Sam"
        assert form.rows["passion"].score.value == 8
        assert "November 2026" in form.period.value
        assert "Phones away at dinner" in everything(form.agreements.widget)
        assert "Sam" in glance.value


def test_a_date_somebody_moved_is_kept(db_path):
    with Store(db_path) as store:
        form, _glance, practices, rituals = built_ahead(store)
        form.date.value = practices.event_day.value = rituals.day.value = dt.date(2026, 9, 30)
        form.catch_up(OPENED)
        practices.catch_up(OPENED)
        rituals.catch_up(OPENED)
        assert form.date.value == practices.event_day.value == rituals.day.value == dt.date(2026, 9, 30)
        assert practices.repair_day.value == OPENED


def test_the_quick_log_catches_up_with_the_people_the_kinds_and_the_days_rituals(db_path):
    with Store(db_path) as store:
        store.save(make_checkin("Robin", "2026-10-01"))
        _form, _glance, _practices, rituals = built_ahead(store)
        assert "walk" not in rituals.buttons
        with Store(db_path) as elsewhere:
            elsewhere.save(make_checkin("Sam", "2026-10-01"))
            elsewhere.add_ritual_kind("walk", "daily", "An evening walk")
            elsewhere.log_ritual(Ritual.create(day=OPENED, kind="hug"), source="test")
        rituals.catch_up(OPENED)
        assert [value for _label, value in rituals.who.options] == [TOGETHER, "Robin", "Sam"]
        assert rituals.day.value == OPENED
        assert rituals.buttons["hug"].description.startswith("\u2713")  # logged today, together
        assert "walk" in rituals.buttons and rituals.buttons["walk"] in everything_children(rituals.widget)
        rituals.buttons["walk"].click()
        assert [(r.kind, r.day) for r in store.rituals() if r.kind == "walk"] == [("walk", OPENED)]


def everything_children(widget):
    def walk(x):
        yield x
        for child in getattr(x, "children", ()):
            yield from walk(child)
    return list(walk(widget))


def test_the_practices_catch_up_with_the_calendar_and_the_life_events(db_path):
    with Store(db_path) as store:
        form, _glance, practices, _rituals = built_ahead(store)
        with Store(db_path) as elsewhere:
            elsewhere.mark_event(LifeEvent.create(day=OPENED, words="We moved house", kind="move", today=OPENED),
                                 source="test")
        assert "We moved house" not in practices.event_list.value
        practices.catch_up(OPENED)
        assert practices.repair_day.value == practices.happened.value == practices.event_day.value == OPENED
        assert "We moved house" in practices.event_list.value


# -- after catching up: signing in, the idle sign-out, "Done" --------------------------------------


def test_after_catching_up_the_form_signs_in_signs_out_when_idle_and_done_clears_it(couple_store):
    form, glance, practices, rituals = built_ahead(couple_store)
    for part in (form, practices, rituals):
        part.catch_up(OPENED)
    form.who.value = "Robin"
    assert form.access == "locked" and "Robin" not in couple_store.signed_in
    form.passphrase.value = PASSPHRASES["Robin"]
    form.sign_in_button.click()
    assert form.access == "signed-in" and practices.person == "Robin"
    form.sign_out_if_idle(now=form._last_touch + form.idle_minutes * 60 + 1)
    assert form.person == "" and not couple_store.signed_in and "signed out after 5 minutes" in form.message.value
    form.who.value = "Robin"
    form.passphrase.value = PASSPHRASES["Robin"]
    form.sign_in_button.click()
    form.note.value = ROBINS_NOTE
    form.rows["passion"].score.value = 7
    form.save_button.click()
    assert form.done_button.layout.display != "none"
    form.done_button.click()
    assert form.person == "" and form.who.value == "" and form.note.value == "" and not couple_store.signed_in
    assert ROBINS_NOTE not in everything(form.widget, glance, practices.widget, rituals.widget)


# -- the ready kernel: wait, then catch up ---------------------------------------------------------


class Part:
    def __init__(self, seen):
        self.seen = seen

    def catch_up(self, today=None):
        self.seen.append((self, today, os.environ.get(warm.PREHEAT_VARIABLE)))


def test_a_ready_kernel_catches_its_page_up_once_the_visitor_comes_and_not_before(monkeypatch):
    seen: list = []
    first, second = Part(seen), Part(seen)

    def visitor_came(environ):
        assert seen == []  # nothing caught up while waiting
        return {"QUERY_STRING": "token=t"}

    monkeypatch.setenv(warm.PREHEAT_VARIABLE, "True")
    monkeypatch.setattr(warm, "wait_for_request", visitor_came)
    waiting = warm.wait_for_visitor(first, second)
    assert waiting is not None
    waiting.join(60)
    today = dt.date.today()
    assert seen == [(first, today, "False"), (second, today, "False")]  # in order, one day, the page's own


def test_a_ready_kernel_that_cannot_wait_catches_up_at_once(monkeypatch):
    seen: list = []

    def unreachable(environ):
        raise OSError("refused")

    monkeypatch.setenv(warm.PREHEAT_VARIABLE, "True")
    monkeypatch.setattr(warm, "wait_for_request", unreachable)
    waiting = warm.wait_for_visitor(Part(seen))
    assert waiting is not None
    waiting.join(60)
    assert len(seen) == 1


def test_outside_a_ready_kernel_nothing_waits_and_nothing_is_redone(monkeypatch):
    seen: list = []
    monkeypatch.delenv(warm.PREHEAT_VARIABLE, raising=False)
    assert warm.wait_for_visitor(Part(seen)) is None
    assert seen == []  # built just now: nothing to catch up


def test_the_notebook_builds_its_page_ahead_and_waits_in_its_last_cell():
    nb = nbformat.read(app.notebook_path(), as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "wait_for_visitor(form, practices, rituals)" in code[-1]
    assert all("wait_for_visitor" not in source for source in code[:-1])
    assert nb.cells[-1].source == code[-1]  # nothing after it: the whole page is rendered ahead
    built = "\n".join(code[:-1])
    for part in ("form = checkin_form()", "practices = practices_panel(form)", "rituals = QuickLog(form.store)"):
        assert part in built


def test_in_a_kernel_the_page_catches_up_on_the_kernels_own_loop(monkeypatch):
    import asyncio
    import threading

    where: list = []

    class OnLoop:
        def catch_up(self, today=None):
            where.append(threading.current_thread())

    monkeypatch.setenv(warm.PREHEAT_VARIABLE, "True")
    monkeypatch.setattr(warm, "wait_for_request", lambda environ: {"QUERY_STRING": "token=t"})

    async def the_last_cell():
        waiting = warm.wait_for_visitor(OnLoop())
        assert waiting is not None
        while waiting.is_alive() or not where:  # the cell is over; the loop goes on
            await asyncio.sleep(0.01)

    asyncio.run(asyncio.wait_for(the_last_cell(), 60))
    assert where == [threading.main_thread()]  # not the waiting thread: nothing races the page's messages


# -- a lighter page ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_page_loads_only_what_the_form_needs(tmp_path):
    import json
    import re
    import urllib.request

    from .helpers import app_server

    with app_server(tmp_path / "us.db") as server:
        with urllib.request.urlopen(server.url, timeout=120) as response:
            page = response.read().decode()
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">\s*(.*?)\s*</script>',
                                  page, re.S).group(1))
    assert [e["name"] for e in config["federated_extensions"]] == [
        "@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8"]  # the widgets, no more
    for plugin in ("@jupyterlab/codemirror-extension", "@jupyterlab/mathjax2-extension",
                   "@jupyterlab/markedparser-extension", "@jupyterlab/theme-dark-extension"):
        assert plugin in config["disabledExtensions"]
    assert config["fullMathjaxUrl"] == config["mathjaxConfig"] == "null"  # nothing asked of a CDN
    assert not re.search(r'(src|href)="https?://', page)
    assert '<link rel="preload" as="script" href="/voila/static/voila.js">' in page
    # the whole page arrives at once, made ahead: every cell's output and Voila's script at its foot
    assert "reflect-main" in page and page.rstrip().endswith("</html>")
    assert page.index("application/vnd.jupyter.widget-view+json") < page.index('<script src="/voila/static/voila.js"')
