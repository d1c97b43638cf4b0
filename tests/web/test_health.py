"""GET /api/health: 200 while the app serves, naming the part that is down."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from assistant.core.settings import Settings
from tests.web.conftest import FakeRasa


def test_health_reports_every_part_down_quickly(client: TestClient) -> None:
    started = time.monotonic()
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "rasa": "down",
        "actions": "down",
        "knowledge": "missing",
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
