"""The monthly report's content: a letter to the couple, section by section.

The report notebook (``notebooks/monthly_report.ipynb``) holds one call per cell to a
:class:`MonthlyReport`; each call returns a :class:`Section` that Jupyter shows as HTML. Charts
are embedded as static SVG, rendered here with no network, so the exported page works offline.

>>> report = MonthlyReport.open(month="2026-10", db="data/reflect.db")   # doctest: +SKIP
>>> report.at_a_glance()                                                 # doctest: +SKIP
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from reflect.analytics import agreements as follow_through
from reflect.analytics import analysis, insights, lifestage, rhythm, year
from reflect.analytics.phrases import and_list, day_words, gap, number_words, score, times_words
from reflect.analytics.practices import Practices
from reflect.domain.dimensions import KEYS, label
from reflect.domain.months import add_months, last_months, month_start
from reflect.errors import NoData, ValidationError
from reflect.reporting import handover, rendering
from reflect.reporting import practices as practice_words
from reflect.reporting.params import parse_flag, resolve_month
from reflect.storage.reminders import next_reflection_line
from reflect.views import charts

#: How many months the charts over time show, ending with the report's month.
HISTORY_MONTHS = 24
#: Where a letter looks for a practice card when none of this month's fits a finding's own situation.
CARD_FALLBACKS = ("ritual-gap", "good-month")
#: The charts over time are drawn from this many months of check-ins on (fewer make nearly empty charts).
MIN_CHART_MONTHS = 3



@dataclass(frozen=True)
class Section:
    """A piece of the report, shown by Jupyter as HTML."""

    html: str
    #: Shows notes (or what a couple both said yes to): left out of the executed notebook that
    #: ``reflect report`` keeps beside the page (see :func:`reflect.reporting.handover.without_private`).
    private: bool = False

    def _repr_html_(self) -> str:
        return f'<div class="reflect">{self.html}</div>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        data = {"text/html": self._repr_html_()}
        return (data, copy.deepcopy(handover.PRIVATE)) if self.private else data

    def __str__(self) -> str:
        return self.html


# -- the report ----------------------------------------------------------------------------------


class MonthlyReport:
    """Everything the monthly report says about one month of one store."""

    def __init__(
        self,
        checkins: pd.DataFrame,
        month: str,
        *,
        include_notes: bool = False,
        is_demo: bool = False,
        source: str = "",
        rituals: pd.DataFrame | None = None,
        ritual_kinds: dict[str, Any] | None = None,
        notes_left_out: list[str] | None = None,
        practices: Practices | None = None,
        consent: dict[str, Any] | None = None,
        next_reflection: str = "",
        together: dict[str, Any] | None = None,
        year_ago_words: list[dict[str, str]] | None = None,
    ):
        self.month = month
        #: "Your next reflection: Sunday 27 December, 20:00" when reminders are set (``reflect remind``), else "".
        self.next_reflection = next_reflection
        #: Agreements, repairs (no words) and life events; the consent views the report may show
        #: (``views``: what pairs both see, with ``include_notes`` only; ``kept``: whether anyone has a list).
        self.practices = practices or Practices.none()
        self.events = self.practices.events
        self.consent = consent or {"views": None, "kept": False}
        #: What the two of you did together that the letter counts, never quotes (read by :meth:`open`):
        #: ``weeks`` (the weeks you both answered the question of the week, and the weeks so far),
        #: ``appreciations`` (person -> how many written), ``weighing`` (sentences on how life weighed,
        #: where it was shared) and ``closeness`` (the guides' third imbalance, or "").
        self.together = together or {}
        #: The appreciations you wrote each other a year before this month (``writer``, ``to``, ``date``,
        #: ``text``): handed over in memory, only in a report with notes that both of you signed in for.
        self.year_ago_words = list(year_ago_words or []) if include_notes else []
        self.include_notes = include_notes
        self.notes_left_out = notes_left_out or []
        self.is_demo = is_demo
        self.source = source
        end = pd.Timestamp(month_start(add_months(month, 1)))
        self.checkins = checkins[checkins["date"] < end].reset_index(drop=True)
        self.table = analysis.monthly_table(self.checkins)
        self.rows = self.table[self.table["month"] == month]
        if self.rows.empty:
            raise NoData(f"there are no check-ins in {month}")
        self.people: list[str] = list(self.rows["person"])
        self.summary = analysis.month_summary(self.checkins, month)
        #: The season of life a recent event puts you in (a new baby, a new job ...), or None.
        self.season = lifestage.season(month, self.events)
        #: Picks every suggestion and question of this letter: none twice, and none that asks for
        #: energy a gentle season does not have.
        self.chooser = insights.Chooser(month, gentle=self.season is not None and self.season.gentle)
        self.findings = insights.insights(self.checkins, month, chooser=self.chooser)
        #: The practice cards this letter has named (none twice).
        self.cards_named: list[str] = []
        first_shown = add_months(month, -(HISTORY_MONTHS - 1))
        self.history = self.table[(self.table["month"] >= first_shown) & self.table["person"].isin(self.people)]
        self.ritual_kinds = ritual_kinds or {}
        if rituals is None or rituals.empty:
            self.rituals = pd.DataFrame(columns=["day", "month", "week", "person", "kind", "cadence"])
        else:
            self.rituals = rituals[rituals["day"] < end].reset_index(drop=True)
        self._start_rendering()
        # the heavier sums, done while the charts are being drawn
        self.readings = analysis.trend(self.table[self.table["person"].isin(self.people)], month)
        self.ritual_links = (
            [] if self.rituals.empty else
            rhythm.findings(rhythm.associations(self.checkins, self.rituals, self.ritual_kinds, until=month),
                            self.ritual_kinds)
        )

    @classmethod
    def open(cls, month: Any = None, db: Any = None, include_notes: Any = False,
             notes_file: Any = None) -> MonthlyReport:
        """Check the report's parameters and read the store; clear errors for bad ones.

        ``db=None`` uses the default store (``$REFLECT_DB`` or ``data/reflect.db``), or the demo
        couple's while the default store has no check-ins. The report shows what is no longer
        sealed (a partner's answers for a month not over yet wait until both have answered) and,
        with ``include_notes``, the notes of people without a passphrase and those that
        ``reflect report --include-notes`` hands over in memory for the people who signed in
        (:mod:`reflect.reporting.handover`), of this month only. ``notes_file`` (a file of notes,
        in earlier versions) is refused: notes are never handed over in a file.
        """
        from reflect.storage.demo import open_for_viewing

        if db is not None and not isinstance(db, (str, os.PathLike)):
            raise ValidationError(f"{db!r} is not a path to a store", field="db")
        notes = parse_flag(include_notes, field="include_notes")
        if notes_file is not None:
            raise ValidationError("notes_file is no longer taken: notes never go through a file; "
                                  "`reflect report --include-notes` hands them to the report in memory",
                                  field="notes_file")
        if month is not None and not isinstance(month, str):
            # papermill's -p turns 2026 into an int; say what to write instead
            raise ValidationError(
                f"{month!r} is not a month in the form YYYY-MM (pass it as text, e.g. -p month 2026-10)",
                field="month",
            )
        store, is_demo = open_for_viewing(db or None)
        with store:
            chosen = resolve_month(month, store.months())
            handed = handover.take(store.path, chosen) if store.path is not None else None
            frame = store.frame(include_notes=notes)
            rituals = store.ritual_frame()
            kinds = store.ritual_kinds()
            source = str(store.path)
            upcoming = next_reflection_line(store.path)
            is_demo = is_demo or store.holds_only_demo()
            people = [(p.name, p.protected) for p in store.persons()]
            practices = Practices.read(store)
            open_views = store.consent_shared_views() if notes else []  # lists kept without a passphrase
            together = _together(store, chosen)
            consent: dict[str, Any] = {"views": None, "kept": bool(store.consent_people())}
        left_out: list[str] = []
        year_ago_words: list[dict[str, str]] = []
        if notes:
            with_keys = [p for p in people if p[1]]
            given = handed.for_month(chosen) if handed is not None else handover.Handover(
                left_out=tuple(p[0] for p in with_keys))
            left_out = list(given.left_out)
            year_ago_words = [dict(a) for a in given.appreciations]
            frame = handover.overlay(frame, given.notes)
            views = [{"people": [v.person, v.partner], "items": list(v.items)} for v in open_views]
            views += [dict(v) for v in given.consent]
            consent["views"] = _one_per_pair(views)
        return cls(frame, chosen, include_notes=notes, is_demo=is_demo, source=source, rituals=rituals,
                   ritual_kinds=kinds, notes_left_out=left_out, practices=practices, consent=consent,
                   next_reflection=upcoming, together=together, year_ago_words=year_ago_words)

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return month_start(self.month).strftime("%B %Y")

    @property
    def title_month(self) -> str:
        return month_start(self.month).strftime("%B")

    def _charts(self) -> dict[str, Callable[[], Any]]:
        """Every chart this report shows, by name, in the order the sections show them."""
        plan: dict[str, Callable[[], Any]] = {}
        if len(self.people) == 2 and not self._wished():
            plan["side_by_side"] = lambda: charts.partners_side_by_side(self.table, self.month)
        if self._wished():
            plan["desired"] = lambda: charts.desired_vs_current(self.table, self.month, people=self.people)
        if self.history["month"].nunique() >= MIN_CHART_MONTHS:
            plan["trends"] = lambda: charts.dimension_trends(self.history, events=self.events)
            plan["balance"] = lambda: charts.balance_over_time(self.history, events=self.events)
        if not self.rituals.empty:
            months = last_months(self.month, 12)
            plan["rituals"] = lambda: charts.ritual_calendar(self.rituals, self.ritual_kinds, months=months)
        return plan

    def _wished(self) -> bool:
        """Someone said this month how they would like things to be (the wishes chart shows both of
        you, so the side-by-side chart is left out)."""
        return bool(self.rows[[f"desired_{k}" for k in KEYS]].notna().any().any())

    def _start_rendering(self) -> None:
        """Build every chart's spec now. With a renderer process (``reflect report``), the SVGs are
        drawn there while this process writes the rest of the report; otherwise here."""
        from concurrent.futures import Future

        self._svgs: dict[str, Future[str]] = {}
        self._alts: dict[str, str] = {}
        for name, build in self._charts().items():
            # each chart is one image on the page, named by its title and what it shows
            spec = charts.page_spec(build())
            self._alts[name] = charts.text_alternative(spec)
            # drawn by a renderer process while the next spec is built here, or here and now
            self._svgs[name] = rendering.render_later(spec)

    def has_chart(self, name: str) -> bool:
        return name in self._svgs

    def _figure(self, name: str, caption: str) -> dict[str, Any]:
        """A chart for a template: its SVG (drawn by vl-convert, trusted), its text alternative (its
        title and what it shows, :func:`reflect.views.charts.text_alternative`) and its caption."""
        return {"svg": Markup(self._svgs[name].result()), "alt": self._alts[name], "caption": caption}

    # -- sections --------------------------------------------------------------------------------

    #: Findings the cover tells as good news (a rise, a strength, a streak, passion and intimacy in
    #: step): said there, and not again under "What stands out".
    GOOD_NEWS_KINDS = ("change", "strongest", "streak", "in_step")

    def is_good_news(self, finding: insights.Insight) -> bool:
        if finding.kind == "change":
            return finding.situation == "rise"
        return finding.kind in self.GOOD_NEWS_KINDS

    #: The practice card situation each kind of finding points to (:func:`reflect.analytics.cards.cards_for`).
    CARD_SITUATIONS = {
        "unmet_emotional": "unmet-emotional-need", analysis.HIGH_PASSION: "high-passion-low-closeness",
        analysis.HIGH_INTIMACY: "low-passion-high-closeness", "seen_differently": "seeing-differently",
        "mismatched_needs": "mismatched-wishes", "rise": "good-month", "good_month": "good-month",
        "strength": "good-month", "streak": "good-month", "gap": "ritual-gap", "support": "illness",
    }

    def card_for(self, situation: str) -> dict[str, str] | None:
        """A practice card that fits a finding's ``situation`` (or a dimension, or a life event's
        kind), turning with the month: its title, time and purpose. None twice in a letter, and never
        one of last month's: the cards take turns by month, half of them in even months and the other
        half in odd ones (every situation fits cards of both halves). A card for couples apart is named
        only in a season of time apart (:func:`reflect.analytics.cards.month_half`)."""
        from reflect.analytics.cards import cards_for, month_half
        from reflect.domain.cards import all_cards

        name = self.CARD_SITUATIONS.get(situation)
        if name is None and situation.split("_", 1)[0] in ("unmet", "low"):
            name = situation.split("_", 1)[1]
        if name is None:
            name = situation
        deck = all_cards()
        this_half = month_half(self.month, deck)
        apart = self.season is not None and self.season.kind == "distance"
        leave_out = [*self.cards_named, *(n for n, c in deck.items() if n not in this_half
                                          or ("long-distance" in c.situations and not apart))]
        found = []
        for fits in (name, *CARD_FALLBACKS):  # a situation with no card of its own this month: a general one
            try:
                found = cards_for(fits, self.month, exclude=leave_out, count=1)
            except ValidationError:
                continue
            if found:
                break
        if not found:
            return None
        card = found[0]
        self.cards_named.append(card.name)
        return {"title": card.title, "time": card.time_words.lower(), "purpose": card.purpose}

    def went_well(self) -> bool:
        """A month that went well: every score at 7 or above for each of you, or everyone in
        balance with an intimacy index of 7 or more, no unmet need and no drop of a point or more."""
        scores = self.rows[list(KEYS)]
        if bool((scores.round(1) >= 7).all().all()):
            return True
        calm = (self.rows["balance"] == analysis.BALANCED).all() and bool((self.rows["intimacy_index"].round(1)
                                                                           >= 7).all())
        return bool(calm) and not any(f.kind in ("support", "unmet_needs") or f.situation == "drop"
                                      for f in self.findings)

    def _counts(self) -> str:
        parts = []
        for i, (person, p) in enumerate(self.summary["people"].items()):
            n = p["checkins"]
            verb = "checked in " if i == 0 else ""
            parts.append(f"{person} {verb}{times_words(n)}")
        said = and_list(parts)
        kinds = sorted(set(self.checkins.loc[self.checkins["month"] == self.month, "cadence"]),
                       key=["monthly", "weekly", "daily"].index)
        if len(kinds) > 1:
            said += f" ({and_list(kinds)} check-ins together)"
        return said

    def _mood(self) -> str:
        balances = {p["balance"] for p in self.summary["people"].values()}
        first = self.rows[[f"change_{k}" for k in KEYS]].isna().all().all()
        everyone = "both of you" if len(self.people) == 2 else "you"
        if self.went_well():
            if bool((self.rows[list(KEYS)].round(1) >= 7).all().all()):
                return (f"{self.title_month} went well: every score is at 7 or above for {everyone}, "
                        + ("and passion and intimacy are in step." if balances == {analysis.BALANCED} else
                           "with passion and intimacy a little apart."))
            return f"{self.title_month} went well: passion and intimacy in step for {everyone}, and closeness high."
        if balances == {analysis.BALANCED}:
            return ("Passion and intimacy are in step this month." if first
                    else "Passion and intimacy moved together this month.")
        leaning = [p for p, s in self.summary["people"].items() if s["balance"] != analysis.BALANCED]
        who = f" for {leaning[0]}" if len(leaning) == 1 and len(self.people) > 1 else ""
        if analysis.HIGH_INTIMACY in balances and analysis.HIGH_PASSION not in balances:
            return f"Closeness ran ahead of passion{who} this month."
        if analysis.HIGH_PASSION in balances and analysis.HIGH_INTIMACY not in balances:
            return f"Passion ran ahead of closeness{who} this month."
        return "Passion and intimacy pulled in different directions this month."

    def good_news(self) -> list[str]:
        """What went well this month, at most three things, for the cover."""
        news = [f.text for f in self.findings if self.is_good_news(f) and f.kind != "in_step"]  # the mood says it
        kept = [a for a in follow_through.answers_of(self.practices.agreements, self.month)
                if a["answers"] and all(v == "yes" for v in a["answers"].values())
                and len(a["answers"]) == len(self.people)]
        if kept:
            news.append(f"You kept your agreement: {follow_through.quoted(kept[0]['text'])}.")
        here = self.practices.repairs
        if not here.empty and (here["month"] == self.month).any():
            n = int((here["month"] == self.month).sum())
            news.append(f"You came back to each other after a rupture {times_words(n)} this month.")
        if not news:
            news.append("You took the time to reflect this month: that is where everything else starts.")
        return news[:3]

    def _questions(self) -> list[str]:
        """Three questions to talk about, from what this month's findings are about (each asked once)."""
        keys: list[str] = []
        for finding in self.findings:
            if not self.is_good_news(finding):
                keys += [k for k in finding.keys if k not in keys]
        keys += [_lowest(p["scores"]) for p in self.summary["people"].values()]
        keys += list(KEYS)
        asked: list[str] = []
        for key in dict.fromkeys(keys):
            asked += self.chooser.questions(key, 1)
            if len(asked) == 3:
                break
        return asked

    @functools.cached_property
    def one_thing(self) -> dict[str, Any]:
        """One thing to try this month: what fits the season of life, or the first finding's first
        suggestion (which that finding then leaves to the cover)."""
        if self.season is not None:
            picked = self.chooser(self.season.suggestions, f"season-{self.season.kind}", 1)
            if picked:
                return {"text": picked[0][:1].lower() + picked[0][1:], "why": f"For {self.season.name},",
                        "card": self.card_for(self.season.kind)}
        for finding in self.findings:
            if not self.is_good_news(finding) and finding.suggestions:
                situation = finding.keys[0] if finding.situation == "drop" and finding.keys else finding.situation
                return {"text": finding.suggestions[0], "why": "", "card": self.card_for(situation)}
        picked = self.chooser(insights.SUGGESTIONS["balanced"], "cover", 1)
        return {"text": picked[0] if picked else "", "why": "", "card": self.card_for("good-month")}

    def cover(self) -> Section:
        """Page 1, a letter that stands alone: the month's mood, your year in a few lines, the good
        news, three things to talk about and one thing to try."""
        return _section("cover", title=self.title, is_demo=self.is_demo, names=and_list(self.people),
                        count_text=self._counts(), mood=self._mood(), good_month=self.went_well(),
                        year=year.story(self.table, self.events, self.month, self.people),
                        news=self.good_news(), questions=self._questions(), one_thing=self.one_thing)

    def at_a_glance(self) -> Section:
        people = self.summary["people"]
        rows = []
        for key in [*KEYS, "intimacy_index"]:
            cells = []
            for p in people.values():
                if key == "intimacy_index":
                    changes = [p["change"][k] for k in KEYS[1:]]
                    change = round(sum(changes) / 5, 2) if all(c is not None for c in changes) else None
                    cells.append((p["intimacy_index"], change))
                else:
                    cells.append((p["scores"][key], _known(p["change"][key])))
            rows.append({"name": "Intimacy index" if key == "intimacy_index" else label(key),
                         "index": key == "intimacy_index", "cells": cells})
        lines = []
        for person, p in people.items():
            words = analysis.BALANCE_WORDS[p["balance"]]
            apart = gap(p["scores"]["passion"], p["intimacy_index"])
            if apart == 0:
                where = "level with each other"
            else:
                where = f"passion {score(abs(apart))} {'above' if apart > 0 else 'below'} the index"
            lines.append(f"{person}: passion {score(p['scores']['passion'])} against an intimacy index of "
                         f"{score(p['intimacy_index'])} ({words}: {where}).")
        lines += self.together.get("weighing", [])
        if self.together.get("closeness"):
            lines.append(self.together["closeness"])
        charts = []
        if self.has_chart("side_by_side"):
            charts.append(self._figure("side_by_side",
                                       "Where each of you put each dimension this month; the grey bar is the "
                                       "distance between you."))
        return _section("at_a_glance", people=list(people), rows=rows, lines=lines, charts=charts,
                        missing=self._missing_last_month().strip())

    def _missing_last_month(self) -> str:
        before = month_start(add_months(self.month, -1)).strftime("%B")
        began = self.checkins.groupby("person")["month"].min()
        missing = [p for p, s in self.summary["people"].items() if all(c is None for c in s["change"].values())
                   and began.get(p, self.month) < add_months(self.month, -1)]  # not in a person's first month
        if not missing:
            return ""
        who = " and ".join(missing)
        return f" {who} did not check in in {before}, so there is nothing to compare with."

    def what_might_help(self) -> Section:
        tried = self.one_thing["text"]
        rest = [dataclasses.replace(f, suggestions=tuple(s for s in f.suggestions if s != tried))
                for f in self.findings if not self.is_good_news(f)]
        lead = insights.LEAD_FINDINGS
        return _section("what_might_help", findings=list(zip(rest[:lead], self.lead_cards, strict=True)),
                        more=rest[lead:])

    @functools.cached_property
    def lead_cards(self) -> list[dict[str, str] | None]:
        """The practice card each leading finding names (after the cover's one thing to try), worked
        out once, so that every section reads the same plan whatever order they are shown in."""
        self.one_thing  # noqa: B018 - the cover's card is chosen first
        rest = [f for f in self.findings if not self.is_good_news(f)][:insights.LEAD_FINDINGS]
        return [self.card_for(f.keys[0] if f.situation == "drop" and f.keys else f.situation) if f.situation
                else None for f in rest]

    def needs(self) -> Section:
        chart = self._figure("desired",
                             "The filled dot is how it is; the ring is how you would like it. Orange gaps of "
                             "3 points or more are unmet needs.") if self.has_chart("desired") else None
        lines = []
        said = {f.kind for f in self.findings}
        if chart and not said & {"unmet_needs", "mismatched_needs", "seen_differently"}:
            close = " and your wishes are close to each other" if len(self.people) == 2 else ""
            lines.append(f"No wish is 3 or more points away from how things are{close}.")
        return _section("needs", chart=chart, lines=lines)

    def over_time(self) -> Section:
        sentences = list(insights.trend_words(self.readings))
        months = self.history["month"].nunique()
        charts = []
        if months >= MIN_CHART_MONTHS:
            charts = [
                self._figure("trends", f"Each dimension over the last {months} months: dots are monthly scores, "
                                       "lines the 3-month rolling mean."),
                self._figure("balance", "Passion against the intimacy index. Shaded months were out of balance: "
                                        "2 or more points apart."),
            ]
        else:
            sentences.append(f"The charts over time begin once there are {number_words(MIN_CHART_MONTHS)} months "
                             "of check-ins.")
        return _section("over_time", sentences=sentences, charts=charts)

    def rhythm(self) -> Section:
        months = last_months(self.month, 12)
        people = []
        missed = False
        for person in self.people:
            mine = self.checkins[self.checkins["person"] == person]
            seen = set(mine["month"])
            this = mine[mine["month"] == self.month]["cadence"].value_counts()
            streak = analysis.streak(self.checkins, person, self.month)
            kept = sum(m in seen for m in months)
            started = min(seen)
            missed = missed or any(m not in seen for m in months if m >= started)
            if streak >= 2:
                streak_text = f"{streak} months in a row"
            elif kept > 1:
                streak_text = "back after a gap"
            else:
                streak_text = "a first month"
            counts = [f"{int(this[c])} {c}" for c in ("monthly", "weekly", "daily") if c in this.index]
            people.append({
                "name": person,
                "strip": [{"done": m in seen, "label": month_start(m).strftime("%b")} for m in months],
                "counts": and_list(counts), "plural": this.sum() != 1,
                "kept": _kept_words(kept, len([m for m in months if m >= started]), started <= months[0]),
                "streak": streak_text,
            })
        rituals = None
        if not self.rituals.empty:
            kinds = self.ritual_kinds
            rituals = {
                "month": rhythm.month_in_words(self.rituals, kinds, self.month),
                "going": rhythm.streaks_in_words(self.rituals, kinds, self.month),
                "chart": self._figure("rituals", "Every ritual of the last twelve months, day by day."),
                "links": practice_words.at_most(self.ritual_links, practice_words.MAX_LINKS),
            }
        return _section("rhythm", people=people, rituals=rituals, missed=missed)

    def last_year(self) -> Section:
        rows = analysis.last_year(self.table, self.month)
        if rows.empty:
            return Section("")
        before = month_start(add_months(self.month, -12)).strftime("%b %Y")
        now = month_start(self.month).strftime("%b %Y")
        people = []
        for person, part in rows.groupby("person", sort=False):
            people.append({"name": person, "rows": {r.key: (r.last_year, r.this_month, gap(r.this_month, r.last_year))
                                                    for r in part.itertuples()}})
        dims = [(r.key, r.dimension) for r in rows.drop_duplicates("key").itertuples()]
        words = [{"writer": a["writer"], "to": a["to"], "text": a["text"]} for a in self.year_ago_words]
        return _section("last_year", shows_notes=bool(words), before=before, now=now, people=people, dims=dims,
                        words=words, year_ago=month_start(add_months(self.month, -12)).strftime("%B %Y"))

    def practices_section(self) -> Section:
        """The practices: the agreements and how they went, repairs (how often and how soon, never
        their words), the life events, and what you both said yes to (with notes only)."""
        return _section("practices", shows_notes=bool(self.include_notes and self.consent.get("views")),
                        **practice_words.context(self))

    def notes(self) -> Section:
        """The month's notes, only when the report was asked to include them."""
        if not self.include_notes or "note" not in self.checkins:
            return Section("")
        month_rows = self.checkins[(self.checkins["month"] == self.month) & self.checkins["note"].notna()]
        if month_rows.empty:
            return Section("")
        people = [{"name": person, "notes": [{"text": r.note, "cadence": r.cadence, "day": f"{r.date.day} {r.date:%B}"}
                                             for r in part.itertuples()]}
                  for person, part in month_rows.groupby("person", sort=True)]
        return _section("notes", shows_notes=True, people=people)

    def closing(self) -> Section:
        private = ("Private notes are included, as you asked: keep this file somewhere safe."
                   if self.include_notes else "Private notes are left out.")
        if self.include_notes and self.notes_left_out:
            private += (f" The notes of {' and '.join(self.notes_left_out)} are left out: a note with a passphrase "
                        "is shown only when its writer signs in for the report.")
        now = dt.datetime.now()
        return _section("closing", made=f"{day_words(now.date())} at {now:%H:%M}",
                        source=Path(self.source).name, private=private, next_reflection=self.next_reflection)

    def sections(self) -> list[Callable[[], Section]]:
        """Every section, in the order the report notebook shows them."""
        return [self.cover, self.at_a_glance, self.what_might_help, self.needs, self.over_time,
                self.rhythm, self.practices_section, self.last_year, self.notes, self.closing]


