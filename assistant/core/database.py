"""Database engines that answer in time: SQLite in WAL mode with a busy timeout and
immediate write transactions, PostgreSQL with connect, statement and lock timeouts,
and every operation retried on a lock and bounded by one deadline.

Framework-free (the action server uses it too). A caller gets its result, or
:class:`DatabaseUnavailable` within about ``timeout`` seconds, never a hang and never
"database is locked": the web app answers that with 503 and ``Retry-After``.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
        return engine
    if backend == "postgresql":
        millis = int(timeout * 1000)
        return create_engine(
            url,
            pool_pre_ping=True,
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
    return create_engine(url, pool_pre_ping=True)


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
    """Runs database operations in worker threads, retried on a lock, within
    ``timeout`` seconds: a frozen server costs the caller ``timeout``, not forever."""

    def __init__(self, timeout: float, name: str = "db") -> None:
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(MAX_WORKERS, thread_name_prefix=name)

    def run(self, operation: Callable[[], T]) -> T:
        expires = time.monotonic() + self.timeout
        future = self._pool.submit(self._with_retries, operation, expires)
        try:
            # A live server's own timeouts end the call about now too; a frozen one
            # leaves its worker waiting, and only this bounds the caller's wait.
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            future.cancel()
            raise DatabaseUnavailable(
                f"the database did not answer within {self.timeout:g} s"
            ) from None

    @staticmethod
    def _with_retries(operation: Callable[[], T], expires: float) -> T:
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
