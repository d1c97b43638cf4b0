"""The conversation language as the actions read it, and the switch on request.

Rasa sets the ``language`` slot itself on each user turn where the language is known
(assistant/rasa_runtime/language.py: an explicit request, else the language the web app
decided for the turn, knowledge.language.turn_language, which holds the precedence).
The actions only read it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names
from knowledge.language import LANGUAGES


def normalise_language(value: Any) -> str | None:
    """``"fr"`` -> ``"fr"``; None if not en/fr/es. Rasa's NLU component has already
    turned a requested language's name ("français", "Spanish") into its code."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text if text in LANGUAGES else None


def current_language(tracker: Tracker) -> str:
    """The language slot, or English when it is unset or invalid."""
    value = normalise_language(tracker.get_slot(names.SLOT_LANGUAGE))
    return value or names.DEFAULT_LANGUAGE


def requested_language(tracker: Tracker) -> str | None:
    """The language the user asks for in this message (change_language + entity)."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == names.ENTITY_LANGUAGE:
            code = normalise_language(entity.get("value"))
            if code:
                return code
    return None


def intent_name(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


class ActionChangeLanguage(Action):
    """Confirms the switch in the new language (slot already set) or asks which."""

    def name(self) -> str:
        return names.ACTION_CHANGE_LANGUAGE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        wanted = requested_language(tracker)
        if wanted is None:
            dispatcher.utter_message(response=names.UTTER_ASK_WHICH_LANGUAGE)
            return []
        dispatcher.utter_message(response=names.UTTER_LANGUAGE_CHANGED)
        # Lets the widget switch its own interface strings too.
        dispatcher.utter_message(json_message={"language": wanted})
        if tracker.get_slot(names.SLOT_LANGUAGE) != wanted:
            return [SlotSet(names.SLOT_LANGUAGE, wanted)]
        return []
