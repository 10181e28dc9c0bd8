"""The letter linter, and letters of generated couples of many shapes. A helper module (no tests here).

:func:`lint` reads one monthly letter (its HTML) as the couple would and returns what reads wrong:
a sentence or a question said twice, more than three stock maxims, a command line, a gap that does
not match the two numbers printed beside it, a date with a leading zero, a cause claimed where the
data shows none, a good month that opens on what is missing, a cover without its parts.

:func:`letter_couple` makes a :class:`~reflect.reporting.report.MonthlyReport` for a generated
couple of one of :data:`LETTER_SHAPES` (from :mod:`tests.couples` for the drifting scores), built
from frames as the store gives them, with no store and no kernel.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reflect.analytics.phrases import MAXIMS
from reflect.analytics.practices import Practices
from reflect.domain.dimensions import DESIRED_KEYS, KEYS
from reflect.domain.months import add_months

from .couples import DRIFTS, couple

# -- reading a letter -------------------------------------------------------------------------------


def without_drawing(monkeypatch) -> None:
    """Letters read faster with no chart drawn: each chart's SVG is an empty one."""
    from concurrent.futures import Future

    from reflect.reporting import rendering

    def empty(spec):
        done: Future[str] = Future()
        done.set_result("<svg></svg>")
        return done

    monkeypatch.setattr(rendering, "render_later", empty)


def letter_html(report) -> str:
    """Every section of ``report``, as the report notebook shows them, in one page."""
    return "\n".join(section()._repr_html_() for section in report.sections())


def _text(fragment: str) -> str:
    fragment = re.sub(r"<svg.*?</svg>", " ", fragment, flags=re.S)
    fragment = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", htmllib.unescape(fragment)).strip()


def blocks(page: str) -> list[str]:
    """The letter's prose, block by block: paragraphs, list items and captions (not the tables)."""
    page = re.sub(r"<table.*?</table>", " ", page, flags=re.S)
    return [t for t in (_text(b) for b in re.findall(r"<(?:p|li|figcaption)[^>]*>(.*?)</(?:p|li|figcaption)>",
                                                      page, flags=re.S)) if t]


def sentences(page: str) -> list[str]:
    out = []
    for block in blocks(page):
        out += [s.strip() for s in re.split(r"(?<=[.?!])\s+(?=[A-Z\u201c])", block) if s.strip()]
    return out


@dataclass(frozen=True)
class Problem:
    rule: str
    text: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.text}"


_CAUSAL = re.compile(r"\b(because of|caused|led to|thanks to|made you|resulted in|due to)\b", re.I)
_HONEST = ("not proof", "does not show that")


def lint(page: str, *, month_title: str = "") -> list[Problem]:
    """What reads wrong in one letter (empty when nothing does)."""
    problems: list[Problem] = []
    said = sentences(page)
    seen: dict[str, int] = {}
    for s in said:
        key = s.lower()
        if len(key.split()) >= 4 or key.endswith("?"):
            seen[key] = seen.get(key, 0) + 1
    problems += [Problem("said twice", s) for s, n in seen.items() if n > 1]
    text = " ".join(blocks(page)).lower()
    maxims = [m for m in MAXIMS for _ in range(text.count(m))]
    if len(maxims) > 3:
        problems.append(Problem("more than three maxims", ", ".join(maxims)))
    if "<code" in page or re.search(r"\breflect (report|ritual|add|person|consent|import|export)\b", text) or \
            re.search(r"(^|\s)--[a-z]", text):
        problems.append(Problem("a command line in the letter", text[:80]))
    for m in re.finditer(r"passion (\d+\.\d) against an intimacy index of (\d+\.\d) \([^:]+: "
                         r"(?:passion (\d+\.\d) (?:above|below) the index|level with each other)\)", " ".join(said)):
        printed = abs(round(float(m.group(1)) - float(m.group(2)), 1))
        stated = float(m.group(3)) if m.group(3) else 0.0
        if abs(printed - stated) > 1e-9:
            problems.append(Problem("a gap the reader cannot work out", m.group(0)))
    for s in said:
        if re.search(r"\b0\d [A-Z][a-z]+ \d{4}\b", s):
            problems.append(Problem("a date with a leading zero", s))
        if re.search(r"\bso far the most is 0\b|\b0 months\b|\b0 weeks\b", s):
            problems.append(Problem("a count of nothing", s))
        if _CAUSAL.search(s) and not any(h in s for h in _HONEST):
            problems.append(Problem("a cause claimed", s))
        if re.search(r"\btwice\b.*\ball of them\b", s):
            problems.append(Problem("'all of them' for two", s))
    parts = page.split('<div class="reflect">')
    cover = parts[1] if len(parts) > 1 and 'class="cover"' in parts[1] else ""
    if not cover:
        problems.append(Problem("no cover", ""))
    else:
        for part in ("Good news", "To talk about", "One thing to try", "Your year"):
            if part not in cover:
                problems.append(Problem("a cover without its parts", part))
        talk = re.search(r'class="box talk">.*?<ul>(.*?)</ul>', cover, flags=re.S)
        if talk is None or len(re.findall(r"<li>", talk.group(1))) != 3:
            problems.append(Problem("not three things to talk about", ""))
        opening = _text(re.search(r"<p>Dear.*?</p><p>(.*?)</p>", cover, flags=re.S).group(1)) \
            if re.search(r"<p>Dear.*?</p><p>(.*?)</p>", cover, flags=re.S) else ""
        if "went well" in opening and re.search(r"room to grow|lowest|low across", opening):
            problems.append(Problem("a good month that opens on what is missing", opening))
    if month_title.startswith("December"):
        if re.search(r"For January:", _text(page)):
            problems.append(Problem("next January without its year", month_title))
    return problems


