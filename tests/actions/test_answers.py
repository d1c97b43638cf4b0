"""action_answer_question and action_contact_human: exact messages and events."""

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
from actions.answers import ActionAnswerQuestion, ActionContactHuman, answers_the_form
from assistant.core.services import get_services

DEADLINE = FakeHit(
    "deadline-date", 0.9, "When is the deadline?", "15 March 2019.", "call-page"
)
OTHER = FakeHit("deadline-time", 0.88, "At what time?", "Not stated.", "call-page")


async def test_answer_has_text_its_entry_id_then_sources_in_the_language(
    dispatcher, domain
):
    answerer = FakeAnswerer(FakeResult(True, "fr", [DEADLINE]))
    get_services().override("answerer", answerer)
    tracker = make_tracker(
        "c'est quand la date limite ?", "ask_programme", language="fr"
    )

    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)

    assert events == []
    assert answerer.calls == [
        {
            "text": "c'est quand la date limite ?",
            "lang": "fr",
            "k": 3,
            "topic": None,
        }
    ]
    assert dispatcher.messages[0]["text"] == "15 March 2019."
    assert dispatcher.messages[1]["custom"] == {"answer_id": "deadline-date"}
    source = dispatcher.messages[2]["custom"]["sources"][0]
    assert source["id"] == "call-page"
    assert source["url"].startswith("http")
    assert len(dispatcher.messages) == 3


async def test_close_suggestions_become_buttons_that_ask_the_question(
    dispatcher, domain
):
    result = FakeResult(True, "en", [DEADLINE, OTHER], suggestions=[DEADLINE, OTHER])
    get_services().override("answerer", FakeAnswerer(result))
    tracker = make_tracker("deadline?", "ask_programme")

    await ActionAnswerQuestion().run(dispatcher, tracker, domain)

    last = dispatcher.messages[-1]
    assert last["response"] == names.UTTER_DID_YOU_MEAN
    assert last["buttons"] == [{"title": "At what time?", "payload": "At what time?"}]


async def test_declined_question_gets_the_fallback_with_the_contact(dispatcher, domain):
    answerer = FakeAnswerer(FakeResult(False, "en", [OTHER]))
    get_services().override("answerer", answerer)
    tracker = make_tracker("what is the weather on mars", "ask_programme")

    await ActionAnswerQuestion().run(dispatcher, tracker, domain)

    assert answerer.calls[0]["topic"] is None
    assert uttered(dispatcher) == [names.UTTER_ANSWER_FALLBACK]
    assert "@" in dispatcher.messages[0]["contact_email"]
    assert dispatcher.messages[0]["contact_url"].startswith("http")
    # The domain response carries the marker the web gateway relies on.
    variations = domain["responses"][names.UTTER_ANSWER_FALLBACK]
    assert all(v["custom"] == {"fallback": True} for v in variations)


async def test_broken_engine_gives_a_reply_not_a_crash(dispatcher, domain):
    get_services().override("answerer", FakeAnswerer(RuntimeError("index missing")))
    tracker = make_tracker("when is the deadline", "ask_programme")

    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)

    assert events == []
    assert uttered(dispatcher) == [names.UTTER_SERVICE_UNAVAILABLE]


async def test_button_payload_without_question_is_declined_without_a_search(
    dispatcher, domain
):
    answerer = FakeAnswerer(FakeResult(True, "en", [DEADLINE]))
    get_services().override("answerer", answerer)
    tracker = make_tracker("/ask_programme", "ask_programme")

    await ActionAnswerQuestion().run(dispatcher, tracker, domain)

    assert answerer.calls == []
    assert uttered(dispatcher) == [names.UTTER_ANSWER_FALLBACK]


async def test_contact_comes_from_the_call_facts(dispatcher, domain):
    events = await ActionContactHuman().run(dispatcher, make_tracker(), domain)

    assert events == []
    assert uttered(dispatcher) == [names.UTTER_CONTACT]
    from knowledge.facts import load_call_facts

    assert dispatcher.messages[0]["contact_email"] == load_call_facts().contact_email


