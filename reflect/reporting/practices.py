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
from reflect.analytics import lifeevents, repairs, rhythm
from reflect.analytics.phrases import and_list, day_words, dimension_words
from reflect.domain.consent import NOT_NOW, YES
from reflect.domain.months import add_months, last_months, month_start

#: A :class:`~reflect.reporting.report.MonthlyReport` (not imported: the report imports this module).
MonthlyReport = Any
#: The strongest links a section of the letter states (the closing "not proof" line stays).
MAX_LINKS = 2


def at_most(lines: list[str], n: int) -> list[str]:
    """The first ``n`` findings of ``lines`` and its closing line, when there are more."""
    return lines if len(lines) <= n + 1 else [*lines[:n], lines[-1]]


def _log_words(report: MonthlyReport, ritual: str | None, month: str) -> str:
    """What the ritual log shows of the ritual an agreement is tied to, in ``month``: ``the log
    shows it on 1 of 5 weeks`` ("" when the agreement names no ritual)."""
    if not ritual:
        return ""
    kind = report.ritual_kinds.get(ritual)
    if kind is None:
        return ""
    units = {"daily": "days", "weekly": "weeks"}
    expected = rhythm.expected_in_month(kind.cadence, month)
    table = rhythm.rhythm_table(report.rituals, report.ritual_kinds, month, 1) if not report.rituals.empty else None
    found = table[table["kind"] == ritual] if table is not None else None
    done = int(found["done"].iloc[0]) if found is not None and not found.empty else 0
    if not done:
        return f"The ritual log shows no {kind.label.lower().removeprefix('a ').removeprefix('an ')} this month."
    if kind.cadence == "monthly":
        return f"The ritual log shows {kind.label.lower()} {'this month' if done else 'not yet this month'}."
    return f"The ritual log shows {kind.label.lower()} on {done} of {expected} {units[kind.cadence]}."


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
    this = []
    for agreed in follow_through.answers_of(frame, month):
        item = _agreement(agreed, kinds, people)
        item["log"] = _log_words(report, agreed["ritual"], month)
        this.append(item)
    following = [_agreement(a, kinds, []) for a in follow_through.answers_of(frame, after)]
    for item in following:
        item["answers"] = ""
        item["log"] = ""
    shown = any(s["state"] is not None for s in strip)
    earlier = []
    for m in reversed(last_months(add_months(month, -1), 3)):
        for agreed in follow_through.answers_of(frame, m):
            state = next((s["state"] for s in strip if s["month"] == m), None)
            earlier.append({"month": month_start(m).strftime("%B"), "text": follow_through.quoted(agreed["text"]),
                            "state": follow_through.STATE_WORDS.get(state, "") if state else ""})
    next_name = month_start(after).strftime("%B" if after[:4] == month[:4] else "%B %Y")
    return {
        "this": this,
        "next": following,
        "earlier": earlier,
        "next_month": next_name,
        "strip": strip if shown else [],
        "counted": follow_through.kept_count_words(frame, month) if shown else None,
        # the guides' word on small promises, only where a recent one was not (or only partly) kept
        "not_yet": any(s["state"] in (follow_through.NOT_KEPT, follow_through.PARTLY_KEPT) for s in strip[-3:]),
        "links": _not_again(at_most(follow_through.findings(follow_through.links(report.checkins, frame,
                                                                                 until=month)), MAX_LINKS),
                            report.ritual_links) if shown else [],
        "any": shown or bool(following),
    }


def _not_again(lines: list[str], before: list[str]) -> list[str]:
    """``lines``, with a closing line the letter said already (under the rituals) said as a callback."""
    if lines and lines[-1] in before and len(lines) > 1:
        return [*lines[:-1], "As with the rituals: a pattern in your own data, not proof of a cause."]
    return lines


def _repairs(report: MonthlyReport) -> dict[str, Any]:
    frame = report.practices.repairs
    lines = repairs.words(frame, report.month)
    return {"lines": lines, "strip": repairs.month_counts(frame, report.month) if lines else []}


def _events(report: MonthlyReport) -> dict[str, Any]:
    events = report.events
    if not events.empty:
        events = events[events["month"] <= report.month]  # nothing the month's letter could not know
    shown = last_months(report.month, 12)
    recent = events[events["month"].isin(shown)] if not events.empty else events
    on_charts = report.has_chart("trends") and not recent.empty
    return {
        "listed": [{"day": day_words(e.day), "words": e.words} for e in recent.itertuples()],
        "lines": lifeevents.event_words(report.table, events, report.month, people=report.people),
        "any": not events.empty,
        "on_charts": on_charts,
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


def _together(report: MonthlyReport) -> list[str]:
    """The question of the week and the appreciations in words, counted (never quoted)."""
    lines = []
    weeks = report.together.get("weeks")
    if weeks:
        both, of = weeks
        lines.append(f"The question of the week: you both answered {both} of the {of} weeks this month."
                     if len(report.people) > 1 else f"The question of the week: answered {both} of {of} weeks.")
    written = {p: n for p, n in (report.together.get("appreciations") or {}).items() if n and p in report.people}
    if written:
        lines.append("Appreciations in words: " + and_list(f"{p} wrote {n}" for p, n in written.items()) + ".")
    return lines


def context(report: MonthlyReport) -> dict[str, Any]:
    """Everything the practices template needs, for ``report``'s month."""
    return {"agreements": _agreements(report), "repairs": _repairs(report), "events": _events(report),
            "consent": _consent(report), "month": month_start(report.month).strftime("%B"),
            "together": _together(report)}
