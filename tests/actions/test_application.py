"""The draft application: validation, the themes question and saving the draft."""

from __future__ import annotations

from action_helpers import make_tracker, uttered
from rasa_sdk.events import SlotSet

from actions import names
from actions.application import (
    ActionAskThemes,
    ActionSaveDraft,
    ValidateApplicationForm,
)
from assistant.core.drafts import DraftStore
from assistant.core.services import get_services

FORM = "application_form"
FILLED = {"city": "Ottawa", "country": "CA", "contact_name": "Jane Doe"}


def asking(slot: str, text: str, intent: str = "inform", **slots):
    return make_tracker(text, intent, active_loop=FORM, requested_slot=slot, **slots)


async def run_form(tracker, dispatcher, domain):
    return await ValidateApplicationForm().run(dispatcher, tracker, domain)


async def test_valid_email_is_kept(dispatcher, domain):
    tracker = asking("contact_email", "it's jane.doe@ottawa.ca thanks", **FILLED)
    events = await run_form(tracker, dispatcher, domain)
    # The application form's slot order is the domain's: Rasa picks the next one.
    assert events == [SlotSet("contact_email", "jane.doe@ottawa.ca")]


async def test_invalid_email_is_explained_and_asked_again(dispatcher, domain):
    tracker = asking("contact_email", "jane at ottawa", **FILLED)
    events = await run_form(tracker, dispatcher, domain)
    assert events == [SlotSet("contact_email", None)]
    assert uttered(dispatcher) == [names.UTTER_INVALID_EMAIL]


async def test_several_themes_in_french_even_if_nlu_saw_a_question(dispatcher, domain):
    tracker = asking(
        "themes", "logement et économie circulaire", "ask_programme", language="fr"
    )
    events = await run_form(tracker, dispatcher, domain)
    assert SlotSet("themes", ["housing", "circular-economy"]) in events


async def test_theme_button_payload_and_other(dispatcher, domain):
    tracker = asking("themes", "other", language="en")
    events = await run_form(tracker, dispatcher, domain)
    assert SlotSet("themes", ["other"]) in events


async def test_unknown_theme_is_explained(dispatcher, domain):
    tracker = asking("themes", "space travel")
    events = await run_form(tracker, dispatcher, domain)
    assert SlotSet("themes", None) in events
    assert uttered(dispatcher) == [names.UTTER_INVALID_THEMES]


async def test_motivation_that_mentions_the_programme_is_still_a_motivation(
    dispatcher, domain
):
    text = "We want to learn from European cities about circular economy."
    events = await run_form(
        asking("motivation", text, "ask_programme"), dispatcher, domain
    )
    assert SlotSet("motivation", text) in events


async def test_stop_fills_nothing(dispatcher, domain):
    events = await run_form(asking("role", "stop", "stop"), dispatcher, domain)
    assert events == []  # Rasa rejects the form and the "stop" rule runs


async def test_themes_question_has_a_button_per_theme_and_other(dispatcher, domain):
    await ActionAskThemes().run(dispatcher, make_tracker(language="fr"), domain)
    message = dispatcher.messages[0]
    assert message["response"] == names.UTTER_ASK_THEMES
    titles = [b["title"] for b in message["buttons"]]
    assert "économie circulaire" in titles
    assert titles[-1] == "autre"


async def test_draft_is_saved_and_the_private_link_given(dispatcher, domain, tmp_path):
    store = DraftStore(f"sqlite:///{tmp_path / 'drafts.db'}")
    get_services().override("drafts", store)
    get_services().override("public_url", "https://example.org")
    tracker = make_tracker(
        city="Ottawa",
        country="CA",
        contact_name="Jane Doe",
        contact_email="jane.doe@ottawa.ca",
        role="Director",
        themes=["housing"],
        motivation="We want to learn from European peers.",
        language="fr",
    )
    events = await ActionSaveDraft().run(dispatcher, tracker, domain)

    draft_id = events[0]["value"]
    assert events == [SlotSet("draft_id", draft_id)]
    saved_message, announcement = dispatcher.messages
    assert saved_message["response"] == names.UTTER_DRAFT_SAVED
    # Rasa stores both messages in its tracker: the link comes without its token,
    # and the draft opens with no token until the app claims it for the user.
    assert saved_message["link"] == f"https://example.org/drafts/{draft_id}"
    assert announcement["custom"] == {"draft": {"id": draft_id}}
    token = store.claim(draft_id)
    assert token is not None
    saved = store.get(draft_id, token)
    assert saved.fields["contact_email"] == "jane.doe@ottawa.ca"
    assert saved.fields["themes"] == ["housing"]
    assert saved.fields["language"] == "fr"


