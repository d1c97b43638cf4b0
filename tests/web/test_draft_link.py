"""A draft saved in the chat: the app claims it and alone writes the token into the
link (assistant/web/draft_link.py); Rasa only ever sees the link without it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import FakeRasa

SAVED = "Keep this private link to view, edit or print it later: {link}"


def _saved_reply(draft_id: str) -> list[dict]:
    link = f"http://testserver/drafts/{draft_id}"
    return [
        {"recipient_id": "s", "text": SAVED.format(link=link)},
        {"recipient_id": "s", "custom": {"draft": {"id": draft_id}}},
        {"recipient_id": "s", "custom": {"language": "en"}},
    ]


def test_the_link_gets_its_token_in_the_apps_reply_only(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    store = rasa_client.app.state.services.drafts()
    draft = store.create_unclaimed({"city": "Ottawa", "country": "CA"})
    fake_rasa.reply = _saved_reply(draft.id)
    body = rasa_client.post("/api/chat", json={"message": "save it"}).json()
    [saved] = body["messages"]
    found = re.search(rf"/drafts/{draft.id}#token=([\w-]+)$", saved["text"])
    assert found, saved["text"]
    opened = rasa_client.get(
        f"/api/applications/{draft.id}",
        headers={"Authorization": f"Bearer {found.group(1)}"},
    )
    assert opened.status_code == 200 and opened.json()["city"] == "Ottawa"
    # Replaying the same reply claims nothing more: the token was given once.
    again = rasa_client.post("/api/chat", json={"message": "save it"}).json()
    assert "#token=" not in again["messages"][0]["text"]
    assert "could not create its private link" in again["messages"][0]["text"]


def test_an_unclaimed_draft_opens_with_no_token(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    store = rasa_client.app.state.services.drafts()
    draft = store.create_unclaimed({"city": "Laval", "country": "CA"})
    for token in ("unclaimed", "", "null"):
        response = rasa_client.get(
            f"/api/applications/{draft.id}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 404
