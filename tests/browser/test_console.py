"""The staff console and the widget's feedback in a real browser (Debian's chromium):
sign in, charts, a group of unanswered questions exported, a hand-off marked done."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from assistant.core.records.store import RecordStore, TurnRecord
from assistant.web.app import create_app
from assistant.web.rasa_client import RasaClient
from tests.browser.conftest import free_port
from tests.console.conftest import EmbeddingAnswerer
from tests.web.conftest import make_settings

pytestmark = pytest.mark.browser
ADMIN = {"username": "admin", "password": "s3cret"}
ENTRY = "funding-amount"
UNANSWERED = ["How much money does each city get?", "how much money does each city get"]


@dataclass
class Console:
    url: str
    store: RecordStore


def fake_rasa(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/health":
        return httpx.Response(200, json={})
    if request.url.path.endswith("/tracker"):
        events = [
            {"event": "user", "text": "I want to talk to a person"},
            {"event": "bot", "text": "You can reach the IUC North America team."},
        ]
        return httpx.Response(200, json={"events": events, "slots": {}})
    body = json.loads(request.content or b"{}")
    if "person" not in str(body.get("message")):
        raise httpx.ConnectError("Rasa is down", request=request)
    return httpx.Response(
        200,
        json=[
            {"recipient_id": "v", "text": "You can reach the IUC North America team."},
            {"recipient_id": "v", "custom": {"handoff": True}},
        ],
    )


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = make_settings(tmp_path_factory.mktemp("console"), public_url=url)
    app = create_app(settings)
    app.state.services.core.override("answerer", EmbeddingAnswerer())
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    # Rasa answers "talk to a person" with the hand-off offer; anything else finds it
    # down, so the fake knowledge engine answers (degraded mode).
    app.state.rasa = RasaClient(
        "http://rasa:5005",
        "http://actions:5055",
        3.0,
        client=httpx.AsyncClient(transport=httpx.MockTransport(fake_rasa)),
    )
    store: RecordStore = app.state.services.records()
    for i, text in enumerate([*UNANSWERED, "Where do I park at city hall?"]):
        store.record_turn(
            TurnRecord(
                id=f"{i:032x}",
                language="en",
                question=text,
                outcome="declined",
                nearest_entry=ENTRY if i < 2 else None,
            )
        )
    store.add_handoff(
        "fr",
        "maire@ville.example",
        "Pouvez-vous m'appeler ?",
        [{"from": "user", "text": "Je veux parler à quelqu'un"}],
    )
    httpx.post(f"{url}/api/applications", json={"city": "Laval", "country": "CA"})
    store.flush()
    yield Console(url=url, store=store)
    server.should_exit = True


@pytest.fixture
def staff(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        http_credentials=ADMIN, viewport={"width": 1280, "height": 900}
    )
    staff_page = context.new_page()
    yield staff_page
    context.close()


def test_the_console_refuses_a_visitor_without_credentials(
    page: Page,
    console: Console,
) -> None:
    # Headless chromium cannot show the sign-in prompt: it stops on the 401.
    with pytest.raises(PlaywrightError, match="AUTH"):
        page.goto(f"{console.url}/admin")
    assert httpx.get(f"{console.url}/api/admin/handoffs").status_code == 401


def test_staff_sign_in_and_see_usage_charts_with_their_numbers(
    staff: Page, console: Console
) -> None:
    staff.goto(f"{console.url}/admin?lang=en")
    expect(staff.get_by_role("heading", name="Usage", exact=True)).to_be_visible()
    chart = staff.locator("#chart-per-day")
    expect(chart.locator("svg[role=img] rect.chart__bar").first).to_be_visible()
    expect(chart.get_by_role("table")).to_contain_text("3")
    expect(staff.locator("#chart-drafts").get_by_role("table")).to_contain_text("1")
    expect(staff.locator("#draft-rows")).to_contain_text("Laval")


def test_a_group_of_unanswered_questions_is_exported_for_the_corpus(
    staff: Page, console: Console
) -> None:
    staff.goto(f"{console.url}/admin?lang=en")
    group = staff.locator("article.group", has_text=UNANSWERED[0])
    expect(group).to_contain_text("2 question(s)")
    expect(group.locator(".entry-input")).to_have_value(ENTRY)
    group.get_by_role("button", name="Add as paraphrases").click()
    expect(staff.get_by_role("status")).to_contain_text("1 line(s) ready to export")
    expect(group).to_have_count(0)
    with staff.expect_download() as download:
        staff.get_by_role("link", name="Download the lines (.jsonl)").click()
    path = download.value.path()
    lines = [json.loads(x) for x in Path(path).read_text("utf-8").splitlines()]
    assert lines == [{"text": UNANSWERED[0], "lang": "en", "expected": ENTRY}]


def test_a_handoff_request_is_read_and_marked_done_in_french(
    staff: Page, console: Console
) -> None:
    staff.goto(f"{console.url}/admin?lang=fr")
    expect(
        staff.get_by_role("heading", name="Demandes de contact", exact=True)
    ).to_be_visible()
    request = staff.locator("article.handoff", has_text="maire@ville.example")
    request.get_by_text("Conversation (1 messages)").click()
    expect(request).to_contain_text("Je veux parler à quelqu'un")
    request.get_by_role("button", name="Marquer traité").click()
    expect(
        staff.locator("article.handoff", has_text="maire@ville.example")
    ).to_contain_text(re.compile("Traité le"))
    assert console.store.handoffs()[0].done_at is not None


def test_a_visitor_rates_an_answer_with_the_keyboard(
    page: Page,
    console: Console,
) -> None:
    page.goto(console.url)
    page.get_by_role("button", name=re.compile("IUC")).click()
    expect(page.locator(".iuc-extra__privacy")).to_contain_text("IP address")
    page.locator(".iuc-chat__input").fill("When is the deadline?")
    page.keyboard.press("Enter")
    helpful = page.get_by_role("button", name=re.compile("Not helpful"))
    helpful.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".iuc-extra__status").last).to_have_text(
        "Thank you for your feedback."
    )
    expect(helpful).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Tell us more (optional)").fill("The year is wrong.")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Tell us more (optional)")).to_have_count(0)
    review = httpx.get(
        f"{console.url}/api/admin/unanswered",
        auth=(ADMIN["username"], ADMIN["password"]),
    ).json()
    disliked = [q for g in review["groups"] for q in g["questions"] if q["disliked"]]
    assert [q["text"] for q in disliked] == ["When is the deadline?"]


def test_a_visitor_who_asks_for_a_person_leaves_a_message(
    page: Page, console: Console
) -> None:
    page.goto(console.url)
    page.get_by_role("button", name=re.compile("IUC")).click()
    page.locator(".iuc-chat__input").fill("I want to talk to a person")
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("Leave a message for the IUC North America team")
    ).to_be_visible()
    # Only answers from the knowledge base are rated.
    expect(page.get_by_role("button", name=re.compile("Helpful"))).to_have_count(0)
    page.get_by_label("Your e-mail address").fill("clerk@town.example")
    page.get_by_label("Your message").fill("Can we apply with two neighbours?")
    page.get_by_role("button", name="Send my message").click()
    expect(page.locator(".iuc-extra--handoff")).to_contain_text(
        "your message and this conversation were sent to the team"
    )
    request = next(
        h for h in console.store.handoffs() if h.email == "clerk@town.example"
    )
    assert request.message == "Can we apply with two neighbours?"
    assert request.transcript[0] == {
        "from": "user",
        "text": "I want to talk to a person",
    }
