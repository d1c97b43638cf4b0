"""The records store: chat turns and verdicts written off the request path, feedback,
hand-off requests and review decisions written at once.

Framework-free: the web app records through it; ``python -m assistant.console`` purges
and migrates through it. A chat turn only puts a row on a queue (microseconds); a
writer thread inserts the queued rows in batches, and a failure there is logged and
never reaches the visitor.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from assistant.core.drafts import normalise_url
from assistant.core.records import migrate
from assistant.core.records.keys import question_key
from assistant.core.records.models import (
    COMMENT_MAX,
    QUESTION_MAX,
    ChatTurn,
    Feedback,
    Handoff,
    QuestionVector,
    ReviewDecision,
    Verdict,
)

log = logging.getLogger(__name__)


class RecordStoreError(RuntimeError):
    """The records database cannot be opened or migrated."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything written is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class TurnRecord:
    """One chat turn's outcome; ``id`` is the turn id the chat response returns."""

    id: str
    language: str
    question: str
    outcome: str
    degraded: bool = False
    entry_id: str | None = None
    nearest_entry: str | None = None
    score: float | None = None
    runners_up: Sequence[dict[str, Any]] = ()
    created_at: datetime = field(default_factory=utcnow)

    def row(self) -> dict[str, Any]:
        values = asdict(self)
        values["question"] = self.question[:QUESTION_MAX]
        values["runners_up"] = list(self.runners_up)
        return values


@dataclass(frozen=True)
class HandoffView:
    id: str
    created_at: datetime
    language: str
    email: str
    message: str
    transcript: list[dict[str, str]]
    mailed: bool
    done_at: datetime | None


def _view(row: Handoff) -> HandoffView:
    return HandoffView(
        id=row.id,
        created_at=aware(row.created_at),
        language=row.language,
        email=row.email,
        message=row.message,
        transcript=list(row.transcript or []),
        mailed=row.mailed,
        done_at=aware(row.done_at) if row.done_at else None,
    )


