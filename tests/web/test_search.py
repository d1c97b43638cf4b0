"""GET /api/search: the knowledge engine directly."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.core.settings import Settings
from assistant.web.app import create_app
from knowledge.engine import QueryError
from knowledge.limits import MAX_MESSAGE_CHARS
from tests.web.conftest import DEADLINE, FakeAnswerer


def test_search_returns_hits_in_the_documented_shape(
    client: TestClient, answerer: FakeAnswerer
) -> None:
    response = client.get("/api/search", params={"q": "deadline", "lang": "es", "k": 1})
    assert response.status_code == 200
    assert response.json() == {
        "answered": True,
        "language": "es",
        "hits": [
            {
                "id": "deadline",
                "question": "When is the deadline?",
                "answer": DEADLINE["es"],
                "score": 0.9,
                "source": "call-page",
            }
        ],
    }
    assert answerer.calls == [("deadline", "es")]


def test_search_says_when_it_does_not_know(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "weather in Paris"}).json()
    assert body["answered"] is False


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 2001},
        {"q": "deadline", "lang": "xx"},
        {"q": "deadline", "k": 0},
        {"q": "deadline", "k": 11},
        {"q": "deadline", "k": "many"},
    ],
)
def test_bad_search_input_gets_a_422(
    client: TestClient, params: dict[str, object]
) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)


def test_a_query_the_engine_refuses_is_a_422_not_a_500(
    client: TestClient, answerer: FakeAnswerer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise QueryError("the question is too long")

    monkeypatch.setattr(answerer, "ask", refuse)
    response = client.get("/api/search", params={"q": "deadline"})
    assert response.status_code == 422
    assert "too long" in response.json()["detail"]


def test_search_takes_every_message_the_chat_takes(client: TestClient) -> None:
    # One limit (knowledge/limits.py): the engine searches what the API accepts.
    longest = ("deadline " * 300)[:MAX_MESSAGE_CHARS]
    assert client.get("/api/search", params={"q": longest}).status_code == 200
    refused = client.get("/api/search", params={"q": longest + "x"})
    assert refused.status_code == 422
    assert str(MAX_MESSAGE_CHARS) in refused.json()["detail"]


def test_missing_index_is_a_503_with_a_clear_message(settings: Settings) -> None:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.get("/api/search", params={"q": "deadline"})
    assert response.status_code == 503
    assert "temporarily unavailable" in response.json()["detail"]
