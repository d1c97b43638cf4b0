"""Dependencies that match use: the lock files agree with pyproject.toml, and serving
never imports a package that only building needs.

pyproject.toml's ``dependencies`` are what the web app and the action server need to
serve a built index; the ``build`` extra (torch, sentence-transformers, onnx, spaCy)
is for ``make kb`` and ``make train``. A deployment installs requirements/runtime.lock
alone, so a serving path that reached torch would fail there, not here.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = canonicalize_name(PYPROJECT["project"]["name"])
# What the runtime set must never pull in (the promise, by name).
HEAVY_BUILD = {"torch", "sentence-transformers", "transformers", "onnx", "spacy"}
# Imported at serving when installed, not needed: httpx loads its command line's
# packages if it finds them (the build's typer brings them); the runtime-only venv,
# where they are absent, serves (docs/BENCHMARKS.md, "Install size, session 8").
OPTIONAL_AT_SERVING = {"rich", "pygments"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
# How uv's annotations name pyproject.toml as the reason for a pin.
DECLARED = f"{PROJECT} (pyproject.toml)"


@dataclass
class Pin:
    version: Version
    hashes: int = 0
    via: set[str] = field(default_factory=set)


def _requirements(*groups: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    found = [
        Requirement(line)
        for group in groups
        for line in (
            project["dependencies"]
            if group == "runtime"
            else project["optional-dependencies"][group]
        )
    ]
    return [r for r in found if canonicalize_name(r.name) != PROJECT]


def _pins(lock: str) -> dict[str, Pin]:
    """The pins of a ``uv pip compile --generate-hashes`` lock, with their hashes and
    the ``# via`` annotations that say who asked for them."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for line in (ROOT / "requirements" / lock).read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if match := PIN.match(line):
            current = pins[canonicalize_name(match[1])] = Pin(Version(match[2]))
        elif current is None:
            continue
        elif text.startswith("--hash=sha256:"):
            current.hashes += 1
        elif text.startswith("#"):
            reason = text.lstrip("#").strip().removeprefix("via").strip()
            if reason:
                current.via.add(reason)
    return pins


VENV_PINS = _pins("venv.lock")
RUNTIME_PINS = _pins("runtime.lock")
LOCKS = {"venv.lock": ("runtime", "build", "dev"), "runtime.lock": ("runtime",)}


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_the_lock_pins_every_declared_dependency_within_its_range(lock: str) -> None:
    pins = _pins(lock)
    wrong = {}
    for req in _requirements(*LOCKS[lock]):
        pin = pins.get(canonicalize_name(req.name))
        if pin is None or not req.specifier.contains(pin.version, prereleases=True):
            wrong[req.name] = "missing" if pin is None else str(pin.version)
    assert wrong == {}, f"run `make lock`: {lock} disagrees with pyproject.toml"


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_the_lock_pins_nothing_for_a_dependency_pyproject_dropped(lock: str) -> None:
    declared = {canonicalize_name(r.name) for r in _requirements(*LOCKS[lock])}
    asked = {name for name, pin in _pins(lock).items() if DECLARED in pin.via}
    assert asked == declared, f"run `make lock`: {lock} disagrees with pyproject.toml"


@pytest.mark.parametrize("pins", [VENV_PINS, RUNTIME_PINS], ids=["venv", "runtime"])
def test_the_locks_hold_the_build_backend(pins: dict[str, Pin]) -> None:
    # The project installs with --no-build-isolation, from what the lock installed.
    for line in PYPROJECT["build-system"]["requires"]:
        req = Requirement(line)
        assert req.specifier.contains(pins[canonicalize_name(req.name)].version)


def test_every_pin_is_hash_checked() -> None:
    for pins in (VENV_PINS, RUNTIME_PINS):
        assert [name for name, pin in pins.items() if pin.hashes == 0] == []


