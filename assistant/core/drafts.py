"""Draft applications: a small SQLAlchemy store (SQLite by default, PostgreSQL by URL).

Framework-free on purpose: the action server saves drafts through it too. A draft is
reachable only with its token; the token itself is never stored, only its SHA-256, and
is compared in constant time. Nothing is ever deleted by a user action.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, String, create_engine, select, text, update
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from assistant.core.draft_fields import normalise

# A stable dummy hash keeps the time spent on an unknown id close to a wrong token's.
_DUMMY_HASH = hashlib.sha256(b"no such draft").hexdigest()


class DraftStoreError(RuntimeError):
    """The database cannot be used (bad URL, unreachable server, no permission)."""


class _Base(DeclarativeBase):
    pass


class _DraftRow(_Base):
    __tablename__ = "draft_applications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Draft:
    id: str
    fields: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def resume_url(public_url: str, draft_id: str, token: str) -> str:
    """The private link to a draft; the token sits in the fragment, never in logs."""
    return f"{public_url.rstrip('/')}/drafts/{draft_id}#token={token}"


def normalise_url(database_url: str) -> URL:
    """Parse a database URL, mapping ``postgresql://`` to the psycopg 3 driver."""
    try:
        url = make_url(database_url)
    except (ArgumentError, ValueError) as exc:
        raise DraftStoreError(
            f"invalid database URL {database_url!r}: expected e.g. "
            "sqlite:///var/app.db or postgresql://user:pass@host/db"
        ) from exc
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    return url


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we write is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _to_draft(row: _DraftRow) -> Draft:
    return Draft(
        id=row.id,
        fields=dict(row.fields or {}),
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
    )


def _valid_id(draft_id: str) -> bool:
    try:
        return str(uuid.UUID(str(draft_id))) == str(draft_id).lower()
    except (ValueError, AttributeError, TypeError):
        return False


class DraftStore:
    """Create, read and update draft applications; tables are created if missing."""

    def __init__(self, database_url: str) -> None:
        url = normalise_url(database_url)
        self.url = url
        if url.get_backend_name() == "sqlite" and url.database not in (
            None,
            ":memory:",
        ):
            try:
                Path(url.database).expanduser().parent.mkdir(
                    parents=True, exist_ok=True
                )
            except OSError as exc:
                raise DraftStoreError(
                    f"cannot create the folder for {url.database}: {exc.strerror}"
                ) from exc
        self.engine = self._connect(url)

    @staticmethod
    def _connect(url: URL) -> Engine:
        shown = url.render_as_string(hide_password=True)
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except NoSuchModuleError as exc:
            raise DraftStoreError(
                f"unsupported database URL {shown}: use sqlite:/// or postgresql://"
            ) from exc
        except (ArgumentError, ImportError) as exc:
            raise DraftStoreError(f"unusable database URL {shown}: {exc}") from exc
        try:
            _Base.metadata.create_all(engine)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            engine.dispose()
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise DraftStoreError(f"cannot open database {shown}: {reason}") from exc
        return engine

    def create(self, fields: Mapping[str, Any]) -> tuple[Draft, str]:
        """Save a new draft; returns it with its token (shown once, never stored).

        ``fields`` go through :class:`DraftFields` whoever writes them (the chat or the
        API): a value it refuses raises pydantic's ``ValidationError``."""
        fields = normalise(fields)
        token = secrets.token_urlsafe(32)
        now = _utcnow()
        row = _DraftRow(
            id=str(uuid.uuid4()),
            token_hash=hash_token(token),
            fields=dict(fields),
            created_at=now,
            updated_at=now,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            draft = _to_draft(row)
        return draft, token

    def _authorised(
        self, session: Session, draft_id: str, token: str
    ) -> _DraftRow | None:
        row = session.get(_DraftRow, draft_id) if _valid_id(draft_id) else None
        expected = row.token_hash if row is not None else _DUMMY_HASH
        given = hash_token(token if isinstance(token, str) else "")
        if not hmac.compare_digest(given, expected) or row is None:
            return None
        return row

    def get(self, draft_id: str, token: str) -> Draft | None:
        """The draft, or None for an unknown id or a wrong token (indistinguishable)."""
        with Session(self.engine) as session:
            row = self._authorised(session, draft_id, token)
            return _to_draft(row) if row is not None else None

    def update(
        self, draft_id: str, token: str, changes: Mapping[str, Any]
    ) -> Draft | None:
        """Merge ``changes`` (checked by :class:`DraftFields`, which raises on a value
        it refuses) into the draft in one transaction; None if refused."""
        changes = normalise(changes)
        with Session(self.engine) as session, session.begin():
            if _valid_id(draft_id):
                # A no-op write first takes the write lock (the row lock on PostgreSQL,
                # the database lock on SQLite) before reading, so concurrent autosaves
                # of one draft queue up instead of overwriting each other's changes.
                session.execute(
                    update(_DraftRow)
                    .where(_DraftRow.id == draft_id)
                    .values(id=_DraftRow.id)
                )
            row = self._authorised(session, draft_id, token)
            if row is None:
                return None
            row.fields = {**(row.fields or {}), **dict(changes)}
            row.updated_at = _utcnow()
            session.flush()
            return _to_draft(row)

    def list_all(self) -> list[Draft]:
        """Every draft, oldest first (for programme staff only)."""
        with Session(self.engine) as session:
            rows = session.scalars(select(_DraftRow).order_by(_DraftRow.created_at))
            return [_to_draft(row) for row in rows]

    def close(self) -> None:
        self.engine.dispose()
