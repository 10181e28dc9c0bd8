"""How life is weighing, in the check-in form: an optional slider, and whether the partner may see it.

"How much is life weighing on you?" (stress, sleep, health; 1 to 10) is optional: left untouched,
it is not given (the row says so); moving the slider gives it, and "Leave it out" takes it back.
It is shown to the partner only when the box "Share it with my partner" is ticked (not by default),
and it is never part of the scores (:mod:`reflect.analytics.weighing`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from reflect.domain.dimensions import MAX_SCORE, MIN_SCORE
from reflect.views.layout import fits, wrapping_row

_GREY = "color: var(--jp-ui-font-color2, #666);"
#: Where the slider starts before it is given (it is not given until moved).
START = 5


class WeighingRow:
    """The form's optional "how is life weighing" slider, with its share choice."""

    def __init__(self, *, touch: Callable[[], None] | None = None):
        self._touch = touch or (lambda: None)
        self._loading = False
        self.given = False
        self.title = w.HTML(
            "<b>How much is life weighing on you?</b> "
            f"<span style='{_GREY}'>Stress, sleep, health: from {MIN_SCORE} (lightly) to {MAX_SCORE} (heavily). "
            "Optional, and kept apart from your scores.</span>")
        self.slider = w.IntSlider(
            value=START, min=MIN_SCORE, max=MAX_SCORE, step=1, description="Weighing",
            tooltip="How much life is weighing on you", style={"description_width": "110px"}, layout=fits("330px"))
        self.state = w.HTML()
        self.leave_out = w.Button(description="Leave it out", layout=w.Layout(width="auto"))
        self.share = w.Checkbox(value=False, indent=False, description="Share it with my partner",
                                layout=w.Layout(width="auto", margin="0 0 0 118px"))
        self.slider.observe(self._moved, "value")
        self.leave_out.on_click(lambda _b: self.set(None, self.share.value))
        self.share.observe(lambda _c: self._touch(), "value")
        self.box = w.VBox([self.title, w.HBox([self.slider, self.state, self.leave_out], layout=wrapping_row()),
                           self.share], layout=w.Layout(margin="0 0 8px 0"))
        self.box.add_class("reflect-weighing")
        self._show()

    def _moved(self, change: dict[str, Any]) -> None:
        if self._loading:
            return
        self.given = True
        self._touch()
        self._show()

    def _show(self) -> None:
        self.state.value = (
            f"<span style='{_GREY}'>{html.escape(str(self.slider.value))} of {MAX_SCORE}</span>" if self.given
            else f"<span style='{_GREY}'>Not given: move the slider to give it</span>")
        self.leave_out.layout.display = None if self.given else "none"

    def set(self, weighing: int | None, shared: bool = False) -> None:
        """Show ``weighing`` (None: not given) and the share choice, without counting it as a touch."""
        self._loading = True
        try:
            self.slider.value = weighing if weighing is not None else START
            self.share.value = bool(shared)
        finally:
            self._loading = False
        self.given = weighing is not None
        self._show()

    @property
    def value(self) -> int | None:
        """How life is weighing, or None when it was not given."""
        return int(self.slider.value) if self.given else None
