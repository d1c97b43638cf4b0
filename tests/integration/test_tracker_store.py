"""Conversations live in the tracker database and survive a restart (PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.live_stack import running_stack

pytestmark = pytest.mark.integration


def test_conversation_survives_a_rasa_restart_on_postgresql(
    tmp_path: Path, postgres_url: str
) -> None:
    # The setting takes the URL as users write it; the launcher adapts it for Rasa.
    tracker_url = postgres_url.replace("postgresql://", "postgresql+psycopg://")
    env = {"IUC_DATABASE__TRACKER_URL": tracker_url}
    with running_stack(tmp_path / "first", ("rasa",), env) as stack:
        httpx.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": "restart-check", "message": "hello"},
            timeout=30,
        )
    with running_stack(tmp_path / "second", ("rasa",), env) as stack:
        tracker = httpx.get(
            f"{stack.rasa_url}/conversations/restart-check/tracker",
            params={"token": stack.rasa_token},
            timeout=10,
        ).json()
    said = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
    assert said == ["hello"]
    engine = create_engine(tracker_url)
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = 'restart-check'")
        ).scalar()
    assert stored and stored > 0
