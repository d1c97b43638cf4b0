"""The drafts store under contention and failure: SQLite in WAL mode with immediate
write transactions and retries, PostgreSQL with timeouts, one deadline for both."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from assistant.core.database import DatabaseUnavailable
from assistant.core.drafts import DraftStore


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DraftStore]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'app.db'}"
    draft_store = DraftStore(url)
    yield draft_store
    draft_store.close()


def test_twenty_concurrent_writers_never_see_an_error(store: DraftStore) -> None:
    # Before WAL and BEGIN IMMEDIATE: 39 of 1,000 writes failed "database is locked".
    errors: list[str] = []

    def writer(number: int) -> None:
        for i in range(15):
            try:
                draft, token = store.create({"city": f"City {number}-{i}"})
                assert store.update(draft.id, token, {"region": "R"}) is not None
                assert store.get(draft.id, token) is not None
            except Exception as exc:
                errors.append(repr(exc))

    before = len(store.list_all())  # the PostgreSQL database is shared
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.list_all()) - before == 20 * 15


def test_a_wrong_token_writes_nothing(store: DraftStore) -> None:
    draft, _ = store.create({"city": "Ottawa"})
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement.split()[0].upper())

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        assert store.update(draft.id, "wrong-token", {"city": "Hijacked"}) is None
        wrong_token = list(statements)
        statements.clear()
        missing = "00000000-0000-4000-8000-000000000000"
        assert store.update(missing, "wrong-token", {"city": "Hijacked"}) is None
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    # No UPDATE (it used to take the write lock first), and the very same
    # statements as for a draft that does not exist.
    assert "UPDATE" not in wrong_token
    assert wrong_token == statements


def test_a_locked_sqlite_database_fails_in_time(tmp_path: Path) -> None:
    import sqlite3

    store = DraftStore(f"sqlite:///{tmp_path / 'app.db'}", timeout=0.5)
    holder = sqlite3.connect(tmp_path / "app.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable, match=r"locked|did not answer"):
            store.create({"city": "Ottawa"})
        assert time.monotonic() - started < 0.5 + 1
        # Reads go on while another process writes (WAL).
        assert store.list_all() == []
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()


def test_an_unclaimed_draft_opens_only_after_its_one_claim(store: DraftStore) -> None:
    draft = store.create_unclaimed({"city": "Laval"})
    assert store.get(draft.id, "unclaimed") is None
    assert store.get(draft.id, "") is None
    token = store.claim(draft.id)
    assert token is not None and len(token) >= 43
    opened = store.get(draft.id, token)
    assert opened is not None and opened.fields == {"city": "Laval"}
    assert store.claim(draft.id) is None  # a second claim gets nothing
    assert store.claim("not-a-uuid") is None


def _frozen_for(store: DraftStore, seconds: float, verb: str) -> list[str]:
    """Every ``verb`` statement stalls ``seconds`` (a frozen server) and is logged."""
    stalled: list[str] = []

    def stall(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(verb):
            stalled.append(statement)
            time.sleep(seconds)

    event.listen(store.engine, "before_cursor_execute", stall)
    return stalled


def test_a_write_answered_unavailable_is_never_committed_later(
    tmp_path: Path,
) -> None:
    store = DraftStore(f"sqlite:///{tmp_path / 'app.db'}", timeout=0.5)
    try:
        stalled = _frozen_for(store, 1.0, "INSERT")
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable):
            store.create({"city": "Ottawa"})
        assert time.monotonic() - started < 0.5 + 0.5
        time.sleep(1.5)  # the server "thaws": the INSERT ends, its COMMIT is refused
        assert stalled and store.list_all() == []
    finally:
        store.close()


async def test_awaited_calls_end_at_their_deadline_even_when_queued(
    tmp_path: Path,
) -> None:
    import asyncio

    from assistant.core.database import MAX_WORKERS

    store = DraftStore(f"sqlite:///{tmp_path / 'app.db'}", timeout=0.5)
    draft, token = store.create({"city": "Ottawa"})
    try:
        stalled = _frozen_for(store, 2.0, "SELECT")
        calls = MAX_WORKERS + 6  # six wait behind the stuck ones

        async def read() -> float:
            started = time.monotonic()
            with pytest.raises(DatabaseUnavailable):
                await store.aget(draft.id, token)
            return time.monotonic() - started

        waits = await asyncio.gather(*(read() for _ in range(calls)))
        assert max(waits) < 0.5 + 0.5
        # The calls still queued at their deadline were dropped, never run.
        await asyncio.sleep(2.5)
        assert len(stalled) == MAX_WORKERS
    finally:
        store.close()
