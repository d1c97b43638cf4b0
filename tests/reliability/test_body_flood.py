"""A flood of huge bodies: each refused with 413 before it is read or parsed, the
app's memory stays flat and it keeps serving. A 200 MB body once took the app from
479 to 1,084 MB."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tests.live_stack import LiveStack, tree_rss_mb

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

CLIENTS = 20
BODIES_EACH = 5
BODY_MB = 10


def _chunks() -> Iterator[bytes]:
    block = b" " * (1024 * 1024)
    for _ in range(BODY_MB):
        yield block


def test_a_flood_of_huge_bodies_is_refused_and_memory_stays_flat(
    sqlite_app: LiveStack,
) -> None:
    # A question loads the knowledge engine (the app warms it up in the background
    # after it starts): the memory measured next is the app's, not the model's.
    httpx.get(f"{sqlite_app.app_url}/api/search", params={"q": "deadline"}, timeout=120)
    pid = sqlite_app.pids["app"]
    before = tree_rss_mb(pid)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def flood(number: int) -> None:
        with httpx.Client(base_url=sqlite_app.app_url, timeout=30) as client:
            for i in range(BODIES_EACH):
                # Half declare their length, half stream it (chunked, no length).
                body = b"[" * (BODY_MB << 20) if (number + i) % 2 else _chunks()
                try:
                    response = client.post(
                        "/api/chat",
                        content=body,
                        headers={"Content-Type": "application/json"},
                    )
                    outcome = str(response.status_code)
                except httpx.HTTPError:
                    # The app stopped reading and closed: refused all the same.
                    outcome = "closed"
                with lock:
                    outcomes[outcome] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=flood, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    after = tree_rss_mb(pid)
    offered = CLIENTS * BODIES_EACH * BODY_MB
    print(
        f"\nbody flood: {offered} MB offered in {seconds:.1f} s, outcomes "
        f"{dict(outcomes)}, app memory {before:.0f} -> {after:.0f} MB"
    )
    assert set(outcomes) <= {"413", "closed"}, outcomes
    assert outcomes["413"] >= CLIENTS  # most are answered, not just dropped
    assert after - before < 50
    # And the app serves as before.
    ok = httpx.get(f"{sqlite_app.app_url}/api/health", timeout=5)
    assert ok.status_code == 200
