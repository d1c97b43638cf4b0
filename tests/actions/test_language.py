"""The language slot: explicit request > channel metadata > detection > kept."""

from __future__ import annotations

import pytest
from action_helpers import make_tracker, uttered

from actions import names
from actions.language import ActionChangeLanguage, ValidateSlotMappings


async def extract(tracker, dispatcher, domain):
    return await ValidateSlotMappings().extract_language(dispatcher, tracker, domain)


async def test_metadata_sets_the_language(dispatcher, domain):
    tracker = make_tracker("hello", "greet", metadata={"language": "es"})
    assert await extract(tracker, dispatcher, domain) == {"language": "es"}


async def test_explicit_request_wins_over_metadata(dispatcher, domain):
    tracker = make_tracker(
        "en français s'il vous plaît",
        "change_language",
        entities=[{"entity": "language", "value": "français"}],
        metadata={"language": "en"},
    )
    assert await extract(tracker, dispatcher, domain) == {"language": "fr"}


async def test_long_french_text_is_detected(dispatcher, domain):
    tracker = make_tracker("quelle est la date limite pour postuler", "ask_deadline")
    assert await extract(tracker, dispatcher, domain) == {"language": "fr"}


@pytest.mark.parametrize("text", ["ok", "150k", "Ottawa", "/affirm"])
async def test_short_text_keeps_the_current_language(text, dispatcher, domain):
    tracker = make_tracker(text, "inform", language="es")
    assert await extract(tracker, dispatcher, domain) == {}


async def test_switch_is_confirmed_and_announced_to_the_widget(dispatcher, domain):
    tracker = make_tracker(
        "in English please",
        "change_language",
        entities=[{"entity": "language", "value": "en"}],
        language="en",
    )
    events = await ActionChangeLanguage().run(dispatcher, tracker, domain)
    assert events == []
    assert uttered(dispatcher) == [names.UTTER_LANGUAGE_CHANGED, None]
    assert dispatcher.messages[1]["custom"] == {"language": "en"}


async def test_switch_without_a_language_asks_which(dispatcher, domain):
    tracker = make_tracker("can you speak another language", "change_language")
    events = await ActionChangeLanguage().run(dispatcher, tracker, domain)
    assert events == []
    assert uttered(dispatcher) == [names.UTTER_ASK_WHICH_LANGUAGE]
