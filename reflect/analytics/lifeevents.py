"""Life events in the numbers: what moved around a move, a birth, a new job, an illness or a loss.

For each event, the couple's mean scores in the :data:`WINDOW` months before the event's month are
set against those from the event's month on (up to :data:`WINDOW` months, and not past the month
being read): a move of at least :data:`MOVE` points is worth a sentence, said kindly and with what
such an event tends to do ("passion dipped after the birth in March: common after a birth, and it
tends to come back"), and whether it has come back since. Patterns in your own data, never causes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from reflect.analytics.phrases import dimensions_together
from reflect.domain.dimensions import KEYS
from reflect.domain.lifeevents import KINDS
from reflect.domain.months import add_months, month_start, parse_month

#: Months before and after an event that are compared.
WINDOW = 3
#: A change of at least this many points (the couple's mean) is worth a sentence.
MOVE = 1.0
#: Back within this many points of before counts as "come back".
BACK = 0.5
#: Events this many months before the month read, or fewer, are talked about.
LOOK_BACK = 12


def _couple(table: pd.DataFrame, people: Sequence[str] | None) -> pd.DataFrame:
    part = table if people is None else table[table["person"].isin(list(people))]
    return part.groupby("month", sort=True)[[*KEYS, "intimacy_index"]].mean()


def changes(table: pd.DataFrame, events: pd.DataFrame, month: str, *, people: Sequence[str] | None = None,
            look_back: int = LOOK_BACK) -> list[dict[str, Any]]:
    """For each event from ``look_back`` months before ``month`` up to it: its ``event`` (a row of
    :meth:`~reflect.storage.store.Store.event_frame`), and the dimensions that ``fell`` and ``rose``
    by :data:`MOVE` or more (key -> (before, after, now)), ``back``: those fallen that came back, and
    ``already``: those that moved as much but were already moving that way in the months before
    (key -> "rising" or "falling"): nothing is said to follow an event that it did not follow."""
    month = parse_month(month)
    if events.empty or table.empty:
        return []
    scores = _couple(table, people)
    out = []
    first = add_months(month, -look_back)
    for event in events[(events["month"] >= first) & (events["month"] <= month)].itertuples():
        before = scores.loc[[m for m in scores.index if add_months(event.month, -WINDOW) <= m < event.month]]
        after = scores.loc[[m for m in scores.index if event.month <= m <= min(month, add_months(event.month,
                                                                                            WINDOW - 1))]]
        since = scores.loc[[m for m in scores.index if m <= month]].tail(1)
        fell, rose, back, already = {}, {}, [], {}
        if not before.empty and not after.empty:
            for key in KEYS:
                b, a, now = float(before[key].mean()), float(after[key].mean()), float(since[key].iloc[0])
                drift = float(before[key].iloc[-1] - before[key].iloc[0]) if len(before) >= 2 else 0.0
                if (a <= b - MOVE and drift <= -MOVE / 2) or (a >= b + MOVE and drift >= MOVE / 2):
                    already[key] = "falling" if a < b else "rising"  # it was moving that way before
                    continue
                if a <= b - MOVE:
                    fell[key] = (b, a, now)
                    if since.index[0] > after.index[-1] and now >= b - BACK:
                        back.append(key)
                elif a >= b + MOVE:
                    rose[key] = (b, a, now)
        out.append({"event": event, "fell": fell, "rose": rose, "back": back, "already": already,
                    "before": len(before),
                    "after": len(after)})
    return out


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _when(event_month: str, month: str) -> str:
    if event_month == month:
        return "this month"
    shown = month_start(event_month)
    return f"in {shown:%B}" if event_month[:4] == month[:4] else f"in {shown:%B %Y}"


def event_words(table: pd.DataFrame, events: pd.DataFrame, month: str, *,
                people: Sequence[str] | None = None) -> list[str]:
    """A sentence for each recent life event, taking it into account: what dipped after it (and what
    such an event tends to do), what rose, or that nothing much moved."""
    lines = []
    for found in changes(table, events, month, people=people):
        e = found["event"]
        name, context = KINDS[e.kind]
        name = f"\u201c{e.words}\u201d" if e.kind == "other" else name
        when = _when(e.month, month)
        if not found["before"]:
            lines.append(f"{name[:1].upper() + name[1:]} {when}: there are no months before it to compare with.")
            continue
        if not found["after"]:
            continue
        parts = []
        if found["fell"]:
            sentence = f"{_capital(dimensions_together(list(found['fell'])))} dipped after {name} {when}: {context}"
            if found["back"]:
                came = found["back"]
                if set(came) == set(found["fell"]):
                    sentence += "; it has come back since" if len(came) == 1 else "; they have come back since"
                else:
                    sentence += f"; {dimensions_together(came)} {'have' if len(came) > 1 else 'has'} come back since"
            parts.append(sentence + ".")
        if found["rose"]:
            parts.append(f"{_capital(dimensions_together(list(found['rose'])))} rose after {name} {when}.")
        for way in ("rising", "falling"):
            keys = [k for k, w in found["already"].items() if w == way]
            if keys:
                were = "was" if len(keys) == 1 else "were"
                parts.append(f"{_capital(dimensions_together(keys))} {were} already {way} in the months before "
                             f"{name} {when}.")
        if not parts:
            parts.append(f"Little moved after {name} {when}: the scores stayed within a point of the months before.")
        lines.extend(parts)
    return lines


def chart_marks(events: pd.DataFrame, months: Sequence[str] | None = None) -> pd.DataFrame:
    """The events to draw on a chart over ``months``: ``date`` (the day), ``label`` (a short name)
    and ``words``."""
    cols = ["date", "label", "words"]
    if events.empty:
        return pd.DataFrame(columns=cols)
    part = events if months is None else events[events["month"].isin(list(months))]
    labels = {"birth": "Birth", "move": "Move", "new-job": "New job", "illness": "Illness", "loss": "Loss",
              "distance": "Apart"}
    return pd.DataFrame({"date": part["day"], "label": [labels.get(k, w[:18]) for k, w in zip(part["kind"],
                                                                                              part["words"],
                                                                                              strict=True)],
                         "words": part["words"]}, columns=cols).reset_index(drop=True)
