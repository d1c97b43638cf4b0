"""The import structure: each folder one runtime, one-way dependencies, no circles.

Read from the source (every import statement, also those inside functions), so a
lazy import cannot hide an arrow. The rules are the ones docs/ARCHITECTURE.md draws.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("knowledge", "actions", "assistant")
FRAMEWORKS = {"fastapi", "starlette", "uvicorn", "rasa_sdk", "sanic", "rasa"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
    }


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """Absolute names of everything ``path`` imports (relative imports resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            # "from package import module" names a module too.
            yield from (
                f"{base}.{alias.name}"
                for alias in node.names
                if f"{base}.{alias.name}" in MODULES
            )


def _project_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = set()
        for imported in _imports(name, path):
            # The deepest project module the name points at.
            parts = imported.split(".")
            while parts and ".".join(parts) not in MODULES:
                parts.pop()
            if parts and ".".join(parts) != name:
                targets.add(".".join(parts))
        edges[name] = targets
    return edges


def _roots(name: str) -> set[str]:
    return {imported.split(".")[0] for imported in _imports(name, MODULES[name])}


def _in(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles_anywhere() -> None:
    assert _cycles(_project_edges()) == []


def test_the_circle_finder_finds_a_circle() -> None:
    # Guards the test above: a finder that never finds anything would always pass.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c"]
    ]


def _violations(prefix: str, allowed: set[str] | None, forbidden: set[str]) -> dict:
    """Modules under ``prefix`` importing a forbidden root, or a project module
    outside ``allowed`` (prefixes; None: any)."""
    edges = _project_edges()
    found = {}
    for name in MODULES:
        if not _in(name, prefix):
            continue
        bad = sorted(_roots(name) & forbidden)
        if allowed is not None:
            bad += sorted(
                target
                for target in edges[name]
                if not any(_in(target, ok) for ok in allowed)
            )
        if bad:
            found[name] = bad
    return found


def test_knowledge_is_a_library_of_its_own() -> None:
    assert _violations("knowledge", {"knowledge"}, FRAMEWORKS) == {}


def test_actions_use_only_the_service_layer_of_the_app_never_the_web() -> None:
    allowed = {"actions", "knowledge", "assistant.core"}
    assert _violations("actions", allowed, {"fastapi", "starlette", "rasa"}) == {}


def test_the_core_is_framework_free() -> None:
    allowed = {"assistant.core", "knowledge"}
    assert _violations("assistant.core", allowed, FRAMEWORKS) == {}


def test_the_web_app_never_imports_rasa_or_the_actions() -> None:
    allowed = {"assistant.web", "assistant.core", "knowledge"}
    forbidden = {"rasa", "rasa_sdk", "sanic"}
    assert _violations("assistant.web", allowed, forbidden) == {}


def test_the_rasa_runtime_imports_nothing_of_the_project_environment() -> None:
    # It runs in .venv-rasa: the project's packages are not installed there. Only
    # knowledge.language, which imports the standard library alone, is shared.
    allowed = {"assistant.rasa_runtime", "knowledge.language"}
    venv_only = {"fastapi", "starlette", "pydantic_settings", "lingua", "babel"}
    assert _violations("assistant.rasa_runtime", allowed, venv_only) == {}
    code = (
        "import sys, knowledge.language;"
        "roots = {m.split('.')[0] for m in sys.modules};"
        "print(sorted(r for r in roots - set(sys.stdlib_module_names)"
        " if r != 'knowledge' and not r.startswith('_')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "prefix", ["assistant.nlu_training", "assistant.launch", "assistant.cluster"]
)
def test_build_and_launch_code_stays_out_of_the_servers(prefix: str) -> None:
    allowed = {prefix, "assistant.core", "knowledge"}
    assert _violations(prefix, allowed, {"fastapi", "rasa_sdk", "sanic"}) == {}
