"""Database engines that answer in time: SQLite in WAL mode with a busy timeout and
immediate write transactions, PostgreSQL with connect, statement and lock timeouts,
and every operation retried on a lock and bounded by one deadline.

Framework-free (the action server uses it too). A caller gets its result, or
:class:`DatabaseUnavailable` within about ``timeout`` seconds, never a hang and never
"database is locked": the web app answers that with 503 and ``Retry-After``. The web
app awaits :meth:`Deadline.arun`, so a frozen database holds none of its request
threads; a call whose caller was told "unavailable" never commits afterwards.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

T = TypeVar("T")

# Execution option that makes a SQLite transaction take the write lock at BEGIN.
IMMEDIATE = "iuc_sqlite_immediate"
# PostgreSQL SQLSTATEs worth a retry: serialization failure, deadlock, lock timeout.
_PG_RETRY = {"40001", "40P01", "55P03"}
# Database calls that may wait at once; the rest queue (and time out) behind them.
MAX_WORKERS = 8


class DatabaseUnavailable(RuntimeError):
    """The database failed or did not answer within the configured timeout."""


# The deadline of the call a worker thread is running (Deadline._with_retries).
_call = threading.local()


def _refuse_late_commit(_conn: Any) -> None:
    # A server that froze mid-call and thawed after the caller was answered 503 would
    # otherwise commit a write the user was told failed. Raised before the driver's
    # COMMIT, so the transaction rolls back (a COMMIT already sent may still land).
    expires = getattr(_call, "expires", None)
    if expires is not None and time.monotonic() > expires:
        raise DatabaseUnavailable("the deadline passed before the commit")


def _on_sqlite_connect(timeout: float) -> Callable[[Any, Any], None]:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite opens transactions behind SQLAlchemy's back and always DEFERRED:
        # a deferred writer that finds the database locked fails at once ("database
        # is locked") instead of waiting. We emit BEGIN ourselves (_on_sqlite_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL: readers never block the writer and the writer never blocks readers.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit: a kill -9 of
        # any process loses no committed draft (the log is in the OS's hands), only
        # a power cut can drop the last ones. FULL made 20 writers 2.2x slower and
        # put the slowest write at 3 s (docs/RELIABILITY.md).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return configure


def _on_sqlite_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get(IMMEDIATE)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: URL, timeout: float) -> Engine:
    """An engine for ``url`` whose every wait is bounded by ``timeout`` seconds."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": timeout, "check_same_thread": False},
            pool_pre_ping=True,
        )
        event.listen(engine, "connect", _on_sqlite_connect(timeout))
        event.listen(engine, "begin", _on_sqlite_begin)
    elif backend == "postgresql":
        millis = int(timeout * 1000)
        engine = create_engine(
            url,
            pool_pre_ping=True,
            # Never more connections than calls that can run at once (the workers),
            # so no call waits for a connection a frozen call holds; and the wait
            # for one is bounded like a statement.
            pool_size=MAX_WORKERS,
            max_overflow=0,
            pool_timeout=timeout,
            connect_args={
                # libpq's connect_timeout is whole seconds, at least 2.
                "connect_timeout": max(2, math.ceil(timeout)),
                "options": f"-c statement_timeout={millis} -c lock_timeout={millis}",
                # A dead peer is noticed in seconds, not after the kernel's 2 hours.
                "keepalives": 1,
                "keepalives_idle": 5,
                "keepalives_interval": 2,
                "keepalives_count": 2,
            },
        )
    else:
        engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "commit", _refuse_late_commit)
    return engine


def retriable(error: SQLAlchemyError) -> bool:
    """A lock or a serialization conflict: the same operation may succeed later."""
    if not isinstance(error, DBAPIError):
        return False
    if getattr(error.orig, "sqlstate", None) in _PG_RETRY:
        return True
    message = str(error.orig).lower()
    return isinstance(error, OperationalError) and (
        "database is locked" in message or "database is busy" in message
    )


def reason(error: BaseException) -> str:
    """The driver's first line, without SQL or parameters (which may hold data)."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class Deadline:
    """Runs database operations in its own worker threads, retried on a lock, within
    ``timeout`` seconds: a frozen server costs the caller ``timeout``, not forever.

    The caller's wait is bounded here, not by the driver: a frozen server (SIGSTOP, a
    hung disk) holds a worker in a read that no server-side timeout ends. Those
    workers stay stuck until it thaws; later calls queue behind them and are dropped,
    unrun, once their own deadline passes.
    """

    def __init__(self, timeout: float, name: str = "db") -> None:
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(MAX_WORKERS, thread_name_prefix=name)

    def _submit(self, operation: Callable[[], T]) -> Future[T]:
        expires = time.monotonic() + self.timeout
        return self._pool.submit(self._with_retries, operation, expires)

    def _unavailable(self) -> DatabaseUnavailable:
        return DatabaseUnavailable(
            f"the database did not answer within {self.timeout:g} s"
        )

    def run(self, operation: Callable[[], T]) -> T:
        """The result, waiting in this thread (the action server, scripts)."""
        future = self._submit(operation)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            future.cancel()
            raise self._unavailable() from None

    async def arun(self, operation: Callable[[], T]) -> T:
        """The result, awaited on the event loop: no thread of the caller waits."""
        future = self._submit(operation)
        try:
            # Cancelling the wrapper cancels the call if it has not started yet.
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError:
            raise self._unavailable() from None

    @staticmethod
    def _with_retries(operation: Callable[[], T], expires: float) -> T:
        _call.expires = expires
        try:
            return Deadline._attempts(operation, expires)
        finally:
            _call.expires = None

    @staticmethod
    def _attempts(operation: Callable[[], T], expires: float) -> T:
        delay = 0.01
        while True:
            if time.monotonic() > expires:
                # Queued behind stuck calls past its deadline: the caller has
                # already been told "unavailable", so this write must not happen.
                raise DatabaseUnavailable("the database is busy")
            try:
                return operation()
            except SQLAlchemyError as error:
                if not retriable(error) or time.monotonic() + delay > expires:
                    raise DatabaseUnavailable(reason(error)) from error
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
