"""Appreciations in the form: one line for the partner, sent whenever one feels it, and what came in.

:class:`AppreciationBox` follows the person the check-in form (:mod:`reflect.views.widgets`) holds,
with the form's sign-in rules: it is shown only once they are signed in (or have no passphrase),
and cleared when they sign out. When it is shown for someone, it shows what their partner wrote
them since they last looked, once, as new (:meth:`~reflect.storage.store.Store.new_appreciations`);
"Read them again" lists every appreciation between the two of them, received and sent.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from reflect.analytics.phrases import month_words
from reflect.domain.appreciations import MAX_LENGTH, Appreciation
from reflect.errors import ReflectError
from reflect.storage.store import Store
from reflect.views.layout import fits, wrapping_row

_GREY = "color: var(--jp-ui-font-color2, #666);"
_ERROR = "color: var(--jp-error-color1, #b71c1c);"
_OK = "color: var(--jp-success-color1, #1b5e20);"
_H = "font-size:1em;"


def _p(text: str, style: str = "") -> str:
    return f"<p style='margin:2px 0;line-height:1.45;{style}'>{text}</p>" if text else ""


def _e(text: Any) -> str:
    return html.escape(str(text))


def _line(item: Appreciation) -> str:
    """One appreciation as a line of the list: its day, then its words (or why they are not shown)."""
    day = item.day.strftime("%d %b").lstrip("0")
    words = f"\u201c{_e(item.text)}\u201d" if item.text is not None else (
        f"<i>sealed for now: it opens once you have a passphrase and {_e(item.person)} has signed in since</i>")
    return f"<li><span style='{_GREY}'>{_e(day)}</span> {words}</li>"


class AppreciationBox:
    """In the form: "what I appreciated about you", one line, sent to the partner; and what came in."""

    def __init__(self, store: Store, *, touch: Callable[[], None] | None = None):
        self.store = store
        self._touch = touch or (lambda: None)
        self.person = ""
        self.heading = w.HTML()
        self.news = w.HTML()
        self.news.add_class("reflect-appreciations-new")
        self.text = w.Text(placeholder="What I appreciated about you today ...", description="Appreciate",
                           style={"description_width": "110px"},
                           layout=w.Layout(width="100%", max_width="600px"))
        self.send_button = w.Button(description="Send", button_style="primary", layout=fits("100px"))
        self.message = w.HTML()
        self.reread = w.Button(description="Read them again", layout=w.Layout(width="auto"))
        self.listing = w.HTML()
        self.text.observe(lambda _c: self._touch(), "value")
        self.send_button.on_click(self._send)
        self.reread.on_click(self._toggle_list)
        self.widget = w.VBox([self.heading, self.news, w.HBox([self.text, self.send_button], layout=wrapping_row()),
                              self.message, self.reread, self.listing],
                             layout=w.Layout(margin="10px 0 4px 0", display="none"))
        self.widget.add_class("reflect-appreciations")

    def show_for(self, person: str | None) -> list[Appreciation]:
        """Show the box for ``person`` (signed in, or without a passphrase), with what their partner wrote
        them since they last looked, once; ``None``: hide and clear. Returns the new appreciations."""
        self.person = person or ""
        self.text.value = ""
        self.message.value = self.listing.value = self.news.value = ""
        self.reread.description = "Read them again"
        if not person:
            self.widget.layout.display = "none"
            return []
        self.widget.layout.display = None
        partner = self.store.partner_of(person)
        self.heading.value = (
            f"<h3 style='{_H}margin:8px 0 2px 0'>Appreciate</h3>"
            + _p(f"One line, whenever you feel it: what you appreciated about {_e(partner)}. Only {_e(partner)} "
                 "reads it, when they next sign in." if partner else
                 "One line, whenever you feel it: what you appreciated about your partner. They read it once "
                 "they have joined.", _GREY))
        try:
            fresh = self.store.new_appreciations(person)
        except ReflectError:
            fresh = []
        if fresh:
            who = _e(fresh[0].person)
            self.news.value = (
                _p(f"<b>New from {who}</b>: what {who} appreciated about you.")
                + "<ul style='margin:2px 0 6px 0;padding-left:20px'>" + "".join(_line(a) for a in fresh) + "</ul>")
        try:
            waiting = sum(1 for a in self.store.appreciations(person) if a.new and a.text is None)
        except ReflectError:
            waiting = 0
        if waiting and partner:
            self.news.value += _p(
                f"{waiting} more from {_e(partner)} {'waits' if waiting == 1 else 'wait'} for you: sealed for now, "
                f"{'it opens' if waiting == 1 else 'they open'} once you have a passphrase and {_e(partner)} has "
                "signed in since.", _GREY)
        return fresh

    def _send(self, _widget: Any = None) -> None:
        person = self.person
        if not person:
            return
        self._touch()
        try:
            status, saved, logged = self.store.appreciate(person, self.text.value, source="form")
        except ReflectError as exc:
            why = exc.message if hasattr(exc, "message") else str(exc)
            self.message.value = _p(f"<b>Your appreciation</b>: {_e(why[:1].upper() + why[1:])}. Nothing was sent; "
                                    "your words are still here.", _ERROR)
            return
        self.text.value = ""
        partner = saved.to
        if status == "unchanged":
            said = "You already wrote this today; it is kept once."
        elif partner is None:
            said = "Kept. Your partner reads it once they have joined."
        elif self.store.is_protected(person) and not self.store.is_protected(partner):
            said = f"Kept for {_e(partner)}, who reads it once they have chosen a passphrase."
        else:
            said = f"Sent. {_e(partner)} reads it when they next sign in."
        if logged:
            said += " Today's appreciation is in your rituals too."
        self.message.value = _p(f"<b>{said}</b>", _OK)
        if self.listing.value:
            self._render_list()

    def _toggle_list(self, _button: Any = None) -> None:
        if self.listing.value:
            self.listing.value = ""
            self.reread.description = "Read them again"
            return
        self._render_list()
        self.reread.description = "Hide them"

    def _render_list(self) -> None:
        person = self.person
        if not person:
            return
        try:
            items = self.store.appreciations(person)
        except ReflectError as exc:
            self.listing.value = _p(_e(str(exc)), _ERROR)
            return
        partner = self.store.partner_of(person)
        received = [a for a in items if a.person != person][::-1]
        sent = [a for a in items if a.person == person][::-1]
        parts = []
        for title, group in ((f"From {_e(partner)}" if partner else "From your partner", received),
                             ("From you", sent)):
            parts.append(_p(f"<b>{title}</b>"))
            if not group:
                parts.append(_p("None yet.", _GREY))
                continue
            by_month: dict[str, list[Appreciation]] = {}
            for a in group[:60]:
                by_month.setdefault(a.month, []).append(a)
            for month, those in by_month.items():
                parts.append(_p(_e(month_words(month)), _GREY) + "<ul style='margin:2px 0;padding-left:20px'>"
                             + "".join(_line(a) for a in those) + "</ul>")
        self.listing.value = "".join(parts)


__all__ = ["MAX_LENGTH", "AppreciationBox"]
