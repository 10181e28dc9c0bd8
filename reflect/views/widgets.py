"""The check-in form: ipywidgets composed over the library, for the reflection notebook and ``reflect app``.

>>> from reflect.storage.store import Store
>>> form = CheckInForm(Store(":memory:"), today=dt.date(2026, 10, 17))
>>> form.who.value = "Robin"
>>> form.rows["passion"].score.value = 7
>>> form.save_button.click()
>>> form.store.get("Robin", "2026-10-01").scores["passion"]
7

Everything the form does goes through :class:`reflect.domain.checkin.CheckIn` (validation) and
:class:`reflect.storage.store.Store` (saving, history); the form only arranges it:

- who (an existing name, or a new one), the rhythm, the date, then passion and the five dimensions
  of intimacy, each with "how it is" and, when asked for, "how I'd like it to be", and a note;
- when the person already saved a check-in for that period, the form loads it and says that saving
  will update it (the earlier version stays in history); a new period starts from the person's
  previous check-in of the same rhythm;
- a save that the library refuses shows what was wrong, in words, and writes nothing;
- above the save button, "did we?" about the month's agreements and one small thing to try next
  month (:class:`~reflect.views.practices.AgreementBox`), saved with the check-in; under the physical
  dimension, folded away, the person's private yes / not now / no list
  (:class:`~reflect.views.practices.ConsentPanel`);
- under the name, once someone is signed in, **Practices to do together**: the practice cards, each
  with its steps and timer, and "We did it" (:class:`~reflect.views.cards.PracticeCards`);
- a private note is only ever read for the person selected, and only when they ask to see it;
  changing the person empties the note box;
- each person may have a passphrase (:meth:`reflect.storage.store.Store.sign_in`): choosing a protected name
  asks for it before anything of theirs is loaded, shown or saved; the form signs them out after a
  save and after :attr:`CheckInForm.idle_minutes` idle, and clears every field. A new name chooses a
  passphrase, or explicitly none. A partner's answers for a period not over yet stay sealed until the
  person has given their own (the form says so), and a shared note shows like the scores.

The form holds no buttons with icons (icons come from a web font that is not there offline).
"""

from __future__ import annotations

import datetime as dt
import html
import threading
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from reflect.analytics.glance import at_a_glance, comparison_line, glance_html, period_label
from reflect.domain.checkin import CheckIn, month_of, parse_person, period_start
from reflect.domain.dimensions import BY_KEY, CADENCES, DEFAULT_CADENCE, DIMENSIONS, MAX_SCORE, MIN_SCORE, Dimension
from reflect.errors import NotSignedIn, ReflectError, SignInDelayed, ValidationError, WrongPassphrase
from reflect.storage.keys import check_new_passphrase
from reflect.storage.reminders import next_reflection_line
from reflect.storage.store import PartnerView, SaveResult, Store, passphrases_required_here, reset_words
from reflect.system.paths import resolve_store_path
from reflect.system.signin_deadline import mark_signed_in
from reflect.views.appreciations import AppreciationBox
from reflect.views.cards import PracticeCards
from reflect.views.layout import fits, wrapping_row
from reflect.views.practices import AgreementBox, ConsentPanel
from reflect.views.questions import QuestionBox
from reflect.views.weighing import WeighingRow

#: Minutes without a touch after which a signed-in person is signed out.
IDLE_MINUTES = 5.0

#: Where a brand-new person's sliders start.
DEFAULT_SCORE = 5

CADENCE_LABELS = {"monthly": "Monthly", "weekly": "Weekly", "daily": "Daily"}

_GREY = "color: var(--jp-ui-font-color2, #666);"
_ERROR = "color: var(--jp-error-color1, #b71c1c);"
_OK = "color: var(--jp-success-color1, #1b5e20);"


def field_words(field: str | None) -> str:
    """What a form field is called, for messages: ``desired_physical`` -> "How you'd like physical to be"."""
    if field is None:
        return "Your check-in"
    if field in BY_KEY:
        return BY_KEY[field].label
    if field.startswith("desired_") and field[8:] in BY_KEY:
        return f"How you'd like {BY_KEY[field[8:]].label.lower()} to be"
    return {"person": "Your name", "date": "The date", "cadence": "The rhythm", "note": "The note",
            "passphrase": "Your passphrase", "weighing": "How life is weighing"}.get(
        field, field
    )


def _p(text: str, style: str = "") -> str:
    return f"<p style='margin:2px 0;line-height:1.45;{style}'>{text}</p>" if text else ""


def _side_label(text: str) -> w.HTML:
    """A label in the same column, and the same look, as the descriptions of the other fields."""
    return w.HTML(
        f"<div style='text-align:right;padding-right:8px'>{html.escape(text)}</div>",
        layout=fits("110px", min_width="110px"),
    ).add_class("reflect-side-label")


