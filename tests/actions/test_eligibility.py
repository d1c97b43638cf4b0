"""The eligibility form validator, the confirmation question and the verdict."""

from __future__ import annotations

import pytest
from action_helpers import (
    FakeAnswerer,
    FakeHit,
    FakeResult,
    city_entities,
    make_tracker,
    uttered,
)
from rasa_sdk.events import SlotSet

from actions import names
from actions.eligibility import ValidateEligibilityForm
from actions.questions import ActionAskCityConfirmed, ActionAskCountry
from actions.verdict import ActionEligibilityVerdict, ActionResetEligibility
from assistant.core.services import get_services

FORM = "eligibility_form"


def asking(slot: str, text: str, intent: str = "inform", **kwargs):
    return make_tracker(text, intent, active_loop=FORM, requested_slot=slot, **kwargs)


async def run_form(tracker, dispatcher, domain):
    return await ValidateEligibilityForm().run(dispatcher, tracker, domain)


async def test_ottawa_is_prefilled_from_the_gazetteer_and_confirmed(dispatcher, domain):
    events = await run_form(asking("city", "Ottawa"), dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] == "Ottawa"
    assert slots["country"] == "CA"
    assert slots["region"] == "Ontario"
    assert slots["population"] > 1_000_000
    assert slots["requested_slot"] == "city_confirmed"
    assert dispatcher.messages == []


async def test_ambiguous_city_offers_buttons_and_asks_again(dispatcher, domain):
    events = await run_form(asking("city", "Springfield"), dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] is None
    assert slots["requested_slot"] == "city"
    assert uttered(dispatcher) == [names.UTTER_WHICH_CITY]
    buttons = dispatcher.messages[0]["buttons"]
    assert len(buttons) > 1
    assert buttons[0]["payload"].startswith('/inform{"city": "Springfield"')
    assert "United States" in buttons[0]["title"]


async def test_confirmation_question_names_place_and_rounded_population(
    dispatcher, domain
):
    tracker = make_tracker(
        city="Ottawa", region="Ontario", country="CA", population=1017449
    )
    assert await ActionAskCityConfirmed().run(dispatcher, tracker, domain) == []
    message = dispatcher.messages[0]
    assert message["response"] == names.UTTER_CONFIRM_CITY
    assert message["place"] == "Ottawa, Ontario, Canada"
    assert message["population"] == "1,017,000"


async def test_confirmation_in_french_formats_for_french(dispatcher, domain):
    tracker = make_tracker(
        city="Ottawa", region="Ontario", country="CA", population=1017449, language="fr"
    )
    await ActionAskCityConfirmed().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["population"].replace("\u202f", " ") == "1 017 000"


async def test_denied_confirmation_clears_the_prefilled_details(dispatcher, domain):
    tracker = asking(
        "city_confirmed",
        "no",
        "deny",
        city="Ottawa",
        country="CA",
        region="Ontario",
        population=1017449,
        city_match={"name": "Ottawa"},
    )
    events = await run_form(tracker, dispatcher, domain)
    assert events == [
        SlotSet("city_confirmed", False),
        SlotSet("city_match", None),
        SlotSet("country", None),
        SlotSet("region", None),
        SlotSet("population", None),
        SlotSet("requested_slot", "country"),
    ]
    assert uttered(dispatcher) == [names.UTTER_CITY_NOT_CONFIRMED]


async def test_population_in_spanish_words_is_parsed(dispatcher, domain):
    tracker = asking(
        "population", "1,2 millones", city="Puebla", country="MX", language="es"
    )
    events = await run_form(tracker, dispatcher, domain)
    assert events == [SlotSet("population", 1_200_000), SlotSet("requested_slot", None)]


async def test_small_city_is_asked_about_groups(dispatcher, domain):
    tracker = asking("population", "60k", city="Tinytown", country="US")
    events = await run_form(tracker, dispatcher, domain)
    assert events == [
        SlotSet("population", 60_000),
        SlotSet("requested_slot", "group_of_municipalities"),
    ]


async def test_unreadable_population_is_explained_and_asked_again(dispatcher, domain):
    tracker = asking("population", "lots of people", city="Tinytown", country="US")
    events = await run_form(tracker, dispatcher, domain)
    assert events == [
        SlotSet("population", None),
        SlotSet("requested_slot", "population"),
    ]
    assert uttered(dispatcher) == [names.UTTER_INVALID_POPULATION]


async def test_country_in_french_is_understood(dispatcher, domain):
    tracker = asking("country", "les États-Unis", city="Tinytown")
    events = await run_form(tracker, dispatcher, domain)
    assert events == [SlotSet("country", "US"), SlotSet("requested_slot", "population")]


