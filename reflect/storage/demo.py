"""A realistic, deterministic demo couple, so there is something real to look at on day one.

Robin and Sam check in monthly for 30 months (with desired levels and notes); Robin adds weekly
check-ins through a stressful stretch and both keep daily check-ins in the last two months. Their
story walks through every pattern the kit looks for:

1. settling in: balanced, warm;
2. a new baby (a life event): passion dips while closeness holds (high intimacy, low passion);
3. work stress and different rhythms: Robin wants more closeness, Sam more space (mismatched
   needs, unmet needs);
4. a move and a burst of novelty: lots of spark, little talking (high passion, low intimacy);
5. a recovery: both turn back toward each other and the scores climb to balanced.

Their practices follow the same story: the life events (the baby, Sam's new job, the move) are
marked; from the baby's first months on they agree on one small thing each month, and keep it in
the months they keep their phone-free evenings (so keeping agreements, like the ritual, goes with
feeling closer); repairs come more often and sooner as they turn back toward each other; and each
has a yes / not now / no list (no passphrases in the demo, so anyone can open them). How life is
weighing on each of them (shared with the other) is heavier around the baby, Sam's new job and the
move, and lightest as they recover; they write each other an appreciation now and then from the
baby on, and most days once it becomes their daily ritual.

The same ``seed`` and ``end`` month always give the same check-ins, rituals and practices.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from reflect.domain.agreements import Agreement, AgreementAnswer
from reflect.domain.appreciations import Appreciation
from reflect.domain.cards import all_cards
from reflect.domain.checkin import CheckIn
from reflect.domain.consent import ConsentList
from reflect.domain.dimensions import KEYS
from reflect.domain.lifeevents import LifeEvent
from reflect.domain.months import add_months, days_in, month_of, month_start, parse_month
from reflect.domain.questions import QuestionAnswer, bank
from reflect.domain.repairs import Repair
from reflect.domain.rituals import Ritual

DEMO_PEOPLE = ("Robin", "Sam")
DEFAULT_SEED = 7
DEFAULT_MONTHS = 30


@dataclass(frozen=True)
class Phase:
    name: str
    months: int
    # latent scores for (Robin, Sam), in KEYS order
    robin: tuple[float, ...]
    sam: tuple[float, ...]
    robin_wants: tuple[float, ...]
    sam_wants: tuple[float, ...]
    notes: tuple[str, ...]


#                      pas  emo  phy  int  exp  spi
PHASES: tuple[Phase, ...] = (
    Phase(
        "settling in", 6,
        (7.6, 7.6, 7.4, 7.0, 7.6, 6.6), (7.4, 7.2, 7.6, 7.4, 7.2, 6.8),
        (8.0, 8.0, 8.0, 7.5, 8.0, 7.0), (8.0, 7.5, 8.0, 7.5, 8.0, 7.0),
        (
            "Sunday pancakes are becoming our thing.",
            "Long walk by the river, talked about everything and nothing.",
            "Felt really heard when I talked about my sister.",
            "We laughed a lot this month.",
        ),
    ),
    Phase(
        "the baby arrives", 6,
        (3.6, 7.4, 5.2, 6.4, 4.8, 7.4), (3.8, 7.0, 5.4, 6.2, 4.6, 7.6),
        (7.5, 8.0, 7.5, 7.0, 7.0, 7.5), (7.0, 8.0, 7.0, 7.0, 7.0, 7.5),
        (
            "So tired. Still, watching Sam with the baby melts me.",
            "No energy for romance at all, but we are a good team.",
            "Miss the spontaneity we used to have.",
            "Slept four hours. Hugged in the kitchen at 3am, that counted.",
        ),
    ),
    Phase(
        "different rhythms", 6,
        (5.6, 5.4, 5.0, 6.2, 5.6, 6.4), (5.8, 6.2, 6.0, 6.0, 5.8, 6.2),
        (8.0, 9.0, 9.0, 7.0, 7.0, 7.0), (6.5, 6.5, 5.0, 6.5, 6.0, 6.5),
        (
            "I want more closeness and it feels like Sam pulls away.",
            "Work is crushing me; I need a bit of room to breathe.",
            "We talked about needing different things. Hard but good.",
            "Felt lonely this month, even at home.",
        ),
    ),
    Phase(
        "a move and a spark", 5,
        (8.6, 4.8, 7.2, 5.2, 6.8, 4.8), (8.4, 5.2, 7.0, 5.6, 7.0, 5.0),
        (8.5, 8.0, 8.0, 7.5, 7.5, 7.0), (8.5, 7.5, 7.5, 7.5, 7.5, 7.0),
        (
            "New city, new us. Lots of fun, not much real talking.",
            "Great nights out, but we keep avoiding the hard topics.",
            "Misunderstood each other twice this week over small things.",
            "Exciting, but I don't feel we really know what the other is going through.",
        ),
    ),
    Phase(
        "turning back toward each other", 7,
        (7.4, 7.8, 7.6, 7.4, 7.8, 7.2), (7.6, 7.6, 7.8, 7.2, 7.6, 7.4),
        (8.0, 8.5, 8.0, 7.5, 8.0, 7.5), (8.0, 8.0, 8.0, 7.5, 8.0, 7.5),
        (
            "Our phone-free Sunday evening is sacred now.",
            "Started saying one appreciation a day. Silly how much it helps.",
            "Had a proper repair talk after the fight; felt closer after.",
            "Planned the next year together, felt like a real team.",
        ),
    ),
)


def _phase_at(index: int, total: int) -> tuple[Phase, float]:
    """The phase of month ``index`` (0-based) and how far into it (0..1), spread over ``total``."""
    lengths = [p.months for p in PHASES]
    scale = total / sum(lengths)
    bounds, acc = [], 0.0
    for n in lengths:
        acc += n * scale
        bounds.append(acc)
    for phase, end, n in zip(PHASES, bounds, lengths, strict=True):
        if index < end:
            start = end - n * scale
            return phase, (index - start) / max(1.0, n * scale)
    return PHASES[-1], 1.0


def _clip(value: float) -> int:
    return int(min(10, max(1, round(value))))


def _default_end(today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    return add_months(month_of(today), -1)


def generate(
    *,
    seed: int = DEFAULT_SEED,
    end: str | None = None,
    months: int = DEFAULT_MONTHS,
    people: tuple[str, str] = DEMO_PEOPLE,
) -> list[CheckIn]:
    """The demo couple's check-ins, ``months`` months ending with ``end`` (default: last month)."""
    if months < 12:
        raise ValueError("the demo needs at least 12 months to tell its story")
    end = parse_month(end) if end else _default_end()
    rng = random.Random(seed)
    first = add_months(end, -(months - 1))
    kept = phone_free_plan(seed=seed, months=months)
    weights = weighing_plan(seed=seed, months=months)
    out: list[CheckIn] = []
    for i in range(months):
        month = add_months(first, i)
        phase, progress = _phase_at(i, months)
        for who, (base, wants) in enumerate(
            ((phase.robin, phase.robin_wants), (phase.sam, phase.sam_wants))
        ):
            if i in kept:  # the weekly phone-free hour really goes with feeling closer
                base = tuple(b + RITUAL_LIFT.get(k, 0.0) for k, b in zip(KEYS, base, strict=True))
            person = people[who]
            # the recovery climbs gradually rather than jumping
            lift = (progress - 0.5) * 0.8 if phase is PHASES[-1] else 0.0
            scores = {k: _clip(b + lift + rng.gauss(0, 0.55)) for k, b in zip(KEYS, base, strict=True)}
            give_desired = rng.random() < 0.85 or i >= months - 3
            desired = (
                {k: _clip(w + rng.gauss(0, 0.35)) for k, w in zip(KEYS, wants, strict=True)}
                if give_desired
                else {}
            )
            note = rng.choice(phase.notes) if rng.random() < 0.55 else None
            day = month_start(month) + dt.timedelta(days=rng.randrange(0, 5))
            out.append(
                CheckIn.create(person=person, date=day, scores=scores, desired=desired, note=note,
                               weighing=weights[i][who])
            )
            # Robin tracked weekly through the stretch of different rhythms
            if phase.name == "different rhythms" and who == 0:
                out.extend(_weekly(rng, person, month, base, wants))
            # both kept a daily check-in in the last two months
            if i >= months - 2:
                out.extend(_daily(rng, person, month, base, lift))
    return out


