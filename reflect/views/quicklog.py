"""The quick-log: one click for each ritual done today.

A row of buttons, one per kind of ritual in the catalogue, grouped by rhythm (daily, weekly,
monthly). Clicking a button logs that ritual for the chosen day and person (both of you together
by default); clicking it again takes it back (the history keeps both). Buttons show what is
already logged for that day. Every write goes through the store, validated, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import ipywidgets as w

from reflect.domain.rituals import TOGETHER, Ritual, person_word
from reflect.errors import ReflectError
from reflect.storage.store import Store
from reflect.system.paths import resolve_store_path
from reflect.views.layout import fits, wrapping_row

_DONE_STYLE = "success"


class QuickLog:
    """The quick-log widget; :attr:`widget` is what a notebook shows."""

    def __init__(self, store: Store, *, today: dt.date | None = None):
        self.store = store
        self._today = today or dt.date.today()
        self.who = w.Dropdown(
            options=self._people(), value=TOGETHER, description="Who", layout=fits("280px"),
        )
        self.day = w.DatePicker(value=self._today, description="Day")
        self.message = w.HTML()
        self.buttons: dict[str, w.Button] = {}
        self._heading = w.HTML("<h3 style='margin:0.2em 0'>Rituals today</h3>"
                               "<p style='margin:0 0 0.4em'>One click for each small ritual that happened; click "
                               "again to take it back.</p>")
        self.who.observe(lambda _c: self.refresh(), names="value")
        self.day.observe(lambda _c: self.refresh(), names="value")
        self.widget = w.VBox()
        self._build()

    def _people(self) -> list[tuple[str, str]]:
        return [("Both of us, together", TOGETHER), *[(p, p) for p in self.store.people()]]

    def _build(self) -> None:
        """One row of buttons for each rhythm, one button for each kind of ritual the store knows."""
        self.buttons = {}
        rows = []
        kinds = self.store.ritual_kinds()
        for cadence, heading in (("daily", "Every day"), ("weekly", "Every week"), ("monthly", "Every month")):
            group = [k for k in kinds.values() if k.cadence == cadence]
            if not group:
                continue
            buttons = []
            for kind in group:
                button = w.Button(description=kind.label, tooltip=kind.description or kind.label,
                                  layout=w.Layout(width="auto"))
                button.on_click(lambda _b, key=kind.key: self.toggle(key))
                self.buttons[kind.key] = button
                buttons.append(button)
            rows.append(w.HBox([w.HTML(f"<b style='display:inline-block;width:7.5em'>{heading}</b>"), *buttons],
                               layout=wrapping_row()))
        self.widget.children = (self._heading, w.HBox([self.who, self.day], layout=wrapping_row()), *rows,
                                self.message)
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def catch_up(self, today: dt.date | None = None) -> None:
        """Bring a quick-log built ahead of its visitor (``reflect app`` keeps pages ready) up to the store
        and the calendar as they are now: the people, the kinds of ritual, the day (where nobody moved
        it) and what is logged on it."""
        was, self._today = self._today, today or dt.date.today()
        who = self.who.value
        self.who.options = self._people()
        self.who.value = who if who in dict(self._people()).values() else TOGETHER
        if self.day.value == was:
            self.day.value = self._today
        if set(self.store.ritual_kinds()) != set(self.buttons):
            self._build()
        self.message.value = ""
        self.refresh()

    def _logged(self) -> set[str]:
        if self.day.value is None:
            return set()
        day = self.day.value.isoformat()
        return {r.kind for r in self.store.rituals(person=self.who.value)
                if r.day.isoformat() == day}

    def refresh(self) -> None:
        done = self._logged()
        for key, button in self.buttons.items():
            button.button_style = _DONE_STYLE if key in done else ""
            label = self.store.ritual_kinds()[key].label
            button.description = f"\u2713 {label}" if key in done else label

    def toggle(self, kind: str) -> str:
        """Log ``kind`` for the chosen day and person, or take it back if it is logged; say which."""
        if self.day.value is None:
            self.message.value = "<span style='color:#b00020'>Please choose a day first.</span>"
            return "error"
        taking_back = kind in self._logged()
        try:
            ritual = Ritual.create(day=self.day.value, kind=kind, person=self.who.value, done=not taking_back)
            self.store.log_ritual(ritual, source="quick-log")
        except ReflectError as exc:
            said = str(exc)
            self.message.value = f"<span style='color:#b00020'>{html.escape(said[:1].upper() + said[1:])}</span>"
            return "error"
        label = self.store.ritual_kinds()[kind].label
        who = person_word(ritual.person)
        when = "today" if ritual.day == dt.date.today() else ritual.day.strftime("%d %B")
        self.message.value = (f"Took back {label.lower()} ({who}, {when})." if taking_back
                              else f"Logged {label.lower()} ({who}, {when}). Lovely.")
        self.refresh()
        return "taken back" if taking_back else "logged"


def quick_log(store: Store | None = None, **kwargs: Any) -> w.VBox:
    """The quick-log widget over ``store`` (default: your own store, as the CLI finds it)."""
    return QuickLog(store if store is not None else Store(resolve_store_path()), **kwargs).widget