async def test_unknown_country_is_explained(dispatcher, domain):
    tracker = asking("country", "Narnia", city="Tinytown")
    events = await run_form(tracker, dispatcher, domain)
    assert events == [SlotSet("country", None), SlotSet("requested_slot", "country")]
    assert uttered(dispatcher) == [names.UTTER_INVALID_COUNTRY]


async def test_question_mid_form_is_not_taken_as_the_answer(dispatcher, domain):
    tracker = asking(
        "population",
        "when is the deadline?",
        "ask_programme",
        city="Tinytown",
        country="US",
    )
    events = await run_form(tracker, dispatcher, domain)
    # Nothing filled: Rasa rejects the form and the interruption rule answers.
    assert events == [SlotSet("requested_slot", "population")]
    assert dispatcher.messages == []


async def test_country_question_has_a_button_per_eligible_country(dispatcher, domain):
    await ActionAskCountry().run(dispatcher, make_tracker(language="es"), domain)
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["title"] for b in buttons] == ["Canadá", "Estados Unidos", "México"]
    assert buttons[0]["payload"] == '/inform{"country": "CA"}'


async def test_new_check_forgets_old_answers_but_keeps_the_named_city(
    dispatcher, domain
):
    tracker = make_tracker(
        "can Boston apply?",
        "check_eligibility",
        entities=[{"entity": "city", "value": "Boston"}],
        city="Boston",
        country="CA",
        population=5,
        eligibility_verdict="encouraged",
    )
    events = await ActionResetEligibility().run(dispatcher, tracker, domain)
    assert events == [
        SlotSet("country", None),
        SlotSet("population", None),
        SlotSet("eligibility_verdict", None),
    ]


# Live bug: "yes" to "Which city?" gave the verdict for Yasuj, Iran; "non" and "sure"
# became towns of those names.
@pytest.mark.parametrize(
    ("language", "typed", "intent"),
    [("en", "yes", "affirm"), ("fr", "non", "deny"), ("en", "sure", "affirm")],
)
async def test_yes_or_no_to_which_city_asks_for_the_name(
    dispatcher, domain, language, typed, intent
):
    tracker = asking("city", typed, intent, language=language)
    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] is None and "country" not in slots
    assert uttered(dispatcher) == [names.UTTER_INVALID_CITY]


ELSEWHERE = FakeHit(
    "other-regions-elsewhere",
    0.9,
    "Can cities outside North America apply?",
    "No, this call is only for cities in Canada, United States, and Mexico.",
    "call-page",
)


# Live bug: "can we apply?" was told "No, this call is only for cities in Canada,
# ..." before being asked which city it is.
async def test_a_general_answer_never_says_where_the_asker_is(dispatcher, domain):
    get_services().override(
        "answerer", FakeAnswerer(FakeResult(True, "en", [ELSEWHERE]))
    )
    tracker = make_tracker("can we apply?", "check_eligibility")

    await ActionResetEligibility().run(dispatcher, tracker, domain)

    assert dispatcher.messages == []  # the self-check asks which city next


@pytest.mark.parametrize(
    ("language", "text", "entities"),
    [
        (
            "en",
            "can cities in Brazil apply?",
            [{"entity": "country", "value": "Brazil"}],
        ),
        # The test split's: no place entity, but the asker said where they are.
        ("fr", "nous sommes une ville belge, pouvons-nous participer ?", []),
    ],
)
async def test_a_general_answer_to_who_says_where_they_are_is_given(
    dispatcher, domain, language, text, entities
):
    get_services().override(
        "answerer", FakeAnswerer(FakeResult(True, language, [ELSEWHERE]))
    )
    tracker = make_tracker(
        text, "check_eligibility", entities=entities, language=language
    )

    await ActionResetEligibility().run(dispatcher, tracker, domain)

    assert dispatcher.messages[0]["text"].startswith("No, this call is only")


async def test_verdict_for_ottawa_encourages_and_offers_a_draft(dispatcher, domain):
    tracker = make_tracker(
        city="Ottawa", country="CA", region="Ontario", population=1017449
    )
    events = await ActionEligibilityVerdict().run(dispatcher, tracker, domain)
    assert events == [SlotSet("eligibility_verdict", "encouraged")]
    # One message: the headline's response with the reasons as a list in it; the
    # response itself carries the draft offer and its buttons.
    assert uttered(dispatcher) == ["utter_verdict_encouraged"]
    reasons = dispatcher.messages[0]["reasons"]
    assert reasons.startswith("\n- ") and reasons.count("\n- ") >= 2
    offer = domain["responses"]["utter_verdict_encouraged"][0]
    assert offer["buttons"][0]["payload"] == "/start_application"


