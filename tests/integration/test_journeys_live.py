"""Journeys through the whole stack: /api/chat against the engine alone, one-message
verdicts, and bad input (a live subset of scripts/bench_chat_quality.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.live_stack import LiveStack

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# Questions per language from each set: enough to see a routing regression.
SUBSET = 12
# The chat may trail the engine alone by this many points on the subset, no more.
MAX_GAP_POINTS = 2.0


def _bench() -> ModuleType:
    path = ROOT / "scripts" / "bench_chat_quality.py"
    spec = importlib.util.spec_from_file_location("bench_chat_quality", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _bench()


@pytest.fixture(scope="module")
def client(bench: ModuleType, live_stack: LiveStack) -> Any:
    return bench.Client(live_stack.app_url, live_stack.rasa_url, live_stack.rasa_token)


def test_the_chat_answers_as_well_as_the_engine_alone(bench: Any, client: Any) -> None:
    rows = bench._per_language(bench.read_jsonl(bench.TEST_SPLIT), SUBSET)
    report, _ = bench.knowledge_split(client, rows)
    for lang, both in report["by_language"].items():
        gap = both["engine"]["correct"] - both["chat"]["correct"]
        assert gap <= MAX_GAP_POINTS, (lang, both, report["chat_differs_from_engine"])


def test_one_message_eligibility_questions_get_their_verdict(
    bench: Any, client: Any
) -> None:
    rows = bench._per_language(bench.read_jsonl(bench.ELIGIBILITY_SET), 6)
    report = bench.eligibility_set(client, rows)
    for figures in report["by_language"].values():
        assert figures["invented_places"] == 0, report["failures"]
        assert figures["verdict_within_one_confirmation"] >= 80, report["failures"]


@pytest.mark.parametrize(
    "message",
    [
        ("Paris, Lyon, Toronto, Ottawa, Montréal QC, Zapopan Jalisco. " * 40)[:2000],
        "😀🙏🏽🇨🇦 ??? 🎉",
        '/inform{"city": "Ottawa", "population": "lots"}',
        '/inform{"city": ',
    ],
)
def test_bad_input_gets_a_sensible_reply(live_stack: LiveStack, message: str) -> None:
    response = httpx.post(
        f"{live_stack.app_url}/api/chat", json={"message": message}, timeout=120
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["messages"] and all(m["text"] for m in body["messages"])
    assert "Traceback" not in str(body)
