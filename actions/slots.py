"""Helpers shared by the form validators: what the user typed for the requested slot."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names
from actions.language import current_language, intent_name
from assistant.core.services import get_services
from knowledge.language import fold_words
from knowledge.parsing import looks_like_a_question, parse_country, parse_yes_no

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 100
# "Oui", "no sé", "yes please": a bare yes or no is short.
_YES_NO_MAX_WORDS = 2
# "I'm Jane Doe", "c'est Marie", "me llamo Ana": the name is what follows.
_NAME_LEAD_IN = re.compile(
    r"^(?:(?:hi|hello|bonjour|hola)[,!]?\s+)?"
    r"(?:i am|i'm|my name is|it's|it is|this is|the contact is|"
    r"je suis|je m'appelle|moi c'est|c'est|mon nom est|"
    r"soy|me llamo|mi nombre es|es)\s+",
    re.IGNORECASE,
)


def typed_text(tracker: Tracker) -> str:
    """The message text, or "" for a button payload ("/affirm")."""
    text = (tracker.latest_message.get("text") or "").strip()
    return "" if text.startswith("/") else text


def answer_for(tracker: Tracker, slot: str, interruptions: bool = True) -> str | None:
    """The raw text answering ``slot`` when it is the requested one, else None.

    With ``interruptions`` a question, "stop" or a language switch is not taken as the
    answer: the form then rejects and the rules handle the interruption.
    """
    if tracker.get_slot(names.REQUESTED_SLOT) != slot:
        return None
    intent = intent_name(tracker)
    if intent == names.INTENT_STOP:
        return None
    if interruptions and (
        intent in names.INTERRUPTING_INTENTS or unsure_question(tracker)
    ):
        return None
    return typed_text(tracker) or None


def unsure_question(tracker: Tracker) -> bool:
    """A question the NLU was unsure of ("how much does it cost?" is nlu_fallback,
    with or without its "?"): in a form the knowledge engine answers it (data/rules),
    and it answers no slot: "In which country is how much does it cost??" was asked.
    Any other unsure message in a form is the form's answer (actions/answers.py:
    answers_the_form reads it so too)."""
    unsure = intent_name(tracker) in names.UNSURE_INTENTS
    return unsure and looks_like_a_question(typed_text(tracker))


def answer_or_entity(tracker: Tracker, slot: str, entity: str) -> dict[str, Any]:
    """``{slot: value}`` from the entity (a button) or the text, when it is requested.

    For forms whose slots entities do not fill by themselves (domain conditions).
    """
    if tracker.get_slot(names.REQUESTED_SLOT) != slot:
        return {}
    found = entity_value(tracker, entity)
    # NLU often reads a bare "Laval" as check_eligibility: the entity still answers.
    named = found is not None and not typed_text(tracker).endswith("?")
    if intent_name(tracker) in names.INTERRUPTING_INTENTS and not named:
        return {}
    value = found or typed_text(tracker)
    return {slot: value} if value else {}


def entity_value(tracker: Tracker, entity: str) -> str | None:
    for item in tracker.latest_message.get("entities") or []:
        if item.get("entity") == entity and item.get("value"):
            return str(item["value"])
    return None


def yes_no(tracker: Tracker, value: Any) -> bool | None:
    """A yes/no answer from the intent (buttons send /affirm, /deny) or the text."""
    if isinstance(value, bool):
        return value
    intent = intent_name(tracker)
    if intent == names.INTENT_AFFIRM:
        return True
    if intent == names.INTENT_DENY:
        return False
    if not isinstance(value, str):
        return None
    return parse_yes_no(value, current_language(tracker))


async def only_yes_or_no(tracker: Tracker, value: Any) -> bool:
    """Whether ``value``, given where a city is asked, is a bare yes or no ("yes",
    "Oui", "sure", "no sé"): no city named in the message, two words at most that
    read as yes or no (by their words, or by the NLU's affirm/deny for the whole
    message), and no city of the gazetteer called exactly that. The gazetteer has
    "Yes" as a name of Yasuj, Iran and "No" of Ho, Ghana; a town really named so
    still counts."""
    if not isinstance(value, str) or entity_value(tracker, names.ENTITY_CITY):
        return False
    text = value.strip()
    if not text or len(text.split()) > _YES_NO_MAX_WORDS:
        return False
    said = intent_name(tracker) in (names.INTENT_AFFIRM, names.INTENT_DENY)
    whole = fold_words(text) == fold_words(typed_text(tracker))
    if not (said and whole) and parse_yes_no(text, current_language(tracker)) is None:
        return False
    try:
        matches = await asyncio.to_thread(
            lambda: get_services().gazetteer().lookup(text)
        )
    except Exception:
        logger.exception("gazetteer lookup failed for %r", text)
        matches = []
    # The gazetteer also matches alternate names ("yes" finds Yasuj): only a city
    # with exactly this name makes the answer a place.
    return not any(fold_words(m.name) == fold_words(text) for m in matches)


def yes_no_answer(tracker: Tracker, slot: str) -> Any:
    """Extraction for a yes/no slot: the intent or the text, when it is requested."""
    if tracker.get_slot(names.REQUESTED_SLOT) != slot:
        return None
    intent = intent_name(tracker)
    if intent in (names.INTENT_AFFIRM, names.INTENT_DENY):
        return intent == names.INTENT_AFFIRM
    return answer_for(tracker, slot)


def clean_text(value: Any, max_chars: int = MAX_TEXT_CHARS) -> str | None:
    """Trimmed text with at least one letter and at most ``max_chars``, else None."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > max_chars or not any(ch.isalpha() for ch in text):
        return None
    return text


# Characters no place name has: markup and payload syntax ("<script>", "{", "/").
_NOT_IN_PLACE_NAMES = frozenset('<>{}[]"\\|`=@#$%^*~/')


def place_name(value: Any) -> str | None:
    """:func:`clean_text` that also refuses markup and payload syntax: such a "city"
    would otherwise be looked up, asked about ("In which country is <script>...?")
    and saved."""
    text = clean_text(value)
    if text is None or _NOT_IN_PLACE_NAMES.intersection(text):
        return None
    return text


def response_text(domain: DomainDict, response: str, lang: str) -> str | None:
    """The text of a domain response in ``lang`` (its English default otherwise)."""
    default = None
    for variation in (domain.get("responses") or {}).get(response, []):
        conditions = variation.get("condition") or []
        if not conditions:
            default = default or variation.get("text")
            continue
        if any(
            c.get("name") == names.SLOT_LANGUAGE and c.get("value") == lang
            for c in conditions
        ):
            return variation.get("text")
    return default


def strip_name_lead_in(text: str) -> str:
    """ "I'm Jane Doe" -> "Jane Doe"; a bare name is returned unchanged."""
    stripped = _NAME_LEAD_IN.sub("", text.strip(), count=1).strip(" .!")
    return stripped or text.strip()


def country_slot(value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """The country slot from a name in any of the three languages, or a re-ask."""
    code = parse_country(value) if isinstance(value, str) else None
    if code is None:
        dispatcher.utter_message(response=names.UTTER_INVALID_COUNTRY)
    return {names.SLOT_COUNTRY: code}
