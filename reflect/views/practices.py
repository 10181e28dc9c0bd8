"""The practices in the form: "did we?" and one small thing to try, a yes / not now / no list, repairs
and life events, as ipywidgets over the library.

Each part follows the person the check-in form (:mod:`reflect.views.widgets`) holds, with the
form's sign-in rules: nothing of a person's is loaded, shown or saved before they are signed in,
and every part is cleared when they sign out.

- :class:`AgreementBox` sits in the form, above the save button: for the month of the check-in it
  asks "did we?" about that month's agreements, and offers to write one small thing to try next
  month. Both are saved with the check-in, by the same click.
- :class:`ConsentPanel` sits in the form under the physical dimension, folded away ("Green, yellow,
  red: keep, adjust, pause"): a private list, and what the two of you both said yes to.
- :class:`PracticesPanel` is shown under the form in the reflection notebook: note a repair (own,
  offer, align; private or shared) and mark a life event.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from reflect.analytics.phrases import month_words
from reflect.domain.agreements import ANSWERS, Agreement, AgreementAnswer
from reflect.domain.consent import ANSWERS as CONSENT_ANSWERS
from reflect.domain.consent import NOT_NOW, YES, ConsentList, item_key
from reflect.domain.dimensions import DIMENSIONS
from reflect.domain.lifeevents import KIND_LABELS, LifeEvent
from reflect.domain.months import add_months, month_start
from reflect.domain.repairs import STEP_WORDS, Repair
from reflect.errors import ReflectError, ValidationError
from reflect.storage.store import Store
from reflect.views.layout import fits, wrapping_row

_GREY = "color: var(--jp-ui-font-color2, #666);"
_ERROR = "color: var(--jp-error-color1, #b71c1c);"
_OK = "color: var(--jp-success-color1, #1b5e20);"
_WIDE = {"description_width": "110px"}
#: The parts' headings are h3 (under the form's h2, or the notebook's), at the size they always had.
_H = "font-size:1em;"


def _p(text: str, style: str = "") -> str:
    return f"<p style='margin:2px 0;line-height:1.45;{style}'>{text}</p>" if text else ""


def _e(text: Any) -> str:
    return html.escape(str(text))



def _sentence(error: Exception) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _not_saved(error: Exception) -> str:
    """The error as a sentence that says, once, that nothing was saved."""
    text = _sentence(error)
    return text if "nothing was saved" in text.lower() else text + " Nothing was saved."


def _show(widget: w.DOMWidget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


# -- "did we?" and one small thing to try ----------------------------------------------------------


class AgreementBox:
    """In the form: "did we?" for the month's agreements, and one small thing for the next month."""

    def __init__(self, store: Store, *, today: dt.date | None = None, touch: Callable[[], None] | None = None):
        self.store = store
        self.today = today or dt.date.today()
        self._touch = touch or (lambda: None)
        self.person = ""
        self.month: str | None = None
        self._answers: dict[tuple[str, int], w.ToggleButtons] = {}
        self.heading = w.HTML()
        self.did_we = w.VBox()
        self.next_words = w.HTML()
        self.next_text = w.Text(placeholder="One small thing we'll try (a few words)", description="We'll try",
                                style=_WIDE, layout=w.Layout(width="100%", max_width="720px"))
        # "" is "none" (a dropdown's value None would show an empty box)
        self.next_dimension = w.Dropdown(options=[("(no dimension)", "")] + [(d.label, d.key) for d in DIMENSIONS],
                                         value="", description="For", style=_WIDE, layout=fits("300px"))
        self.next_ritual = w.Dropdown(options=[("(no ritual)", "")], value="", description="Ritual",
                                      style={"description_width": "initial"}, layout=fits("260px"))
        self.next_text.observe(lambda _c: self._touch(), "value")
        self._loaded_next: tuple[str, str | None, str | None] | None = None
        self.widget = w.VBox([self.heading, self.did_we, self.next_words, self.next_text,
                              w.HBox([self.next_dimension, self.next_ritual], layout=wrapping_row())],
                             layout=w.Layout(margin="10px 0 4px 0", display="none"))
        self.widget.add_class("reflect-agreements")

    @property
    def next_month(self) -> str | None:
        return add_months(self.month, 1) if self.month else None

    def show_for(self, person: str | None, month: str | None) -> None:
        """Ask ``person`` (signed in, or without a passphrase) about ``month``; ``None``: hide and clear."""
        self.person, self.month = person or "", month
        self._answers.clear()
        self.did_we.children = ()
        self.next_text.value = ""
        self._loaded_next = None
        if not person or not month:
            _show(self.widget, False)
            return
        _show(self.widget, True)
        kinds = self.store.ritual_kinds()
        self.next_ritual.options = [("(no ritual)", "")] + [(k.label, k.key) for k in kinds.values()]
        agreed = self.store.agreements(month=month)
        given = {(a.month, a.number): a.answer for a in self.store.agreement_answers(month=month)
                 if a.person == person}
        rows = []
        for a in agreed:
            buttons = w.ToggleButtons(options=[(label, label) for label in ANSWERS], value=given.get(a.key),
                                      tooltip=f"Did we? {a.text}",  # the buttons' name, for a screen reader
                                      style={"button_width": "80px"})
            buttons.observe(lambda _c: self._touch(), "value")
            self._answers[a.key] = buttons
            rows.append(w.VBox([w.HTML(_p(f"\u201c{_e(a.text)}\u201d")), buttons],
                               layout=w.Layout(margin="0 0 6px 118px")))
        if agreed and month_start(month) <= self.today:
            self.heading.value = (f"<h3 style='{_H}margin:6px 0 2px 0'>Did we?</h3>"
                                  + _p(f"For {_e(month_words(month))}, you agreed to try:", _GREY))
            self.did_we.children = tuple(rows)
        else:
            self.heading.value = ""
        nxt = self.next_month
        assert nxt is not None
        existing = next(iter(self.store.agreements(month=nxt)), None)
        self.next_words.value = (f"<h3 style='{_H}margin:8px 0 2px 0'>One small thing we'll try</h3>"
                                 + _p(f"For {_e(month_words(nxt))}: one small, low-stress change for the two of "
                                      "you (it belongs to you both; leave it empty if not now).", _GREY))
        if existing is not None:
            self.next_text.value = existing.text
            self.next_dimension.value = existing.dimension or ""
            self.next_ritual.value = existing.ritual if existing.ritual in kinds else ""
            self._loaded_next = (existing.text, existing.dimension, existing.ritual)
        else:
            self.next_dimension.value = ""
            self.next_ritual.value = ""

    def build(self) -> tuple[list[AgreementAnswer], Agreement | None]:
        """What the box holds, validated (raises ValidationError): the answers given, and the next
        month's agreement if it was written or changed."""
        if not self.person or not self.month:
            return [], None
        answers = [AgreementAnswer.create(month=m, number=n, person=self.person, answer=b.value, today=self.today)
                   for (m, n), b in self._answers.items() if b.value is not None]
        text = self.next_text.value.strip()
        nxt = self.next_month
        agreement = None
        chosen = (text, self.next_dimension.value or None, self.next_ritual.value or None)
        if text and nxt and chosen != self._loaded_next:
            agreement = Agreement.create(month=nxt, number=1, text=text, dimension=chosen[1], ritual=chosen[2],
                                         today=self.today)
        return answers, agreement

    def save(self, answers: list[AgreementAnswer], agreement: Agreement | None) -> str:
        """Save what :meth:`build` returned; a sentence saying what was saved ("" for nothing)."""
        said = []
        if answers:
            self.store.save_agreements([], answers, source="form")
            said.append("your \u201cdid we?\u201d")
        if agreement is not None:
            self.store.save_agreement(agreement, source="form")
            self._loaded_next = (agreement.text, agreement.dimension, agreement.ritual)
            said.append(f"one small thing for {month_words(agreement.month)}")
        return ("Saved " + " and ".join(said) + ".") if said else ""


