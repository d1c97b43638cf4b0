"""The token of Rasa's HTTP API: drawn per Rasa start unless set, readable by this
user only, handed to Rasa through the environment, read by the app."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant import launch
from assistant.core import rasa_token
from assistant.core.settings import RasaSettings, Settings


def _settings(tmp_path: Path, token: str = "") -> Settings:
    (tmp_path / "models").mkdir(exist_ok=True)
    (tmp_path / "models" / "iuc.tar.gz").write_bytes(b"")
    return Settings(
        rasa=RasaSettings(
            auth_token=SecretStr(token),
            auth_token_file=tmp_path / "var" / "rasa-auth-token",
            model_dir=tmp_path / "models",
        )
    )


def test_each_rasa_start_draws_a_new_private_token(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert rasa_token.current_token(settings) == ""  # no Rasa started yet
    first = rasa_token.new_token(settings)
    mode = stat.S_IMODE(settings.rasa.auth_token_file.stat().st_mode)
    assert mode == 0o600 and len(first) >= 43
    assert rasa_token.current_token(settings) == first  # what the app sends
    second = rasa_token.new_token(settings)
    assert second != first and rasa_token.current_token(settings) == second


def test_a_configured_token_is_used_and_never_written(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "from-the-settings")
    assert rasa_token.new_token(settings) == "from-the-settings"
    assert rasa_token.current_token(settings) == "from-the-settings"
    assert not settings.rasa.auth_token_file.exists()


def test_rasa_gets_the_token_in_its_environment_not_its_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(launch, "check_database", lambda url, setting: None)
    if not launch.RASA_PYTHON.exists():
        pytest.skip("the Rasa environment is not set up")
    argv, env = launch.rasa_command(_settings(tmp_path, "s3cret-token"))
    assert env[rasa_token.ENV_VAR] == "s3cret-token"
    assert "--enable-api" in argv
    assert not any("s3cret-token" in part for part in argv)