async def test_motivation_nlu_took_for_a_question_is_left_to_the_draft(
    dispatcher, domain
):
    # Live bug: the motivation got an unrelated answer before the draft was saved.
    answerer = FakeAnswerer(FakeResult(True, "en", [DEADLINE]))
    get_services().override("answerer", answerer)
    tracker = make_tracker(
        "We want to learn from European peers about housing.",
        "ask_programme",
        active_loop="application_form",
        requested_slot="motivation",
    )
    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert (events, dispatcher.messages, answerer.calls) == ([], [], [])


async def test_theme_or_city_answers_are_left_to_the_form(dispatcher, domain):
    get_services().override(
        "answerer", FakeAnswerer(FakeResult(True, "en", [DEADLINE]))
    )
    theme = make_tracker(
        "logement",
        "ask_programme",
        active_loop="application_form",
        requested_slot="themes",
        language="fr",
    )
    city = make_tracker(
        "Smallville",
        "ask_programme",
        entities=[{"entity": "city", "value": "Smallville"}],
        active_loop="eligibility_form",
        requested_slot="city",
    )
    for tracker in (theme, city):
        assert await ActionAnswerQuestion().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages == []


async def test_a_real_question_in_the_middle_of_a_form_is_answered(dispatcher, domain):
    get_services().override(
        "answerer", FakeAnswerer(FakeResult(True, "en", [DEADLINE]))
    )
    tracker = make_tracker(
        "is there a deadline for the motivation?",
        "ask_programme",
        active_loop="application_form",
        requested_slot="motivation",
    )
    await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"] == "15 March 2019."


async def test_out_of_scope_is_answered_when_the_engine_knows_the_answer(
    dispatcher, domain
):
    # "Can a city of 80,000 people apply?" read as out of scope: the engine decides.
    answerer = FakeAnswerer(FakeResult(True, "en", [DEADLINE]))
    get_services().override("answerer", answerer)
    for intent in ("out_of_scope", "nlu_fallback"):
        tracker = make_tracker("can a city of 80,000 people apply?", intent)
        await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert [m.get("text") for m in dispatcher.messages[::3]] == ["15 March 2019."] * 2


async def test_out_of_scope_declined_by_the_engine_gets_the_out_of_scope_reply(
    dispatcher, domain
):
    result = FakeResult(False, "en", [OTHER], suggestions=[OTHER])
    get_services().override("answerer", FakeAnswerer(result))
    tracker = make_tracker("what's the weather tomorrow?", "out_of_scope")

    await ActionAnswerQuestion().run(dispatcher, tracker, domain)

    # No "did you mean" buttons after a refusal of something off topic.
    assert uttered(dispatcher) == [names.UTTER_OUT_OF_SCOPE]


RULE = FakeHit("eligibility-who-can-apply", 0.9, "Who?", "Cities in...", "call-page",
               topic="eligibility")  # fmt: skip
# What the engine answers once the city named is put as "my city".
ANY_CITY_ASKS_THE_RULE = {"my city": FakeResult(True, "en", [RULE])}


async def test_a_question_about_a_named_city_is_handed_to_the_self_check(
    dispatcher, domain
):
    # "can Portland apply to IUC?" best matches Portland's pairing; "can my city
    # apply to IUC?" is the rule: it deserves a verdict.
    pairing = FakeHit("pairs-united-states", 0.9, "Pairs?", "Portland...", "s")
    answerer = FakeAnswerer(
        FakeResult(True, "en", [pairing]), when=ANY_CITY_ASKS_THE_RULE
    )
    get_services().override("answerer", answerer)
    portland = [{"entity": "city", "value": "Portland", "start": 4, "end": 12}]
    tracker = make_tracker("can Portland apply to IUC?", "ask_programme", portland)
    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert events == [{"event": "followup", "name": "action_reset_eligibility",
                       "timestamp": None}]  # fmt: skip
    assert dispatcher.messages == []
    assert answerer.calls[-1]["text"] == "can my city apply to IUC?"


