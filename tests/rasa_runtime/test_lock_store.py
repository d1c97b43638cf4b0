"""The cluster lock store (assistant/rasa_runtime/lock_store.py) against a real Redis,
in the real Rasa environment: a server killed mid-turn delays the conversation by the
lock lifetime only, and two servers never hold one conversation's lock at once."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from assistant.launch import RASA_PYTHON
from tests.rasa_python import run_in_rasa
from tests.redis_server import throwaway_redis

pytestmark = pytest.mark.skipif(
    not RASA_PYTHON.exists(), reason="the Rasa environment is not set up"
)

SCRIPT = """
import asyncio, json, sys, time
from urllib.parse import urlsplit
from rasa.utils.endpoints import EndpointConfig
from assistant.rasa_runtime.lock_store import ClusterLockStore

url = urlsplit(sys.argv[1])
def store():
    config = EndpointConfig(url=url.hostname, port=url.port, db=0, key_prefix="t")
    return ClusterLockStore(endpoint_config=config)

async def dead_holder():
    # A server takes a ticket and dies: it never renews nor cleans up.
    store().issue_ticket("killed", 1.0)
    start = time.monotonic()
    async with store().lock("killed", lock_lifetime=1.0):
        return time.monotonic() - start

async def overlap():
    # Eight turns of one conversation on eight "servers" at once, each slower than
    # the lock lifetime: none may start before the previous one ended.
    inside, most = 0, 0
    async def turn():
        nonlocal inside, most
        async with store().lock("busy", lock_lifetime=0.3):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.5)
            inside -= 1
    await asyncio.gather(*(turn() for _ in range(8)))
    return most

waited, most = asyncio.run(dead_holder()), asyncio.run(overlap())
print(json.dumps({"waited": waited, "most": most}))
"""


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with throwaway_redis() as url:
        yield url


def test_a_dead_server_delays_only_by_the_lifetime_and_turns_never_overlap(
    redis_url: str,
) -> None:
    figures = run_in_rasa(SCRIPT, redis_url)
    # Rasa's own store waits forever here (the waiting ticket expires too).
    assert 0.9 <= figures["waited"] < 2.0
    assert figures["most"] == 1


# Two servers taking turns of one conversation: what each learns of the lock's
# previous holder, on which the tracker cache skips the database's row count.
HOLDERS = """
import asyncio, json, sys
from urllib.parse import urlsplit
from rasa.utils.endpoints import EndpointConfig
from assistant.rasa_runtime.lock_store import LOCK_SESSION, ClusterLockStore

url = urlsplit(sys.argv[1])
def store():
    config = EndpointConfig(url=url.hostname, port=url.port, db=0, key_prefix="h")
    return ClusterLockStore(endpoint_config=config)
a, b = store(), store()

async def turn(server, fail=False):
    try:
        async with server.lock("c", lock_lifetime=1.0):
            session = LOCK_SESSION.get()
            if fail:
                raise RuntimeError("the turn failed")
    except RuntimeError:
        pass
    return session

async def main():
    seen = {}
    first = await turn(a)
    seen["first"] = first.previous
    second = await turn(a)
    seen["a_after_a"] = second.previous == first.name
    third = await turn(b, fail=True)
    seen["b_after_a"] = third.previous == second.name
    seen["after_failed"] = (await turn(a)).previous
    await turn(b)
    a.issue_ticket("c", 1.0)  # a server takes the lock and dies
    seen["after_dead"] = (await turn(b)).previous
    seen["outside"] = LOCK_SESSION.get()
    print(json.dumps(seen))

asyncio.run(main())
"""


def test_the_lock_tells_who_held_it_last_only_after_a_turn_that_ended_well(
    redis_url: str,
) -> None:
    seen = run_in_rasa(HOLDERS, redis_url)
    assert seen == {
        "first": None,  # a new conversation: nobody
        "a_after_a": True,
        "b_after_a": True,
        # A failed turn (its save may still land) or a dead holder: unknown, so the
        # next turn asks the database.
        "after_failed": None,
        "after_dead": None,
        "outside": None,
    }


FROZEN = """
import asyncio, json, os, signal, sys, time
from urllib.parse import urlsplit
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig
from assistant.rasa_runtime.lock_store import ClusterLockStore

url = urlsplit(sys.argv[1])
config = EndpointConfig(url=url.hostname, port=url.port, db=0, key_prefix="f")
store = ClusterLockStore(endpoint_config=config)

async def main():
    async with store.lock("c"):
        pass  # connected
    os.kill(int(sys.argv[2]), signal.SIGSTOP)
    started = time.monotonic()
    try:
        async with store.lock("c"):
            outcome = "locked"
    except LockError:
        outcome = "refused"
    finally:
        os.kill(int(sys.argv[2]), signal.SIGCONT)
    print(json.dumps([outcome, time.monotonic() - started]))

asyncio.run(main())
"""


def test_a_frozen_redis_refuses_the_turn_within_half_a_second(redis_url: str) -> None:
    port = urlsplit(redis_url).port
    pid = subprocess.run(
        ["fuser", f"{port}/tcp"], capture_output=True, text=True
    ).stdout.split()
    if not pid:
        pytest.skip("cannot find the Redis server's process")
    outcome, seconds = run_in_rasa(FROZEN, redis_url, pid[0])
    # Rasa's own client waits 10 s, its event loop (every conversation) with it.
    assert outcome == "refused" and seconds < 1.5
