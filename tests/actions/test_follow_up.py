"""A follow-up naming only another city asks the previous question of it."""

from __future__ import annotations

from typing import Any

from action_helpers import FakeAnswerer, FakeHit, FakeResult, make_tracker
from rasa_sdk import Tracker

from actions import names
from actions.answers import ActionAnswerQuestion
from actions.follow_up import FollowUp, follow_up
from assistant.core.services import get_services


def named(text: str, *cities: str) -> list[dict[str, Any]]:
    return [
        {
            "entity": "city",
            "value": city,
            "start": text.index(city),
            "end": text.index(city) + len(city),
        }
        for city in cities
    ]


def said(
    text: str, *cities: str, intent: str = "nlu_fallback", **slots: Any
) -> Tracker:
    return make_tracker(text, intent, named(text, *cities), **slots)


PAIRED = {"text": "Is Ottawa paired with a French city?", "start": 3, "end": 9}


def test_a_follow_up_asks_the_question_remembered_of_its_city() -> None:
    for text in (
        "and Gatineau?",
        "et Gatineau ?",
        "¿y Gatineau?",
        "what about Gatineau?",
    ):
        tracker = said(text, "Gatineau", city_question=PAIRED)
        assert follow_up(tracker) == FollowUp(
            "Is Gatineau paired with a French city?", [(3, 11)]
        )


def test_after_a_self_check_a_follow_up_is_the_next_city_s_self_check() -> None:
    tracker = said("et Laval ?", "Laval", eligibility_verdict="encouraged")
    assert follow_up(tracker) == FollowUp(None, [])


def test_what_is_no_follow_up_is_left_alone() -> None:
    for tracker in (
        said("¿y cuál es la fecha límite para Laval?", "Laval", city_question=PAIRED),
        said("and Laval?", "Laval"),  # nothing asked before
        said(
            "and Laval?", "Laval", city_question=PAIRED, active_loop="eligibility_form"
        ),
    ):
        assert follow_up(tracker) is None


RULE = FakeHit("eligibility-who-can-apply", 0.9, "Who?", "Cities in...", "call-page")
PAIRS = FakeHit("pairs-canada", 0.95, "Pairs?", "Ottawa–Malmö...", "call-page")


async def test_and_laval_after_a_verdict_goes_on_to_lavals_self_check(
    dispatcher, domain
):
    # Live: "and Laval?" after Québec's verdict got "Sorry, I can only help with...".
    get_services().override("answerer", FakeAnswerer(FakeResult(False, "en", [])))
    tracker = said(
        "and Laval?", "Laval", eligibility_verdict="encouraged", city="Québec"
    )
    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert events == [
        {"event": "followup", "name": "action_reset_eligibility", "timestamp": None}
    ]
    assert dispatcher.messages == []


async def test_a_question_naming_a_city_is_remembered_then_asked_again(
    dispatcher, domain
):
    answerer = FakeAnswerer(FakeResult(True, "en", [PAIRS]))
    get_services().override("answerer", answerer)
    first = said(PAIRED["text"], "Ottawa", intent="ask_programme")
    events = await ActionAnswerQuestion().run(dispatcher, first, domain)
    remembered = [e for e in events if e.get("name") == names.SLOT_CITY_QUESTION]
    assert remembered[0]["value"] == {**PAIRED, "entry": "pairs-canada"}

    again = said("what about Gatineau?", "Gatineau", city_question=PAIRED)
    await ActionAnswerQuestion().run(dispatcher, again, domain)
    assert answerer.calls[-2]["text"] == "Is Gatineau paired with a French city?"
    assert dispatcher.messages[-3]["text"] == "Ottawa–Malmö..."


async def test_a_follow_up_of_a_countrys_pairs_gets_the_new_citys_countrys(
    dispatcher, domain
):
    # Journey walk: "¿y Puebla?" after Ottawa's pairs read "¿Está mi ciudad
    # hermanada con una ciudad europea?" as "am I a European city?": Puebla's
    # self-check. Now Mexico's pairs.
    eu_city = FakeHit("other-regions-eu-city", 0.6, "EU?", "No...", "s")
    answerer = FakeAnswerer(FakeResult(True, "es", [eu_city]))
    get_services().override("answerer", answerer)
    earlier = {**PAIRED, "entry": "pairs-canada"}
    again = said("¿y Puebla?", "Puebla", city_question=earlier)
    events = await ActionAnswerQuestion().run(dispatcher, again, domain)
    assert not [e for e in events if e.get("event") == "followup"]
    assert dispatcher.messages[0]["text"] == "pairs-mexico"
