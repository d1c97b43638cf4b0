"""The widget against the real stack (Rasa + action server + app)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.live_stack import LiveStack

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _ask(page: Page, text: str) -> None:
    page.locator(".iuc-chat__input").fill(text)
    page.keyboard.press("Enter")
    expect(page.locator(".iuc-chat__typing")).to_be_hidden(timeout=30_000)


def test_deadline_quick_reply_french_and_reload(
    page: Page, live_stack: LiveStack
) -> None:
    page.goto(live_stack.app_url + "/")
    page.locator(".iuc-chat__launcher").click()
    page.get_by_role("button", name="When is the deadline?").click()
    expect(page.locator(".iuc-chat__typing")).to_be_hidden(timeout=30_000)
    log = page.get_by_role("log")
    expect(log).to_contain_text("2019")
    expect(log.locator(".iuc-chat__sources a").first).to_be_visible()

    page.get_by_label("Language").select_option("fr")
    _ask(page, "Quelle est la date limite ?")
    # Answered in French (a "did you mean" may follow the answer).
    expect(log).to_contain_text(re.compile("15 mars 2019"))

    page.reload()
    expect(page.get_by_role("log")).to_contain_text("Quelle est la date limite ?")
    expect(page.locator(".iuc-chat__send")).to_have_text("Envoyer")


def test_self_check_in_the_chat_ends_with_a_draft_link(
    page: Page, live_stack: LiveStack
) -> None:
    page.goto(live_stack.app_url + "/")
    page.locator(".iuc-chat__launcher").click()
    _ask(page, "I want to check if my city is eligible")
    answers = iter(["Ottawa", "Canada", "yes", "no", "yes"])
    link = page.locator(".iuc-chat__bubble a[href*='/drafts/']")
    # Answer the self-check, then the draft form, until the bot hands out the link.
    for reply in [
        *answers,
        "Marie Tremblay",
        "marie@ottawa.example",
        "Policy advisor",
        "housing",
        "We want to learn from a European peer city.",
    ]:
        if link.count():
            break
        buttons = page.locator(".iuc-chat__msg:last-child .iuc-chat__reply")
        if reply in ("yes", "no") and buttons.count():
            buttons.first.click()
            expect(page.locator(".iuc-chat__typing")).to_be_hidden(timeout=30_000)
        else:
            _ask(page, reply)
    expect(link.first).to_be_visible()
    href = link.first.get_attribute("href") or ""
    assert "#token=" in href
    page.goto(href)
    expect(page.get_by_label("City", exact=True)).to_have_value(re.compile("Ottawa"))
