"""Several Rasa servers: turns are spread over them, a dead one is skipped and its
turn retried on another, and the app answers in degraded mode when all are down."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.web.rasa_client import RasaClient, RasaUnavailable
from tests.web.conftest import FakeRasa

URLS = ["http://rasa-1:5005", "http://rasa-2:5005", "http://rasa-3:5005"]


class Servers:
    """Three Rasa servers behind httpx's transport; any can be killed."""

    def __init__(self) -> None:
        self.dead: set[str] = set()
        self.turns: Counter[str] = Counter()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host in self.dead:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path == "/webhooks/rest/webhook":
            self.turns[host] += 1
            return httpx.Response(200, json=[{"text": f"hello from {host}"}])
        return httpx.Response(200, text="Hello from Rasa")


def client_for(servers: Servers) -> RasaClient:
    transport = httpx.MockTransport(servers)
    return RasaClient(
        URLS, "http://actions:5055", 3.0, client=httpx.AsyncClient(transport=transport)
    )


async def test_turns_are_spread_over_the_servers() -> None:
    servers = Servers()
    client = client_for(servers)
    for n in range(30):
        await client.send(f"s{n}", "hi", "en")
    assert servers.turns == {"rasa-1": 10, "rasa-2": 10, "rasa-3": 10}


async def test_a_dead_server_costs_no_turn_and_is_set_aside() -> None:
    servers = Servers()
    client = client_for(servers)
    servers.dead.add("rasa-2")
    replies = [await client.send(f"s{n}", "hi", "en") for n in range(20)]
    assert all(reply and "hello" in reply[0]["text"] for reply in replies)
    assert servers.turns["rasa-2"] == 0
    assert servers.turns["rasa-1"] + servers.turns["rasa-3"] == 20


async def test_concurrent_turns_go_to_the_least_busy_server() -> None:
    servers = Servers()
    client = client_for(servers)
    await asyncio.gather(*(client.send(f"s{n}", "hi", "en") for n in range(9)))
    assert sorted(servers.turns.values()) == [3, 3, 3]


async def test_a_conversation_stays_on_its_server_until_that_one_fails() -> None:
    servers = Servers()
    client = client_for(servers)
    for n in range(3):  # three conversations start, one on each server
        await client.send(f"c{n}", "hi", "en")
    for _ in range(4):  # their next turns go where their tracker is in memory
        for n in range(3):
            await client.send(f"c{n}", "hi", "en")
    assert servers.turns == {"rasa-1": 5, "rasa-2": 5, "rasa-3": 5}
    servers.dead.add("rasa-1")
    replies = [await client.send("c0", "hi", "en") for _ in range(3)]
    assert all("hello from rasa-" in reply[0]["text"] for reply in replies)
    assert servers.turns["rasa-1"] == 5  # moved, and stays where it moved
    assert 3 in (servers.turns["rasa-2"] - 5, servers.turns["rasa-3"] - 5)


async def test_a_server_that_comes_back_takes_turns_again() -> None:
    servers = Servers()
    client = client_for(servers)
    servers.dead.add("rasa-1")
    await client.send("s", "hi", "en")
    servers.dead.clear()
    # The health probe sees it back at once, without waiting for the cool-down.
    assert await client.rasa_up()
    for n in range(6):
        await client.send(f"s{n}", "hi", "en")
    assert servers.turns["rasa-1"] == 2


async def test_all_servers_down_is_one_clear_error() -> None:
    servers = Servers()
    client = client_for(servers)
    servers.dead.update(url.split("//")[1].split(":")[0] for url in URLS)
    with pytest.raises(RasaUnavailable, match="ConnectError"):
        await client.send("s", "hi", "en")
    assert not await client.rasa_up()


def test_the_app_answers_in_degraded_mode_when_all_are_down(
    client: TestClient,
) -> None:
    servers = Servers()
    servers.dead.update({"rasa-1", "rasa-2", "rasa-3"})
    client.app.state.rasa = client_for(servers)  # type: ignore[attr-defined]
    body = client.post("/api/chat", json={"message": "When is the deadline?"}).json()
    assert body["degraded"] is True
    assert "2019" in body["messages"][0]["text"]


def test_an_empty_reply_is_a_failed_turn_answered_from_the_knowledge_base(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    # Rasa's REST channel answers [] when it fails a turn (e.g. Redis is down).
    fake_rasa.reply = []
    body = rasa_client.post("/api/chat", json={"message": "When is the deadline?"})
    assert body.json()["degraded"] is True
    assert "2019" in body.json()["messages"][0]["text"]
