"""A namesake picked by the province or country the conversation already knows."""

from __future__ import annotations

import pytest
from action_helpers import make_tracker
from rasa_sdk.events import SlotSet

from actions.verdict import ActionResetEligibility

LAVAL = [{"entity": "city", "value": "Laval", "start": 3, "end": 8}]


def _set(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    ("region", "country"),
    [("Quebec", "CA"), ("Ontario", "CA"), (None, "CA")],
)
async def test_and_laval_after_a_canadian_verdict_is_laval_quebec_to_confirm(
    dispatcher, domain, region, country
):
    # Live: "et Laval ?" after Québec's verdict asked "which Laval?" (Québec, France).
    tracker = make_tracker(
        "et Laval ?",
        "check_eligibility",
        LAVAL,
        city="Québec",
        region=region,
        country=country,
        eligibility_verdict="encouraged",
    )
    events = await ActionResetEligibility().run(dispatcher, tracker, domain)
    slots = _set(events)
    assert (slots["city"], slots["region"], slots["country"]) == (
        "Laval",
        "Quebec",
        "CA",
    )
    assert slots["city_match"]["population"] > 400_000
    assert slots["city_confirmed"] is None  # confirmed by the visitor, not assumed
    assert SlotSet("eligibility_verdict", None) in events


@pytest.mark.parametrize(
    ("region", "country"),
    [("Nuevo León", "MX"), (None, None)],
)
async def test_no_known_place_or_none_with_a_laval_leaves_the_choice(
    dispatcher, domain, region, country
):
    tracker = make_tracker(
        "¿y Laval?",
        "check_eligibility",
        LAVAL,
        city="Monterrey",
        region=region,
        country=country,
    )
    slots = _set(await ActionResetEligibility().run(dispatcher, tracker, domain))
    assert slots.get("city_match") is None and "Laval" not in str(slots)
    assert slots.get("region") is None  # the last check's place is forgotten


async def test_after_a_french_citys_check_laval_is_still_asked_about(
    dispatcher, domain
):
    # Laval, France would end in "outside the call" unasked; Laval, Québec is of
    # the call's size (actions/eligibility_checks.py: unless_one_in_the_call).
    tracker = make_tracker("et Laval ?", "check_eligibility", LAVAL, country="FR")
    slots = _set(await ActionResetEligibility().run(dispatcher, tracker, domain))
    assert slots.get("city_match") is None and slots["country"] is None


async def test_a_place_named_in_the_message_wins(dispatcher, domain):
    entities = [*LAVAL, {"entity": "country", "value": "FR", "start": 12, "end": 18}]
    tracker = make_tracker(
        "et Laval en France ?",
        "check_eligibility",
        entities,
        region="Quebec",
        country="CA",
    )
    slots = _set(await ActionResetEligibility().run(dispatcher, tracker, domain))
    assert slots.get("city_match") is None and slots["country"] == "FR"
