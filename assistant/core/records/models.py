"""The console's tables: what the assistant records about its use, and nothing about
who used it (no IP address, no user agent, no session id).

The schema is owned by the Alembic migrations in ``migrations/``; these models only
map it. ``draft_applications`` stays mapped by ``assistant.core.drafts``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The outcome of a chat turn.
ANSWERED = "answered"  # the knowledge base answered with an entry
DECLINED = "declined"  # a question the knowledge base had no reliable answer to
FALLBACK = "fallback"  # the dialogue did not understand the message
DIALOGUE = "dialogue"  # any other turn: greetings, the self-check, a draft
OUTCOMES = (ANSWERED, DECLINED, FALLBACK, DIALOGUE)
# Decisions an editor takes on an unanswered question.
PARAPHRASE = "paraphrase"
OUT_OF_SCOPE = "out_of_scope"

QUESTION_MAX = 2000
COMMENT_MAX = 500


class Base(DeclarativeBase):
    pass


class ChatTurn(Base):
    __tablename__ = "chat_turns"
    __table_args__ = (
        # Outcome within a period; with the entry, the top entries need no row.
        Index("ix_chat_turns_outcome_created", "outcome", "created_at", "entry_id"),
        # Covers the usage figures: a period's counts are read from the index alone.
        Index("ix_chat_turns_usage", "created_at", "language", "outcome", "degraded"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    language: Mapped[str] = mapped_column(String(8))
    question: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    degraded: Mapped[bool] = mapped_column(Boolean, default=False)
    # The answered entry; None unless the outcome is "answered".
    entry_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The best-scoring entry, answered or not: how unanswered questions are grouped.
    nearest_entry: Mapped[str | None] = mapped_column(String(200), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    # [{"id": entry id, "score": float}, ...] after the best one.
    runners_up: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Verdict(Base):
    __tablename__ = "eligibility_verdicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    country: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    # "chat" (the dialogue) or "form" (the eligibility page).
    channel: Mapped[str] = mapped_column(String(8))


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    turn_id: Mapped[str] = mapped_column(String(32), index=True, unique=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class Handoff(Base):
    __tablename__ = "handoff_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    language: Mapped[str] = mapped_column(String(8))
    email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text)
    # [{"from": "user" | "bot", "text": str}, ...]
    transcript: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    mailed: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )


class ReviewDecision(Base):
    """An editor's decision on an unanswered question, exported to the corpus."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The question as asked; ``key`` hashes its normalised form (one decision each).
    question: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8))
    decision: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str | None] = mapped_column(String(200), nullable=True)


class QuestionVector(Base):
    """A reviewed question's embedding, per model: each question is embedded once."""

    __tablename__ = "question_vectors"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    # float32 bytes, L2-normalised.
    vector: Mapped[bytes] = mapped_column(LargeBinary)