def rendered(domain, message, lang: str) -> str:
    """The verdict as the user reads it: the domain's variation for ``lang`` with
    the action's values filled in (Rasa fails silently on a missing one)."""
    variations = domain["responses"][message["response"]]
    variation = next(
        v
        for v in variations
        if any(c["value"] == lang for c in v.get("condition", ()))
        or (lang == "en" and "condition" not in v)
    )
    return variation["text"].format(**message)


@pytest.mark.parametrize(
    ("lang", "closed"),
    [
        ("en", "closed on March 15, 2019"),
        ("fr", "fin le 15 mars 2019"),
        ("es", "cerró el 15 de marzo de 2019"),
    ],
)
async def test_an_encouraging_verdict_says_the_call_is_closed(
    dispatcher, domain, lang, closed
):
    # The call closed on 15 March 2019: "encouraged to apply" alone would mislead.
    tracker = make_tracker(
        city="Ottawa", country="CA", region="Ontario", population=1017449, language=lang
    )
    await ActionEligibilityVerdict().run(dispatcher, tracker, domain)
    text = rendered(domain, dispatcher.messages[0], lang)
    assert closed in text
    assert "{" not in text


async def test_verdict_for_a_european_city_names_the_right_region(dispatcher, domain):
    tracker = make_tracker(city="Lyon", country="FR", population=500000)
    events = await ActionEligibilityVerdict().run(dispatcher, tracker, domain)
    assert events == [SlotSet("eligibility_verdict", "wrong_region")]
    assert uttered(dispatcher) == ["utter_verdict_wrong_region"]
    assert "Europe" in dispatcher.messages[0]["reasons"]


async def test_verdict_below_threshold(dispatcher, domain):
    tracker = make_tracker(
        city="Tinytown", country="US", population=20000, group_of_municipalities=False
    )
    events = await ActionEligibilityVerdict().run(dispatcher, tracker, domain)
    assert events == [SlotSet("eligibility_verdict", "below_threshold")]


async def test_impossible_population_asks_for_more_information(dispatcher, domain):
    # 70 million inhabitants is no city: the verdict asks to correct it, no draft offer.
    tracker = make_tracker(
        city="Valle Chico",
        country="MX",
        population=70_000_000,
        group_of_municipalities=None,
        language="es",
    )
    events = await ActionEligibilityVerdict().run(dispatcher, tracker, domain)
    assert events == [SlotSet("eligibility_verdict", "need_more_info")]
    assert uttered(dispatcher) == ["utter_verdict_need_more_info"]
    assert dispatcher.messages[0]["city"] == "Valle Chico"
    assert dispatcher.messages[0]["reasons"].startswith("\n- ")  # what to correct
    variations = domain["responses"]["utter_verdict_need_more_info"]
    assert all("start_application" not in str(v) for v in variations)


async def test_a_city_named_instead_of_the_country_is_checked_as_the_city(
    dispatcher, domain
):
    # Live bug: "Lyon" answering "In which country is Mi?" was refused as a country.
    tracker = make_tracker(
        "Lyon",
        entities=[{"entity": "city", "value": "Lyon"}],
        active_loop=FORM,
        requested_slot="country",
        city="Lyon",
        language="es",
    )
    tracker.events = [
        {"event": "user", "text": "Lyon"},
        {"event": "slot", "name": "city", "value": "Lyon"},
    ]
    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] == "Lyon"
    assert slots["country"] == "FR"
    assert names.UTTER_INVALID_COUNTRY not in uttered(dispatcher)


async def test_unknown_word_nlu_took_for_a_city_up_front_is_asked_about(
    dispatcher, domain
):
    # Live bug: "¿Mi ciudad puede participar?" gave "No tengo Mi en mi lista".
    tracker = make_tracker(
        "¿Mi ciudad puede participar?",
        "check_eligibility",
        entities=[{"entity": "city", "value": "Mi"}],
        active_loop=FORM,
        city="Mi",
        language="es",
    )
    tracker.events = [
        {"event": "user", "text": "¿Mi ciudad puede participar?"},
        {"event": "slot", "name": "city", "value": "Mi"},
    ]
    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] is None
    assert slots["requested_slot"] == "city"
    assert dispatcher.messages == []


async def test_unknown_city_given_as_the_answer_is_kept(dispatcher, domain):
    events = await run_form(asking("city", "Petiteville"), dispatcher, domain)
    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] == "Petiteville"
    assert slots["requested_slot"] == "country"
    assert uttered(dispatcher) == [names.UTTER_CITY_UNKNOWN]


