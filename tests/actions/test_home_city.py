"""The visitor's own city said in passing, and the self-check that starts from it."""

from __future__ import annotations

import pytest
from action_helpers import make_tracker
from rasa_sdk.events import SlotSet

from actions.home_city import home_city
from actions.verdict import ActionResetEligibility


def city_in(text: str, name: str, value: str | None = None) -> list[dict]:
    start = text.index(name)
    return [
        {
            "entity": "city",
            "value": value or name,
            "start": start,
            "end": start + len(name),
        }
    ]


@pytest.mark.parametrize(
    ("text", "name", "ours"),
    [
        ("I'm from Tijuana, when is the deadline?", "Tijuana", True),
        (
            "hola, soy de la Ciudad de México, ¿cuándo cierra la convocatoria?",
            "Ciudad de México",
            True,
        ),
        (
            "Bonjour, je représente la ville de Laval. Qui peut postuler ?",
            "Laval",
            True,
        ),
        ("I am the mayor of Hamilton: what does the call cost?", "Hamilton", True),
        ("Trabajo para el municipio de Zapopan, ¿qué temas hay?", "Zapopan", True),
        ("our city is Halifax", "Halifax", True),
        ("Is Guadalajara paired with a German city?", "Guadalajara", False),
        ("can Ottawa apply?", "Ottawa", False),
        ("I'm interested in Toronto's pairing", "Toronto", False),
        ("we are paired with Lyon, can we apply again?", "Lyon", False),
        ("where is the office? I'm asking for Monterrey", "Monterrey", False),
    ],
)
def test_the_askers_city_is_told_from_a_city_asked_about(text, name, ours):
    found = home_city(text, city_in(text, name))
    assert found == (name if ours else None)


# Live bug: "hola, soy de la Ciudad de México, ¿cuándo cierra la convocatoria?" then
# "¿podemos aplicar?" asked again "¿Para qué ciudad (o municipio) pregunta?".
async def test_can_we_apply_checks_the_city_the_visitor_is_from(dispatcher, domain):
    tracker = make_tracker(
        "¿podemos aplicar?",
        "check_eligibility",
        language="es",
        home_city="Mexico City",
        city="Ottawa",
        eligibility_verdict="encouraged",
        active_loop=None,
    )
    events = await ActionResetEligibility().run(dispatcher, tracker, domain)
    assert SlotSet("city", "Mexico City") in events
    assert SlotSet("eligibility_verdict", None) in events


async def test_a_city_named_in_the_question_wins_over_the_visitors(dispatcher, domain):
    text = "can Ottawa apply?"
    tracker = make_tracker(
        text,
        "check_eligibility",
        entities=city_in(text, "Ottawa"),
        city="Ottawa",
        home_city="Tijuana",
    )
    events = await ActionResetEligibility().run(dispatcher, tracker, domain)
    assert not [e for e in events if e["name"] == "city"]  # Ottawa is kept
