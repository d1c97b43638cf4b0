"""The language switch on request (Rasa sets the slot itself: see
tests/web/test_rasa_nlu_language.py)."""

from __future__ import annotations

from action_helpers import make_tracker, uttered

from actions import names
from actions.language import ActionChangeLanguage


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
