"""Whole conversations through the running Rasa and action servers (REST channel)."""

from __future__ import annotations

import uuid
from functools import cache
from pathlib import Path

import httpx
import pytest
import yaml

from actions.slots import response_text
from assistant.core.drafts import DraftStore
from tests.live_stack import LiveStack

pytestmark = pytest.mark.integration


DOMAIN_DIR = Path(__file__).resolve().parents[2] / "domain"


class Chat:
    """One user talking to Rasa's REST webhook with the widget's language metadata.

    ``language=None`` sends none, as the widget does between two switches of its
    selector: the conversation's own language then rules.
    """

    def __init__(self, stack: LiveStack, language: str | None) -> None:
        self.url = f"{stack.rasa_url}/webhooks/rest/webhook"
        self.sender = f"test-{uuid.uuid4()}"
        self.language = language
        self.token = stack.rasa_token

    def say(self, text: str) -> list[dict]:
        metadata = {"language": self.language} if self.language else {}
        response = httpx.post(
            self.url,
            json={"sender": self.sender, "message": text, "metadata": metadata},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def slots(self) -> dict:
        url = self.url.split("/webhooks/")[0] + f"/conversations/{self.sender}/tracker"
        response = httpx.get(url, params={"token": self.token}, timeout=60)
        response.raise_for_status()
        return response.json()["slots"]


def texts(messages: list[dict]) -> str:
    return " ".join(m.get("text", "") for m in messages)


def sources(messages: list[dict]) -> list[dict]:
    return [s for m in messages for s in (m.get("custom") or {}).get("sources", [])]


@cache
def _domain() -> dict:
    responses: dict = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        responses.update(data.get("responses") or {})
    return {"responses": responses}


def response(name: str, lang: str, **values: str) -> str:
    """The text the bot says for a domain response in ``lang``, filled in; for a
    verdict, its headline (the reasons follow it in the same message)."""
    text = response_text(_domain(), name, lang)
    assert text, f"{name} has no text"
    return text.split("{reasons}")[0].format(**values)


def open_draft(stack: LiveStack, messages: list[dict]) -> dict:
    """Claims the draft Rasa announced, as the app does on its way to the user
    (assistant/web/draft_link.py), then opens it as the draft page does."""
    announced = [
        m["custom"]["draft"]["id"]
        for m in messages
        if "draft" in (m.get("custom") or {})
    ]
    assert announced, messages
    draft_id = announced[0]
    assert f"/drafts/{draft_id}" in texts(messages)
    assert "#token=" not in texts(messages)  # Rasa never sees the token
    store = DraftStore(stack.env["IUC_DATABASE__URL"])
    token = store.claim(draft_id)
    store.close()
    assert token is not None
    reply = httpx.get(
        f"{stack.app_url}/api/applications/{draft_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    reply.raise_for_status()
    return reply.json()


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [
        ("en", "When is the deadline to apply?", "2019"),
        ("fr", "Quelle est la date limite pour postuler ?", "2019"),
        ("es", "¿Cuál es la fecha límite para postularse?", "2019"),
    ],
)
def test_deadline_is_answered_with_its_source(live_stack, language, question, expected):
    reply = Chat(live_stack, language).say(question)
    assert expected in texts(reply)
    assert sources(reply), reply


def test_ottawa_self_check_then_draft_with_link(live_stack):
    chat = Chat(live_stack, "en")
    reply = chat.say("Is my city eligible? Let's check")
    assert "city" in texts(reply).lower()
    reply = chat.say("Ottawa")
    assert "Ottawa, Ontario, Canada" in texts(reply)
    assert "1,017,000" in texts(reply)
    reply = chat.say("/affirm")
    assert "encouraged" in texts(reply)
    reply = chat.say("/start_application")
    assert "contact person" in texts(reply)
    reply = chat.say("When is the deadline?")  # interruption, then the form resumes
    assert "2019" in texts(reply)
    assert "contact person" in texts(reply)
    chat.say("Jane Doe")
    reply = chat.say("jane.doe@ottawa.ca")
    assert "role" in texts(reply)
    reply = chat.say("Director of international relations")
    assert any(m.get("buttons") for m in reply)
    chat.say("housing")
    reply = chat.say("We want to learn from European peers about housing.")
    draft = open_draft(live_stack, reply)
    assert (draft["city"], draft["country"]) == ("Ottawa", "CA")
    # The province confirmed in the chat is on the draft, named in its language.
    assert (draft["region"], draft["region_name"]) == ("Ontario", "Ontario")
    assert draft["contact_email"] == "jane.doe@ottawa.ca"


def test_stop_leaves_the_form(live_stack):
    chat = Chat(live_stack, "fr")
    chat.say("Je veux vérifier si ma ville est admissible")
    reply = chat.say("annuler")
    assert "arrête" in texts(reply)
    reply = chat.say("Quelle est la date limite ?")
    assert "2019" in texts(reply)


def test_draft_from_scratch_keeps_the_city_when_names_look_like_places(live_stack):
    # Live bug: the contact's name and e-mail were taken for the city and the country.
    chat = Chat(live_stack, "es")
    chat.say("Quiero empezar una solicitud")
    chat.say("Guadalajara")
    chat.say("México")
    chat.say("Jane Doe")
    reply = chat.say("marie@guadalajara.example")
    assert "cargo" in texts(reply)
    slots = chat.slots()
    assert (slots["city"], slots["country"]) == ("Guadalajara", "MX")
    assert slots["contact_email"] == "marie@guadalajara.example"


def test_springfield_button_then_lyon_is_outside_the_region(live_stack):
    chat = Chat(live_stack, "fr")
    chat.say("Est-ce que ma ville est admissible ?")
    reply = chat.say("Springfield")
    buttons = [b for m in reply for b in m.get("buttons", [])]
    illinois = next(b for b in buttons if "Illinois" in b["title"])
    # The click names the place exactly: it is the confirmation (issue 15).
    reply = chat.say(illinois["payload"])
    assert "Springfield (Illinois" in texts(reply)  # in the verdict's reasons
    assert chat.slots()["eligibility_verdict"] == "encouraged"

    chat.say("Est-ce que ma ville est admissible ?")
    # Outside the call: the guidance at once, nothing to confirm (issue 15).
    reply = chat.say("Lyon")
    assert "hors de la région" in texts(reply)


@pytest.mark.parametrize(
    ("language", "country", "confirm"),
    [
        ("en", "Canada", "Laval, Quebec, Canada"),
        ("fr", "Canada", "Laval, Québec, Canada"),  # the province named in French
        ("es", "Canadá", "Laval, Quebec, Canadá"),
    ],
)
def test_country_typed_after_which_laval_narrows_it(
    live_stack, language, country, confirm
):
    # Live bug: "Canada" typed instead of a click became a new city called Canada.
    chat = Chat(live_stack, language)
    chat.say("/check_eligibility")
    reply = chat.say("Laval")
    assert len([b for m in reply for b in m.get("buttons", [])]) > 1
    reply = chat.say(country)
    slots = chat.slots()
    assert (slots["city"], slots["country"], slots["region"]) == (
        "Laval",
        "CA",
        "Quebec",
    )
    assert confirm in texts(reply)  # "... about 438,000 inhabitants: is that right?"


# "Done when": in each language, ask the deadline, check the city, leave with a draft.
@pytest.mark.parametrize(
    ("language", "turns", "city", "email"),
    [
        (
            "fr",
            [
                "Est-ce que Montréal peut participer ?",
                "oui",
                "oui",
                "Marie Tremblay",
                "marie@montreal.example",
                "conseillère en relations internationales",
                "logement",
                "Nous voulons apprendre d'une ville européenne sur le logement.",
            ],
            "Montréal",
            "marie@montreal.example",
        ),
        (
            "es",
            [
                "¿Puebla puede participar?",
                "sí",
                "sí",
                "Ana López",
                "ana.lopez@puebla.example",
                "directora de relaciones internacionales",
                "movilidad urbana sostenible",
                "Queremos aprender de ciudades europeas sobre movilidad urbana.",
            ],
            "Puebla",
            "ana.lopez@puebla.example",
        ),
    ],
)
def test_deadline_self_check_and_draft_in_french_and_spanish(
    live_stack, language, turns, city, email
):
    chat = Chat(live_stack, language)
    question = {"fr": "Quelle est la date limite ?", "es": "¿Cuál es la fecha límite?"}
    assert "2019" in texts(chat.say(question[language]))
    replies = [chat.say(turn) for turn in turns]

    verdict = response("utter_verdict_encouraged", language, city=city)
    assert verdict in texts(replies[1])
    assert response("utter_ask_contact_name", language) in texts(replies[2])
    draft = open_draft(live_stack, replies[-1])
    assert (draft["city"], draft["contact_email"]) == (city, email)
    assert draft["themes"]


def test_language_switch_changes_the_replies_and_resumes_the_form(live_stack):
    chat = Chat(live_stack, "en")
    chat.say("hello")
    chat.language = None  # the widget sends its language with the first turn only
    reply = chat.say("en français s'il vous plaît")
    assert response("utter_language_changed", "fr") in texts(reply)
    assert {"language": "fr"} in [m.get("custom") for m in reply]
    reply = chat.say("Je veux vérifier si ma ville est admissible")
    assert response("utter_ask_city", "fr") in texts(reply)

    # In the middle of the self-check: answered in Spanish, then the same question.
    reply = chat.say("en español por favor")
    assert response("utter_language_changed", "es") in texts(reply)
    assert response("utter_ask_city", "es") in texts(reply)
    reply = chat.say("Ottawa")
    assert "Ottawa, Ontario, Canadá" in texts(reply)
    assert chat.slots()["language"] == "es"


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("en", "the one in Illinois"),
        ("fr", "celle de l'Illinois"),
        ("es", "la de Illinois"),
    ],
)
def test_state_typed_after_which_springfield_picks_it(live_stack, language, typed):
    # Live bug: the typed state became a new city called "the one in Illinois".
    chat = Chat(live_stack, language)
    chat.say("/check_eligibility")
    reply = chat.say("Springfield")
    assert len([b for m in reply for b in m.get("buttons", [])]) > 1
    # The buttons end the turn, not "which city?" again: the ask action reads this
    # turn's events (assistant/rasa_runtime/action_calls.py sends only those).
    assert response("utter_ask_city", language) not in texts(reply)
    reply = chat.say(typed)
    slots = chat.slots()
    assert (slots["city"], slots["region"], slots["country"]) == (
        "Springfield",
        "Illinois",
        "US",
    )
    assert "Springfield, Illinois" in texts(reply)  # "...: is that right?"
    reply = chat.say("/affirm")
    assert chat.slots()["eligibility_verdict"] == "encouraged"
    assert response("utter_verdict_encouraged", language, city="Springfield") in texts(
        reply
    )


