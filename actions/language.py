"""The conversation language: set on every user turn, switched on request.

Order of precedence for each user message:
1. an explicit request ("en français s'il vous plaît": intent change_language + entity);
2. the interface language the channel sends as metadata {"language": "fr"};
3. the language detected from the text, only for messages long enough to tell;
otherwise the current value is kept ("ok", "150k", "Ottawa" say nothing about it).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker, ValidationAction
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names

# Fewer words than this and detection guesses ("Ottawa", "oui merci").
MIN_WORDS_TO_DETECT = 3

# Names of the languages as users write them, by prefix (entity synonyms normally map
# them already; this catches the unmapped ones).
_PREFIXES = {
    "en": ("en", "eng", "ang", "ing"),
    "fr": ("fr",),
    "es": ("es", "sp", "castel"),
}


def normalise_language(value: Any) -> str | None:
    """``"fr"``, ``"French"``, ``"francés"`` -> ``"fr"``; None if not en/fr/es."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in names.LANGUAGES:
        return text
    for code, prefixes in _PREFIXES.items():
        if len(text) >= 4 and text.startswith(prefixes):
            return code
    return None


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


def metadata_language(tracker: Tracker) -> str | None:
    metadata = tracker.latest_message.get("metadata") or {}
    if not isinstance(metadata, dict):
        return None
    return normalise_language(metadata.get("language"))


def detected_language(text: str | None) -> str | None:
    """The language of a long enough message, or None when it cannot be told."""
    if not text or text.startswith("/"):
        return None
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    if len(words) < MIN_WORDS_TO_DETECT:
        return None
    try:
        from knowledge.language import detect
    except ImportError:  # the knowledge library is not installed
        return None
    # An empty default tells "unclear" apart from a real detection.
    code = detect(text, default="")
    return code or None


def intent_name(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


class ValidateSlotMappings(ValidationAction):
    """Global slot extraction run by Rasa after every user message."""

    def name(self) -> str:
        return names.ACTION_VALIDATE_SLOT_MAPPINGS

    def domain_slots(self, domain: DomainDict) -> list[str]:
        # Only the language is global; form slots are handled by the form validators.
        return [names.SLOT_LANGUAGE]

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        new = None
        if intent_name(tracker) == names.INTENT_CHANGE_LANGUAGE:
            new = requested_language(tracker)
        new = new or metadata_language(tracker)
        new = new or detected_language(tracker.latest_message.get("text"))
        if new is None or new == tracker.get_slot(names.SLOT_LANGUAGE):
            return {}
        return {names.SLOT_LANGUAGE: new}


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
