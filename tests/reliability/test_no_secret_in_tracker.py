"""No secret in the conversation store: a draft saved through the real stack leaves
its token in the app's reply only, never in Rasa's tracker database or HTTP API."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.live_stack import LiveStack

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

TURNS = [
    "Is my city eligible? Let's check",
    "Ottawa",
    "/affirm",
    "/start_application",
    "Jane Doe",
    "jane.doe@ottawa.ca",
    "Director of international relations",
    "housing",
    "We want to learn from European peers about housing.",
]


def test_a_saved_draft_leaves_no_token_in_the_tracker_store(
    live_stack: LiveStack,
) -> None:
    session = "no-secret-check"
    for text in TURNS:
        reply = httpx.post(
            f"{live_stack.app_url}/api/chat",
            json={"session_id": session, "message": text, "language": "en"},
            timeout=60,
        )
        assert reply.status_code == 200, reply.text
    said = " ".join(m["text"] for m in reply.json()["messages"])
    found = re.search(r"/drafts/([\w-]+)#token=([\w-]{43,})", said)
    assert found, said
    draft_id, token = found.groups()
    opened = httpx.get(
        f"{live_stack.app_url}/api/applications/{draft_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert opened.status_code == 200 and opened.json()["city"] == "Ottawa"

    # Every byte Rasa stored for the conversation, read through SQLite (the rows
    # may still sit in its write-ahead log).
    database = live_stack.env["IUC_DATABASE__TRACKER_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(Path(database))) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ?", (session,)
        ).fetchall()
    stored = "\n".join(str(row[0]) for row in rows)
    assert draft_id in stored  # the draft was announced through Rasa...
    assert token not in stored  # ...without its token
    assert "#token=" not in stored

    # Rasa's HTTP API: nothing without its token, and no token with it.
    tracker_url = f"{live_stack.rasa_url}/conversations/{session}/tracker"
    assert httpx.get(tracker_url, timeout=10).status_code == 401
    tracker = httpx.get(
        tracker_url, params={"token": live_stack.rasa_token}, timeout=10
    )
    assert tracker.status_code == 200 and token not in tracker.text
