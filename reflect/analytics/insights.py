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
from reflect.analytics.phrases import (
    and_list,
    dimension_words,
    dimensions_together,
    dimensions_words,
    number_words,
    score,
    signed,
)
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
    #: The situation it describes, as the practice cards name theirs (``unmet_emotional``,
    #: ``high_intimacy_low_passion``, ``seen_differently`` ...): what the letter's practices fit.
    situation: str = ""
    #: The dimensions it is about (a question to talk about one of them fits it).
    keys: tuple[str, ...] = ()


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
        "Notice the dip together, without blame, and turn toward each other: what changed for each of you?",
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
        "Seeing a couples counsellor together is an act of care for the two of you.",
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


#: Suggestions that ask for energy a gentle season of life does not have (an evening out, an
#: adventure, a new challenge): left out while one lasts (:mod:`reflect.analytics.lifestage`).
DEMANDING: frozenset[str] = frozenset({
    DIMENSION_SUGGESTIONS["passion"][0], DIMENSION_SUGGESTIONS["intellectual"][2],
    DIMENSION_SUGGESTIONS["experiential"][1], DIMENSION_SUGGESTIONS["experiential"][2],
    SUGGESTIONS[analysis.HIGH_INTIMACY][0], SUGGESTIONS[analysis.HIGH_INTIMACY][1],
    SUGGESTIONS[analysis.HIGH_INTIMACY][4], SUGGESTIONS[analysis.HIGH_PASSION][2],
})


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


class Chooser:
    """Picks suggestions and questions for one month's letter, never the same one twice in it.

    ``gentle``: a season of life with little energy to spare (a new baby, an illness ...): the
    :data:`DEMANDING` suggestions are left out.
    """

    def __init__(self, month: str, *, gentle: bool = False):
        self.month = month
        self.gentle = gentle
        self.used: set[str] = set()

    def __call__(self, pool: tuple[str, ...], salt: str, n: int = 2) -> tuple[str, ...]:
        ordered = _turn(pool, self.month, salt, n, take=len(pool))
        picked = tuple(x for x in ordered if x not in self.used and not (self.gentle and x in DEMANDING))[:n]
        self.used.update(picked)
        return picked

    def questions(self, key: str, n: int = 1) -> tuple[str, ...]:
        """``n`` questions to talk about dimension ``key`` that this letter has not asked yet."""
        return self(CONVERSATION_STARTERS[key], f"ask-{key}", n)


def conversation_starters(key: str, month: str, n: int = 3) -> tuple[str, ...]:
    """Questions to open a conversation about dimension ``key``, turning with the month."""
    return _turn(CONVERSATION_STARTERS[key], month, key, n)


def insights(
    checkins: pd.DataFrame, month: str | None = None, thresholds: analysis.Thresholds = analysis.DEFAULT_THRESHOLDS,
    *, chooser: Chooser | None = None,
) -> list[Insight]:
    """The findings that matter most for ``month`` (default: the latest), most important first.

    What is true of both partners is one finding about both ("you both would like more passion").
    ``chooser`` picks the suggestions (pass the letter's own, so that nothing is suggested twice in
    it, and a season of life is respected); by default one for this month.
    """
    month = parse_month(month) if month else analysis.latest_month(checkins)
    table = analysis.monthly_table(checkins, thresholds)
    rows = table[table["month"] == month]
    if rows.empty:
        raise NoData(f"there are no check-ins in {month}")
    pick = chooser or Chooser(month)
    found: list[Insight] = []
    found += _support(table, month, pick)
    found += _balance(rows, pick)
    found += _unmet(rows, pick)
    found += _partners(rows, thresholds, pick)
    found += _biggest_change(rows, pick)
    found += _weakest_and_strongest(rows, pick)
    found += _rhythm(checkins, rows, month, pick)
    return ranked(found)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _both(rows: pd.DataFrame) -> bool:
    return len(rows) == 2


def _support(table: pd.DataFrame, month: str, pick: Chooser) -> list[Insight]:
    low = []
    for person, part in table.groupby("person", sort=True):
        recent = part.set_index("month")
        months = [add_months(month, -i) for i in range(LOW_MONTHS)]
        if all(m in recent.index for m in months) and month in recent.index:
            means = [float(recent.loc[m, list(KEYS)].mean()) for m in months]
            if all(v <= LOW_AVERAGE for v in means):
                low.append(str(person))
    if not low:
        return []
    whose = "Your scores have both" if len(low) == 2 else f"{low[0]}, your scores have"
    text = (f"{whose} been low across the board for {number_words(LOW_MONTHS)} months. That takes a toll, and you "
            "do not have to carry it alone: talking to a couples counsellor is a sign of strength.")
    return [Insight("support", text, low[0] if len(low) == 1 else None, pick(SUGGESTIONS["support"], "support"),
                    situation="support")]


