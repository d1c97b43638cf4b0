"""The tracker cache (assistant/rasa_runtime/tracker_cache.py) in the real Rasa
environment, on a SQLite tracker store: what it loads and stores is what Rasa alone
would, and a turn another server took is never hidden by a tracker in memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.launch import RASA_PYTHON
from tests.rasa_python import run_in_rasa

pytestmark = pytest.mark.skipif(
    not RASA_PYTHON.exists(), reason="the Rasa environment is not set up"
)

SCRIPT = """
import asyncio, json, sys, uuid
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered)

rasa_retrieve, rasa_save = SQLTrackerStore.retrieve, SQLTrackerStore.save
from assistant.rasa_runtime import tracker_cache
shared = sys.argv[2] == "shared"  # cluster mode: several servers
# Its own conversation: the database may hold other tests' conversations.
CID = "c-" + uuid.uuid4().hex
cache = tracker_cache.install(shared=shared)

domain = Domain.from_dict({"slots": {"language": {"type": "text", "mappings": []}}})
from sqlalchemy.engine import make_url
url = make_url(sys.argv[1])
store = SQLTrackerStore(
    domain, dialect=url.get_backend_name(), host=url.host, port=url.port,
    db=url.database, username=url.username, password=url.password)

def turn(text, language):
    return [UserUttered(text), SlotSet("language", language),
            ActionExecuted("utter_x"), BotUttered(text.upper()),
            ActionExecuted("action_listen")]

def state(tracker):
    return {"events": [e.as_dict() for e in tracker.events],
            "language": tracker.get_slot("language")}

def stored():
    with store.session_scope() as session:
        return [(e.type_name, json.loads(e.data).get("text"))
                for e in session.query(store.SQLEvent)
                .filter(store.SQLEvent.sender_id == CID)
                .order_by(store.SQLEvent.id)]

async def main():
    report = {}
    # A new conversation: created, then two turns, as Rasa's processor does them.
    tracker = await store.get_or_create_tracker(CID)
    for event in [ActionExecuted("action_session_start"), SessionStarted(),
                  ActionExecuted("action_listen"), *turn("hello", "en")]:
        tracker.update(event)
    await store.save(tracker)
    tracker = await store.retrieve(CID)
    report["first_from_memory"] = cache.hits
    for event in turn("bonjour", "fr"):
        tracker.update(event)
    await store.save(tracker)
    # What a Rasa without the cache loads: the same events and slots.
    report["same_as_rasa"] = (
        state(await store.retrieve(CID)) == state(await rasa_retrieve(store, CID)))
    report["stored_once"] = stored()
    if not shared:  # a single server: nobody else writes its conversations
        print(json.dumps(report))
        return
    # Another server takes a turn (Rasa's own code, its own copy of the tracker).
    other = await rasa_retrieve(store, CID)
    for event in turn("hola", "es"):
        other.update(event)
    await rasa_save(store, other)
    hits = cache.hits
    seen = await store.retrieve(CID)
    report["after_other_server"] = {
        "language": seen.get_slot("language"),
        "from_memory": cache.hits > hits,
        "same_as_rasa": state(seen) == state(await rasa_retrieve(store, CID)),
    }
    # A turn that fails half-way leaves no trace in memory.
    broken = await store.retrieve(CID)
    broken.update(SlotSet("language", "xx"))
    report["after_failed_turn"] = (await store.retrieve(CID)).get_slot("language")
    print(json.dumps(report))

asyncio.run(main())
"""


def run_probe(database_url: str, mode: str) -> dict[str, Any]:
    report: dict[str, Any] = run_in_rasa(SCRIPT, database_url, mode)
    return report


@pytest.mark.parametrize("mode", ["shared", "single"])
def test_tracker_cache_loads_and_stores_what_rasa_would(
    tmp_path: Path, mode: str
) -> None:
    check(run_probe(f"sqlite:///{tmp_path / 'tracker.db'}", mode), mode)


@pytest.mark.integration
def test_the_same_on_postgresql_as_cluster_mode_uses_it(postgres_url: str) -> None:
    check(run_probe(postgres_url, "shared"), "shared")


def check(report: dict[str, Any], mode: str) -> None:
    assert report["first_from_memory"] == 1
    assert report["same_as_rasa"] is True
    # Every event stored once, in order: nothing lost, nothing twice.
    texts = [text for kind, text in report["stored_once"] if kind == "user"]
    assert texts == ["hello", "bonjour"]
    assert len(report["stored_once"]) == 1 + 3 + 5 + 5
    if mode == "single":
        return
    # The other server's turn is seen: the tracker in memory was out of date.
    assert report["after_other_server"] == {
        "language": "es",
        "from_memory": False,
        "same_as_rasa": True,
    }
    assert report["after_failed_turn"] == "es"


# The database held by another writer's exclusive lock (SQLite waits 5 s for it): the
# calls Rasa makes through its fail-safe wrapper give up at the deadline and fail the
# turn, where Rasa would have started the conversation afresh; free again, it works.
LOCKED = """
import asyncio, json, os, sqlite3, sys, time
os.environ["IUC_RASA_TRACKER_TIMEOUT"] = "0.5"
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from assistant.rasa_runtime import tracker_cache
tracker_cache.install(shared=sys.argv[2] == "shared")
store = FailSafeTrackerStore(SQLTrackerStore(Domain.empty(), db=sys.argv[1]))

async def attempt(call):
    started = time.monotonic()
    try:
        await call
        outcome = "ok"
    except tracker_cache.TrackerStoreUnavailable:
        outcome = "unavailable"
    return outcome, round(time.monotonic() - started, 1)

async def main():
    known = await store.get_or_create_tracker("known")
    known.update(UserUttered("hello"))
    await store.save(known)
    known = await store.retrieve("known")
    holder = sqlite3.connect(sys.argv[1], isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    known.update(UserUttered("again"))
    report = {"new": await attempt(store.get_or_create_tracker("new")),
              "save": await attempt(store.save(known))}
    holder.execute("ROLLBACK")
    time.sleep(5)  # the calls that gave up finish before the next ones
    report["after"] = await attempt(store.get_or_create_tracker("new"))
    print(json.dumps(report))

asyncio.run(main())
"""


@pytest.mark.parametrize("mode", ["shared", "single"])
def test_a_locked_tracker_database_fails_the_turn_at_the_deadline(
    tmp_path: Path, mode: str
) -> None:
    report = run_in_rasa(LOCKED, str(tmp_path / "tracker.db"), mode)
    # Given up after the 0.5 s deadline (+ scheduling), not SQLite's 5 s wait.
    assert report["new"][0] == "unavailable" and report["new"][1] < 2
    assert report["save"][0] == "unavailable" and report["save"][1] < 2
    assert report["after"][0] == "ok"