async def test_a_question_about_a_named_city_that_no_verdict_answers_is_answered(
    dispatcher, domain
):
    # "what city is Montreal paired with": a city, but no eligibility question.
    pairs = FakeHit("pairs-canada", 0.9, "Pairs?", "Montreal...", "call-page")
    get_services().override("answerer", FakeAnswerer(FakeResult(True, "en", [pairs])))
    montreal = [{"entity": "city", "value": "Montreal", "start": 10, "end": 18}]
    tracker = make_tracker("what city Montreal paired with", "ask_programme", montreal)
    # Remembered for a follow-up ("and Laval?"): actions/follow_up.py.
    assert await ActionAnswerQuestion().run(dispatcher, tracker, domain) == [
        SlotSet(
            "city_question",
            {
                "text": "what city Montreal paired with",
                "start": 10,
                "end": 18,
                "entry": "pairs-canada",
            },
        )
    ]
    assert dispatcher.messages[0]["text"] == "Montreal..."


async def test_a_named_citys_pairing_is_answered_though_my_city_reads_as_the_rule(
    dispatcher, domain
):
    # "¿San Diego participó?" becomes "¿mi ciudad participó?", which the engine reads
    # as "who can apply": San Diego's own pairing, matched better, is the answer.
    pairs = FakeHit("pairs-united-states", 0.98, "Pairs?", "San Diego...", "s")
    answerer = FakeAnswerer(
        FakeResult(True, "es", [pairs]),
        when={"mi ciudad": FakeResult(True, "es", [RULE])},
    )
    get_services().override("answerer", answerer)
    san_diego = [{"entity": "city", "value": "San Diego", "start": 1, "end": 10}]
    tracker = make_tracker(
        "¿San Diego participó?", "ask_programme", san_diego, language="es"
    )

    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)

    assert {"event": "followup", "name": "action_reset_eligibility",
            "timestamp": None} not in events  # fmt: skip
    assert dispatcher.messages[0]["text"] == "San Diego..."
    assert answerer.calls[-1]["text"] == "¿mi ciudad participó?"


async def test_is_my_city_eligible_gets_the_rule_before_which_city(dispatcher, domain):
    from actions.verdict import ActionResetEligibility

    rule = FakeHit(
        "eligibility-who-can-apply", 0.9, "Who?", "Cities in...", "call-page"
    )
    get_services().override("answerer", FakeAnswerer(FakeResult(True, "en", [rule])))
    tracker = make_tracker("is my city eligible?", "check_eligibility")
    await ActionResetEligibility().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"] == "Cities in..."
    assert dispatcher.messages[1]["custom"] == {
        "answer_id": "eligibility-who-can-apply"
    }


async def test_a_request_for_help_is_answered_when_it_is_a_programme_question(
    dispatcher, domain
):
    themes = FakeHit("themes-list", 0.9, "Themes?", "Six themes...", "call-page")
    get_services().override("answerer", FakeAnswerer(FakeResult(True, "es", [themes])))
    await ActionAnswerQuestion().run(
        dispatcher, make_tracker("¿cuáles son los temas?", "help"), domain
    )
    assert dispatcher.messages[0]["text"] == "Six themes..."
    # "what can you do?": the engine declines, the help is given.
    get_services().override("answerer", FakeAnswerer(FakeResult(False, "en", [])))
    dispatcher.messages.clear()
    await ActionAnswerQuestion().run(
        dispatcher, make_tracker("what can you do?", "help"), domain
    )
    assert uttered(dispatcher) == [names.UTTER_HELP]


# --- a self-check request about the partner wanted -----------------------------------

