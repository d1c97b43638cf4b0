"""Draft applications: a small SQLAlchemy store (SQLite by default, PostgreSQL by URL).

Framework-free on purpose: the action server saves drafts through it too. A draft is
reachable only with its token; the token itself is never stored, only its SHA-256, and
is compared in constant time. Nothing is ever deleted by a user action.

Every call runs under one deadline (``assistant.core.database``): it returns, or raises
:class:`DatabaseUnavailable` (a :class:`DraftStoreError`) in about ``timeout`` seconds.

A draft saved in the chat is created *unclaimed* (no token opens it) and the web app
claims it for the user (:meth:`DraftStore.claim`): the token exists only in the app's
HTTP reply, never in the conversation Rasa stores (assistant/web/draft_link.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, String, select, text, update
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from assistant.core import database
from assistant.core.draft_fields import normalise

# A stable dummy hash keeps the time spent on an unknown id close to a wrong token's.
_DUMMY_HASH = hashlib.sha256(b"no such draft").hexdigest()
# The token hash of a draft nobody has claimed yet: no SHA-256 hex digest equals it.
UNCLAIMED = "unclaimed"
DEFAULT_TIMEOUT_SECONDS = 5.0


class DraftStoreError(RuntimeError):
    """The database cannot be used (bad URL, unreachable server, no permission)."""


# Raised by every store call the database fails or does not answer in time.
DatabaseUnavailable = database.DatabaseUnavailable


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


def draft_url(public_url: str, draft_id: str) -> str:
    """The draft's page, which opens nothing without the token."""
    return f"{public_url.rstrip('/')}/drafts/{draft_id}"