def link_claims(page: str) -> list[str]:
    """The sentences that claim a link between a practice and the scores."""
    return [s for s in sentences(page) if s.startswith(("In months when", "In the month after", "In weeks when",
                                                         "In the week after"))]


# -- generated couples --------------------------------------------------------------------------------

#: The shapes of couple :func:`letter_couple` makes.
LETTER_SHAPES = ("new", "alone", "spark-no-closeness", "baby", "ties", "first-wishes", "every-practice", "none",
                 "low", "both-want-more", "december", *DRIFTS)


def _repairs(rng: np.random.Generator, months: list[str]) -> pd.DataFrame:
    rows = []
    for m in months:
        for _ in range(int(rng.integers(0, 3))):
            day = pd.Timestamp(m + "-01") + pd.Timedelta(days=int(rng.integers(0, 27)))
            rows.append({"person": "Ana", "day": day, "month": m, "number": len(rows) + 1, "happened": day,
                         "days": int(rng.integers(0, 4)), "shared": True})
    return pd.DataFrame(rows, columns=["person", "day", "month", "number", "happened", "days", "shared"])


def _event(day: str, kind: str, words: str) -> pd.DataFrame:
    from reflect.domain.lifeevents import KINDS

    ts = pd.Timestamp(day)
    return pd.DataFrame([{"day": ts, "month": day[:7], "kind": kind, "words": words, "name": KINDS[kind][0]}],
                        columns=["day", "month", "kind", "words", "name"])


def letter_couple(seed: int, shape: str):
    """A :class:`~reflect.reporting.report.MonthlyReport` for the last month of a generated couple."""
    from reflect.reporting.report import MonthlyReport

    rng = np.random.default_rng([seed, LETTER_SHAPES.index(shape)])
    months = {"new": 1, "first-wishes": 1, "alone": 12, "december": 14}.get(shape, int(rng.integers(14, 30)))
    start = "2024-11" if shape != "december" else "2025-11"
    c = couple(seed, shape if shape in DRIFTS else "mixed", months=max(months, 12), start=start)
    checkins = c.checkins.copy()
    names = c.months
    if months == 1:
        checkins = checkins[checkins["month"] == names[-1]].reset_index(drop=True)
    last = names[-1]
    events = Practices.none().events
    rituals, agreements = c.rituals, c.agreements
    repairs = _repairs(rng, names)
    if shape == "alone":
        checkins = checkins[checkins["person"] == "Ana"].reset_index(drop=True)
    if shape == "spark-no-closeness":
        span = checkins["month"] >= add_months(last, -7)
        checkins.loc[span, "passion"] = 9
        for k in KEYS[1:]:
            checkins.loc[span, k] = np.clip(checkins.loc[span, k] - 3, 1, 10)
    if shape == "baby":
        events = _event(add_months(last, -2) + "-14", "birth", "Our baby is born")
        late = checkins["month"] >= add_months(last, -2)
        checkins.loc[late, "passion"] = 3
    if shape == "ties":
        prev, now = checkins["month"] == add_months(last, -1), checkins["month"] == last
        for k in ("spiritual", "intellectual"):
            checkins.loc[prev, k] = 5
            checkins.loc[now, k] = 7
        checkins.loc[now, "passion"] = checkins.loc[prev, "passion"].to_numpy()
        for k in ("emotional", "physical", "experiential"):
            checkins.loc[now, k] = checkins.loc[prev, k].to_numpy()
    if shape in ("first-wishes", "both-want-more", "every-practice"):
        now = checkins["month"] == last
        checkins.loc[now, "passion"] = 4
        checkins.loc[now, "desired_passion"] = 8
        checkins.loc[now, "desired_emotional"] = np.clip(checkins.loc[now, "emotional"] + 1, 1, 10)
    if shape == "low":
        late = checkins["month"] >= add_months(last, -2)
        for k in KEYS:
            checkins.loc[late, k] = 3
    if shape in ("none", "new", "first-wishes"):
        rituals = rituals.iloc[0:0]
        agreements = agreements.iloc[0:0]
        repairs = repairs.iloc[0:0]
    if shape == "every-practice":
        events = _event(add_months(last, -5) + "-03", "new-job", "A new job for Ben")
    for d in DESIRED_KEYS:
        checkins[d] = checkins[d].astype(float)
    practices = Practices(agreements, repairs, events)
    return MonthlyReport(checkins, last, rituals=rituals, ritual_kinds=c.kinds, practices=practices,
                         source="generated.db")
