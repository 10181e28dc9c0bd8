"""Practice cards in the form: open one, follow its steps (with its timer), and say "We did it".

Three taps from the form to a logged practice: **Practices to do together** opens the list, a card's
name opens the card, **We did it** logs it as a ritual the two of you did together
(:func:`reflect.storage.cards.log_practice`). The panel follows the person the check-in form holds,
with the form's rules: it is offered once someone is signed in (or has no passphrase), and closed
and cleared when they sign out.

The timer is an ipywidgets :class:`~ipywidgets.Play` kept out of sight: it counts in the browser
(so it works in Voila and JupyterLab alike, with no thread in the kernel), and the kernel turns
each second into words ("The first story: 1:42 left"). Its own buttons carry icons from a web
font that is not there offline, so the card has buttons of its own that start, pause and restart it.
A running timer counts as a touch: a couple on a 30-minute micro-date is not signed out half way.

>>> from reflect.storage.store import Store
>>> cards = PracticeCards(Store(":memory:"), today=dt.date(2026, 11, 3))
>>> cards.show_for("Robin"); cards.toggle.value = True
>>> cards.buttons["story-swap"].click()
>>> cards.clock.value.count("2:00"), cards.done_button.description
(1, 'We did it')
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from reflect.domain.cards import GROUPS, Card, all_cards
from reflect.errors import ReflectError
from reflect.storage.cards import log_practice, times_done
from reflect.storage.store import Store
from reflect.views.layout import wrapping_row

_GREY = "color: var(--jp-ui-font-color2, #666);"
_ERROR = "color: var(--jp-error-color1, #b71c1c);"
_OK = "color: var(--jp-success-color1, #1b5e20);"


def _p(text: str, style: str = "") -> str:
    return f"<p style='margin:2px 0;line-height:1.45;{style}'>{text}</p>" if text else ""


def _e(text: Any) -> str:
    return html.escape(str(text))


def _show(widget: w.DOMWidget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


def clock_words(seconds: int) -> str:
    """``seconds`` as a clock: 20 -> "0:20", 1200 -> "20:00"."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def timer_words(card: Card, elapsed: int) -> str:
    """Where the card's timer is after ``elapsed`` seconds, in words: the phase and what is left of it."""
    if not card.timer:
        return ""
    if elapsed <= 0:
        first = card.timer[0]
        return f"{first.label}: {clock_words(first.seconds)}"
    if elapsed >= card.timer_seconds:
        return "Time is up." + (" Well done, both of you." if len(card.timer) > 1 else "")
    end = 0
    for i, phase in enumerate(card.timer):
        end += phase.seconds
        if elapsed < end:
            swap = " (now swap)" if i and elapsed == end - phase.seconds else ""
            return f"{phase.label}{swap}: {clock_words(end - elapsed)} left"
    return ""  # pragma: no cover - elapsed < timer_seconds always falls in a phase


def card_html(card: Card, last: list[dt.date] | None = None) -> str:
    """A card as a phone shows it: its title, what it is for, how long, its steps (and its menu)."""
    parts = [
        f"<h3 style='margin:8px 0 2px;font-size:1.05em'>{_e(card.title)}</h3>",
        _p(_e(card.purpose)),
        _p(f"{_e(card.time_words)}; {_e(card.cadence)} if you like.", _GREY),
        "<ol style='margin:6px 0 6px 1.4em;padding:0;line-height:1.45'>"
        + "".join(f"<li style='margin:2px 0'>{_e(step)}</li>" for step in card.steps) + "</ol>",
    ]
    for choice in card.menu:
        parts.append(_p(f"<b>{_e(choice.mood)}</b>: " + _e(" / ".join(choice.ideas))))
    if last:
        parts.append(_p(f"Done together {len(last)} time{'s' if len(last) != 1 else ''}, "
                        f"last on {last[-1].day} {last[-1]:%B %Y}.", _GREY))
    return "".join(parts)


