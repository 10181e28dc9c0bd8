"""Who draws the report's charts: vl-convert here, or a renderer process that ``reflect report``
passes in.

A report builds each chart's Vega-Lite spec and asks :func:`render_later` for its SVG. Inside
``with use(renderer):`` (``reflect report`` with its helper process, see :mod:`reflect.reporting.workers`)
the spec goes to ``renderer.submit`` and is drawn there while the report goes on; otherwise it is
drawn here with vl-convert. The renderer is held in a context variable, set and put back by
:func:`use`: nothing global to assign, and nothing left behind when a report ends.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any, Protocol


class Renderer(Protocol):
    """Draws a Vega-Lite spec as SVG, answering later."""

    def submit(self, request: Any) -> Future[Any]: ...


_ACTIVE: contextvars.ContextVar[Renderer | None] = contextvars.ContextVar("reflect_renderer", default=None)


def active() -> Renderer | None:
    """The renderer passed in with :func:`use`, if any."""
    return _ACTIVE.get()


@contextlib.contextmanager
def use(renderer: Renderer | None) -> Iterator[None]:
    """Charts drawn inside this block go to ``renderer`` (``None``: drawn here)."""
    token = _ACTIVE.set(renderer)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def render_later(spec: dict[str, Any]) -> Future[str]:
    """The SVG of ``spec``, from the active renderer or drawn here now."""
    renderer = _ACTIVE.get()
    if renderer is not None:
        return renderer.submit(spec)
    future: Future[str] = Future()
    future.set_result(draw(spec))
    return future


def draw(spec: dict[str, Any]) -> str:
    """The SVG of ``spec`` for a static page: drawn by vl-convert, then the same picture in fewer
    elements (:func:`reflect.views.static_svg.lean_svg`)."""
    import vl_convert as vlc

    from reflect.views.static_svg import lean_svg

    return lean_svg(vlc.vegalite_to_svg(spec))