class DimensionRow:
    """One dimension: its label and description, "how it is", and an optional "how I'd like it to be"."""

    def __init__(self, dimension: Dimension):
        self.dimension = dimension
        self.title = w.HTML(
            f"<b>{html.escape(dimension.label)}</b> "
            f"<span style='{_GREY}'>{html.escape(dimension.description)}</span>"
        )
        # a slider's tooltip is its full name, which the app gives its handle for a screen reader
        # ("Passion: how it is", not "slider 7"; ipywidgets leaves the handle unnamed)
        self.score = w.IntSlider(
            value=DEFAULT_SCORE, min=MIN_SCORE, max=MAX_SCORE, step=1, description="How it is",
            tooltip=f"{dimension.label}: how it is",
            style={"description_width": "110px"}, layout=fits("330px"),
        )
        self.wish = w.Checkbox(
            value=False, description="Add how I'd like it to be", indent=False, layout=w.Layout(width="auto"),
        )
        self.desired = w.IntSlider(
            value=DEFAULT_SCORE, min=MIN_SCORE, max=MAX_SCORE, step=1, description="I'd like it to be",
            tooltip=f"{dimension.label}: how I'd like it to be",
            style={"description_width": "110px"}, layout=fits("330px", display="none"),
        )
        self.wish.observe(self._show_desired, "value")
        self.box = w.VBox(
            [self.title, w.HBox([self.score, self.wish, self.desired],
                                layout=wrapping_row())],
            layout=w.Layout(margin="0 0 8px 0"),
        )
        self.box.add_class(f"reflect-dimension-{dimension.key}")

    def _show_desired(self, change: dict[str, Any]) -> None:
        self.desired.layout.display = None if change["new"] else "none"

    def set(self, score: int, desired: int | None) -> None:
        self.score.value = score
        self.wish.value = desired is not None
        self.desired.value = desired if desired is not None else score

    @property
    def desired_value(self) -> int | None:
        """The desired level, or None when the person did not give one."""
        return self.desired.value if self.wish.value else None


