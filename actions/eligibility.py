"""The eligibility self-check: form validation, city confirmation and verdict."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names, services
from actions.language import current_language
from actions.slots import answer_for, clean_text, entity_value, yes_no, yes_no_answer

logger = logging.getLogger(__name__)

# Candidates offered as buttons when several places share a name (Springfield).
MAX_CANDIDATES = 5

# Gazetteer populations are estimates: shown to the nearest thousand from here on.
ROUND_FROM = 10_000

# Slots a new self-check starts without (the city of the current message is kept).
CHECK_SLOTS = (
    names.SLOT_CITY,
    names.SLOT_COUNTRY,
    names.SLOT_REGION,
    names.SLOT_POPULATION,
    names.SLOT_GROUP,
    names.SLOT_CITY_CONFIRMED,
    names.SLOT_CITY_MATCH,
    names.SLOT_VERDICT,
)


def _match_dict(match: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(match) and not isinstance(match, type):
        return dataclasses.asdict(match)
    return dict(match)


def place_label(city: str, region: str | None, country: str | None, lang: str) -> str:
    """ "Ottawa, Ontario, Canada" in the user's language (country names via Babel)."""
    parts = [city]
    if region and region != city:
        parts.append(region)
    if country:
        from knowledge.facts import country_name

        parts.append(country_name(country, lang))
    return ", ".join(parts)


def format_population(value: int, lang: str, rounded: bool = False) -> str:
    """1017449 -> "1,017,449", or "1,017,000" ``rounded`` (gazetteer figures)."""
    from knowledge.facts import format_number

    number = int(value)
    if rounded and number >= ROUND_FROM:
        number = round(number, -3)
    return format_number(number, lang)


def candidate_button(match: dict[str, Any], lang: str) -> dict[str, str]:
    """A button naming one place; its payload fills city, region and country."""
    title = place_label(match["name"], match.get("region"), match.get("country"), lang)
    if match.get("population"):
        title += f" ({format_population(match['population'], lang)})"
    entities = {
        names.ENTITY_CITY: match["name"],
        names.ENTITY_REGION: match.get("region") or "",
        names.ENTITY_COUNTRY: match.get("country") or "",
    }
    entities = {key: value for key, value in entities.items() if value}
    return {"title": title, "payload": inform_payload(entities)}


def inform_payload(entities: dict[str, str]) -> str:
    """A button payload that skips NLU: /inform{"city": "Springfield", ...}."""
    return f"/{names.INTENT_INFORM}{json.dumps(entities, ensure_ascii=False)}"


