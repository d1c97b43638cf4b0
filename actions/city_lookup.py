"""The self-check's city looked up in the gazetteer: confirm it, ask which one, or
ask the rest (actions/eligibility.py validates; this finds)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import names, which_one
from actions.eligibility_checks import (
    outside_the_call,
    population_number,
    region_country,
    typed_city,
    typed_instead,
    unless_one_in_the_call,
)
from actions.language import current_language
from actions.places import candidate_buttons, match_dict
from actions.slots import entity_value
from assistant.core.services import get_services
from knowledge.eligibility import pick_city
from knowledge.place_names import region_label

logger = logging.getLogger(__name__)


async def look_up(
    city: str,
    country: str | None,
    region: str | None,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    narrowed: bool = False,
    fresh: bool = False,
) -> dict[str, Any]:
    """Slots for ``city`` from the gazetteer: confirm, ask which one, or ask all.

    ``narrowed``: the user narrowed a "which one?" by typing; that pick is
    confirmed, as a click on its button would have shown it. ``fresh``: a city
    replacing another, whose population slot is the other's."""
    lang = current_language(tracker)
    exact: list[Any] = []
    try:
        gazetteer = get_services().gazetteer()
        matches = await asyncio.to_thread(
            lambda: gazetteer.lookup(city, country=country, region=region)
        )
        typed = typed_city(tracker) if fresh and not matches else None
        if typed:  # "Juárez, Nuevo León": Ciudad Benito Juárez, as typed
            found = await asyncio.to_thread(gazetteer.lookup, typed, country, region)
            matches, city = (found, typed) if found else (matches, city)
        exact = matches
        # "Monterey" in Spanish: Monterrey too (which_one.py).
        matches = await asyncio.to_thread(
            which_one.with_near_spellings,
            city,
            matches,
            lang,
            gazetteer,
            country,
            region,
        )
    except Exception:
        logger.exception("gazetteer lookup failed for %r", city)
        matches = []
    asked = tracker.get_slot(names.REQUESTED_SLOT) == names.SLOT_CITY
    pending = tracker.get_slot(names.SLOT_AMBIGUOUS_CITY)
    if not matches and pending and not narrowed:
        # "The small one", "neither": an answer to "which one?", not a new town.
        return await offer_again(pending, dispatcher, tracker)
    if not matches and not asked and not (region or country):
        # An unknown name NLU found in passing ("¿Mi ciudad...?" -> "Mi"): ask.
        # Named with its region ("Tinyville, Ohio"), it is the town asked about.
        return {names.SLOT_CITY: None}
    instead = None if narrowed or pending else typed_instead(city, matches, lang)
    if instead is not None:
        # "México" or "unos doscientos mil" typed for the city: asked again.
        dispatcher.utter_message(response=names.UTTER_INVALID_CITY)
        return {names.SLOT_CITY: None, **instead}
    country_of_region = await _the_region_meant(city, matches, region or country)
    if country_of_region:
        # "Jalisco" typed for the city: said so, and the city asked for within it
        # (it was taken for an unknown town and its population asked for).
        dispatcher.utter_message(
            response=names.UTTER_REGION_NOT_CITY,
            region=region_label(city, country_of_region, lang),
        )
        return {
            names.SLOT_CITY: None,
            names.SLOT_REGION: city,
            names.SLOT_COUNTRY: country_of_region,
            names.SLOT_CITY_MATCH: None,
            names.SLOT_CITY_CONFIRMED: None,
        }
    if not matches:
        # Not in the gazetteer: keep the name as typed and ask the rest; a region
        # named with it ("Tinyville, Ohio") already says the country.
        dispatcher.utter_message(response=names.UTTER_CITY_UNKNOWN, city=city)
        slots = {
            names.SLOT_CITY: city,
            names.SLOT_CITY_MATCH: None,
            names.SLOT_CITY_CONFIRMED: None,
        }
        if region and not country:
            slots[names.SLOT_COUNTRY] = await asyncio.to_thread(
                get_services().gazetteer().region_country, region
            )
        return slots
    # What the user said wins: their population over the gazetteer's estimate.
    said = (
        entity_value(tracker, names.ENTITY_POPULATION)
        if fresh
        else tracker.get_slot(names.SLOT_POPULATION)
    )
    given = population_number(said, lang)
    # One obvious match (Ottawa, Ontario rather than Ottawa, Illinois) is confirmed;
    # otherwise the user picks one. Namesakes in one region are told apart by the
    # population their buttons carry (actions/places.py: candidate_buttons).
    picked = pick_city(matches) or _with_population(matches, given)
    if picked is not None and not (region or country):
        picked = unless_one_in_the_call(picked, matches)
    if exact and len(matches) > len(exact):
        picked = None  # both the name as typed and the one spelled nearly: ask
    respelled = picked is not None and picked not in exact
    if picked is None:
        return which_one_of(city, matches, dispatcher, lang)
    match = match_dict(picked)
    found_country = match.get("country") or country
    # Named with its region or country ("Kelowna BC", "Turin in Italy"), or
    # outside the call: nothing left to confirm.
    sure = (bool(region or country) and not (narrowed or respelled)) or (
        outside_the_call(found_country)
    )
    return {
        names.SLOT_CITY: match["name"],
        names.SLOT_COUNTRY: found_country,
        names.SLOT_REGION: match.get("region") or region,
        names.SLOT_POPULATION: given or match.get("population") or None,
        names.SLOT_CITY_MATCH: match,
        names.SLOT_CITY_CONFIRMED: True if sure else None,
    }