@pytest.mark.parametrize(
    "text", ["<script>alert(1)</script>", "Ottawa</b>", "{{city}}"]
)
async def test_markup_or_a_payload_is_no_city_and_is_asked_again(
    dispatcher, domain, text
):
    # Not "In which country is <script>alert(1)</script>?".
    events = await run_form(asking("city", text), dispatcher, domain)
    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] is None
    assert uttered(dispatcher) == [names.UTTER_INVALID_CITY]


async def test_verdict_does_not_claim_the_gazetteer_population_was_typed(
    dispatcher, domain
):
    # Live bug: "Usamos la población que usted indicó" for a gazetteer figure.
    match = {
        "name": "Puebla",
        "country": "MX",
        "region": "Puebla",
        "population": 1692181,
    }
    tracker = make_tracker(
        city="Puebla",
        country="MX",
        region="Puebla",
        population=1692181,
        city_match=match,
        city_confirmed=True,
        language="es",
    )
    events = await ActionEligibilityVerdict().run(dispatcher, tracker, domain)
    assert events == [SlotSet("eligibility_verdict", "encouraged")]
    reasons = dispatcher.messages[0]["reasons"]
    assert "Encontramos Puebla" in reasons
    assert "usted indicó" not in reasons


# --- live bug: a country typed after "which one?" was taken as a new city -----------


def which_one(text: str, city: str, language: str = "en", intent: str = "inform"):
    """The user's answer to the "which one?" buttons offered for ``city``."""
    return asking("city", text, intent, ambiguous_city=city, language=language)


def gazetteer_match(name: str, country: str) -> dict:
    from actions.places import match_dict
    from assistant.core.services import get_services

    (match,) = get_services().gazetteer().lookup(name, country=country)
    return match_dict(match)


async def test_ambiguous_city_remembers_the_name_for_a_typed_country(
    dispatcher, domain
):
    events = await run_form(asking("city", "Laval"), dispatcher, domain)
    assert SlotSet("ambiguous_city", "Laval") in events
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert any("Canada" in t for t in titles) and any("France" in t for t in titles)


@pytest.mark.parametrize(
    ("language", "typed", "intent"),
    [
        ("en", "Canada", "inform"),
        ("fr", "Canada", "check_eligibility"),
        ("es", "Canadá", "inform"),
    ],
)
async def test_country_typed_after_which_one_picks_laval_quebec(
    dispatcher, domain, language, typed, intent
):
    tracker = which_one(typed, "Laval", language, intent)
    events = await run_form(tracker, dispatcher, domain)

    match = gazetteer_match("Laval", "CA")
    assert events == [
        SlotSet("city", "Laval"),
        SlotSet("country", "CA"),
        SlotSet("region", "Quebec"),
        SlotSet("population", match["population"]),
        SlotSet("city_match", match),
        SlotSet("city_confirmed", None),
        SlotSet("ambiguous_city", None),
        SlotSet("requested_slot", "city_confirmed"),
    ]
    assert dispatcher.messages == []


async def test_country_with_several_candidates_asks_again_with_fewer_buttons(
    dispatcher, domain
):
    tracker = which_one("Estados Unidos", "Windsor", "es")
    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] is None
    assert slots["ambiguous_city"] == "Windsor"
    assert slots["requested_slot"] == "city"
    assert uttered(dispatcher) == [names.UTTER_WHICH_CITY]
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert 1 < len(titles) < len(services_lookup("Windsor"))
    assert all("Estados Unidos" in t for t in titles)


def services_lookup(name: str) -> list:
    from assistant.core.services import get_services

    return get_services().gazetteer().lookup(name)


async def test_country_with_no_candidate_keeps_the_name_and_the_country(
    dispatcher, domain
):
    tracker = which_one("México", "Laval", "es")
    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert (slots["city"], slots["country"]) == ("Laval", "MX")
    assert slots["ambiguous_city"] is None
    assert slots["requested_slot"] == "population"
    assert dispatcher.messages == [
        {
            **dispatcher.messages[0],
            "response": names.UTTER_CITY_UNKNOWN,
            "city": "Laval",
        }
    ]


async def test_question_about_a_country_is_not_taken_as_the_answer(dispatcher, domain):
    tracker = which_one("Is Canada eligible?", "Laval", intent="ask_programme")
    events = await run_form(tracker, dispatcher, domain)
    assert "country" not in {e["name"] for e in events}
    assert not any(e["name"] == "city" and e["value"] for e in events)


