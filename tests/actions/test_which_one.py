"""A region typed after the "which one?" buttons (Springfield) picks the candidate."""

from __future__ import annotations

from typing import Any

import pytest
from action_helpers import make_tracker, uttered
from rasa_sdk.events import SlotSet

from actions import names
from actions.eligibility import ValidateEligibilityForm
from actions.places import match_dict
from actions.which_one import named_region
from assistant.core.services import get_services

FORM = "eligibility_form"


def which_one(
    text: str,
    pending: str,
    language: str = "en",
    intent: str = "inform",
    entities: dict[str, str] | None = None,
):
    """The user's typed answer to the buttons offered for ``pending``.

    ``entities`` are what NLU found; their from_entity mappings already set the
    slots before the form validates, as Rasa does.
    """
    entities = entities or {}
    tracker = make_tracker(
        text,
        intent,
        entities=[{"entity": k, "value": v} for k, v in entities.items()],
        active_loop=FORM,
        requested_slot="city",
        ambiguous_city=pending,
        language=language,
        **entities,
    )
    tracker.events = [{"event": "user", "text": text}] + [
        {"event": "slot", "name": k, "value": v} for k, v in entities.items()
    ]
    return tracker


def springfield_in(region: str) -> dict[str, Any]:
    (match,) = (
        get_services().gazetteer().lookup("Springfield", country="US", region=region)
    )
    return match_dict(match)


def picked(match: dict[str, Any]) -> list[SlotSet]:
    """The events of a candidate picked: its details, then the confirmation question."""
    return [
        SlotSet("city", match["name"]),
        SlotSet("country", match["country"]),
        SlotSet("region", match["region"]),
        SlotSet("population", match["population"]),
        SlotSet("city_match", match),
        SlotSet("city_confirmed", None),
        SlotSet("ambiguous_city", None),
        SlotSet("requested_slot", "city_confirmed"),
    ]


async def run_form(tracker, dispatcher, domain):
    return await ValidateEligibilityForm().run(dispatcher, tracker, domain)


# Live bug: "the one in Illinois" became a new city called "the one in Illinois".
@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("en", "the one in Illinois"),
        ("fr", "celle de l'Illinois"),
        ("es", "la de Illinois"),
    ],
)
async def test_region_typed_after_which_springfield_picks_illinois(
    dispatcher, domain, language, typed
):
    # NLU tags the state as a region: its mapping has already set the region slot.
    tracker = which_one(typed, "Springfield", language, entities={"region": "Illinois"})
    events = await run_form(tracker, dispatcher, domain)

    assert events == picked(springfield_in("Illinois"))
    assert (
        dispatcher.messages == []
    )  # next: "Springfield, Illinois, ...: is that right?"


@pytest.mark.parametrize(
    ("typed", "intent", "entities"),
    [
        # What NLU makes of a bare state name today: a city, at low confidence.
        ("Massachusetts", "nlu_fallback", {"city": "Massachusetts"}),
        ("Massachusetts", "inform", {}),
        ("MA", "inform", {}),
        ("la que está en Massachusetts", "inform", {}),
    ],
)
async def test_state_name_or_code_alone_picks_springfield_massachusetts(
    dispatcher, domain, typed, intent, entities
):
    tracker = which_one(typed, "Springfield", "es", intent, entities)
    events = await run_form(tracker, dispatcher, domain)

    assert events == picked(springfield_in("Massachusetts"))
    assert dispatcher.messages == []


async def test_pending_name_repeated_with_its_state_picks_that_one(dispatcher, domain):
    tracker = which_one(
        "the Springfield in Missouri",
        "Springfield",
        intent="check_eligibility",
        entities={"city": "Springfield"},
    )
    events = await run_form(tracker, dispatcher, domain)
    assert events == picked(springfield_in("Missouri"))


async def test_province_typed_after_which_laval_picks_laval_quebec(dispatcher, domain):
    tracker = which_one("Québec", "Laval", "fr")
    events = await run_form(tracker, dispatcher, domain)

    (match,) = get_services().gazetteer().lookup("Laval", country="CA")
    assert events == picked(match_dict(match))


async def test_state_without_that_city_keeps_the_name_and_the_state(dispatcher, domain):
    tracker = which_one("the one in Texas", "Springfield")
    events = await run_form(tracker, dispatcher, domain)

    assert not get_services().gazetteer().lookup("Springfield", region="Texas")
    assert events == [
        SlotSet("city", "Springfield"),
        SlotSet("city_match", None),
        SlotSet("city_confirmed", None),
        SlotSet("country", "US"),
        SlotSet("region", "Texas"),
        SlotSet("ambiguous_city", None),
        SlotSet("requested_slot", "population"),
    ]
    assert uttered(dispatcher) == [names.UTTER_CITY_UNKNOWN]
    assert dispatcher.messages[0]["city"] == "Springfield"


