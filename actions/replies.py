"""How an answer from the knowledge base is said: its text, entry id and source, the
"did you mean" buttons, and the programme contact for the replies that give it."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions import names
from assistant.core.records.payload import knowledge_payload
from assistant.core.services import get_services
from knowledge.sources import source_info

logger = logging.getLogger(__name__)

# How many "did you mean" buttons to offer at most.
MAX_SUGGESTIONS = 3


def contact_kwargs() -> dict[str, str]:
    """Template variables for responses that point to the programme contact."""
    try:
        facts = get_services().facts()
    except Exception:  # the reply still goes out, without the contact details
        logger.exception("call facts unavailable")
        return {"contact_url": "", "contact_email": ""}
    return {
        "contact_url": facts.contact_url or "",
        "contact_email": facts.contact_email or "",
    }


def suggestion_buttons(hits: list[Any], exclude: str | None) -> list[dict[str, str]]:
    """Buttons whose payload is the suggested question: sending it asks it."""
    buttons = []
    seen = {exclude}
    for hit in hits:
        if hit.entry_id in seen or not hit.question:
            continue
        seen.add(hit.entry_id)
        buttons.append({"title": hit.question, "payload": hit.question})
        if len(buttons) == MAX_SUGGESTIONS:
            break
    return buttons


def utter_answer(
    dispatcher: CollectingDispatcher, result: Any, lang: str, suggestions: bool = True
) -> None:
    """The best hit's answer, its entry id (for the web gateway and the journey
    benchmark), its source, then "did you mean" buttons."""
    best = result.hits[0]
    # {"turn"}: the entry and scores the app records for the staff console.
    dispatcher.utter_message(
        text=best.answer, json_message={"turn": knowledge_payload(result)}
    )
    dispatcher.utter_message(json_message={"answer_id": best.entry_id})
    if best.source:
        source = source_info(best.source, lang).to_json()
        dispatcher.utter_message(json_message={"sources": [source]})
    buttons = suggestion_buttons(result.suggestions, exclude=best.entry_id)
    if buttons and suggestions:
        dispatcher.utter_message(response=names.UTTER_DID_YOU_MEAN, buttons=buttons)
