"""Usage figures for the console: questions per day by language, outcome rates, top
entries, verdicts by country, drafts per week. Aggregated in the database (indexed on
time and outcome), so a page stays fast with hundreds of thousands of turns."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, column, func, select, table
from sqlalchemy.orm import Session

from assistant.core.records.models import (
    ANSWERED,
    DECLINED,
    FALLBACK,
    OUTCOMES,
    ChatTurn,
    Feedback,
    Verdict,
)
from assistant.core.records.store import aware

_DRAFTS = table("draft_applications", column("created_at"))


@dataclass
class Usage:
    since: date
    # (day, language, questions)
    per_day: list[tuple[str, str, int]] = field(default_factory=list)
    turns: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    degraded: int = 0
    # Share of questions (answered + declined) the knowledge base answered.
    answer_rate: float | None = None
    fallback_rate: float | None = None
    degraded_rate: float | None = None
    top_entries: list[tuple[str, int]] = field(default_factory=list)
    # (country, verdict, count)
    verdicts: list[tuple[str, str, int]] = field(default_factory=list)
    # (Monday of the week, drafts created)
    drafts_per_week: list[tuple[str, int]] = field(default_factory=list)
    helpful: int = 0
    not_helpful: int = 0


def _day(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _day_of(engine: Engine) -> Any:
    # SQLite keeps timestamps as ISO text: its first ten characters are the day, far
    # cheaper than parsing each one with date().
    if engine.dialect.name == "sqlite":
        return func.substr(ChatTurn.created_at, 1, 10)
    return func.date(ChatTurn.created_at)


def usage(engine: Engine, since: datetime, top: int = 10) -> Usage:
    result = Usage(since=since.date())
    recent = ChatTurn.created_at >= since
    with Session(engine) as session:
        # One scan of the period's index entries gives the days, languages, outcomes
        # and degraded counts together (the index covers these columns).
        day = _day_of(engine)
        rows = session.execute(
            select(
                day,
                ChatTurn.language,
                ChatTurn.outcome,
                ChatTurn.degraded,
                func.count(),
            )
            .where(recent)
            .group_by(day, ChatTurn.language, ChatTurn.outcome, ChatTurn.degraded)
        ).all()
        per_day: Counter[tuple[str, str]] = Counter()
        outcomes: Counter[str] = Counter()
        for d, lang, outcome, degraded, n in rows:
            per_day[(_day(d), str(lang))] += int(n)
            outcomes[str(outcome)] += int(n)
            result.degraded += int(n) if degraded else 0
        result.per_day = [(d, lang, n) for (d, lang), n in sorted(per_day.items())]
        result.outcomes = {o: outcomes.get(o, 0) for o in OUTCOMES}
        result.turns = sum(outcomes.values())
        questions = outcomes[ANSWERED] + outcomes[DECLINED]
        result.answer_rate = _rate(outcomes[ANSWERED], questions)
        result.fallback_rate = _rate(outcomes[FALLBACK], result.turns)
        result.degraded_rate = _rate(result.degraded, result.turns)
        result.top_entries = [
            (str(entry), int(n))
            for entry, n in session.execute(
                select(ChatTurn.entry_id, func.count().label("n"))
                .where(recent, ChatTurn.outcome == ANSWERED)
                .group_by(ChatTurn.entry_id)
                .order_by(func.count().desc(), ChatTurn.entry_id)
                .limit(top)
            )
        ]
        result.verdicts = [
            (str(c), str(v), int(n))
            for c, v, n in session.execute(
                select(Verdict.country, Verdict.verdict, func.count())
                .where(Verdict.created_at >= since)
                .group_by(Verdict.country, Verdict.verdict)
                .order_by(Verdict.country, Verdict.verdict)
            )
        ]
        weeks: Counter[str] = Counter()
        for (created,) in session.execute(
            select(_DRAFTS.c.created_at).where(_DRAFTS.c.created_at >= since)
        ):
            if isinstance(created, str):
                created = datetime.fromisoformat(created)
            day_of = aware(created).date()
            weeks[(day_of - timedelta(days=day_of.weekday())).isoformat()] += 1
        result.drafts_per_week = sorted(weeks.items())
        for helpful, n in session.execute(
            select(Feedback.helpful, func.count())
            .where(Feedback.created_at >= since)
            .group_by(Feedback.helpful)
        ):
            if helpful:
                result.helpful = int(n)
            else:
                result.not_helpful = int(n)
    return result
