"""Rate limits that hold behind a reverse proxy and across app replicas.

The app runs in a real uvicorn server with the options ``python -m assistant.web``
uses, so X-Forwarded-For is judged as in production.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from assistant.core.settings import RedisSettings, Settings
from assistant.web.__main__ import server_options
from assistant.web.app import create_app
from tests.redis_server import throwaway_redis
from tests.web.conftest import FakeAnswerer, closed_port, make_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def limited_settings(tmp_path: Path, redis_url: str = "", **app: Any) -> Settings:
    settings = make_settings(tmp_path, **app)
    settings.app.port = free_port()
    settings.redis = RedisSettings(url=redis_url)
    return settings


def app_for(settings: Settings) -> Any:
    app = create_app(settings)
    app.state.services.core.override("answerer", FakeAnswerer())
    return app


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The app in a real uvicorn server, as ``python -m assistant.web`` runs it."""
    config = uvicorn.Config(
        app_for(settings), log_level="warning", **server_options(settings)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{settings.app.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def search(client: httpx.Client, url: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = client.get(
        f"{url}/api/search", params={"q": "deadline"}, headers=headers
    )
    return response.status_code


def test_each_visitor_behind_a_trusted_proxy_has_its_own_budget(
    tmp_path: Path,
) -> None:
    settings = limited_settings(
        tmp_path, rate_limit_per_minute=2, trusted_proxies=["127.0.0.1"]
    )
    visitors = [f"198.51.100.{n}" for n in range(100)]
    with serving(settings) as url, httpx.Client(timeout=10) as client:
        # The proxy appends the visitor's address to whatever the visitor sent.
        codes = [
            search(client, url, f"10.0.0.1, {visitor}")
            for visitor in visitors
            for _ in range(2)
        ]
        assert codes == [200] * 200
        assert search(client, url, visitors[0]) == 429
        assert search(client, url, "203.0.113.7") == 200


def test_an_untrusted_client_cannot_pick_its_address(tmp_path: Path) -> None:
    settings = limited_settings(
        tmp_path, rate_limit_per_minute=2, trusted_proxies=["192.0.2.1"]
    )
    with serving(settings) as url, httpx.Client(timeout=10) as client:
        codes = [search(client, url, f"198.51.100.{n}") for n in range(3)]
    assert codes == [200, 200, 429]


def test_without_trusted_proxies_forwarded_headers_are_ignored(
    tmp_path: Path,
) -> None:
    settings = limited_settings(tmp_path, rate_limit_per_minute=2)
    with serving(settings) as url, httpx.Client(timeout=10) as client:
        codes = [search(client, url, f"198.51.100.{n}") for n in range(3)]
    assert codes == [200, 200, 429]


def chat(client: TestClient, session_id: str, address: str) -> int:
    response = client.post(
        "/api/chat",
        json={"message": "When is the deadline?", "session_id": session_id},
        headers={"X-Forwarded-For": address},
    )
    return response.status_code


def test_one_chat_session_has_a_budget_of_its_own(tmp_path: Path) -> None:
    settings = limited_settings(
        tmp_path, rate_limit_per_minute=100, session_rate_limit_per_minute=2
    )
    with TestClient(app_for(settings)) as client:
        assert [chat(client, "s-1", "x") for _ in range(3)] == [200, 200, 429]
        # Another conversation from the same address still goes through.
        assert chat(client, "s-2", "x") == 200


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with throwaway_redis() as url:
        yield url


def test_app_replicas_sharing_redis_share_the_budgets(
    tmp_path: Path, redis_url: str
) -> None:
    settings = limited_settings(
        tmp_path, redis_url, rate_limit_per_minute=3, session_rate_limit_per_minute=2
    )
    with (
        TestClient(app_for(settings)) as first,
        TestClient(app_for(settings)) as second,
    ):
        assert search(first, "") == 200
        assert search(second, "") == 200
        assert search(first, "") == 200
        # The budget of this address is spent, whichever replica it reaches.
        assert search(second, "") == 429
        assert search(first, "") == 429
    session_settings = limited_settings(
        tmp_path, redis_url, rate_limit_per_minute=100, session_rate_limit_per_minute=2
    )
    with (
        TestClient(app_for(session_settings)) as first,
        TestClient(app_for(session_settings)) as second,
    ):
        assert chat(first, "shared", "x") == 200
        assert chat(second, "shared", "x") == 200
        assert chat(first, "shared", "x") == 429


def test_a_dead_redis_never_refuses_a_visitor(tmp_path: Path) -> None:
    down = f"redis://127.0.0.1:{closed_port()}/0"
    settings = limited_settings(tmp_path, down, rate_limit_per_minute=2)
    with TestClient(app_for(settings)) as client:
        # Counted in the process meanwhile: still limited, never an error.
        assert [search(client, "") for _ in range(3)] == [200, 200, 429]
