"""Layouts that fit a phone as well as a desktop, for the widgets of the form, the practices and the quick log.

On a wide screen the form keeps its columns (labels 110 px wide, fields beside them); on a phone
(390 px) nothing may be wider than the screen, so a fixed width is also a *maximum* of the space
there is, and rows of controls wrap instead of running off the edge. The rest (labels above their
fields, 44 px targets) is the app page's CSS (``reflect/templates/voila/templates/reflect``).

>>> fits("360px").max_width, wrapping_row().flex_flow
('100%', 'row wrap')
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w


def fits(width: str, **more: Any) -> w.Layout:
    """``width`` on a wide screen, at most the width there is on a narrow one."""
    return w.Layout(width=width, max_width="100%", **more)


def wrapping_row(**more: Any) -> w.Layout:
    """A row of controls, centred on one line, that wraps onto the next where the screen is too narrow."""
    return w.Layout(flex_flow="row wrap", align_items="center", **more)
