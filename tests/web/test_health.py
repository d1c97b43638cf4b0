"""GET /api/health: 200 while the app serves, naming the part that is down."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.core.settings import Settings
from assistant.web.app import create_app
from tests.postgres import throwaway_postgres
from tests.web.conftest import FakeRasa, make_settings


def test_health_reports_every_part_down_quickly(client: TestClient) -> None:
    started = time.monotonic()
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "rasa": "down",
        "actions": "down",
        "knowledge": "missing",
        # The drafts database opens (a file of its own); Rasa has made no tracker.
        "database": "ok",
        "tracker_database": "down",
    }
    assert time.monotonic() - started < 3.0


def test_health_sees_a_built_index(client: TestClient, settings: Settings) -> None:
    settings.knowledge.index_dir.mkdir(parents=True)
    (settings.knowledge.index_dir / "manifest.json").write_text("{}")
    assert client.get("/api/health").json()["knowledge"] == "ok"


def test_health_reports_rasa_and_actions_up(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    body = rasa_client.get("/api/health").json()
    assert (body["rasa"], body["actions"]) == ("ok", "ok")
    fake_rasa.actions_up = False
    body = rasa_client.get("/api/health").json()
    assert (body["rasa"], body["actions"]) == ("ok", "down")


def test_health_names_the_database_that_is_down(tmp_path: Path) -> None:
    if os.environ.get("IUC_TEST_POSTGRES_URL"):
        pytest.skip("stops its own PostgreSQL server")
    settings = make_settings(tmp_path)
    tracker = Path(settings.database.tracker_url.removeprefix("sqlite:///"))
    tracker.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(tracker).close()
    with throwaway_postgres() as url:
        settings.database.url = url
        client = TestClient(create_app(settings), raise_server_exceptions=False)
        client.__enter__()
        client.app.state.services.drafts()  # opened once, as the warm-up does
        body = client.get("/api/health").json()
        assert (body["database"], body["tracker_database"]) == ("ok", "ok")
    try:  # the PostgreSQL server is stopped now
        started = time.monotonic()
        body = client.get("/api/health").json()
        assert (body["database"], body["tracker_database"]) == ("down", "ok")
        assert time.monotonic() - started < 3.0
    finally:
        client.__exit__(None, None, None)