PARTNER = FakeHit(
    "pairs-choose-partner",
    0.85,
    "Can we choose our partner city?",
    "The call does not say you can pick it.",
    "call-page",
    topic="pairs",
)
LYON = [{"entity": "city", "value": "Lyon", "start": 15, "end": 19}]


async def test_a_city_wanted_as_partner_gets_the_partner_answer_not_a_self_check(
    dispatcher, domain
):
    get_services().override("answerer", FakeAnswerer(FakeResult(True, "en", [PARTNER])))
    tracker = make_tracker(
        "can we request Lyon as our partner", "check_eligibility", LYON
    )

    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)

    assert events[-1] == {
        "event": "followup",
        "timestamp": None,
        "name": "action_listen",
    }
    assert [e["name"] for e in events] == ["city_question", "action_listen"]
    assert dispatcher.messages[0]["text"] == PARTNER.answer
    assert dispatcher.messages[1]["custom"] == {"answer_id": "pairs-choose-partner"}


async def test_a_city_barely_matching_the_partner_entries_gets_its_verdict(
    dispatcher, domain
):
    # "je représente la ville de Lyon en France, l'appel est-il pour nous ?": choosing
    # a partner and "I am a European city" score alike (the engine offers both), so
    # Lyon is the applicant, and "ma ville" asks the rule: the self-check answers.
    eu_city = FakeHit("other-regions-eu-city", 0.84, "EU?", "European...", "s")
    close_call = FakeResult(True, "fr", [PARTNER], suggestions=[PARTNER, eu_city])
    ma_ville_asks_the_rule = {"ma ville": FakeResult(True, "fr", [RULE])}
    answerer = FakeAnswerer(close_call, when=ma_ville_asks_the_rule)
    get_services().override("answerer", answerer)
    text = "je représente la ville de Lyon en France, l'appel est-il pour nous ?"
    lyon = [{"entity": "city", "value": "Lyon", "start": 26, "end": 30}]
    tracker = make_tracker(text, "ask_programme", lyon, language="fr")

    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)

    # "je représente la ville de Lyon": Lyon is also kept as the asker's city.
    assert events == [SlotSet("home_city", "Lyon"),
                      {"event": "followup", "timestamp": None,
                       "name": "action_reset_eligibility"}]  # fmt: skip
    assert dispatcher.messages == []
    assert "ma ville" in answerer.calls[-1]["text"]


async def test_a_city_wanted_as_an_extra_partner_is_no_self_check(dispatcher, domain):
    # "could Lyon be a second partner?" as "could my city be a second partner?" reads
    # like the eligibility rule: the partner entries answer before that is asked.
    extra = FakeHit("pairs-partner-arrangements", 0.8, "Two partners?",
                    "The call does not say...", "call-page", topic="pairs")  # fmt: skip
    answerer = FakeAnswerer(
        FakeResult(True, "en", [extra]), when=ANY_CITY_ASKS_THE_RULE
    )
    get_services().override("answerer", answerer)
    lyon = [{"entity": "city", "value": "Lyon", "start": 6, "end": 10}]
    tracker = make_tracker(
        "could Lyon be a second partner for us?", "check_eligibility", lyon
    )

    await ActionAnswerQuestion().run(dispatcher, tracker, domain)

    assert dispatcher.messages[1]["custom"] == {
        "answer_id": "pairs-partner-arrangements"
    }
    assert len(answerer.calls) == 1


async def test_a_city_to_check_goes_on_to_the_self_check_silently(dispatcher, domain):
    # "can Lyon apply?" may best match a pairing, or anything: "can my city apply?"
    # is the rule, so the self-check follows, however well the pairing matches.
    pairing = FakeHit("pairs-mexico", 0.99, "Which?", "Guadalajara...", "s")
    for hit in (pairing, DEADLINE):
        answerer = FakeAnswerer(
            FakeResult(True, "en", [hit]), when=ANY_CITY_ASKS_THE_RULE
        )
        get_services().override("answerer", answerer)
        lyon = [{"entity": "city", "value": "Lyon", "start": 4, "end": 8}]
        tracker = make_tracker("can Lyon apply?", "check_eligibility", lyon)
        assert await ActionAnswerQuestion().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages == []


