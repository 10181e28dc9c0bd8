"""What the ratings say, in words: a few warm findings for a month, each with suggestions.

Findings are observations, never a diagnosis. Suggestions come from the practices couples'
guides name (listening, appreciation, repair, rituals, touch, novelty, talking about needs),
written here in the kit's own words; several are kept for each situation and the choice turns
with the month, so the same advice does not come back month after month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reflect.analytics import analysis
from reflect.analytics.phrases import and_list, dimension_words, dimensions_words, number_words, score, signed
from reflect.domain.dimensions import KEYS, label
from reflect.domain.months import add_months, month_start, parse_month
from reflect.errors import NoData

#: Scores this low on average (all six) for :data:`LOW_MONTHS` months in a row bring up
#: counselling, as a sign of strength.
LOW_AVERAGE = 4.5
LOW_MONTHS = 3


@dataclass(frozen=True)
class Insight:
    """One finding: what kind, about whom (``None``: about the couple), the sentence, and one or
    two suggestions that fit it."""

    kind: str
    text: str
    person: str | None = None
    suggestions: tuple[str, ...] = field(default_factory=tuple)
    #: How strongly it shows, in points (a gap, a change, how low a score is): orders findings of
    #: the same kind, the strongest first.
    weight: float = 0.0


#: The order in which findings matter, most first; :func:`insights` returns them in it, and the
#: report's letter leads with the first :data:`LEAD_FINDINGS`. Why this order:
#:
#: 1. ``support``: scores low across the board for months. Care comes before anything else.
#: 2. ``unmet_needs``: a person said what they would like more of; it is theirs, and it can be acted on.
#: 3. ``balance``: passion and intimacy out of step, the imbalance the guides build on.
#: 4. ``mismatched_needs``, then ``seen_differently``: where the two of you differ, in wishes, then
#:    in how you saw the month; talked about, a difference brings you closer.
#: 5. ``change``: the biggest move since last month (a drop counts a little more than a rise).
#: 6. ``weakest``: the lowest dimension, with a question to start on it.
#: 7. ``streak``, ``in_step`` and ``strongest``: good to notice, not what to lead with.
ORDER: tuple[str, ...] = ("support", "unmet_needs", "balance", "mismatched_needs", "seen_differently", "change",
                          "weakest", "streak", "in_step", "strongest")
#: How many findings the report's letter shows in full; the rest go under "More to notice".
LEAD_FINDINGS = 3


def ranked(found: list[Insight]) -> list[Insight]:
    """``found`` in :data:`ORDER`, the strongest first within a kind (a stable sort: ties keep their order)."""
    return sorted(found, key=lambda i: (ORDER.index(i.kind), -i.weight))


SUGGESTIONS: dict[str, tuple[str, ...]] = {
    analysis.HIGH_PASSION: (
        "Set aside twenty quiet minutes to each share one worry you have not said out loud yet; the "
        "other only listens and names the feeling they heard.",
        "Next time a small misunderstanding happens, try a repair talk: own your part, ask what the "
        "other needed, agree one small change.",
        "Swap one night out for a night in with the phones in another room and a question each that "
        "you are curious about.",
        "Practise saying \"I feel ... and I need ...\" about something small, before it becomes big.",
        "Ask each other: what is something you wish I understood better about your week?",
    ),
    analysis.HIGH_INTIMACY: (
        "Plan one micro-adventure this month: a place neither of you has been, even an hour away.",
        "Change the setting: a different room, a picnic, a dinner somewhere new. Novelty feeds desire.",
        "Make time for touch with no goal or pressure: a long massage, a slow dance in the kitchen.",
        "Flirt on purpose: a message in the middle of the day, a compliment you would normally keep.",
        "Try something mildly risky and playful together, and let yourselves be beginners at it.",
    ),
    "mismatched": (
        "Talk about each one's rhythm without blame: when do you most want closeness, and when do you "
        "need space?",
        "Agree on a pace you can both live with for the next month, and check in on it at the next "
        "reflection.",
        "Look at what else is weighing on you (stress, sleep, health); desire often follows those.",
        "If the same gap keeps coming back, a couples counsellor can help you find a middle that "
        "works for both.",
    ),
    "seen_differently": (
        "Compare notes: each of you describe one moment this month that shaped your score.",
        "Ask with curiosity rather than to correct: what did you notice that I might have missed?",
        "Take turns listening for five minutes each, then reflect back what you heard.",
    ),
    "drop": (
        "A dip is normal, especially around big changes. Notice it together, then turn toward each other.",
        "Ask each other one question about it this week: what changed for you?",
        "Pick one small thing that helped before and do it again this week.",
    ),
    "rise": (
        "Say out loud what you think made the difference, so you can keep doing it.",
        "Thank each other for something specific that helped this month.",
        "Write it down as a keepsake for the month: what went well and why.",
    ),
    "balanced": (
        "Keep one ritual that feeds each side: a playful date for the spark, a quiet talk for closeness.",
        "Tell each other what has been working lately, as specifically as you can.",
        "Put next month's special evening in the calendar now.",
    ),
    "streak": (
        "Keep the rhythm light: a tiny daily check-in counts more than a long one now and then.",
        "Mark the streak with a small monthly ritual: a special evening, a photo, a note in a jar.",
    ),
    "gap": (
        "No need to catch up on the months you missed: just begin again from here.",
        "Put the next reflection in both your calendars, like any other date.",
    ),
    "strongest": (
        "Name it to each other: what are you doing that makes this part work?",
        "Lean on this strength when other parts feel harder.",
        "Give one specific appreciation about it this week.",
    ),
    "support": (
        "Seeing a couples counsellor is a sign of strength and care, not of failure.",
        "Look after yourselves too: sleep, friends and time outside all feed the relationship.",
        "Keep the bar low for now: one kind gesture a day is enough to start turning back toward each other.",
        "Talk to someone you trust, together or alone; you do not have to work it all out as a couple.",
    ),
}

#: Suggestions for a dimension that is low or wanted more of.
DIMENSION_SUGGESTIONS: dict[str, tuple[str, ...]] = {
    "passion": (
        "Plan a date as if you were new to each other: dress up, go somewhere unexpected.",
        "Surprise each other once this month, in a small and playful way.",
        "Tell each other one thing you find attractive about the other today.",
    ),
    "emotional": (
        "Try a one-minute daily check-in: \"Anything on your heart today?\" and just listen.",
        "Share one fear or hope you have been carrying, and ask for listening, not advice.",
        "When the other opens up, reflect back what you heard before responding.",
    ),
    "physical": (
        "Start with non-sexual touch: a long hug each morning, holding hands on a walk.",
        "Ask each other what kind of touch feels good right now, and what does not.",
        "Sit close without screens for ten minutes in the evening.",
    ),
    "intellectual": (
        "Read the same article or book chapter and talk about it over dinner.",
        "Pick a topic you disagree on and explore it with curiosity, not to win.",
        "Learn something new together: a class, a museum, a documentary.",
    ),
    "experiential": (
        "Start a small weekly ritual together: a phone-free hour, a walk, cooking one meal.",
        "Plan a micro-adventure: somewhere neither of you has been.",
        "Face one small challenge together: a hike, a project, a new recipe.",
    ),
    "spiritual": (
        "Talk about what gives each of you meaning, and what you hope for in five years.",
        "Spend a quiet moment together outdoors, and share what you are grateful for.",
        "Talk about one value you share and one way to live it more this month.",
    ),
}

#: Questions to open a conversation about each dimension.
CONVERSATION_STARTERS: dict[str, tuple[str, ...]] = {
    "passion": (
        "When did you last feel really wanted by me?",
        "What is something playful you have always wanted us to try?",
        "What did we do in our early days that you miss?",
        "What makes you feel most attractive?",
    ),
    "emotional": (
        "What is something you have been worrying about that I might not know?",
        "When did you feel most supported by me recently?",
        "Is there something you have held back because you were not sure how I would react?",
        "What do you need from me when you have had a hard day?",
    ),
    "physical": (
        "What kind of touch makes you feel most loved?",
        "Is there a time of day when you would like more closeness?",
        "Is there anything about touch that feels uncomfortable right now?",
        "What small gesture of affection would make your day?",
    ),
    "intellectual": (
        "What idea has been on your mind lately?",
        "What is something you have changed your mind about?",
        "What would you like us to learn together this year?",
        "What conversation with me did you enjoy most recently?",
    ),
    "experiential": (
        "What is one thing you would love us to do together this month?",
        "Which of our rituals matters most to you?",
        "What adventure, big or small, is on your wish list?",
        "When did we last have real fun together?",
    ),
    "spiritual": (
        "What gives your life meaning right now?",
        "Where do you see us in five years?",
        "Which of our shared values feels strongest to you?",
        "What are you most grateful for in us?",
    ),
}


def _turn(pool: tuple[str, ...], month: str, salt: str, n: int = 2, *, take: int | None = None) -> tuple[str, ...]:
    """Items of ``pool`` chosen by the month: each month starts ``n`` further on, so a pool of at
    least ``2n`` never gives the same ``n`` items in two months running. ``take`` items are
    returned (default ``n``), in turn order."""
    if not pool:
        return ()
    start = month_start(month)
    index = (start.year * 12 + start.month) * n + sum(map(ord, salt))
    count = min(take if take is not None else n, len(pool))
    return tuple(pool[(index + i) % len(pool)] for i in range(count))


class _Chooser:
    """Picks suggestions for one month, never the same one twice in that month."""

    def __init__(self, month: str):
        self.month = month
        self.used: set[str] = set()

    def __call__(self, pool: tuple[str, ...], salt: str, n: int = 2) -> tuple[str, ...]:
        ordered = _turn(pool, self.month, salt, n, take=len(pool))
        picked = tuple(x for x in ordered if x not in self.used)[:n]
        self.used.update(picked)
        return picked


def conversation_starters(key: str, month: str, n: int = 3) -> tuple[str, ...]:
    """Questions to open a conversation about dimension ``key``, turning with the month."""
    return _turn(CONVERSATION_STARTERS[key], month, key, n)


def insights(
    checkins: pd.DataFrame, month: str | None = None, thresholds: analysis.Thresholds = analysis.DEFAULT_THRESHOLDS
) -> list[Insight]:
    """The findings that matter most for ``month`` (default: the latest), most important first."""
    month = parse_month(month) if month else analysis.latest_month(checkins)
    table = analysis.monthly_table(checkins, thresholds)
    rows = table[table["month"] == month]
    if rows.empty:
        raise NoData(f"there are no check-ins in {month}")
    pick = _Chooser(month)
    found: list[Insight] = []
    found += _support(table, month, pick)
    found += _balance(rows, pick)
    for r in rows.to_dict("records"):
        if r["unmet_needs"]:
            found.append(_unmet(r, pick))
    found += _partners(rows, thresholds, pick)
    found += _biggest_change(rows, pick)
    found += _weakest_and_strongest(rows, month, pick)
    found += _rhythm(checkins, rows, month, pick)
    return ranked(found)


def _support(table: pd.DataFrame, month: str, pick: _Chooser) -> list[Insight]:
    out = []
    for person, part in table.groupby("person"):
        recent = part.set_index("month")
        months = [add_months(month, -i) for i in range(LOW_MONTHS)]
        if all(m in recent.index for m in months):
            means = [float(recent.loc[m, list(KEYS)].mean()) for m in months]
            if all(v <= LOW_AVERAGE for v in means):
                out.append(Insight(
                    "support",
                    f"{person}, your scores have been low across the board for {LOW_MONTHS} months. That "
                    "takes a toll, and you do not have to carry it alone: talking to a couples "
                    "counsellor is a sign of strength.",
                    person,
                    pick(SUGGESTIONS["support"], "support"),
                ))
    return out


def _balance(rows: pd.DataFrame, pick: _Chooser) -> list[Insight]:
    out = []
    balanced = []
    for r in rows.to_dict("records"):
        p, idx, who = r["passion"], r["intimacy_index"], r["person"]
        if r["balance"] == analysis.HIGH_PASSION:
            text = (f"{who}: plenty of spark this month (passion {score(p)}), while the closeness underneath scored "
                    f"lower (intimacy index {score(idx)}). Chemistry is a gift; the safety to be open keeps it going.")
        elif r["balance"] == analysis.HIGH_INTIMACY:
            text = (f"{who}: you feel close (intimacy index {score(idx)}) while the spark is quieter "
                    f"(passion {score(p)}). Deep friendship with less desire is common, especially in busy or "
                    "tiring seasons.")
        else:
            balanced.append(f"{who}: passion {score(p)}, intimacy index {score(idx)}")
            continue
        out.append(Insight("balance", text, who, pick(SUGGESTIONS[r["balance"]], who), weight=abs(p - idx)))
    if balanced and not out:
        both = "both of you" if len(balanced) == 2 else ("you" if len(balanced) == 1 else "all of you")
        strong = all(r["passion"] >= 6 and r["intimacy_index"] >= 6 for r in rows.to_dict("records"))
        tail = ("Both are present: worth noticing, and worth protecting." if strong else
                "They move together, even if both are lower than you might like; lifting one tends to lift the other.")
        out.append(Insight(
            "in_step",
            f"Passion and intimacy are in step for {both} this month ({'; '.join(balanced)}). {tail}",
            None, pick(SUGGESTIONS["balanced"], "balanced", 1),
        ))
    return out


def _unmet(r: dict[str, Any], pick: _Chooser) -> Insight:
    keys = list(r["unmet_needs"])
    gaps = ", ".join(f"{label(k).lower()} {score(r[k])} now, {score(r['desired_' + k])} wished" for k in keys)
    text = (f"{r['person']} would like more {dimensions_words(keys)} than there is right now ({gaps}). "
            "Naming a need is the first step to meeting it; your partner is not a mind reader.")
    largest = max(keys, key=lambda k: r["desired_" + k] - r[k])
    return Insight("unmet_needs", text, r["person"], pick(DIMENSION_SUGGESTIONS[largest], largest),
                   weight=float(r["desired_" + largest] - r[largest]))


def _partners(rows: pd.DataFrame, thresholds: analysis.Thresholds, pick: _Chooser) -> list[Insight]:
    result = analysis.partners(rows, thresholds)
    if result is None:
        return []
    a, b = rows.iloc[0], rows.iloc[1]
    out = []
    if result["mismatched_needs"]:
        keys = result["mismatched_needs"]
        detail = "; ".join(f"{label(k).lower()}: {a['person']} {score(a['desired_' + k])}, "
                           f"{b['person']} {score(b['desired_' + k])}" for k in keys)
        out.append(Insight(
            "mismatched_needs",
            f"You would like different amounts of {dimensions_words(keys)} ({detail}). Neither wish is wrong; "
            "different rhythms are something to talk about together, not a problem to fix alone.",
            None, pick(SUGGESTIONS["mismatched"], "mismatched"),
            weight=max(abs(a["desired_" + k] - b["desired_" + k]) for k in keys),
        ))
    if result["seen_differently"]:
        keys = result["seen_differently"]
        detail = "; ".join(f"{label(k).lower()}: {a['person']} {score(a[k])}, {b['person']} {score(b[k])}"
                           for k in keys)
        out.append(Insight(
            "seen_differently",
            f"You see {dimensions_words(keys)} quite differently this month ({detail}). "
            "Two honest views of the same month are worth comparing.",
            None, pick(SUGGESTIONS["seen_differently"], "seen"),
            weight=max(abs(a[k] - b[k]) for k in keys),
        ))
    return out


def _biggest_change(rows: pd.DataFrame, pick: _Chooser) -> list[Insight]:
    best: tuple[float, str, str] | None = None
    for r in rows.to_dict("records"):
        for k in KEYS:
            c = r[f"change_{k}"]
            if pd.notna(c) and (best is None or abs(c) > abs(best[0])):
                best = (float(c), r["person"], k)
    if best is None or abs(best[0]) < 1.0:
        return []
    change, who, key = best
    if change > 0:
        text = f"The biggest move since last month: {who}'s {dimension_words(key)}, up {score(change)} points."
        return [Insight("change", text, who, pick(SUGGESTIONS["rise"], "rise"), weight=change)]
    text = f"The biggest move since last month: {who}'s {dimension_words(key)}, down {score(-change)} points."
    advice = pick(SUGGESTIONS["drop"], "drop", 1) + pick(DIMENSION_SUGGESTIONS[key], key, 1)
    return [Insight("change", text, who, advice, weight=-change + 0.5)]


def _weakest_and_strongest(rows: pd.DataFrame, month: str, pick: _Chooser) -> list[Insight]:
    out = []
    for r in rows.to_dict("records"):
        scores = {k: r[k] for k in KEYS}
        if max(scores.values()) - min(scores.values()) < 1.0:
            continue  # all about the same: nothing stands out
        low = min(KEYS, key=lambda k: (scores[k], KEYS.index(k)))
        high = max(KEYS, key=lambda k: (scores[k], -KEYS.index(k)))
        question = f"\u201c{conversation_starters(low, month, 1)[0]}\u201d"
        if scores[low] >= 7:
            text = (f"{r['person']}: everything is at 7 or above this month; {dimension_words(low)}, "
                    f"at {score(scores[low])}, has the most room to grow. A question to start with: {question}")
        else:
            text = (f"{r['person']}: {dimension_words(low)} scored lowest this month ({score(scores[low])}). "
                    f"A low score is information, not a verdict. A question to start with: {question}")
        out.append(Insight("weakest", text, r["person"], pick(DIMENSION_SUGGESTIONS[low], low),
                           weight=10 - scores[low]))
        out.append(Insight(
            "strongest",
            f"{r['person']}: {dimension_words(high)} is where you feel strongest ({score(scores[high])}).",
            r["person"], pick(SUGGESTIONS["strongest"], "strongest", 1),
        ))
    return out


def _rhythm(checkins: pd.DataFrame, rows: pd.DataFrame, month: str, pick: _Chooser) -> list[Insight]:
    out = []
    streaks: dict[int, list[str]] = {}
    for person in rows["person"]:
        n = analysis.streak(checkins, person, month)
        had_before = bool((checkins.loc[checkins["person"] == person, "month"] < add_months(month, -1)).any())
        if n >= 3:
            streaks.setdefault(n, []).append(person)
        elif n == 1 and had_before:
            out.append(Insight("streak", f"Welcome back, {person}: after a gap, picking the reflection up again "
                               "is what counts.", person, pick(SUGGESTIONS["gap"], person, 1)))
    for n, people in sorted(streaks.items(), reverse=True):
        if len(people) == 2 and len(rows) == 2:
            who = "You have both"
        else:
            who = f"{and_list(people)} {'has' if len(people) == 1 else 'have'}"
        out.append(Insight("streak", f"{who} reflected {n} months in a row. Consistency matters more than intensity.",
                           people[0] if len(people) == 1 else None, pick(SUGGESTIONS["streak"], "streak", 1)))
    return out


# -- trends in words --------------------------------------------------------------------------------

#: How a trend reading reads in a sentence.
READING_WORDS = {"rising": "rising", "falling": "dipping", "steady": "steady"}


def trend_words(
    readings: pd.DataFrame, dimensions: Sequence[str] = KEYS, *, span: str | None = None
) -> tuple[str, ...]:
    """One sentence per person from :func:`~reflect.analytics.analysis.trend`'s ``readings``: what
    rose and what dipped (with its pace), whether the rest held steady, and the intimacy index.

    ``span`` names the window (default ``the last six months``). With fewer than
    :data:`~reflect.analytics.analysis.MIN_TREND_POINTS` months of check-ins in it, the sentence says
    it is too early to say rather than read a direction into a few points.
    """
    span = span or f"the last {number_words(analysis.TREND_MONTHS)} months"
    lines = []
    for person, rows in readings.groupby("person", sort=False):
        by_key = {r.key: r for r in rows.itertuples()}
        index = by_key.get("intimacy_index")
        if index is None:
            continue
        if index.reading == analysis.TOO_EARLY:
            have = int(index.months)
            lines.append(
                f"{person}: too early to say how things are moving. A trend needs check-ins in at least "
                f"{number_words(analysis.MIN_TREND_POINTS)} of {span}, and there "
                f"{'is' if have == 1 else 'are'} {number_words(have)} so far.")
            continue
        moving = [by_key[k] for k in dimensions if k in by_key and by_key[k].reading in ("rising", "falling")]
        steady = [k for k in dimensions if k in by_key and by_key[k].reading == "steady"]
        parts = []
        if moving:
            parts.append(", ".join(f"{dimension_words(r.key)} {READING_WORDS[r.reading]} ({signed(r.slope)} a month)"
                                   for r in moving))
            if steady:
                parts.append("the rest steady")
        if index.reading == "steady":
            parts.append("the intimacy index steady" if moving or not steady else
                         "everything steady, the intimacy index too")
        else:
            if not moving and steady:
                parts.append("each dimension steady on its own")
            parts.append(f"the intimacy index {READING_WORDS[index.reading]} ({signed(index.slope)} a month)")
        months = int(index.months)
        within = f" ({number_words(months)} with check-ins)" if months < analysis.TREND_MONTHS else ""
        lines.append(f"{person}, over {span}{within}: {'; '.join(parts)}.")
    return tuple(lines)