class CheckInForm:
    """The check-in form over ``store``. Display it in a notebook; ``.widget`` is the whole form.

    ``on_saved(callback)`` registers ``callback(result)`` to run after every save (the glance uses it).
    """

    def __init__(self, store: Store, *, today: dt.date | None = None, person: str | None = None):
        self.store = store
        self.last_result: SaveResult | None = None
        self._today = today or dt.date.today()
        self._listeners: list[Callable[[SaveResult | None], None]] = []
        self._loading = False
        self._loaded_key: tuple[str, str, dt.date] | None = None  # (person, cadence, period start)
        self._person = ""  # the person the form currently holds
        self._saved_note: str | None = None  # the loaded check-in's note, not yet shown
        self._note_from_store = ""  # the text put into the note box from the store
        self._touched = False  # sliders moved by the person since the form was last filled
        self.idle_minutes = IDLE_MINUTES
        self._last_touch = time.monotonic()
        self._idle_timer: threading.Timer | None = None

        self.who = w.Combobox(
            options=store.people(), value="",
            # on the home network nobody new is made: the page offers only the names it knows
            placeholder="Pick your name" if store.passphrases_required else "Pick your name, or type a new one",
            description="Who", ensure_option=False, continuous_update=False,
            style={"description_width": "110px"}, layout=fits("360px"),
        )
        self.cadence = w.ToggleButtons(
            options=[(CADENCE_LABELS[c], c) for c in CADENCES], value=DEFAULT_CADENCE,
            tooltips=["Your monthly reflection", "A weekly check-in", "A quick daily check-in"],
            tooltip="Rhythm",  # the buttons' name as a group, for a screen reader (shown beside them: "Rhythm")
            style={"button_width": "90px"},
        )
        self.date = w.DatePicker(
            value=self._today, description="Date", style={"description_width": "110px"},
        )
        self.period = w.HTML()
        self.banner = w.HTML()
        self.rows = {d.key: DimensionRow(d) for d in DIMENSIONS}
        # the practices: the guides' "green, yellow, red" by the physical dimension, and "did we?"
        self.consent = ConsentPanel(store, touch=self.touch)  # shown just under the physical dimension
        self.agreements = AgreementBox(store, today=self._today, touch=self.touch)
        # how life is weighing (optional, apart from the scores), and one line for the partner
        self.weighing = WeighingRow(touch=self.touch)
        self.appreciation = AppreciationBox(store, touch=self.touch)
        # this week's question, answered in words (its own save), at the top of the answers
        self.question = QuestionBox(store, today=self._today, touch=self.touch)
        # the practice cards: open one, follow it, "We did it" (three taps from the form)
        self.cards = PracticeCards(store, today=today, touch=self.touch)
        self.note = w.Textarea(
            value="", placeholder="Anything on your heart? Only you see your note here, and reports leave it out.",
            description="My note", style={"description_width": "110px"},
            rows=4, layout=w.Layout(width="100%", max_width="720px"),
        )
        self.show_note = w.Button(description="Show my note", layout=w.Layout(display="none", width="auto"))
        self.note_hint = w.HTML()
        self.share = w.Checkbox(
            value=False, description="Share this note with my partner (they see it once you have both answered)",
            indent=False, layout=w.Layout(width="auto", margin="0 0 0 118px"),
        )
        # Signing in: a protected person's passphrase, before anything of theirs is shown.
        wide = {"description_width": "110px"}
        self.passphrase = w.Password(description="Passphrase", placeholder="Your passphrase", style=wide,
                                     layout=fits("360px"))
        self.sign_in_button = w.Button(description="Sign in", button_style="primary", layout=fits("120px"))
        self.sign_in_message = w.HTML()
        self.sign_in_box = w.VBox(
            [w.HBox([self.passphrase, self.sign_in_button], layout=wrapping_row()),
             self.sign_in_message],
            layout=w.Layout(display="none"))
        self.sign_in_box.add_class("reflect-sign-in")
        # Choosing a passphrase: a new person, or someone who has none yet.
        self.new_passphrase = w.Password(description="Passphrase", placeholder="Choose one (a few words)",
                                         style=wide, layout=fits("360px"))
        self.new_passphrase_again = w.Password(description="Again", placeholder="Type it again",
                                               style=wide, layout=fits("360px"))
        self.no_passphrase = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto", margin="0 0 0 118px"),
                                        description="No passphrase for me")
        self.protect_button = w.Button(description="Protect my answers", layout=w.Layout(width="auto",
                                                                                        margin="0 0 0 118px"))
        self.setup_words = w.HTML()
        self.setup_box = w.VBox(
            [self.setup_words, self.new_passphrase, self.new_passphrase_again, self.no_passphrase,
             self.protect_button],
            layout=w.Layout(display="none"))
        self.setup_box.add_class("reflect-passphrase-setup")
        self.partner = w.HTML()
        self.sign_out_button = w.Button(description="Sign out", layout=w.Layout(display="none", width="auto"))
        self.save_button = w.Button(
            description="Save my check-in", button_style="success",
            layout=fits("200px", align_self="flex-start", margin="8px 0 4px 118px"),
        )
        self.message = w.HTML()
        # After a save by a person with a passphrase: they see what they saved (and the partner's
        # answers, if the save just unsealed them), then "Done" signs them out (or the idle clock does).
        self.done_button = w.Button(description="Done: sign me out", button_style="primary",
                                    layout=w.Layout(display="none", width="auto", margin="4px 0 4px 118px"))
        self.done_button.add_class("reflect-done")
        # Ticking "No passphrase for me" says what it means, just above the button that acts on it.
        self.no_passphrase_warning = w.HTML(layout=w.Layout(display="none"))
        # "Your next reflection: Sunday 27 December, 20:00", once `reflect remind` has set reminders
        upcoming = next_reflection_line(store.path)
        self.upcoming = w.HTML(_p(html.escape(upcoming) + ".", _GREY) if upcoming else "")
        self.upcoming.add_class("reflect-next-reflection")
        self.where = w.HTML(_p(where_kept(store), _GREY + "font-size:90%;") if store.path is not None else "")

        for row in self.rows.values():
            for control in (row.score, row.desired, row.wish):
                control.observe(self._on_answer, "value")
        self.who.observe(self._on_person, "value")
        self.cadence.observe(self._on_period, "value")
        self.date.observe(self._on_period, "value")
        self.note.observe(self._on_note, "value")
        self.show_note.on_click(self._reveal_note)
        self.save_button.on_click(self._save)
        self.sign_in_button.on_click(self._sign_in)
        self.protect_button.on_click(self._protect)
        self.sign_out_button.on_click(lambda _b: self.sign_out(reason="asked"))
        self.done_button.on_click(lambda _b: self.sign_out(reason="done"))
        self.no_passphrase.observe(self._on_no_passphrase, "value")
        for control in (self.note, self.share, self.cadence, self.date, self.passphrase, self.new_passphrase):
            control.observe(self._touch_activity, "value")
        for row in self.rows.values():
            row.score.observe(self._touch_activity, "value")

        intro = w.HTML(
            "<h2 style='margin:4px 0;font-size:1.17em'>Your check-in</h2>"
            + _p("Take a quiet moment. There are no right answers: rate each one as it feels to you now, "
                 f"from {MIN_SCORE} (hardly there) to {MAX_SCORE} (as good as it gets).", _GREY)
        )
        self.body = w.VBox(
            [
                self.question.widget,
                *(box for row in self.rows.values()
                  for box in ((row.box, self.consent.widget) if row.dimension.key == "physical" else (row.box,))),
                self.weighing.box,
                self.note,
                w.HBox([self.note_hint, self.show_note], layout=wrapping_row()),
                self.share,
                self.agreements.widget,
                self.no_passphrase_warning,
                self.save_button,
            ],
        )
        self.body.add_class("reflect-answers")
        self.widget = w.VBox(
            [
                intro,
                self.upcoming,
                w.HBox([self.who, self.sign_out_button], layout=wrapping_row()),
                self.sign_in_box,
                self.setup_box,
                self.cards.widget,
                w.HBox([_side_label("Rhythm"), self.cadence], layout=wrapping_row()),
                w.HBox([self.date, self.period], layout=wrapping_row()),
                self.banner,
                self.partner,
                self.appreciation.widget,
                self.body,
                self.message,
                self.done_button,
                self.where,
            ],
            layout=w.Layout(max_width="860px"),
        )
        self.widget.add_class("reflect-checkin-form")
        if person:
            self.who.value = person
        else:
            self._reload()

    # -- display -------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def on_saved(self, callback: Callable[[SaveResult | None], None]) -> None:
        """Call ``callback(result)`` after each save, and ``callback(None)`` when the person changes."""
        self._listeners.append(callback)

    # -- built ahead of its visitor ------------------------------------------------------------

    @property
    def today(self) -> dt.date:
        """The day the form is for (the date it starts at, the week's question, the month's agreements)."""
        return self._today

    def catch_up(self, today: dt.date | None = None) -> None:
        """Bring a form built ahead of its visitor (``reflect app`` keeps pages ready) up to the store and
        the calendar as they are now: the people, today's date (where nobody moved it), the month's
        agreements and the week's question (the day they are for), the reminder line, and everything
        that follows the form (:meth:`on_saved` callbacks, called with ``None``). What is shown of a
        person is read when they choose their name, as in a form built on the spot.

        A form built ahead holds nothing of anyone (nobody could choose a name before the page was
        opened); one that holds a person is cleared first, as "Sign out" clears it."""
        if self._person:
            self.sign_out(reason="asked")
            self.message.value = ""
        was, self._today = self._today, today or dt.date.today()
        self.agreements.today = self.question.today = self._today
        self._loading = True
        try:
            self.who.options = self.store.people()
            if self.date.value == was:  # the date nobody moved follows the calendar
                self.date.value = self._today
        finally:
            self._loading = False
        upcoming = next_reflection_line(self.store.path)
        self.upcoming.value = _p(html.escape(upcoming) + ".", _GREY) if upcoming else ""
        self._reload(force=True)
        for callback in self._listeners:
            callback(None)

    @property
    def person(self) -> str:
        """The person the form holds ("" while no valid name is given)."""
        return self._person

    @property
    def access(self) -> str:
        """What the person the form holds may do now (see :meth:`_access`; "nobody" without a name)."""
        return self._access(self._person) if self._person else "nobody"

    # -- loading -------------------------------------------------------------------------------

    def _key(self) -> tuple[str, str, dt.date] | None:
        try:
            name = parse_person(self.who.value)
        except ValidationError:
            return None
        if self.date.value is None:
            return None
        return name, self.cadence.value, period_start(self.date.value, self.cadence.value)

    def _on_answer(self, change: dict[str, Any]) -> None:
        if not self._loading:
            self._touched = True

    def _has_draft_note(self) -> bool:
        return bool(self.note.value.strip()) and self.note.value != self._note_from_store

    def _on_person(self, change: dict[str, Any]) -> None:
        if self._loading:
            return
        if self._person and self._person != str(change.get("new") or "").strip():
            self.store.sign_out(self._person)  # whoever comes next starts signed out
            self._cancel_idle_timer()
        self.done_button.layout.display = "none"
        self.passphrase.value = self.new_passphrase.value = self.new_passphrase_again.value = ""
        self.sign_in_message.value = ""
        dropped = self._has_draft_note()
        # A note belongs to one person: a new person never sees what was in the box.
        self._set_note("")
        # Answers given before any name was chosen are the new person's own: keep them.
        self._reload(force=True, keep_answers=self._touched and not self._person)
        self.message.value = (
            _p("The note box was emptied because the person changed: each note stays with its writer.", _GREY)
            if dropped else ""
        )
        for callback in self._listeners:
            callback(None)

    def _on_period(self, change: dict[str, Any]) -> None:
        if self._loading:
            return
        self.message.value = ""
        self._reload(keep_answers=self._touched)

    def _on_note(self, change: dict[str, Any]) -> None:
        if not self._loading:
            self._update_note_hint()

    def _set_note(self, text: str) -> None:
        self._loading = True
        try:
            self.note.value = text
        finally:
            self._loading = False
        self._note_from_store = text

    def _reload(self, *, force: bool = False, keep_answers: bool = False) -> None:
        """Fill the form for the person and period chosen: their check-in, or their previous values.

        With ``keep_answers``, answers the person gave and has not saved are kept for a new period.
        """
        key = self._key()
        self._person = key[0] if key else ""
        self.period.value = (
            _p(f"This check-in is for <b>{html.escape(period_label(key[1], key[2]))}</b>.", _GREY)
            if key else _p("Choose a date.", _ERROR) if self.date.value is None else ""
        )
        if key is None:
            try:
                parse_person(self.who.value)
                problem = ""
            except ValidationError as exc:
                problem = exc.message if str(self.who.value or "").strip() else ""
            self.banner.value = (
                _p(f"<b>Your name</b>: {html.escape(problem)}.", _ERROR) if problem
                else _p("Start with your name: pick it from the list." if self.store.passphrases_required
                        else "Start with your name: pick it from the list, or type a new one.", _GREY)
            )
            self._loaded_key = None
            self._saved_note = None
            self._show_access("", "nobody")
            self._show_practices(None, None)
            self.partner.value = ""
            self._update_note_hint()
            return
        if key == self._loaded_key and not force:
            return
        person, cadence, start = key
        access = self._access(person)
        self._show_access(person, access)
        if access in ("locked", "closed", "refused"):
            # Nothing of theirs is loaded, shown or saved before they sign in.
            self._fill(None)
            self._set_note("")
            self.share.value = False
            self._saved_note = None
            self._loaded_key = None
            self.partner.value = ""
            self._show_practices(None, None)
            self.banner.value = (
                _p(f"{html.escape(person)}'s check-ins are protected by a passphrase. Sign in to see and "
                   "change them.") if access == "locked"
                else _p(f"<b>Your name</b>: {html.escape(self._refusal(person))}.", _ERROR) if access == "refused"
                else "")
            self._update_note_hint()
            return
        if access == "open":
            self.store.sign_in(person)  # no passphrase: saying who you are is enough
        self._show_practices(person if access != "new" else None, month_of(start))
        if not self._has_draft_note():
            self._set_note("")  # a note shown for another period does not travel with the sliders
        existing = self.store.get(person, start, cadence)
        when = html.escape(period_label(cadence, start))
        name = html.escape(person)
        self.partner.value = self._partner_words(person, cadence, start)
        if existing is not None:
            self._fill(existing)
            self.weighing.set(existing.weighing, existing.weighing_shared)
            self.share.value = existing.note_shared
            self._saved_note = existing.note
            self.banner.value = _p(
                f"You already saved a {cadence} check-in for {when}, {name}. It is loaded below; saving "
                "will update it, and the earlier version stays in your history."
                + (" The answers you had not saved were replaced by it." if keep_answers else "")
            )
        else:
            self._saved_note = None
            self.share.value = False
            previous = self._previous(person, cadence, start)
            if keep_answers:
                self.banner.value = _p(
                    f"A new {cadence} check-in for {when}, {name}. Your answers so far are kept."
                )
            elif previous is not None:
                self._fill(previous)
                self.banner.value = _p(
                    f"A new {cadence} check-in for {when}, {name}. The sliders start where you left them "
                    f"last time ({html.escape(period_label(cadence, previous.period_start))})."
                )
            else:
                self._fill(None)
                first = "first check-in" if not self.store.checkins(person=person) else f"first {cadence} check-in"
                self.banner.value = _p(
                    f"Welcome, {name}: this is your {first}, for {when}. "
                    f"The sliders start at {DEFAULT_SCORE}; move each one to where it feels right."
                )
        self._loaded_key = key
        self._update_note_hint()

    def _previous(self, person: str, cadence: str, start: dt.date) -> CheckIn | None:
        """The person's most recent check-in of this rhythm before the period (else the nearest after)."""
        theirs = self.store.checkins(person=person, cadence=cadence)
        before = [c for c in theirs if c.period_start < start]
        if before:
            return before[-1]
        return theirs[0] if theirs else None

    def _fill(self, checkin: CheckIn | None) -> None:
        """Set the sliders from ``checkin`` (None: the starting values); how life is weighing starts not
        given (a saved check-in's own is set by :meth:`_reload`: last time's does not carry over)."""
        self.weighing.set(None)
        self._loading = True
        try:
            for key, row in self.rows.items():
                if checkin is None:
                    row.set(DEFAULT_SCORE, None)
                else:
                    row.set(checkin.scores[key], checkin.desired.get(key))
        finally:
            self._loading = False
        self._touched = False

    # -- who is at the keyboard ----------------------------------------------------------------

    def _access(self, person: str) -> str:
        """``new`` (a name the store does not know, who may join it), ``refused`` (a name that may not:
        a third person, a near miss of a known name, anyone new on the home network), ``open`` (no
        passphrase), ``closed`` (no passphrase, on the home network), ``locked`` (a passphrase, not
        signed in) or ``signed-in``."""
        known = self.store.person(person)
        if known is None:
            return "refused" if self._refusal(person) else "new"
        if not known.protected:
            return "closed" if self.store.passphrases_required else "open"
        return "signed-in" if person in self.store.signed_in else "locked"

    def _refusal(self, person: str) -> str:
        """Why ``person`` cannot be someone new in this store ("" when they can)."""
        try:
            self.store.check_newcomer(person)
        except ValidationError as exc:
            return exc.message
        except ReflectError as exc:
            return str(exc)
        return ""

    def _show_access(self, person: str, access: str) -> None:
        def show(widget: w.DOMWidget, visible: bool) -> None:
            widget.layout.display = None if visible else "none"

        show(self.sign_in_box, access == "locked")
        show(self.body, access not in ("locked", "closed", "refused"))
        show(self.sign_out_button, access == "signed-in")
        show(self.setup_box, access in ("new", "open", "closed"))
        show(self.no_passphrase, access == "new" and not self.store.passphrases_required)
        show(self.protect_button, access == "open")
        show(self.new_passphrase, access == "open" or (access == "new" and not self.no_passphrase.value))
        show(self.new_passphrase_again, access == "open" or (access == "new" and not self.no_passphrase.value))
        show(self.no_passphrase_warning, access == "new" and self.no_passphrase.value)
        self.no_passphrase_warning.value = _p(
            f"<b>No passphrase for {html.escape(person)}</b>: anyone using the kit can pick your name, see and "
            "change your answers and read your notes. You can choose one later.", _GREY) \
            if access == "new" and self.no_passphrase.value else ""
        name = html.escape(person)
        if access == "closed":
            self.setup_words.value = _p(
                f"{name} has no passphrase, and on the home network the form opens only for people with one. "
                f"Choose one at the computer (<code>reflect person passphrase {name}</code>), then come back.",
                _GREY)
        elif access == "new":
            self.setup_words.value = _p(
                f"<b>Choose a passphrase, {name}</b>, so that only you can see and change your answers and "
                "read your notes; you will give it each time you sign in. Forgotten, your notes cannot be "
                "recovered (your scores stay). On your own, or if you both agree to share this computer "
                "openly, tick <i>No passphrase for me</i>: then anyone using the kit can pick your name, "
                "see your answers, change them and read your notes.")
        elif access == "open":
            known = self.store.person(person)
            chose = known is not None and known.chose_no_passphrase
            self.setup_words.value = _p(
                (f"You chose to have no passphrase, {name}: " if chose else
                 f"{name}, you have no passphrase yet: ")
                + "anyone using the kit can pick your name, see and change your answers and read your notes. "
                "Choose one to keep them yours; your earlier notes are sealed with it.", _GREY)

    def _on_no_passphrase(self, change: dict[str, Any]) -> None:
        if self._person:
            self._show_access(self._person, self._access(self._person))

    def _chosen_passphrase(self) -> str:
        first, again = self.new_passphrase.value, self.new_passphrase_again.value
        check_new_passphrase(first)
        if first != again:
            raise ValidationError("the two passphrases are not the same; type them again", field="passphrase")
        return first

    def _sign_in(self, _button: Any = None) -> None:
        person = self._person
        if not person:
            return
        given = self.passphrase.value
        self.passphrase.value = ""
        try:
            self.store.sign_in(person, given)
        except (WrongPassphrase, SignInDelayed, NotSignedIn) as exc:
            self.sign_in_message.value = _p(html.escape(str(exc)[:1].upper() + str(exc)[1:]) + ".", _ERROR)
            return
        self.sign_in_message.value = ""
        # what the person must be told once (a reset of their passphrase), where they look first
        self.message.value = "".join(_p(f"<b>{html.escape(told)}</b>") for told in self.store.notices(person))
        self._start_idle_timer()
        self._reload(force=True)
        for callback in self._listeners:
            callback(None)

    def _protect(self, _button: Any = None) -> None:
        """Someone without a passphrase chooses one."""
        person = self._person
        try:
            chosen = self._chosen_passphrase()
            self.store.set_passphrase(person, chosen)
        except ReflectError as exc:
            self.message.value = _p(html.escape(_sentence(exc)) + " Nothing was changed.", _ERROR)
            return
        finally:
            self.new_passphrase.value = self.new_passphrase_again.value = ""
        self.message.value = _p(
            f"<b>{html.escape(person)}, your answers are now protected.</b> Your notes, earlier ones too, are "
            "sealed with your passphrase. Copies made before now (backups, exports) still hold the earlier "
            "notes as they were.", _OK)
        self._start_idle_timer()
        self._reload(force=True)

    def sign_out(self, *, reason: str = "asked", said: str = "") -> None:
        """Sign the person out and clear every field, so whoever sits down next sees nothing of theirs."""
        person = self._person
        if person:
            self.store.sign_out(person)
        self._cancel_idle_timer()
        self._loading = True
        try:
            self.who.value = ""
            self.passphrase.value = self.new_passphrase.value = self.new_passphrase_again.value = ""
            self.no_passphrase.value = False
            self.share.value = False
        finally:
            self._loading = False
        self._set_note("")
        self._fill(None)
        self._saved_note = None
        self._loaded_key = None
        self.done_button.layout.display = "none"
        self._reload(force=True)
        words = {
            "saved": "You are signed out, so whoever uses this next sees nothing of yours.",
            "done": "You are signed out, so whoever uses this next sees nothing of yours.",
            "idle": f"{html.escape(person)} was signed out after {self.idle_minutes:g} minutes without a touch, "
                    "and the form was cleared.",
            "asked": f"{html.escape(person)} is signed out; the form was cleared.",
        }
        self.message.value = (said + _p(words.get(reason, ""), _GREY)) if person else ""
        for callback in self._listeners:
            callback(None)

    def _touch_activity(self, change: dict[str, Any] | None = None) -> None:
        self._last_touch = time.monotonic()

    def touch(self) -> None:
        """The person did something (in the form or a practice beside it): the idle clock restarts."""
        self._touch_activity()

    def _show_practices(self, person: str | None, month: str | None) -> None:
        """The practices follow the person the form holds, once they may see their own things."""
        if self.consent.person != (person or ""):
            self.consent.show_for(person)
        if self.question.person != (person or ""):
            self.question.show_for(person)
        if (self.agreements.person, self.agreements.month) != (person or "", month):
            self.agreements.show_for(person, month)
        if self.appreciation.person != (person or ""):
            self.appreciation.show_for(person)  # on signing in: what the partner wrote, once, as new
        if self.cards.person != (person or ""):
            self.cards.show_for(person)

    def _start_idle_timer(self) -> None:
        mark_signed_in()  # someone signed in: on the home network the page is no longer closed for want of it
        self._cancel_idle_timer()
        self._last_touch = time.monotonic()
        timer = threading.Timer(self.idle_minutes * 60, self._idle_tick)
        timer.daemon = True
        self._idle_timer = timer
        timer.start()

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _idle_tick(self) -> None:
        if not self.sign_out_if_idle():
            remaining = self.idle_minutes * 60 - (time.monotonic() - self._last_touch)
            timer = threading.Timer(max(1.0, remaining), self._idle_tick)
            timer.daemon = True
            self._idle_timer = timer
            timer.start()

    def sign_out_if_idle(self, now: float | None = None) -> bool:
        """Sign out a signed-in person untouched for :attr:`idle_minutes` (True if it did)."""
        now = time.monotonic() if now is None else now
        if self._person and self._person in self.store.signed_in and self.store.is_protected(self._person) \
                and now - self._last_touch >= self.idle_minutes * 60:
            self.sign_out(reason="idle")
            return True
        return False

    def _partner_words(self, person: str, cadence: str, start: dt.date) -> str:
        """The partner's answers for the same period, or why they are still sealed: only what the
        store's gate (:meth:`~reflect.storage.store.Store.partner_view`) lets ``person`` see."""
        view = self.store.partner_view(person, cadence, start)
        if view is None:
            return ""  # not signed in as one of the couple: nothing of anyone
        when = html.escape(period_label(cadence, start))
        lines = []
        for event in self.store.people_events():
            if event.event == "passphrase-reset" and event.person in (person, view.partner):  # told to both
                lines.append(_p(f"{html.escape(event.person)}'s passphrase was reset on "
                                f"{html.escape(reset_words(event.at, event.by))}: what was saved before it stays "
                                "sealed.", _GREY))
        name = html.escape(view.partner)
        if not view.answered:
            lines.append(_p(f"{name} has not answered for {when} yet.", _GREY))
        elif view.checkin is None:
            lines.append(_p(f"{name} has answered for {when}; you'll see it once you have given yours.", _GREY))
        else:
            theirs = view.checkin
            line = f"<b>{name}</b>, {when}: {html.escape(scores_line(theirs, they=True))}"
            if theirs.note and theirs.note_shared:
                line += f"<br><i>{name}'s note, shared with you:</i> {html.escape(theirs.note)}"
            if theirs.weighing is not None:
                line += f"<br><i>How life is weighing on {name}, shared with you:</i> {theirs.weighing} of 10"
            lines.append(_p(line))
        return "".join(lines)

    # -- the private note ----------------------------------------------------------------------

    def _update_note_hint(self) -> None:
        hidden = self._saved_note is not None and self._note_from_store != self._saved_note
        self.show_note.layout.display = None if hidden else "none"
        if not hidden:
            self.note_hint.value = ""
        elif self.note.value.strip():
            self.note_hint.value = _p(
                "You saved a note for this period too. What is in the box now will replace it when you save "
                "(the earlier one stays in your history).", _GREY)
        else:
            self.note_hint.value = _p(
                "You saved a private note for this period. It stays hidden until you ask, "
                "and it is kept as it is if you leave the box empty.", _GREY)

    def _reveal_note(self, _button: Any = None) -> None:
        saved = self._saved_note
        if saved is None:
            return
        typed = self.note.value if self._has_draft_note() else ""
        self._set_note(saved)
        if typed:  # keep what was typed, below the saved note: nothing is lost
            self._loading = True
            try:
                self.note.value = f"{saved}\n\n{typed}"
            finally:
                self._loading = False
        self._update_note_hint()

    def _note_to_save(self) -> str | None:
        if self._saved_note is not None and self._note_from_store != self._saved_note and not self.note.value.strip():
            return self._saved_note  # never shown, nothing typed: keep it as it is
        return self.note.value

    # -- saving --------------------------------------------------------------------------------

    def build(self) -> CheckIn:
        """The check-in the form holds, validated by the library (raises ValidationError)."""
        return CheckIn.create(
            person=self.who.value,
            date=self.date.value if self.date.value is not None else "",
            cadence=self.cadence.value,
            scores={k: row.score.value for k, row in self.rows.items()},
            desired={k: row.desired_value for k, row in self.rows.items()},
            note=self._note_to_save(),
            weighing=self.weighing.value,
        )

    def _save(self, _button: Any = None) -> None:
        try:
            checkin = self.build()
            if self._access(checkin.person) == "new":
                chosen = None if self.no_passphrase.value else self._chosen_passphrase()
            answers, agreement = self.agreements.build()  # checked before anything is saved
        except ValidationError as exc:
            self.message.value = _p(
                f"<b>{html.escape(field_words(exc.field))}</b>: {html.escape(exc.message)}. "
                "Nothing was saved; your answers are still here.", _ERROR)
            return
        try:
            if self._access(checkin.person) == "new":
                self.store.add_person(checkin.person, chosen)
                self.new_passphrase.value = self.new_passphrase_again.value = ""
                if chosen is not None:
                    self._start_idle_timer()
            before = self.store.partner_view(checkin.person, checkin.cadence, checkin.period_start)
            result = self.store.save(checkin, source="form", share_note=self.share.value,
                                     share_weighing=self.weighing.share.value)
        except ReflectError as exc:
            self.message.value = _p(
                f"Your check-in could not be saved: {html.escape(str(exc))}. "
                "Your answers are still here; try again in a moment.", _ERROR)
            return
        try:
            practised = self.agreements.save(answers, agreement)
        except ReflectError as exc:
            practised = f"Your check-in is saved, but not your “did we?”: {_sentence(exc)}"
        self.last_result = result
        if self._after_save(result, practised, before):
            for callback in self._listeners:
                callback(result)

    def _after_save(self, result: SaveResult, practised: str = "", before: PartnerView | None = None) -> bool:
        """Say what was saved, how it compares with last time and, when this save unsealed them, the
        partner's answers; a person with a passphrase then signs out with "Done" (or when idle)."""
        c = result.checkin
        when = html.escape(period_label(c.cadence, c.period_start))
        what = f"{html.escape(c.person)}'s {c.cadence} check-in for {when}"
        if result.status == "added":
            said = f"Saved {what}. Thank you for taking the time."
        elif result.status == "updated":
            said = f"Updated {what}; the earlier version is kept in your history."
        elif practised:
            said = f"Your check-in for {when} was already saved as it is."
        else:
            said = f"Nothing changed: {what} already holds these answers."
        if practised:
            said += " " + html.escape(practised)
        if c.person not in self.who.options:
            self._loading = True
            try:
                self.who.options = self.store.people()
            finally:
                self._loading = False
        comparison = html.escape(comparison_line(self.store, c))
        unsealed = ""
        after = self.store.partner_view(c.person, c.cadence, c.period_start)
        if before is not None and before.checkin is None and after is not None and after.checkin is not None:
            theirs, name = after.checkin, html.escape(after.partner)
            unsealed = _p(f"Now that you have both answered: <b>{name}</b>, {when}: "
                          f"{html.escape(scores_line(theirs, they=True))}"
                          + (f"<br><i>{name}'s note, shared with you:</i> {html.escape(theirs.note)}"
                             if theirs.note and theirs.note_shared else ""))
        protected = self.store.is_protected(c.person)
        done = _p("When you are ready, press <b>Done</b>: you are signed out and the form is cleared (after "
                  f"{self.idle_minutes:g} minutes without a touch, that happens by itself).",
                  _GREY) if protected else ""
        self.message.value = (_p(f"<b>{said}</b>", _OK) + _p(html.escape(saved_summary(c))) + _p(comparison)
                              + unsealed + done)
        self.done_button.layout.display = None if protected else "none"
        # The form now holds a saved check-in: show it as such (the note stays as typed).
        self._loaded_key = (c.person, c.cadence, c.period_start)
        self._saved_note = c.note
        self._note_from_store = self.note.value  # empty when a kept note is still hidden
        self._touched = False
        self.banner.value = _p(
            f"This is your saved {c.cadence} check-in for {when}. "
            "Saving again will update it; every version stays in your history.")
        # just unsealed: the partner's answers are in the message, under what was saved; not twice
        self.partner.value = "" if unsealed else self._partner_words(c.person, c.cadence, c.period_start)
        self._update_note_hint()
        return True