def _threshold() -> int:
    return int(services.facts().population_threshold)


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
        slots = [names.SLOT_CITY]
        if tracker.get_slot(names.SLOT_CITY_MATCH):
            slots.append(names.SLOT_CITY_CONFIRMED)
        slots += [names.SLOT_COUNTRY, names.SLOT_POPULATION]
        population = tracker.get_slot(names.SLOT_POPULATION)
        # Whether it is a group only matters below the threshold.
        if isinstance(population, int) and population <= _threshold():
            slots.append(names.SLOT_GROUP)
        return slots

    # --- extraction of what the user typed for the requested slot -------------------

    async def extract_city(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if entity_value(tracker, names.ENTITY_CITY):
            return {}  # the from_entity mapping already filled it
        text = answer_for(tracker, names.SLOT_CITY)
        return {names.SLOT_CITY: text} if text else {}

    async def extract_country(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if entity_value(tracker, names.ENTITY_COUNTRY):
            return {}
        text = answer_for(tracker, names.SLOT_COUNTRY)
        return {names.SLOT_COUNTRY: text} if text else {}

    async def extract_population(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if entity_value(tracker, names.ENTITY_POPULATION):
            return {}
        text = answer_for(tracker, names.SLOT_POPULATION)
        return {names.SLOT_POPULATION: text} if text else {}

    async def extract_city_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
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
        city = clean_text(value)
        if city is None:
            dispatcher.utter_message(response=names.UTTER_INVALID_CITY)
            return {names.SLOT_CITY: None}
        known = tracker.get_slot(names.SLOT_CITY_MATCH)
        if known and known.get("name") == city:
            return {names.SLOT_CITY: city}  # re-validated on activation: keep it
        country = tracker.get_slot(names.SLOT_COUNTRY)
        region = tracker.get_slot(names.SLOT_REGION)
        try:
            matches = await asyncio.to_thread(
                services.gazetteer().lookup, city, country=country, region=region
            )
        except Exception:
            logger.exception("gazetteer lookup failed for %r", city)
            matches = []
        lang = current_language(tracker)
        if not matches:
            # Not in the gazetteer: keep the name as typed and ask the rest.
            dispatcher.utter_message(response=names.UTTER_CITY_UNKNOWN, city=city)
            return {
                names.SLOT_CITY: city,
                names.SLOT_CITY_MATCH: None,
                names.SLOT_CITY_CONFIRMED: None,
            }
        from knowledge.eligibility import pick_city

        # One obvious match (Ottawa, Ontario rather than Ottawa, Illinois) is confirmed;
        # otherwise the user picks one.
        picked = pick_city(matches)
        if picked is None:
            candidates = [_match_dict(m) for m in matches[:MAX_CANDIDATES]]
            dispatcher.utter_message(
                response=names.UTTER_WHICH_CITY,
                city=city,
                buttons=[candidate_button(m, lang) for m in candidates],
            )
            return {names.SLOT_CITY: None, names.SLOT_CITY_MATCH: None}
        match = _match_dict(picked)
        return {
            names.SLOT_CITY: match["name"],
            names.SLOT_COUNTRY: match.get("country") or country,
            names.SLOT_REGION: match.get("region") or region,
            names.SLOT_POPULATION: match.get("population") or None,
            names.SLOT_CITY_MATCH: match,
            names.SLOT_CITY_CONFIRMED: None,
        }

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
        from knowledge.parsing import parse_country

        code = parse_country(value) if isinstance(value, str) else None
        if code is None:
            dispatcher.utter_message(response=names.UTTER_INVALID_COUNTRY)
        return {names.SLOT_COUNTRY: code}

    async def validate_population(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        from knowledge.parsing import parse_population

        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | float):
            number = int(value) if value > 0 else None
        elif isinstance(value, str):
            number = parse_population(value, current_language(tracker))
        else:
            number = None
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


class ActionAskCityConfirmed(Action):
    """ "Ottawa, Ontario, Canada, about 1,017,000 inhabitants: is that right?" """

    def name(self) -> str:
        return names.ACTION_ASK_CITY_CONFIRMED

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lang = current_language(tracker)
        city = tracker.get_slot(names.SLOT_CITY) or ""
        place = place_label(
            city,
            tracker.get_slot(names.SLOT_REGION),
            tracker.get_slot(names.SLOT_COUNTRY),
            lang,
        )
        population = tracker.get_slot(names.SLOT_POPULATION)
        if isinstance(population, int):
            dispatcher.utter_message(
                response=names.UTTER_CONFIRM_CITY,
                place=place,
                population=format_population(population, lang, rounded=True),
            )
        else:
            dispatcher.utter_message(
                response=names.UTTER_CONFIRM_CITY_NO_POPULATION, place=place
            )
        return []


class ActionAskCountry(Action):
    """Asks the country with one button per eligible country, in the user's language."""

    def name(self) -> str:
        return names.ACTION_ASK_COUNTRY

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        from knowledge.facts import country_name

        lang = current_language(tracker)
        buttons = [
            {
                "title": country_name(code, lang),
                "payload": inform_payload({names.ENTITY_COUNTRY: code}),
            }
            for code in services.facts().eligible_countries
        ]
        dispatcher.utter_message(response=names.UTTER_ASK_COUNTRY, buttons=buttons)
        return []


class ActionResetEligibility(Action):
    """A new self-check forgets the previous answers (not the city just named)."""

    def name(self) -> str:
        return names.ACTION_RESET_ELIGIBILITY

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        keep = set()
        if entity_value(tracker, names.ENTITY_CITY):
            keep.add(names.SLOT_CITY)
        for entity, slot in (
            (names.ENTITY_COUNTRY, names.SLOT_COUNTRY),
            (names.ENTITY_REGION, names.SLOT_REGION),
            (names.ENTITY_POPULATION, names.SLOT_POPULATION),
        ):
            if entity_value(tracker, entity):
                keep.add(slot)
        return [
            SlotSet(slot, None)
            for slot in CHECK_SLOTS
            if slot not in keep and tracker.get_slot(slot) is not None
        ]


class ActionEligibilityVerdict(Action):
    """The verdict of knowledge.eligibility with its reasons, then the draft offer."""

    def name(self) -> str:
        return names.ACTION_ELIGIBILITY_VERDICT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        from knowledge.eligibility import EligibilityInput, check_eligibility

        lang = current_language(tracker)
        population = tracker.get_slot(names.SLOT_POPULATION)
        given = EligibilityInput(
            city=tracker.get_slot(names.SLOT_CITY),
            country=tracker.get_slot(names.SLOT_COUNTRY),
            region=tracker.get_slot(names.SLOT_REGION),
            population=population if isinstance(population, int) else None,
            group_of_municipalities=bool(tracker.get_slot(names.SLOT_GROUP)),
        )
        try:
            verdict = await asyncio.to_thread(
                check_eligibility, given, services.facts(), services.gazetteer(), lang
            )
        except Exception:
            logger.exception("eligibility check failed for %r", given)
            dispatcher.utter_message(response=names.UTTER_SERVICE_UNAVAILABLE)
            return []
        city = given.city or ""
        dispatcher.utter_message(
            response=f"{names.UTTER_VERDICT_PREFIX}{verdict.verdict}", city=city
        )
        for reason in verdict.reasons:
            dispatcher.utter_message(text=reason)
        if verdict.verdict in names.VERDICTS_WITH_OFFER:
            dispatcher.utter_message(response=names.UTTER_OFFER_APPLICATION)
        else:
            dispatcher.utter_message(response=names.UTTER_ANYTHING_ELSE)
        return [SlotSet(names.SLOT_VERDICT, verdict.verdict)]
