"""PlaceExtractor: cities, states/provinces and countries named anywhere in a message.

The CRF learns entities from a few hundred annotated examples and has never seen most
of the gazetteer's places: it misses unseen names and takes capitalised words for
cities ("North"). This component reads the place table projected from the gazetteer
at build time (assistant/nlu_training/places.py, ``make train``) and matches it with
assistant/rasa_runtime/place_matching.py. It runs after the CRF and wins on conflict:
a CRF city, region or country overlapping one of its places is dropped, and so is a
CRF city that is a common word without evidence. CRF entities elsewhere (a village
under the gazetteer's 15,000 inhabitants) stay.
"""

# Rasa's typing style on purpose: its graph validator compares these annotations with
# the ones of Rasa's own components (List[Message] and so on).
# ruff: noqa: UP006, UP019, UP035, UP037
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Sequence, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.rasa_runtime.place_matching import (
    PlaceTable,
    compound_spans,
    read_places,
)
from knowledge.language import fold_words

logger = logging.getLogger(__name__)

EXTRACTOR = "PlaceExtractor"
PLACE_ENTITIES = frozenset({"city", "region", "country"})
DEFAULT_TABLE = "var/nlu/places.json"
_ROOT = Path(__file__).resolve().parents[2]


def table_path(configured: str) -> Path:
    """The table's path: as configured, else relative to the project root."""
    path = Path(configured)
    if path.is_absolute() or path.exists():
        return path
    return _ROOT / path


def merge_entities(
    entities: List[Dict[Text, Any]],
    places: List[Dict[Text, Any]],
    common: frozenset[str],
    no_places: Sequence[Tuple[int, int]] = (),
    compounds: Sequence[Tuple[int, int]] = (),
) -> List[Dict[Text, Any]]:
    """Our places, plus the other extractors' entities they do not contradict: none
    overlapping one of our places or a name that is no place ("Latin America"), and
    none cutting a hyphenated name ("Sainte-Catherine" of
    "Sainte-Catherine-de-la-Jacques-Cartier")."""
    spans = [(p["start"], p["end"]) for p in places] + list(no_places)
    kept = []
    for entity in entities:
        if entity.get("entity") in PLACE_ENTITIES:
            start, end = entity.get("start", 0), entity.get("end", 0)
            if any(s < end and start < e for s, e in spans):
                continue
            if any(
                s < end and start < e and (start, end) != (s, e) for s, e in compounds
            ):
                continue
            value = entity.get("value")
            if (
                entity.get("entity") == "city"
                and isinstance(value, str)
                and all(w in common for w in fold_words(value).split())
            ):
                continue  # "North", "Oui": never a city on the CRF's word alone
        kept.append(entity)
    return kept + places


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class PlaceExtractor(GraphComponent):
    """Fills the city, region and country entities from the gazetteer's names."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"table": DEFAULT_TABLE}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._path = table_path(str(config.get("table") or DEFAULT_TABLE))
        self._table: PlaceTable | None = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "PlaceExtractor":
        component = cls(config)
        # When the model loads: without its table Rasa must not start, rather than
        # fail every message and leave the chat to the app's degraded answers.
        component._get_table()
        return component

    def _get_table(self) -> PlaceTable:
        if self._table is None:
            if not self._path.is_file():
                raise FileNotFoundError(
                    f"the place table {self._path} is missing: `make train` builds it"
                )
            self._table = PlaceTable.load(self._path)
            logger.info("place table loaded from %s", self._path)
        return self._table

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        table = self._get_table()
        for message in messages:
            text = message.get(TEXT) or ""
            found, no_places = read_places(table, text)
            places = [
                {
                    "entity": place.entity,
                    "value": place.value,
                    "start": place.start,
                    "end": place.end,
                    "confidence_entity": 1.0,
                    "extractor": EXTRACTOR,
                }
                for place in found
            ]
            entities = message.get(ENTITIES) or []
            if places or any(e.get("entity") in PLACE_ENTITIES for e in entities):
                merged = merge_entities(
                    entities, places, table.common, no_places, compound_spans(text)
                )
                message.set(ENTITIES, merged, add_to_output=True)
        return messages
