"""A chart's SVG for a static page, with fewer elements and the same picture.

vl-convert draws every mark item as an element of its own: each dot, each square of the ritual
calendar and each grid line is one ``<path>`` or ``<line>``, with its position in a ``transform``,
and every group has an empty background path and ARIA attributes for an interactive view. On a
page that names each chart as one image (``role="img"`` around the SVG), none of that is seen or
read. :func:`lean_svg` rewrites the SVG that vl-convert drew:

- the items of one mark with the same style (the same attributes but their position) become one
  ``<path>`` holding them all as sub-paths, moved to where their ``transform`` put them; only
  when none of them overlaps another (overlapping see-through or outlined shapes would look
  different as one path), and rules (``<line>``) likewise become the segments of one path;
- backgrounds that draw nothing (no fill, no stroke), ``pointer-events`` and the ARIA attributes
  inside the drawing are left out.

Only plain Python (``re``): it runs wherever the chart is drawn, in the renderer process too.
"""

from __future__ import annotations

import re

#: A self-closing mark item: ``<path .../>`` or ``<line .../>``.
_ITEM = re.compile(r"<(path|line)((?:\s+[\w:-]+=\"[^\"]*\")*)\s*/>")
_ATTR = re.compile(r"([\w:-]+)=\"([^\"]*)\"")
_TRANSLATE = re.compile(r"^translate\(([-+\d.eE]+),([-+\d.eE]+)\)$")
_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d*\.\d+|\d+\.?)(?:[eE][-+]?\d+)?")
#: Attributes that mean nothing in a picture (interaction and ARIA inside an image).
_IDLE = re.compile(r"\s+(?:aria-hidden|aria-roledescription|aria-label|role|pointer-events)=\"[^\"]*\"")
#: A background path with nothing to draw (Vega's group backgrounds when the view has no fill or stroke).
_EMPTY_BACKGROUND = re.compile(r"<path class=\"background\" d=\"[^\"]*\"\s*/>")
#: How many numbers each absolute command takes, and which of them are x (0) or y (1) coordinates.
_AXES = {"M": (0, 1), "L": (0, 1), "T": (0, 1), "H": (0,), "V": (1,), "C": (0, 1) * 3, "S": (0, 1) * 2,
         "Q": (0, 1) * 2, "A": (None, None, None, None, None, 0, 1), "Z": ()}


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _moved(d: str, dx: float, dy: float) -> tuple[str, tuple[float, float, float, float]] | None:
    """Path data ``d`` moved by (dx, dy), and its extent (x0, y0, x1, y1); ``None`` if it cannot be read."""
    tokens = _TOKEN.findall(d)
    if not tokens or tokens[0] != "M":  # a sub-path of one path must begin where it is, not where the last ended
        return None
    out: list[str] = []
    xs: list[float] = []
    ys: list[float] = []
    x = y = 0.0
    start = (0.0, 0.0)
    i = 0
    command = ""
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            out.append(command)
            if command in "Zz":
                x, y = start
                continue
        elif not command or command in "Zz":
            return None
        upper = command.upper()
        axes = _AXES.get(upper)
        if axes is None:
            return None
        args = tokens[i:i + len(axes)]
        if len(args) < len(axes) or any(a.isalpha() for a in args):
            return None
        values = [float(a) for a in args]
        i += len(axes)
        relative = command.islower()
        if not relative:
            values = [v + (dx if axis == 0 else dy if axis == 1 else 0) for v, axis in zip(values, axes, strict=True)]
        # where the pen is now (the last point of the command), for the extent
        if upper == "H":
            x = values[0] + (x if relative else 0)
        elif upper == "V":
            y = values[0] + (y if relative else 0)
        else:
            x0, y0 = x, y
            x, y = (values[-2] + x, values[-1] + y) if relative else (values[-2], values[-1])
            if upper == "A":
                for cx, cy, rx, ry in _arc_circles(x0, y0, x, y, abs(values[0]), abs(values[1])):
                    xs += [cx - rx, cx + rx]
                    ys += [cy - ry, cy + ry]
        if upper == "M":
            start = (x, y)
            if not relative:
                command = "L" if command == "M" else command
            else:
                command = "l"
        xs.append(x)
        ys.append(y)
        if out and not out[-1].isalpha():
            out.append(",")
        out.append(",".join(_num(v) for v in values))
    if not xs:
        return None
    return "".join(out), (min(xs), min(ys), max(xs), max(ys))


