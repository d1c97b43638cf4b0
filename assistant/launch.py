"""Start one of the assistant's processes with values from the settings.

    python -m assistant.launch rasa | actions | app

The Procfile (run by honcho from ``make run``) calls this for each process, so ports,
URLs and database locations are configured in one place (``assistant/core/settings.py``,
``.env``). Problems a user can fix (no trained model, unusable database URL) end with
one line saying what to do.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pydantic import ValidationError

from assistant.core import rasa_token
from assistant.core.settings import PROJECT_ROOT, Settings, get_settings

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
RASA_SERVER = Path(__file__).with_name("rasa_runtime") / "server.py"


class LaunchError(Exception):
    """A configuration problem the user can fix; the message says how."""


def latest_model(model_dir: Path) -> Path:
    models = sorted(model_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise LaunchError(
            f"no trained Rasa model in {model_dir}: run `make train` (or `make run`)"
        )
    return models[-1]


def rasa_database_url(url: str) -> str:
    """The tracker URL as Rasa's SQLAlchemy 1.4 + psycopg2 expect it."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


EXAMPLE_URLS = "e.g. sqlite:///var/tracker.db or postgresql://user:password@host/db"


def check_database(url: str, setting: str) -> None:
    """Fail fast with one line naming the setting and the fix: Rasa itself retries a
    bad database forever, or dies 300 log lines later."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise LaunchError(
            f"{setting}={url!r} is not a database URL: use {EXAMPLE_URLS}"
        ) from None
    shown = parsed.render_as_string(hide_password=True)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and parsed.database in (None, "", ":memory:"):
        raise LaunchError(
            f"{setting}={shown} is an in-memory database, emptied at every restart "
            "and not shared between processes: give a file, e.g. sqlite:///var/app.db"
        )
    if sqlite:
        folder = Path(str(parsed.database)).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LaunchError(
                f"{setting}={shown}: cannot create the folder {folder} "
                f"({error.strerror}): choose a folder this user can write to"
            ) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    connect_args = (
        {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    )
    try:
        engine = create_engine(parsed, connect_args=connect_args)
        with engine.connect() as connection:
            # Reads the file's header: a file that is not SQLite fails here, not
            # when Rasa first writes to it.
            probe = "SELECT count(*) FROM sqlite_master" if sqlite else "SELECT 1"
            connection.execute(text(probe))
        engine.dispose()
    except (SQLAlchemyError, ImportError) as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        fix = (
            "point it to a SQLite database or to a new file"
            if "not a database" in reason
            else "check the path and its permissions"
            if sqlite
            else "check the URL, that the server is running and the credentials"
        )
        raise LaunchError(
            f"{setting}={shown}: cannot open it ({reason}): {fix}"
        ) from None


def lock_store_env(redis_url: str, lock_lifetime_seconds: int) -> dict[str, str]:
    """The variables endpoints.cluster.yml reads: Rasa's RedisLockStore takes host,
    port, db and password apart, not a URL."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(redis_url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise LaunchError(
            f"IUC_REDIS__URL {redis_url!r} is not a redis://host:port/db URL"
        )
    database = parts.path.strip("/") or "0"
    if not database.isdigit():
        raise LaunchError(f"IUC_REDIS__URL: the database {database!r} is not a number")
    return {
        "IUC_RASA_REDIS_HOST": parts.hostname,
        "IUC_RASA_REDIS_PORT": str(parts.port or 6379),
        "IUC_RASA_REDIS_DB": database,
        "IUC_RASA_REDIS_PASSWORD": unquote(parts.password or ""),
        # Rasa's ticket lock outlives a server killed mid-turn by this much.
        "TICKET_LOCK_LIFETIME": str(lock_lifetime_seconds),
    }


def thread_limits(settings: Settings) -> dict[str, str]:
    threads = str(settings.threads_per_process)
    return {
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "TF_NUM_INTRAOP_THREADS": threads,
        "TF_NUM_INTEROP_THREADS": threads,
    }


