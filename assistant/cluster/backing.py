"""PostgreSQL and Redis for cluster mode, from Debian's packages when no URL is given.

Both run as child processes of the cluster launcher (never as daemons), with their data
in one folder: PostgreSQL's database files survive a restart, Redis holds only locks and
rate-limit counters and saves nothing. PostgreSQL refuses to run as root, so as root it
runs as the ``postgres`` system user that Debian's package creates.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

# The databases cluster mode keeps in one PostgreSQL server.
DRAFTS_DATABASE = "iuc"
TRACKER_DATABASE = "iuc_tracker"
POSTGRES_USER = "iuc"
START_TIMEOUT_SECONDS = 60.0


class BackingError(RuntimeError):
    """A backing server cannot be started; the message says what to install or fix."""


def postgres_bin_dir() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return candidates[0].parent if candidates else None


def as_server_user(command: list[str]) -> list[str]:
    # setpriv executes the command in place: signals reach the server itself.
    switch = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
    return [*switch, *command] if os.geteuid() == 0 else command


def redis_command(port: int, data_dir: Path) -> list[str]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise BackingError(
            "redis-server is not installed: run `make system` "
            "(or set IUC_REDIS__URL to a Redis server)"
        )
    # Locks and counters only: nothing to save, nothing to reload.
    return [
        binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir),
        "--save", "", "--appendonly", "no", "--loglevel", "warning",
    ]  # fmt: skip


def prepare_postgres(data_dir: Path) -> tuple[Path, Path]:
    """Create the database cluster once; returns (binaries, data folder)."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise BackingError(
            "PostgreSQL is not installed: run `make system` "
            "(or set IUC_CLUSTER__POSTGRES_URL to a PostgreSQL server)"
        )
    data = data_dir / "postgres"
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres")
        result = subprocess.run(
            as_server_user(
                [str(bin_dir / "initdb"), "-D", str(data), "-U", POSTGRES_USER,
                 "--auth=trust"]
            ),
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise BackingError(
                f"cannot create PostgreSQL's data in {data} (it must be reachable by "
                f"the postgres user): {reason}"
            )
    return bin_dir, data


def postgres_command(bin_dir: Path, data: Path, port: int) -> list[str]:
    # The socket goes next to the data: /run/postgresql may not be writable.
    return as_server_user(
        [str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
         "-k", str(data), "-c", "listen_addresses=127.0.0.1"]
    )  # fmt: skip


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BackingError(f"{what} exited with {process.returncode} (see its log)")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise BackingError(f"{what} did not listen on port {port} in time")


def create_databases(server_url: str) -> None:
    """Create the drafts and conversation databases if they are missing."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server_url).set(drivername="postgresql+psycopg", database="postgres")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            with engine.connect() as connection:
                existing = set(
                    connection.execute(text("SELECT datname FROM pg_database"))
                    .scalars()
                    .all()
                )
                for name in (DRAFTS_DATABASE, TRACKER_DATABASE):
                    if name not in existing:
                        connection.execute(text(f'CREATE DATABASE "{name}"'))
            break
        except Exception:
            # The server accepts connections a moment after it opens its port.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    engine.dispose()


def database_url(server_url: str, database: str) -> str:
    """The URL of ``database`` on the server ``server_url`` names."""
    from sqlalchemy.engine import make_url

    url = make_url(server_url).set(database=database)
    return url.render_as_string(hide_password=False)
