"""Where life is for the two of you: the season a recent life event puts you in, and what fits it.

The guides' advice changes with the season: new parents need micro-moments of touch and gratitude,
not a night out dressed up; a new job or an illness leaves little energy for adventures; a move
unsettles the daily rhythm; time apart asks for rituals of reconnection. The letter reads the
season from the life events the couple marked (:meth:`~reflect.storage.store.Store.event_frame`):
the most recent event still inside its season (:data:`SEASONS`) decides it.

>>> import pandas as pd
>>> events = pd.DataFrame({"day": [pd.Timestamp("2026-09-14").date()], "month": ["2026-09"], "kind": ["birth"],
...                        "words": ["Our baby, Ada, is born"], "name": ["the birth"]})
>>> season("2026-11", events).kind
'birth'
>>> season("2028-01", events) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reflect.domain.months import add_months, parse_month


@dataclass(frozen=True)
class Season:
    """A season of life: the event ``kind`` that began it, how many ``months`` it lasts in the
    letter's eyes, whether it leaves little energy (``gentle``: no suggestion that asks for an
    evening out, an adventure or a new challenge), how the letter names it, and what fits it."""

    kind: str
    months: int
    gentle: bool
    name: str
    suggestions: tuple[str, ...]


#: The seasons, by the life event's kind (:data:`reflect.domain.lifeevents.KINDS`).
SEASONS: dict[str, Season] = {
    "birth": Season("birth", 12, True, "the months with a new baby", (
        "Look for micro-moments rather than evenings: a six-second kiss at the door, a hand on the back while "
        "the baby feeds, a thank-you said out loud for a night feed.",
        "Trade one small kindness a day: a cup of tea brought, a nap guarded, ten minutes off for the other.",
        "Before sleep, name one thing each that you were grateful for in the other today.",
    )),
    "new-job": Season("new-job", 4, True, "the weeks of the new job", (
        "Keep one small ritual fixed while work settles: the same twenty minutes together each evening, "
        "phones away.",
        "Ask each other once a week: what was the hardest part of the week, and what would help?",
        "Send one \u201cthinking of you\u201d message in the middle of a busy day.",
    )),
    "move": Season("move", 4, False, "the months after the move", (
        "Make the new place yours together: one walk a week to find a favourite spot in the neighbourhood.",
        "Keep one old ritual going in the new home, so something stays the same while the rest changes.",
        "Name one low-stress plan for the new place: a café list, a walking route, a class.",
    )),
    "illness": Season("illness", 6, True, "this time of illness", (
        "Ask rather than guess: \u201cwhat would help today: company, quiet, or a hand to hold?\u201d",
        "Share the problem-solving: one practical thing each week that you sort out together.",
        "Keep touch gentle and unhurried: sitting close, a hand held, no goal.",
    )),
    "loss": Season("loss", 12, True, "this time of grief", (
        "Make room for the loss together: share one memory, and let it be sad.",
        "Ask each other what helps on the hard days, and what does not.",
        "Keep the bar low: one kind gesture a day is enough.",
    )),
    "distance": Season("distance", 6, False, "the time apart", (
        "Agree one ritual of reconnection for the calls: the same question at the start, or a meal eaten "
        "together on video.",
        "Send something small that can be held: a letter, a photo, a song for the day.",
        "Plan the next time together and count down to it.",
    )),
}


def season(month: str, events: pd.DataFrame) -> Season | None:
    """The season ``month`` is in: that of the most recent life event up to ``month`` whose season
    still lasts (``None`` when none does)."""
    month = parse_month(month)
    if events is None or events.empty:
        return None
    recent = events[events["month"] <= month].sort_values("day", ascending=False)
    for event in recent.itertuples():
        found = SEASONS.get(str(event.kind))
        if found is not None and month <= add_months(str(event.month), found.months - 1):
            return found
    return None