def _arc_circles(x0: float, y0: float, x1: float, y1: float, rx: float, ry: float
                 ) -> list[tuple[float, float, float, float]]:
    """The circles (centre and radii) an arc from (x0, y0) to (x1, y1) may lie on: for a circular arc
    the two whose centres are at the radius from both ends; otherwise, around each end."""
    if rx != ry or rx == 0:
        return [(x0, y0, rx, ry), (x1, y1, rx, ry)]
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = x1 - x0, y1 - y0
    chord = (dx * dx + dy * dy) ** 0.5
    if chord == 0:
        return [(x0, y0, 0.0, 0.0)]
    r = max(rx, chord / 2)  # a radius too small is scaled up to reach (SVG's own rule)
    h = max(r * r - chord * chord / 4, 0.0) ** 0.5
    nx, ny = -dy / chord, dx / chord
    return [(mx + h * nx, my + h * ny, r, r), (mx - h * nx, my - h * ny, r, r)]


def _item_path(tag: str, attrs: dict[str, str]) -> tuple[str, tuple[float, float, float, float], dict[str, str]] | None:
    """One mark item as path data in place (its transform applied), its extent and its other attributes."""
    attrs = dict(attrs)
    dx = dy = 0.0
    if "transform" in attrs:
        found = _TRANSLATE.match(attrs.pop("transform"))
        if not found:
            return None
        dx, dy = float(found.group(1)), float(found.group(2))
    if tag == "line":
        try:
            x1, y1 = float(attrs.pop("x1", "0")), float(attrs.pop("y1", "0"))
            x2, y2 = float(attrs.pop("x2", "0")), float(attrs.pop("y2", "0"))
        except ValueError:
            return None
        a, b, c, e = x1 + dx, y1 + dy, x2 + dx, y2 + dy
        return f"M{_num(a)},{_num(b)}L{_num(c)},{_num(e)}", (min(a, c), min(b, e), max(a, c), max(b, e)), attrs
    d = attrs.pop("d", None)
    if d is None:
        return None
    moved = _moved(d, dx, dy)
    if moved is None:
        return None
    return moved[0], moved[1], attrs


Box = tuple[float, float, float, float]


def _overlap(a: Box, b: Box, pad: float) -> bool:
    """Whether boxes ``a`` and ``b``, each grown by ``pad``, overlap (touching is not overlapping)."""
    return (a[0] - pad < b[2] + pad - 0.01 and b[0] - pad < a[2] + pad - 0.01
            and a[1] - pad < b[3] + pad - 0.01 and b[1] - pad < a[3] + pad - 0.01)


def _opaque(attrs: dict[str, str]) -> bool:
    """Whether shapes of this style look the same drawn one by one or as one path (solid, no outline)."""
    return all(attrs.get(k, "1") in ("1", "1.0") for k in ("opacity", "fill-opacity", "stroke-opacity")) \
        and attrs.get("stroke", "none") == "none"


def _pad(attrs: dict[str, str]) -> float:
    """How far a shape of this style reaches beyond its path (half its outline, and a pixel's edge)."""
    if attrs.get("stroke", "none") == "none":
        return 0.5
    try:
        return float(attrs.get("stroke-width", "1")) / 2 + 0.5
    except ValueError:
        return 2.0


class _Bucket:
    """Items of one style drawn as one path, where the first of them was drawn."""

    def __init__(self, key: object, style: dict[str, str]) -> None:
        self.key, self.style = key, style
        self.paths: list[str] = []
        self.boxes: list[Box] = []
        self.texts: list[str] = []
        self.pad = _pad(style)
        self.union: Box = (float("inf"), float("inf"), float("-inf"), float("-inf"))

    def add(self, path: str, box: Box, text: str) -> None:
        self.paths.append(path)
        self.boxes.append(box)
        self.texts.append(text)
        u = self.union
        self.union = (min(u[0], box[0]), min(u[1], box[1]), max(u[2], box[2]), max(u[3], box[3]))

    def covers(self, box: Box, pad: float) -> bool:
        """Whether ``box`` overlaps one of this path's shapes."""
        return _overlap(box, self.union, pad) and any(_overlap(box, b, pad) for b in self.boxes)

    def text(self) -> str:
        if len(self.paths) == 1:
            return self.texts[0]
        attributes = "".join(f' {k}="{v}"' for k, v in self.style.items())
        return f'<path d="{"".join(self.paths)}"{attributes}/>'


