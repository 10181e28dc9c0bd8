"""Follow-through: how the agreements went, month by month, and whether keeping them goes with the scores.

A month **kept** its agreements when the partners' answers to "did we?" average at least
:data:`~reflect.analytics.rhythm.KEPT_SHARE` (yes counts 1, partly one half, not yet 0: a yes and
a partly keep it, two partlies do not). :func:`links` then asks, under the rituals analysis's
honesty rules (:func:`reflect.analytics.rhythm.compare`), whether months that kept their
agreements show higher scores than the months around them that did not, since the first
agreement, in the same month and the next: in a model with time in it, so that scores that drift
and agreements kept in runs do not make a link of their own. Nothing is said with fewer than
:data:`~reflect.analytics.rhythm.MIN_PERIODS` months on either side, an effect comes with its
interval, and every sentence is a pattern, not a proof.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reflect.analytics import analysis, rhythm
from reflect.analytics.phrases import and_list, dimension_words, score
from reflect.domain.agreements import ANSWER_VALUE
from reflect.domain.dimensions import KEYS, label
from reflect.domain.months import add_months, last_months, month_start, parse_month

_SCORE_KEYS = (*KEYS, "intimacy_index")
#: How a month's agreements went, from the mean of its answers.
KEPT, PARTLY_KEPT, NOT_KEPT, UNANSWERED = "kept", "partly", "not yet", "unanswered"
STATE_WORDS = {KEPT: "kept", PARTLY_KEPT: "partly kept", NOT_KEPT: "not yet", UNANSWERED: "not answered yet"}


def month_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per month with an agreement: ``month``, ``agreements``, ``answers``, ``value`` (the
    mean answer, NaN when nobody answered) and ``state`` (kept, partly, not yet or unanswered).
    ``frame`` is :meth:`~reflect.storage.store.Store.agreement_frame`."""
    cols = ["month", "agreements", "answers", "value", "state"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    values = frame["answer"].map(ANSWER_VALUE)
    grouped = frame.assign(value=values).groupby("month", sort=True)
    out = pd.DataFrame({
        "agreements": grouped["number"].nunique(),
        "answers": grouped["answer"].count(),
        "value": grouped["value"].mean(),
    }).reset_index()
    out["state"] = [_state(v) for v in out["value"]]
    return out[cols]


def _state(value: float) -> str:
    if pd.isna(value):
        return UNANSWERED
    if value >= rhythm.KEPT_SHARE - 1e-9:
        return KEPT
    return PARTLY_KEPT if value > 0 else NOT_KEPT


def strip(frame: pd.DataFrame, month: str, months: int = 12) -> list[dict[str, Any]]:
    """The last ``months`` months up to ``month``: each one's short name and state (None: no agreement)."""
    table = month_table(frame).set_index("month")
    out = []
    for m in last_months(parse_month(month), months):
        state = str(table.loc[m, "state"]) if m in table.index else None
        out.append({"month": m, "label": month_start(m).strftime("%b"), "state": state})
    return out


def answers_of(frame: pd.DataFrame, month: str) -> list[dict[str, Any]]:
    """The agreements for ``month``: ``text``, ``dimension`` and ``ritual`` (or None) and each
    person's answer (``answers``: person -> yes / partly / not yet)."""
    part = frame[frame["month"] == month]
    out = []
    for (number, text), rows in part.groupby(["number", "text"], sort=True):
        given = {r.person: r.answer for r in rows.itertuples() if isinstance(r.person, str)}
        first = rows.iloc[0]
        out.append({"number": int(number), "text": text, "answers": given,
                    "dimension": first["dimension"] if isinstance(first["dimension"], str) else None,
                    "ritual": first["ritual"] if isinstance(first["ritual"], str) else None})
    return out


def quoted(text: str) -> str:
    """An agreement's words in quotation marks (unless they hold some already)."""
    return text if any(q in text for q in "\u201c\u201d\"") else f"\u201c{text}\u201d"


def answer_words(answers: dict[str, str]) -> str:
    """``Robin: yes; Sam: partly`` (or that nobody has answered yet)."""
    if not answers:
        return "nobody has answered \u201cdid we?\u201d yet"
    return "; ".join(f"{p}: {a}" for p, a in sorted(answers.items()))


def kept_count_words(frame: pd.DataFrame, month: str, months: int = 12) -> str | None:
    """``Over the last twelve months: 5 agreements kept, 2 partly, 1 not yet.`` (None without any)."""
    shown = [s["state"] for s in strip(frame, month, months) if s["state"] is not None]
    if not shown:
        return None
    counts = {state: shown.count(state) for state in (KEPT, PARTLY_KEPT, NOT_KEPT, UNANSWERED)}
    parts = [f"{counts[KEPT]} kept" if counts[KEPT] else "",
             f"{counts[PARTLY_KEPT]} partly" if counts[PARTLY_KEPT] else "",
             f"{counts[NOT_KEPT]} not yet" if counts[NOT_KEPT] else "",
             f"{counts[UNANSWERED]} not answered yet" if counts[UNANSWERED] else ""]
    total = len(shown)
    return (f"Over the last {months} months, {total} month{'s' if total != 1 else ''} with an agreement: "
            f"{and_list([p for p in parts if p])}.")


def links(checkins: pd.DataFrame, frame: pd.DataFrame, *, until: str | None = None, seed: int = 0) -> pd.DataFrame:
    """For each dimension (and the intimacy index) and lag (0: the same month, 1: the next one),
    whether months that kept their agreements show higher scores than the months around them
    since the first agreement (months whose agreement nobody answered are left out), as
    :func:`reflect.analytics.rhythm.compare` measures it.

    Columns: ``key, dimension, lag, n_with, n_without, mean_with, mean_without, effect, ci_low,
    ci_high, least_effect, rho, p_value, q_value, enough, significant``. The same data always gives
    the same result (``seed`` is kept for callers; nothing is drawn at random any more).
    """
    cols = ["key", "dimension", "lag", "n_with", "n_without", "mean_with", "mean_without", "effect", "ci_low",
            "ci_high", "least_effect", "rho", "p_value", "q_value", "enough", "significant"]
    table = month_table(frame)
    if table.empty or checkins.empty:
        return pd.DataFrame(columns=cols)
    if until:
        end = pd.Timestamp(month_start(add_months(parse_month(until), 1)))
        checkins = checkins[checkins["date"] < end]
        table = table[table["month"] <= until]
    if table.empty or checkins.empty:
        return pd.DataFrame(columns=cols)
    monthly = analysis.monthly_table(checkins)
    scores = monthly.groupby("date")[list(_SCORE_KEYS)].mean()
    first = pd.Timestamp(month_start(str(table["month"].min())))
    scores = scores[scores.index >= first]
    if scores.empty:
        return pd.DataFrame(columns=cols)
    starts = pd.date_range(first, scores.index.max(), freq="MS")
    by_month = table.set_index(pd.to_datetime(table["month"] + "-01"))
    state = by_month["state"].reindex(starts)
    known = state.ne(UNANSWERED).to_numpy()  # a month without an agreement counts as not kept
    kept = state.eq(KEPT).to_numpy()
    table = scores.reindex(starts)[list(_SCORE_KEYS)]
    rows = []
    for lag in (0, 1):
        found = rhythm.compare(kept, table.shift(-lag).to_numpy(dtype=float), known)
        rows += [{"key": key, "lag": lag, "dimension": "Intimacy index" if key == "intimacy_index" else label(key),
                  **row} for key, row in zip(_SCORE_KEYS, found, strict=True)]
    out = pd.DataFrame(rows, columns=[c for c in cols if c not in ("q_value", "significant")])
    return rhythm.mark_significant(out)[cols]


def findings(found: pd.DataFrame) -> list[str]:
    """Plain sentences for the links that hold up, strongest first; one line when it is too early or
    nothing holds up; nothing at all without agreements. Never a claim of cause."""
    if found.empty:
        return []
    strong = found[found["significant"]].copy()
    if not strong.empty:
        strong["strength"] = strong["effect"].abs().round(2)  # equal as shown: the same month first
        sentences = []
        for r in strong.sort_values(["strength", "lag"], ascending=[False, True]).head(3).itertuples():
            when = ("In months when you kept your agreement" if r.lag == 0 else
                    "In the month after one in which you kept your agreement")
            direction = "higher" if r.effect > 0 else "lower"
            low, high = (r.ci_low, r.ci_high) if r.effect > 0 else (-r.ci_high, -r.ci_low)
            sentences.append(f"{when}, {dimension_words(r.key)} averaged {score(abs(r.effect))} points {direction} "
                             f"(likely between {score(low)} and {score(high)}; {r.n_with} months kept, "
                             f"{r.n_without} not).")
        sentences.append("These are patterns in your own data, not proof that one causes the other.")
        return sentences
    if not found["enough"].any():
        most = found.sort_values(["n_with", "n_without"], ascending=False).iloc[0]
        return [f"It is too early to say whether keeping your agreements goes with higher scores: that needs at "
                f"least {rhythm.MIN_PERIODS} months with an agreement kept and {rhythm.MIN_PERIODS} without "
                f"(so far {int(most.n_with)} and {int(most.n_without)})."]
    return ["So far, keeping your agreements does not go clearly with higher or lower scores: any differences "
            "are within what chance alone would give."]

