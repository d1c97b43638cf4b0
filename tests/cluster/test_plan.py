"""What cluster mode starts: ports, who calls whom, the settings each process gets."""

from __future__ import annotations

import json

from assistant.core.settings import ClusterSettings, Settings


def plan(rasa_servers: int, action_servers: int) -> dict[str, dict[str, str]]:
    from assistant.cluster.plan import cluster_plan

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        cluster=ClusterSettings(
            rasa_servers=rasa_servers, action_servers=action_servers
        ),
    )
    processes = cluster_plan(settings, "pg/iuc", "pg/iuc_tracker", "redis://r:1/0")
    return {p.name: {"kind": p.kind, "url": p.url, **p.env} for p in processes}


def test_servers_on_consecutive_ports_each_rasa_with_an_action_server() -> None:
    processes = plan(rasa_servers=3, action_servers=2)
    assert list(processes) == [
        "actions-1", "actions-2", "rasa-1", "rasa-2", "rasa-3", "app",
    ]  # fmt: skip
    assert [processes[f"rasa-{i}"]["IUC_RASA__PORT"] for i in (1, 2, 3)] == [
        "5005", "5006", "5007",
    ]  # fmt: skip
    calls = [processes[f"rasa-{i}"]["IUC_ACTIONS__URL"] for i in (1, 2, 3)]
    assert calls == [
        "http://127.0.0.1:5055", "http://127.0.0.1:5056", "http://127.0.0.1:5055",
    ]  # fmt: skip


def test_the_app_spreads_over_every_rasa_server_and_all_share_the_stores() -> None:
    processes = plan(rasa_servers=2, action_servers=1)
    assert json.loads(processes["app"]["IUC_RASA__URLS"]) == [
        "http://127.0.0.1:5005",
        "http://127.0.0.1:5006",
    ]
    for process in processes.values():
        assert process["IUC_REDIS__URL"] == "redis://r:1/0"
        assert process["IUC_DATABASE__TRACKER_URL"] == "pg/iuc_tracker"
        assert process["IUC_DATABASE__URL"] == "pg/iuc"
