"""knowledge/ stays a framework-free library, light to import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import knowledge

PACKAGE = Path(knowledge.__file__).parent
FORBIDDEN = {
    "rasa_sdk",
    "rasa",
    "fastapi",
    "sanic",
    "starlette",
    "assistant",
    "actions",
}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_of_knowledge_imports_a_framework_or_the_app() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_imported_roots(path) & FORBIDDEN)
        for path in PACKAGE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_the_search_api_loads_no_model_or_framework() -> None:
    # The action server imports this at start-up: it must not pay for torch there.
    code = (
        "import sys, knowledge.service, knowledge.engine, knowledge.cli;"
        "heavy = {'torch', 'sentence_transformers', 'fastapi', 'rasa_sdk', 'sanic'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
