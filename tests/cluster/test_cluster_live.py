"""Failure drills on cluster mode as ``make run-cluster`` starts it: two Rasa servers on
PostgreSQL and Redis (Debian's packages), an action server and the app, on free ports.

The drills run in order on one cluster (starting it is most of the cost):
1. two turns of one conversation sent to both Rasa servers at once are processed one
   after the other (Rasa's Redis lock store);
2. under the load of a few conversations, kill -9 a Rasa server: no client sees a
   failed turn, and the eligibility form it was running continues on the other server;
3. the supervisor restarts it and it takes turns again (the other one is killed);
4. Redis down: the app answers from the knowledge base, no server writes the
   conversation, and turns go through Rasa again once Redis is back.

Then, on the same cluster, the action server's drill: kill -9 it under load, every
turn still gets an answer (degraded, never empty nor an error), and turns go through
the action server again once the supervisor has restarted it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.live_cluster import Cluster, running_cluster
from tests.live_stack import START_TIMEOUT_SECONDS

pytestmark = pytest.mark.integration

LOAD_SESSIONS = 4
QUESTIONS = ["When is the deadline?", "Who can apply?", "What is a U-CAP?"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running_cluster(tmp_path_factory.mktemp("cluster")) as running:
        yield running


def up(rasa_url: str, token: str) -> bool:
    try:
        response = httpx.get(f"{rasa_url}/status", params={"token": token}, timeout=2)
        return response.status_code == 200
    except httpx.HTTPError:
        return False


def chat(client: httpx.Client, url: str, session: str, text: str) -> dict[str, Any]:
    response = client.post(
        f"{url}/api/chat",
        json={"message": text, "session_id": session, "language": "en"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def said(body: dict[str, Any]) -> str:
    return " ".join(message["text"] for message in body["messages"])


def direct_turn(rasa_url: str, session: str, text: str) -> list[dict[str, Any]]:
    """One turn sent to one Rasa server, bypassing the app."""
    body = {"sender": session, "message": text, "metadata": {"language": "en"}}
    response = httpx.post(f"{rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
    response.raise_for_status()
    reply: list[dict[str, Any]] = response.json()
    return reply


def tracker_events(rasa_url: str, session: str, token: str) -> list[dict[str, Any]]:
    url = f"{rasa_url}/conversations/{session}/tracker"
    response = httpx.get(url, params={"token": token}, timeout=30)
    response.raise_for_status()
    events: list[dict[str, Any]] = response.json()["events"]
    return events


class Load:
    """A few conversations asking questions back to back through the app; a
    degraded reply is a failure unless ``degraded_ok`` (then it is counted)."""

    def __init__(self, url: str, degraded_ok: bool = False) -> None:
        self.url = url
        self.degraded_ok = degraded_ok
        self.stop = threading.Event()
        self.failed: list[str] = []
        self.degraded = 0
        self.turns = 0
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(LOAD_SESSIONS)

    def __enter__(self) -> Load:
        for n in range(LOAD_SESSIONS):
            self._pool.submit(self._visitor, f"load-{n}")
        return self

    def _visitor(self, session: str) -> None:
        with httpx.Client() as client:
            n = 0
            while not self.stop.is_set():
                question = QUESTIONS[n % len(QUESTIONS)]
                n += 1
                degraded = False
                try:
                    body = chat(client, self.url, session, question)
                    degraded = body["degraded"]
                    problem = "degraded" if degraded and not self.degraded_ok else ""
                    problem = problem or ("" if said(body) else "empty reply")
                except (AssertionError, httpx.HTTPError) as error:
                    problem = f"{type(error).__name__}: {error}"
                with self._lock:
                    self.turns += 1
                    self.degraded += degraded
                    if problem:
                        self.failed.append(f"{session} {question!r}: {problem}")

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self._pool.shutdown(wait=True)


def test_drills(cluster: Cluster) -> None:
    state = cluster.state()
    rasa_1, rasa_2 = state["rasa-1"]["url"], state["rasa-2"]["url"]

    # 1. The lock store: two turns of one conversation on both servers at once.
    with ThreadPoolExecutor(2) as pool:
        list(
            pool.map(
                lambda url: direct_turn(url, "both", "When is the deadline?"),
                (rasa_1, rasa_2),
            )
        )
    kinds = [
        e.get("name") or e["event"]
        for e in tracker_events(rasa_2, "both", cluster.token)
    ]
    users = [i for i, kind in enumerate(kinds) if kind == "user"]
    assert len(users) == 2, kinds
    # The second turn started after the first had finished (back to listening).
    assert "action_listen" in kinds[users[0] : users[1]], kinds

    # 2. kill -9 one Rasa server under load, in the middle of a form.
    with httpx.Client() as client:
        first = chat(client, cluster.app_url, "form", "Is my city eligible?")
        assert "Which city" in said(first)
        confirm = direct_turn(rasa_1, "form", "Toronto")
        assert any("Toronto" in str(m.get("text")) for m in confirm)
        with Load(cluster.app_url) as load:
            time.sleep(3)
            killed = cluster.kill("rasa-1")
            time.sleep(4)
            # rasa-1 ran the form's last turn; rasa-2 takes the next one.
            follow_up = chat(client, cluster.app_url, "form", "no")
            time.sleep(2)
        assert load.failed == [], load.failed
        assert load.turns >= 8, load.turns
        assert not follow_up["degraded"]
        assert "In which country is Toronto?" in said(follow_up)

        # 3. The supervisor restarts it; it takes turns again (rasa-2 killed).
        cluster.wait_for(
            "rasa-1 restarted",
            lambda: (
                cluster.state()["rasa-1"]["pid"] != killed and up(rasa_1, cluster.token)
            ),
            START_TIMEOUT_SECONDS,
        )
        cluster.kill("rasa-2")
        for n in range(4):
            body = chat(client, cluster.app_url, f"after-{n}", "When is the deadline?")
            assert not body["degraded"] and "2019" in said(body), body

        # 4. Redis down: answers from the knowledge base, nothing written.
        before = len(tracker_events(rasa_1, "form", cluster.token))
        cluster.kill("redis")
        body = chat(client, cluster.app_url, "form", "When is the deadline?")
        assert body["degraded"] and "2019" in said(body), body
        assert len(tracker_events(rasa_1, "form", cluster.token)) == before
        # Back after the supervisor restarts it: the form goes on where it was.
        cluster.wait_for(
            "turns through Rasa again",
            lambda: not chat(client, cluster.app_url, "probe", "Hello")["degraded"],
            60,
        )
        body = chat(client, cluster.app_url, "form", "Canada")
        assert not body["degraded"], body


def answered_by_rasa(client: httpx.Client, url: str, session: str) -> bool:
    body = chat(client, url, session, "When is the deadline?")
    return not body["degraded"] and "2019" in said(body)


def test_action_server_drill(cluster: Cluster) -> None:
    """kill -9 the action server under load: degraded answers, then recovery."""
    state = cluster.state()
    rasa_urls = [state[name]["url"] for name in state if name.startswith("rasa")]
    with httpx.Client() as client:
        # The previous drills killed and restarted servers: all back first.
        cluster.wait_for(
            "the cluster answering through Rasa",
            lambda: (
                all(up(url, cluster.token) for url in rasa_urls)
                and answered_by_rasa(client, cluster.app_url, "before")
            ),
            START_TIMEOUT_SECONDS,
        )
        with Load(cluster.app_url, degraded_ok=True) as load:
            time.sleep(2)
            killed = cluster.kill("actions-1")
            time.sleep(6)
            dead_turns, dead_degraded = load.turns, load.degraded
            # The supervisor restarts it; turns go through it again.
            cluster.wait_for(
                "actions-1 restarted",
                lambda: cluster.state()["actions-1"]["pid"] != killed,
                60,
            )
            cluster.wait_for(
                "turns through the action server again",
                lambda: answered_by_rasa(client, cluster.app_url, "after"),
                START_TIMEOUT_SECONDS,
            )
            recovered_at = load.turns
            time.sleep(2)
        # Every turn got an answer: degraded while the action server was away,
        # never an error or an empty reply.
        assert load.failed == [], load.failed
        assert dead_turns >= 8 and dead_degraded >= 1, (dead_turns, dead_degraded)
        assert load.turns > recovered_at
        # A self-check needs the action server: it runs again after the restart.
        first = chat(client, cluster.app_url, "after-form", "Is my city eligible?")
        assert not first["degraded"] and "Which city" in said(first), first