class PracticeCards:
    """The practice cards, folded into the form until opened; ``.widget`` is what the form shows."""

    def __init__(self, store: Store, *, today: dt.date | None = None, touch: Callable[[], None] | None = None,
                 cards: dict[str, Card] | None = None):
        self.store = store
        self._today = today
        self._touch = touch or (lambda: None)
        self.cards = cards if cards is not None else all_cards()
        self.person = ""
        self.card: Card | None = None
        self.toggle = w.ToggleButton(value=False, description="Practices to do together",
                                     tooltip="Short exercises for the two of you: steps, a timer, "
                                             "and \u201cwe did it\u201d",
                                     layout=w.Layout(width="auto", min_width="210px"))
        self.buttons: dict[str, w.Button] = {}
        # the list is made the first time it is opened: a form nobody opens it in pays nothing for it
        self.deck = w.VBox(layout=w.Layout(display="none"))
        self.deck.add_class("reflect-practice-deck")
        self.text = w.HTML()
        # the timer: counted in the browser by a Play kept out of sight, told in words by the kernel
        self.play = w.Play(value=0, min=0, max=1, step=1, interval=1000, show_repeat=False,
                           layout=w.Layout(display="none"))
        self.clock = w.HTML()
        self.clock.add_class("reflect-practice-timer")
        self.start_button = w.Button(description="Start the timer", layout=w.Layout(width="auto"))
        self.restart_button = w.Button(description="Start again", layout=w.Layout(width="auto"))
        self.timer_box = w.VBox([self.clock, w.HBox([self.start_button, self.restart_button], layout=wrapping_row()),
                                 self.play])
        self.done_button = w.Button(description="We did it", button_style="primary",
                                    tooltip="Log it as a ritual the two of you did together today",
                                    layout=w.Layout(width="auto", min_width="140px"))
        self.back_button = w.Button(description="All practices", layout=w.Layout(width="auto"))
        self.message = w.HTML()
        self.card_box = w.VBox([self.text, self.timer_box,
                                w.HBox([self.done_button, self.back_button], layout=wrapping_row()), self.message],
                               layout=w.Layout(display="none", max_width="600px", padding="4px 10px",
                                               border="1px solid var(--jp-border-color2, #ddd)"))
        self.card_box.add_class("reflect-practice-card")
        self.widget = w.VBox([self.toggle, self.deck, self.card_box],
                             layout=w.Layout(display="none", margin="4px 0 8px 118px"))
        self.widget.add_class("reflect-practice-cards")
        self.toggle.observe(self._on_toggle, "value")
        self.play.observe(self._on_tick, "value")
        self.play.observe(self._on_playing, "playing")
        self.start_button.on_click(self._start_or_pause)
        self.restart_button.on_click(self._restart)
        self.done_button.on_click(self._we_did_it)
        self.back_button.on_click(lambda _b: self.close())

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def show_for(self, person: str | None) -> None:
        """Offer the cards while ``person`` is signed in (or has no passphrase); ``None``: hide and clear."""
        self.person = person or ""
        self.close()
        self.toggle.value = False
        self.message.value = ""
        _show(self.widget, bool(person))

    def _build_deck(self) -> None:
        """The list of cards, by group, one button a card."""
        groups: list[w.Widget] = []
        for group, heading in GROUPS.items():
            row = []
            for card in (c for c in self.cards.values() if c.group == group):
                button = w.Button(description=card.title, tooltip=card.purpose, layout=w.Layout(width="auto"))
                button.on_click(lambda _b, name=card.name: self.open(name))
                self.buttons[card.name] = button
                row.append(button)
            if row:
                groups.append(w.HTML(_p(f"<b>{_e(heading)}</b>", "margin-top:6px;")))
                groups.append(w.HBox(row, layout=wrapping_row()))
        self.deck.children = (w.HTML(_p("Pick one to do together now. Each takes a few minutes; tap "
                                        "<b>We did it</b> afterwards and it joins your rituals.", _GREY)),
                              *groups)

    def _on_toggle(self, change: dict[str, Any]) -> None:
        self._touch()
        if change["new"] and not self.buttons:
            self._build_deck()
        if not change["new"]:
            self.close()
        _show(self.deck, bool(change["new"]) and self.card is None)

    def open(self, name: str) -> None:
        """Show the card ``name``: its steps, its timer (if it has one), and "We did it"."""
        self._touch()
        card = self.cards[name]
        self.card = card
        self._stop_timer()
        self.play.max = max(1, card.timer_seconds)
        self.message.value = ""
        self._show_text()
        _show(self.timer_box, bool(card.timer))
        self._on_tick()
        _show(self.deck, False)
        _show(self.card_box, True)

    def close(self) -> None:
        """Back to the list of cards (the timer stops)."""
        self._stop_timer()
        self.card = None
        self.text.value = self.message.value = ""
        _show(self.card_box, False)
        _show(self.deck, bool(self.toggle.value))

    def _show_text(self) -> None:
        if self.card is None:
            return
        try:
            done = times_done(self.store, self.card)
        except ReflectError:
            done = []
        self.text.value = card_html(self.card, done)

    # -- the timer ------------------------------------------------------------------------------

    def _stop_timer(self) -> None:
        self.play.playing = False
        self.play.value = 0

    def _start_or_pause(self, _button: Any = None) -> None:
        self._touch()
        if self.play.playing:
            self.play.playing = False
            return
        if self.play.value >= self.play.max:
            self.play.value = 0
        self.play.playing = True

    def _restart(self, _button: Any = None) -> None:
        self._touch()
        self.play.playing = False
        self.play.value = 0
        self.play.playing = True

    def _on_playing(self, change: dict[str, Any] | None = None) -> None:
        self._on_tick()

    def _on_tick(self, change: dict[str, Any] | None = None) -> None:
        card = self.card
        if card is None or not card.timer:
            self.clock.value = ""
            return
        if self.play.playing:
            self._touch()  # a running timer counts as a touch: nobody is signed out half way through
        elapsed = int(self.play.value)
        words = timer_words(card, elapsed)
        self.clock.value = (f"<p role='timer' style='margin:6px 0 2px;font-size:1.3em;font-variant-numeric:"
                            f"tabular-nums'>{_e(words)}</p>")
        _show(self.restart_button, elapsed > 0)  # "Start again" once it has started
        if self.play.playing:
            self.start_button.description = "Pause the timer"
        elif 0 < elapsed < card.timer_seconds:
            self.start_button.description = "Go on"
        else:
            self.start_button.description = "Start the timer"

    # -- we did it ------------------------------------------------------------------------------

    def _we_did_it(self, _button: Any = None) -> str:
        """Log the open card as done together today; say so (or say, in words, why not)."""
        self._touch()
        card = self.card
        if card is None:
            return "error"
        day = self._today or self.store.today()
        try:
            status = log_practice(self.store, card, day=day)
        except ReflectError as exc:
            said = str(exc)
            said = said[:1].upper() + said[1:] + ("" if said.endswith(".") else ".")
            self.message.value = _p(_e(said), _ERROR)
            return "error"
        when = "today" if day == dt.date.today() else f"on {day.day} {day:%B}"
        self.message.value = _p(
            f"<b>Already logged {when}</b>: {_e(card.title)}, the two of you." if status == "unchanged"
            else f"<b>Lovely.</b> {_e(card.title)} is logged {when}, for the two of you, with your rituals.", _OK)
        self._show_text()
        return status