def _commit_without_flush(dbapi_connection: Any, _record: Any) -> None:
    """The drafts' settings for the same file (assistant/core/database.py): WAL, and
    commits that leave the log to the OS instead of waiting for the disk. A killed
    app loses no committed row, only a power cut can drop the last ones. With a disk
    flush per commit the writer thread cost 0.3 ms of CPU per chat turn under load
    (/proc, 10 sessions), 9 % of the app's; see docs/BENCHMARKS.md, session 10."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class RecordStore:
    """Opens (and migrates) the app database; see the module docstring."""

    BATCH = 500
    LINGER_SECONDS = 0.2
    # Beyond this many rows waiting, new ones are dropped rather than held in memory.
    MAX_PENDING = 20_000

    def __init__(self, database_url: str) -> None:
        url = normalise_url(database_url)
        on_disk = url.database not in (None, ":memory:")
        if url.get_backend_name() == "sqlite" and on_disk and url.database:
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        shown = url.render_as_string(hide_password=True)
        try:
            self.engine: Engine = create_engine(url, pool_pre_ping=True)
            if url.get_backend_name() == "sqlite":
                event.listen(self.engine, "connect", _commit_without_flush)
            migrate.upgrade(self.engine)
        except (SQLAlchemyError, ImportError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise RecordStoreError(f"cannot open database {shown}: {reason}") from exc
        self._queue: queue.SimpleQueue[tuple[type[Any], dict[str, Any]] | None] = (
            queue.SimpleQueue()
        )
        self._pending = 0
        self._idle = threading.Condition()
        self._writer: threading.Thread | None = None
        self._closed = False

    # --- written off the request path ------------------------------------------------

    def record_turn(self, turn: TurnRecord) -> None:
        self._enqueue(ChatTurn, turn.row())

    def record_verdict(
        self, country: str | None, verdict: str, language: str, channel: str
    ) -> None:
        self._enqueue(
            Verdict,
            {
                "created_at": utcnow(),
                "country": (country or "?")[:64],
                "verdict": verdict[:32],
                "language": language[:8],
                "channel": channel[:8],
            },
        )

    def _enqueue(self, table: type[Any], row: dict[str, Any]) -> None:
        with self._idle:
            if self._closed or self._pending >= self.MAX_PENDING:
                log.warning("records queue full or closed: a %s row dropped", table)
                return
            self._pending += 1
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write_loop, name="records-writer", daemon=True
                )
                self._writer.start()
        self._queue.put((table, row))

    def _write_loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is not None:
                # Gather the rows of the next moment into one transaction: one commit
                # for many turns keeps the writer's CPU per turn small.
                time.sleep(self.LINGER_SECONDS)
            batch = [item]
            while len(batch) < self.BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            rows = [entry for entry in batch if entry is not None]
            try:
                self._insert(rows)
            except Exception:
                log.exception("could not record %d rows: they are lost", len(rows))
            with self._idle:
                self._pending -= len(rows)
                self._idle.notify_all()
            if None in batch:
                return

    def _insert(self, rows: list[tuple[type[Any], dict[str, Any]]]) -> None:
        if not rows:
            return
        by_table: dict[type[Any], list[dict[str, Any]]] = {}
        for table, row in rows:
            by_table.setdefault(table, []).append(row)
        # Core inserts (one executemany per table): the ORM's bulk path cost a third
        # more CPU per row for rows that need none of its bookkeeping.
        with self.engine.begin() as connection:
            for table, values in by_table.items():
                connection.execute(table.__table__.insert(), values)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued row is written; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    # --- written at once -------------------------------------------------------------

    def add_feedback(self, turn_id: str, helpful: bool, comment: str | None) -> bool:
        """Store (or replace) the feedback on a turn; False when no such turn."""
        self.flush(timeout=1.0)  # the turn may still sit on the queue
        text = (comment or "").strip()[:COMMENT_MAX] or None
        with Session(self.engine) as session, session.begin():
            if session.get(ChatTurn, turn_id) is None:
                return False
            session.execute(delete(Feedback).where(Feedback.turn_id == turn_id))
            session.add(
                Feedback(
                    created_at=utcnow(), turn_id=turn_id, helpful=helpful, comment=text
                )
            )
        return True

    def add_handoff(
        self,
        language: str,
        email: str,
        message: str,
        transcript: list[dict[str, str]],
    ) -> HandoffView:
        row = Handoff(
            id=new_id(),
            created_at=utcnow(),
            language=language,
            email=email,
            message=message,
            transcript=transcript,
            mailed=False,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return _view(row)

    def set_mailed(self, handoff_id: str) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(Handoff, handoff_id)
            if row is not None:
                row.mailed = True

    def handoffs(self, limit: int = 200) -> list[HandoffView]:
        """Open requests first, then the newest."""
        query = (
            select(Handoff)
            .order_by(Handoff.done_at.is_not(None), Handoff.created_at.desc())
            .limit(limit)
        )
        with Session(self.engine) as session:
            return [_view(row) for row in session.scalars(query)]

    def mark_handoff_done(self, handoff_id: str, done: bool = True) -> bool:
        with Session(self.engine) as session, session.begin():
            row = session.get(Handoff, handoff_id)
            if row is None:
                return False
            row.done_at = utcnow() if done else None
            return True

    def purge(self, retention_days: int, now: datetime | None = None) -> dict[str, int]:
        """Delete what is older than the retention period; returns rows per table.

        Hand-off requests still open are kept until staff mark them done; draft
        applications are not records and are never purged here."""
        self.flush()
        cutoff = (now or utcnow()) - timedelta(days=retention_days)
        statements = {
            "chat_turns": delete(ChatTurn).where(ChatTurn.created_at < cutoff),
            "eligibility_verdicts": delete(Verdict).where(Verdict.created_at < cutoff),
            "feedback": delete(Feedback).where(Feedback.created_at < cutoff),
            "handoff_requests": delete(Handoff).where(
                Handoff.created_at < cutoff, Handoff.done_at.is_not(None)
            ),
        }
        counts = {}
        with Session(self.engine) as session, session.begin():
            for name, statement in statements.items():
                result = session.execute(statement)
                counts[name] = int(getattr(result, "rowcount", 0) or 0)
            counts["question_vectors"] = self._purge_vectors(session)
        return counts

    @staticmethod
    def _purge_vectors(session: Session) -> int:
        """Vectors of questions no longer recorded (nor decided on) go with them."""
        kept = {question_key(q) for q in session.scalars(select(ChatTurn.question))}
        kept |= set(session.scalars(select(ReviewDecision.key)))
        stale = [
            k for k in session.scalars(select(QuestionVector.key)) if k not in kept
        ]
        for start in range(0, len(stale), 500):
            session.execute(
                delete(QuestionVector).where(
                    QuestionVector.key.in_(stale[start : start + 500])
                )
            )
        return len(stale)

    def close(self) -> None:
        with self._idle:
            self._closed = True
            writer = self._writer
        if writer is not None:
            self._queue.put(None)
            writer.join(timeout=5.0)
        self.engine.dispose()
