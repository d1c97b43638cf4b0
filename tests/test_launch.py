"""The launcher turns configuration mistakes into one line that says what to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.launch import (
    LaunchError,
    check_database,
    kb_command,
    latest_model,
    rasa_database_url,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def launch(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant.launch", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_model_says_to_train(tmp_path: Path) -> None:
    result = launch("rasa", IUC_RASA__MODEL_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "make train" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_setting_names_the_variable() -> None:
    result = launch("app", IUC_APP__PORT="eighty")
    assert result.returncode == 2
    assert "IUC_APP__PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_process_prints_usage() -> None:
    result = launch("everything")
    assert result.returncode == 2
    assert "usage" in result.stderr


def test_unreachable_database_is_one_clear_line() -> None:
    with pytest.raises(
        LaunchError, match=r"IUC_DATABASE__TRACKER_URL=.*cannot open it"
    ):
        # Port 1 on loopback: nothing listens there.
        check_database("postgresql://iuc@127.0.0.1:1/iuc", "IUC_DATABASE__TRACKER_URL")


def test_malformed_database_url_is_rejected() -> None:
    with pytest.raises(LaunchError, match="is not a database URL"):
        check_database("not a url", "IUC_DATABASE__TRACKER_URL")


def test_sqlite_database_folder_is_created(tmp_path: Path) -> None:
    database = tmp_path / "new" / "tracker.db"
    check_database(f"sqlite:///{database}", "IUC_DATABASE__TRACKER_URL")
    assert database.parent.is_dir()


def test_latest_model_is_the_newest(tmp_path: Path) -> None:
    old, new = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    old.write_bytes(b"")
    new.write_bytes(b"")
    os.utime(old, (1, 1))
    assert latest_model(tmp_path) == new


def test_rasa_gets_a_psycopg2_style_url() -> None:
    assert rasa_database_url("postgresql+psycopg://u@h/db") == "postgresql://u@h/db"
    assert rasa_database_url("sqlite:////tmp/t.db") == "sqlite:////tmp/t.db"


def test_the_index_is_built_as_the_settings_ask(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `make kb` builds what the servers will load; a mismatch makes them rebuild it.
    monkeypatch.setenv("IUC_KNOWLEDGE__INDEX_DIR", "/srv/iuc/index")
    monkeypatch.setenv("IUC_KNOWLEDGE__EMBEDDING_MODEL", "/models/multilingual")
    monkeypatch.setenv("IUC_KNOWLEDGE__FINETUNE", "true")
    argv, _ = kb_command(Settings())
    assert argv[1:] == [
        "-m", "knowledge", "build", "--out", "/srv/iuc/index",
        "--model", "/models/multilingual", "--finetune",
    ]  # fmt: skip
    monkeypatch.delenv("IUC_KNOWLEDGE__FINETUNE")
    assert "--finetune" not in kb_command(Settings())[0]


@pytest.mark.parametrize(
    ("url", "fix"),
    [
        ("sqlite:////proc/nope/x.db", "choose a folder this user can write to"),
        ("sqlite:///", "give a file"),
        ("sqlite://", "give a file"),
        ("sqlite:///:memory:", "give a file"),
        ("not a url", "is not a database URL"),
        ("postgresql://iuc:pw@127.0.0.1:1/iuc", "that the server is running"),
    ],
)
@pytest.mark.parametrize("process", ["rasa", "app"])
def test_every_bad_database_setting_is_one_line_with_the_fix(
    process: str, url: str, fix: str, tmp_path: Path
) -> None:
    setting = "IUC_DATABASE__TRACKER_URL" if process == "rasa" else "IUC_DATABASE__URL"
    (tmp_path / "iuc.tar.gz").write_bytes(b"")  # the model check comes first
    result = launch(process, **{setting: url, "IUC_RASA__MODEL_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert setting in result.stderr and fix in result.stderr
    assert "Traceback" not in result.stderr and "pw" not in result.stderr


def test_a_file_that_is_not_sqlite_is_refused_before_rasa_starts(
    tmp_path: Path,
) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("These are my notes, not a database. " * 50)
    with pytest.raises(LaunchError, match="point it to a SQLite database") as info:
        check_database(f"sqlite:///{other}", "IUC_DATABASE__TRACKER_URL")
    assert "IUC_DATABASE__TRACKER_URL" in str(info.value)