async def test_new_self_check_forgets_the_pending_which_one(dispatcher, domain):
    tracker = make_tracker("", "check_eligibility", ambiguous_city="Laval")
    events = await ActionResetEligibility().run(dispatcher, tracker, domain)
    assert SlotSet("ambiguous_city", None) in events


# --- one-message verdicts (issue 15) -------------------------------------------------


def prefilled(**slots: object) -> list[dict[str, object]]:
    """Events of a form activated with slots the message's entities filled."""
    return [
        {"event": "user", "text": "..."},
        {"event": "action", "name": "action_reset_eligibility"},
        *({"event": "slot", "name": k, "value": v} for k, v in slots.items()),
    ]


async def test_city_named_with_its_province_needs_no_confirmation(dispatcher, domain):
    # "Our town is Kelowna BC with 150k people, are we in?"
    tracker = asking(
        "city",
        "Our town is Kelowna BC with 150k people, are we in?",
        intent="check_eligibility",
        entities=[
            {"entity": "city", "value": "Kelowna"},
            {"entity": "region", "value": "British Columbia"},
            {"entity": "population", "value": "150k"},
        ],
        city="Kelowna",
        region="British Columbia",
        population="150k",
    )
    tracker.events = prefilled(
        city="Kelowna", region="British Columbia", population="150k"
    )
    events = await run_form(tracker, dispatcher, domain)
    slots = {e["name"]: e["value"] for e in events}
    assert slots["country"] == "CA"
    assert slots["city_confirmed"] is True
    assert slots["population"] == 150_000  # theirs, not the gazetteer's
    # Above the threshold: nothing left to ask, the verdict comes next.
    assert slots["requested_slot"] is None


async def test_a_city_outside_the_call_goes_straight_to_the_guidance(
    dispatcher, domain
):
    # "Hi, I work for the city of Turin in Italy, can we join this call?"
    tracker = asking(
        "city",
        "Hi, I work for the city of Turin in Italy, can we join this call?",
        intent="check_eligibility",
        entities=[
            {"entity": "city", "value": "Turin"},
            {"entity": "country", "value": "IT"},
        ],
        city="Turin",
        country="IT",
    )
    tracker.events = prefilled(city="Turin", country="IT")
    events = await run_form(tracker, dispatcher, domain)
    slots = {e["name"]: e["value"] for e in events}
    assert slots.get("city", "Turin") == "Turin"  # kept as the message named it
    assert slots["requested_slot"] is None  # no confirmation, no population
    assert dispatcher.messages == []


async def test_several_places_called_x_end_the_turn_with_their_choices(
    dispatcher, domain
):
    from actions.questions import ActionAskEligibilityCity

    tracker = asking("city", "Springfield")
    tracker.events = [
        {"event": "user", "text": "Springfield"},
        {"event": "bot", "text": "Several places...", "data": {"buttons": [{}]}},
    ]
    assert await ActionAskEligibilityCity().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages == []
    # A later turn without choices asks the question again.
    tracker.events = [{"event": "user", "text": "hmm"}]
    await ActionAskEligibilityCity().run(dispatcher, tracker, domain)
    assert uttered(dispatcher) == [names.UTTER_ASK_CITY]


async def test_a_country_outside_the_call_needs_no_city(dispatcher, domain):
    # "I'm with a city in Italy, can we join?"
    tracker = make_tracker(country="IT", language="fr")
    assert await ValidateEligibilityForm().required_slots(
        [], dispatcher, tracker, domain
    ) == ["country"]
    events = await ActionEligibilityVerdict().run(dispatcher, tracker, domain)
    assert events == [SlotSet("eligibility_verdict", "wrong_region")]
    assert dispatcher.messages[0]["city"] == "Italie"


async def test_a_town_unknown_to_the_gazetteer_named_with_its_state_is_kept(
    dispatcher, domain
):
    # "Our municipality is Tinyville, Ohio with 8,000 people, can we apply?"
    tracker = asking(
        "city",
        "Our municipality is Tinyville, Ohio with 8,000 people, can we apply?",
        intent="check_eligibility",
        entities=[
            {"entity": "city", "value": "Tinyville"},
            {"entity": "region", "value": "Ohio"},
            {"entity": "population", "value": "8,000"},
        ],
        city="Tinyville",
        region="Ohio",
        population="8,000",
    )
    tracker.events = prefilled(city="Tinyville", region="Ohio", population="8,000")
    events = await run_form(tracker, dispatcher, domain)
    slots = {e["name"]: e["value"] for e in events}
    assert (slots["city"], slots["country"], slots["population"]) == (
        "Tinyville",
        "US",
        8000,
    )
    assert uttered(dispatcher) == [names.UTTER_CITY_UNKNOWN]
    # Below the threshold: the group question, then the verdict.
    assert slots["requested_slot"] == "group_of_municipalities"


