"""axe-core on every page, widget open, in each language (app alone)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import axe_violations
from tests.browser.conftest import Site

pytestmark = pytest.mark.browser

LANGS = ["en", "fr", "es"]


def _open_widget(page: Page) -> None:
    page.locator(".iuc-chat__launcher").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.locator(".iuc-chat__input").fill("deadline?")
    page.keyboard.press("Enter")
    expect(page.locator(".iuc-chat__sources a").first).to_be_visible()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", ["/{lang}", "/eligibility?lang={lang}"])
def test_pages_with_the_widget_open_pass_axe(
    page: Page, site: Site, path: str, lang: str
) -> None:
    page.goto(site.app_url + path.format(lang=lang))
    _open_widget(page)
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_draft_page_passes_axe(page: Page, site: Site, lang: str) -> None:
    created = httpx.post(
        f"{site.app_url}/api/applications",
        json={"city": "Halifax", "country": "CA", "language": lang},
        timeout=30,
    ).json()
    page.goto(created["resume_url"])
    expect(page.locator("#theme-list input").first).to_be_visible()
    page.locator("#f-contact_email").fill("nope")
    page.keyboard.press("Tab")  # the refusal shows once the field is left
    expect(page.locator("#err-contact_email")).not_to_be_empty()
    assert axe_violations(page) == []