@pytest.mark.parametrize(
    ("language", "typed", "confirm"),
    [
        ("en", "Portland, Oregon", None),  # named with its state: nothing to confirm
        ("fr", "Halifax", "Halifax, Nouvelle-Écosse, Canada"),
        ("es", "Springfield", None),
    ],
)
def test_a_city_typed_on_its_own_starts_the_self_check(
    live_stack, language, typed, confirm
):
    # Live bug: the first thing many visitors type, their city, got "Sorry, I did
    # not get that".
    chat = Chat(live_stack, language)
    reply = chat.say(typed)
    assert not any((m.get("custom") or {}).get("fallback") for m in reply)
    assert response("utter_default", language) not in texts(reply)
    if typed == "Portland, Oregon":
        assert chat.slots()["eligibility_verdict"] == "encouraged"
        return
    buttons = [b for m in reply for b in m.get("buttons", [])]
    assert len(buttons) > 1, reply  # which one?
    reply = chat.say({"fr": "la canadienne", "es": "el primero"}[language])
    slots = chat.slots()
    if confirm:
        assert confirm in texts(reply)
        assert (slots["city"], slots["country"]) == ("Halifax", "CA")
    else:
        assert (slots["city"], slots["region"]) == ("Springfield", "Missouri")


@pytest.mark.parametrize(("language", "yes"), [("en", "yes"), ("fr", "oui")])
def test_yes_to_which_one_offers_the_choices_again(live_stack, language, yes):
    # Live bug: "yes" to "which Halifax?" gave the verdict for Yasuj, Iran.
    chat = Chat(live_stack, language)
    chat.say("/check_eligibility")
    first = chat.say("Halifax")
    reply = chat.say(yes)
    slots = chat.slots()
    assert slots["city"] is None and slots["eligibility_verdict"] is None
    assert slots["ambiguous_city"] == "Halifax"
    titles = [b["title"] for m in reply for b in m.get("buttons", [])]
    assert titles == [b["title"] for m in first for b in m.get("buttons", [])]
    assert response("utter_which_city_again", language, city="Halifax") in texts(reply)


