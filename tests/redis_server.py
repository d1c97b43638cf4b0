"""A throwaway Redis server for tests, from Debian's redis-server (as cluster mode
starts it)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.cluster.backing import redis_command, wait_for_port
from tests.live_stack import free_port


@contextmanager
def throwaway_redis() -> Iterator[str]:
    """Yield the URL of a fresh, empty Redis server."""
    with tempfile.TemporaryDirectory(prefix="iuc-redis-") as folder:
        port = free_port()
        process = subprocess.Popen(
            redis_command(port, Path(folder)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, process, "redis-server")
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)
