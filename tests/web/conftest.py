"""Fixtures for the web app: isolated settings, a fake answerer, a scriptable Rasa."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.core.settings import (
    ActionServerSettings,
    AppSettings,
    DatabaseSettings,
    KnowledgeSettings,
    RasaSettings,
    Settings,
)
from assistant.web.app import create_app
from assistant.web.rasa_client import RasaClient
from knowledge.engine import Hit, QueryError, Result
from knowledge.limits import MAX_MESSAGE_CHARS

ALLOWED_ORIGIN = "https://programme.example.org"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(tmp_path: Path, **app: Any) -> Settings:
    down = f"http://127.0.0.1:{closed_port()}"
    app_values: dict[str, Any] = {
        "public_url": "http://testserver",
        "cors_origins": [ALLOWED_ORIGIN],
        "rate_limit_per_minute": 0,
        "admin_password": SecretStr("s3cret"),
        **app,
    }
    return Settings(
        app=AppSettings(**app_values),
        rasa=RasaSettings(url=down, timeout_seconds=3.0),
        actions=ActionServerSettings(url=f"http://127.0.0.1:{closed_port()}"),
        database=DatabaseSettings(
            url=f"sqlite:///{tmp_path / 'var' / 'app.db'}",
            tracker_url=f"sqlite:///{tmp_path / 'var' / 'tracker.db'}",
        ),
        knowledge=KnowledgeSettings(index_dir=tmp_path / "index"),
    )


DEADLINE = {
    "en": "The deadline was Friday 15 March 2019.",
    "fr": "La date limite était le vendredi 15 mars 2019.",
    "es": "La fecha límite fue el viernes 15 de marzo de 2019.",
}


class FakeAnswerer:
    """Answers the deadline question in three languages; declines anything else."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def ask(
        self, text: str, lang: str | None = None, k: int = 3, topic: str | None = None
    ) -> Result:
        self.calls.append((text, lang))
        if len(text) > MAX_MESSAGE_CHARS:
            raise QueryError("the query is too long")
        if "boom" in text:
            raise RuntimeError("internal details that must not leak")
        language = lang or ("fr" if "date limite" in text else "en")
        hit = Hit(
            entry_id="deadline",
            score=0.9,
            question="When is the deadline?",
            answer=DEADLINE[language],
            source="call-page",
            lang=language,
            topic="deadline",
        )
        answered = "deadline" in text or "date limite" in text or "fecha" in text
        return Result(answered=answered, lang=language, hits=[hit][:k], suggestions=[])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def answerer() -> FakeAnswerer:
    return FakeAnswerer()


@pytest.fixture
def client(settings: Settings, answerer: FakeAnswerer) -> Iterator[TestClient]:
    app = create_app(settings)
    app.state.services.core.override("answerer", answerer)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


Handler = Callable[[httpx.Request], httpx.Response]


class FakeRasa:
    """Stands in for the Rasa server and the action server over httpx's transport."""

    def __init__(self) -> None:
        self.reply: list[dict[str, Any]] = [{"recipient_id": "x", "text": "Hello!"}]
        self.language_slot: str | None = None
        self.actions_up = True
        self.rasa_up = True
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.url.port == 5055:
            return httpx.Response(200 if self.actions_up else 503, json={})
        if not self.rasa_up:
            raise httpx.ConnectError("refused", request=request)
        if path == "/webhooks/rest/webhook":
            return httpx.Response(200, json=self.reply)
        if path.endswith("/tracker"):
            return httpx.Response(200, json={"slots": {"language": self.language_slot}})
        return httpx.Response(200, text="Hello from Rasa: 3.6.21")

    def webhook_bodies(self) -> list[dict[str, Any]]:
        return [
            json.loads(r.content)
            for r in self.requests
            if r.url.path == "/webhooks/rest/webhook"
        ]


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def rasa_client(
    settings: Settings, answerer: FakeAnswerer, fake_rasa: FakeRasa
) -> Iterator[TestClient]:
    """The app talking to ``fake_rasa`` instead of real servers."""
    app = create_app(settings)
    app.state.services.core.override("answerer", answerer)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        app.state.rasa = RasaClient(
            "http://rasa:5005",
            "http://actions:5055",
            3.0,
            client=httpx.AsyncClient(transport=httpx.MockTransport(fake_rasa)),
        )
        yield test_client
