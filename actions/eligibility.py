"""The eligibility self-check form: validation of city, country, population, group."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names, which_one
from actions.eligibility_checks import (
    another_city,
    outside_the_call,
    population_number,
    region_country,
    threshold,
    typed_answer,
    typed_city,
    typed_instead,
    unless_one_in_the_call,
)
from actions.language import current_language
from actions.places import (
    candidate_button,
    match_dict,
)
from actions.slots import (
    answer_for,
    country_slot,
    entity_value,
    only_yes_or_no,
    place_name,
    yes_no,
    yes_no_answer,
)
from assistant.core.services import get_services
from knowledge.eligibility import pick_city
from knowledge.parsing import parse_country
from knowledge.place_names import region_label
from knowledge.population import parse_population

logger = logging.getLogger(__name__)


class ValidateEligibilityForm(FormValidationAction):
    """Collects city, country, population and, for small cities, the group question."""

    def name(self) -> str:
        return names.ACTION_VALIDATE_ELIGIBILITY_FORM

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if outside_the_call(tracker.get_slot(names.SLOT_COUNTRY)):
            # Turin, Italy ("a city in Italy" too): no city, confirmation or population
            # changes the guidance.
            return [names.SLOT_COUNTRY]
        slots = [names.SLOT_CITY]
        if tracker.get_slot(names.SLOT_CITY_MATCH):
            slots.append(names.SLOT_CITY_CONFIRMED)
        slots += [names.SLOT_COUNTRY, names.SLOT_POPULATION]
        population = tracker.get_slot(names.SLOT_POPULATION)
        # Whether it is a group only matters below the threshold.
        if isinstance(population, int) and population <= threshold():
            slots.append(names.SLOT_GROUP)
        return slots

    # --- extraction of what the user typed for the requested slot -------------------

    async def extract_city(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if entity_value(tracker, names.ENTITY_CITY):
            return {}  # the from_entity mapping already filled it
        # NLU may read a bare "Canada" as any intent: after "which one?" it answers.
        typed = answer_for(tracker, names.SLOT_CITY, interruptions=False)
        if typed:
            narrowed = await asyncio.to_thread(which_one.narrowing, tracker, typed)
            if narrowed is not None:
                return {names.SLOT_CITY: typed}
        text = answer_for(tracker, names.SLOT_CITY)
        return {names.SLOT_CITY: text} if text else {}

    async def extract_country(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return typed_answer(
            tracker, names.SLOT_COUNTRY, names.ENTITY_COUNTRY, parse_country
        )

    async def extract_population(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        lang = current_language(tracker)
        return typed_answer(
            tracker,
            names.SLOT_POPULATION,
            names.ENTITY_POPULATION,
            lambda text: parse_population(text, lang),
        )

    async def extract_city_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if another_city(tracker):
            return {}  # a correction: validate_city looks the new city up
        value = yes_no_answer(tracker, names.SLOT_CITY_CONFIRMED)
        return {} if value is None else {names.SLOT_CITY_CONFIRMED: value}

    async def extract_group_of_municipalities(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        value = yes_no_answer(tracker, names.SLOT_GROUP)
        return {} if value is None else {names.SLOT_GROUP: value}

    # --- validation ------------------------------------------------------------------

    async def validate_city(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        pending = tracker.get_slot(names.SLOT_AMBIGUOUS_CITY)
        # "Canada", "the one in Illinois" or "2" after "which one?" picks a candidate.
        narrowed = await asyncio.to_thread(which_one.narrowing, tracker, value)
        city = pending if narrowed else place_name(value)
        if city is None:
            dispatcher.utter_message(response=names.UTTER_INVALID_CITY)
            return {names.SLOT_CITY: None}
        known = tracker.get_slot(names.SLOT_CITY_MATCH)
        if known and known.get("name") == city and not another_city(tracker):
            return {names.SLOT_CITY: city}  # re-validated on activation: keep it
        country = tracker.get_slot(names.SLOT_COUNTRY)
        region = tracker.get_slot(names.SLOT_REGION)
        # Another city than the one found before ("no, I meant Monterrey, Mexico"):
        # the old one's country, region and population are not this one's.
        fresh = bool(known) and not narrowed
        if fresh:
            country = entity_value(tracker, names.ENTITY_COUNTRY)
            region = entity_value(tracker, names.ENTITY_REGION)
        if narrowed:
            country, region = narrowed.country, narrowed.region
        elif await only_yes_or_no(tracker, value):
            # "Yes" to "which city?" or "which one?" is no city (the gazetteer has "Yes"
            # as a name of Yasuj, Iran, and "No" of Ho, Ghana).
            if pending:
                return await self._offer_again(pending, dispatcher, tracker)
            dispatcher.utter_message(response=names.UTTER_INVALID_CITY)
            return {names.SLOT_CITY: None}
        slots = await self._look_up(
            city,
            country,
            region,
            dispatcher,
            tracker,
            narrowed=narrowed is not None,
            fresh=fresh,
        )
        if fresh:
            forgotten = {
                names.SLOT_COUNTRY: country,
                names.SLOT_REGION: region,
                names.SLOT_POPULATION: entity_value(tracker, names.ENTITY_POPULATION),
            }
            slots = {**forgotten, **slots}
        if narrowed:  # none of the candidates: keep what the user said about it
            if narrowed.country and not slots.get(names.SLOT_COUNTRY):
                slots[names.SLOT_COUNTRY] = narrowed.country
            if narrowed.region and not slots.get(names.SLOT_REGION):
                slots[names.SLOT_REGION] = narrowed.region
        if pending and slots.get(names.SLOT_AMBIGUOUS_CITY) is None:
            slots[names.SLOT_AMBIGUOUS_CITY] = None  # resolved: forget the question
        return slots

    async def _look_up(
        self,
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
        try:
            matches = await asyncio.to_thread(
                lambda: (
                    get_services()
                    .gazetteer()
                    .lookup(city, country=country, region=region)
                )
            )
            typed = typed_city(tracker) if fresh and not matches else None
            if typed:  # "Juárez, Nuevo León": Ciudad Benito Juárez, as typed
                found = await asyncio.to_thread(
                    get_services().gazetteer().lookup, typed, country, region
                )
                matches, city = (found, typed) if found else (matches, city)
        except Exception:
            logger.exception("gazetteer lookup failed for %r", city)
            matches = []
        lang = current_language(tracker)
        asked = tracker.get_slot(names.REQUESTED_SLOT) == names.SLOT_CITY
        pending = tracker.get_slot(names.SLOT_AMBIGUOUS_CITY)
        if not matches and pending and not narrowed:
            # "The small one", "neither": an answer to "which one?", not a new town.
            return await self._offer_again(pending, dispatcher, tracker)
        if not matches and not asked and not (region or country):
            # An unknown name NLU found in passing ("¿Mi ciudad...?" -> "Mi"): ask.
            # Named with its region ("Tinyville, Ohio"), it is the town asked about.
            return {names.SLOT_CITY: None}
        instead = None if narrowed or pending else typed_instead(city, matches, lang)
        if instead is not None:
            # "México" or "unos doscientos mil" typed for the city: asked again.
            dispatcher.utter_message(response=names.UTTER_INVALID_CITY)
            return {names.SLOT_CITY: None, **instead}
        country_of_region = None if matches else await region_country(city)
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
        # One obvious match (Ottawa, Ontario rather than Ottawa, Illinois) is confirmed;
        # otherwise the user picks one.
        picked = pick_city(matches)
        if picked is not None and not (region or country):
            picked = unless_one_in_the_call(picked, matches)
        if picked is None:
            return self._which_one(city, matches, dispatcher, lang)
        match = match_dict(picked)
        # What the user said wins: their population over the gazetteer's estimate.
        said = (
            entity_value(tracker, names.ENTITY_POPULATION)
            if fresh
            else tracker.get_slot(names.SLOT_POPULATION)
        )
        given = population_number(said, lang)
        found_country = match.get("country") or country
        # Named with its region or country ("Kelowna BC", "Turin in Italy"), or
        # outside the call: nothing left to confirm.
        sure = (bool(region or country) and not narrowed) or outside_the_call(
            found_country
        )
        return {
            names.SLOT_CITY: match["name"],
            names.SLOT_COUNTRY: found_country,
            names.SLOT_REGION: match.get("region") or region,
            names.SLOT_POPULATION: given or match.get("population") or None,
            names.SLOT_CITY_MATCH: match,
            names.SLOT_CITY_CONFIRMED: True if sure else None,
        }

    @staticmethod
    def _which_one(
        city: str,
        matches: list[Any],
        dispatcher: CollectingDispatcher,
        lang: str,
        again: bool = False,
    ) -> dict[str, Any]:
        """ "Several places are called X. Which one?" with a button per candidate."""
        dispatcher.utter_message(
            response=names.UTTER_WHICH_CITY_AGAIN if again else names.UTTER_WHICH_CITY,
            city=city,
            buttons=[
                candidate_button(match_dict(m), lang)
                for m in matches[: which_one.MAX_CANDIDATES]
            ],
        )
        return {
            names.SLOT_CITY: None,
            names.SLOT_CITY_MATCH: None,
            names.SLOT_AMBIGUOUS_CITY: city,
        }

    async def _offer_again(
        self, pending: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """The same choices again, saying how else to answer."""
        gazetteer = get_services().gazetteer()
        offered = await asyncio.to_thread(which_one.candidates, pending, gazetteer)
        lang = current_language(tracker)
        return self._which_one(pending, offered, dispatcher, lang, again=True)

    async def validate_city_confirmed(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        answer = yes_no(tracker, value)
        if answer is None:
            dispatcher.utter_message(response=names.UTTER_INVALID_YES_NO)
            return {names.SLOT_CITY_CONFIRMED: None}
        if answer:
            return {names.SLOT_CITY_CONFIRMED: True}
        # Wrong place: keep the name, forget what the gazetteer filled in.
        dispatcher.utter_message(response=names.UTTER_CITY_NOT_CONFIRMED)
        return {
            names.SLOT_CITY_CONFIRMED: False,
            names.SLOT_CITY_MATCH: None,
            names.SLOT_COUNTRY: None,
            names.SLOT_REGION: None,
            names.SLOT_POPULATION: None,
        }

    async def validate_country(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return country_slot(value, dispatcher)

    async def validate_population(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        number = population_number(value, current_language(tracker))
        if number is None:
            dispatcher.utter_message(response=names.UTTER_INVALID_POPULATION)
        return {names.SLOT_POPULATION: number}

    async def validate_group_of_municipalities(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        answer = yes_no(tracker, value)
        if answer is None:
            dispatcher.utter_message(response=names.UTTER_INVALID_YES_NO)
        return {names.SLOT_GROUP: answer}
