"""The end of the self-check: the verdict and its reasons, and starting a new check."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names
from actions.city_lookup import found_slots, namesake_in_known_place
from actions.city_questions import SELF_CHECK_ENTRIES
from actions.home_city import home_city_events
from actions.language import current_language
from actions.replies import utter_answer
from actions.slots import entity_value, typed_text
from assistant.core.services import get_services
from knowledge.eligibility import EligibilityInput, check_eligibility
from knowledge.facts import call_status_sentence, country_name
from knowledge.parsing import looks_like_a_question, parse_country

logger = logging.getLogger(__name__)

# Slots a new self-check starts without (the city of the current message is kept).
CHECK_SLOTS = (
    names.SLOT_CITY,
    names.SLOT_COUNTRY,
    names.SLOT_REGION,
    names.SLOT_POPULATION,
    names.SLOT_GROUP,
    names.SLOT_CITY_CONFIRMED,
    names.SLOT_CITY_MATCH,
    names.SLOT_AMBIGUOUS_CITY,
    names.SLOT_VERDICT,
    # The self-check is now the question a follow-up ("and Laval?") asks again.
    names.SLOT_CITY_QUESTION,
)


# Entries for places outside the call ("other-regions-elsewhere": "No, this call is
# only for cities in Canada, ...").
OTHER_REGIONS = "other-regions-"
# Words of a bare "can we apply?" ("¿podemos participar?", "can we join this call?"):
# longer, a message says who asks ("nous sommes une ville belge, pouvons-nous
# participer ?") in words no place entity catches.
BARE_QUESTION_WORDS = 5


async def answer_the_general_question(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> None:
    """ "Is my city eligible?", "can a town of 50,000 apply?": the rule, from the
    knowledge base, before the self-check asks which city."""

    text = typed_text(tracker)
    if not text or entity_value(tracker, names.ENTITY_CITY) or tracker.active_loop_name:
        return
    lang = current_language(tracker)
    try:
        answerer = await asyncio.to_thread(get_services().answerer)
        result = await asyncio.to_thread(answerer.ask, text, lang=lang, k=3)
    except Exception:  # the self-check goes on without the general answer
        logger.exception("knowledge engine failed for %r", text)
        return
    if not (result.answered and result.hits):
        return
    about_the_check = result.hits[0].entry_id in SELF_CHECK_ENTRIES
    if not about_the_check and not looks_like_a_question(text):
        # "Start over" matched the programme's launch: a request, not a question.
        # "¿cuesta postularse?" or "can the state of Puebla participate" (read as
        # self-check requests) get their answer before the check asks which city.
        return
    elsewhere = result.hits[0].entry_id.startswith(OTHER_REGIONS)
    bare = len(text.split()) <= BARE_QUESTION_WORDS
    if elsewhere and bare and not _names_a_place(tracker):
        # "Can we apply?" matched to "No, this call is only for cities in Canada, ...":
        # a reply about where the asker is, who has not said. The check asks.
        return
    utter_answer(dispatcher, result, lang, suggestions=False)


def _names_a_place(tracker: Tracker) -> bool:
    return any(
        entity_value(tracker, entity)
        for entity in (names.ENTITY_COUNTRY, names.ENTITY_REGION)
    )


class ActionResetEligibility(Action):
    """A new self-check forgets the previous answers (not the city just named); a
    question naming no city gets the general answer first."""

    def name(self) -> str:
        return names.ACTION_RESET_ELIGIBILITY

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        await answer_the_general_question(dispatcher, tracker)
        events = home_city_events(tracker)
        keep = set()
        city = entity_value(tracker, names.ENTITY_CITY)
        if city:
            keep.add(names.SLOT_CITY)
            known = await _in_the_place_known(tracker, str(city))
            events += [SlotSet(slot, value) for slot, value in known.items()]
            keep.update(known)
        else:
            events += _the_askers_city(tracker, events)
            keep.update(e["name"] for e in events)
        for entity, slot in (
            (names.ENTITY_COUNTRY, names.SLOT_COUNTRY),
            (names.ENTITY_REGION, names.SLOT_REGION),
            (names.ENTITY_POPULATION, names.SLOT_POPULATION),
        ):
            # What the message says ("can Portland, Oregon apply?"), set here: a
            # programme question's places fill no slot by themselves (domain).
            value = entity_value(tracker, entity)
            if value:
                keep.add(slot)
                if tracker.get_slot(slot) != value:
                    events.append(SlotSet(slot, value))
        return events + [
            SlotSet(slot, None)
            for slot in CHECK_SLOTS
            if slot not in keep and tracker.get_slot(slot) is not None
        ]


async def _in_the_place_known(tracker: Tracker, city: str) -> dict[str, Any]:
    """The slots of the one namesake of ``city`` in the province or country the
    conversation knows (the last check's, or said before), when the message names
    no place of its own; nothing otherwise (the form looks the city up)."""
    if _names_a_place(tracker):
        return {}
    region = tracker.get_slot(names.SLOT_REGION)
    country = tracker.get_slot(names.SLOT_COUNTRY)
    try:
        gazetteer = await asyncio.to_thread(get_services().gazetteer)
        match = await asyncio.to_thread(
            namesake_in_known_place, city, region, country, gazetteer
        )
    except Exception:  # the form asks which one
        logger.exception("gazetteer lookup failed for %r", city)
        return {}
    return found_slots(match) if match is not None else {}


def _the_askers_city(
    tracker: Tracker, events: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """ "Can we apply?" from a visitor who said where they are from ("soy de la Ciudad
    de México, ..."): that city is checked (the form confirms it) rather than asked
    for again. A message naming a country or region asks about that place instead;
    a button ("Check another city", "/check_eligibility") or a new check right after
    that city's verdict asks which city."""
    said = [e["value"] for e in events if e.get("name") == names.SLOT_HOME_CITY]
    home = said[0] if said else tracker.get_slot(names.SLOT_HOME_CITY)
    if not home or _names_a_place(tracker) or not typed_text(tracker):
        return []
    checked = tracker.get_slot(names.SLOT_VERDICT) is not None
    if checked and tracker.get_slot(names.SLOT_CITY) == home:
        return []
    return [SlotSet(names.SLOT_CITY, home)]


class ActionEligibilityVerdict(Action):
    """The verdict of knowledge.eligibility with its reasons and the next step."""

    def name(self) -> str:
        return names.ACTION_ELIGIBILITY_VERDICT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lang = current_language(tracker)
        population = tracker.get_slot(names.SLOT_POPULATION)
        match = tracker.get_slot(names.SLOT_CITY_MATCH) or {}
        if population == match.get("population"):
            # The gazetteer's figure, confirmed: not "the population you gave".
            population = None
        given = EligibilityInput(
            city=tracker.get_slot(names.SLOT_CITY),
            country=tracker.get_slot(names.SLOT_COUNTRY),
            region=tracker.get_slot(names.SLOT_REGION),
            population=population if isinstance(population, int) else None,
            group_of_municipalities=bool(tracker.get_slot(names.SLOT_GROUP)),
        )
        try:
            services = get_services()
            facts = await asyncio.to_thread(services.facts)
            verdict = await asyncio.to_thread(
                lambda: check_eligibility(given, facts, services.gazetteer(), lang)
            )
        except Exception:
            logger.exception("eligibility check failed for %r", given)
            dispatcher.utter_message(response=names.UTTER_SERVICE_UNAVAILABLE)
            return []
        city = given.city or ""
        if not city and given.country:  # "a city in Italy": Italy is outside...
            code = parse_country(given.country)
            city = country_name(code, lang) if code else given.country
        # One message: headline, reasons as a list, the next step as its buttons.
        reasons = "".join(f"\n- {reason}" for reason in verdict.reasons)
        dispatcher.utter_message(
            response=f"{names.UTTER_VERDICT_PREFIX}{verdict.verdict}",
            city=city,
            reasons=reasons,
            # Whether the call is open today: a verdict that encourages a city says
            # when a closed call's criteria are those of the last call (issue 16).
            call_status=call_status_sentence(facts, lang),
            # {"verdict"}: recorded by the app for the staff console (by country).
            json_message={
                "verdict": {
                    "verdict": verdict.verdict,
                    "country": getattr(verdict.city, "country", None) or given.country,
                }
            },
        )
        return [SlotSet(names.SLOT_VERDICT, verdict.verdict)]
