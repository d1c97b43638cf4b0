"""Keep each conversation's tracker in memory between its turns (run by ``.venv-rasa``).

Rasa's SQL tracker store rebuilds the conversation on every turn: it selects the
session's events, parses each one and replays them all into a new tracker; at the end
of the turn it counts the session's stored events again, to know which are new, and
inserts those one ORM object at a time. Under chat load (py-spy, 10 sessions) that was
about 30 % of Rasa's CPU per turn, and in cluster mode three PostgreSQL round trips
plus one per new event.

Here the tracker a turn ends with stays in memory with the number of rows its
conversation has in the database. A single Rasa server is the only writer of its
conversations and uses its tracker without asking. In cluster mode, when the lock
store says this server held the conversation's lock last, in the session it saved
this tracker in, and that turn ended well (``lock_store.py``), nobody has written it
since: the tracker is used as it is. Otherwise the turn asks the database for the
conversation's row count (one indexed count): when it matches the tracker's, it is
used as it is; when it differs (another Rasa server took a turn) or the tracker is
not in memory, Rasa loads it as before. Saving inserts the events after those the
tracker was loaded or saved with, in one statement.

- The same state as Rasa's load: a tracker from memory is cut at its last
  ``SessionStarted``, where Rasa's query starts (that event resets the slots and the
  dialogue state, so nothing before it counts anyway).
- A tracker taken from memory leaves it until it is saved again: a turn that fails
  half-way leaves nothing half-changed behind, and two readers never share one.
- With an event broker Rasa compares the tracker with the stored one on save, which
  this bypass would skip: the cache is then off.

Every database call runs in a worker thread of its own, within a deadline
(``IUC_RASA_TRACKER_TIMEOUT`` seconds, from the settings): Rasa's event loop never
waits for the database, and a frozen database (where no server-side timeout helps:
the server is not running) fails the turn in that time instead of holding it, and
every other conversation, forever. A turn whose tracker cannot be read or saved ends
with no message, so the web app answers it from the knowledge engine, marked
degraded; Rasa would otherwise start the conversation afresh, or answer and keep the
turn in its memory only.

This file runs in the Rasa environment and imports nothing from the project but, in
cluster mode, its sibling ``lock_store.py``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# Conversations kept (least recently saved out first): a few minutes of visitors at
# tens of turns per second, a few tens of MB.
MAX_TRACKERS = 1000
# Set on a tracker: how many of its events are in the database, and how many rows
# its conversation has there (all sessions).
STORED = "_iuc_stored_events"
ROWS = "_iuc_conversation_rows"
# Tracker database calls that may wait at once; the rest queue behind them and are
# dropped unrun once their deadline passes (a frozen database).
DB_WORKERS = 8
DEFAULT_TIMEOUT_SECONDS = 3.0


class TrackerStoreUnavailable(RuntimeError):
    """The tracker database failed or did not answer in time: the turn fails."""


class Deadline:
    """Runs blocking database calls in worker threads, each within ``timeout``
    seconds. A call stuck in a frozen server's socket keeps its worker until the
    server thaws; the caller is told at the deadline."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(DB_WORKERS, thread_name_prefix="tracker-db")

    async def run(self, operation: Callable[..., T], *args: Any) -> T:
        expires = time.monotonic() + self.timeout

        def call() -> T:
            if time.monotonic() > expires:  # its caller has given up: never run it
                raise TrackerStoreUnavailable("queued past its deadline")
            return operation(*args)

        future = asyncio.wrap_future(self._pool.submit(call))
        try:
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            raise TrackerStoreUnavailable(
                f"the tracker database did not answer within {self.timeout:g} s"
            ) from None
        except TrackerStoreUnavailable:
            raise
        except Exception as error:  # the driver's, SQLAlchemy's
            first = str(error).strip().splitlines()[:1] or [type(error).__name__]
            raise TrackerStoreUnavailable(first[0]) from error