def rasa_command(settings: Settings) -> tuple[list[str], dict[str, str]]:
    if not RASA_PYTHON.exists():
        raise LaunchError(f"{RASA_PYTHON} is missing: run `make setup`")
    model = latest_model(settings.rasa.model_dir)
    check_database(settings.database.tracker_url, "IUC_DATABASE__TRACKER_URL")
    env = {
        # No usage data or crash reports leave the machine.
        "RASA_TELEMETRY_ENABLED": "false",
        "IUC_RASA_ACTION_ENDPOINT": f"{settings.actions.url.rstrip('/')}/webhook",
        "IUC_RASA_TRACKER_URL": rasa_database_url(settings.database.tracker_url),
        "IUC_RASA_TRACKER_TIMEOUT": str(settings.database.tracker_timeout_seconds),
        # Rasa's HTTP API serves any conversation to whoever holds this token.
        rasa_token.ENV_VAR: rasa_token.new_token(settings),
    }
    # With Redis, Rasa's lock store lives there and several servers can share the
    # conversations; without it, the in-memory lock store of a single server.
    endpoints = PROJECT_ROOT / "endpoints.yml"
    if settings.redis.url:
        env |= lock_store_env(settings.redis.url, settings.redis.lock_lifetime_seconds)
        endpoints = PROJECT_ROOT / "endpoints.cluster.yml"
    argv = [
        str(RASA_PYTHON),
        # -P: the script's folder (this package) must not shadow Rasa's imports.
        "-P",
        str(RASA_SERVER),
        "run",
        "--enable-api",
        "--interface",
        settings.rasa.host,
        "--port",
        str(settings.rasa.port),
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(PROJECT_ROOT / "credentials.yml"),
    ]
    return argv, env


def actions_command(settings: Settings) -> tuple[list[str], dict[str, str]]:
    argv = [
        sys.executable,
        "-m",
        "rasa_sdk",
        "--actions",
        "actions",
        "--port",
        str(settings.actions.port),
    ]
    # Loopback by default, like Rasa.
    return argv, {"SANIC_HOST": settings.actions.host}


def app_command(settings: Settings) -> tuple[list[str], dict[str, str]]:
    check_database(settings.database.url, "IUC_DATABASE__URL")
    return [sys.executable, "-m", "assistant.web"], {}


def kb_command(settings: Settings) -> tuple[list[str], dict[str, str]]:
    """Build and calibrate the project's index as the servers will want it (folder,
    model, fine-tuning from the settings): otherwise they rebuild it when they start."""
    knowledge = settings.knowledge
    argv = [
        sys.executable,
        "-m",
        "knowledge",
        "build",
        "--out",
        str(knowledge.index_dir),
        "--model",
        knowledge.embedding_model,
    ]
    if knowledge.finetune:
        argv.append("--finetune")
    return argv, {}


COMMANDS = {
    "rasa": rasa_command,
    "actions": actions_command,
    "app": app_command,
    "kb": kb_command,
}
# The build uses every idle core for fine-tuning (knowledge/finetune.py); the servers
# share the cores between them.
SERVERS = {"rasa", "actions", "app"}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in COMMANDS:
        print(
            f"usage: python -m assistant.launch {{{'|'.join(COMMANDS)}}}",
            file=sys.stderr,
        )
        return 2
    # Relative paths in settings (.env) are relative to the project root.
    os.chdir(PROJECT_ROOT)
    try:
        settings = get_settings()
        command, extra_env = COMMANDS[args[0]](settings)
    except ValidationError as error:
        first = error.errors()[0]
        where = "__".join(str(part) for part in first["loc"]).upper()
        print(f"error: setting IUC_{where}: {first['msg']}", file=sys.stderr)
        return 2
    except LaunchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    limits = thread_limits(settings) if args[0] in SERVERS else {}
    environment = {**os.environ, **limits, **extra_env}
    os.execve(command[0], command, environment)
    return 0  # not reached: execve replaces this process


if __name__ == "__main__":
    raise SystemExit(main())