# Live bug: "no, I meant Monterrey, Mexico" to "Monterey, California, United States,
# about 28,000 inhabitants: is that right?" gave "I don't have Monterrey in my list"
# (looked up in California), "No problem, let's fill in the details together" and
# "In which country is Monterrey?".
@pytest.mark.parametrize(
    ("typed", "intent"),
    [("no, I meant Monterrey, Mexico", "deny"), ("Monterrey, Mexico", "inform")],
)
async def test_a_city_corrected_at_its_confirmation_is_looked_up_afresh(
    dispatcher, domain, typed, intent
):
    monterey = {"name": "Monterey", "country": "US", "region": "California",
                "population": 28000}  # fmt: skip
    entities = [
        {"entity": "city", "value": "Monterrey"},
        {"entity": "country", "value": "Mexico"},
    ]
    tracker = asking(
        "city_confirmed",
        typed,
        intent,
        entities=entities,
        city="Monterrey",
        country="Mexico",
        region="California",
        population=28000,
        city_match=monterey,
    )
    # What Rasa's entity mappings set this turn, for the form to validate.
    tracker.events += [SlotSet("city", "Monterrey"), SlotSet("country", "Mexico")]

    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] == "Monterrey"
    assert slots["country"] == "MX"
    assert slots["region"] == "Nuevo León"
    assert slots["population"] > 1_000_000
    assert slots["city_confirmed"] is True  # named with its country
    assert uttered(dispatcher) == []


# Live: "Can London apply?" gave London, United Kingdom's verdict ("outside the
# region of this call") at once; London, Ontario (383,000) was never offered.
async def test_a_name_also_of_a_city_in_the_call_asks_which_one(dispatcher, domain):
    events = await run_form(asking("city", "London"), dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] is None and slots["ambiguous_city"] == "London"
    assert uttered(dispatcher) == [names.UTTER_WHICH_CITY]
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert any("Ontario" in title for title in titles)


async def test_a_name_whose_namesakes_in_the_call_are_small_is_not_asked(
    dispatcher, domain
):
    events = await run_form(asking("city", "Paris"), dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] == "Paris" and slots["country"] == "FR"


# Live bug: "how much does it cost?" (nlu_fallback) to "Which city?" gave "I don't
# have how much does it cost? in my list of cities" and "In which country is how
# much does it cost??"; to the confirmation, "Please answer yes or no.".
@pytest.mark.parametrize(
    ("slot", "slots"),
    [
        ("city", {}),
        ("city_confirmed", {"city": "Ottawa", "city_match": {"name": "Ottawa"}}),
    ],
)
async def test_an_unsure_question_answers_no_question_of_the_form(
    dispatcher, domain, slot, slots
):
    tracker = asking(slot, "how much does it cost?", "nlu_fallback", **slots)

    events = await run_form(tracker, dispatcher, domain)

    assert slot not in {e["name"] for e in events}
    assert dispatcher.messages == []  # the rule's answer, then the question again


# Live bug: "Jalisco" to "¿Para qué ciudad (o municipio) pregunta?" gave "No tengo
# Jalisco en mi lista de ciudades" and "¿Cuántos habitantes tiene aproximadamente
# Jalisco?".
async def test_a_state_typed_for_the_city_is_said_to_be_one(dispatcher, domain):
    region = [{"entity": "region", "value": "Jalisco"}]
    tracker = asking(
        "city", "Jalisco", entities=region, region="Jalisco", language="es"
    )

    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] is None and slots["requested_slot"] == "city"
    assert (slots["region"], slots["country"]) == ("Jalisco", "MX")
    assert uttered(dispatcher) == [names.UTTER_REGION_NOT_CITY]
    assert dispatcher.messages[0]["region"] == "Jalisco"


async def test_the_city_then_typed_is_found_in_that_state(dispatcher, domain):
    tracker = asking(
        "city", "Guadalajara", region="Jalisco", country="MX", language="es"
    )

    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert (slots["city"], slots["country"]) == ("Guadalajara", "MX")
    assert slots["city_confirmed"] is True  # its state already said


# Live bugs: "México" to "¿Para qué ciudad?" was called a state ("Ciudad de México
# es un estado o provincia"); "unos doscientos mil" became a town ("¿Cuántos
# habitantes tiene aproximadamente unos doscientos mil?").
@pytest.mark.parametrize(
    ("typed", "population"),
    [("México", None), ("unos doscientos mil", 200_000), ("150k", 150_000)],
)
async def test_a_country_or_a_population_typed_for_the_city_asks_for_the_city(
    dispatcher, domain, typed, population
):
    tracker = asking("city", typed, language="es")

    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] is None and slots["requested_slot"] == "city"
    assert slots.get("population") == population
    assert uttered(dispatcher) == [names.UTTER_INVALID_CITY]


