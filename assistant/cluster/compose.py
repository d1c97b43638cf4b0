"""compose.yaml, generated from the cluster plan so that the containers run what
``make run-cluster`` runs: ``python -m assistant.cluster.compose > compose.yaml``.

Every server container runs ``.venv/bin/python -m assistant.launch <kind>`` (the
Procfile's command) with the plan's ``IUC_*`` settings; only the addresses differ: each
process listens on every interface of its container and is reached by service name.
tests/cluster/test_containers.py fails when the committed file is not this output.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

from assistant.cluster import backing
from assistant.cluster.plan import Process, cluster_plan
from assistant.core.settings import (
    ActionServerSettings,
    AppSettings,
    ClusterSettings,
    RasaSettings,
    Settings,
)

PYTHON = ".venv/bin/python"
POSTGRES_SERVER = "postgresql://iuc:iuc@postgres:5432"
REDIS_URL = "redis://redis:6379/0"
# Compose refuses to start without it (one token for every Rasa server and the app).
REQUIRED_TOKEN = "${IUC_RASA__AUTH_TOKEN:?set IUC_RASA__AUTH_TOKEN in .env}"
# The Makefile's exports: nothing downloaded or reported at run time.
RUNTIME_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "RASA_TELEMETRY_ENABLED": "false",
}
IMAGES = {
    "rasa": ("Dockerfile.rasa", "iuc-assistant-rasa"),
    "actions": ("Dockerfile.app", "iuc-assistant-app"),
    "app": ("Dockerfile.app", "iuc-assistant-app"),
}
HEADER = """\
# Cluster mode as containers: PostgreSQL, Redis, two Rasa servers, an action server and
# the app. GENERATED from assistant/cluster/plan.py by
#   .venv/bin/python -m assistant.cluster.compose > compose.yaml
# (a test fails when this file drifts from it). Not built in CI: no container engine
# runs there. Build the images after `make kb train` (they bake in var/index and
# models/iuc.tar.gz), set IUC_RASA__AUTH_TOKEN in .env (any long random string), then
# `docker compose up`. Settings in .env (IUC_*) apply to every service; the addresses
# below win. See README, "Running for many users".
"""


def container_settings() -> Settings:
    """Default ports and counts, every server listening on its container's interfaces
    (explicit sections: nothing leaks in from this machine's environment)."""
    everywhere = "0.0.0.0"
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        app=AppSettings(host=everywhere),
        rasa=RasaSettings(host=everywhere),
        actions=ActionServerSettings(host=everywhere),
        cluster=ClusterSettings(),
    )


def container_plan() -> list[Process]:
    settings = container_settings()
    return cluster_plan(
        settings,
        backing.database_url(POSTGRES_SERVER, backing.DRAFTS_DATABASE),
        backing.database_url(POSTGRES_SERVER, backing.TRACKER_DATABASE),
        REDIS_URL,
        address=lambda name, _host, port: f"http://{name}:{port}",
    )


def _server(process: Process) -> dict[str, Any]:
    dockerfile, image = IMAGES[process.kind]
    settings = container_settings()
    service: dict[str, Any] = {
        "build": {"context": ".", "dockerfile": dockerfile},
        "image": image,
        "command": process.command(PYTHON),
        "env_file": [{"path": ".env", "required": False}],
        "environment": {
            **RUNTIME_ENV,
            "IUC_APP__HOST": settings.app.host,
            "IUC_RASA__HOST": settings.rasa.host,
            "IUC_ACTIONS__HOST": settings.actions.host,
            **process.env,
            # One token of Rasa's HTTP API for the Rasa servers and the app.
            "IUC_RASA__AUTH_TOKEN": REQUIRED_TOKEN,
        },
        "depends_on": {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_started"},
        },
        # As the cluster launcher does: a server that dies is started again.
        "restart": "unless-stopped",
    }
    if process.kind == "app":
        port = settings.app.port
        service["ports"] = [f"{port}:{port}"]
    return service


def compose() -> dict[str, Any]:
    services: dict[str, Any] = {
        "postgres": {
            "image": "postgres:15",
            "environment": {
                "POSTGRES_USER": "iuc",
                "POSTGRES_PASSWORD": "iuc",
                "POSTGRES_DB": backing.DRAFTS_DATABASE,
            },
            "configs": [
                {
                    "source": "create-tracker-database",
                    "target": "/docker-entrypoint-initdb.d/tracker.sql",
                }
            ],
            "volumes": ["postgres:/var/lib/postgresql/data"],
            "healthcheck": {
                "test": ["CMD", "pg_isready", "-U", "iuc"],
                "interval": "2s",
                "retries": 30,
            },
        },
        # Locks and rate-limit counters only: nothing to save.
        "redis": {
            "image": "redis:7",
            "command": ["redis-server", "--save", "", "--appendonly", "no"],
        },
    }
    for process in container_plan():
        services[process.name] = _server(process)
    return {
        "name": "iuc-assistant",
        "services": services,
        "configs": {
            "create-tracker-database": {
                "content": f'CREATE DATABASE "{backing.TRACKER_DATABASE}";'
            }
        },
        "volumes": {"postgres": {}},
    }


def render() -> str:
    return HEADER + yaml.safe_dump(compose(), sort_keys=False, width=88)


if __name__ == "__main__":
    sys.stdout.write(render())