# -- yes / not now / no ------------------------------------------------------------------------------


class ConsentPanel:
    """A person's private yes / not now / no list, and what both partners said yes to; folded away
    under the physical dimension of the form until the person opens it."""

    def __init__(self, store: Store, *, touch: Callable[[], None] | None = None):
        self.store = store
        self._touch = touch or (lambda: None)
        self.person = ""
        self.toggle = w.ToggleButton(value=False, description="My yes / not now / no list",
                                     tooltip="Green, yellow, red: keep, adjust, pause. Private to you.",
                                     layout=w.Layout(width="auto", min_width="210px"))
        self.hint = w.HTML(_p("Green, yellow, red: keep, adjust, pause. If you like, keep a private yes / not now / "
                              "no list of things to do together, at your own pace.", _GREY),
                           layout=w.Layout(max_width="470px"))
        self.intro = w.HTML()
        self.rows = w.VBox()
        self.answers: dict[str, w.ToggleButtons] = {}
        self.new_item = w.Text(placeholder="Something of your own to add to the list (both of you see the item)",
                               layout=fits("460px"))
        self.add_button = w.Button(description="Add it", layout=w.Layout(width="auto"))
        self.show_not_now = w.Checkbox(
            value=False, indent=False, layout=w.Layout(width="auto"),
            description="Show my \u201cnot now\u201d to my partner (only if they show theirs)")
        self.save_button = w.Button(description="Save my list", button_style="primary", layout=w.Layout(width="auto"))
        self.message = w.HTML()
        self.shared = w.HTML()
        self.body = w.VBox([self.intro, self.rows, w.HBox([self.new_item, self.add_button], layout=wrapping_row()),
                            self.show_not_now, self.save_button, self.message, self.shared],
                           layout=w.Layout(display="none", margin="4px 0 8px 0", padding="6px 10px",
                                           border="1px solid var(--jp-border-color2, #ddd)"))
        self.body.add_class("reflect-consent")
        self.widget = w.VBox([w.HBox([self.hint, self.toggle], layout=wrapping_row()), self.body],
                             layout=w.Layout(margin="0 0 0 118px", display="none"))
        self.widget.add_class("reflect-consent-link")
        self.toggle.observe(self._on_toggle, "value")
        self.add_button.on_click(self._add_item)
        self.save_button.on_click(self._save)
        for control in (self.new_item, self.show_not_now):
            control.observe(lambda _c: self._touch(), "value")

    def show_for(self, person: str | None) -> None:
        """Offer the list to ``person`` (signed in, or without a passphrase); ``None``: hide, clear."""
        self.person = person or ""
        self.toggle.value = False
        self.answers.clear()
        self.rows.children = ()
        self.message.value = self.shared.value = self.intro.value = ""
        self.new_item.value = ""
        self.show_not_now.value = False
        _show(self.widget, bool(person))
        _show(self.body, False)

    def _on_toggle(self, change: dict[str, Any]) -> None:
        self._touch()
        if change["new"] and self.person:
            self._load()
        elif not change["new"]:
            self.answers.clear()
            self.rows.children = ()
            self.message.value = self.shared.value = ""
        _show(self.body, bool(change["new"] and self.person))

    def _load(self) -> None:
        person = self.person
        try:
            mine = self.store.consent_list(person)
        except ReflectError as exc:
            self.message.value = _p(_e(_sentence(exc)), _ERROR)
            return
        given = {item_key(i): a for i, a in (mine.answers.items() if mine else [])}
        self.show_not_now.value = bool(mine and mine.show_not_now)
        rows = []
        self.answers.clear()
        for item in self.store.consent_items():
            buttons = w.ToggleButtons(options=[(a, a) for a in CONSENT_ANSWERS], value=given.get(item_key(item)),
                                      tooltip=item,  # the buttons' name, for a screen reader
                                      style={"button_width": "72px"},
                                      tooltips=["green: keep", "yellow: adjust", "red: pause"])
            buttons.observe(lambda _c: self._touch(), "value")
            self.answers[item] = buttons
            text = w.HTML(f"<div style='width:300px'>{_e(item)}</div>", layout=w.Layout(max_width="100%"))
            rows.append(w.HBox([text, buttons], layout=wrapping_row()))
        self.rows.children = tuple(rows)
        open_words = ("" if self.store.is_protected(person) else
                      " <b>You have no passphrase</b>: anyone who picks your name here can see this list. Choose one "
                      "(above) to keep it yours.")
        self.intro.value = _p(
            f"<b>{_e(person)}, this list is yours.</b> Answer what you like, leave the rest; change it any time. "
            "Your partner never sees your answers: only what you <i>both</i> said yes to (and \u201cnot now\u201d, "
            "if you both choose to show it). A no is never shown." + open_words)
        self._show_shared()

    def _show_shared(self) -> None:
        lines = []
        for view in self.store.consent_shared(self.person):
            if not view.known:
                lines.append(_p(_e(view.why), _GREY))
                continue
            yes = [i for i, s in view.items if s == YES]
            later = [i for i, s in view.items if s == NOT_NOW]
            lines.append(_p(f"<b>What you and {_e(view.partner)} both said yes to:</b> "
                            + (_e("; ".join(yes)) if yes else "nothing yet, and that is fine.")))
            if later:
                lines.append(_p(f"Not now, for now: {_e('; '.join(later))}.", _GREY))
        self.shared.value = "".join(lines)

    def _add_item(self, _button: Any = None) -> None:
        self._touch()
        try:
            self.store.add_consent_item(self.new_item.value, source="form")
        except ValidationError as exc:
            self.message.value = _p(_e(_sentence(exc)), _ERROR)
            return
        kept = {item: b.value for item, b in self.answers.items()}
        self.new_item.value = ""
        self._load()
        for item, value in kept.items():  # answers not saved yet stay as they were
            if item in self.answers:
                self.answers[item].value = value

    def build(self) -> ConsentList:
        return ConsentList.create(person=self.person, answers={i: b.value for i, b in self.answers.items()},
                                  show_not_now=self.show_not_now.value)

    def _save(self, _button: Any = None) -> None:
        self._touch()
        try:
            status = self.store.save_consent(self.build(), source="form")
        except ReflectError as exc:
            self.message.value = _p(_e(_not_saved(exc)), _ERROR)
            return
        said = "Nothing changed in your list." if status == "unchanged" else "Saved your list; it stays yours."
        self.message.value = _p(f"<b>{said}</b>", _OK)
        self._show_shared()


