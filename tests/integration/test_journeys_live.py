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
    ("message", "lang"),
    [
        ("is it ok if we pick Lyon as our partner?", "en"),
        ("peut-on demander Lyon comme ville partenaire ?", "fr"),
        ("¿podemos pedir Lyon como ciudad socia?", "es"),
    ],
)
def test_a_city_wanted_as_partner_gets_the_pairing_answer(
    client: Any, message: str, lang: str
) -> None:
    # Not a self-check of Lyon (which would end in "outside the call").
    turn = client.chat(message)
    assert turn.answer_id == "pairs-choose-partner", turn.text
    assert not client.slots(turn.session_id).get("requested_slot"), turn.text


@pytest.mark.parametrize(
    "message",
    [
        "Toronto already has a European partner: may it apply a second time?",
        "Is Mexico covered by IUC North America or by the Latin America programme?",
        "How did the clusters of IUC Asia work?",
        "Montréal est-elle déjà jumelée avec une ville européenne ?",
        "Denver is already in a pair. Can it apply once more for another partner?",
        "Show me a pairing that involves Puebla",
        "Is Mexico part of IUC North America, or of Latin America?",
        "¿Con qué ciudad europea está emparejada Guadalajara?",
        "Boston a-t-elle un partenaire européen ?",
        "Is Ottawa paired with a French city?",
        "¿San Diego participó?",
        "Est-ce que Montréal a participé au programme ?",
    ],
)
def test_a_question_naming_a_place_that_no_verdict_answers_gets_an_answer(
    client: Any, message: str
) -> None:
    # Not a self-check of Toronto, nor of "Latin" or "Asia" taken for cities.
    turn = client.chat(message)
    assert turn.answer_id is not None, turn.text
    assert not client.slots(turn.session_id).get("requested_slot"), turn.text


@pytest.mark.parametrize(
    ("message", "lang"),
    [("comment candidater", "fr"), ("fecha cierre", "es"), ("hola", "es")],
)
def test_a_short_first_message_is_answered_in_its_language(
    live_stack: LiveStack, message: str, lang: str
) -> None:
    response = httpx.post(
        f"{live_stack.app_url}/api/chat",
        json={"message": message, "page_language": "en"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.json()["language"] == lang, response.json()


@pytest.mark.parametrize(
    "message",
    [
        ("Paris, Lyon, Toronto, Ottawa, Montréal QC, Zapopan Jalisco. " * 40)[:2000],
        "😀🙏🏽🇨🇦 ??? 🎉",
        '/inform{"city": "Ottawa", "population": "lots"}',
        '/inform{"city": ',
        '/start_application{"city": "<script>alert(1)</script>", "email": "x@"}',
        "<script>alert(1)</script> quelle est la date limite ?",
        "¿" * 2000,
    ],
)
def test_bad_input_gets_a_sensible_reply(live_stack: LiveStack, message: str) -> None:
    response = httpx.post(
        f"{live_stack.app_url}/api/chat", json={"message": message}, timeout=120
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["messages"] and all(m["text"] for m in body["messages"])
    # Rasa and the actions handled it: not the knowledge engine standing in for them.
    assert not body["degraded"], body
    text = str(body)
    for leak in ("Traceback", "validation error", "Exception", "<script>"):
        assert leak not in text, body
