"""Answers to "which one?" typed instead of clicking a button.

After the buttons for a name several places share (Springfield, Laval), "Canada",
"the one in Illinois" or "Massachusetts" picks among the candidates: it is not a new
city called "the one in Illinois". Gazetteer lookups are quick once its index is
built (at start-up), so these helpers are plain functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from actions import names
from actions.language import intent_name
from actions.slots import typed_text
from assistant.core.services import get_services
from knowledge.language import fold_words
from knowledge.parsing import parse_country

# Region codes this short ("IN", "ME", "DE", "ON", "VER", "SON") are everyday words in
# our three languages: they count only as the whole answer ("IL").
_MIN_REGION_WORD = 4
# Longest region name, in words ("Veracruz de Ignacio de la Llave").
_MAX_REGION_WORDS = 6


@dataclass(frozen=True)
class Narrowing:
    """Where the user says the place is: a country code and/or a region name."""

    country: str | None
    region: str | None


def named_region(text: str, gazetteer: Any) -> str | None:
    """The US state, Canadian province or Mexican state named in ``text``, as typed.

    The longest name wins ("Baja California Sur" over "Baja California"); None when
    no region, or more than one, is named.
    """

    words = re.findall(r"\w+", text)
    if len(words) == 1 and gazetteer.regions_named(words[0], strict=True):
        return words[0]  # the whole answer may be a code: "IL", "QC"
    found: set[str] = set()
    i = 0
    while i < len(words):
        for size in range(min(_MAX_REGION_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size])
            if len(phrase) >= _MIN_REGION_WORD and gazetteer.regions_named(
                phrase, strict=True
            ):
                found.add(phrase)
                i += size
                break
        else:
            i += 1
    # "Illinois" and "illinois" are one region named twice.
    return found.pop() if len({fold_words(name) for name in found}) == 1 else None


def narrowing(tracker: Tracker, value: Any) -> Narrowing | None:
    """The country or region with which ``value`` answers a pending "which one?".

    ``value`` is what the form read for the city: the typed answer, or the name NLU
    tagged ("Massachusetts" read as a city). When it repeats the pending name
    ("the Springfield in Missouri"), the rest of the message is read too. A question
    ("Is Canada eligible?") is not an answer; a region none of the candidates lies in
    is not one either when ``value`` is itself a known city ("Puebla").
    """
    pending = tracker.get_slot(names.SLOT_AMBIGUOUS_CITY)
    if not pending or not isinstance(value, str) or not value.strip():
        return None
    if value.rstrip().endswith("?") or intent_name(tracker) in names.QUESTION_INTENTS:
        return None

    gazetteer = get_services().gazetteer()
    texts = [value]
    if fold_words(value) == fold_words(pending) and typed_text(tracker):
        texts.append(typed_text(tracker))
    for text in texts:
        region = named_region(text, gazetteer)
        if region and gazetteer.lookup(pending, region=region):
            return Narrowing(gazetteer.region_country(region), region)
        country = parse_country(text)
        if country:
            return Narrowing(country, None)
        if region and not gazetteer.lookup(value):
            return Narrowing(gazetteer.region_country(region), region)
    return None
