"""Rasa's Redis lock store, made safe and cheap for several Rasa servers
(endpoints.cluster.yml).

Rasa 3.6's ``RedisLockStore`` keeps one queue of tickets per conversation in Redis; a
server processes a turn when its ticket is first. Shared by several servers, it has
two defects, found by the failure drills (tests/cluster/test_cluster_live.py):

- Every change to a queue is read, changed and written back with no transaction: two
  servers taking a ticket at the same moment can get the same number and both process
  the conversation.
- A ticket expires a fixed time after it was issued, the waiting ones too: when the
  server ahead dies mid-turn, the waiting ticket usually expires in the same poll as the
  dead one, and its server then waits until its client gives up.

Here each change to a queue is one Lua script, which Redis runs atomically, and a
server renews its ticket while it waits and while it works, so only the ticket of a
server that stopped renewing (a dead one) expires, ``TICKET_LOCK_LIFETIME`` seconds
later, however long a live server's turn takes. A queue is a sorted set of ticket
numbers (first in, first served) and a hash of their expiry times, on Redis' clock.

A turn nobody else waits for costs two round trips to Redis (take a ticket and learn
it is first; give it back), where Rasa's store with a mutex around each change took
nine, each blocking Rasa's event loop. Waiting polls every 0.1 s instead of every
second.

Who held a conversation's lock last, in the same scripts (no extra round trip):
giving the lock back after a turn that ended well, with its ticket still valid,
records the lock session's name (server and a number); taking it returns that name
and blanks it while the lock is held. A turn that failed (e.g. its save timed out, and
may still land), a server that died holding it, or an expired ticket leave it blank.
The tracker cache (tracker_cache.py) reads both names from ``LOCK_SESSION``: a
tracker it saved in the session just before this one, which ended well, is current
(every write of a conversation happens under its lock), so it skips the database's
row count. This file runs in the Rasa environment and imports nothing from the
project.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1
SOCKET_TIMEOUT_SECONDS = 0.5
# A queue's keys outlive its last ticket by this many lifetimes, then Redis drops them.
KEYS_KEPT_LIFETIMES = 10
# How long the name of a conversation's last lock holder is kept (then: unknown, and
# the tracker cache counts rows as before).
HOLDER_KEPT_MS = 24 * 3600 * 1000


class LockSession(NamedTuple):
    """This holding of a conversation's lock, and the one just before it (None when
    unknown)."""

    name: str
    previous: str | None


# Set while a turn holds its conversation's lock (same task: Rasa's processor).
LOCK_SESSION: ContextVar[LockSession | None] = ContextVar(
    "iuc_lock_session", default=None
)

# KEYS: queue (zset), expiries (hash), counter. Drop expired tickets first.
_PRUNE = """
local now_t = redis.call('TIME')
local now = now_t[1] * 1000 + math.floor(now_t[2] / 1000)
for _, ticket in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local expires = tonumber(redis.call('HGET', KEYS[2], ticket) or '0')
  if expires <= now then
    redis.call('ZREM', KEYS[1], ticket)
    redis.call('HDEL', KEYS[2], ticket)
  end
end
local function keep(ms)
  for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ms) end
end
-- KEYS[4] names the last holder whose turn ended well: blank while the lock is held;
-- returns the name (false when unknown).
local function hold()
  local previous = redis.call('GET', KEYS[4])
  redis.call('SET', KEYS[4], '', 'PX', ARGV[5])
  return previous
end
"""
# ARGV: lifetime (ms), kept lifetimes, -, -, holder kept (ms).
# Returns {ticket, 1 when it is first, the previous holder when first}.
TAKE = (
    _PRUNE
    + """
local ticket = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], ticket, ticket)
redis.call('HSET', KEYS[2], ticket, now + tonumber(ARGV[1]))
keep(tonumber(ARGV[1]) * tonumber(ARGV[2]))
local first = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if tonumber(first) ~= ticket then return {ticket, 0, false} end
return {ticket, 1, hold()}
"""
)
# ARGV: ticket, lifetime (ms), kept lifetimes, 'wait' while waiting ('' while
# holding), holder kept (ms). Returns {1 first, 0 waiting, -1 expired (gone); the
# previous holder when a waiting ticket became first}.
RENEW = (
    _PRUNE
    + """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {-1, false} end
