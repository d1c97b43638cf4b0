"""The self-check's custom questions: the city, confirming it, choosing the country."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names, which_one
from actions.city_lookup import utter_choices
from actions.language import current_language
from actions.places import format_population, inform_payload, place_label
from assistant.core.services import get_services
from knowledge.facts import country_name


def choices_shown_this_turn(tracker: Tracker) -> bool:
    """Whether a message with buttons went out since the user's last message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and (event.get("data") or {}).get("buttons"):
            return True
    return False


class ActionAskEligibilityCity(Action):
    """ "Which city?", unless "several places are called X" and its choices were just
    shown: a message with choices is the last thing the bot says in a turn. After a
    question answered in between, those choices again: "Which city?" had dropped
    them ("Kingston", then "what does it cost?")."""

    def name(self) -> str:
        return names.ACTION_ASK_ELIGIBILITY_CITY

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if choices_shown_this_turn(tracker):
            return []
        pending = tracker.get_slot(names.SLOT_AMBIGUOUS_CITY)
        gazetteer = get_services().gazetteer()
        lang = current_language(tracker)
        offered = (
            await asyncio.to_thread(which_one.candidates, pending, gazetteer, lang)
            if pending
            else []
        )
        if not offered:
            dispatcher.utter_message(response=names.UTTER_ASK_CITY)
            return []
        utter_choices(pending, offered, dispatcher, lang, True)
        return []


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
        lang = current_language(tracker)
        buttons = [
            {
                "title": country_name(code, lang),
                "payload": inform_payload({names.ENTITY_COUNTRY: code}),
            }
            for code in get_services().facts().eligible_countries
        ]
        dispatcher.utter_message(response=names.UTTER_ASK_COUNTRY, buttons=buttons)
        return []
