"""Rasa's Redis lock store, made safe for several Rasa servers (endpoints.cluster.yml).

Rasa 3.6's ``RedisLockStore`` keeps one queue of tickets per conversation in Redis; a
server processes a turn when its ticket is first. Shared by several servers, it has
two defects, found by the failure drills (tests/integration/test_cluster_live.py):

- Every change to a queue is read, changed and written back with no transaction: two
  servers taking a ticket at the same moment can get the same number and both process
  the conversation. Here each change runs under a short Redis mutex.
- A ticket expires a fixed time after it was issued, the waiting ones too: when the
  server ahead dies mid-turn, the waiting ticket usually expires in the same poll as the
  dead one, and its server then waits until its client gives up. Here a server renews
  its ticket while it waits and while it works, so only the ticket of a server that
  stopped renewing (a dead one) expires, ``TICKET_LOCK_LIFETIME`` seconds later, however
  long a live server's turn takes.

It also polls every 0.1 s instead of every second. This file runs in the Rasa
environment and imports nothing from the project.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

POLL_SECONDS = 0.1
MUTEX_SECONDS = 2.0


class ClusterLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any):
        # Rasa builds a lock store named by module path with its endpoint config.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs}
        super().__init__(**kwargs)

    @contextlib.contextmanager
    def _mutex(self, conversation_id: str) -> Iterator[None]:
        mutex = self.red.lock(
            f"{self.key_prefix}{conversation_id}:mutex",
            timeout=MUTEX_SECONDS,
            blocking_timeout=MUTEX_SECONDS,
            sleep=0.005,
        )
        if not mutex.acquire():
            raise LockError(f"Could not change the lock of '{conversation_id}'.")
        try:
            yield
        finally:
            with contextlib.suppress(Exception):  # expired: another has it now
                mutex.release()

    def issue_ticket(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME
    ) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def renew(self, conversation_id: str, ticket: int, lifetime: float) -> None:
        """Drop expired tickets and extend ``ticket`` (if it is still queued)."""
        with self._mutex(conversation_id):
            lock = self.get_lock(conversation_id)
            if lock is None:
                return
            lock.remove_expired_tickets()
            for queued in lock.tickets:
                if queued.number == ticket:
                    queued.expires = time.time() + lifetime
            self.save_lock(lock)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            lock = self.get_lock(conversation_id)
            if lock is None:
                return
            lock.remove_ticket_for(ticket_number)
            if lock.is_someone_waiting():
                self.save_lock(lock)
            else:
                self.delete_lock(conversation_id)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncIterator[TicketLock]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        heartbeat: asyncio.Task[Any] | None = None
        try:
            lock = await self._wait_for_turn(
                conversation_id, ticket, wait_time_in_seconds, lock_lifetime
            )
            heartbeat = asyncio.create_task(
                self._keep_alive(conversation_id, ticket, lock_lifetime)
            )
            yield lock
        finally:
            if heartbeat is not None:
                heartbeat.cancel()
            self.cleanup(conversation_id, ticket)

    async def _wait_for_turn(
        self, conversation_id: str, ticket: int, wait: float, lifetime: float
    ) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            if lock is None:
                break
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait)
            self.renew(conversation_id, ticket, lifetime)
        raise LockError(
            f"Could not acquire lock for conversation_id '{conversation_id}'."
        )

    async def _keep_alive(
        self, conversation_id: str, ticket: int, lifetime: float
    ) -> None:
        while True:
            await asyncio.sleep(lifetime / 3)
            self.renew(conversation_id, ticket, lifetime)