def test_the_runtime_lock_is_the_venv_lock_without_the_build() -> None:
    # One resolution: a deployment serves with the versions the tests ran.
    assert set(RUNTIME_PINS) <= set(VENV_PINS)
    assert {
        name: str(pin.version)
        for name, pin in RUNTIME_PINS.items()
        if pin.version != VENV_PINS[name].version
    } == {}
    assert set(VENV_PINS) >= HEAVY_BUILD
    assert sorted(HEAVY_BUILD & set(RUNTIME_PINS)) == []


def test_torch_is_the_cpu_build_without_cuda_packages() -> None:
    assert VENV_PINS["torch"].version.local == "cpu"
    cuda = [n for n in VENV_PINS if n.startswith(("nvidia-", "triton", "cuda-"))]
    assert cuda == []


# --- what serving imports ------------------------------------------------------------


def _closure(requirements: list[Requirement]) -> set[str]:
    """The installed distributions ``requirements`` pull in, extras and markers read."""
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = list(requirements)
    while todo:
        req = todo.pop()
        key = (canonicalize_name(req.name), frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.requires(req.name) or []
        except metadata.PackageNotFoundError:
            continue  # not for this platform or Python
        for line in requires:
            sub = Requirement(line)
            extras = {"", *req.extras}
            if sub.marker is None or any(
                sub.marker.evaluate({"extra": e}) for e in extras
            ):
                todo.append(sub)
    return {name for name, _ in seen}


def _build_only() -> tuple[set[str], set[str]]:
    """Distributions only the build extra pulls in, and the modules only they provide
    (``google``, a namespace, is shared by protobuf and others)."""
    dists = _closure(_requirements("build")) - _closure(_requirements("runtime"))
    modules = {
        module
        for module, owners in metadata.packages_distributions().items()
        if all(canonicalize_name(owner) in dists for owner in owners)
    }
    return dists, modules


def _module_level_imports(path: Path) -> set[str]:
    """Roots imported when the module is imported (not inside a function)."""
    roots: set[str] = set()
    pending: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while pending:
        for node in ast.iter_child_nodes(pending.pop()):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(node, ast.Import):
                roots.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                roots.add(node.module.split(".")[0])
            pending.append(node)
    return roots


def test_no_module_imports_a_build_package_when_it_is_imported() -> None:
    dists, modules = _build_only()
    assert dists >= HEAVY_BUILD  # the rule below has something to forbid
    offenders = {
        str(path.relative_to(ROOT)): sorted(_module_level_imports(path) & modules)
        for package in ("knowledge", "assistant", "actions")
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


SERVE = """
import json, sys
from fastapi.testclient import TestClient
from rasa_sdk.executor import ActionExecutor
import actions  # the action server's package, with its warm-up plugin
from assistant.core.services import get_services
from assistant.core.settings import Settings
from assistant.web.app import create_app

ActionExecutor().register_package("actions")
get_services().warm_up()  # what the action server loads before its first request
with TestClient(create_app(Settings(), warm_up=True)) as client:
    found = client.get("/api/search", params={"q": "When is the deadline?"})
    assert found.status_code == 200 and found.json()["answered"], found.text
    checked = client.post(
        "/api/eligibility",
        json={"city": "Montreal", "country": "Canada", "population": 1700000},
    )
    assert checked.status_code == 200, checked.text
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


@pytest.mark.model
def test_serving_a_built_index_imports_nothing_only_the_build_needs(
    tmp_path: Path,
) -> None:
    # The app and the action server answer from the index's ONNX copy of the model.
    index = Path(os.environ.get("IUC_KNOWLEDGE__INDEX_DIR", ROOT / "var" / "index"))
    if not (index / "model").is_dir():
        pytest.skip("no project index (make kb)")
    env = {**os.environ, "IUC_DATABASE__URL": f"sqlite:///{tmp_path / 'app.db'}"}
    done = subprocess.run(
        [sys.executable, "-c", SERVE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    imported = set(json.loads(done.stdout.strip().splitlines()[-1]))
    _, modules = _build_only()
    assert sorted(imported & modules - OPTIONAL_AT_SERVING) == []
    # Guards the rule: the runtime packages were imported, the check saw them.
    assert {"onnxruntime", "tokenizers", "faiss", "rasa_sdk", "fastapi"} <= imported
