"""What a client gets when something fails: 503 + Retry-After in its language when the
database is stuck, 413 before a huge body is parsed, and a 500 that keeps the
keep-alive connection usable."""

from __future__ import annotations

import http.client
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from assistant.core.settings import Settings
from assistant.web.app import create_app
from tests.web.conftest import FakeAnswerer, closed_port, make_settings

DRAFT = {"city": "Ottawa", "country": "CA"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """The app behind a real uvicorn server (keep-alive as in production)."""
    settings = make_settings(tmp_path)
    app = create_app(settings)
    app.state.services.core.override("answerer", FakeAnswerer())
    port = closed_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield "127.0.0.1", port
    server.should_exit = True
    thread.join(timeout=10)


def test_a_500_keeps_the_keep_alive_connection(served: tuple[str, int]) -> None:
    connection = http.client.HTTPConnection(*served, timeout=10)
    connection.request("GET", "/api/search?q=boom", headers={"Accept-Language": "es"})
    failed = connection.getresponse()
    body = failed.read().decode()
    assert failed.status == 500
    assert "Algo salió mal" in body and "internal details" not in body
    assert failed.getheader("connection") != "close"
    # The same connection serves the next request (it used to be dropped unannounced).
    connection.request("GET", "/api/search?q=deadline")
    assert connection.getresponse().status == 200
    connection.close()


def test_a_stuck_database_is_a_503_in_time_in_the_users_language(
    tmp_path: Path,
) -> None:
    settings: Settings = make_settings(tmp_path)
    settings.database.timeout_seconds = 0.5
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert client.post("/api/applications", json=DRAFT).status_code == 201
        holder = sqlite3.connect(settings.database.url.removeprefix("sqlite:///"))
        holder.isolation_level = None
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            started = time.monotonic()
            response = client.post(
                "/api/applications",
                json=DRAFT,
                headers={"Accept-Language": "de, fr-CA;q=0.8, en;q=0.5"},
            )
            elapsed = time.monotonic() - started
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert response.status_code == 503
        assert int(response.headers["retry-after"]) >= 1
        assert "temporairement indisponible" in response.json()["detail"]
        assert elapsed < settings.database.timeout_seconds + 1
        # Once the lock is gone, writes go through again.
        assert client.post("/api/applications", json=DRAFT).status_code == 201


def test_a_huge_body_is_refused_before_it_is_parsed(client: TestClient) -> None:
    # Not even JSON: a 413, not a 422, shows that nothing parsed it.
    big = b"{" * (70 * 1024)
    response = client.post(
        "/api/chat",
        content=big,
        headers={"Content-Type": "application/json", "Accept-Language": "fr"},
    )
    assert response.status_code == 413
    assert "trop volumineuse" in response.json()["detail"]
    assert "64" in response.json()["detail"]
    assert response.headers["connection"] == "close"


def test_a_huge_body_without_a_length_is_counted_as_it_arrives(
    client: TestClient,
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b" " * 4096  # 400 KB, streamed (chunked transfer encoding)

    response = client.post(
        "/api/applications",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_a_body_under_the_limit_is_served(client: TestClient) -> None:
    motivation = "m" * 4000  # a long but ordinary draft
    response = client.post(
        "/api/applications", json={**DRAFT, "motivation": motivation}
    )
    assert response.status_code == 201
