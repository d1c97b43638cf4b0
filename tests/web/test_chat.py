"""POST /api/chat: forwarding to Rasa, merging its messages, and degraded mode."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.core.settings import Settings
from assistant.web.app import create_app
from assistant.web.rasa_client import RasaClient
from tests.web.conftest import DEADLINE, FakeAnswerer, FakeRasa, make_settings

SOURCE = {"id": "call-page", "title": "Call page", "url": "http://iuc.eu/na/"}


def test_forwards_the_turn_with_the_language_as_metadata(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    response = rasa_client.post(
        "/api/chat",
        json={"session_id": "abc-1", "message": "Bonjour", "language": "fr"},
    )
    assert response.status_code == 200
    assert fake_rasa.webhook_bodies() == [
        {"sender": "abc-1", "message": "Bonjour", "metadata": {"language": "fr"}}
    ]
    body = response.json()
    assert body["session_id"] == "abc-1"
    assert body["language"] == "fr"
    assert body["messages"] == [{"text": "Hello!", "buttons": [], "sources": []}]
    assert (body["fallback"], body["degraded"]) == (False, False)


def test_creates_a_session_id_when_the_client_sends_none(
    rasa_client: TestClient,
) -> None:
    first = rasa_client.post("/api/chat", json={"message": "hi", "language": "en"})
    second = rasa_client.post("/api/chat", json={"message": "hi", "language": "en"})
    ids = {first.json()["session_id"], second.json()["session_id"]}
    assert len(ids) == 2 and all(len(i) >= 16 for i in ids)


def test_merges_sources_buttons_and_fallback(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply = [
        {"text": "The deadline is 15 March.", "buttons": []},
        {"custom": {"sources": [SOURCE]}},
        {
            "text": "Did you mean?",
            "buttons": [{"title": "Who can apply?", "payload": "/ask_eligibility"}],
        },
        {"custom": {"fallback": True}},
    ]
    body = rasa_client.post(
        "/api/chat", json={"message": "deadline?", "language": "en"}
    ).json()
    assert body["messages"] == [
        {"text": "The deadline is 15 March.", "buttons": [], "sources": [SOURCE]},
        {
            "text": "Did you mean?",
            "buttons": [{"title": "Who can apply?", "payload": "/ask_eligibility"}],
            "sources": [],
        },
    ]
    assert body["fallback"] is True


def test_language_comes_from_the_conversation_slot(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    # A Rasa that does not end its reply with the language (not started through
    # assistant/rasa_runtime/server.py): the app asks for the conversation's slot.
    fake_rasa.language_slot = "es"
    body = rasa_client.post("/api/chat", json={"message": "hola"}).json()
    assert body["language"] == "es"


def test_language_reported_in_rasas_reply_needs_no_second_request(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply = [{"text": "¡Hola!"}, {"custom": {"language": "es"}}]
    fake_rasa.language_slot = "fr"
    body = rasa_client.post("/api/chat", json={"message": "hola"}).json()
    assert body["language"] == "es"
    assert body["messages"] == [{"text": "¡Hola!", "buttons": [], "sources": []}]
    assert not [r for r in fake_rasa.requests if r.url.path.endswith("/tracker")]


def test_a_long_message_goes_to_rasa_with_the_language_it_is_written_in(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    first = rasa_client.post(
        "/api/chat", json={"message": "quelle est la date limite pour postuler"}
    )
    session = first.json()["session_id"]
    rasa_client.post("/api/chat", json={"message": "oui merci", "session_id": session})
    sent = [body["metadata"] for body in fake_rasa.webhook_bodies()]
    # Too short to tell, later in the conversation: Rasa keeps its language.
    assert sent == [{"language": "fr"}, {"language": None}]


def test_short_questions_beat_the_page_language_which_is_the_prior_when_unsure(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    # The widget sends the host page's language on every turn (page_language) and
    # `language` only for a pick in its selector.
    for message in ("c quoi l'entente", "fecha de cierre?", "Ottawa"):
        rasa_client.post(
            "/api/chat", json={"message": message, "page_language": "en-CA"}
        )
    rasa_client.post(
        "/api/chat",
        json={"message": "Ottawa", "page_language": "fr", "session_id": "s-2"},
    )
    sent = [body["metadata"]["language"] for body in fake_rasa.webhook_bodies()]
    # New conversations: detected, detected, the page's; a running one keeps its own.
    assert sent == ["fr", "es", "en", None]


def test_the_widgets_language_wins_over_detection(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    rasa_client.post(
        "/api/chat",
        json={"message": "quelle est la date limite pour postuler", "language": "en"},
    )
    assert fake_rasa.webhook_bodies()[0]["metadata"] == {"language": "en"}


def test_action_server_down_is_reported_as_degraded(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.actions_up = False
    body = rasa_client.post(
        "/api/chat", json={"message": "hello", "language": "en"}
    ).json()
    assert body["degraded"] is True
    assert body["messages"][0]["text"] == "Hello!"
    assert "self-check" in body["messages"][-1]["text"]


def test_action_server_down_and_silent_rasa_answers_from_knowledge(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.actions_up, fake_rasa.reply = False, []
    body = rasa_client.post(
        "/api/chat", json={"message": "when is the deadline?", "language": "en"}
    ).json()
    assert body["degraded"] is True
    assert body["messages"][0]["text"] == DEADLINE["en"]


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_rasa_down_answers_programme_questions_in_the_users_language(
    client: TestClient, language: str
) -> None:
    response = client.post(
        "/api/chat", json={"message": "deadline / date limite", "language": language}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] is True and body["fallback"] is False
    answer, notice = body["messages"]
    assert answer["text"] == DEADLINE[language]
    assert answer["sources"][0]["id"] == "call-page"
    assert answer["sources"][0]["url"].startswith("http")
    expected_word = {"en": "self-check", "fr": "autotest", "es": "autoevaluación"}
    assert expected_word[language] in notice["text"]


def test_rasa_down_and_no_answer_points_to_the_contact(client: TestClient) -> None:
    body = client.post(
        "/api/chat", json={"message": "Quel temps fait-il ?", "language": "fr"}
    ).json()
    assert body["fallback"] is True
    assert "rglancy@iuc-na.eu" in body["messages"][0]["text"]
    assert body["language"] == "fr"


def test_knowledge_missing_too_gives_a_clear_message(settings: Settings) -> None:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.post("/api/chat", json={"message": "deadline?"})
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] is True and body["fallback"] is True
    assert "temporarily unavailable" in body["messages"][0]["text"]


@pytest.fixture
def hanging_rasa_settings(tmp_path: Path) -> Iterator[Settings]:
    """Rasa accepts the connection and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        settings = make_settings(tmp_path)
        settings.rasa.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings.rasa.timeout_seconds = 1.5
        yield settings