#: How much life weighs on (Robin, Sam) in each phase: sleepless with the baby, Sam's demanding new
#: job while they live different rhythms, the move, then lighter.
WEIGHING = {"settling in": (3.0, 3.0), "the baby arrives": (7.0, 6.5), "different rhythms": (5.0, 8.2),
            "a move and a spark": (5.0, 5.0), "turning back toward each other": (3.5, 3.5)}


def weighing_plan(*, seed: int = DEFAULT_SEED, months: int = DEFAULT_MONTHS) -> list[tuple[int, int]]:
    """How much life weighs on (Robin, Sam) in each month of the demo (its own random stream, so the
    scores are the same with or without it): heavier in the months of its life events."""
    rng = random.Random(seed * 4391 + 29)
    scale = months / DEFAULT_MONTHS
    events = {round(i * scale) for i, *_ in EVENTS}
    plan = []
    for i in range(months):
        phase, _ = _phase_at(i, months)
        bump = 1.0 if i in events else 0.0
        robin, sam = WEIGHING[phase.name]
        plan.append((_clip(robin + bump + rng.gauss(0, 0.6)), _clip(sam + bump + rng.gauss(0, 0.6))))
    return plan


#: Rituals are logged from this month of the demo on.
RITUALS_FROM = 6
#: What keeping the weekly phone-free ritual adds, in the demo, to the month's scores.
RITUAL_LIFT = {"emotional": 1.4, "intellectual": 0.8}


