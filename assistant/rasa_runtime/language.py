"""The conversation language, decided inside Rasa's NLU pipeline.

The ``language`` slot is filled from the entity this component adds
(``interface_language``, mapped in domain/core.yml), so no action-server call is needed
on every turn to set it. The turn's language is decided once, by
``knowledge.language.turn_language`` (its docstring holds the whole precedence); this
component applies its two ends:

1. an explicit request understood as such ("en français s'il vous plaît": intent
   ``change_language`` with a ``language`` entity) wins;
2. else the language the web app decided and sends as metadata ``{"language": "fr"}``;
otherwise no entity is added and the slot keeps its value ("ok", "150k", "Ottawa" say
nothing about the language).
"""

# Rasa's typing style on purpose: its graph validator compares these annotations with
# the ones of Rasa's own components (List[Message] and so on).
# ruff: noqa: UP006, UP019, UP035, UP037, UP045
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# The one definition of the languages: a standard-library-only module.
from knowledge.language import LANGUAGES

CHANGE_LANGUAGE_INTENT = "change_language"
REQUEST_ENTITY = "language"
SLOT_ENTITY = "interface_language"
EXTRACTOR = "LanguageFromMetadata"

# Names of the languages as users write them, by prefix ("French", "francés",
# "anglais", "Spanish", "castellano"), for values the entity synonyms did not map.
_PREFIXES = {
    "en": ("en", "eng", "ang", "ing"),
    "fr": ("fr",),
    "es": ("es", "sp", "castel"),
}


def language_code(value: Any) -> Optional[Text]:
    """``"fr"``, ``"French"``, ``"francés"`` -> ``"fr"``; None if not en/fr/es."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in LANGUAGES:
        return text
    for code, prefixes in _PREFIXES.items():
        if len(text) >= 4 and text.startswith(prefixes):
            return code
    return None


def requested_language(message: Message) -> Optional[Text]:
    """The language asked for by a change_language message; its entity values are
    rewritten to the code, which is what the slot accepts."""
    intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    if intent != CHANGE_LANGUAGE_INTENT:
        return None
    wanted = None
    for entity in message.get(ENTITIES) or []:
        if entity.get("entity") == REQUEST_ENTITY:
            code = language_code(entity.get("value"))
            if code:
                entity["value"] = code
                wanted = wanted or code
    return wanted


def metadata_language(message: Message) -> Optional[Text]:
    metadata = message.get("metadata")
    if not isinstance(metadata, dict):
        return None
    return language_code(metadata.get("language"))


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class LanguageFromMetadata(GraphComponent):
    """Adds the ``interface_language`` entity when the language is known."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageFromMetadata":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            code = requested_language(message) or metadata_language(message)
            if code is None:
                continue
            entities = [
                entity
                for entity in message.get(ENTITIES) or []
                if entity.get("entity") != SLOT_ENTITY
            ]
            text = message.get("text") or ""
            entities.append(
                {
                    "entity": SLOT_ENTITY,
                    "value": code,
                    "start": 0,
                    "end": len(text),
                    "extractor": EXTRACTOR,
                }
            )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