@pytest.mark.parametrize("town", ["Trois-Rivières", "Mille-Isles", "Seven Oaks"])
async def test_a_town_named_with_a_number_word_is_a_town(dispatcher, domain, town):
    events = await run_form(asking("city", town, language="fr"), dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"], slots
    assert names.UTTER_INVALID_CITY not in uttered(dispatcher)


async def test_a_city_state_typed_for_the_city_is_its_city(dispatcher, domain):
    events = await run_form(asking("city", "Singapore"), dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert (slots["city"], slots["country"]) == ("Singapore", "SG")


# Live: "Kingston", then "never mind, what does it cost?" (answered), then "Which city
# (or municipality) are you asking for?" without Kingston's choices.
async def test_the_choices_are_offered_again_after_a_question_in_between(
    dispatcher, domain
):
    from actions.questions import ActionAskEligibilityCity

    tracker = asking("city", "what does it cost?", "ask_programme",
                     ambiguous_city="Kingston")  # fmt: skip
    tracker.events = [{"event": "user", "text": "what does it cost?"}]

    await ActionAskEligibilityCity().run(dispatcher, tracker, domain)

    assert uttered(dispatcher) == [names.UTTER_WHICH_CITY_AGAIN]
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert any("Ontario" in title for title in titles)


# Live bug: "no, me refiero a Juárez, Nuevo León" to "Ciudad Juárez, Chihuahua,
# México...: ¿es correcto?" gave "No hay problema..." and "¿En qué país está Ciudad
# Juárez?": the place matcher names the typed "Juárez" "Ciudad Juárez".
async def test_the_same_name_in_another_state_is_a_correction(dispatcher, domain):
    text = "no, me refiero a Juárez, Nuevo León"
    juarez = {"name": "Ciudad Juárez", "country": "MX", "region": "Chihuahua",
              "population": 1512450}  # fmt: skip
    entities = [
        {"entity": "city", "value": "Ciudad Juárez", "start": 17, "end": 23},
        {"entity": "region", "value": "Nuevo León", "start": 25, "end": 35},
    ]
    tracker = asking("city_confirmed", text, "deny", entities=entities,
                     city="Ciudad Juárez", country="MX", region="Nuevo León",
                     population=1512450, city_match=juarez, language="es")  # fmt: skip
    tracker.events += [
        SlotSet("city", "Ciudad Juárez"),
        SlotSet("region", "Nuevo León"),
    ]

    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] == "Ciudad Benito Juárez"
    assert slots["city_match"]["region"] == "Nuevo León"
    assert slots["city_confirmed"] is True and slots["population"] > 300_000
    assert uttered(dispatcher) == []


@pytest.mark.parametrize(
    ("text", "city", "answers"),
    [
        # The NLU read a bare city as a question: it answers "Which city?".
        ("Smallville", "Smallville", True),
        # Live: asked while the population was asked, this question made Ottawa the
        # city being checked ("Ottawa, Ontario, Canada ...: is that right?") and went
        # unanswered. The domain's mapping skips it; this reads it the same way.
        ("Is Ottawa paired with a French city?", "Ottawa", False),
        ("Can Toronto and Montreal apply together", "Toronto", False),
    ],
)
async def test_a_city_named_in_a_question_is_no_answer_of_the_self_check(
    dispatcher, domain, text, city, answers
):
    start = text.index(city)
    entities = [
        {"entity": "city", "value": city, "start": start, "end": start + len(city)}
    ]
    tracker = make_tracker(
        text,
        "ask_programme",
        entities,
        active_loop="eligibility_form",
        requested_slot="city",
    )
    extracted = await ValidateEligibilityForm().extract_city(
        dispatcher, tracker, domain
    )
    assert extracted == ({"city": city} if answers else {})


# Journey walk: "Ontario" to "Which city?" gave "Ontario, California, United States,
# about 171,000 inhabitants: is that right?".
async def test_a_province_named_like_a_city_elsewhere_is_the_province(
    dispatcher, domain
):
    events = await run_form(asking("city", "Ontario"), dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] is None and (slots["region"], slots["country"]) == (
        "Ontario",
        "CA",
    )
    assert uttered(dispatcher) == [names.UTTER_REGION_NOT_CITY]
    # Puebla, a city in the state of Puebla, stays the city.
    dispatcher.messages.clear()
    events = await run_form(asking("city", "Puebla"), dispatcher, domain)
    assert {e["name"]: e["value"] for e in events}["city"] == "Puebla"


# Journey walk: "I don't know" to "About how many inhabitants does Tinyville have?"
# got "I couldn't read a number of inhabitants there" again and again.
@pytest.mark.parametrize(
    ("text", "intent", "lang"),
    [
        ("I don't know", "deny", "en"),
        ("je ne sais pas", "deny", "fr"),
        ("no sé", "inform", "es"),
    ],
)
async def test_a_population_nobody_knows_goes_on_to_the_verdict(
    dispatcher, domain, text, intent, lang
):
    tracker = asking(
        "population", text, intent, city="Tinyville", country="US", language=lang
    )
    events = await run_form(tracker, dispatcher, domain)

    slots = {e["name"]: e["value"] for e in events}
    assert slots["population"] == names.POPULATION_UNKNOWN
    assert dispatcher.messages == []  # no "I couldn't read a number" again
    verdict = make_tracker("", None, city="Tinyville", country="US", language=lang,
                           population=names.POPULATION_UNKNOWN)  # fmt: skip
    await ActionEligibilityVerdict().run(dispatcher, verdict, domain)
    assert dispatcher.messages[-1]["response"] == "utter_verdict_need_more_info"
    assert "100" in dispatcher.messages[-1]["reasons"]  # the threshold it decides


# Journey walk: "¿y Guadalupe?" after Monterrey's verdict got "Escriba el nombre de la
# ciudad": Guadalupe is also Guadeloupe's Spanish name.
async def test_a_city_of_the_call_named_like_a_country_elsewhere_is_the_city(
    dispatcher, domain
):
    events = await run_form(
        asking("city", "Guadalupe", language="es"), dispatcher, domain
    )
    assert names.UTTER_INVALID_CITY not in uttered(dispatcher)
    assert {e["name"]: e["value"] for e in events}["ambiguous_city"] == "Guadalupe"


async def test_a_self_check_started_by_a_question_takes_its_places_from_it(
    dispatcher, domain
):
    # "can Portland, Oregon apply?" read as a programme question: the domain no
    # longer lets such a question's places fill slots, so the reset sets them.
    entities = [
        {"entity": "city", "value": "Portland", "start": 4, "end": 12},
        {"entity": "region", "value": "Oregon", "start": 14, "end": 20},
    ]
    tracker = make_tracker(
        "can Portland, Oregon apply?", "ask_programme", entities, city="Portland"
    )
    events = await ActionResetEligibility().run(dispatcher, tracker, domain)
    assert SlotSet("region", "Oregon") in events
    assert SlotSet("city", None) not in events


@pytest.mark.parametrize(
    ("text", "cities"),
    [
        ("Can Toronto or Ottawa apply?", ["Toronto", "Ottawa"]),
        ("¿Pueden postular Tijuana o Mexicali?", ["Tijuana", "Mexicali"]),
    ],
)
async def test_a_request_naming_two_cities_asks_which_with_a_button_each(
    dispatcher, domain, text, cities
):
    # Journey walk (session 15): the last city named was checked, silently.
    entities = city_entities(text, cities)
    tracker = asking("city", text, "check_eligibility", entities=entities)
    tracker.slots["city"] = cities[-1]  # what the entity mapping filled
    tracker.events.append({"event": "slot", "name": "city", "value": cities[-1]})
    events = await run_form(tracker, dispatcher, domain)
    slots = {e["name"]: e["value"] for e in events}
    assert slots["city"] is None and slots["requested_slot"] == "city"
    assert uttered(dispatcher) == [names.UTTER_ASK_CITY]
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["title"] for b in buttons] == cities
    assert buttons[0]["payload"] == f'/inform{{"city": "{cities[0]}"}}'


async def test_a_country_answer_the_nlu_took_for_a_question_still_answers(
    dispatcher, domain
):
    # The in-check mapping skips programme questions (domain); a bare answer is read.
    country = [{"entity": "country", "value": "MX", "start": 0, "end": 6}]
    tracker = asking("country", "México", "ask_programme", entities=country, city="X")
    events = await run_form(tracker, dispatcher, domain)
    assert {e["name"]: e["value"] for e in events}["country"] == "MX"


async def test_a_country_in_a_programme_question_is_no_answer(dispatcher, domain):
    text = "can cities in Mexico apply too?"
    country = [{"entity": "country", "value": "MX", "start": 14, "end": 20}]
    tracker = asking("population", text, "ask_programme", entities=country, city="X")
    events = await run_form(tracker, dispatcher, domain)
    assert "country" not in {e["name"] for e in events}
