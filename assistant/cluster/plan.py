"""Which processes cluster mode runs, and the settings each one gets.

One source for ``make run-cluster`` (``python -m assistant.cluster``) and for the
container files, which a test compares with it: every process is
``python -m assistant.launch <kind>`` with ``IUC_*`` settings, as in ``make run``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.core.settings import Settings

# Readiness probe of each kind of process.
READY_PATHS = {"rasa": "/status", "actions": "/health", "app": "/api/health"}


@dataclass(frozen=True)
class Process:
    name: str  # rasa-1, actions-1, app
    kind: str  # what ``python -m assistant.launch`` starts: rasa, actions or app
    url: str  # where the others reach it
    env: dict[str, str] = field(default_factory=dict)

    @property
    def ready_url(self) -> str:
        return self.url + READY_PATHS[self.kind]

    def command(self, python: str = "python") -> list[str]:
        return [python, "-m", "assistant.launch", self.kind]


# Where the others reach a process: (name, listen host, port) -> URL.
Addressing = Callable[[str, str, int], str]


def loopback_url(_name: str, host: str, port: int) -> str:
    # A server listening on every interface is reached on loopback from this host.
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{shown}:{port}"


def cluster_plan(
    settings: Settings,
    drafts_url: str,
    tracker_url: str,
    redis_url: str,
    address: Addressing = loopback_url,
) -> list[Process]:
    """N Rasa servers on consecutive ports from IUC_RASA__PORT, M action servers from
    IUC_ACTIONS__PORT (Rasa server i calls action server i mod M), and the app, which
    spreads turns over the Rasa servers."""
    cluster = settings.cluster
    actions = [
        Process(
            name=f"actions-{j + 1}",
            kind="actions",
            url=address(
                f"actions-{j + 1}", settings.actions.host, settings.actions.port + j
            ),
            env={"IUC_ACTIONS__PORT": str(settings.actions.port + j)},
        )
        for j in range(cluster.action_servers)
    ]
    shared = {
        "IUC_DATABASE__URL": drafts_url,
        "IUC_DATABASE__TRACKER_URL": tracker_url,
        "IUC_REDIS__URL": redis_url,
    }
    rasa = [
        Process(
            name=f"rasa-{i + 1}",
            kind="rasa",
            url=address(f"rasa-{i + 1}", settings.rasa.host, settings.rasa.port + i),
            env={
                "IUC_RASA__PORT": str(settings.rasa.port + i),
                "IUC_ACTIONS__URL": actions[i % len(actions)].url,
            },
        )
        for i in range(cluster.rasa_servers)
    ]
    app = Process(
        name="app",
        kind="app",
        url=address("app", settings.app.host, settings.app.port),
        env={
            "IUC_RASA__URLS": json.dumps([server.url for server in rasa]),
            "IUC_ACTIONS__URL": actions[0].url,
        },
    )
    return [
        Process(p.name, p.kind, p.url, {**shared, **p.env})
        for p in (*actions, *rasa, app)
    ]
