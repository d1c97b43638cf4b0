"""The draft application: form validation, the themes question and saving the draft."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names
from actions.language import current_language, intent_name
from actions.replies import contact_kwargs
from actions.slots import (
    answer_for,
    answer_or_entity,
    country_slot,
    entity_value,
    only_yes_or_no,
    place_name,
    strip_name_lead_in,
    typed_text,
)
from actions.themes import theme_choices
from assistant.core.draft_fields import (
    EMAIL,
    MOTIVATION_MAX,
    field_value,
    valid_value,
)
from assistant.core.services import get_services
from assistant.core.themes import parse_themes, theme_ids

logger = logging.getLogger(__name__)

# The dialogue's slots -> the draft's fields: the one mapping. Each field's limits
# and normalisation are assistant/core/draft_fields.py's, shared with the drafts API.
SLOT_TO_FIELD = {
    names.SLOT_CITY: "city",
    names.SLOT_COUNTRY: "country",
    names.SLOT_REGION: "region",
    names.SLOT_POPULATION: "population",
    names.SLOT_GROUP: "group_of_municipalities",
    names.SLOT_CONTACT_NAME: "contact_name",
    names.SLOT_CONTACT_EMAIL: "contact_email",
    names.SLOT_ROLE: "role",
    names.SLOT_THEMES: "themes",
    names.SLOT_MOTIVATION: "motivation",
}


def valid_email(value: Any) -> str | None:
    return valid_value("contact_email", value) if isinstance(value, str) else None


def draft_fields(slots: dict[str, Any], lang: str) -> dict[str, Any]:
    """The draft's fields from the form's slots, normalised as the API would store them.

    A slot the model refuses (it cannot happen after the form's own checks) is left
    out and logged rather than losing the whole draft."""
    fields: dict[str, Any] = {"language": lang}
    for slot, name in SLOT_TO_FIELD.items():
        value = slots.get(slot)
        if value is None or value == names.POPULATION_UNKNOWN:
            continue
        try:
            fields[name] = field_value(name, value)
        except ValidationError:
            logger.warning("draft: slot %s refused by the draft model", slot)
    return fields


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
            found = EMAIL.search(typed_text(tracker))
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
        # validate_themes reads the text itself (ids and any theme of the user's own).
        typed = typed_text(tracker)
        if parse_themes(typed):
            return {names.SLOT_THEMES: typed}
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
        city = valid_value("city", place_name(value))
        if city is not None and await only_yes_or_no(tracker, city):
            city = None  # "Oui" answered the question before; it names no city
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
        return {names.SLOT_CONTACT_NAME: self._text("contact_name", value, dispatcher)}

    async def validate_role(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return {names.SLOT_ROLE: self._text("role", value, dispatcher)}

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
        # An answer naming no theme of the call is asked again; one that does is
        # stored as the draft model reads it (ids, and any theme of the user's own).
        known = set(theme_ids())
        themes = valid_value("themes", value) or []
        if not any(theme in known for theme in themes):
            themes = []
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
        text = valid_value("motivation", value) if isinstance(value, str) else None
        if text is None:
            dispatcher.utter_message(
                response=names.UTTER_INVALID_MOTIVATION, max_chars=MOTIVATION_MAX
            )
            return {names.SLOT_MOTIVATION: None}
        return {names.SLOT_MOTIVATION: text}

    @staticmethod
    def _text(field: str, value: Any, dispatcher: CollectingDispatcher) -> str | None:
        # The draft model's rule for a one-line field (letters, at most 200 characters).
        text = valid_value(field, value) if isinstance(value, str) else None
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

        slots = {slot: tracker.get_slot(slot) for slot in SLOT_TO_FIELD}
        fields = draft_fields(slots, current_language(tracker))
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
