"""The draft application: form validation, the themes question and saving the draft."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names
from actions.answers import contact_kwargs
from actions.language import current_language, intent_name
from actions.slots import (
    answer_for,
    answer_or_entity,
    clean_text,
    country_slot,
    entity_value,
    strip_name_lead_in,
    typed_text,
)
from actions.themes import parse_themes, theme_choices
from assistant.core.services import get_services

logger = logging.getLogger(__name__)

MAX_EMAIL_CHARS = 254
MAX_MOTIVATION_CHARS = 1000
MIN_MOTIVATION_CHARS = 10
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)

# What the draft keeps from the conversation (the web API uses the same field names).
DRAFT_FIELDS = (
    names.SLOT_CITY,
    names.SLOT_COUNTRY,
    names.SLOT_REGION,
    names.SLOT_POPULATION,
    names.SLOT_GROUP,
    names.SLOT_CONTACT_NAME,
    names.SLOT_CONTACT_EMAIL,
    names.SLOT_ROLE,
    names.SLOT_THEMES,
    names.SLOT_MOTIVATION,
)


def valid_email(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > MAX_EMAIL_CHARS or not _EMAIL.fullmatch(text):
        return None
    return text


class ValidateApplicationForm(FormValidationAction):
    """Collects contact name, e-mail, role, themes and motivation for a draft."""

    def name(self) -> str:
        return names.ACTION_VALIDATE_APPLICATION_FORM

    # Entities never fill city and country during the draft (see domain/core.yml):
    # only an answer to the question asked does.
    async def extract_city(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_or_entity(tracker, names.SLOT_CITY, names.ENTITY_CITY)

    async def extract_country(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_or_entity(tracker, names.SLOT_COUNTRY, names.ENTITY_COUNTRY)

    async def extract_contact_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = answer_for(tracker, names.SLOT_CONTACT_NAME)
        return {names.SLOT_CONTACT_NAME: text} if text else {}

    async def extract_contact_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot(names.REQUESTED_SLOT) != names.SLOT_CONTACT_EMAIL:
            return {}
        value = entity_value(tracker, names.ENTITY_EMAIL)
        if value is None:
            found = _EMAIL.search(typed_text(tracker))
            value = (
                found.group(0)
                if found
                else answer_for(tracker, names.SLOT_CONTACT_EMAIL)
            )
        return {names.SLOT_CONTACT_EMAIL: value} if value else {}

    async def extract_role(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = answer_for(tracker, names.SLOT_ROLE)
        return {names.SLOT_ROLE: text} if text else {}

    async def extract_themes(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot(names.REQUESTED_SLOT) != names.SLOT_THEMES:
            return {}
        if intent_name(tracker) == names.INTENT_STOP:
            return {}
        # A theme named is an answer even if NLU took "circular economy" for a question.
        themes = parse_themes(typed_text(tracker), domain)
        if themes:
            return {names.SLOT_THEMES: themes}
        text = answer_for(tracker, names.SLOT_THEMES)
        return {names.SLOT_THEMES: text} if text else {}

    async def extract_motivation(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # A motivation often reads like a programme question: only a real question
        # (ending with "?") counts as an interruption here.
        text = typed_text(tracker)
        interruption = text.endswith("?")
        value = answer_for(tracker, names.SLOT_MOTIVATION, interruptions=interruption)
        return {names.SLOT_MOTIVATION: value} if value else {}

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
        return {names.SLOT_CITY: city}

    async def validate_country(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return country_slot(value, dispatcher)

    async def validate_contact_name(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if isinstance(value, str):
            value = strip_name_lead_in(value)
        return {names.SLOT_CONTACT_NAME: self._text(value, dispatcher)}

    async def validate_role(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return {names.SLOT_ROLE: self._text(value, dispatcher)}

    async def validate_contact_email(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        email = valid_email(value)
        if email is None:
            dispatcher.utter_message(response=names.UTTER_INVALID_EMAIL)
        return {names.SLOT_CONTACT_EMAIL: email}

    async def validate_themes(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        known = {theme_id for theme_id, _ in theme_choices(domain, "en")}
        if isinstance(value, str):
            value = parse_themes(value, domain)
        themes = (
            [t for t in value or [] if t in known] if isinstance(value, list) else []
        )
        if not themes:
            dispatcher.utter_message(response=names.UTTER_INVALID_THEMES)
            return {names.SLOT_THEMES: None}
        return {names.SLOT_THEMES: themes}

    async def validate_motivation(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = clean_text(value, MAX_MOTIVATION_CHARS)
        if text is None or len(text) < MIN_MOTIVATION_CHARS:
            dispatcher.utter_message(
                response=names.UTTER_INVALID_MOTIVATION,
                max_chars=MAX_MOTIVATION_CHARS,
            )
            return {names.SLOT_MOTIVATION: None}
        return {names.SLOT_MOTIVATION: text}

    @staticmethod
    def _text(value: Any, dispatcher: CollectingDispatcher) -> str | None:
        text = clean_text(value)
        if text is None:
            dispatcher.utter_message(response=names.UTTER_INVALID_TEXT)
        return text


class ActionAskThemes(Action):
    """Asks for the themes with one button per theme of the call, plus "other"."""

    def name(self) -> str:
        return names.ACTION_ASK_THEMES

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lang = current_language(tracker)
        # The payload is the theme id: parse_themes reads it back in any language.
        buttons = [
            {"title": label, "payload": theme_id}
            for theme_id, label in theme_choices(domain, lang)
        ]
        dispatcher.utter_message(response=names.UTTER_ASK_THEMES, buttons=buttons)
        return []


class ActionSaveDraft(Action):
    """Saves the draft and announces it without its token.

    The draft is saved *unclaimed* (no token opens it) and the message carries the
    link without its token plus ``{"draft": {"id": ...}}``: Rasa stores both in the
    tracker, so neither may hold a secret. The web app claims the draft in the same
    turn (``DraftStore.claim``) and puts the token into the link in its reply only
    (assistant/web/draft_link.py). The token thus never reaches Rasa's tracker store
    or its HTTP API.
    """

    def name(self) -> str:
        return names.ACTION_SAVE_DRAFT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        from assistant.core.drafts import draft_url

        fields = {slot: tracker.get_slot(slot) for slot in DRAFT_FIELDS}
        fields = {key: value for key, value in fields.items() if value is not None}
        fields["language"] = current_language(tracker)
        try:
            draft = await asyncio.to_thread(
                lambda: get_services().drafts().create_unclaimed(fields)
            )
        except Exception:
            logger.exception("could not save the draft")
            dispatcher.utter_message(
                response=names.UTTER_DRAFT_FAILED, **contact_kwargs()
            )
            return []
        link = draft_url(get_services().public_url(), draft.id)
        dispatcher.utter_message(response=names.UTTER_DRAFT_SAVED, link=link)
        dispatcher.utter_message(json_message={"draft": {"id": draft.id}})
        return [SlotSet(names.SLOT_DRAFT_ID, draft.id)]