def test_a_reply_the_fallback_gives_reports_the_language_it_is_written_in(live_stack):
    # Live bug: a French page's first message that fell back ("Laval" alone, then a
    # word as much as a city; now the city, session 15) was answered in French and
    # reported as English, and the widget offered to switch to English. A number
    # alone is information with no form to take it, which the engine declines.
    reply = Chat(live_stack, "fr").say("200000")
    assert response("utter_default", "fr") in texts(reply)
    assert {"language": "fr"} in [m.get("custom") for m in reply]
    assert {"language": "en"} not in [m.get("custom") for m in reply]


def answer_ids(messages: list[dict]) -> list[str]:
    return [
        m["custom"]["answer_id"]
        for m in messages
        if "answer_id" in (m.get("custom") or {})
    ]


@pytest.mark.parametrize(
    ("language", "first", "then", "place"),
    [
        (
            "es",
            "hola, soy de la Ciudad de México, ¿cuándo cierra la convocatoria?",
            "¿podemos aplicar?",
            "Ciudad de México",
        ),
        ("en", "I'm from Tijuana, when is the deadline?", "can we apply?", "Tijuana"),
    ],
)
def test_the_city_the_visitor_is_from_is_not_asked_for_again(
    live_stack, language, first, then, place
):
    # Live bug: the city said in passing was forgotten, and "can we apply?" asked
    # "Which city (or municipality) are you asking for?".
    chat = Chat(live_stack, language)
    assert "2019" in texts(chat.say(first))
    reply = chat.say(then)
    assert response("utter_ask_city", language) not in texts(reply)
    slots = chat.slots()
    assert slots["requested_slot"] == "city_confirmed"  # "...: is that right?"
    assert (slots["city_match"] or {}).get("country") == "MX"
    assert place in texts(reply)


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("en", "Can Toronto and Montreal apply together?"),
        ("es", "¿Pueden Tijuana y Mexicali postularse juntas?"),
    ],
)
def test_cities_asking_to_apply_together_get_the_rule_for_groups(
    live_stack, language, question
):
    # Live bug: the list of Canadian pairs (Montreal–Manchester...).
    reply = Chat(live_stack, language).say(question)
    assert answer_ids(reply) == ["eligibility-groups-of-municipalities"]