def phone_free_plan(*, seed: int = DEFAULT_SEED, months: int = DEFAULT_MONTHS) -> set[int]:
    """The months (0-based) in which the demo couple kept their weekly phone-free ritual: now and
    then at first, most months once they turn back toward each other."""
    rng = random.Random(seed * 7919 + 17)
    kept = set()
    for i in range(RITUALS_FROM, months):
        phase, _ = _phase_at(i, months)
        if rng.random() < (0.85 if phase is PHASES[-1] else 0.35):
            kept.add(i)
    return kept


def generate_rituals(
    *, seed: int = DEFAULT_SEED, end: str | None = None, months: int = DEFAULT_MONTHS,
    people: tuple[str, str] = DEMO_PEOPLE,
) -> list[Ritual]:
    """The demo couple's ritual log, from month :data:`RITUALS_FROM` on (same seed, same log)."""
    end = parse_month(end) if end else _default_end()
    rng = random.Random(seed * 104729 + 3)
    first = add_months(end, -(months - 1))
    kept = phone_free_plan(seed=seed, months=months)
    out: list[Ritual] = []
    for i in range(RITUALS_FROM, months):
        month = add_months(first, i)
        start, days = month_start(month), days_in(month)
        recovering = _phase_at(i, months)[0] is PHASES[-1]
        for d in range(days):
            day = start + dt.timedelta(days=d)
            if rng.random() < (0.6 if recovering else 0.35):
                out.append(Ritual.create(day=day, kind="hug"))
            for person in people:
                if i >= months - 8 and rng.random() < 0.45:
                    out.append(Ritual.create(day=day, kind="appreciation", person=person))
            if i >= months - 2 and rng.random() < 0.55:
                out.append(Ritual.create(day=day, kind="check-in"))
        sundays = [start + dt.timedelta(days=d) for d in range(days) if (start + dt.timedelta(days=d)).weekday() == 6]
        weeks = len(sundays)
        n = rng.randint(max(3, weeks - 1), weeks) if i in kept else rng.randint(0, 1)
        for day in sorted(rng.sample(sundays, min(n, weeks))):
            note = "Board games, no phones." if rng.random() < 0.2 else None
            out.append(Ritual.create(day=day, kind="phone-free", note=note))
        if rng.random() < 0.7:
            out.append(Ritual.create(day=start + dt.timedelta(days=rng.randrange(days)), kind="special-evening"))
        if rng.random() < 0.4:
            out.append(Ritual.create(day=start + dt.timedelta(days=rng.randrange(days)), kind="keepsake",
                                     person=rng.choice(people)))
    return out