async def _the_region_meant(
    city: str, matches: list[Any], located: str | None
) -> str | None:
    """The country of the state or province ``city`` names, when that is what was
    meant: no city has the name, or only cities of other countries do and nothing
    says where ("Ontario" is the province, not Ontario, California)."""
    if matches and located:
        return None
    country = await region_country(city)
    if matches and any(match_dict(m).get("country") == country for m in matches):
        return None
    return country


def namesake_in_known_place(
    city: str, region: str | None, country: str | None, gazetteer: Any
) -> Any | None:
    """The one place called ``city`` in the region, else the country, that the
    conversation already knows, when the name alone is ambiguous: "and Laval?" after
    Québec's verdict is Laval, Québec, not a choice with Laval, France. Not a
    place outside the call while one of the call's size has the name (after Lyon's
    check, "Laval" may well be Québec's)."""
    if not (region or country):
        return None
    matches = gazetteer.lookup(city)
    if len(matches) < 2 or pick_city(matches) is not None:
        return None
    tries = [(country, region), (country, None)] if region else [(country, None)]
    for in_country, in_region in tries:
        found = gazetteer.lookup(city, country=in_country, region=in_region)
        if found:
            one = found[0] if len(found) == 1 else None
            return one and unless_one_in_the_call(one, matches)
    return None


def found_slots(match: Any) -> dict[str, Any]:
    """The self-check's slots for a place found, to be confirmed."""
    found = match_dict(match)
    return {
        names.SLOT_CITY: found["name"],
        names.SLOT_COUNTRY: found.get("country"),
        names.SLOT_REGION: found.get("region"),
        names.SLOT_POPULATION: found.get("population") or None,
        names.SLOT_CITY_MATCH: found,
        names.SLOT_CITY_CONFIRMED: None,
    }


def _with_population(matches: list[Any], population: int | None) -> Any | None:
    """The one match of exactly ``population`` inhabitants, if any."""
    found = [m for m in matches if match_dict(m).get("population") == population]
    return found[0] if population and len(found) == 1 else None


def which_one_of(
    city: str,
    matches: list[Any],
    dispatcher: CollectingDispatcher,
    lang: str,
    again: bool = False,
) -> dict[str, Any]:
    """ "Several places are called X. Which one?" with a button per candidate."""
    utter_choices(city, matches, dispatcher, lang, again)
    return {
        names.SLOT_CITY: None,
        names.SLOT_CITY_MATCH: None,
        names.SLOT_AMBIGUOUS_CITY: city,
    }


def utter_choices(
    city: str,
    matches: list[Any],
    dispatcher: CollectingDispatcher,
    lang: str,
    again: bool = False,
) -> None:
    """The "which one?" message and its buttons (no two alike); ``again`` says how
    else to answer."""
    gazetteer = get_services().gazetteer()
    shown = matches[: which_one.MAX_CANDIDATES]

    def near(match: dict[str, Any]) -> str | None:
        geonames_id, country = match.get("geonames_id"), match.get("country")
        if not (geonames_id and country):
            return None
        population = match.get("population") or 0
        return gazetteer.nearest_larger(geonames_id, country, population)

    dispatcher.utter_message(
        response=names.UTTER_WHICH_CITY_AGAIN if again else names.UTTER_WHICH_CITY,
        city=city,
        buttons=candidate_buttons([match_dict(m) for m in shown], lang, near),
    )


async def offer_again(
    pending: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """The same choices again, saying how else to answer."""
    gazetteer = get_services().gazetteer()
    lang = current_language(tracker)
    offered = await asyncio.to_thread(which_one.candidates, pending, gazetteer, lang)
    return which_one_of(pending, offered, dispatcher, lang, again=True)
