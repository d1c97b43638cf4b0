"""Alembic's environment, run programmatically by ``assistant.core.records.migrate``
with an open connection (there is no alembic.ini)."""

from __future__ import annotations

from alembic import context

from assistant.core.records.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite alters a table by copying it: later migrations work on both databases.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
