"""The console's records; adopts draft_applications as it is.

Revision ID: 0001
Revises:
Create Date: 2026-12-06

Databases created before migrations existed already hold ``draft_applications``
(created by the drafts store): it is left untouched, with its rows. A new database
gets it here, with the same columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "draft_applications" not in existing:
        op.create_table(
            "draft_applications",
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("token_hash", sa.String(64), nullable=False),
            sa.Column("fields", sa.JSON, nullable=False),
            sa.Column("created_at", WHEN, nullable=False),
            sa.Column("updated_at", WHEN, nullable=False),
        )
    op.create_table(
        "chat_turns",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("degraded", sa.Boolean, nullable=False),
        sa.Column("entry_id", sa.String(200)),
        sa.Column("nearest_entry", sa.String(200)),
        sa.Column("score", sa.Float),
        sa.Column("runners_up", sa.JSON, nullable=False),
    )
    op.create_index(
        "ix_chat_turns_outcome_created",
        "chat_turns",
        ["outcome", "created_at", "entry_id"],
    )
    op.create_index(
        "ix_chat_turns_usage",
        "chat_turns",
        ["created_at", "language", "outcome", "degraded"],
    )
    op.create_table(
        "eligibility_verdicts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("country", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
    )
    op.create_index(
        "ix_eligibility_verdicts_created_at", "eligibility_verdicts", ["created_at"]
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("turn_id", sa.String(32), nullable=False),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("comment", sa.Text),
    )
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"])
    op.create_index("ix_feedback_turn_id", "feedback", ["turn_id"], unique=True)
    op.create_table(
        "handoff_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("transcript", sa.JSON, nullable=False),
        sa.Column("mailed", sa.Boolean, nullable=False),
        sa.Column("done_at", WHEN),
    )
    op.create_index(
        "ix_handoff_requests_created_at", "handoff_requests", ["created_at"]
    )
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(200)),
    )

    op.create_table(
        "question_vectors",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("model", sa.String(200), primary_key=True),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    # draft_applications is kept: it may predate this migration and holds user data.
    for table in (
        "question_vectors",
        "review_decisions",
        "handoff_requests",
        "feedback",
        "eligibility_verdicts",
        "chat_turns",
    ):
        op.drop_table(table)
