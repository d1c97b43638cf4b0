"""The widget and the pages in a real browser (app alone; Rasa is down)."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.web.conftest import DEADLINE

pytestmark = pytest.mark.browser


def open_widget(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name=re.compile("IUC")).click()
    expect(page.get_by_role("dialog")).to_be_visible()


def ask(page: Page, text: str) -> None:
    page.locator(".iuc-chat__input").fill(text)
    page.keyboard.press("Enter")


def test_one_tag_embeds_the_widget_on_another_site(page: Page, site: Site) -> None:
    open_widget(page, site.host_url)
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_contain_text("IUC North America")
    ask(page, "When is the deadline?")
    expect(log).to_contain_text(DEADLINE["en"])
    # The answer shows its source as a link.
    expect(log.locator(".iuc-chat__sources a").first).to_have_attribute(
        "href", re.compile("^http")
    )


def test_quick_reply_sends_its_question(page: Page, site: Site) -> None:
    open_widget(page, site.host_url)
    page.get_by_role("button", name="When is the deadline?").click()
    expect(page.locator(".iuc-chat__msg--user").last).to_have_text(
        re.compile("When is the deadline")
    )
    expect(page.get_by_role("log")).to_contain_text(DEADLINE["en"])


def test_switch_to_french_and_reload_keeps_the_conversation(
    page: Page, site: Site
) -> None:
    open_widget(page, site.host_url)
    page.get_by_label("Language").select_option("fr")
    expect(page.locator(".iuc-chat__send")).to_have_text("Envoyer")
    ask(page, "Quelle est la date limite ?")
    expect(page.get_by_role("log")).to_contain_text(DEADLINE["fr"])

    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()
    log = page.get_by_role("log")
    expect(log).to_contain_text("Quelle est la date limite ?")
    expect(log).to_contain_text(DEADLINE["fr"])
    expect(page.locator(".iuc-chat__send")).to_have_text("Envoyer")


def test_a_script_payload_is_shown_as_text(page: Page, site: Site) -> None:
    open_widget(page, site.host_url)
    payload = "<script>window.__pwned = 1</script><img src=x onerror=alert(1)>"
    ask(page, payload)
    user = page.locator(".iuc-chat__msg--user").last
    expect(user).to_contain_text(payload)
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".iuc-chat__log script, .iuc-chat__log img").count() == 0


def test_keyboard_only_use_with_escape_to_close(page: Page, site: Site) -> None:
    page.goto(site.host_url)
    launcher = page.locator(".iuc-chat__launcher")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".iuc-chat__input")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(launcher).to_be_focused()


def test_server_unreachable_gives_a_clear_message(page: Page, site: Site) -> None:
    open_widget(page, site.host_url)
    page.route("**/api/chat", lambda route: route.abort())
    ask(page, "hello?")
    expect(page.get_by_role("log")).to_contain_text("cannot reach the assistant")


def test_usable_at_phone_size(browser: object, site: Site) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 667})  # type: ignore[attr-defined]
    page = context.new_page()
    open_widget(page, site.host_url)
    box = page.get_by_role("dialog").bounding_box()
    assert box is not None and box["width"] <= 375 and box["x"] >= 0
    ask(page, "deadline?")
    expect(page.get_by_role("log")).to_contain_text(DEADLINE["en"])
    context.close()


@pytest.mark.parametrize(
    ("path", "heading", "theme"),
    [("/", "North America", "housing"), ("/fr", "Amérique du Nord", "logement")],
)
def test_programme_page_presents_the_call(
    page: Page, site: Site, path: str, heading: str, theme: str
) -> None:
    page.goto(site.app_url + path)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.locator("main")).to_contain_text(theme)
    expect(page.locator(".iuc-chat__launcher")).to_be_visible()


def test_self_check_then_draft_page_autosaves(page: Page, site: Site) -> None:
    page.goto(site.app_url + "/eligibility")
    page.get_by_label("City", exact=True).fill("Ottawa")
    page.get_by_label("Country", exact=True).fill("Canada")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#result h2")).to_have_text("Your city is encouraged to apply")
    page.get_by_role("button", name="Start a draft application").click()
    page.wait_for_url(re.compile(r"/drafts/[0-9a-f-]+#token="))
    expect(page.get_by_label("City", exact=True)).to_have_value("Ottawa")

    page.get_by_label("Motivation").fill("We want to learn <b>together</b>.")
    expect(page.locator("#saved")).to_have_text("All changes saved.")
    page.reload()
    expect(page.get_by_label("Motivation")).to_have_value(
        "We want to learn <b>together</b>."
    )
    with page.expect_download() as info:
        page.get_by_role("button", name="Download (JSON)").click()
    saved = json.loads(info.value.path().read_text(encoding="utf-8"))
    assert saved["city"] == "Ottawa" and "token" not in saved


def test_a_refused_field_is_explained_when_left_not_while_typed(
    page: Page, site: Site
) -> None:
    page.goto(site.app_url + "/eligibility")
    page.get_by_label("City", exact=True).fill("Ottawa")
    page.get_by_label("Country", exact=True).fill("Canada")
    page.get_by_role("button", name="Check").click()
    page.get_by_role("button", name="Start a draft application").click()
    page.wait_for_url(re.compile(r"/drafts/[0-9a-f-]+#token="))
    # The draft is loaded (and the page listens to edits) once its city shows.
    expect(page.get_by_label("City", exact=True)).to_have_value("Ottawa")
    motivation = page.get_by_label("Motivation")
    error = page.locator("#err-motivation")

    # A motivation being written is too short until it is not: the autosave refuses
    # it, but the page keeps quiet and the focus stays where the user types.
    with page.expect_response(
        lambda r: r.request.method == "PATCH" and r.status == 422
    ):
        motivation.press_sequentially("We want")
    expect(motivation).to_be_focused()
    expect(error).to_be_empty()

    # Leaving the field shows why it was not saved; finishing the text saves it.
    page.keyboard.press("Tab")
    expect(error).to_have_text("Please write at least 10 characters.")
    motivation.click()
    motivation.press_sequentially(" to learn together.")
    expect(page.locator("#saved")).to_have_text("All changes saved.")
    expect(error).to_be_empty()
    page.reload()
    expect(motivation).to_have_value("We want to learn together.")


def test_draft_page_without_the_token_says_so(page: Page, site: Site) -> None:
    page.goto(site.app_url + "/drafts/00000000-0000-4000-8000-000000000000")
    expect(page.locator("#draft-error")).to_contain_text("invalid or incomplete")


def test_a_verdict_with_reasons_and_choices_before_a_question(
    page: Page, site: Site
) -> None:
    # A turn as the dialogue sends it (kept by the widget across reloads): a verdict
    # with "- " reasons, place buttons, then the form's question.
    turn = [
        {"from": "user", "text": "Halifax"},
        {
            "from": "bot",
            "text": "Your city is encouraged to apply.\n- reason <b>one</b>\n- two",
        },
        {
            "from": "bot",
            "text": "Several places are called Halifax. Which one do you mean?",
            "buttons": [
                {"title": "Halifax, Nova Scotia, Canada", "payload": "/x"},
                {"title": "Halifax, England, United Kingdom", "payload": "/y"},
            ],
        },
        {"from": "bot", "text": "Which city (or municipality) are you asking for?"},
    ]
    page.goto(site.host_url)
    state = {"history": turn, "open": True, "lang": "en", "pageLang": "en"}
    page.evaluate("s => localStorage.setItem('iuc-chat:v1', JSON.stringify(s))", state)
    page.reload()
    verdict = page.locator(".iuc-chat__msg--bot").nth(0)
    expect(verdict.locator("li")).to_have_text(["reason <b>one</b>", "two"])
    assert verdict.locator("b").count() == 0
    # The choices stay clickable although the question came after them.
    expect(
        page.get_by_role("button", name="Halifax, Nova Scotia, Canada")
    ).to_be_enabled()


def test_an_answer_in_another_language_offers_a_switch_but_never_flips(
    page: Page, site: Site
) -> None:
    open_widget(page, site.host_url)
    ask(page, "Quelle est la date limite ?")
    expect(page.get_by_role("log")).to_contain_text(DEADLINE["fr"])
    # The interface stays in the page's language; switching is the user's call.
    expect(page.locator(".iuc-chat__send")).to_have_text("Send")
    offer = page.get_by_role("button", name="Continuer en français")
    expect(offer).to_have_attribute("lang", "fr")
    offer.click()
    expect(page.locator(".iuc-chat__send")).to_have_text("Envoyer")
    expect(page.get_by_label("Langue")).to_have_value("fr")


def test_each_turn_sends_the_pages_language_and_a_pick_once(
    page: Page, site: Site
) -> None:
    # The contract with /api/chat: page_language on every turn, language only with
    # the first turn after the user picked one in the selector.
    open_widget(page, site.host_url)
    bodies = []
    for action in ("ask", "pick", "ask"):
        if action == "pick":
            page.get_by_label("Language").select_option("es")
            continue
        with page.expect_request("**/api/chat") as request:
            ask(page, "deadline?")
        bodies.append(request.value.post_data_json)
        expect(page.locator(".iuc-chat__typing")).to_be_hidden()
    assert bodies[0]["page_language"] == "en" and "language" not in bodies[0]
    assert bodies[1]["page_language"] == "en" and bodies[1]["language"] == "es"
