"""Listen addresses and the lock store come from the settings, so each process can run
on its own host or container."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.settings import (
    ActionServerSettings,
    DatabaseSettings,
    RasaSettings,
    RedisSettings,
    Settings,
)
from assistant.launch import LaunchError, actions_command, rasa_command


def settings(tmp_path: Path, **sections: object) -> Settings:
    models = tmp_path / "models"
    models.mkdir(exist_ok=True)
    (models / "iuc.tar.gz").write_bytes(b"")
    values: dict[str, object] = {
        "rasa": RasaSettings(host="0.0.0.0", port=5105, model_dir=models),
        "database": DatabaseSettings(tracker_url=f"sqlite:///{tmp_path / 't.db'}"),
        **sections,
    }
    return Settings(**values)  # type: ignore[arg-type]


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_loopback_is_the_default_listen_address() -> None:
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert defaults.app.host == defaults.rasa.host == defaults.actions.host
    assert defaults.rasa.host == "127.0.0.1"
    assert defaults.rasa.server_urls() == [defaults.rasa.url]


def test_each_server_listens_where_the_settings_say(tmp_path: Path) -> None:
    chosen = settings(
        tmp_path,
        actions=ActionServerSettings(
            url="http://actions.internal:5055", host="0.0.0.0", port=5155
        ),
    )
    argv, env = rasa_command(chosen)
    assert option(argv, "--interface") == "0.0.0.0"
    assert option(argv, "--port") == "5105"
    # Rasa reaches the action server where the others see it, not on loopback.
    assert env["IUC_RASA_ACTION_ENDPOINT"] == "http://actions.internal:5055/webhook"
    argv, env = actions_command(chosen)
    assert env["SANIC_HOST"] == "0.0.0.0"
    assert option(argv, "--port") == "5155"


def test_one_server_keeps_the_in_memory_lock_store(tmp_path: Path) -> None:
    argv, env = rasa_command(settings(tmp_path))
    endpoints = Path(option(argv, "--endpoints"))
    assert endpoints.name == "endpoints.yml"
    assert "lock_store" not in endpoints.read_text()
    assert "TICKET_LOCK_LIFETIME" not in env


def test_redis_turns_on_rasas_redis_lock_store(tmp_path: Path) -> None:
    redis = RedisSettings(url="redis://:s%40cret@redis.internal:6380/2")
    argv, env = rasa_command(settings(tmp_path, redis=redis))
    endpoints = Path(option(argv, "--endpoints"))
    assert endpoints.name == "endpoints.cluster.yml"
    assert "lock_store.ClusterLockStore" in endpoints.read_text()
    assert env["IUC_RASA_REDIS_HOST"] == "redis.internal"
    assert env["IUC_RASA_REDIS_PORT"] == "6380"
    assert env["IUC_RASA_REDIS_DB"] == "2"
    assert env["IUC_RASA_REDIS_PASSWORD"] == "s@cret"
    assert env["TICKET_LOCK_LIFETIME"] == "3"
    # Every variable the cluster endpoints file names is set.
    for name in ("IUC_RASA_REDIS_HOST", "IUC_RASA_ACTION_ENDPOINT"):
        assert f"${{{name}}}" in endpoints.read_text()


def test_a_redis_url_that_is_not_one_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LaunchError, match="IUC_REDIS__URL"):
        rasa_command(settings(tmp_path, redis=RedisSettings(url="localhost:6379")))
