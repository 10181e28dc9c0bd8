"""The question of the week in the form: the question, a box for your answer, and your partner's answer
once you have both answered; below, a quiet choice of "ready for deeper questions?" or "slower, please".

:class:`QuestionBox` follows the person the check-in form (:mod:`reflect.views.widgets`) holds, with
its sign-in rules: nothing is shown before they are signed in (or have no passphrase), and the box is
cleared when they sign out. Everything goes through the store (:mod:`reflect.storage.questions`): the
partner's words reach the box only when the store's gate gives them (both answered), and nobody is
told who asked to slow down.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from reflect.domain.questions import DEPTH_WORDS, week_of
from reflect.errors import ReflectError, ValidationError
from reflect.storage.store import Store
from reflect.views.layout import fits, wrapping_row

_GREY = "color: var(--jp-ui-font-color2, #666);"
_ERROR = "color: var(--jp-error-color1, #b71c1c);"
_OK = "color: var(--jp-success-color1, #1b5e20);"


def _p(text: str, style: str = "") -> str:
    return f"<p style='margin:2px 0;line-height:1.45;{style}'>{text}</p>" if text else ""


def _e(text: Any) -> str:
    return html.escape(str(text))


def _show(widget: w.DOMWidget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


def _sentence(error: Exception) -> str:
    text = str(error)
    text = text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return text if "nothing was saved" in text.lower() else text + " Nothing was saved."


class QuestionBox:
    """In the form: this week's question, the person's answer, and the partner's once both have answered."""

    def __init__(self, store: Store, *, today: dt.date | None = None, touch: Callable[[], None] | None = None):
        self.store = store
        self.today = today or dt.date.today()
        self._touch = touch or (lambda: None)
        self.person = ""
        self.heading = w.HTML("<h3 style='margin:8px 0 2px 0;font-size:1em'>This week\u2019s question</h3>")
        self.question = w.HTML()
        self.question.add_class("reflect-question-text")
        # one line, as the form's other short answers are (a phone's keyboard, under a minute); the
        # command line takes more lines
        self.answer = w.Text(value="", placeholder="A few words are plenty; your partner sees them once you have "
                             "both answered", description="My answer", style={"description_width": "110px"},
                             layout=w.Layout(width="100%", max_width="720px"))
        self.save_button = w.Button(description="Save my answer", button_style="primary",
                                    layout=fits("200px", margin="4px 0 4px 118px"))
        self.message = w.HTML()
        self.partner = w.HTML()
        self.partner.add_class("reflect-question-partner")
        self.depth = w.HTML()
        self.deeper_button = w.Button(description="Ready for deeper questions",
                                      tooltip="Only you see that you asked; the questions go deeper once you "
                                              "have both said so.", layout=w.Layout(width="auto"))
        self.slower_button = w.Button(description="Slower, please",
                                      tooltip="The questions get lighter at once; nobody is told who asked.",
                                      layout=w.Layout(width="auto"))
        self.depth_message = w.HTML()
        self.answer.observe(lambda _c: self._touch(), "value")
        self.save_button.on_click(self._save)
        self.deeper_button.on_click(self._deeper)
        self.slower_button.on_click(self._slower)
        self.widget = w.VBox(
            [self.heading, self.question, self.answer, self.save_button, self.message, self.partner,
             self.depth, w.HBox([self.deeper_button, self.slower_button], layout=wrapping_row()),
             self.depth_message],
            layout=w.Layout(display="none", margin="4px 0 10px 0", padding="4px 10px",
                            border="1px solid var(--jp-border-color2, #ddd)"))
        self.widget.add_class("reflect-question")

    @property
    def week(self) -> dt.date:
        return week_of(self.today)

    def show_for(self, person: str | None) -> None:
        """Ask ``person`` (signed in, or without a passphrase) this week's question; ``None``: hide and clear."""
        self.person = person or ""
        self.answer.value = ""
        self.message.value = self.partner.value = self.depth_message.value = self.question.value = ""
        self.depth.value = ""
        _show(self.widget, bool(person))
        if person:
            self._load()

    def _load(self) -> None:
        person, week = self.person, self.week
        self.question.value = _p(f"<b>{_e(self.store.week_question(week).text)}</b>")
        mine = self.store.question_answers(person, week=week, person=person)
        self.answer.value = mine[0].text or "" if mine else ""
        self.save_button.description = "Update my answer" if mine else "Save my answer"
        self._show_partner()
        self._show_depth()

    def _show_partner(self) -> None:
        person, week = self.person, self.week
        partner = self.store.partner_of(person)
        if partner is None:
            self.partner.value = ""
            return
        theirs = self.store.question_answers(person, week=week, person=partner)
        name = _e(partner)
        if not theirs:
            self.partner.value = _p(f"{name} has not answered this week\u2019s question yet.", _GREY)
        elif theirs[0].text is None and self.store.question_answers(person, week=week, person=person):
            self.partner.value = _p(f"{name} has answered; their words reach you once you have a passphrase of your "
                                    f"own and {name} has signed in since.", _GREY)
        elif theirs[0].text is None:
            self.partner.value = _p(f"{name} has answered; you\u2019ll see it once you have given yours.", _GREY)
        else:
            self.partner.value = _p(f"<b>{name}\u2019s answer:</b> {_e(theirs[0].text)}")

    def _show_depth(self) -> None:
        depth = self.store.question_depth()
        waiting = self.store.depth_wish(self.person) == "deeper"
        words = f"For now: {DEPTH_WORDS[depth]}."
        if waiting:
            words += " You said you are ready for deeper ones; they come once you have both said so."
        self.depth.value = _p(words, _GREY)
        _show(self.deeper_button, depth != "deepest" and not waiting)

    def _save(self, _button: Any = None) -> None:
        self._touch()
        try:
            status = self.store.answer_question(self.person, self.answer.value, week=self.week, source="form")
        except ValidationError as exc:
            self.message.value = _p(f"<b>Your answer</b>: {_e(exc.message)}. Nothing was saved; your words are "
                                    "still here.", _ERROR)
            return
        except ReflectError as exc:
            self.message.value = _p(_e(_sentence(exc)), _ERROR)
            return
        said = {"added": "Saved your answer. Thank you.",
                "updated": "Updated your answer; the earlier one is kept in your history.",
                "unchanged": "Your answer was already saved as it is."}[status]
        self.message.value = _p(f"<b>{said}</b>", _OK)
        self.save_button.description = "Update my answer"
        self._show_partner()

    def _deeper(self, _button: Any = None) -> None:
        self._touch()
        try:
            outcome = self.store.ask_deeper(self.person)
        except ReflectError as exc:
            self.depth_message.value = _p(_e(_sentence(exc)), _ERROR)
            return
        self.depth_message.value = _p({
            "deeper": "You are both ready: the questions go a little deeper now.",
            "waiting": "Noted, privately. Deeper questions come once you have both said so.",
            "already": "You had already said so; deeper questions come once you have both said so.",
            "deepest": "These are already the deepest questions.",
        }[outcome], _OK)
        self._load_keeping_answer()

    def _slower(self, _button: Any = None) -> None:
        self._touch()
        try:
            self.store.ask_slower(self.person)
        except ReflectError as exc:
            self.depth_message.value = _p(_e(_sentence(exc)), _ERROR)
            return
        self.depth_message.value = _p("Noted. The questions are lighter again, and nobody is told who asked.", _OK)
        self._load_keeping_answer()

    def _load_keeping_answer(self) -> None:
        typed = self.answer.value
        self._load()
        if typed.strip():
            self.answer.value = typed
