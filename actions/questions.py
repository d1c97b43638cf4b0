"""The self-check's custom questions: confirming the city, choosing the country."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names
from actions.language import current_language
from actions.places import format_population, inform_payload, place_label
from assistant.core.services import get_services


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
            for code in get_services().facts().eligible_countries
        ]
        dispatcher.utter_message(response=names.UTTER_ASK_COUNTRY, buttons=buttons)
        return []