@pytest.mark.parametrize(
    "typed", ["no, I meant Monterrey, Mexico", "Monterrey, Mexico"]
)
def test_a_city_corrected_at_its_confirmation_gets_its_own_verdict(live_stack, typed):
    # Live bug: "I don't have Monterrey in my list of cities", "Please answer yes or
    # no.", then the group question (Monterey, California's 28,000 inhabitants).
    chat = Chat(live_stack, "en")
    assert "Monterey, California" in texts(chat.say("Can Monterey apply?"))
    reply = chat.say(typed)
    slots = chat.slots()
    assert (slots["city"], slots["country"]) == ("Monterrey", "MX")
    assert response("utter_verdict_encouraged", "en", city="Monterrey") in texts(reply)


def test_london_is_asked_about_and_corrected_after_the_verdict(live_stack):
    chat = Chat(live_stack, "en")
    # Live bug: London, United Kingdom's verdict at once.
    reply = chat.say("Can London apply?")
    titles = [b["title"] for m in reply for b in m.get("buttons", [])]
    assert any("Ontario" in title for title in titles), reply
    chat = Chat(live_stack, "en")
    assert chat.say("Can Lyon apply?") and chat.slots()["eligibility_verdict"]
    # Live bug: "Is there anything else I can help you with?".
    reply = chat.say("no, I meant London, Ontario")
    assert response("utter_verdict_encouraged", "en", city="London") in texts(reply)


def test_a_question_the_nlu_is_unsure_of_is_answered_in_the_self_check(live_stack):
    # Live bug: "how much does it cost?" (nlu_fallback) became the city: "I don't
    # have how much does it cost? in my list of cities", then "In which country is
    # how much does it cost??"; at the confirmation, "Please answer yes or no.".
    chat = Chat(live_stack, "en")
    chat.say("is my city eligible?")
    reply = chat.say("how much does it cost?")
    assert answer_ids(reply), reply
    assert response("utter_ask_city", "en") in texts(reply)
    assert chat.slots()["city"] is None
    chat.say("Ottawa")
    reply = chat.say("how much does it cost?")
    assert answer_ids(reply), reply
    assert response("utter_invalid_yes_no", "en") not in texts(reply)
    assert "Ottawa, Ontario, Canada" in texts(reply)  # the confirmation again