# -- repairs and life events -------------------------------------------------------------------------


class PracticesPanel:
    """Under the form: note a repair (the form's person, signed in) and mark a life event."""

    def __init__(self, form: Any, *, today: dt.date | None = None):
        self.form = form
        self.store: Store = form.store
        self._today = today or dt.date.today()
        self.person = ""
        self.who = w.HTML()
        self.repair_day = w.DatePicker(value=self._today, description="We repaired", style=_WIDE)
        self.happened = w.DatePicker(value=self._today, description="It happened", style=_WIDE)
        self.topic = w.Text(placeholder="What it was about, in a few words", description="Topic", style=_WIDE,
                            layout=fits("460px"))
        self.steps = {step: w.Textarea(placeholder=words, description=step.capitalize(), style=_WIDE,
                                       rows=2, layout=w.Layout(width="100%", max_width="720px"))
                      for step, words in STEP_WORDS.items()}
        self.repair_shared = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto", margin="0 0 0 118px"),
                                        description="Share this repair with my partner")
        self.repair_button = w.Button(description="Save this repair", button_style="primary",
                                      layout=w.Layout(width="auto", margin="4px 0 4px 118px"))
        self.repair_message = w.HTML()
        self.repair_notes = w.HTML()
        self.repair_box = w.VBox([self.who, self.repair_day, self.happened, self.topic, *self.steps.values(),
                                  self.repair_shared, self.repair_button, self.repair_message, self.repair_notes])
        self.repair_box.add_class("reflect-repair")
        self.locked = w.HTML()
        self.event_day = w.DatePicker(value=self._today, description="When", style=_WIDE)
        self.event_kind = w.Dropdown(options=[(label, key) for key, label in KIND_LABELS.items()], value="other",
                                     description="What", style=_WIDE)
        self.event_words = w.Text(placeholder="A few words (a move, a birth, a new job...)",
                                  description="In a few words", style=_WIDE, layout=fits("460px"))
        self.event_button = w.Button(description="Mark it", layout=w.Layout(width="auto", margin="4px 0 4px 118px"))
        self.event_message = w.HTML()
        self.event_list = w.HTML()
        self.event_box = w.VBox([
            w.HTML(_p("A move, a birth, a new job, an illness, a loss: the charts show it, and the report's words "
                      "take it into account. It belongs to you both.", _GREY)),
            self.event_day, self.event_kind, self.event_words, self.event_button, self.event_message,
            self.event_list])
        self.event_box.add_class("reflect-life-event")
        self.repair_button.on_click(self._save_repair)
        self.event_button.on_click(self._mark_event)
        for control in (self.topic, self.repair_shared, *self.steps.values(), self.event_words):
            control.observe(lambda _c: self._touch(), "value")
        self.widget = w.VBox([
            w.HTML(f"<h3 style='{_H}margin:6px 0 2px 0'>After a rupture: a repair</h3>"
                   + _p("All couples rupture; repairing early, gently and often is a strength. Own it, offer, "
                        "align: note it privately, or share it. Reports count repairs and say how soon they "
                        "came, never what you wrote.", _GREY)),
            self.locked, self.repair_box,
            w.HTML(f"<h3 style='{_H}margin:14px 0 2px 0'>A life event</h3>"), self.event_box,
        ], layout=w.Layout(max_width="860px"))
        self.widget.add_class("reflect-practices")
        form.on_saved(lambda _result: self.follow())
        self.follow()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _touch(self) -> None:
        self.form.touch()

    def catch_up(self, today: dt.date | None = None) -> None:
        """Bring a panel built ahead of its visitor (``reflect app`` keeps pages ready) up to the calendar
        and the store as they are now: the days it starts at (where nobody moved them), the life events,
        and the form's person (see :meth:`reflect.views.widgets.CheckInForm.catch_up`)."""
        was, self._today = self._today, today or dt.date.today()
        for picker in (self.repair_day, self.happened, self.event_day):
            if picker.value == was:
                picker.value = self._today
        self.follow()

    def follow(self) -> None:
        """Follow the form: its person, if signed in (or without a passphrase); cleared otherwise."""
        person = self.form.person
        ready = bool(person) and self.store.person(person) is not None and (
            not self.store.is_protected(person) or person in self.store.signed_in)
        if person != self.person or not ready:
            for box in (self.topic, *self.steps.values()):
                box.value = ""
            self.repair_shared.value = False
            self.repair_message.value = ""
        self.person = person if ready else ""
        _show(self.repair_box, ready)
        self.locked.value = "" if ready else _p(
            "Pick your name in the form above (and sign in, if you have a passphrase) to note a repair.", _GREY)
        self.who.value = _p(f"<b>{_e(person)}</b>, your repair:") if ready else ""
        self.repair_notes.value = self._repair_notes() if ready else ""
        self._list_events()

    def _repair_notes(self) -> str:
        person = self.person
        lines = []
        recurring = [(t, n) for t, n in self.store.repair_topics(person) if n >= 2]
        if recurring:
            lines.append(_p("Topics that came back in your repairs (only you see this): "
                            + _e("; ".join(f"{t} ({n})" for t, n in recurring[:5])) + ".", _GREY))
        shared = [r for r in self.store.repairs(person) if r.person != person and r.body is not None]
        for r in shared[-3:]:
            align = f"; agreed: {_e(r.body.align)}" if r.body and r.body.align else ""
            lines.append(_p(f"{_e(r.person)} shared a repair of {r.day:%d %B}: {_e(r.body.topic if r.body else '')}"
                            f"{align}.", _GREY))
        return "".join(lines)

    def _save_repair(self, _button: Any = None) -> None:
        self._touch()
        person = self.person
        if not person:
            return
        try:
            day = self.repair_day.value or self._today
            repair = Repair.create(person=person, day=day, happened=self.happened.value, topic=self.topic.value,
                                   own=self.steps["own"].value, offer=self.steps["offer"].value,
                                   align=self.steps["align"].value, shared=self.repair_shared.value, today=self._today)
            status, repair = self.store.add_repair(repair, source="form")  # the same words twice: noted once
        except ReflectError as exc:
            self.repair_message.value = _p(_e(_sentence(exc)) + " Nothing was saved; your words are still here.",
                                           _ERROR)
            return
        for box in (self.topic, *self.steps.values()):
            box.value = ""
        self.repair_shared.value = False
        soon = "the same day" if repair.days_to_repair == 0 else f"{repair.days_to_repair} days after"
        said = "Saved your repair" if status != "unchanged" else "This repair was already noted, as it is"
        self.repair_message.value = _p(f"<b>{said} ({soon}{', shared' if repair.shared else ''}).</b> "
                                       "Coming back to each other is a strength.", _OK)
        self.repair_notes.value = self._repair_notes()

    def _mark_event(self, _button: Any = None) -> None:
        self._touch()
        try:
            event = LifeEvent.create(day=self.event_day.value or self._today, kind=self.event_kind.value,
                                     words=self.event_words.value, today=self._today)
            status = self.store.mark_event(event, source="form")
        except ReflectError as exc:
            self.event_message.value = _p(_e(_not_saved(exc)), _ERROR)
            return
        self.event_words.value = ""
        self.event_message.value = _p(f"<b>{'Marked' if status == 'added' else 'Updated'}: {_e(event.words)}, "
                                      f"{event.day:%d %B %Y}.</b> The charts show it from now on.", _OK)
        self._list_events()

    def _list_events(self) -> None:
        events = self.store.life_events()[-5:]
        self.event_list.value = (_p("Marked so far: " + _e("; ".join(f"{e.words} ({e.day:%B %Y})" for e in events))
                                    + ".", _GREY) if events else "")


def practices_panel(form: Any) -> PracticesPanel:
    """Repairs and life events, under the check-in ``form`` (following its person)."""
    return PracticesPanel(form)


__all__ = ["AgreementBox", "ConsentPanel", "PracticesPanel", "practices_panel"]
