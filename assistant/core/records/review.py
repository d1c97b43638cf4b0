"""Unanswered and disliked questions for the editors, and their decisions exported in
the format of ``knowledge/corpus/user_questions.jsonl`` (read by the index build)."""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from assistant.core.records.clusters import DEFAULT_THRESHOLD, leader_clusters
from assistant.core.records.keys import normalise, question_key
from assistant.core.records.models import (
    DECLINED,
    FALLBACK,
    OUT_OF_SCOPE,
    ChatTurn,
    Feedback,
    ReviewDecision,
)
from assistant.core.records.store import utcnow

Encode = Callable[[list[str]], np.ndarray]
# The most-asked distinct questions a review page groups (embedding is the cost).
MAX_QUESTIONS = 400


@dataclass
class Question:
    text: str
    language: str
    count: int = 0
    disliked: int = 0
    nearest_entry: str | None = None


@dataclass
class Group:
    id: str
    questions: list[Question]
    count: int
    nearest_entry: str | None
    nearest_entries: dict[str, int] = field(default_factory=dict)


Row = tuple[str, str, str | None, int, int]


def _rows(session: Session, since: datetime) -> Iterable[Row]:
    unanswered = (
        select(
            ChatTurn.question,
            func.max(ChatTurn.language),
            func.max(ChatTurn.nearest_entry),
            func.count(),
        )
        .where(ChatTurn.created_at >= since, ChatTurn.outcome.in_((DECLINED, FALLBACK)))
        .group_by(ChatTurn.question)
    )
    for text, lang, nearest, count in session.execute(unanswered):
        yield text, lang, nearest, int(count), 0
    disliked = (
        select(
            ChatTurn.question,
            func.max(ChatTurn.language),
            func.max(func.coalesce(ChatTurn.entry_id, ChatTurn.nearest_entry)),
            func.count(),
        )
        .join(Feedback, Feedback.turn_id == ChatTurn.id)
        .where(Feedback.created_at >= since, Feedback.helpful.is_(False))
        .group_by(ChatTurn.question)
    )
    for text, lang, nearest, count in session.execute(disliked):
        yield text, lang, nearest, int(count), int(count)


def open_questions(
    engine: Engine, since: datetime, limit: int = MAX_QUESTIONS
) -> list[Question]:
    """Distinct unanswered or disliked questions since ``since`` that no editor has
    decided on yet, most asked first."""
    merged: dict[str, Question] = {}
    nearest: dict[str, Counter[str]] = {}
    with Session(engine) as session:
        decided = set(session.scalars(select(ReviewDecision.key)))
        for text, lang, entry, count, disliked in _rows(session, since):
            key = question_key(text)
            if key in decided or not normalise(text) or text.startswith("/"):
                continue
            question = merged.setdefault(
                key, Question(text=text.strip(), language=lang)
            )
            question.count += count
            question.disliked += disliked
            if entry:
                nearest.setdefault(key, Counter())[entry] += count
    for key, question in merged.items():
        if key in nearest:
            question.nearest_entry = nearest[key].most_common(1)[0][0]
    ranked = sorted(merged.values(), key=lambda q: (-q.count, q.text))
    return ranked[:limit]


def group_questions(
    questions: list[Question],
    encode: Encode | None,
    by: str = "similarity",
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Group]:
    """Group by similarity (needs ``encode``) or by nearest entry."""
    if not questions:
        return []
    if by == "entry" or encode is None:
        buckets: dict[str, list[int]] = {}
        for i, q in enumerate(questions):
            buckets.setdefault(q.nearest_entry or "", []).append(i)
        indices = sorted(
            buckets.values(), key=lambda g: (-sum(questions[i].count for i in g), g)
        )
    else:
        vectors = np.asarray(encode([q.text for q in questions]), dtype=np.float32)
        texts, counts = [q.text for q in questions], [q.count for q in questions]
        indices = leader_clusters(texts, counts, vectors, threshold)
    groups = []
    for members in indices:
        items = [questions[i] for i in members]
        entries: Counter[str] = Counter()
        for q in items:
            if q.nearest_entry:
                entries[q.nearest_entry] += q.count
        top = sorted(entries.items(), key=lambda kv: (-kv[1], kv[0]))
        groups.append(
            Group(
                id=question_key(items[0].text)[:16],
                questions=items,
                count=sum(q.count for q in items),
                nearest_entry=top[0][0] if top else None,
                nearest_entries=dict(top),
            )
        )
    return groups


def decide(
    engine: Engine,
    questions: list[tuple[str, str]],
    decision: str,
    entry_id: str | None,
) -> int:
    """Record an editor's decision on (text, language) pairs; a later one replaces."""
    keys = {question_key(text): (text, lang) for text, lang in questions}
    with Session(engine) as session, session.begin():
        existing = {
            row.key: row
            for row in session.scalars(
                select(ReviewDecision).where(ReviewDecision.key.in_(list(keys)))
            )
        }
        for key, (text, lang) in keys.items():
            row = existing.get(key) or ReviewDecision(key=key)
            row.created_at = utcnow()
            row.question = text.strip()
            row.language = lang
            row.decision = decision
            row.entry_id = None if decision == OUT_OF_SCOPE else entry_id
            session.add(row)
    return len(keys)


def _corpus_keys(corpus_file: Path) -> set[str]:
    if not corpus_file.is_file():
        return set()
    keys = set()
    for line in corpus_file.read_text(encoding="utf-8").splitlines():
        try:
            text = json.loads(line).get("text")
        except (ValueError, AttributeError):
            continue
        if isinstance(text, str):
            keys.add(question_key(text))
    return keys


def export_lines(engine: Engine, corpus_file: Path) -> list[str]:
    """One JSON line per decision not yet in ``corpus_file``: {"text", "lang",
    "expected"} with the entry id, or null for out of scope (the build then uses the
    question as an off-topic example, like negatives.yml)."""
    present = _corpus_keys(corpus_file)
    query = select(ReviewDecision).order_by(
        ReviewDecision.created_at, ReviewDecision.id
    )
    with Session(engine) as session:
        rows = [r for r in session.scalars(query) if r.key not in present]
        return [
            json.dumps(
                {"text": r.question, "lang": r.language, "expected": r.entry_id},
                ensure_ascii=False,
            )
            for r in rows
        ]


def export_patch(lines: list[str], corpus_file: Path, relative: str) -> str:
    """The lines as a unified diff appending them to ``corpus_file`` (git apply)."""
    old = corpus_file.read_text(encoding="utf-8") if corpus_file.is_file() else ""
    old_lines = old.splitlines(keepends=True)
    new_lines = old_lines + [line + "\n" for line in lines]
    return "".join(
        difflib.unified_diff(
            old_lines, new_lines, fromfile=f"a/{relative}", tofile=f"b/{relative}"
        )
    )