def _together(store: Any, month: str) -> dict[str, Any]:
    """The counts of what the couple did together in ``month`` that the letter says (never a word of
    an answer or an appreciation), and how life weighed where it was shared."""
    from reflect.analytics import appreciations, questions, weighing

    both, weeks = questions.weeks_answered(store, month)
    pressed = weighing.closeness_and_weight(store, month)
    return {"weeks": (both, weeks) if store.answer_frame().shape[0] else None,
            "appreciations": appreciations.appreciation_counts(store, month),
            "weighing": _weighing_words(weighing.month_weight(store, month)),
            "closeness": pressed.words if pressed is not None else ""}


def _weighing_words(weights: list[Any]) -> list[str]:
    """How life weighed this month, in one sentence for the two of you (where it was shared): each
    one's weight out of 10, how it compares with the month before, and the intimacy index beside it
    only where it went down while life grew heavier (said side by side, never as a cause)."""
    if not weights:
        return []
    parts, lower = [], []
    for w in weights:
        then = {1: f"heavier than the month before ({w.previous:g})",
                -1: f"lighter than the month before ({w.previous:g})",
                0: "about the same as the month before"}.get(w.heavier, "") if w.previous is not None else ""
        parts.append(f"{w.person} {w.weighing:g}" + (f", {then}" if then else ""))
        if w.heavier == 1 and w.scores == -1 and w.index is not None and w.previous_index is not None:
            lower.append(f"{w.person}'s intimacy index went down in the same month, from {score(w.previous_index)} "
                         f"to {score(w.index)}")
    out = [f"How much life weighed on you this month, out of 10: {'; '.join(parts)}."]
    if lower:
        out.append(_capital_first("; ".join(lower)) + ".")
    return out