#: Levels a word needs: "plenty of spark" needs passion this high, "you feel close" an intimacy index this high.
HIGH_LEVEL = 6.0


def _balance_words(kind: str, passion: float, index: float) -> str:
    if kind == analysis.HIGH_PASSION:
        if passion >= HIGH_LEVEL:
            return "plenty of spark, while the closeness underneath scored lower"
        return "passion runs ahead of closeness, though neither is high this month"
    if index >= HIGH_LEVEL:
        return "you feel close while the spark is quieter"
    return "closeness runs ahead of passion, though neither is high this month"


#: The balance words said of both of you at once.
_BOTH_WORDS = {
    "plenty of spark, while the closeness underneath scored lower":
        "You both have plenty of spark, while the closeness underneath scored lower",
    "passion runs ahead of closeness, though neither is high this month":
        "For both of you, passion runs ahead of closeness, though neither is high this month",
    "you feel close while the spark is quieter": "You both feel close while the spark is quieter",
    "closeness runs ahead of passion, though neither is high this month":
        "For both of you, closeness runs ahead of passion, though neither is high this month",
}


def _balance(rows: pd.DataFrame, pick: Chooser) -> list[Insight]:
    records = rows.to_dict("records")
    leaning = [r for r in records if r["balance"] != analysis.BALANCED]
    if not leaning:
        both = "both of you" if len(records) == 2 else "you"
        strong = all(r["passion"] >= HIGH_LEVEL and r["intimacy_index"] >= HIGH_LEVEL for r in records)
        tail = " Both are present." if strong else " Lifting one tends to lift the other."
        return [Insight("in_step", f"Passion and intimacy are in step for {both} this month.{tail}", None,
                        pick(SUGGESTIONS["balanced"], "balanced", 1), situation="good_month" if strong else "")]
    out = []
    words = {r["person"]: _balance_words(r["balance"], r["passion"], r["intimacy_index"]) for r in leaning}
    context = {
        analysis.HIGH_PASSION: " Chemistry carries a lot; the safety to be open is what keeps it going.",
        analysis.HIGH_INTIMACY: " Deep friendship with less desire is common, especially in busy or tiring seasons.",
    }
    if len(leaning) == 2 and len(set(words.values())) == 1:
        kind = leaning[0]["balance"]
        text = f"{_BOTH_WORDS[next(iter(words.values()))]}.{context[kind]}"
        weight = max(abs(r["passion_gap"]) for r in leaning)
        return [Insight("balance", text, None, pick(SUGGESTIONS[kind], kind), weight=weight, situation=kind,
                        keys=("passion",))]
    for r in leaning:
        who, kind = r["person"], r["balance"]
        text = f"{who}: {words[who]}.{context[kind]}"
        context[kind] = ""  # said once in a letter
        out.append(Insight("balance", text, who, pick(SUGGESTIONS[kind], who), weight=abs(r["passion_gap"]),
                           situation=kind, keys=("passion",)))
    return out


def _unmet(rows: pd.DataFrame, pick: Chooser) -> list[Insight]:
    records = [r for r in rows.to_dict("records") if r["unmet_needs"]]
    if not records:
        return []

    def detail(r: dict[str, Any], keys: list[str]) -> str:
        return ", ".join(f"{label(k).lower()} {score(r[k])} now, {score(r['desired_' + k])} wished" for k in keys)

    def largest(r: dict[str, Any], keys: list[str]) -> str:
        return max(keys, key=lambda k: (r["desired_" + k] - r[k], -KEYS.index(k)))

    out = []
    shared = ([k for k in KEYS if all(k in r["unmet_needs"] for r in records)]
              if len(records) == 2 and _both(rows) else [])
    if shared:
        parts = "; ".join(f"{r['person']}: {detail(r, shared)}" for r in records)
        key = max(shared, key=lambda k: (sum(r["desired_" + k] - r[k] for r in records), -KEYS.index(k)))
        out.append(Insight(
            "unmet_needs",
            f"You both would like more {dimensions_words(shared)} than there is right now ({parts}). Wanting the "
            "same thing is a good place to start from, together.",
            None, pick(DIMENSION_SUGGESTIONS[key], key),
            weight=float(max(r["desired_" + key] - r[key] for r in records)), situation=f"unmet_{key}",
            keys=tuple(shared)))
    for r in records:
        keys = [k for k in r["unmet_needs"] if k not in shared]
        if not keys:
            continue
        key = largest(r, keys)
        more = " also" if shared else ""
        text = (f"{r['person']} would{more} like more {dimensions_words(keys)} than there is right now "
                f"({detail(r, keys)}).")
        out.append(Insight("unmet_needs", text, r["person"], pick(DIMENSION_SUGGESTIONS[key], key),
                           weight=float(r["desired_" + key] - r[key]), situation=f"unmet_{key}", keys=tuple(keys)))
    if out and not shared:
        first = out[0]
        out[0] = Insight(first.kind, first.text + " Naming a need is the first step to meeting it.", first.person,
                         first.suggestions, first.weight, first.situation, first.keys)
    return out