async def test_a_self_check_request_that_no_verdict_answers_gets_its_answer(
    dispatcher, domain
):
    # "Austin is already paired: could it apply again?" is no self-check of Austin.
    again = FakeHit("eligibility-already-participating", 0.9, "Again?",
                    "The call does not say...", "call-page")  # fmt: skip
    get_services().override("answerer", FakeAnswerer(FakeResult(True, "en", [again])))
    austin = [{"entity": "city", "value": "Austin", "start": 0, "end": 6}]
    tracker = make_tracker(
        "Austin is already paired, could it apply again?", "check_eligibility", austin
    )

    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)

    assert events[-1] == {
        "event": "followup",
        "timestamp": None,
        "name": "action_listen",
    }
    assert [e["name"] for e in events] == ["city_question", "action_listen"]
    assert dispatcher.messages[1]["custom"] == {
        "answer_id": "eligibility-already-participating"
    }


async def test_a_self_check_request_without_a_city_does_not_ask_the_engine(
    dispatcher, domain
):
    answerer = FakeAnswerer(FakeResult(True, "en", [PARTNER]))
    get_services().override("answerer", answerer)
    tracker = make_tracker("is my city eligible?", "check_eligibility")

    assert await ActionAnswerQuestion().run(dispatcher, tracker, domain) == []
    assert answerer.calls == [] and dispatcher.messages == []


@pytest.mark.parametrize(
    ("text", "silent"),
    [
        ("Tinyville", True),
        ("about 150k people", True),
        ("how much does it cost?", False),
    ],
)
def test_in_a_form_an_unsure_message_is_its_answer_unless_a_question(
    domain, text, silent
):
    tracker = make_tracker(
        text, "nlu_fallback", active_loop="eligibility_form", requested_slot="city"
    )
    assert answers_the_form(tracker, domain) is silent


PAIRS = FakeHit("pairs-canada", 0.95, "Pairs?", "Montreal is paired...", "s")
GROUPS = FakeHit("eligibility-groups-of-municipalities", 0.9, "Groups?",
                 "Groups of municipalities...", "call-page")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "intent", "cities", "lang", "loop"),
    [
        ("Can Montreal and Laval apply together?", "ask_programme",
         ("Montreal", "Laval"), "en", None),
        ("Montréal et Laval peuvent-elles postuler ensemble ?", "check_eligibility",
         ("Montréal", "Laval"), "fr", None),
        # In the middle of the self-check: the same answer (it had been Montreal's
        # pairing, the cities being ignored there).
        ("¿Pueden Monterrey y Guadalupe postularse juntas?", "ask_programme",
         ("Monterrey", "Guadalupe"), "es", "eligibility_form"),
    ],
)  # fmt: skip
async def test_cities_asked_about_together_get_the_rule_for_groups_everywhere(
    dispatcher, domain, text, intent, cities, lang, loop
):
    several = {"en": "several", "fr": "plusieurs", "es": "varios"}[lang]
    answerer = FakeAnswerer(
        FakeResult(True, lang, [PAIRS]),
        when={several: FakeResult(True, lang, [GROUPS])},
    )
    get_services().override("answerer", answerer)
    entities = city_entities(text, cities)
    tracker = make_tracker(text, intent, entities, active_loop=loop, language=lang)

    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)

    assert dispatcher.messages[0]["text"] == "Groups of municipalities..."
    assert not [e for e in events if e.get("name") == "action_reset_eligibility"]
    assert len(answerer.calls) == 1 and several in answerer.calls[0]["text"]


