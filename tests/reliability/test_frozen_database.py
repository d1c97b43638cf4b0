"""A frozen PostgreSQL server (SIGSTOP: connections open, nothing answers): every
request still gets an answer within the database timeout + 1 s, a 503 with
Retry-After, health says which database is down, and writes resume once it thaws.
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
from tests.live_stack import LiveStack, _tree

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

TIMEOUT_SECONDS = DatabaseSettings().timeout_seconds  # the app runs with the default


def _postmaster_pid(url: str) -> int:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        data = connection.execute(text("SHOW data_directory")).scalar_one()
    engine.dispose()
    return int((Path(data) / "postmaster.pid").read_text().split()[0])


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
    draft = {"city": "Ottawa", "country": "CA"}
    assert httpx.post(f"{app}/api/applications", json=draft).status_code == 201
    answers: list[tuple[int, float, str | None]] = []
    lock = threading.Lock()

    def write() -> None:
        started = time.monotonic()
        response = httpx.post(
            f"{app}/api/applications",
            json=draft,
            headers={"Accept-Language": "es"},
            timeout=60,
        )
        with lock:
            answers.append(
                (
                    response.status_code,
                    time.monotonic() - started,
                    response.headers.get("retry-after"),
                )
            )

    with frozen(pid):
        writers = [threading.Thread(target=write) for _ in range(12)]
        for writer in writers:
            writer.start()
        health = httpx.get(f"{app}/api/health", timeout=30)
        for writer in writers:
            writer.join()
    slowest = max(seconds for _, seconds, _ in answers)
    print(
        f"\nfrozen PostgreSQL: {len(answers)} writes answered "
        f"{sorted({code for code, _, _ in answers})} in at most {slowest:.1f} s"
    )
    assert {code for code, _, _ in answers} == {503}
    assert all(retry for _, _, retry in answers)
    # The target is the timeout + 1 s (5.8 s measured at load 2); on this shared
    # two-core machine at load 8-14 the client's own threads have added up to 1.8 s.
    assert slowest < TIMEOUT_SECONDS + 2
    assert health.json()["database"] == "down"
    # Thawed: writes go through again within a few seconds.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if httpx.post(f"{app}/api/applications", json=draft).status_code == 201:
            break
        time.sleep(0.5)
    else:
        pytest.fail("writes did not resume after the database thawed")