def resume_url(public_url: str, draft_id: str, token: str) -> str:
    """The private link to a draft; the token sits in the fragment, never in logs."""
    return f"{draft_url(public_url, draft_id)}#token={token}"


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

    def __init__(
        self, database_url: str, timeout: float = DEFAULT_TIMEOUT_SECONDS
    ) -> None:
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
        self.engine = self._connect(url, timeout)
        # Write transactions take SQLite's write lock at BEGIN, so they queue on the
        # busy timeout instead of failing when two upgrade their read locks at once.
        self._writer = self.engine.execution_options(**{database.IMMEDIATE: True})
        self._row_locks = url.get_backend_name() == "postgresql"
        self._deadline = database.Deadline(timeout, name="drafts-db")

    @staticmethod
    def _connect(url: URL, timeout: float) -> Engine:
        shown = url.render_as_string(hide_password=True)
        try:
            engine = database.make_engine(url, timeout)
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
            raise DraftStoreError(
                f"cannot open database {shown}: {database.reason(exc)}"
            ) from exc
        return engine

    def _inserting(
        self, fields: Mapping[str, Any], token_hash: str
    ) -> Callable[[], Draft]:
        """``fields`` go through :class:`DraftFields` whoever writes them (the chat or
        the API): a value it refuses raises pydantic's ``ValidationError``."""
        fields = normalise(fields)
        now = _utcnow()
        row = _DraftRow(
            id=str(uuid.uuid4()),
            token_hash=token_hash,
            fields=dict(fields),
            created_at=now,
            updated_at=now,
        )

        def insert() -> Draft:
            with Session(self._writer) as session, session.begin():
                session.add(row)
                session.flush()
                return _to_draft(row)

        return insert

    def create(self, fields: Mapping[str, Any]) -> tuple[Draft, str]:
        """Save a new draft; returns it with its token (shown once, never stored)."""
        token = secrets.token_urlsafe(32)
        return self._deadline.run(self._inserting(fields, hash_token(token))), token

    async def acreate(self, fields: Mapping[str, Any]) -> tuple[Draft, str]:
        """:meth:`create`, awaited (the web app's event loop)."""
        token = secrets.token_urlsafe(32)
        insert = self._inserting(fields, hash_token(token))
        return await self._deadline.arun(insert), token

    def create_unclaimed(self, fields: Mapping[str, Any]) -> Draft:
        """Save a new draft that no token opens until :meth:`claim` gives it one."""
        return self._deadline.run(self._inserting(fields, UNCLAIMED))

    def claim(self, draft_id: str) -> str | None:
        """Give an unclaimed draft its token (once); None if claimed or unknown."""
        if not _valid_id(draft_id):
            return None
        token = secrets.token_urlsafe(32)

        def give() -> int:
            with Session(self._writer) as session, session.begin():
                result = session.execute(
                    update(_DraftRow)
                    .where(_DraftRow.id == draft_id, _DraftRow.token_hash == UNCLAIMED)
                    .values(token_hash=hash_token(token))
                )
                return int(getattr(result, "rowcount", 0) or 0)

        return token if self._deadline.run(give) == 1 else None

    def _authorised(
        self, session: Session, draft_id: str, token: str
    ) -> _DraftRow | None:
        row = session.get(_DraftRow, draft_id) if _valid_id(draft_id) else None
        expected = row.token_hash if row is not None else _DUMMY_HASH
        given = hash_token(token if isinstance(token, str) else "")
        if not hmac.compare_digest(given, expected) or row is None:
            return None
        return row

    def _reading(self, draft_id: str, token: str) -> Callable[[], Draft | None]:
        def read() -> Draft | None:
            with Session(self.engine) as session:
                row = self._authorised(session, draft_id, token)
                return _to_draft(row) if row is not None else None

        return read

    def get(self, draft_id: str, token: str) -> Draft | None:
        """The draft, or None for an unknown id or a wrong token (indistinguishable)."""
        return self._deadline.run(self._reading(draft_id, token))

    async def aget(self, draft_id: str, token: str) -> Draft | None:
        return await self._deadline.arun(self._reading(draft_id, token))

    def _updating(
        self, draft_id: str, token: str, changes: Mapping[str, Any]
    ) -> Callable[[], Draft | None]:
        """Merge ``changes`` (checked by :class:`DraftFields`, which raises on a value
        it refuses) into the draft in one transaction; None if refused.

        An unknown id and a wrong token take the same path (read, compare, return)
        and neither writes nor locks a row: the time tells nothing about the id.
        """
        changes = normalise(changes)

        def write() -> Draft | None:
            with Session(self._writer) as session, session.begin():
                row = self._authorised(session, draft_id, token)
                if row is None:
                    return None
                if self._row_locks:
                    # Now that the token is known good: lock the row and re-read it,
                    # so concurrent autosaves of one draft merge instead of overwrite.
                    # (SQLite's BEGIN IMMEDIATE already holds the database's lock.)
                    session.refresh(row, with_for_update=True)
                row.fields = {**(row.fields or {}), **dict(changes)}
                row.updated_at = _utcnow()
                session.flush()
                return _to_draft(row)

        return write

    def update(
        self, draft_id: str, token: str, changes: Mapping[str, Any]
    ) -> Draft | None:
        return self._deadline.run(self._updating(draft_id, token, changes))

    async def aupdate(
        self, draft_id: str, token: str, changes: Mapping[str, Any]
    ) -> Draft | None:
        return await self._deadline.arun(self._updating(draft_id, token, changes))

    def list_all(self) -> list[Draft]:
        """Every draft, oldest first (for programme staff only)."""

        def read() -> list[Draft]:
            with Session(self.engine) as session:
                rows = session.scalars(select(_DraftRow).order_by(_DraftRow.created_at))
                return [_to_draft(row) for row in rows]

        return self._deadline.run(read)

    def _probe(self) -> None:
        with Session(self.engine) as session:
            session.execute(select(_DraftRow.id).limit(1))

    def ping(self) -> None:
        """Raise :class:`DatabaseUnavailable` unless the database answers now."""
        self._deadline.run(self._probe)

    async def aping(self) -> None:
        await self._deadline.arun(self._probe)

    def close(self) -> None:
        self._deadline.close()
        self.engine.dispose()
