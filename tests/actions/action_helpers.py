"""Trackers, the real domain and fakes for the action unit tests (imported by them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "domain"


def city_entities(text: str, cities: list[str]) -> list[dict[str, Any]]:
    """The NLU's city entities for ``cities`` as they stand in ``text``."""
    return [
        {
            "entity": "city",
            "value": city,
            "start": text.index(city),
            "end": text.index(city) + len(city),
        }
        for city in cities
    ]


def load_domain() -> dict[str, Any]:
    domain: dict[str, Any] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, value in data.items():
            if isinstance(value, dict):
                domain.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                domain.setdefault(key, []).extend(value)
    return domain


def make_tracker(
    text: str = "",
    intent: str | None = "inform",
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    active_loop: str | None = None,
    **slots: Any,
) -> Tracker:
    slots.setdefault("language", "en")
    return Tracker(
        sender_id="test",
        slots=slots,
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0} if intent else {},
            "entities": entities or [],
            "metadata": metadata or {},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def uttered(dispatcher: CollectingDispatcher) -> list[str | None]:
    """The response names (or None for plain text/json) in the order uttered."""
    return [m.get("response") for m in dispatcher.messages]


@dataclass(frozen=True)
class FakeHit:
    entry_id: str
    score: float
    question: str
    answer: str
    source: str
    lang: str = "en"
    topic: str | None = None


@dataclass(frozen=True)
class FakeResult:
    answered: bool
    lang: str
    hits: list[FakeHit]
    suggestions: list[FakeHit] = field(default_factory=list)


class FakeAnswerer:
    """Records the questions asked and returns a fixed result (``when``: another
    result for questions containing a given text, e.g. "my city")."""

    def __init__(
        self, result: FakeResult | Exception, when: dict[str, FakeResult] | None = None
    ) -> None:
        self.result = result
        self.when = when or {}
        self.calls: list[dict[str, Any]] = []

    def ask(self, text: str, lang: str | None = None, k: int = 3, topic=None):
        self.calls.append({"text": text, "lang": lang, "k": k, "topic": topic})
        if isinstance(self.result, Exception):
            raise self.result
        for part, result in self.when.items():
            if part in text:
                return result
        return self.result

    def entry(self, entry_id: str, lang: str, score: float) -> FakeResult:
        """One entry's answer (Answerer.entry): its id as its text."""
        self.calls.append({"entry": entry_id, "lang": lang})
        return FakeResult(True, lang, [FakeHit(entry_id, score, "?", entry_id, "s")])
