"""The check-in form, driven without a browser: set values, click, look at the store and the words."""

import datetime as dt

import ipywidgets as w
import pytest

from reflect.errors import StoreError
from reflect.storage.store import Store
from reflect.views.widgets import CheckInForm, checkin_form, field_words, this_month_at_a_glance

from .helpers import ROOT, make_checkin

TODAY = dt.date(2026, 10, 17)
RATINGS = dict(passion=6, emotional=7, physical=5, intellectual=8, experiential=6, spiritual=7)


def form_for(store, **kw):
    """A form for people without passphrases (the form as it was before sign-in; see test_signin.py)."""
    form = CheckInForm(store, today=TODAY, **kw)
    form.no_passphrase.value = True
    return form


def rate(form, **ratings):
    for key, value in ratings.items():
        form.rows[key].score.value = value


def wish(form, **desired):
    for key, value in desired.items():
        form.rows[key].wish.value = True
        form.rows[key].desired.value = value


def every_widget(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from every_widget(child)


def everything_shown(form):
    """Every value the form would send to a browser (all synced state of all its widgets)."""
    return repr([x.get_state() for x in every_widget(form.widget)])


def text(form):
    return form.banner.value + form.message.value + form.period.value + form.note_hint.value


# -- saving --------------------------------------------------------------------------------------


def test_a_new_check_in_is_saved_with_what_the_form_holds(store):
    form = form_for(store)
    form.who.value = "Robin"
    rate(form, **RATINGS)
    wish(form, physical=8)
    form.note.value = "Busy month; we missed our walks."
    form.save_button.click()

    saved = store.get("Robin", "2026-10-01")
    assert dict(saved.scores) == RATINGS
    assert saved.desired["physical"] == 8
    assert [k for k, v in saved.desired.items() if v is not None] == ["physical"]
    assert saved.note == "Busy month; we missed our walks."
    assert store.history("Robin", "2026-10-01")[0].source == "form"
    assert "Saved Robin's monthly check-in for October 2026" in form.message.value
    assert ("Passion 6, emotional 7, physical 5 (you&#x27;d like 8), intellectual 8, experiential 6, "
            "spiritual 7; and your private note.") in form.message.value
    assert "Busy month" not in form.message.value
    assert form.last_result.status == "added"


def test_the_rhythm_and_date_choose_the_period(store):
    form = form_for(store)
    form.who.value = "Sam"
    form.cadence.value = "weekly"
    form.date.value = dt.date(2026, 10, 15)
    assert "the week of Monday 12 October 2026" in form.period.value
    form.save_button.click()
    assert store.checkins()[0].key == ("Sam", "weekly", "2026-10-12")


def test_a_desired_level_is_hidden_until_asked_for_and_only_saved_when_asked(store):
    form = form_for(store, person="Robin")
    row = form.rows["passion"]
    assert row.desired.layout.display == "none"
    row.wish.value = True
    assert row.desired.layout.display is None
    row.desired.value = 9
    row.wish.value = False  # changed their mind
    form.save_button.click()
    assert store.get("Robin", TODAY).desired["passion"] is None


@pytest.mark.parametrize(
    "who, date, note, words",
    [
        ("", TODAY, None, "<b>Your name</b>: a name is required (it cannot be empty)"),
        ("   ", TODAY, None, "<b>Your name</b>: a name is required (it cannot be empty)"),
        ("R" * 65, TODAY, None, "<b>Your name</b>: a name can be at most 64 characters (this one has 65)"),
        ("Rob\tin", TODAY, None, "<b>Your name</b>: a name cannot hold control characters"),
        ("Robin", None, None, "<b>The date</b>: a date is required (YYYY-MM-DD)"),
        ("Robin", TODAY, "x" * 20_001, "<b>The note</b>: a note can be at most 20,000 characters"),
    ],
)
def test_every_invalid_input_shows_its_message_and_writes_nothing(store, who, date, note, words):
    form = form_for(store)
    form.who.value = who
    form.date.value = date
    rate(form, passion=9)
    if note is not None:
        form.note.value = note
    form.save_button.click()
    assert words in form.message.value
    assert "Nothing was saved; your answers are still here." in form.message.value
    assert store.version_count() == 0
    assert form.rows["passion"].score.value == 9  # nothing the person gave is lost
    assert form.note.value == (note or "")


def test_a_name_the_library_refuses_is_explained_as_soon_as_it_is_typed(store):
    form = form_for(store)
    form.who.value = "R" * 65
    assert "a name can be at most 64 characters" in form.banner.value
    form.date.value = None
    assert "Choose a date." in form.period.value


def test_sliders_cannot_leave_the_scale(store):
    form = form_for(store, person="Robin")
    form.rows["passion"].score.value = 11  # clamped by the widget, as in a browser
    form.save_button.click()
    assert store.get("Robin", TODAY).scores["passion"] == 10


def test_a_store_that_cannot_be_written_says_so_and_keeps_the_answers(store, monkeypatch):
    def refuse(*args, **kwargs):
        raise StoreError("the store is busy and could not be written (database is locked)")

    monkeypatch.setattr(store, "save", refuse)
    form = form_for(store, person="Robin")
    rate(form, passion=3)
    form.save_button.click()
    assert "could not be saved: the store is busy" in form.message.value
    assert "Your answers are still here" in form.message.value
    assert form.rows["passion"].score.value == 3


# -- loading -------------------------------------------------------------------------------------


def test_an_existing_check_in_is_loaded_and_saving_updates_it(store):
    store.save(make_checkin("Robin", "2026-10-03", passion=4, emotional=8, desired={"spiritual": 9}))
    form = form_for(store)
    assert form.who.options == ("Robin",)
    form.who.value = "Robin"
    assert form.rows["passion"].score.value == 4
    assert form.rows["emotional"].score.value == 8
    assert form.rows["spiritual"].wish.value is True
    assert form.rows["spiritual"].desired.value == 9
    assert form.rows["physical"].wish.value is False
    assert "You already saved a monthly check-in for October 2026" in form.banner.value
    assert "saving will update it, and the earlier version stays in your history" in form.banner.value

    rate(form, passion=6)
    form.save_button.click()
    assert form.last_result.status == "updated"
    assert "Updated Robin's monthly check-in for October 2026" in form.message.value
    assert "the earlier version is kept in your history" in form.message.value
    versions = store.history("Robin", "2026-10-01")
    assert [v.checkin.scores["passion"] for v in versions] == [4, 6]
    assert versions[1].checkin.desired["spiritual"] == 9

    form.save_button.click()
    assert "Nothing changed" in form.message.value
    assert store.version_count() == 2


def test_a_new_period_starts_from_the_previous_check_in_of_that_rhythm(store):
    store.save(make_checkin("Robin", "2026-08-01", passion=2))
    store.save(make_checkin("Robin", "2026-09-01", passion=3, physical=9, desired={"physical": 10},
                            note="last month's words"))
    store.save(make_checkin("Robin", "2026-10-12", cadence="weekly", passion=8))
    form = form_for(store, person="Robin")
    assert form.rows["passion"].score.value == 3
    assert form.rows["physical"].score.value == 9
    assert form.rows["physical"].desired_value == 10
    assert "A new monthly check-in for October 2026, Robin" in form.banner.value
    assert "where you left them last time (September 2026)" in form.banner.value
    assert form.note.value == ""  # last month's note does not travel
    assert "last month's words" not in everything_shown(form)

    form.cadence.value = "weekly"  # this week was already saved
    assert form.rows["passion"].score.value == 8
    form.cadence.value = "daily"  # no daily check-ins: the starting values
    assert form.rows["passion"].score.value == 5
    assert "your first daily check-in" in form.banner.value


def test_a_new_person_starts_in_the_middle_and_is_welcomed(store):
    store.save(make_checkin("Robin"))
    form = form_for(store, person="Sam")
    assert all(row.score.value == 5 and row.desired_value is None for row in form.rows.values())
    assert "Welcome, Sam: this is your first check-in, for October 2026" in form.banner.value


def test_a_near_miss_or_a_third_name_is_refused_and_shows_nothing(store):
    store.save(make_checkin("Robin", note="Robin's words"))
    for typed in ("robin", "ROBIN", "R\u043ebin", "\uff32\uff4f\uff42\uff49\uff4e"):  # Cyrillic o, fullwidth
        form = form_for(store, person=typed)
        assert "Did you mean Robin?" in form.banner.value or "did you mean Robin?" in form.banner.value
        assert form.body.layout.display == "none" and form.partner.value == ""
        form.save_button.click()
    store.save(make_checkin("Sam", note="Sam's words"))
    form = form_for(store, person="Mallory")
    assert "this store is for Robin and Sam" in form.banner.value
    assert form.body.layout.display == "none" and form.partner.value == ""
    assert "Robin's words" not in everything_shown(form) and "passion" not in form.partner.value
    form.save_button.click()
    assert store.people() == ["Robin", "Sam"] and store.count() == 2


def test_answers_given_before_a_name_are_kept_for_a_new_person_and_a_new_period(store):
    store.save(make_checkin("Robin", "2026-09-01", passion=2))
    form = form_for(store)
    rate(form, passion=9)
    form.who.value = "Sam"
    assert form.rows["passion"].score.value == 9
    assert "Your answers so far are kept" in form.banner.value
    form.date.value = dt.date(2026, 11, 2)
    assert form.rows["passion"].score.value == 9
    form.date.value = dt.date(2026, 11, 20)  # the same period: nothing reloads
    assert form.rows["passion"].score.value == 9
    form.save_button.click()
    assert store.get("Sam", "2026-11-01").scores["passion"] == 9


def test_a_saved_period_replaces_unsaved_answers_and_says_so(store):
    store.save(make_checkin("Robin", "2026-09-01", passion=2))
    form = form_for(store, person="Robin")
    rate(form, passion=9)
    form.date.value = dt.date(2026, 9, 5)
    assert form.rows["passion"].score.value == 2
    assert "The answers you had not saved were replaced by it." in form.banner.value


def test_the_person_list_grows_after_a_save(store):
    form = form_for(store, person="Alex")
    form.save_button.click()
    assert form.who.options == ("Alex",)


# -- private notes -------------------------------------------------------------------------------


def test_a_saved_note_is_hidden_until_its_writer_asks(store):
    store.save(make_checkin("Robin", note="Felt lonely this month."))
    form = form_for(store, person="Robin")
    assert form.note.value == ""
    assert "Felt lonely" not in everything_shown(form)
    assert form.show_note.layout.display is None
    assert "You saved a private note for this period" in form.note_hint.value
    form.show_note.click()
    assert form.note.value == "Felt lonely this month."
    assert form.show_note.layout.display == "none"


def test_a_hidden_note_is_kept_when_the_box_is_left_empty(store):
    store.save(make_checkin("Robin", note="Felt lonely this month."))
    form = form_for(store, person="Robin")
    rate(form, passion=9)
    form.save_button.click()
    assert store.get("Robin", TODAY).note == "Felt lonely this month."
    assert store.get("Robin", TODAY).scores["passion"] == 9
    assert form.show_note.layout.display is None  # still hidden, still there


def test_typing_over_a_hidden_note_replaces_it_and_showing_it_loses_nothing(store):
    store.save(make_checkin("Robin", note="old words"))
    form = form_for(store, person="Robin")
    form.note.value = "new words"
    assert "What is in the box now will replace it" in form.note_hint.value
    form.show_note.click()
    assert form.note.value == "old words\n\nnew words"
    form.save_button.click()
    assert store.get("Robin", TODAY).note == "old words\n\nnew words"
    assert store.history("Robin", TODAY)[0].checkin.note == "old words"


def test_notes_never_pass_between_partners(store):
    store.save(make_checkin("Robin", note="Robin's secret"))
    store.save(make_checkin("Sam", note="Sam's secret"))
    form = form_for(store, person="Sam")
    form.show_note.click()
    assert form.note.value == "Sam's secret"

    form.who.value = "Robin"
    assert form.note.value == ""
    assert "Sam's secret" not in everything_shown(form)
    assert "Robin's secret" not in everything_shown(form)
    form.show_note.click()
    assert form.note.value == "Robin's secret"
    assert "Robin's secret" in everything_shown(form)  # the check below can see a note
    assert "Sam's secret" not in everything_shown(form)

    form.who.value = "Alex"  # a third name: refused, and nothing of anyone is shown
    assert form.note.value == ""
    assert "secret" not in everything_shown(form)
    form.save_button.click()
    assert store.get("Alex", TODAY) is None


def test_a_draft_note_is_emptied_when_the_person_changes_and_the_form_says_why(store):
    form = form_for(store, person="Robin")
    form.note.value = "Something only Robin should read"
    form.who.value = "Sam"
    assert form.note.value == ""
    assert "The note box was emptied because the person changed" in form.message.value
    form.save_button.click()
    assert store.get("Sam", TODAY).note is None


def test_a_draft_note_stays_when_only_the_date_changes(store):
    form = form_for(store, person="Robin")
    form.note.value = "typed for the wrong month"
    form.date.value = dt.date(2026, 9, 30)
    assert form.note.value == "typed for the wrong month"
    form.save_button.click()
    assert store.get("Robin", "2026-09-01").note == "typed for the wrong month"


def test_names_are_shown_as_text_not_markup(store):
    form = form_for(store, person="<b>Robin</b>")
    assert "&lt;b&gt;Robin&lt;/b&gt;" in form.banner.value
    form.save_button.click()
    assert "<b>Robin</b>'s" not in form.message.value


# -- after a save: the comparison and the glance -------------------------------------------------


def test_after_a_save_the_form_compares_with_last_month(store):
    store.save(make_checkin("Robin", "2026-09-01", passion=5, emotional=6, physical=6,
                            intellectual=6, experiential=6, spiritual=6))
    form = form_for(store, person="Robin")
    rate(form, passion=7, emotional=7, physical=7, intellectual=7, experiential=7, spiritual=6)
    form.save_button.click()
    assert ("Compared with September 2026: your intimacy index is 6.8 (up 0.8 from 6.0) "
            "and passion 7.0 (up 2.0 from 5.0).") in form.message.value


def test_without_last_month_the_form_says_there_is_nothing_to_compare_yet(store):
    form = form_for(store, person="Robin")
    form.save_button.click()
    assert "There is nothing from September 2026 to compare with yet" in form.message.value


def test_the_glance_follows_the_form(store):
    store.save(make_checkin("Robin", "2026-09-01", passion=4, note="private"))
    form = form_for(store)
    glance = this_month_at_a_glance(form)
    assert isinstance(glance, w.HTML)
    assert "Pick your name in the form above" in glance.value
    form.who.value = "Robin"
    assert "Robin, September 2026 at a glance" in glance.value
    rate(form, passion=6)
    form.save_button.click()
    assert "Robin, October 2026 at a glance" in glance.value
    assert "September 2026" in glance.value
    assert "+2" in glance.value
    assert "private" not in glance.value
    form.who.value = "Sam"
    assert "Nothing saved yet for Sam" in glance.value


def test_the_glance_rolls_up_daily_check_ins_and_shows_wishes(store):
    for day, passion in ((1, 4), (2, 6)):
        store.save(make_checkin("Sam", f"2026-10-0{day}", cadence="daily", passion=passion))
    store.save(make_checkin("Sam", "2026-09-01", passion=3, desired={"passion": 8}))
    html = this_month_at_a_glance(store=store, person="Sam").value
    assert "Sam, October 2026 at a glance" in html
    assert "the mean of 2 daily check-ins" in html
    assert "+2" in html  # 5 against 3
    assert "You&#x27;d like" not in html and "You'd like" not in html  # no wishes in October
    html = this_month_at_a_glance(store=store, person="Nobody").value
    assert "Nothing saved yet for Nobody" in html


# -- the notebook's way in -----------------------------------------------------------------------


def test_checkin_form_opens_the_store_the_cli_uses(home, monkeypatch, tmp_path):
    chosen = tmp_path / "chosen.db"
    monkeypatch.setenv("REFLECT_DB", str(chosen))
    form = checkin_form(person="Robin", today=TODAY)
    form.no_passphrase.value = True
    form.save_button.click()
    assert Store(chosen).count() == 1
    monkeypatch.delenv("REFLECT_DB")
    form = checkin_form(person="Sam", today=TODAY)
    form.no_passphrase.value = True
    form.save_button.click()
    assert Store(home / "data" / "reflect.db").count() == 1


def test_the_form_needs_no_icons(store):
    """Icons come from a web font fetched from the internet: the form must read well without it."""
    form = form_for(store)
    for widget in every_widget(form.widget):
        assert not getattr(widget, "icon", ""), widget
        assert not any(getattr(widget, "icons", [])), widget


def test_the_form_displays_as_its_widget(store):
    form = form_for(store)
    bundle = form._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == form.widget.model_id


def test_fields_are_named_in_words():
    assert field_words("desired_physical") == "How you'd like physical to be"
    assert field_words("passion") == "Passion"
    assert field_words(None) == "Your check-in"


# -- the reflection notebook ---------------------------------------------------------------------


NOTEBOOK = ROOT / "notebooks" / "monthly_reflection.ipynb"


def test_the_notebook_is_thin_and_saved_clean():
    import ast

    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    for cell in code:
        calls = [n for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Call)]
        assert len(calls) <= 1, f"more than one call in a cell: {cell.source!r}"
        assert "def " not in cell.source and "class " not in cell.source


def test_the_notebook_runs_and_saves_to_the_store_the_cli_would_use(home, monkeypatch, tmp_path):
    """Run it headless, as JupyterLab would, then save through the form it built."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("REFLECT_DB", str(tmp_path / "nb.db"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "form.who.value = 'Robin'\nform.no_passphrase.value = True\nform.rows['passion'].score.value = 8\n"
            "form.save_button.click()\n"
        "print(form.message.value)"))
    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "Saved Robin's monthly check-in" in printed
    with Store(tmp_path / "nb.db") as saved:
        assert saved.checkins()[0].scores["passion"] == 8