def _partners(rows: pd.DataFrame, thresholds: analysis.Thresholds, pick: Chooser) -> list[Insight]:
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
            f"You would like different amounts of {dimensions_words(keys)} ({detail}). Neither wish is wrong: "
            "different rhythms are something to talk about together.",
            None, pick(SUGGESTIONS["mismatched"], "mismatched"),
            weight=max(abs(a["desired_" + k] - b["desired_" + k]) for k in keys), situation="mismatched_needs",
            keys=tuple(keys),
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
            weight=max(abs(a[k] - b[k]) for k in keys), situation="seen_differently", keys=tuple(keys),
        ))
    return out


def biggest_changes(rows: pd.DataFrame, *, at_least: float = 1.0) -> tuple[float, list[tuple[str, str]]] | None:
    """The biggest move since last month among ``rows`` (a month's rows of the monthly table), as it
    reads in print: its signed size (one decimal) and every ``(person, key)`` that moved by exactly
    that much in the same direction, in the rows' and the dimensions' order. A drop outranks a rise
    of the same size. ``None`` when nothing moved by ``at_least`` points (as printed)."""
    moves = []
    for r in rows.to_dict("records"):
        for k in KEYS:
            c = r[f"change_{k}"]
            if pd.notna(c):
                moves.append((round(abs(float(c)), 1), float(c) < 0, r["person"], k, float(c)))
    if not moves:
        return None
    size, drop = max((m[0], m[1]) for m in moves)
    if size < at_least:
        return None
    return (-size if drop else size), [(m[2], m[3]) for m in moves if (m[0], m[1]) == (size, drop)]


def changes_words(moved: list[tuple[str, str]]) -> str:
    """``Robin's spiritual and intellectual intimacy`` or ``Robin's passion and Sam's physical
    intimacy``: who moved what, each person named once."""
    by_person: dict[str, list[str]] = {}
    for person, key in moved:
        by_person.setdefault(person, []).append(key)
    parts = [f"{person}'s {dimensions_together(keys)}" for person, keys in by_person.items()]
    if len(parts) > 1 and any(" and " in p for p in parts):
        return ", and ".join(parts)  # "Ana's passion, and Ben's passion and spiritual intimacy"
    return and_list(parts)


def _biggest_change(rows: pd.DataFrame, pick: Chooser) -> list[Insight]:
    found = biggest_changes(rows)
    if found is None:
        return []
    change, moved = found
    what = changes_words(moved)
    both = "" if len(moved) == 1 else "both " if len(moved) == 2 else "all "
    direction = "up" if change > 0 else "down"
    text = f"The biggest move since last month: {what}, {both}{direction} {score(abs(change))} points."
    who = moved[0][0] if len({p for p, _ in moved}) == 1 else None
    key = moved[0][1]
    if change > 0:
        return [Insight("change", text, who, pick(SUGGESTIONS["rise"], "rise"), weight=change, situation="rise",
                        keys=tuple(k for _, k in moved))]
    advice = pick(SUGGESTIONS["drop"], "drop", 1) + pick(DIMENSION_SUGGESTIONS[key], key, 1)
    return [Insight("change", text, who, advice, weight=-change + 0.5, situation="drop",
                    keys=tuple(k for _, k in moved))]


def _lowest_key(r: dict[str, Any]) -> str:
    return min(KEYS, key=lambda k: (r[k], KEYS.index(k)))


def _highest_key(r: dict[str, Any]) -> str:
    return max(KEYS, key=lambda k: (r[k], -KEYS.index(k)))


