"""The three processes started as `make run` starts them work together."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.live_stack import LiveStack

pytestmark = pytest.mark.integration


def test_health_reports_every_part_up(live_stack: LiveStack) -> None:
    response = httpx.get(f"{live_stack.app_url}/api/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "rasa": "ok",
        "actions": "ok",
        "knowledge": "ok",
        "database": "ok",
        "tracker_database": "ok",
    }


def test_a_question_goes_through_rasa_and_a_custom_action(
    live_stack: LiveStack,
) -> None:
    # The deadline answer comes from the knowledge base through the action server, so a
    # dated answer with its source proves app -> Rasa -> action server -> knowledge.
    response = httpx.post(
        f"{live_stack.app_url}/api/chat",
        json={"session_id": "stack-check", "message": "When is the deadline to apply?"},
        timeout=30,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] is False
    assert body["fallback"] is False
    text = " ".join(message["text"] or "" for message in body["messages"])
    assert "2019" in text
    assert any(message["sources"] for message in body["messages"])


def test_the_conversation_follows_the_language_the_user_writes_in(
    live_stack: LiveStack,
) -> None:
    # The widget sends its language with the first turn only: the app detects the
    # language of longer messages, Rasa keeps it for short ones and reports it.
    def say(message: str, language: str | None = None) -> dict:
        body = {"session_id": "language-check", "message": message}
        if language:
            body["language"] = language
        response = httpx.post(f"{live_stack.app_url}/api/chat", json=body, timeout=30)
        assert response.status_code == 200
        return response.json()

    assert say("hello", "en")["language"] == "en"
    french = say("quelle est la date limite pour postuler ?")
    assert french["language"] == "fr"
    assert "mars 2019" in " ".join(m["text"] for m in french["messages"])
    assert say("ok merci")["language"] == "fr"
    assert say("in English please")["language"] == "en"
    assert say("thanks")["language"] == "en"


def test_conversations_are_stored_in_the_tracker_database(
    live_stack: LiveStack,
) -> None:
    httpx.post(
        f"{live_stack.app_url}/api/chat",
        json={"session_id": "stored-check", "message": "hello"},
        timeout=30,
    )
    tracker_url = f"{live_stack.rasa_url}/conversations/stored-check/tracker"
    # Rasa's HTTP API hands out conversations only with its token.
    assert httpx.get(tracker_url, timeout=10).status_code == 401
    tracker = httpx.get(
        tracker_url, params={"token": live_stack.rasa_token}, timeout=10
    ).json()
    assert any(event.get("event") == "user" for event in tracker["events"])
    # Read through SQLite: the rows may still sit in its write-ahead log, not in the
    # database file's bytes.
    database = live_stack.env["IUC_DATABASE__TRACKER_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(Path(database))) as db:
        senders = {
            row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")
        }
    assert "stored-check" in senders
