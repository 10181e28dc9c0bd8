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
        people = store.people()
        self.who = w.Dropdown(
            options=[("Both of us, together", TOGETHER), *[(p, p) for p in people]],
            value=TOGETHER, description="Who", layout=fits("280px"),
        )
        self.day = w.DatePicker(value=today or dt.date.today(), description="Day")
        self.message = w.HTML()
        self.buttons: dict[str, w.Button] = {}
        rows = []
        kinds = store.ritual_kinds()
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
        self.who.observe(lambda _c: self.refresh(), names="value")
        self.day.observe(lambda _c: self.refresh(), names="value")
        self.widget = w.VBox([
            w.HTML("<h3 style='margin:0.2em 0'>Rituals today</h3>"
                   "<p style='margin:0 0 0.4em'>One click for each small ritual that happened; click again to take "
                   "it back.</p>"),
            w.HBox([self.who, self.day], layout=wrapping_row()), *rows, self.message,
        ])
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
