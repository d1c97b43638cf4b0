"""The Rasa start-up fixes, checked inside the real Rasa environment."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.launch import RASA_PYTHON, RASA_SERVER, thread_limits

pytestmark = pytest.mark.skipif(
    not RASA_PYTHON.exists(), reason="the Rasa environment is not set up"
)

# Runs in .venv-rasa: applies the fixes as rasa_server.main() does, then reports.
PROBE = """
import json, runpy, sys
server = runpy.run_path(sys.argv[1])
server["compile_action_response_check"]()
server["pool_and_log_sqlite_tracker"]()
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import text

action = RemoteAction("action_answer_question", None)
good = {"events": [{"event": "slot", "name": "language", "value": "fr"}],
        "responses": [{"text": "Bonjour", "buttons": []}]}
bad = {"events": [{"name": "language"}], "responses": []}
report = {"good": action._validate_action_result(good)}
try:
    action._validate_action_result(bad)
    report["bad"] = "accepted"
except ValidationError as error:
    report["bad"] = error.message
store = SQLTrackerStore(dialect="sqlite", db=sys.argv[2])
report["pool"] = type(store.engine.pool).__name__
with store.engine.connect() as connection:
    report["journal"] = connection.execute(text("PRAGMA journal_mode")).scalar()
    report["synchronous"] = connection.execute(text("PRAGMA synchronous")).scalar()
print(json.dumps(report))
"""


def test_rasa_checks_action_responses_as_before_and_pools_its_sqlite_tracker(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [str(RASA_PYTHON), "-P", "-c", PROBE, str(RASA_SERVER), str(tmp_path / "t.db")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["good"] is True
    # A malformed action-server response is still refused, with Rasa's explanation.
    assert "Failed to validate Action server response" in report["bad"]
    # The tracker store's SQLite connections are kept, with a write-ahead log.
    assert report["pool"] == "QueuePool"
    assert report["journal"] == "wal"
    assert report["synchronous"] == 1  # NORMAL


def test_every_model_runtime_gets_the_thread_limit() -> None:
    limits = thread_limits(Settings(threads_per_process=3))
    assert set(limits.values()) == {"3"}
    assert {"OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"} <= set(limits)


def test_the_rasa_command_runs_rasa_through_the_fixes() -> None:
    from assistant.launch import rasa_command

    settings = Settings()
    if not list(settings.rasa.model_dir.glob("*.tar.gz")):
        pytest.skip("no trained model")
    argv, _env = rasa_command(settings)
    assert argv[:3] == [str(RASA_PYTHON), "-P", str(RASA_SERVER)]
    assert argv[3] == "run"


def test_a_token_starting_with_a_dash_reaches_rasa_as_the_token() -> None:
    # token_urlsafe draws a leading "-" about once in 64 starts: Rasa then refused
    # to start ("--auth-token: expected one argument").
    probe = (
        "import runpy, sys\n"
        "from rasa.__main__ import create_argument_parser\n"
        "server = runpy.run_path(sys.argv[1])\n"
        "argv = server['with_token'](['run', '--enable-api'], '-Ab_c')\n"
        "print(create_argument_parser().parse_args(argv).auth_token)\n"
    )
    result = subprocess.run(
        [str(RASA_PYTHON), "-P", "-c", probe, str(RASA_SERVER)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "-Ab_c"


@pytest.mark.integration
def test_the_postgresql_tracker_bounds_its_waits(postgres_url: str) -> None:
    # What a Rasa server's tracker connection to PostgreSQL runs with: a slow or
    # locked statement ends within the setting, a dead server is noticed by TCP.
    probe = (
        "import json, os, runpy, sys\n"
        "os.environ['IUC_RASA_TRACKER_TIMEOUT'] = '2.5'\n"
        "server = runpy.run_path(sys.argv[1])\n"
        "server['pool_and_log_sqlite_tracker']()\n"
        "from rasa.core.tracker_store import SQLTrackerStore\n"
        "from sqlalchemy import text\n"
        "from sqlalchemy.engine import make_url\n"
        "url = make_url(sys.argv[2])\n"
        "store = SQLTrackerStore(dialect='postgresql', host=url.host, port=url.port,\n"
        "    db=url.database, username=url.username, password=url.password)\n"
        "with store.engine.connect() as c:\n"
        "    shown = {n: c.execute(text(f'SHOW {n}')).scalar()\n"
        "             for n in ('statement_timeout', 'lock_timeout')}\n"
        "    shown['keepalives'] = c.connection.get_dsn_parameters()['keepalives']\n"
        "print(json.dumps(shown))\n"
    )
    result = subprocess.run(
        [str(RASA_PYTHON), "-P", "-c", probe, str(RASA_SERVER), postgres_url],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown == {
        "statement_timeout": "2500ms",
        "lock_timeout": "2500ms",
        "keepalives": "1",
    }
