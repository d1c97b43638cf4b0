"""What the self-check reads from a message and the gazetteer: the call's countries
and threshold, a city corrected, a typed answer, a population."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker

from actions import names
from actions.language import intent_name
from actions.places import match_dict
from actions.slots import answer_for, entity_value, typed_text
from assistant.core.services import get_services
from knowledge.language import fold_words
from knowledge.parsing import looks_like_a_question, parse_country
from knowledge.population import parse_population

# A population in words below this is a town's name ("Mil Cumbres", "Seven Oaks").
MIN_WORDED_POPULATION = 10_000


def threshold() -> int:
    return int(get_services().facts().population_threshold)


def outside_the_call(country: Any) -> bool:
    """A country named or found that the call does not cover (Italy, Japan): the
    verdict is the wrong-region guidance whatever else is missing."""
    code = parse_country(country) if isinstance(country, str) else None
    return code is not None and code not in get_services().facts().eligible_countries


def names_a_city(tracker: Tracker) -> bool:
    # The city entity already (re)filled the city slot: validate_city checks it.
    return entity_value(tracker, names.ENTITY_CITY) is not None


def typed_answer(
    tracker: Tracker, slot: str, entity: str, parse: Callable[[str], Any]
) -> dict[str, Any]:
    """What was typed for ``slot``; nothing when the entity mapping already filled it,
    or when the text does not parse and names another city ("Lyon" after "In which
    country is X?"). The mapping skips programme questions ("can Mexican cities
    apply too?": domain), so an answer the NLU took for one ("Mexico" to "In which
    country is X?") is read here, unless it is a question."""
    found = entity_value(tracker, entity)
    if found and intent_name(tracker) in names.QUESTION_INTENTS:
        asked = tracker.get_slot(names.REQUESTED_SLOT) == slot
        question = looks_like_a_question(typed_text(tracker))
        return {slot: found} if asked and not question else {}
    if found:
        return {}
    text = answer_for(tracker, slot)
    if text and names_a_city(tracker) and parse(text) is None:
        return {}
    return {slot: text} if text else {}


def cities_named(tracker: Tracker) -> list[str]:
    """The cities a message names, each once, in order ("Toronto or Ottawa")."""
    found: dict[str, str] = {}
    end = -1
    entities = tracker.latest_message.get("entities") or []
    for entity in sorted(entities, key=lambda e: e.get("start") or 0):
        value, start = entity.get("value"), entity.get("start") or 0
        if entity.get("entity") != names.ENTITY_CITY or not isinstance(value, str):
            continue
        if start >= end:  # one name read twice (two extractors) counts once
            found.setdefault(fold_words(value), value)
        end = max(end, entity.get("end") or start)
    return list(found.values())


def another_city(tracker: Tracker) -> bool:
    """The message names a city other than the one being confirmed ("no, I meant
    Monterrey, Mexico" to "Monterey, California: is that right?"), or the same name
    in another state ("no, me refiero a Juárez, Nuevo León" to Ciudad Juárez,
    Chihuahua: the place matcher names both "Ciudad Juárez")."""
    named = entity_value(tracker, names.ENTITY_CITY)
    match = tracker.get_slot(names.SLOT_CITY_MATCH) or {}
    if not (named and match.get("name")):
        return False
    if fold_words(str(named)) != fold_words(str(match["name"])):
        return True
    region = entity_value(tracker, names.ENTITY_REGION)
    found = match.get("region")
    if not (region and found):
        return False
    return fold_words(region) != fold_words(str(found))


def typed_city(tracker: Tracker) -> str | None:
    """The city as typed, when the place matcher gave it another name ("Juárez"
    typed, "Ciudad Juárez" given)."""
    text = tracker.latest_message.get("text") or ""
    for entity in tracker.latest_message.get("entities") or []:
        start, end = entity.get("start"), entity.get("end")
        if entity.get("entity") != names.ENTITY_CITY or not isinstance(start, int):
            continue
        typed = text[start:end] if isinstance(end, int) else ""
        if typed and fold_words(typed) != fold_words(str(entity.get("value"))):
            return typed
    return None


def unless_one_in_the_call(picked: Any, matches: list[Any]) -> Any | None:
    """``picked``, unless it is outside the call and a city of the call's size has
    the name too: "London" is also London, Ontario, and the visitors of a North
    America call are asked which one (Paris, Texas is too small to ask)."""
    if not outside_the_call(match_dict(picked).get("country")):
        return picked
    for other in matches:
        found = match_dict(other)
        inside = not outside_the_call(found.get("country"))
        if inside and (found.get("population") or 0) > threshold():
            return None
    return picked


def population_number(value: Any, lang: str) -> int | None:
    """A population slot's value as a number ("150k" from the NLU, or 150000)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if value > 0 else None
    return parse_population(value, lang) if isinstance(value, str) else None


async def region_country(name: str) -> str | None:
    """The country of a state or province called ``name`` ("Jalisco": MX), when
    only one country has it."""
    gazetteer = get_services().gazetteer()
    return await asyncio.to_thread(gazetteer.region_country, name)


def typed_instead(name: str, matches: list[Any], lang: str) -> dict[str, Any] | None:
    """What a country ("México") or a population ("unos doscientos mil", "150k")
    typed for the city says (``{}``, or the population to keep), else None. Both
    were taken for unknown towns ("In which country is unos doscientos mil?"), and
    "México" for Mexico, Philippines. A city-state's city (Singapore) and a town
    the gazetteer has ("Trois-Rivières" reads as 3) are cities."""
    number = None if matches else parse_population(name, lang)
    is_number = number is not None and (
        any(ch.isdigit() for ch in name) or number >= MIN_WORDED_POPULATION
    )
    if is_number:
        return {names.SLOT_POPULATION: number}
    country = parse_country(name)
    if country is None or any(match_dict(m).get("country") == country for m in matches):
        return None
    found = [match_dict(m).get("country") for m in matches]
    if outside_the_call(country) and any(not outside_the_call(c) for c in found):
        return None  # "Guadalupe" is Guadeloupe's name too, and a city of the call
    return {}
