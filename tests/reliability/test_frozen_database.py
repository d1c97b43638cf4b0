"""A frozen PostgreSQL server (SIGSTOP: connections open, nothing answers): every
request still gets an answer within the database timeout + 1 s, a 503 with
Retry-After in the user's language, health says which database is down, writes resume
once it thaws, and none of the writes answered 503 is applied afterwards.
Without the timeouts, requests hung 20-30 s."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from assistant.core.settings import DatabaseSettings
from assistant.web.api.deps import message
from tests.live_stack import LiveStack, _tree

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

TIMEOUT_SECONDS = DatabaseSettings().timeout_seconds  # the app runs with the default
FROZEN_CITY = "Frozen Falls"


def _sql(url: str, query: str) -> object:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as connection:
            return connection.execute(text(query)).scalar_one()
    finally:
        engine.dispose()


def _postmaster_pid(url: str) -> int:
    data = _sql(url, "SHOW data_directory")
    return int((Path(str(data)) / "postmaster.pid").read_text().split()[0])


@contextmanager
def frozen(pid: int) -> Iterator[None]:
    processes = _tree(pid)
    for process in processes:
        os.kill(process, signal.SIGSTOP)
    try:
        yield
    finally:
        for process in processes:
            os.kill(process, signal.SIGCONT)


def test_a_frozen_database_answers_503_in_time(
    postgres_app: LiveStack, postgres_url: str
) -> None:
    if os.environ.get("IUC_TEST_POSTGRES_URL"):
        pytest.skip("freezes its own throwaway PostgreSQL server only")
    pid = _postmaster_pid(postgres_url)
    app = postgres_app.app_url
    # The app loads its model in the background after it starts: the question waits
    # for it, so what is timed next is the database's deadline, not a start-up.
    httpx.get(f"{app}/api/search", params={"q": "deadline"}, timeout=120)
    created = httpx.post(
        f"{app}/api/applications", json={"city": "Ottawa", "country": "CA"}
    ).json()
    draft_url = f"/api/applications/{created['id']}"
    auth = {"Authorization": f"Bearer {created['token']}", "Accept-Language": "es"}
    requests = [
        ("POST", "/api/applications", {"city": FROZEN_CITY, "country": "CA"}),
        ("PATCH", draft_url, {"motivation": "Written while the database froze."}),
        ("GET", draft_url, None),
    ] * 4
    answers: list[tuple[str, int, float, str | None, str]] = []
    lock = threading.Lock()
    # Clients are built (and connected) before the clock starts: at load 14 a
    # dozen clients building their TLS contexts at once took the test 2-4 s.
    clients = [httpx.Client(base_url=app, timeout=60) for _ in requests]
    for client in clients:
        client.get("/api/themes")
    start = threading.Barrier(len(requests))

    def call(client: httpx.Client, method: str, url: str, body: object) -> None:
        start.wait()
        started = time.monotonic()
        response = client.request(method, url, json=body, headers=auth)
        seconds = time.monotonic() - started
        with lock:
            answers.append(
                (
                    method,
                    response.status_code,
                    seconds,
                    response.headers.get("retry-after"),
                    response.json().get("detail", ""),
                )
            )

    with frozen(pid):
        threads = [
            threading.Thread(target=call, args=(client, *request))
            for client, request in zip(clients, requests, strict=True)
        ]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        health = httpx.get(f"{app}/api/health", timeout=30)
        health_seconds = time.monotonic() - started
        for thread in threads:
            thread.join()
    for client in clients:
        client.close()
    slowest = max(seconds for _, _, seconds, _, _ in answers)
    load = "/".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"\nfrozen PostgreSQL (load {load}): {len(answers)} requests "
        f"(POST, PATCH, GET) answered {sorted({a[1] for a in answers})} in "
        f"{min(a[2] for a in answers):.2f}-{slowest:.2f} s; health in "
        f"{health_seconds:.2f} s"
    )
    assert {status for _, status, _, _, _ in answers} == {503}
    assert all(retry for _, _, _, retry, _ in answers)
    assert {detail for *_, detail in answers} == {message("unavailable", "es")}
    assert slowest < TIMEOUT_SECONDS + 1
    assert health.json()["database"] == "down"
    assert health_seconds < 3

    # Thawed: writes go through again within a few seconds...
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        draft = {"city": "Ottawa", "country": "CA"}
        if httpx.post(f"{app}/api/applications", json=draft).status_code == 201:
            break
        time.sleep(0.5)
    else:
        pytest.fail("writes did not resume after the database thawed")
    # ...and the writes answered 503 were not applied when the server woke up.
    time.sleep(1)
    applied = _sql(
        postgres_url,
        "SELECT count(*) FROM draft_applications "
        f"WHERE fields->>'city' = '{FROZEN_CITY}'",
    )
    kept = httpx.get(f"{app}{draft_url}", headers=auth, timeout=10).json()
    print(f"writes answered 503 and applied after the thaw: {applied} POSTs")
    assert applied == 0
    assert kept.get("motivation") is None  # nor the PATCHes
