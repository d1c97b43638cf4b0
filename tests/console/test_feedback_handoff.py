"""Feedback on a turn and hand-off requests, through the public API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.core.records.models import Feedback
from assistant.core.records.store import RecordStore
from assistant.core.settings import Settings

from .conftest import FakeRasa
from .smtp_server import smtp_sink


def records(test_client: TestClient) -> RecordStore:
    store: RecordStore = test_client.app.state.services.records()  # type: ignore[attr-defined]
    return store


def a_turn(test_client: TestClient) -> str:
    body = test_client.post(
        "/api/chat", json={"message": "When is the deadline?", "language": "en"}
    ).json()
    return str(body["turn_id"])


def test_feedback_is_stored_against_its_turn_and_can_be_revised(
    client: TestClient,
) -> None:
    turn_id = a_turn(client)
    first = client.post("/api/feedback", json={"turn_id": turn_id, "helpful": True})
    assert first.status_code == 201
    second = client.post(
        "/api/feedback",
        json={"turn_id": turn_id, "helpful": False, "comment": " Wrong year. "},
    )
    assert second.status_code == 201 and second.json()["helpful"] is False
    with Session(records(client).engine) as session:
        rows = session.execute(
            select(Feedback.turn_id, Feedback.helpful, Feedback.comment)
        ).all()
    assert rows == [(turn_id, False, "Wrong year.")]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"turn_id": "f" * 32, "helpful": True}, 404),  # no such turn
        ({"turn_id": "not-a-turn", "helpful": True}, 422),
        ({"turn_id": "f" * 32}, 422),
        ({"turn_id": "f" * 32, "helpful": True, "comment": "x" * 501}, 422),
    ],
)
def test_bad_feedback_gets_a_clear_error(
    client: TestClient, body: dict[str, Any], status: int
) -> None:
    response = client.post("/api/feedback", json=body)
    assert response.status_code == status
    assert isinstance(response.json()["detail"], str)
    assert "Traceback" not in response.text


def test_a_chat_reply_offering_a_person_says_so(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply = [
        {"recipient_id": "s", "text": "You can reach the team at ..."},
        {"recipient_id": "s", "custom": {"handoff": True}},
    ]
    body = rasa_client.post(
        "/api/chat", json={"message": "I want to talk to a person"}
    ).json()
    assert body["handoff"] is True and len(body["messages"]) == 1


TRACKER_EVENTS = [
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "When is the deadline?"},
    {"event": "bot", "text": "The deadline was 15 March 2019."},
    {"event": "user", "text": '/affirm{"x": 1}'},
    {"event": "user", "text": "I want to talk to a person"},
    {"event": "bot", "text": "You can reach the team at ..."},
]


def test_a_handoff_request_keeps_the_transcript_and_is_emailed(
    settings: Settings, rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    app = rasa_client.app
    transport = app.state.rasa._client._transport  # type: ignore[attr-defined]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tracker"):
            return httpx.Response(200, json={"events": TRACKER_EVENTS, "slots": {}})
        return fake_rasa(request)

    transport.handler = handler
    with smtp_sink() as sink:
        settings.console.smtp_url = SecretStr(f"smtp://127.0.0.1:{sink.port}")
        settings.console.mail_to = "team@example.org"
        response = rasa_client.post(
            "/api/handoff",
            json={
                "session_id": "visitor-7",
                "email": "mayor@city.example",
                "message": "Can someone call me about our application?",
                "language": "fr",
            },
        )
        assert response.status_code == 201, response.text
        assert response.json()["mailed"] is True
    (request,) = records(rasa_client).handoffs()
    assert request.email == "mayor@city.example" and request.language == "fr"
    assert request.transcript == [
        {"from": "user", "text": "When is the deadline?"},
        {"from": "bot", "text": "The deadline was 15 March 2019."},
        {"from": "user", "text": "I want to talk to a person"},
        {"from": "bot", "text": "You can reach the team at ..."},
    ]
    (mail,) = sink.messages
    assert mail["To"] == "team@example.org"
    assert mail["Reply-To"] == "mayor@city.example"
    body = mail.get_payload(decode=True).decode()
    assert "Can someone call me" in body and "user: When is the deadline?" in body


def test_a_handoff_is_kept_when_the_mail_server_is_down(
    settings: Settings, client: TestClient
) -> None:
    settings.console.smtp_url = SecretStr("smtp://127.0.0.1:9")
    settings.console.mail_to = "team@example.org"
    response = client.post(
        "/api/handoff",
        json={"email": "a@b.org", "message": "Please call me.", "language": "en"},
    )
    assert response.status_code == 201 and response.json()["mailed"] is False
    assert [h.message for h in records(client).handoffs()] == ["Please call me."]


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not an address", "message": "hi"},
        {"email": "a@b.org", "message": "   "},
        {"email": "a@b.org", "message": "x" * 2001},
    ],
)
def test_a_bad_handoff_gets_a_clear_error(
    client: TestClient, body: dict[str, Any]
) -> None:
    response = client.post("/api/handoff", json=body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)
    assert records(client).handoffs() == []