def test_a_state_typed_for_the_city_asks_for_a_city_in_it(live_stack):
    # Live bug: "No tengo Jalisco en mi lista de ciudades", then its population asked.
    chat = Chat(live_stack, "es")
    chat.say("¿mi ciudad puede participar?")
    reply = chat.say("Jalisco")
    assert response("utter_region_not_city", "es", region="Jalisco") in texts(reply)
    assert response("utter_ask_city", "es") in texts(reply)
    reply = chat.say("Guadalajara")
    assert response("utter_verdict_encouraged", "es", city="Guadalajara") in texts(
        reply
    )


@pytest.mark.parametrize("typed", ["México", "unos doscientos mil"])
def test_a_country_or_a_population_for_the_city_asks_for_the_city(live_stack, typed):
    # Live bugs: "Ciudad de México es un estado o provincia" (or the verdict for
    # Mexico, Philippines); "¿Cuántos habitantes tiene aproximadamente unos
    # doscientos mil?".
    chat = Chat(live_stack, "es")
    chat.say("¿mi ciudad puede participar?")
    reply = chat.say(typed)
    assert response("utter_invalid_city", "es") in texts(reply)
    assert chat.slots()["city"] is None


def test_a_draft_is_for_the_visitors_city_not_one_asked_about(live_stack):
    # Live bug: "In which country is Guadalajara?" to a visitor from Tijuana.
    chat = Chat(live_stack, "en")
    chat.say("I'm from Tijuana, when is the deadline?")
    reply = chat.say("Is Guadalajara paired with a German city?")
    assert "Guadalajara" in texts(reply)  # its pairing, answered
    reply = chat.say("I want to start an application")
    assert "Guadalajara" not in texts(reply)
    assert chat.slots()["city"] == "Tijuana"


def test_i_am_from_laval_is_the_visitors_city(live_stack):
    # Live bug: "Laval" (a word as much as a city) was no city after "je suis de",
    # and "pouvons-nous postuler ?" asked which city.
    chat = Chat(live_stack, "fr")
    chat.say("Je suis de Laval. Quels sont les thèmes ?")
    reply = chat.say("pouvons-nous postuler ?")
    assert response("utter_ask_city", "fr") not in texts(reply)
    assert "Laval, Québec, Canada" in " ".join(
        b["title"] for m in reply for b in m.get("buttons", [])
    )


def test_a_question_during_which_one_keeps_the_choices(live_stack):
    # Live bug: "Which city (or municipality) are you asking for?" after the answer,
    # without the choices for Kingston.
    chat = Chat(live_stack, "en")
    chat.say("is my city eligible?")
    first = chat.say("Kingston")
    reply = chat.say("what are the themes?")
    assert answer_ids(reply), reply
    titles = [b["title"] for m in reply for b in m.get("buttons", [])]
    assert titles == [b["title"] for m in first for b in m.get("buttons", [])]
    reply = chat.say("the Canadian one")
    assert "Kingston, Ontario, Canada" in texts(reply)


def test_check_another_city_after_ones_own_asks_which(live_stack):
    chat = Chat(live_stack, "es")
    chat.say("soy de Tijuana")
    assert chat.say("sí") and chat.slots()["eligibility_verdict"] == "encouraged"
    reply = chat.say("/check_eligibility")  # the verdict's "Verificar otra ciudad"
    assert response("utter_ask_city", "es") in texts(reply)


def test_the_same_name_in_another_state_corrects_the_city(live_stack):
    # Live bug: "No hay problema, completemos los datos juntos." and "¿En qué país
    # está Ciudad Juárez?".
    chat = Chat(live_stack, "es")
    assert "Chihuahua" in texts(chat.say("¿Puede postular Ciudad Juárez?"))
    reply = chat.say("no, me refiero a Juárez, Nuevo León")
    assert chat.slots()["city"] == "Ciudad Benito Juárez"
    assert "Ciudad Benito Juárez" in texts(reply)  # its verdict