def _merge(items: list[tuple[str, dict[str, str], str]]) -> str:
    """Sibling items of one mark, drawn in order, as few paths as draw the same picture: an item joins
    the last path of its style unless that would put it under something drawn after that path that
    it overlaps (or, for see-through or outlined shapes, over one of its own style)."""
    buckets: list[_Bucket] = []
    for tag, attrs, text in items:
        item = _item_path(tag, attrs)
        key = _style_key(tag, attrs)
        if item is None:  # cannot be read: drawn as it is, and nothing moves under it
            bucket = _Bucket(object(), attrs)
            bucket.add("?", (-1e9, -1e9, 1e9, 1e9), text)
            buckets.append(bucket)
            continue
        path, box, style = item
        if tag == "line" and "fill" not in style:  # a rule has no inside; a path would have one
            style = {**style, "fill": "none"}
        target = None
        for index in range(len(buckets) - 1, -1, -1):
            if buckets[index].key == key:
                target = index
                break
        if target is not None and (
                (not _opaque(style) and buckets[target].covers(box, buckets[target].pad))
                or any(other.covers(box, max(buckets[target].pad, other.pad)) for other in buckets[target + 1:])):
            target = None
        if target is None:
            buckets.append(_Bucket(key, style))
            target = len(buckets) - 1
        buckets[target].add(path, box, text)
    return "".join(b.text() for b in buckets)


def _style_key(tag: str, attrs: dict[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    placed = ("transform", "d") if tag == "path" else ("transform", "x1", "y1", "x2", "y2")
    return tag, tuple((k, v) for k, v in attrs.items() if k not in placed)


def _merge_runs(svg: str) -> str:
    """Join the items of each mark (adjacent sibling items, nothing else between them) into few paths."""
    out: list[str] = []
    run: list[tuple[str, dict[str, str], str]] = []
    pos = 0
    for found in _ITEM.finditer(svg):
        between = svg[pos:found.start()]
        if between.strip():  # anything else in between ends the run
            out.append(_merge(run))
            run = []
            out.append(between)
        run.append((found.group(1), dict(_ATTR.findall(found.group(2))), found.group(0)))
        pos = found.end()
    out.append(_merge(run))
    out.append(svg[pos:])
    return "".join(out)


_GROUP = re.compile(r"<g((?:\s+[\w:-]+=\"[^\"]*\")*)\s*>|</g>")
_GROUP_CLASS = re.compile(r"\s+class=\"[^\"]*\"")


def _unwrapped(svg: str) -> str:
    """``svg`` without the groups that change nothing (no attribute but their class names, which no
    style of the page uses) and without empty groups."""
    out: list[str] = []
    kept: list[bool] = []  # for each open group: whether its tags are kept
    pos = 0
    for found in _GROUP.finditer(svg):
        out.append(svg[pos:found.start()])
        pos = found.end()
        if found.group(0) == "</g>":
            if kept.pop():
                if out and out[-1].startswith("<g") and not out[-1].startswith("<g>"):
                    out.pop()  # an empty group: nothing to draw
                else:
                    out.append("</g>")
            continue
        attributes = _GROUP_CLASS.sub("", found.group(1) or "")
        kept.append(bool(attributes.strip()))
        if kept[-1]:
            out.append(f"<g{attributes}>")
    out.append(svg[pos:])
    return "".join(out)


def lean_svg(svg: str) -> str:
    """``svg`` (drawn by vl-convert) with the same picture in fewer elements (see the module)."""
    svg = _IDLE.sub("", svg)
    svg = _EMPTY_BACKGROUND.sub("", svg)
    return _unwrapped(_merge_runs(svg))


def element_count(svg: str) -> int:
    """How many elements ``svg`` has."""
    return len(re.findall(r"<[a-zA-Z]", svg))
