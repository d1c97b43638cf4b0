"""action_greet: the welcome, or the answer to the question that came with it."""

from __future__ import annotations

import pytest
from action_helpers import FakeAnswerer, FakeHit, FakeResult, make_tracker, uttered

from actions import names
from actions.greeting import ActionGreet, beyond_the_greeting
from assistant.core.services import get_services

DEADLINE = FakeHit(
    "deadline-date", 0.9, "When is the deadline?", "15 March 2019.", "call-page"
)


@pytest.mark.parametrize(
    ("text", "more"),
    [
        ("hi", False),
        ("Hello there!", False),
        ("Bonjour à tous", False),
        ("¡Hola! Buenos días", False),
        ("good morning team", False),
        ("hi, how are you?", True),  # asked; the engine declines it: the welcome
        ("Bonjour, qui peut postuler ?", True),
        ("hola, soy de la Ciudad de México, ¿cuándo cierra la convocatoria?", True),
        ("Buenos días, ¿qué es IUC?", True),
        ("hello I want to know the deadline", True),
    ],
)
def test_more_than_a_greeting(text, more):
    assert beyond_the_greeting(text) is more


# Live bug: "Bonjour, qui peut postuler ?" and "Buenos días, ¿qué es IUC?" got the
# welcome and no answer.
async def test_the_question_in_a_greeting_is_answered(dispatcher, domain):
    answerer = FakeAnswerer(FakeResult(True, "es", [DEADLINE]))
    get_services().override("answerer", answerer)
    text = "hola, soy de la Ciudad de México, ¿cuándo cierra la convocatoria?"
    tracker = make_tracker(text, "greet", language="es")

    events = await ActionGreet().run(dispatcher, tracker, domain)

    assert events == []
    assert [call["text"] for call in answerer.calls] == [text]
    assert dispatcher.messages[0]["text"] == "15 March 2019."
    assert names.UTTER_GREET not in uttered(dispatcher)


async def test_a_greeting_the_engine_declines_gets_the_welcome(dispatcher, domain):
    get_services().override("answerer", FakeAnswerer(FakeResult(False, "en", [])))
    tracker = make_tracker("hi, how are you?", "greet")

    events = await ActionGreet().run(dispatcher, tracker, domain)

    assert events == []
    assert uttered(dispatcher) == [names.UTTER_GREET]


async def test_a_bare_greeting_never_asks_the_engine(dispatcher, domain):
    answerer = FakeAnswerer(FakeResult(True, "en", [DEADLINE]))
    get_services().override("answerer", answerer)

    await ActionGreet().run(dispatcher, make_tracker("Hello there!", "greet"), domain)

    assert answerer.calls == []
    assert uttered(dispatcher) == [names.UTTER_GREET]