def _capital_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _kept_words(kept: int, of: int, full_year: bool) -> str:
    """``11 of the last 12 months``, ``every month since you began`` ..."""
    if full_year:
        return "every one of the last 12 months" if kept == of else f"{kept} of the last 12 months"
    return "every month since you began" if kept == of else f"{kept} of the {of} months since you began"


def _one_per_pair(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each pair's shared view once (both partners compute the same one)."""
    seen, out = set(), []
    for view in views:
        pair = frozenset(view["people"])
        if pair not in seen:
            seen.add(pair)
            out.append(view)
    return out


def _known(value: Any) -> float | None:
    """``None`` for a missing value (None or NaN), else the value."""
    return None if value is None or pd.isna(value) else float(value)


_TEMPLATES: list[Any] = []


def _section(name: str, *, shows_notes: bool = False, **context: Any) -> Section:
    """A section of the report from its Jinja2 template (``reflect/templates/report/NAME.html.j2``,
    autoescaped: every name, note and sentence is escaped; only the charts' SVG is trusted)."""
    if not _TEMPLATES:
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.PackageLoader("reflect", "templates/report"),
            autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=False,
        )
        env.filters["score"] = score  # every number reads the same way as in the sentences
        _TEMPLATES.append(env)
    return Section(_TEMPLATES[0].get_template(f"{name}.html.j2").render(**context).strip(), private=shows_notes)


def _lowest(scores: dict[str, float]) -> str:
    return min(KEYS, key=lambda k: (scores[k], KEYS.index(k)))