def _weakest_and_strongest(rows: pd.DataFrame, pick: Chooser) -> list[Insight]:
    records = [r for r in rows.to_dict("records")
               if max(r[k] for k in KEYS) - min(r[k] for k in KEYS) >= 1.0]  # all about the same: nothing stands out
    if not records:
        return []
    low = {r["person"]: _lowest_key(r) for r in records}
    high = {r["person"]: _highest_key(r) for r in records}
    out = []
    if len(records) == 2 and _both(rows) and len(set(low.values())) == 1:
        key = low[records[0]["person"]]
        levels = ", ".join(f"{r['person']} {score(r[key])}" for r in records)
        if all(min(r[k] for k in KEYS) >= 7 for r in records):
            text = f"{_capital(dimension_words(key))} has the most room to grow, for both of you ({levels})."
        else:
            text = f"For both of you, {dimension_words(key)} scored lowest this month ({levels})."
        out.append(Insight("weakest", text, None, pick(DIMENSION_SUGGESTIONS[key], key),
                           weight=10 - min(r[key] for r in records), situation=f"low_{key}", keys=(key,)))
    else:
        for r in records:
            key, who = low[r["person"]], r["person"]
            if min(r[k] for k in KEYS) >= 7:
                text = f"{who}: {dimension_words(key)}, at {score(r[key])}, has the most room to grow."
            else:
                text = f"{who}: {dimension_words(key)} scored lowest this month ({score(r[key])})."
            out.append(Insight("weakest", text, who, pick(DIMENSION_SUGGESTIONS[key], key),
                               weight=10 - r[key], situation=f"low_{key}", keys=(key,)))
    if len(records) == 2 and _both(rows) and len(set(high.values())) == 1:
        key = high[records[0]["person"]]
        levels = ", ".join(f"{r['person']} {score(r[key])}" for r in records)
        out.append(Insight("strongest", f"You both feel strongest in {dimension_words(key)} ({levels}).", None,
                           pick(SUGGESTIONS["strongest"], "strongest", 1), situation="strength", keys=(key,)))
    else:
        for r in records:
            key, who = high[r["person"]], r["person"]
            out.append(Insight("strongest", f"{who}: {dimension_words(key)} is where you feel strongest "
                               f"({score(r[key])}).", who, pick(SUGGESTIONS["strongest"], "strongest", 1),
                               situation="strength", keys=(key,)))
    return out


def _rhythm(checkins: pd.DataFrame, rows: pd.DataFrame, month: str, pick: Chooser) -> list[Insight]:
    out = []
    streaks: dict[int, list[str]] = {}
    for person in rows["person"]:
        n = analysis.streak(checkins, person, month)
        had_before = bool((checkins.loc[checkins["person"] == person, "month"] < add_months(month, -1)).any())
        if n >= 3:
            streaks.setdefault(n, []).append(person)
        elif n == 1 and had_before:
            out.append(Insight("streak", f"Welcome back, {person}: after a gap, picking the reflection up again "
                               "is what counts.", person, pick(SUGGESTIONS["gap"], person, 1), situation="gap"))
    for n, people in sorted(streaks.items(), reverse=True):
        if len(people) == 2 and len(rows) == 2:
            who = "You have both"
        else:
            who = f"{and_list(people)} {'has' if len(people) == 1 else 'have'}"
        out.append(Insight("streak", f"{who} reflected {n} months in a row.",
                           people[0] if len(people) == 1 else None, pick(SUGGESTIONS["streak"], "streak", 1),
                           situation="streak"))
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
    early: dict[int, list[str]] = {}  # months with check-ins -> the people it is too early for
    for person, rows in readings.groupby("person", sort=False):
        by_key = {r.key: r for r in rows.itertuples()}
        index = by_key.get("intimacy_index")
        if index is not None and index.reading == analysis.TOO_EARLY:
            early.setdefault(int(index.months), []).append(str(person))
    for have, people in early.items():
        lines.append(
            f"{and_list(people)}: too early to say how things are moving. A trend needs check-ins in at least "
            f"{number_words(analysis.MIN_TREND_POINTS)} of {span}, and there "
            f"{'is' if have == 1 else 'are'} {number_words(have)} so far.")
    for person, rows in readings.groupby("person", sort=False):
        by_key = {r.key: r for r in rows.itertuples()}
        index = by_key.get("intimacy_index")
        if index is None or index.reading == analysis.TOO_EARLY:
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