def _drive(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (Rasa's SQL store without an event
    broker: synchronous inside) to its end, in the calling thread."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("the tracker store suspended: it needs an event loop")


class TrackerCache:
    def __init__(self, size: int = MAX_TRACKERS) -> None:
        self.size = size
        # sender id -> (rows, the lock session it was saved in, tracker)
        self._trackers: OrderedDict[str, tuple[int, str | None, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self.uncounted = 0  # hits taken without asking the database

    def saved_in(self, sender_id: str, session: str | None) -> bool:
        """True when the conversation's tracker here was saved in lock ``session``."""
        entry = self._trackers.get(sender_id)
        return session is not None and entry is not None and entry[1] == session

    def take(self, sender_id: str, rows: int | None) -> Any | None:
        """The tracker saved with ``rows`` rows (any, if None), removed from the
        cache; else None."""
        entry = self._trackers.pop(sender_id, None)
        if entry is None or (rows is not None and entry[0] != rows):
            self.misses += 1
            return None
        self.hits += 1
        return entry[2]

    def put(
        self, sender_id: str, rows: int, tracker: Any, session: str | None = None
    ) -> None:
        self._trackers[sender_id] = (rows, session, tracker)
        self._trackers.move_to_end(sender_id)
        while len(self._trackers) > self.size:
            self._trackers.popitem(last=False)


def _cut_at_session_start(tracker: Any) -> None:
    """Drop the events before the last SessionStarted: Rasa's load leaves them out."""
    from rasa.shared.core.events import SessionStarted

    events = tracker.events
    last = max(
        (i for i, event in enumerate(events) if isinstance(event, SessionStarted)),
        default=0,
    )
    for _ in range(last):
        events.popleft()


def install(
    cache: TrackerCache | None = None, shared: bool | None = None
) -> TrackerCache:
    """Put the cache in front of ``SQLTrackerStore.retrieve`` and ``save``.

    ``shared``: other Rasa servers may write the conversations (cluster mode: the
    launcher sets the Redis lock store's variables); by default read from the
    environment. A single server is the only writer of its tracker store (its
    in-memory lock store must never be shared), so a tracker in its memory is
    current without asking the database."""
    if shared is None:
        shared = bool(os.environ.get("IUC_RASA_REDIS_HOST"))
    lock_session = _lock_session_reader() if shared else (lambda: None)
    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore

    cache = cache or TrackerCache()
    deadline = Deadline(
        float(os.environ.get("IUC_RASA_TRACKER_TIMEOUT") or DEFAULT_TIMEOUT_SECONDS)
    )
    rasa_retrieve = SQLTrackerStore.retrieve
    rasa_retrieve_full = SQLTrackerStore.retrieve_full_tracker
    rasa_save = SQLTrackerStore.save

    def conversation_rows(store: SQLTrackerStore, sender_id: str) -> int:
        table = store.SQLEvent.__table__
        query = (
            sa.select(sa.func.count())
            .select_from(table)
            .where(table.c.sender_id == sender_id)
        )
        with _connection(store) as connection:
            return int(connection.execute(query).scalar() or 0)

    def remember(tracker: Any, rows: int) -> None:
        setattr(tracker, STORED, len(tracker.events))
        setattr(tracker, ROWS, rows)

    async def retrieve(store: SQLTrackerStore, sender_id: str) -> Any | None:
        if store.event_broker is not None:
            return await rasa_retrieve(store, sender_id)
        # One server is the only writer of its conversations; in cluster mode this
        # server saved the tracker in the lock session just before this turn's.
        session = lock_session()
        if (not shared or cache.saved_in(sender_id, session and session.previous)) and (
            tracker := cache.take(sender_id, None)
        ) is not None:
            cache.uncounted += 1
            _cut_at_session_start(tracker)
            # Every event it holds is stored; the row count is the one it was saved
            # with.
            setattr(tracker, STORED, len(tracker.events))
            return tracker
        rows = await deadline.run(conversation_rows, store, sender_id)
        if rows == 0:
            cache.take(sender_id, -1)  # forget a tracker of a deleted conversation
            return None
        tracker = cache.take(sender_id, rows)
        if tracker is not None:
            _cut_at_session_start(tracker)
        else:
            tracker = await deadline.run(
                lambda: _drive(rasa_retrieve(store, sender_id))
            )
            if tracker is None:
                return None
        remember(tracker, rows)
        return tracker

    async def retrieve_full_tracker(store: SQLTrackerStore, sender_id: str) -> Any:
        if store.event_broker is not None:
            return await rasa_retrieve_full(store, sender_id)
        return await deadline.run(lambda: _drive(rasa_retrieve_full(store, sender_id)))

    def save_new(store: SQLTrackerStore, tracker: Any) -> int:
        _drive(rasa_save(store, tracker))
        return conversation_rows(store, tracker.sender_id)

    async def save(store: SQLTrackerStore, tracker: Any) -> None:
        stored, rows = getattr(tracker, STORED, None), getattr(tracker, ROWS, None)
        if store.event_broker is not None or tracker.events.maxlen is not None:
            await rasa_save(store, tracker)
            return
        if stored is None or rows is None or stored > len(tracker.events):
            # Not loaded through the cache (a new conversation, a replaced one):
            # Rasa's own save, then the count the next turn will compare with.
            now: int = await deadline.run(save_new, store, tracker)
        else:
            new = list(itertools.islice(tracker.events, stored, None))
            if new:
                await deadline.run(_insert, store, tracker.sender_id, new)
            now = int(rows) + len(new)
        remember(tracker, now)
        session = lock_session()
        cache.put(tracker.sender_id, now, tracker, session and session.name)

    SQLTrackerStore.retrieve = retrieve
    SQLTrackerStore.retrieve_full_tracker = retrieve_full_tracker
    SQLTrackerStore.save = save
    _fail_the_turn()
    return cache


def _lock_session_reader() -> Callable[[], Any]:
    """What the cluster lock store says of the turn's lock (``LockSession``: its
    name, the previous holder's); None outside a turn's lock, or with another lock
    store: the row count is then asked as before."""
    try:
        from assistant.rasa_runtime.lock_store import LOCK_SESSION
    except ImportError:  # the project is not on Rasa's path: no cluster lock store
        return lambda: None
    return LOCK_SESSION.get


def _fail_the_turn() -> None:
    """A tracker database that fails fails the turn, with no message.

    Rasa wraps its tracker store in ``FailSafeTrackerStore``: a failed read returns
    no tracker (the conversation would start afresh, its form lost) and a failed save
    goes to a tracker store in memory that nothing reads (the user sees an answer
    whose turn is lost). Here that error goes on up; the REST channel then answers
    what the turn collected, emptied here, so the web app's degraded mode answers."""
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import FailSafeTrackerStore

    def raising(hook: Callable[[Any, Exception], None]) -> Any:
        def on_error(self: FailSafeTrackerStore, error: Exception) -> None:
            if isinstance(error, TrackerStoreUnavailable):
                raise error
            hook(self, error)

        return on_error

    FailSafeTrackerStore.on_tracker_store_error = raising(
        FailSafeTrackerStore.on_tracker_store_error
    )
    FailSafeTrackerStore.on_tracker_store_retrieve_error = raising(
        FailSafeTrackerStore.on_tracker_store_retrieve_error
    )
    handle_message = MessageProcessor.handle_message

    async def handle_message_or_nothing(self: MessageProcessor, message: Any) -> Any:
        try:
            return await handle_message(self, message)
        except TrackerStoreUnavailable:
            if isinstance(message.output_channel, CollectingOutputChannel):
                message.output_channel.messages.clear()
            raise

    MessageProcessor.handle_message = handle_message_or_nothing


def _insert(store: Any, sender_id: str, events: list[Any]) -> None:
    """The rows Rasa's save writes for these events, in one statement."""
    from rasa.shared.nlu.constants import INTENT_NAME_KEY

    rows = []
    for event in events:
        data = event.as_dict()
        rows.append(
            {
                "sender_id": sender_id,
                "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {})
                .get("intent", {})
                .get(INTENT_NAME_KEY),
                "action_name": data.get("name"),
                "data": json.dumps(data),
            }
        )
    with _connection(store, len(rows)) as connection, connection.begin():
        connection.execute(store.SQLEvent.__table__.insert(), rows)


# psycopg2 sends a multi-row insert of up to this many rows as one statement.
ONE_STATEMENT_ROWS = 100


def _connection(store: Any, rows: int = 1) -> Any:
    """A connection for one statement. On PostgreSQL in autocommit mode: one round
    trip instead of three (BEGIN, the statement, COMMIT or ROLLBACK), and a single
    statement is atomic by itself. SQLite keeps its transaction: in autocommit mode
    each inserted row would be a commit of its own."""
    connection = store.engine.connect()
    if store.engine.dialect.name == "postgresql" and rows <= ONE_STATEMENT_ROWS:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
    return connection