async def test_unusable_store_gives_a_reply_with_the_contact(dispatcher, domain):
    class Broken:
        def create_unclaimed(self, fields):
            raise RuntimeError("disk full")

    get_services().override("drafts", Broken())
    events = await ActionSaveDraft().run(dispatcher, make_tracker(city="X"), domain)
    assert events == []
    assert uttered(dispatcher) == [names.UTTER_DRAFT_FAILED]


async def test_contact_name_that_nlu_took_for_a_place_is_only_a_name(
    dispatcher, domain
):
    # Live bug: "Jane Doe" gave city "Jane" and country "Doe", then "In which country
    # is Jane?". The form keeps the name and asks nothing about places.
    entities = [
        {"entity": "city", "value": "Jane"},
        {"entity": "country", "value": "Doe"},
    ]
    tracker = make_tracker(
        "Jane Doe",
        "deny",
        entities=entities,
        active_loop=FORM,
        requested_slot="contact_name",
        city="Ottawa",
        country="CA",
    )
    events = await run_form(tracker, dispatcher, domain)
    assert events == [SlotSet("contact_name", "Jane Doe")]
    assert dispatcher.messages == []


async def test_city_asked_by_the_draft_comes_from_the_entity_or_the_text(
    dispatcher, domain
):
    button = make_tracker(
        '/inform{"city": "Laval"}',
        entities=[{"entity": "city", "value": "Laval"}],
        active_loop=FORM,
        requested_slot="city",
    )
    assert await run_form(button, dispatcher, domain) == [SlotSet("city", "Laval")]
    typed = asking("city", "Trois-Rivières")
    assert await run_form(typed, dispatcher, domain) == [
        SlotSet("city", "Trois-Rivières")
    ]


async def test_country_asked_by_the_draft_is_read_in_spanish(dispatcher, domain):
    tracker = make_tracker(
        "México",
        entities=[{"entity": "country", "value": "México"}],
        active_loop=FORM,
        requested_slot="country",
        city="Guadalajara",
        language="es",
    )
    events = await run_form(tracker, dispatcher, domain)
    assert events == [SlotSet("country", "MX")]


async def test_question_while_the_draft_asks_the_city_fills_nothing(dispatcher, domain):
    tracker = asking("city", "can Ottawa apply?", "check_eligibility")
    assert await run_form(tracker, dispatcher, domain) == []


async def test_contact_name_keeps_the_name_without_the_lead_in(dispatcher, domain):
    # Live: "I'm Jane Doe" went into the draft as the contact's name.
    for text, lang, expected in [
        ("I'm Jane Doe", "en", "Jane Doe"),
        ("je m'appelle Marie Tremblay", "fr", "Marie Tremblay"),
        ("Me llamo Ana López.", "es", "Ana López"),
        ("Esteban García", "es", "Esteban García"),
        ("Im Sun-hee", "en", "Im Sun-hee"),
    ]:
        tracker = asking("contact_name", text, language=lang)
        events = await run_form(tracker, dispatcher, domain)
        assert events == [SlotSet("contact_name", expected)]


async def test_bare_city_nlu_took_for_a_self_check_answers_the_draft(
    dispatcher, domain
):
    # Live bug: "Laval" left the draft for a self-check.
    tracker = make_tracker(
        "Laval",
        "check_eligibility",
        entities=[{"entity": "city", "value": "Laval"}],
        active_loop=FORM,
        requested_slot="city",
        language="fr",
    )
    assert await run_form(tracker, dispatcher, domain) == [SlotSet("city", "Laval")]
