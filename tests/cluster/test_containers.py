"""The container files mirror cluster mode: no container engine runs in CI, so these
checks are what keeps Dockerfile.rasa, Dockerfile.app and compose.yaml honest."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from pydantic import BaseModel

from assistant.cluster.compose import PYTHON, RUNTIME_ENV, container_plan, render
from assistant.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def compose() -> dict:
    return yaml.safe_load(read("compose.yaml"))


def test_compose_is_generated_from_the_cluster_plan() -> None:
    assert read("compose.yaml") == render(), (
        "compose.yaml drifted from the cluster plan: regenerate it with "
        "`.venv/bin/python -m assistant.cluster.compose > compose.yaml`"
    )


def test_each_server_runs_the_launcher_as_make_run_does() -> None:
    procfile = read("Procfile")
    services = compose()["services"]
    for process in container_plan():
        service = services[process.name]
        assert service["command"] == process.command(PYTHON)
        # The same command line as `make run` (Procfile) for that kind of process.
        assert f"{process.kind}: {' '.join(process.command(PYTHON))}" in procfile
        dockerfile = read(service["build"]["dockerfile"])
        port = process.url.rsplit(":", 1)[1]
        assert re.search(rf"^EXPOSE .*\b{port}\b", dockerfile, re.M), (process, port)
    assert {"postgres", "redis", "rasa-1", "rasa-2", "actions-1", "app"} <= set(
        services
    )


def _setting_names(model: type[BaseModel], prefix: str = "IUC_") -> set[str]:
    names = set()
    for field, info in model.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names |= _setting_names(kind, f"{prefix}{field.upper()}__")
        else:
            names.add(f"{prefix}{field.upper()}")
    return names


def test_every_variable_in_compose_is_a_setting_or_a_makefile_export() -> None:
    settings = _setting_names(Settings)
    exports = dict(re.findall(r"^export (\w+) := (\S+)$", read("Makefile"), re.M))
    assert exports == RUNTIME_ENV
    for name, service in compose()["services"].items():
        for variable in service.get("environment", {}):
            if variable.startswith("IUC_"):
                assert variable in settings, (name, variable)
            elif "image" in service and service["image"].startswith("iuc-"):
                assert variable in exports, (name, variable)


def test_the_rasa_image_is_installed_as_make_setup_installs_it() -> None:
    makefile, dockerfile = read("Makefile"), read("Dockerfile.rasa")
    assert "FROM python:3.11-slim" in dockerfile
    pip = re.search(
        r"pip install \$\(PIP\) (--no-deps .*requirements/rasa\.txt)", makefile
    )
    assert pip and f"pip install {pip.group(1)}" in dockerfile
    keys = re.search(r"rm -f \$\(RASA_VENV\)(\S+)", makefile)
    assert keys and f"rm -f .venv-rasa{keys.group(1)}" in dockerfile
    # The launcher's few dependencies, pinned as pyproject.toml pins them.
    pinned = tomllib.loads(read("pyproject.toml"))["project"]["dependencies"]
    launcher = dockerfile.split("-m venv .venv ")[1].split("\n\n")[0]
    for requirement in re.findall(r'"([^"]+)"', launcher):
        assert requirement in pinned, requirement


def test_the_images_hold_what_the_launcher_starts() -> None:
    rasa, app = read("Dockerfile.rasa"), read("Dockerfile.app")
    # Cluster mode's Rasa reads endpoints.cluster.yml (the Redis lock store).
    for needed in ("endpoints.cluster.yml", "credentials.yml", "models/iuc.tar.gz"):
        assert needed in rasa
    assert "COPY assistant/" in rasa and "knowledge/language.py" in rasa
    assert "COPY var/index var/index" in app and "pip install -e ." in app
    ignored = read(".dockerignore").split()
    assert {"!var/index", "!models/iuc.tar.gz", ".env", ".venv"} <= set(ignored)
