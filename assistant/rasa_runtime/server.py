"""Start Rasa without the per-turn costs it has out of the box (run by ``.venv-rasa``).

    # with `rasa`'s arguments:
    .venv-rasa/bin/python -P assistant/rasa_runtime/server.py run ...

Measured with py-spy under chat load (docs/BENCHMARKS.md), two costs dominated a turn:

- Rasa 3.6 checks every action-server response with ``jsonschema.validate``, which
  re-checks the schema itself and rebuilds a validator on each call: about 10 ms of CPU
  per custom action, two or more per turn. The response format is constant, so the
  validator is built once here; the check and the error Rasa raises are unchanged.
- The SQL tracker store commits every turn, synchronously, on Rasa's event loop, and
  on SQLite (SQLAlchemy 1.4 gives file databases no connection pool) opens and closes
  a connection each time. Each commit waited for several disk flushes, during which no
  other conversation moved. Here the SQLite tracker keeps its connections in a pool
  and uses WAL mode with ``synchronous=NORMAL``: a commit writes to the log without
  waiting for the disk; the database stays consistent and a crash of Rasa loses
  nothing; only a power cut can drop the last turns of a conversation. The drafts
  users save live in the app's database, not here. On PostgreSQL, connecting, a
  statement and a lock wait are bounded by ``IUC_RASA_TRACKER_TIMEOUT`` and TCP
  keepalives notice a dead server (``postgresql_timeouts``).

Rasa also opened a new aiohttp session, so a new connection, for each call to the
action server, and sent the whole domain and every event of the session with each;
here one session per endpoint keeps its connections, the domain goes once, then its
digest, and the tracker carries the current turn's events (``action_calls.py``).

Between a conversation's turns its tracker stays in memory (``tracker_cache.py``):
Rasa rebuilt it from the database every turn, and counted its stored events again to
save it, about 30 % of its CPU per turn.

Its model graph runs node after node, without dask's scheduler
(``graph_runner.py``), and the policies' dialogue states are extended with each new
event instead of rebuilt from the session's start for every prediction
(``dialogue_states.py``). A tracker copy before each action that only reads it,
the domain's emptiness on every message and the rules' parsing on every prediction
are skipped or done once (``repeated_work.py``); a message's count vectors are
counted straight into the matrix Rasa keeps (``count_vectors.py``).

It also ends every REST reply with the conversation's language (``report_language``):
the web app answers with it and the widget switches its interface to it, without a
second request that reloads the whole conversation from the tracker store each turn.

This file runs in the Rasa environment, not the project's: it imports nothing from
the project.
"""

from __future__ import annotations

import importlib.util
import math
import os
import sys
from itertools import islice
from pathlib import Path
from typing import Any


def compile_action_response_check() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    original = RemoteAction._validate_action_result

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError:
            # Rasa's own path: same exception, same explanatory message.
            return bool(original(self, result))
        return True

    RemoteAction._validate_action_result = validate_action_result


def pool_and_log_sqlite_tracker() -> None:
    import sqlite3

    import rasa.core.tracker_store as tracker_store
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.engine.url import make_url
    from sqlalchemy.pool import QueuePool

    rasa_engine_kwargs = tracker_store.create_engine_kwargs

    def engine_kwargs(url: Any) -> dict[str, Any]:
        backend = make_url(url).get_backend_name()
        if backend == "postgresql":
            return postgresql_timeouts(dict(rasa_engine_kwargs(url)), tracker_timeout())
        if backend != "sqlite":
            return dict(rasa_engine_kwargs(url))
        # Pooled connections are handed to one user at a time, in any thread.
        return {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}

    tracker_store.create_engine_kwargs = engine_kwargs

    def on_connect(connection: Any, _record: Any) -> None:
        if isinstance(connection, sqlite3.Connection):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    event.listen(Engine, "connect", on_connect)


def tracker_timeout() -> float:
    """Seconds a tracker database call may take (the launcher sets it from the
    settings; tracker_cache.py bounds each call's wait with it too)."""
    return float(os.environ.get("IUC_RASA_TRACKER_TIMEOUT") or 3.0)


def postgresql_timeouts(kwargs: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Rasa's PostgreSQL engine with its waits bounded: connecting, a statement, a
    lock, a connection from the pool, and a dead peer noticed by TCP keepalives in
    about 10 s instead of the kernel's 2 hours. (A frozen server is noticed by no
    server-side timeout: tracker_cache.py's deadline covers that.)"""
    millis = int(timeout * 1000)
    connect_args = dict(kwargs.get("connect_args") or {})
    options = f"-c statement_timeout={millis} -c lock_timeout={millis}"
    connect_args["options"] = f"{connect_args.get('options', '')} {options}".strip()
    connect_args |= {
        # libpq's connect_timeout is whole seconds, at least 2.
        "connect_timeout": max(2, math.ceil(timeout)),
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 2,
    }
    return {**kwargs, "connect_args": connect_args, "pool_timeout": timeout}


# The slot domain/core.yml declares; the app reads {"custom": {"language": ...}}.
LANGUAGE_SLOT = "language"


def report_language() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import UserUtteranceReverted

    run_prediction_loop = MessageProcessor._run_prediction_loop

    async def prediction_loop_then_language(
        self: MessageProcessor, output_channel: Any, tracker: Any
    ) -> None:
        slot = tracker.slots.get(LANGUAGE_SLOT)
        written_in = slot.value if slot else None
        seen = len(tracker.events)
        await run_prediction_loop(self, output_channel, tracker)
        # The fallback takes the user's message back, and the language it set with it:
        # its reply was written in that language all the same ("Désolé, ..." reported
        # as English made the widget offer English to a French page).
        reverted = any(
            isinstance(event, UserUtteranceReverted)
            for event in islice(tracker.events, seen, None)
        )
        if not reverted:
            slot = tracker.slots.get(LANGUAGE_SLOT)
            written_in = slot.value if slot else None
        if isinstance(output_channel, CollectingOutputChannel) and written_in:
            output_channel.messages.append(
                {
                    "recipient_id": tracker.sender_id,
                    "custom": {LANGUAGE_SLOT: written_in},
                }
            )

    MessageProcessor._run_prediction_loop = prediction_loop_then_language


def install_sibling(name: str) -> None:
    """``install()`` of a module beside this file (``tracker_cache``,
    ``graph_runner``, ``dialogue_states``, ``action_calls``, ``repeated_work``,
    ``count_vectors``), loaded from its file:
    this script's folder is not on the path (-P), and the project's packages are not
    imported here."""
    path = Path(__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"iuc_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import would (dataclasses look it up)
    spec.loader.exec_module(module)
    module.install()


def with_token(argv: list[str], token: str) -> list[str]:
    if not token or "--auth-token" in argv:
        return argv
    # One argument: a token drawn with a leading "-" would read as an option.
    return [*argv, f"--auth-token={token}"]


def main() -> None:
    compile_action_response_check()
    pool_and_log_sqlite_tracker()
    install_sibling("tracker_cache")
    install_sibling("graph_runner")
    install_sibling("dialogue_states")
    install_sibling("action_calls")
    install_sibling("repeated_work")
    install_sibling("count_vectors")
    report_language()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    # The HTTP API's token comes through the environment, not the command line that
    # every local user can read (assistant/core/rasa_token.py).
    sys.argv = with_token(sys.argv, os.environ.pop("IUC_RASA_AUTH_TOKEN", ""))
    rasa_main()


if __name__ == "__main__":
    main()