@pytest.mark.parametrize(
    ("text", "intent", "question"),
    [
        ("Tinyville", "nlu_fallback", False),
        ("about 150k people", "out_of_scope", False),
        ("how much does it cost", "nlu_fallback", True),
        ("combien ça coûte", "out_of_scope", True),
        ("¿cuánto cuesta", "nlu_fallback", True),
    ],
)
def test_an_unsure_message_in_a_form_is_a_question_or_its_answer_never_both(
    domain, text, intent, question
):
    # answers_the_form (the answer action stays silent) and the form's own reading
    # (slots.answer_for) must agree: "In which country is how much does it cost?"
    # was asked of a question without its "?".
    from actions.slots import answer_for

    tracker = make_tracker(
        text, intent, active_loop="eligibility_form", requested_slot="city"
    )
    assert answers_the_form(tracker, domain) is not question
    assert (answer_for(tracker, "city") is None) is question


async def test_start_over_restarts_the_check_without_an_unrelated_answer(
    dispatcher, domain
):
    # Journey walk: "start over" (a self-check request) was first answered with the
    # year the programme started.
    from actions.verdict import ActionResetEligibility

    launch = FakeHit("programme-launch-year", 0.9, "Start?", "In 2017...", "s")
    get_services().override("answerer", FakeAnswerer(FakeResult(True, "en", [launch])))
    tracker = make_tracker("start over", "check_eligibility", city="Ottawa")
    events = await ActionResetEligibility().run(dispatcher, tracker, domain)
    assert dispatcher.messages == []
    assert SlotSet("city", None) in events


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("¿cuesta postularse?", "funding-fees"),
        ("on peut choisir notre ville jumelle ?", "pairs-choose-partner"),
        ("can the state of Puebla participate", "other-regions-mexican-states"),
    ],
)
async def test_a_programme_question_read_as_a_self_check_request_is_answered(
    dispatcher, domain, text, entry
):
    # The NLU reads these as self-check requests: the answer comes before the check
    # asks which city (the test split through the chat lost them once).
    from actions.verdict import ActionResetEligibility

    hit = FakeHit(entry, 0.9, "Q?", "The answer.", "s")
    get_services().override("answerer", FakeAnswerer(FakeResult(True, "en", [hit])))
    tracker = make_tracker(text, "check_eligibility")
    await ActionResetEligibility().run(dispatcher, tracker, domain)
    assert [m.get("text") for m in dispatcher.messages][:1] == ["The answer."]


def _answer_ids(dispatcher) -> list[str]:
    return [
        m["custom"]["answer_id"]
        for m in dispatcher.messages
        if (m.get("custom") or {}).get("answer_id")
    ]


COMMITMENT = FakeHit("commitment-duration", 0.99, "How long?", "18 months.", "s")


async def test_two_questions_in_one_message_get_both_answers(dispatcher, domain):
    # Journey walk: "When is the deadline? How long is the commitment?" got one.
    commitment = FakeResult(True, "en", [COMMITMENT])
    deadline = FakeResult(True, "en", [DEADLINE, OTHER], suggestions=[DEADLINE, OTHER])
    answerer = FakeAnswerer(commitment, when={"When is": deadline})
    get_services().override("answerer", answerer)
    text = "How long is the commitment? When is the deadline?"
    await ActionAnswerQuestion().run(
        dispatcher, make_tracker(text, "ask_programme"), domain
    )
    # In the order of the questions (the message's own answer, the fake's for "When
    # is", had come first).
    assert _answer_ids(dispatcher) == ["commitment-duration", "deadline-date"]
    assert all(not m.get("buttons") for m in dispatcher.messages)  # none in between


@pytest.mark.parametrize(
    "text",
    [
        "How long is the commitment? How many months is that?",  # one entry
        "How long is the commitment?",  # one question
    ],
)
async def test_one_question_gets_one_answer(dispatcher, domain, text):
    get_services().override(
        "answerer", FakeAnswerer(FakeResult(True, "en", [COMMITMENT]))
    )
    await ActionAnswerQuestion().run(
        dispatcher, make_tracker(text, "ask_programme"), domain
    )
    assert _answer_ids(dispatcher) == ["commitment-duration"]
