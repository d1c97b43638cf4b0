"""The draft and eligibility pages in a real browser (app alone): each in its language,
errors beside their field and announced."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Site

pytestmark = pytest.mark.browser

# (language, country typed, the draft page's texts in that language)
DRAFTS = [
    ("en", "Canada", "Draft application", "Canada", "Nova Scotia", "housing"),
    (
        "fr",
        "Canada",
        "Brouillon de candidature",
        "Canada",
        "Nouvelle-Écosse",
        "logement",
    ),
    ("es", "Canadá", "Borrador de solicitud", "Canadá", "Nueva Escocia", "vivienda"),
]


def _create(site: Site, lang: str, country: str) -> str:
    body = {
        "city": "Halifax",
        "country": country,
        "region": "Nova Scotia",
        "contact_email": "ana@halifax.example",
        "themes": ["housing, circular economy"],
        "language": lang,
    }
    response = httpx.post(f"{site.app_url}/api/applications", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return str(response.json()["resume_url"])


@pytest.mark.parametrize(
    ("lang", "typed", "title", "country", "region", "theme"), DRAFTS
)
def test_a_draft_opens_in_its_language_on_another_device(
    browser: Browser,
    site: Site,
    lang: str,
    typed: str,
    title: str,
    country: str,
    region: str,
    theme: str,
) -> None:
    link = _create(site, lang, typed)
    # Another device: a fresh context whose browser speaks English, no storage.
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(link)
    expect(page.locator("h1")).to_have_text(title)
    expect(page).to_have_title(re.compile(title))
    assert page.evaluate("document.documentElement.lang") == lang
    expect(page.locator("#f-city")).to_have_value("Halifax")
    expect(page.locator("#f-country")).to_have_value(country)
    expect(page.locator("#f-region")).to_have_value(region)
    checked = page.locator("#theme-list input:checked")
    expect(checked).to_have_count(2)
    expect(
        page.locator("#theme-list label", has=page.locator("input:checked")).first
    ).to_have_text(re.compile(theme))
    context.close()


def test_a_refused_value_is_explained_beside_its_field(page: Page, site: Site) -> None:
    page.goto(_create(site, "fr", "Canada"))
    email = page.locator("#f-contact_email")
    # The draft is loaded (and the page listens to edits) once its address shows.
    expect(email).to_have_value("ana@halifax.example")
    email.fill("pas une adresse")
    page.keyboard.press("Tab")  # explained once the user leaves the field
    error = page.locator("#err-contact_email")
    expect(error).to_have_text(re.compile("adresse de courriel"))
    expect(email).to_have_attribute("aria-invalid", "true")
    assert "err-contact_email" in (email.get_attribute("aria-describedby") or "")
    assert error.get_attribute("aria-live") == "polite"
    # Fixed, it saves and the error goes.
    email.fill("ana@halifax.example")
    expect(page.locator("#saved")).to_have_text(re.compile("enregistrées"))
    expect(error).to_have_text("")


def test_a_theme_unticked_is_saved_as_ids(page: Page, site: Site) -> None:
    link = _create(site, "en", "Canada")
    page.goto(link)
    page.get_by_label("circular economy").uncheck()
    page.get_by_label("smart cities").check()
    expect(page.locator("#saved")).to_have_text("All changes saved.")
    page.reload()
    expect(page.get_by_label("smart cities")).to_be_checked()
    expect(page.get_by_label("circular economy")).not_to_be_checked()


@pytest.mark.parametrize(
    ("lang", "required", "number"),
    [
        ("en", "Please fill in this field.", "whole number"),
        ("fr", "Veuillez remplir ce champ.", "nombre entier"),
        ("es", "Complete este campo.", "número entero"),
    ],
)
def test_eligibility_errors_beside_the_field_in_the_pages_language(
    page: Page, site: Site, lang: str, required: str, number: str
) -> None:
    page.goto(f"{site.app_url}/eligibility?lang={lang}")
    page.locator("#eligibility-form button[type=submit]").click()
    expect(page.locator("#err-city")).to_have_text(required)
    expect(page.locator("#city")).to_be_focused()
    page.locator("#city").fill("Ottawa")
    page.locator("#population").fill("-5")
    page.locator("#eligibility-form button[type=submit]").click()
    expect(page.locator("#err-population")).to_contain_text(number)
    expect(page.locator("main")).not_to_contain_text("Input should")
    expect(page.locator("#result")).to_be_hidden()


@pytest.mark.parametrize("path", ["/", "/fr", "/es"])
def test_the_programme_pages_contact_is_clickable(
    page: Page, site: Site, path: str
) -> None:
    page.goto(site.app_url + path)
    contact = page.locator("main p", has=page.locator("a[href^='mailto:']"))
    expect(contact.locator("a[href^='mailto:']")).to_have_text(re.compile("@"))
    expect(contact.locator("a[href^='https://']")).to_have_count(1)


def test_a_theme_of_ones_own_is_added_and_kept(page: Page, site: Site) -> None:
    page.goto(_create(site, "fr", "Canada"))
    page.get_by_label("Un autre thème, le vôtre (facultatif)").fill("culture")
    page.keyboard.press("Enter")
    expect(page.get_by_label("culture", exact=True)).to_be_checked()
    expect(page.locator("#saved")).to_have_text(re.compile("enregistrées"))
    page.reload()
    expect(page.get_by_label("culture", exact=True)).to_be_checked()
    expect(page.get_by_label("logement")).to_be_checked()
