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
has a yes / not now / no list (no passphrases in the demo, so anyone can open them).

The same ``seed`` and ``end`` month always give the same check-ins, rituals and practices.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from reflect.domain.agreements import Agreement, AgreementAnswer
from reflect.domain.checkin import CheckIn
from reflect.domain.consent import ConsentList
from reflect.domain.dimensions import KEYS
from reflect.domain.lifeevents import LifeEvent
from reflect.domain.months import add_months, days_in, month_of, month_start, parse_month
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
                CheckIn.create(person=person, date=day, scores=scores, desired=desired, note=note)
            )
            # Robin tracked weekly through the stretch of different rhythms
            if phase.name == "different rhythms" and who == 0:
                out.extend(_weekly(rng, person, month, base, wants))
            # both kept a daily check-in in the last two months
            if i >= months - 2:
                out.extend(_daily(rng, person, month, base, lift))
    return out


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


def fill_practices(store, *, seed: int = DEFAULT_SEED, end: str | None = None, months: int = DEFAULT_MONTHS) -> None:
    """Save the demo couple's practices (life events, agreements, repairs, consent lists)."""
    store.mark_events(generate_events(end=end, months=months), source="demo")
    agreements, answers = generate_agreements(seed=seed, end=end, months=months)
    store.save_agreements(agreements, answers, source="demo")
    store.save_repairs(generate_repairs(seed=seed, end=end, months=months), source="demo")
    for answers_of in generate_consent():
        store.save_consent(answers_of, source="demo")


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
    result = store.save_many(generate(seed=seed, end=end, months=months), source="demo")
    store.log_rituals(generate_rituals(seed=seed, end=end, months=months), source="demo")
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