def where_kept(store: Store) -> str:
    """Where check-ins are kept, in the form's words: the path at the computer; on a phone (the home
    network), the computer, and no path."""
    if store.passphrases_required:
        return "Check-ins are kept on the computer that runs the kit, never on this phone."
    return f"Check-ins are kept on this machine only, in {html.escape(str(store.path))}."


def scores_line(checkin: CheckIn, *, they: bool = False) -> str:
    """A check-in's scores in one line: "Passion 7, emotional 5, physical 4 (you'd like 8), ..."."""
    parts = []
    for dim in DIMENSIONS:
        part = f"{dim.label.lower()} {checkin.scores[dim.key]}"
        wish = checkin.desired.get(dim.key)
        if wish is not None:
            part += f" ({'they' if they else 'you'}'d like {wish})"
        parts.append(part)
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def saved_summary(checkin: CheckIn) -> str:
    """What a saved check-in holds, in one line, with a word for the note (private, or shared)."""
    weighing = "" if checkin.weighing is None else (
        f" Life weighing on you: {checkin.weighing} of 10"
        + (", shared with your partner." if checkin.weighing_shared else ", yours alone."))
    if not checkin.note:
        return scores_line(checkin) + "." + weighing
    return scores_line(checkin) + ("; and your note, shared with your partner." if checkin.note_shared
                                   else "; and your private note.") + weighing