redis.call('HSET', KEYS[2], ARGV[1], now + tonumber(ARGV[2]))
keep(tonumber(ARGV[2]) * tonumber(ARGV[3]))
local first = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if first ~= ARGV[1] then return {0, false} end
if ARGV[4] == '' then return {1, false} end
return {1, hold()}
"""
)
# ARGV: ticket, the session's name ('' after a failed turn), holder kept (ms).
RELEASE = """
if ARGV[2] ~= '' and redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[3])
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return 1
"""


class ClusterLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any):
        # Rasa builds a lock store named by module path with its endpoint config.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs}
        # Each call blocks Rasa's event loop: a frozen Redis must not hold every
        # conversation for Rasa's 10 s. A call takes well under a millisecond.
        kwargs.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        super().__init__(**kwargs)
        self._take = self.red.register_script(TAKE)
        self._renew = self.red.register_script(RENEW)
        self._release = self.red.register_script(RELEASE)
        # Names this server's lock sessions: unique across servers and restarts.
        self._server = uuid.uuid4().hex[:12]
        self._sessions = itertools.count()

    def _keys(self, conversation_id: str) -> list[str]:
        base = f"{self.key_prefix}{conversation_id}"
        return [f"{base}:queue", f"{base}:expires", f"{base}:counter", f"{base}:holder"]

    def _take_ticket(
        self, conversation_id: str, lifetime: float
    ) -> tuple[int, bool, str | None]:
        try:
            ticket, first, previous = self._take(
                keys=self._keys(conversation_id),
                args=[int(lifetime * 1000), KEYS_KEPT_LIFETIMES, 0, 0, HOLDER_KEPT_MS],
            )
        except Exception as error:  # Redis down: refuse the turn, never run it
            raise LockError(f"Could not issue a ticket for '{conversation_id}'.") from (
                error
            )
        return int(ticket), bool(first), _text(previous)

    def issue_ticket(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME
    ) -> int:
        return self._take_ticket(conversation_id, lock_lifetime)[0]

    def renew(
        self, conversation_id: str, ticket: int, lifetime: float, waiting: bool = False
    ) -> tuple[int, str | None]:
        """Extend ``ticket``: 1 when it is first, 0 when it waits, -1 when expired;
        ``waiting``: the previous holder's name when it became first."""
        state, previous = self._renew(
            keys=self._keys(conversation_id),
            args=[
                ticket,
                int(lifetime * 1000),
                KEYS_KEPT_LIFETIMES,
                "wait" if waiting else "",
                HOLDER_KEPT_MS,
            ],
        )
        return int(state), _text(previous)

    def cleanup(self, conversation_id: str, ticket_number: int, name: str = "") -> None:
        """Give the ticket back; ``name``: the session's, if its turn ended well."""
        keys = self._keys(conversation_id)
        try:
            self._release(
                keys=[keys[0], keys[1], keys[3]],
                args=[ticket_number, name, HOLDER_KEPT_MS],
            )
        except Exception:  # Redis down: the ticket expires by itself
            log.warning("ticket %s of %s kept", ticket_number, conversation_id)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncIterator[TicketLock]:
        ticket, first, previous = self._take_ticket(conversation_id, lock_lifetime)
        name = f"{self._server}:{next(self._sessions)}"
        heartbeat: asyncio.Task[Any] | None = None
        session = None
        ended_well = False
        try:
            if not first:
                previous = await self._wait_for_turn(
                    conversation_id, ticket, wait_time_in_seconds, lock_lifetime
                )
            heartbeat = asyncio.create_task(
                self._keep_alive(conversation_id, ticket, lock_lifetime)
            )
            session = LOCK_SESSION.set(LockSession(name, previous or None))
            # Rasa's callers ignore what is yielded; a lock of one ticket.
            yield TicketLock(conversation_id, deque())
            ended_well = True
        finally:
            if session is not None:
                LOCK_SESSION.reset(session)
            if heartbeat is not None:
                heartbeat.cancel()
            self.cleanup(conversation_id, ticket, name if ended_well else "")

    async def _wait_for_turn(
        self, conversation_id: str, ticket: int, wait: float, lifetime: float
    ) -> str | None:
        """The previous holder's name once ``ticket`` is first."""
        while True:
            await asyncio.sleep(wait)
            state, previous = self.renew(conversation_id, ticket, lifetime, True)
            if state == 1:
                return previous
            if state < 0:
                raise LockError(
                    f"Could not acquire lock for conversation_id '{conversation_id}'."
                )

    async def _keep_alive(
        self, conversation_id: str, ticket: int, lifetime: float
    ) -> None:
        while True:
            await asyncio.sleep(lifetime / 3)
            with contextlib.suppress(Exception):  # Redis away: try again next time
                self.renew(conversation_id, ticket, lifetime)


def _text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