async def test_another_city_named_like_a_state_is_checked_as_that_city(
    dispatcher, domain
):
    # Puebla is a Mexican state and a city; no Springfield lies in that state.
    tracker = which_one("Puebla", "Springfield", "es", entities={"city": "Puebla"})
    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert (slots["city"], slots["country"]) == ("Puebla", "MX")
    assert slots["requested_slot"] == "city_confirmed"


async def test_question_naming_a_state_is_not_taken_as_the_answer(dispatcher, domain):
    tracker = which_one("Is Illinois eligible?", "Springfield", intent="ask_programme")
    events = await run_form(tracker, dispatcher, domain)
    assert not any(e["name"] == "city" and e["value"] for e in events)
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("the one in Illinois", "Illinois"),  # "in" is not Indiana
        ("celle de l'Illinois", "Illinois"),  # nor "de" Delaware
        ("IL", "IL"),
        ("la de Baja California Sur", "Baja California Sur"),
        ("Nuevo León", "Nuevo León"),
        ("Illinois or Missouri", None),
        ("the big one", None),
    ],
)
def test_named_region_finds_one_state_or_province(text, region):
    assert named_region(text, get_services().gazetteer()) == region


def halifax_nova_scotia() -> dict[str, Any]:
    (match,) = (
        get_services().gazetteer().lookup("Halifax", country="CA", region="Nova Scotia")
    )
    return match_dict(match)


# Live bug: "the first one" and "the Canadian one" became towns of those names ("I
# don't have the first one in my list of cities").
@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("en", "the first one"),
        ("en", "1"),
        ("en", "the biggest"),
        ("en", "the Canadian one"),
        ("fr", "la première"),
        ("fr", "la canadienne"),
        ("es", "la primera"),
        ("es", "la canadiense"),
    ],
)
async def test_position_or_adjective_picks_that_candidate(
    dispatcher, domain, language, typed
):
    tracker = which_one(typed, "Halifax", language, intent="nlu_fallback")
    events = await run_form(tracker, dispatcher, domain)

    assert events == picked(halifax_nova_scotia())
    assert dispatcher.messages == []


async def test_a_position_past_the_buttons_offers_them_again(dispatcher, domain):
    tracker = which_one("the fourth one", "Halifax")  # two Halifaxes offered
    events = await run_form(tracker, dispatcher, domain)

    assert not any(e["name"] == "city" and e["value"] for e in events)
    assert uttered(dispatcher) == [names.UTTER_WHICH_CITY_AGAIN]


# Live bug: "yes" to "which Halifax?" gave the verdict for Yasuj, Iran (one of its
# names is "Yes"), and "no" the verdict for Ho, Ghana.
@pytest.mark.parametrize(
    ("language", "typed", "intent"),
    [
        ("en", "yes", "affirm"),
        ("en", "no", "deny"),
        ("fr", "oui", "affirm"),
        ("es", "sí", "affirm"),
        ("en", "the small one", "inform"),  # no such place: an answer all the same
    ],
)
async def test_an_answer_that_picks_none_offers_the_same_choices_again(
    dispatcher, domain, language, typed, intent
):
    tracker = which_one(typed, "Halifax", language, intent=intent)
    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] is None
    assert slots.get("ambiguous_city", "Halifax") == "Halifax"
    assert slots.get("country") is None
    assert uttered(dispatcher) == [names.UTTER_WHICH_CITY_AGAIN]
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles[0].startswith("Halifax, ") and "Canad" in titles[0]
    assert len(titles) == 2


@pytest.mark.parametrize(
    ("typed", "lang", "offered"),
    [
        # A Spanish speaker typing "Monterey" almost surely means Monterrey.
        ("Monterey", "es", ["Monterrey", "Monterey"]),
        ("Monterey", "en", ["Monterey"]),
        # Nothing called so: the call's city one letter apart, in any language.
        ("Guadalajra", "en", ["Guadalajara"]),
        # A name of the visitor's country stays as it is.
        ("Laval", "fr", ["Laval", "Laval"]),
    ],
)
def test_the_places_offered_for_a_name(
    typed: str, lang: str, offered: list[str]
) -> None:
    from actions.which_one import candidates

    gazetteer = get_services().gazetteer()
    assert [m.name for m in candidates(typed, gazetteer, lang)] == offered
