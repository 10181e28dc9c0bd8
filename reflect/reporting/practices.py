"""The report's practices section: what its template (``templates/report/practices.html.j2``) shows.

:func:`context` gathers, for one :class:`~reflect.reporting.report.MonthlyReport`, the month's
agreements and "did we?", the follow-through over twelve months and whether keeping agreements goes
with the scores (the rituals' honesty rules), the repairs counted warmly (never their words), the
recent life events and what they did to the numbers, and what the two of you both said yes to
(only in a report made with notes, and never a no).
"""

from __future__ import annotations

from typing import Any

from reflect.analytics import agreements as follow_through
from reflect.analytics import lifeevents, repairs
from reflect.analytics.phrases import and_list, dimension_words
from reflect.domain.consent import NOT_NOW, YES
from reflect.domain.months import add_months, last_months, month_start

#: A :class:`~reflect.reporting.report.MonthlyReport` (not imported: the report imports this module).
MonthlyReport = Any


def _agreement(agreed: dict[str, Any], kinds: dict[str, Any], people: list[str]) -> dict[str, Any]:
    ties = []
    if agreed["dimension"]:
        ties.append(dimension_words(agreed["dimension"]))
    if agreed["ritual"]:
        kind = kinds.get(agreed["ritual"])
        ties.append((kind.label if kind is not None else agreed["ritual"]).lower())
    answers = agreed["answers"]
    waiting = [p for p in people if p not in answers]
    said = "; ".join(f"{p}: {a}" for p, a in sorted(answers.items()))
    if waiting and not answers:
        said = "not answered yet (the next check-in asks each of you)"
    elif waiting:
        said += f"; {and_list(waiting)}: not answered yet"
    return {"text": follow_through.quoted(agreed["text"]), "tie": ", ".join(ties), "answers": said}


def _agreements(report: MonthlyReport) -> dict[str, Any]:
    frame = report.practices.agreements
    month = report.month
    after = add_months(month, 1)
    kinds = report.ritual_kinds
    people = report.people
    strip = follow_through.strip(frame, month)
    this = [_agreement(a, kinds, people) for a in follow_through.answers_of(frame, month)]
    following = [_agreement(a, kinds, []) for a in follow_through.answers_of(frame, after)]
    for item in following:
        item["answers"] = ""
    shown = any(s["state"] is not None for s in strip)
    return {
        "this": this,
        "next": following,
        "next_month": month_start(after).strftime("%B"),
        "strip": strip if shown else [],
        "counted": follow_through.kept_count_words(frame, month) if shown else None,
        "links": follow_through.findings(follow_through.links(report.checkins, frame, until=month)) if shown else [],
        "any": shown or bool(following),
    }


def _repairs(report: MonthlyReport) -> dict[str, Any]:
    frame = report.practices.repairs
    lines = repairs.words(frame, report.month)
    return {"lines": lines, "strip": repairs.month_counts(frame, report.month) if lines else []}


def _events(report: MonthlyReport) -> dict[str, Any]:
    events = report.events
    shown = last_months(report.month, 12)
    recent = events[events["month"].isin(shown)] if not events.empty else events
    return {
        "listed": [{"day": f"{e.day.day} {e.day:%B %Y}", "words": e.words} for e in recent.itertuples()],
        "lines": lifeevents.event_words(report.table, events, report.month, people=report.people),
        "any": not events.empty,
    }


def _consent(report: MonthlyReport) -> dict[str, Any]:
    views = report.consent.get("views")
    pairs = []
    for view in views or []:
        items = list(view["items"])
        pairs.append({"names": and_list(sorted(view["people"])),
                      "yes": [item for item, status in items if status == YES],
                      "not_now": [item for item, status in items if status == NOT_NOW]})
    return {"asked": views is not None, "pairs": pairs, "kept": bool(report.consent.get("kept"))}


def context(report: MonthlyReport) -> dict[str, Any]:
    """Everything the practices template needs, for ``report``'s month."""
    return {"agreements": _agreements(report), "repairs": _repairs(report), "events": _events(report),
            "consent": _consent(report), "month": month_start(report.month).strftime("%B")}
