"""The eligibility self-check form: validation of city, country, population, group."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names, which_one
from actions.city_lookup import look_up, offer_again
from actions.eligibility_checks import (
    another_city,
    cities_named,
    outside_the_call,
    population_number,
    threshold,
    typed_answer,
)
from actions.language import current_language, intent_name
from actions.places import inform_payload
from actions.slots import (
    answer_for,
    country_slot,
    entity_value,
    only_yes_or_no,
    place_name,
    typed_text,
    yes_no,
    yes_no_answer,
)
from knowledge.parsing import looks_like_a_question, parse_country
from knowledge.population import parse_population


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
        named = entity_value(tracker, names.ENTITY_CITY)
        if named and intent_name(tracker) not in names.QUESTION_INTENTS:
            return {}  # the from_entity mapping already filled it
        if named:
            # A city the NLU took for a question ("Smallville") answers; one named in
            # a question ("Is Ottawa paired ...?") does not (domain: its mapping).
            question = looks_like_a_question(typed_text(tracker))
            return {} if question else {names.SLOT_CITY: named}
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
        several = cities_named(tracker)
        if len(several) > 1 and not pending:
            # "Can Toronto or Ottawa apply?": which one, not the last one silently.
            buttons = [
                {"title": city, "payload": inform_payload({names.ENTITY_CITY: city})}
                for city in several
            ]
            dispatcher.utter_message(response=names.UTTER_ASK_CITY, buttons=buttons)
            return {names.SLOT_CITY: None}
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
                return await offer_again(pending, dispatcher, tracker)
            dispatcher.utter_message(response=names.UTTER_INVALID_CITY)
            return {names.SLOT_CITY: None}
        slots = await look_up(
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
        if number is None and yes_no(tracker, value) is False:
            # "I don't know", "je ne sais pas", "no sé": the verdict says what the
            # figure decides, rather than asking for it again and again.
            return {names.SLOT_POPULATION: names.POPULATION_UNKNOWN}
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
