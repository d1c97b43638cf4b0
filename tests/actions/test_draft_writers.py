"""Both writers of a draft, the chat's application form and the drafts API, store the
same draft for the same answers (one DraftFields model behind both)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from action_helpers import make_tracker
from fastapi.testclient import TestClient
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.application import ActionSaveDraft, ValidateApplicationForm
from assistant.core.drafts import DraftStore, _DraftRow
from assistant.core.services import get_services
from assistant.web.app import create_app
from tests.web.conftest import make_settings

# What a French-speaking user answers, as typed (the region comes from the self-check).
ANSWERS: dict[str, Any] = {
    "city": "  Halifax ",
    "country": "canada",
    "region": "Nova Scotia",
    "population": 439_819,
    "group_of_municipalities": False,
    "contact_name": "Marie  Tremblay",
    "contact_email": " marie@halifax.example ",
    "role": "Conseillère",
    "themes": "mobilité et logement, économie circulaire et culture",
    "motivation": "  Nous voulons apprendre d'une ville européenne.  ",
}
EXPECTED = {
    "city": "Halifax",
    "country": "CA",
    "region": "Nova Scotia",
    "population": 439_819,
    "group_of_municipalities": False,
    "contact_name": "Marie Tremblay",
    "contact_email": "marie@halifax.example",
    "role": "Conseillère",
    "themes": ["sustainable-urban-mobility", "housing", "circular-economy", "culture"],
    "motivation": "Nous voulons apprendre d'une ville européenne.",
    "language": "fr",
}
# The slots the chat's form validates one by one (the others come from the self-check).
FORM_SLOTS = ("city", "country", "contact_email", "role", "themes", "motivation")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DraftStore]:
    draft_store = DraftStore(f"sqlite:///{tmp_path / 'drafts.db'}")
    yield draft_store
    draft_store.close()


@pytest.fixture
def api(tmp_path: Path, store: DraftStore) -> Iterator[TestClient]:
    app = create_app(make_settings(tmp_path))
    app.state.services.core.override("drafts", store)
    with TestClient(app) as client:
        yield client


async def _through_the_chat(domain: dict[str, Any], store: DraftStore) -> dict:
    form = ValidateApplicationForm()
    slots = dict(ANSWERS)
    for slot in FORM_SLOTS:
        validate = getattr(form, f"validate_{slot}")
        tracker = make_tracker(ANSWERS[slot], language="fr", **slots)
        events = await validate(ANSWERS[slot], CollectingDispatcher(), tracker, domain)
        slots[slot] = events[slot]
    slots["contact_name"] = (
        await form.validate_contact_name(
            ANSWERS["contact_name"], CollectingDispatcher(), make_tracker(), domain
        )
    )["contact_name"]
    get_services().override("drafts", store)
    get_services().override("public_url", "https://example.org")
    dispatcher = CollectingDispatcher()
    await ActionSaveDraft().run(
        dispatcher, make_tracker(language="fr", **slots), domain
    )
    # The chat's draft is saved unclaimed; the web app claims it (its token).
    draft_id = dispatcher.messages[1]["custom"]["draft"]["id"]
    token = store.claim(draft_id)
    assert token is not None
    saved = store.get(draft_id, token)
    assert saved is not None
    return saved.fields


def _through_the_api(api: TestClient, store: DraftStore) -> dict:
    # The API takes a list of themes (its schema says so); the user's text is one item.
    body = {**ANSWERS, "themes": [ANSWERS["themes"]], "language": "fr"}
    created = api.post("/api/applications", json=body)
    assert created.status_code == 201, created.text
    saved = store.get(created.json()["id"], created.json()["token"])
    assert saved is not None
    return saved.fields


async def test_the_chat_and_the_api_store_the_same_draft(
    domain: dict[str, Any], store: DraftStore, api: TestClient
) -> None:
    from_chat = await _through_the_chat(domain, store)
    from_api = _through_the_api(api, store)
    assert from_chat == from_api == EXPECTED


def test_a_draft_saved_before_the_model_still_opens_unchanged(
    store: DraftStore, api: TestClient
) -> None:
    # As the page and the chat wrote drafts before: a country name, free-text themes,
    # a population the model would refuse. Written straight into the table.
    old = {
        "city": "Laval",
        "country": "Canada",
        "themes": ["Housing", "arts and culture"],
        "population": "about 400k",
        "motivation": "ok",
        "language": "fr",
    }
    draft, token = store.create({"city": "placeholder"})
    with Session(store.engine) as session, session.begin():
        row = session.get(_DraftRow, draft.id)
        assert row is not None
        row.fields = dict(old)
    body = api.get(
        f"/api/applications/{draft.id}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert body["country_name"] == "Canada"
    assert body["population"] == "about 400k"
    assert body["motivation"] == "ok"
    assert [t["label"] for t in body["theme_labels"]] == [
        "logement",
        "arts and culture",
    ]
    reread = store.get(draft.id, token)
    assert reread is not None and reread.fields == old  # nothing rewritten