def test_a_hanging_rasa_never_holds_a_request_past_the_timeout(
    hanging_rasa_settings: Settings,
) -> None:
    app = create_app(hanging_rasa_settings)
    app.state.services.core.override("answerer", FakeAnswerer())
    with TestClient(app, raise_server_exceptions=False) as client:
        started = time.monotonic()
        body = client.post(
            "/api/chat", json={"message": "deadline?", "language": "en"}
        ).json()
        elapsed = time.monotonic() - started
    assert body["degraded"] is True
    assert body["messages"][0]["text"] == DEADLINE["en"]
    assert elapsed < 1.5 + 0.5


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"message": "x" * 2001}, "2000"),
        ({"message": ""}, "message"),
        ({"message": "   "}, "blank"),
        ({"message": "hi", "language": "de"}, "language"),
        ({"message": "hi", "session_id": "../../etc"}, "session_id"),
        ({"message": "hi", "session_id": "x" * 200}, "session_id"),
        ({"message": "hi", "unexpected": 1}, "unexpected"),
        ({"message": 42}, "message"),
        ({}, "message"),
    ],
)
def test_bad_chat_input_gets_a_clear_422(
    client: TestClient, payload: dict[str, object], needle: str
) -> None:
    response = client.post("/api/chat", json=payload)
    assert response.status_code == 422
    assert needle in response.json()["detail"]


def test_a_body_that_is_not_json_gets_a_422(client: TestClient) -> None:
    response = client.post(
        "/api/chat", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "Traceback" not in response.text


def test_a_turn_rasa_answers_with_no_message_is_answered_from_knowledge(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    # The action server died within the 5 s its "up" status is trusted: Rasa's
    # reply holds only the language it ends every reply with. It used to give the
    # user an empty answer.
    fake_rasa.reply = [{"recipient_id": "x", "custom": {"language": "fr"}}]
    body = rasa_client.post(
        "/api/chat", json={"message": "quelle est la date limite ?", "language": "fr"}
    ).json()
    assert body["degraded"] is True
    assert body["messages"][0]["text"] == DEADLINE["fr"]
    assert "mode limité" in body["messages"][-1]["text"]


def _client_with_token(fake_rasa: FakeRasa) -> RasaClient:
    return RasaClient(
        "http://rasa:5005",
        "http://actions:5055",
        3.0,
        client=httpx.AsyncClient(transport=httpx.MockTransport(fake_rasa)),
        auth_token=lambda: "the-token",
    )


async def test_the_tracker_is_asked_with_rasas_token(fake_rasa: FakeRasa) -> None:
    # Rasa's HTTP API answers 401 without the token (rasa_token.py).
    fake_rasa.language_slot = "es"
    client = _client_with_token(fake_rasa)
    assert await client.tracker_language("abc") == "es"
    [request] = [r for r in fake_rasa.requests if r.url.path.endswith("/tracker")]
    assert request.url.params["token"] == "the-token"
    await client.aclose()


async def test_the_handoff_transcript_is_read_with_rasas_token(
    fake_rasa: FakeRasa,
) -> None:
    client = _client_with_token(fake_rasa)
    await client.events("abc")
    [request] = [r for r in fake_rasa.requests if r.url.path.endswith("/tracker")]
    assert request.url.params["token"] == "the-token"
    await client.aclose()