#: The demo couple does practice cards together ("we did it") in their last months of the demo.
PRACTICES_FOR = 4


def generate_practices(*, seed: int = DEFAULT_SEED, end: str | None = None,
                       months: int = DEFAULT_MONTHS) -> list[Ritual]:
    """The practice cards the demo couple did together in their last :data:`PRACTICES_FOR` months, as
    rituals of the kinds the cards log (a story swap most Saturdays, a micro-date most Wednesdays,
    three gratitudes some evenings, the listening loop now and then, future seeds once a month). A
    random stream of its own, so the other rituals, the scores and every practice stay as they were."""
    end = parse_month(end) if end else _default_end()
    rng = random.Random(seed * 6151 + 11)
    first = add_months(end, -(months - 1))
    out: list[Ritual] = []
    for i in range(max(0, months - PRACTICES_FOR), months):
        month = add_months(first, i)
        start, days = month_start(month), days_in(month)
        for d in range(days):
            day = start + dt.timedelta(days=d)
            for name, weekday, chance in (("story-swap", 5, 0.6), ("micro-date", 2, 0.75),
                                          ("listening-loop", 3, 0.3), ("three-gratitudes", None, 0.2)):
                if weekday in (None, day.weekday()) and rng.random() < chance:
                    out.append(Ritual.create(day=day, kind=name))
        out.append(Ritual.create(day=start + dt.timedelta(days=rng.randrange(days)), kind="future-seeds"))
    return sorted(out, key=lambda r: (r.day, r.kind))


def log_practices(store, *, seed: int = DEFAULT_SEED, end: str | None = None, months: int = DEFAULT_MONTHS) -> None:
    """Log the demo couple's practice cards (:func:`generate_practices`), their kinds added as
    "we did it" adds them: with the card's cadence and title."""
    practices = generate_practices(seed=seed, end=end, months=months)
    cards = {c.ritual_kind: c for c in all_cards().values()}
    used = {r.kind for r in practices}
    store.log_rituals(practices, new_kinds={k: cards[k].cadence for k in used},
                      labels={k: cards[k].title for k in used}, source="demo")


#: The demo's life events: (month index, day, kind, words).
EVENTS = (
    (6, 14, "birth", "Our baby, Ada, is born"),
    (12, 3, "new-job", "Sam starts a demanding new job"),
    (18, 20, "move", "We move to a new city"),
)
#: From this month of the demo on, the couple agrees on one small thing each month.
AGREEMENTS_FROM = 8
_AGREEMENTS = (
    ("A phone-free evening every week", "emotional", "phone-free"),
    ("Ten minutes on the sofa after the baby sleeps", "physical", None),
    ("One appreciation a day, said out loud", "emotional", "appreciation"),
    ("Plan one evening out, just the two of us", "passion", "special-evening"),
    ("Ask \u201chow was your day, really?\u201d and listen", "emotional", "check-in"),
)


def generate_events(*, end: str | None = None, months: int = DEFAULT_MONTHS) -> list[LifeEvent]:
    """The demo couple's life events: the baby, Sam's new job, the move."""
    end = parse_month(end) if end else _default_end()
    first = add_months(end, -(months - 1))
    scale = months / DEFAULT_MONTHS
    return [LifeEvent.create(day=month_start(add_months(first, round(i * scale))) + dt.timedelta(days=day - 1),
                             kind=kind, words=words) for i, day, kind, words in EVENTS]


