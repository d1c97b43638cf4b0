"""What a user does, through the real stack (Rasa, the action server, the app) in
Chromium, in English, French and Spanish. One live stack serves the whole session;
each journey's last step is saved to results/screenshots/ for a reviewer."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.a11y import axe_violations, screenshot
from tests.live_stack import LiveStack

pytestmark = [pytest.mark.browser, pytest.mark.integration]

TURN_SECONDS = 60
TITLES = {
    "en": "IUC North America assistant",
    "fr": "Assistant IUC Amérique du Nord",
    "es": "Asistente IUC Norteamérica",
}
SEND = {"en": "Send", "fr": "Envoyer", "es": "Enviar"}
DEADLINE_QUESTION = {
    "en": "When is the deadline to apply?",
    "fr": "Quelle est la date limite pour postuler ?",
    "es": "¿Cuál es la fecha límite para postular?",
}
DEADLINE_MONTH = {"en": "March", "fr": "mars", "es": "marzo"}
ELIGIBLE = {
    "en": "Is my city eligible?",
    "fr": "Ma ville est-elle admissible ?",
    "es": "¿Mi ciudad es elegible?",
}


@dataclass(frozen=True)
class Applicant:
    """What one user answers, and where the ambiguous city is."""

    lang: str
    city: str
    region: str  # as the button shows it, in the user's language
    country: str  # as the draft page shows it, in the user's language
    name: str
    email: str
    role: str
    themes: str  # two themes in one line, joined the language's way
    theme_labels: tuple[str, str]
    motivation: str


APPLICANTS = [
    Applicant(
        "en",
        "Springfield",
        "Illinois",
        "United States",
        "Jane Doe",
        "jane.doe@springfield.example",
        "Policy advisor",
        "housing and circular economy",
        ("housing", "circular economy"),
        "We want to learn from a European peer city about housing.",
    ),
    Applicant(
        "fr",
        "Halifax",
        "Nouvelle-Écosse",
        "Canada",
        "Marie Tremblay",
        "marie.tremblay@halifax.example",
        "Conseillère en politiques",
        "logement et économie circulaire",
        ("logement", "économie circulaire"),
        "Nous voulons apprendre d'une ville européenne sur le logement.",
    ),
    Applicant(
        "es",
        "Windsor",
        "Ontario",
        "Canadá",
        "Ana López",
        "ana.lopez@windsor.example",
        "Asesora de políticas",
        "vivienda y economía circular",
        ("vivienda", "economía circular"),
        "Queremos aprender de una ciudad europea sobre vivienda.",
    ),
]


def wait_for_turn(page: Page) -> None:
    expect(page.locator(".iuc-chat__typing")).to_be_hidden(timeout=TURN_SECONDS * 1000)


def ask(page: Page, text: str) -> None:
    page.locator(".iuc-chat__input").fill(text)
    page.keyboard.press("Enter")
    wait_for_turn(page)


def open_widget(page: Page, url: str) -> None:
    page.goto(url)
    page.locator(".iuc-chat__launcher").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def latest_turn(page: Page) -> tuple[str, list[str]]:
    """The bot's text since the user's last message, and its live buttons."""
    texts, buttons = page.evaluate(
        """() => {
          const rows = [...document.querySelectorAll('.iuc-chat__log .iuc-chat__msg')];
          let start = 0;
          rows.forEach((row, i) => {
            if (row.matches('.iuc-chat__msg--user')) start = i + 1;
          });
          const bot = rows.slice(start);
          return [
            bot.map(r => r.querySelector('.iuc-chat__bubble').textContent).join(' '),
            bot.flatMap(r => [...r.querySelectorAll('.iuc-chat__reply:not([disabled])')]
              .map(b => b.textContent)),
          ];
        }"""
    )
    return str(texts), list(buttons)


def click(page: Page, title: str) -> None:
    page.locator(".iuc-chat__reply:not([disabled])", has_text=title).last.click()
    wait_for_turn(page)


# The bot's questions, recognised by words of their three variations; checked in this
# order (the role question names the city, so "city" comes last).
QUESTIONS = [
    (
        "offer",
        r"draft application now|brouillon de candidature maintenant|empezar ahora",
    ),
    ("group", r"group of municipalities|groupement de municipalit|grupo de municipios"),
    ("confirm", r"is that right|est-ce bien cela|es correcto"),
    ("which", r"several places|plusieurs lieux|varios lugares"),
    ("country", r"in which country|dans quel pays|en qu[eé] pa[ií]s"),
    ("name", r"contact person|personne de contact|persona de contacto"),
    ("email", r"e-mail address|adresse courriel|correo electr"),
    ("role", r"role or position|le poste|cargo o funci"),
    ("themes", r"which themes|quels th[eè]mes|qu[eé] temas"),
    ("motivation", r"why does|pourquoi votre|por qu[eé] quiere"),
    ("city", r"which city|quelle ville|qu[eé] ciudad"),
]


def self_check_to_draft_link(page: Page, who: Applicant) -> tuple[str, str]:
    """Answers the self-check and the draft form as ``who``; returns the draft link
    and the title of the place button clicked."""
    click(page, ELIGIBLE[who.lang])
    link = page.locator(".iuc-chat__bubble a[href*='/drafts/']")
    picked = ""
    for _ in range(25):
        if link.count():
            return str(link.first.get_attribute("href")), picked
        text, buttons = latest_turn(page)
        asked = next(
            (kind for kind, words in QUESTIONS if re.search(words, text, re.I)), None
        )
        answers = {
            "name": who.name,
            "email": who.email,
            "role": who.role,
            "themes": who.themes,
            "motivation": who.motivation,
            "city": who.city,
        }
        if asked == "which":
            # Every place is a button (the issue: they were never drawn).
            assert buttons, f"no buttons for the places called {who.city}: {text}"
            picked = next((b for b in buttons if who.region in b), buttons[0])
            click(page, picked)
        elif asked in ("offer", "confirm"):
            click(page, buttons[0])
        elif asked == "group":
            click(page, buttons[-1])
        elif asked == "country":
            ask(page, who.country)
        elif asked in answers:
            ask(page, answers[asked])
        else:
            raise AssertionError(f"unexpected turn: {text!r} {buttons}")
    raise AssertionError("no draft link after 25 turns")


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_ask_a_question_and_see_its_source(
    page: Page, live_stack: LiveStack, lang: str
) -> None:
    open_widget(page, f"{live_stack.app_url}/{lang}")
    expect(page.locator(".iuc-chat__title")).to_have_text(TITLES[lang])
    ask(page, DEADLINE_QUESTION[lang])
    answer = page.locator(".iuc-chat__msg--bot").last
    expect(
        page.locator(".iuc-chat__msg--bot", has_text=DEADLINE_MONTH[lang])
    ).not_to_have_count(0)
    source = page.locator(".iuc-chat__sources a").last
    expect(source).to_have_attribute("href", re.compile("^https?://"))
    expect(answer).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"question-{lang}")


@pytest.mark.parametrize("who", APPLICANTS, ids=[a.lang for a in APPLICANTS])
def test_self_check_with_an_ambiguous_city_to_a_draft_opened_elsewhere(
    page: Page, browser: Browser, live_stack: LiveStack, who: Applicant
) -> None:
    open_widget(page, f"{live_stack.app_url}/{who.lang}")
    href, picked = self_check_to_draft_link(page, who)
    assert "#token=" in href
    assert axe_violations(page) == []
    screenshot(page, f"self-check-{who.lang}")

    # Another device: a fresh browser in English with nothing stored.
    other = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    draft = other.new_page()
    draft.goto(href)
    expect(draft.locator("#f-city")).to_have_value(who.city)
    assert draft.evaluate("document.documentElement.lang") == who.lang
    expect(draft.locator("#f-country")).to_have_value(who.country)
    region = draft.locator("#f-region")
    expect(region).not_to_have_value("")
    assert region.input_value() in picked  # the province confirmed in the chat
    expect(draft.locator("#f-contact_name")).to_have_value(who.name)
    expect(draft.locator("#f-contact_email")).to_have_value(who.email)
    expect(draft.locator("#f-role")).to_have_value(who.role)
    expect(draft.locator("#f-motivation")).to_have_value(who.motivation)
    checked = draft.locator("#theme-list label", has=draft.locator("input:checked"))
    expect(checked).to_have_text([re.compile(label) for label in who.theme_labels])
    assert axe_violations(draft) == []
    screenshot(draft, f"draft-{who.lang}")
    other.close()


# (first page language, the one a link switches to, the one a script sets)
SWITCHES = [("en", "fr", "es"), ("fr", "es", "en"), ("es", "en", "fr")]


@pytest.mark.parametrize(("first", "linked", "scripted"), SWITCHES)
def test_the_widget_follows_the_page_language_and_the_selector_overrides(
    page: Page, live_stack: LiveStack, first: str, linked: str, scripted: str
) -> None:
    title = page.locator(".iuc-chat__title")
    open_widget(page, f"{live_stack.app_url}/{first}")
    expect(title).to_have_text(TITLES[first])
    # The site's language links load the page in another language.
    page.locator(f"a[data-lang-link='{linked}']").click()
    expect(title).to_have_text(TITLES[linked])
    # A page that changes language in place (<html lang>) is followed too.
    page.evaluate(f"document.documentElement.lang = '{scripted}'")
    expect(title).to_have_text(TITLES[scripted])
    expect(page.locator(".iuc-chat__launcher-text")).to_have_count(1)
    # The selector wins; a question in another language does not flip the interface.
    page.get_by_role("combobox").select_option(first)
    expect(title).to_have_text(TITLES[first])
    ask(page, DEADLINE_QUESTION[linked])
    expect(page.locator(".iuc-chat__send")).to_have_text(SEND[first])
    expect(title).to_have_text(TITLES[first])
    screenshot(page, f"language-{first}-{linked}-{scripted}")


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_on_a_phone_the_launcher_leaves_the_pages_button_free(
    browser: Browser, live_stack: LiveStack, lang: str
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    for path, main_button in [
        (f"/{lang}", "main a.button"),
        (f"/eligibility?lang={lang}", "#eligibility-form button[type=submit]"),
    ]:
        page.goto(live_stack.app_url + path)
        button = page.locator(main_button)
        launcher = page.locator(".iuc-chat__launcher")
        if path.startswith("/eligibility"):  # the form's button is further down
            button.scroll_into_view_if_needed()
        expect(button).to_be_in_viewport()
        expect(launcher).to_be_visible()
        a, b = button.bounding_box(), launcher.bounding_box()
        assert a is not None and b is not None
        overlap = not (
            a["x"] + a["width"] <= b["x"]
            or b["x"] + b["width"] <= a["x"]
            or a["y"] + a["height"] <= b["y"]
            or b["y"] + b["height"] <= a["y"]
        )
        assert not overlap, f"the launcher covers {main_button} on {path}"
    launcher.click()
    dialog = page.get_by_role("dialog")
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The title is not squeezed into a column beside the selector.
    title = page.locator(".iuc-chat__title")
    lines = title.evaluate(
        "t => Math.round(t.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(t).lineHeight))"
    )
    assert lines == 1
    ask(page, DEADLINE_QUESTION[lang])
    expect(page.locator(".iuc-chat__sources a").last).to_be_visible()
    screenshot(page, f"phone-{lang}")
    context.close()
