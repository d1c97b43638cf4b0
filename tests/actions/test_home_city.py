"""The visitor's own city said in passing, and the self-check that starts from it."""

from __future__ import annotations

import pytest
from action_helpers import FakeAnswerer, FakeHit, FakeResult, make_tracker
from rasa_sdk.events import SlotSet

from actions.answers import ActionAnswerQuestion
from actions.home_city import home_city
from actions.verdict import ActionResetEligibility
from assistant.core.services import get_services


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


PAIRS = FakeHit(
    "pairs-mexico", 0.9, "Which Mexican cities are paired?", "Four...", "call-page"
)
WHO = FakeHit("eligibility-who-can-apply", 0.9, "Who can apply?", "Cities...", "s")


# Live bug: "I'm from Tijuana, ..." then "Is Guadalajara paired with a German city?"
# then "I want to start an application" asked "In which country is Guadalajara?".
@pytest.mark.parametrize(("home", "kept"), [("Tijuana", "Tijuana"), (None, None)])
async def test_a_city_only_asked_about_does_not_stay_the_city(
    dispatcher, domain, home, kept
):
    get_services().override("answerer", FakeAnswerer(FakeResult(True, "en", [PAIRS])))
    text = "Is Guadalajara paired with a German city?"
    tracker = make_tracker(
        text,
        "ask_programme",
        entities=city_in(text, "Guadalajara"),
        city="Guadalajara",
        home_city=home,
    )
    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert SlotSet("city", kept) in events
    assert dispatcher.messages[0]["text"] == "Four..."


async def test_a_city_whose_check_follows_stays_the_city(dispatcher, domain):
    get_services().override("answerer", FakeAnswerer(FakeResult(True, "en", [WHO])))
    text = "can Guadalajara apply?"
    tracker = make_tracker(
        text,
        "ask_programme",
        entities=city_in(text, "Guadalajara"),
        city="Guadalajara",
        home_city="Tijuana",
    )
    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert not [e for e in events if e.get("name") == "city"]
    assert events[-1]["name"] == "action_reset_eligibility"


# "Check another city" (a button: "/check_eligibility") after the verdict for the
# visitor's own city, or typed right after it: another city is wanted.
@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("/check_eligibility", {}),
        ("can we apply?", {"city": "Tijuana", "eligibility_verdict": "encouraged"}),
    ],
)
async def test_another_check_asks_which_city(dispatcher, domain, text, slots):
    tracker = make_tracker(text, "check_eligibility", home_city="Tijuana", **slots)
    events = await ActionResetEligibility().run(dispatcher, tracker, domain)
    assert SlotSet("city", "Tijuana") not in events