def generate_agreements(*, seed: int = DEFAULT_SEED, end: str | None = None, months: int = DEFAULT_MONTHS,
                        people: tuple[str, str] = DEMO_PEOPLE) -> tuple[list[Agreement], list[AgreementAnswer]]:
    """One agreement a month from :data:`AGREEMENTS_FROM` on, answered by both: kept in the months
    they kept their weekly phone-free ritual, partly or not yet in the others. The last month's
    agreement is not answered yet, and there is one for the month after it."""
    end = parse_month(end) if end else _default_end()
    rng = random.Random(seed * 7907 + 5)
    first = add_months(end, -(months - 1))
    kept = phone_free_plan(seed=seed, months=months)
    agreements, answers = [], []
    today = month_start(add_months(end, 1))
    for i in range(AGREEMENTS_FROM, months + 1):
        month = add_months(first, i)
        text, dimension, ritual = _AGREEMENTS[(i // 3) % len(_AGREEMENTS)] if i % 3 else _AGREEMENTS[0]
        agreements.append(Agreement.create(month=month, text=text, dimension=dimension, ritual=ritual, today=today))
        if i >= months - 1:
            continue  # the latest month's "did we?" is asked in next month's form
        for person in people:
            if i in kept:
                answer = "yes" if rng.random() < 0.8 else "partly"
            else:
                answer = "partly" if rng.random() < 0.4 else "not yet"
            answers.append(AgreementAnswer.create(month=month, person=person, answer=answer, today=today))
    return agreements, answers


_TOPICS = ("the dishes", "money", "who gets up at night", "phones at dinner", "my mother's visit", "being late")


def generate_repairs(*, seed: int = DEFAULT_SEED, end: str | None = None, months: int = DEFAULT_MONTHS,
                     people: tuple[str, str] = DEMO_PEOPLE) -> list[Repair]:
    """A few repairs a month from the baby on: slower and rarer while they drift apart, more often and
    sooner once they turn back toward each other. Some are shared, some kept private."""
    end = parse_month(end) if end else _default_end()
    rng = random.Random(seed * 6007 + 11)
    first = add_months(end, -(months - 1))
    today = month_start(add_months(end, 1))
    out: list[Repair] = []
    for i in range(RITUALS_FROM, months):
        month = add_months(first, i)
        phase, _ = _phase_at(i, months)
        recovering = phase is PHASES[-1]
        count = rng.choice((1, 2, 2, 3)) if recovering else rng.choice((0, 0, 1, 1, 2))
        for n in range(count):
            person = people[(i + n) % 2]
            delay = rng.choice((0, 0, 1, 1, 2)) if recovering else rng.choice((1, 2, 3, 5, 8))
            repaired = month_start(month) + dt.timedelta(days=rng.randrange(delay, days_in(month)))
            number = 1 + sum(1 for r in out if r.person == person and r.day == repaired)
            out.append(Repair.create(
                person=person, day=repaired, number=number, happened=repaired - dt.timedelta(days=delay),
                topic=rng.choice(_TOPICS), own="I'm sorry I snapped; it makes sense you felt alone with it.",
                offer=rng.choice(("Listening", "Some space, then a walk", "A long hug")),
                align=rng.choice(("We talk before we decide", "Phones away at dinner", "Take turns at night")),
                shared=rng.random() < 0.6, today=today))
    return out


def generate_consent(people: tuple[str, str] = DEMO_PEOPLE) -> list[ConsentList]:
    """Robin's and Sam's yes / not now / no lists (Robin shows "not now", and so does Sam)."""
    robin = {"A weekend away, just the two of us": "yes", "Talking about money": "not now",
             "Hugs in public": "yes", "Holding hands in public": "yes", "A long massage": "yes",
             "Talking about what we like in bed": "yes", "Trying something new in bed": "not now",
             "Time on our own, each of us, every week": "no", "A class or a course together": "yes"}
    sam = {"A weekend away, just the two of us": "yes", "Talking about money": "yes", "Hugs in public": "no",
           "Holding hands in public": "yes", "A long massage": "not now", "Talking about what we like in bed": "yes",
           "Trying something new in bed": "yes", "Time on our own, each of us, every week": "yes",
           "A class or a course together": "yes"}
    return [ConsentList.create(person=people[0], answers=robin, show_not_now=True),
            ConsentList.create(person=people[1], answers=sam, show_not_now=True)]


_APPRECIATIONS = (
    "When you got up with the baby so I could sleep, I felt looked after.",
    "You made me laugh on a grey morning; thank you.",
    "I loved how patient you were with your mother today.",
    "Thank you for the coffee in bed. Small thing, big difference.",
    "You listened to the whole story about work without fixing it. That helped.",
    "Seeing you sing to Ada made my day.",
    "Thank you for taking the hard phone call for both of us.",
    "You noticed I was tired and cooked. I felt seen.",
    "I admired how calm you stayed when the car broke down.",
    "Thank you for the long hug at the door; I needed it.",
    "You kept our phone-free evening even though you were busy. It mattered to me.",
    "When you asked how my day really was, I felt close to you.",
    "You planned the weekend so I could rest. Thank you.",
    "I appreciated how you owned your part after our argument.",
    "You made the new flat feel like home.",
)


def generate_appreciations(*, seed: int = DEFAULT_SEED, end: str | None = None, months: int = DEFAULT_MONTHS,
                           people: tuple[str, str] = DEMO_PEOPLE) -> list[Appreciation]:
    """Appreciations in words: one or two a month each from the baby on, and, once the appreciation is
    their daily ritual, on some of the days it is logged (same seed, same words)."""
    end = parse_month(end) if end else _default_end()
    rng = random.Random(seed * 3253 + 7)
    first = add_months(end, -(months - 1))
    today = month_start(add_months(end, 1))
    logged = {(r.person, r.day) for r in generate_rituals(seed=seed, end=end, months=months, people=people)
              if r.kind == "appreciation"}
    days: set[tuple[str, dt.date]] = {d for d in logged if rng.random() < 0.35}
    for i in range(RITUALS_FROM, months):
        month = add_months(first, i)
        start, length = month_start(month), days_in(month)
        for person in people:
            if not any(p == person and month_of(d) == month for p, d in days):
                for _ in range(rng.choice((1, 1, 2))):
                    days.add((person, start + dt.timedelta(days=rng.randrange(length))))
    return [Appreciation.create(person=person, day=day, text=rng.choice(_APPRECIATIONS), today=today)
            for person, day in sorted(days, key=lambda pd: (pd[1], pd[0]))]


#: What each of the demo couple says to a light question of each dimension (two a dimension each).
_ANSWERS = {
    "Robin": {
        "passion": ("When you dance in the kitchen, thinking nobody sees.", "A late swim, like our first summer."),
        "emotional": ("Your message at lunch on the day of the hard meeting.", "Being asked how I really was, twice."),
        "physical": ("A long hug at the door, before the coats come off.", "Your hand on my back on the stairs."),
        "intellectual": ("That podcast about bees. I'd like to learn to keep them.", "Our talk about the election."),
        "experiential": ("The walk along the canal to the market, just us.", "Pancakes on a Sunday, no phones."),
        "spiritual": ("The quiet at the lake at dawn.", "That we keep a table open for friends who are alone."),
    },
    "Sam": {
        "passion": ("The way you look at me when we are out with friends.", "That weekend in the rain, honestly."),
        "emotional": ("When you noticed I was tired and took the bedtime story.", "Being listened to, not fixed."),
        "physical": ("Falling asleep with my feet on yours.", "A shoulder rub after the long drive."),
        "intellectual": ("Your theory about the neighbours' cat. Still thinking about it.", "Learning to cook dal."),
        "experiential": ("A picnic on the living-room floor when it rained.", "The bike ride to the old mill."),
        "spiritual": ("Gratitude at dinner: three things each.", "Planting the tree for Ada."),
    },
}


def generate_answers(*, seed: int = DEFAULT_SEED, end: str | None = None, months: int = DEFAULT_MONTHS,
                     people: tuple[str, str] = DEMO_PEOPLE) -> list[QuestionAnswer]:
    """The weekly question, answered in words in the demo's last two months: both of them most weeks,
    one of them some weeks (same seed, same answers). The questions are light ones, the week's own."""
    end = parse_month(end) if end else _default_end()
    rng = random.Random(seed * 7919 + 3)
    first, stop = month_start(add_months(end, -min(2, months) + 1)), month_start(add_months(end, 1))
    questions = bank()
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    out = []
    while monday < stop and monday <= dt.date.today():
        question = questions.for_week(monday, "light")
        roll = rng.random()
        who = people if roll < 0.75 else (people[0],) if roll < 0.9 else (people[1],)
        for person in who:
            out.append(QuestionAnswer.create(person=person, week=monday, question=question.id,
                                             text=rng.choice(_ANSWERS[person][question.dimension])))
        monday += dt.timedelta(days=7)
    return out


def fill_practices(store, *, seed: int = DEFAULT_SEED, end: str | None = None, months: int = DEFAULT_MONTHS) -> None:
    """Save the demo couple's practices (life events, agreements, repairs, consent lists, appreciations,
    answers to the question of the week)."""
    store.mark_events(generate_events(end=end, months=months), source="demo")
    agreements, answers = generate_agreements(seed=seed, end=end, months=months)
    store.save_agreements(agreements, answers, source="demo")
    store.save_repairs(generate_repairs(seed=seed, end=end, months=months), source="demo")
    for answers_of in generate_consent():
        store.save_consent(answers_of, source="demo")
    store.save_appreciations(generate_appreciations(seed=seed, end=end, months=months), source="demo")
    store.save_answers(generate_answers(seed=seed, end=end, months=months), source="demo")


def _weekly(rng: random.Random, person: str, month: str, base, wants) -> list[CheckIn]:
    start = month_start(month)
    monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    out = []
    while month_of(monday) == month:
        scores = {k: _clip(b + rng.gauss(0, 0.8)) for k, b in zip(KEYS, base, strict=True)}
        desired = {k: _clip(w + rng.gauss(0, 0.4)) for k, w in zip(KEYS, wants, strict=True)}
        out.append(
            CheckIn.create(person=person, date=monday, cadence="weekly", scores=scores, desired=desired)
        )
        monday += dt.timedelta(days=7)
    return out


_DAILY_NOTES = (
    "Appreciated the coffee in bed.",
    "Long hug before work.",
    "One minute check-in at dinner: all good.",
    "Tired, short with each other, made up later.",
    "Walked together after dinner.",
)


def _daily(rng: random.Random, person: str, month: str, base, lift: float) -> list[CheckIn]:
    start, days = month_start(month), days_in(month)
    out = []
    for d in range(days):
        if rng.random() < 0.6:
            scores = {k: _clip(b + lift + rng.gauss(0, 1.0)) for k, b in zip(KEYS, base, strict=True)}
            note = rng.choice(_DAILY_NOTES) if rng.random() < 0.3 else None
            out.append(
                CheckIn.create(
                    person=person,
                    date=start + dt.timedelta(days=d),
                    cadence="daily",
                    scores=scores,
                    note=note,
                )
            )
    return out


def fill(store, *, seed: int = DEFAULT_SEED, end: str | None = None, months: int = DEFAULT_MONTHS):
    """Save the demo couple's check-ins into ``store`` (one transaction; re-running is a no-op).

    Refuses a store that holds anyone's own check-ins: demo data never mixes with real data.
    """
    from reflect.errors import StoreError

    if store.holds_own_data():
        raise StoreError(
            f"{store.path} holds check-ins of your own; the demo goes into a store of its own "
            "(leave out --db, or name a new file)"
        )
    result = store.save_many(generate(seed=seed, end=end, months=months), source="demo", share_weighing=True)
    store.log_rituals(generate_rituals(seed=seed, end=end, months=months), source="demo")
    log_practices(store, seed=seed, end=end, months=months)
    fill_practices(store, seed=seed, end=end, months=months)
    return result


def open_for_viewing(explicit=None):
    """The store to look at: the one named, else yours, else the demo couple's.

    Returns ``(store, is_demo)``. When no store was named (no ``--db``, no ``REFLECT_DB``) and the
    default store has no check-ins yet, the demo store (``data/demo.db``) is used, filled on first
    use, so that a new user has something real to look at. Real data is never mixed with it.
    """
    from reflect.errors import StoreError
    from reflect.storage.store import Store
    from reflect.system.paths import default_store_path, demo_store_path, resolve_store_path, store_was_chosen

    if store_was_chosen(explicit):
        path = resolve_store_path(explicit)
        if not path.exists():
            raise StoreError(f"{path}: no such store (check the path, or create it with `reflect init`)")
        return Store(path, create=False), False
    own = default_store_path()
    if own.exists():
        store = Store(own, create=False)
        if not store.is_empty():
            return store, False
        store.close()
    demo = Store(demo_store_path())
    if not demo.count():
        fill(demo)
    elif not demo.life_events() and demo.holds_only_demo():  # a demo made before the practices
        fill_practices(demo, end=demo.latest_month())
    return demo, True