def _sentence(error: Exception) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def checkin_form(store: Store | None = None, *, person: str | None = None, today: dt.date | None = None) -> CheckInForm:
    """The check-in form, over ``store`` (default: your own store, found as the CLI finds it)."""
    if store is None:  # served on the home network (reflect app --lan): only people with a passphrase act
        store = Store(resolve_store_path(), passphrases_required=passphrases_required_here())
    return CheckInForm(store, person=person, today=today)


def this_month_at_a_glance(
    form: CheckInForm | None = None, *, store: Store | None = None, person: str | None = None
) -> w.HTML:
    """The person's month beside the month before, as a small table (scores only, never notes).

    Given the form, it follows it: it shows the person the form holds and refreshes after each save.
    Otherwise it shows ``person`` in ``store`` (default: your own store) once.
    """
    out = w.HTML()
    out.add_class("reflect-glance")
    if form is None:
        store = store if store is not None else Store(resolve_store_path())
        out.value = glance_html(at_a_glance(store, person) if person else None, person=person)
        return out
    the_form = form

    def refresh(result: SaveResult | None = None) -> None:
        who = the_form.person
        if not who:
            out.value = _p("Pick your name in the form above: your month at a glance appears here.", _GREY)
            return
        if the_form.access not in ("new", "open", "signed-in"):  # nothing of anyone before signing in
            out.value = _p("Sign in above to see your month at a glance here.", _GREY)
            return
        month = result.checkin.month if result is not None else None
        out.value = glance_html(at_a_glance(the_form.store, who, month), person=who)

    the_form.on_saved(refresh)
    refresh()
    return out
