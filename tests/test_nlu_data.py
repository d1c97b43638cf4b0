"""The trilingual NLU training data: coverage, separability and entity annotations.

These checks run without Rasa: they read data/nlu/ and config.yml with PyYAML, so a
broken example is caught in the fast unit run, before a slow `rasa train`.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from knowledge.language import LANGUAGES
from tests.live_stack import LiveStack

ROOT = Path(__file__).resolve().parent.parent
NLU_DIR = ROOT / "data" / "nlu"

MIN_EXAMPLES = 20

# The names shared with the dialogue (domain.yml, rules, stories, actions).
SHARED_INTENTS = {
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "help",
    "ask_programme",
    "check_eligibility",
    "start_application",
    "change_language",
    "contact_human",
    "bot_challenge",
    "out_of_scope",
    "inform",
    "stop",
}
SHARED_ENTITIES = {"city", "country", "region", "population", "language", "email"}

# `[text](entity)` or `[text]{"entity": ..., "value": ...}`
ANNOTATION = re.compile(
    r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]*)\)|(?P<json>\{[^}]*\}))"
)


@dataclass(frozen=True)
class Example:
    intent: str
    lang: str
    raw: str
    path: Path

    @property
    def text(self) -> str:
        return ANNOTATION.sub(lambda m: m["text"], self.raw)

    @property
    def entities(self) -> list[tuple[str, str]]:
        """(entity name, annotated text) pairs."""
        found = []
        for match in ANNOTATION.finditer(self.raw):
            if match["json"] is not None:
                found.append((json.loads(match["json"])["entity"], match["text"]))
            else:
                found.append((match["entity"], match["text"]))
        return found


def _nlu_files() -> list[Path]:
    return sorted(NLU_DIR.rglob("*.yml"))


def _load(path: Path) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", [])


def _examples_of(block: str) -> list[str]:
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    return [line.removeprefix("- ").strip() for line in lines]


def _normalise(text: str) -> str:
    text = re.sub(r"[¿¡?!.,;:]+", " ", text.lower())
    return " ".join(text.split())


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    found = []
    for path in _nlu_files():
        lang = path.parent.name
        for item in _load(path):
            if "intent" not in item:
                continue
            assert lang in LANGUAGES, (
                f"{path}: intent examples belong in data/nlu/<lang>/"
            )
            found.extend(
                Example(item["intent"], lang, raw, path)
                for raw in _examples_of(item["examples"])
            )
    return found


@pytest.fixture(scope="module")
def language_synonyms() -> dict[str, str]:
    mapping = {}
    for item in _load(NLU_DIR / "synonyms.yml"):
        for name in _examples_of(item["examples"]):
            mapping[name.lower()] = item["synonym"]
    return mapping


def test_every_file_is_valid_rasa_nlu_yaml() -> None:
    for path in _nlu_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["version"] == "3.1", path
        for item in data["nlu"]:
            kinds = {"intent", "synonym", "regex", "lookup"} & item.keys()
            assert len(kinds) == 1, f"{path}: {item}"
            assert isinstance(item["examples"], str), f"{path}: {item}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_shared_intent_has_enough_examples_in_each_language(
    examples: list[Example], lang: str
) -> None:
    counts = Counter(e.intent for e in examples if e.lang == lang)
    missing = sorted(SHARED_INTENTS - counts.keys())
    assert not missing, f"{lang}: no examples for {missing}"
    thin = {i: n for i, n in counts.items() if n < MIN_EXAMPLES}
    assert not thin, f"{lang}: fewer than {MIN_EXAMPLES} examples: {thin}"


def test_only_shared_intents_are_trained(examples: list[Example]) -> None:
    # An intent unknown to the dialogue would make Rasa predict an unhandled label.
    assert {e.intent for e in examples} == SHARED_INTENTS


def test_no_example_belongs_to_two_intents_or_two_languages(
    examples: list[Example],
) -> None:
    seen: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        seen[_normalise(example.text)].append(example)
    clashes = {
        text: sorted({f"{e.lang}/{e.intent}" for e in found})
        for text, found in seen.items()
        if len({(e.lang, e.intent) for e in found}) > 1
    }
    assert not clashes, clashes


def test_entity_annotations_parse(examples: list[Example]) -> None:
    for example in examples:
        plain = example.text
        # A bracket left over is an annotation Rasa would read differently.
        assert "[" not in plain and "](" not in plain, example
        for entity, text in example.entities:
            assert entity in SHARED_ENTITIES, example
            assert text == text.strip() and text, example


@pytest.mark.parametrize("lang", LANGUAGES)
def test_form_values_are_annotated_in_each_language(
    examples: list[Example], lang: str
) -> None:
    annotated = {
        entity
        for e in examples
        if e.lang == lang and e.intent == "inform"
        for entity, _ in e.entities
    }
    assert {"city", "country", "region", "population", "email"} <= annotated
    asked = [e for e in examples if e.lang == lang and e.intent == "check_eligibility"]
    assert sum(bool(e.entities) for e in asked) >= 10, lang


def test_language_entities_normalise_to_language_codes(
    examples: list[Example], language_synonyms: dict[str, str]
) -> None:
    assert set(language_synonyms.values()) == set(LANGUAGES)
    annotated = [
        (text, e)
        for e in examples
        for entity, text in e.entities
        if entity == "language"
    ]
    assert annotated
    for text, example in annotated:
        assert language_synonyms.get(text.lower()) in LANGUAGES, example


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_can_ask_for_every_language(
    examples: list[Example], language_synonyms: dict[str, str], lang: str
) -> None:
    targets = {
        language_synonyms[text.lower()]
        for e in examples
        if e.lang == lang
        for entity, text in e.entities
        if entity == "language"
    }
    assert targets == set(LANGUAGES)


def test_email_regex_matches_every_annotated_email(examples: list[Example]) -> None:
    (pattern,) = [
        _examples_of(item["examples"])[0]
        for item in _load(NLU_DIR / "lookups.yml")
        if item.get("regex") == "email"
    ]
    emails = [
        text for e in examples for entity, text in e.entities if entity == "email"
    ]
    assert len(emails) >= 6
    for email in emails:
        assert re.fullmatch(pattern, email), email
    assert not re.fullmatch(pattern, "Ottawa")


def test_config_pipeline_needs_no_downloaded_model() -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    names = [component["name"] for component in config["pipeline"]]
    assert config["assistant_id"] and config["language"]
    assert not [n for n in names if "Spacy" in n or "LanguageModel" in n]
    assert {
        "assistant.rasa_runtime.intent_classifier.LinearIntentClassifier",
        "CRFEntityExtractor",
        "EntitySynonymMapper",
        "FallbackClassifier",
    } <= set(names)
    policies = {policy["name"] for policy in config["policies"]}
    assert {"RulePolicy", "MemoizationPolicy"} <= policies


def test_domain_declares_every_trained_intent_and_entity(
    examples: list[Example],
) -> None:
    # The domain is either domain.yml or a domain/ folder of files Rasa merges.
    paths = [ROOT / "domain.yml", *sorted((ROOT / "domain").glob("*.yml"))]
    parts = [
        yaml.safe_load(p.read_text(encoding="utf-8")) or {} for p in paths if p.exists()
    ]
    if not parts:
        pytest.skip("the domain is not written yet")

    def names(key: str) -> set[str]:
        return {
            item if isinstance(item, str) else next(iter(item))
            for part in parts
            for item in part.get(key, [])
        }

    assert {e.intent for e in examples} <= names("intents")
    assert names("entities") >= SHARED_ENTITIES


# Phrasings that are NOT in the training data, as applicants type them, with what the
# trained model must understand (intent, and entity values after synonym mapping).
HELD_OUT: list[tuple[str, str, dict[str, str]]] = [
    ("what's the last date to send our application?", "ask_programme", {}),
    ("who is allowed to apply to this call?", "ask_programme", {}),
    ("how long do we have to commit for?", "ask_programme", {}),
    ("is Calgary eligible?", "check_eligibility", {"city": "Calgary"}),
    ("could you reply in French", "change_language", {"language": "fr"}),
    ("quand est la date limite pour déposer ?", "ask_programme", {}),
    ("qui a le droit de postuler ?", "ask_programme", {}),
    ("est-ce que Calgary est admissible ?", "check_eligibility", {"city": "Calgary"}),
    ("en anglais s'il vous plaît", "change_language", {"language": "en"}),
    ("¿cuándo vence el plazo?", "ask_programme", {}),
    ("¿quiénes pueden participar en la convocatoria?", "ask_programme", {}),
    ("¿por cuánto tiempo es el compromiso?", "ask_programme", {}),
    ("habla en francés por favor", "change_language", {"language": "fr"}),
    ("about 300,000 inhabitants", "inform", {"population": "300,000"}),
    ("nous sommes environ 200 000 habitants", "inform", {"population": "200 000"}),
    ("somos como 1,5 millones de habitantes", "inform", {"population": "1,5 millones"}),
    ("my email is pat@calgary.ca", "inform", {"email": "pat@calgary.ca"}),
    ("mon courriel est pat@gatineau.ca", "inform", {"email": "pat@gatineau.ca"}),
    ("mi correo es pat@leon.gob.mx", "inform", {"email": "pat@leon.gob.mx"}),
    # Countries come as ISO codes from the PlaceExtractor.
    ("Porto, Portugal", "inform", {"city": "Porto", "country": "PT"}),
    ("Lethbridge, Alberta", "inform", {"city": "Lethbridge", "region": "Alberta"}),
    ("can Regina apply?", "check_eligibility", {"city": "Regina"}),
    (
        "i'd like to start an application for Calgary",
        "start_application",
        {"city": "Calgary"},
    ),
    ("what's the weather like in Brussels", "out_of_scope", {}),
    ("quel temps fait-il à Bruxelles", "out_of_scope", {}),
    ("¿qué clima hace en Bruselas?", "out_of_scope", {}),
    ("please stop, i don't want to continue this", "stop", {}),
    ("arrête, je ne veux plus continuer", "stop", {}),
    ("olvídalo, no quiero seguir", "stop", {}),
]


def test_held_out_phrasings_are_not_training_examples(
    examples: list[Example],
) -> None:
    from assistant.nlu_training.projection import read_corpus

    trained = {_normalise(e.text) for e in examples}
    # Nor sentences of the parallel corpus, whose sides `make train` may project.
    trained |= {_normalise(text) for row in read_corpus() for text in row.values()}
    assert not [text for text, _, _ in HELD_OUT if _normalise(text) in trained]


@pytest.mark.integration
@pytest.mark.parametrize(("text", "intent", "entities"), HELD_OUT)
def test_trained_model_understands_held_out_phrasing(
    live_stack: LiveStack, text: str, intent: str, entities: dict[str, str]
) -> None:
    response = httpx.post(
        f"{live_stack.rasa_url}/model/parse",
        json={"text": text},
        params={"token": live_stack.rasa_token},
        timeout=30,
    )
    assert response.status_code == 200
    parsed = response.json()
    assert parsed["intent"]["name"] == intent, parsed["intent_ranking"][:3]
    found = {e["entity"]: e["value"] for e in parsed["entities"]}
    assert entities.items() <= found.items(), parsed["entities"]
