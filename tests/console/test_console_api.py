"""The staff console's API: who may use it, the usage figures, the review of
unanswered questions with its export, and hand-off requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.core.records.store import RecordStore, TurnRecord
from assistant.web.api import console_review
from assistant.web.api.console_review import EntryView
from assistant.web.app import create_app
from tests.web.conftest import make_settings

ADMIN = ("admin", "s3cret")
CHANGE = {"X-Requested-With": "iuc-console"}
READS = [
    "/admin",
    "/api/admin/usage",
    "/api/admin/unanswered",
    "/api/admin/entries",
    "/api/admin/handoffs",
    "/api/admin/review/export",
]


def records(test_client: TestClient) -> RecordStore:
    store: RecordStore = test_client.app.state.services.records()  # type: ignore[attr-defined]
    return store


@pytest.mark.parametrize("path", READS)
def test_every_console_page_needs_the_staff_credentials(
    client: TestClient, path: str
) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, auth=("admin", "wrong")).status_code == 401
    assert client.get(path, auth=ADMIN).status_code == 200


def test_changes_without_credentials_are_refused(client: TestClient) -> None:
    body = {"questions": [{"text": "q", "language": "en"}], "decision": "out_of_scope"}
    assert (
        client.post("/api/admin/review", json=body, headers=CHANGE).status_code == 401
    )
    done = client.post("/api/admin/handoffs/x/done", json={}, headers=CHANGE)
    assert done.status_code == 401


def test_the_console_does_not_exist_without_an_admin_password(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, admin_password=SecretStr(""))
    with TestClient(create_app(settings)) as test_client:
        for path in READS:
            assert test_client.get(path, auth=("admin", "")).status_code == 404


def test_a_change_from_another_site_is_refused_csrf(client: TestClient) -> None:
    body = {"questions": [{"text": "q", "language": "en"}], "decision": "out_of_scope"}
    response = client.post("/api/admin/review", json=body, auth=ADMIN)
    assert response.status_code == 403
    assert "staff console" in response.json()["detail"]


def test_usage_counts_turns_rates_entries_verdicts_and_drafts(
    client: TestClient,
) -> None:
    for text, lang in [
        ("When is the deadline?", "en"),
        ("¿Cuál es la fecha límite?", "es"),
        ("What about parking?", "en"),
    ]:
        body = {"message": text, "language": lang}
        assert client.post("/api/chat", json=body).status_code == 200
    client.post("/api/eligibility", json={"city": "Ottawa", "country": "CA"})
    client.post("/api/applications", json={"city": "Ottawa", "country": "CA"})
    records(client).flush()
    usage = client.get("/api/admin/usage?days=7", auth=ADMIN).json()
    assert usage["turns"] == 3
    assert usage["outcomes"]["answered"] == 2 and usage["outcomes"]["declined"] == 1
    assert usage["answer_rate"] == pytest.approx(2 / 3, abs=1e-3)
    assert usage["degraded_rate"] == 1.0  # Rasa is down in these tests
    assert usage["top_entries"] == [{"label": "deadline", "count": 2}]
    assert sum(d["questions"] for d in usage["per_day"]) == 3
    assert {d["language"] for d in usage["per_day"]} == {"en", "es"}
    assert usage["verdicts"][0]["country"] == "CA"
    assert [w["count"] for w in usage["drafts_per_week"]] == [1]


def ask_unanswered(
    store: RecordStore, texts: list[str], nearest: str = "grants"
) -> None:
    for i, text in enumerate(texts):
        store.record_turn(
            TurnRecord(
                id=f"{i:032x}",
                language="en",
                question=text,
                outcome="declined",
                nearest_entry=nearest,
                score=0.3,
            )
        )
    store.flush()


def test_unanswered_questions_are_grouped_by_nearest_entry_with_counts(
    client: TestClient,
) -> None:
    ask_unanswered(records(client), ["Is there money?", "is there money", "Parking?"])
    review = client.get("/api/admin/unanswered?by=entry", auth=ADMIN).json()
    (group,) = review["groups"]
    assert group["nearest_entry"] == "grants" and group["count"] == 3
    # Case and final punctuation do not make another question.
    assert {q["text"]: q["count"] for q in group["questions"]} == {
        "Is there money?": 2,
        "Parking?": 1,
    }


def test_a_decided_group_is_exported_for_the_corpus_and_leaves_the_list(
    client: TestClient,
) -> None:
    ask_unanswered(
        records(client), ["Is there money for travel?", "Parking at city hall?"]
    )
    entry = client.get("/api/admin/entries", auth=ADMIN).json()[0]
    decided = client.post(
        "/api/admin/review",
        auth=ADMIN,
        headers=CHANGE,
        json={
            "questions": [{"text": "Is there money for travel?", "language": "en"}],
            "decision": "paraphrase",
            "entry_id": entry["id"],
        },
    )
    assert decided.status_code == 200 and decided.json()["pending_export"] == 1
    client.post(
        "/api/admin/review",
        auth=ADMIN,
        headers=CHANGE,
        json={
            "questions": [{"text": "Parking at city hall?", "language": "en"}],
            "decision": "out_of_scope",
        },
    )
    exported = client.get("/api/admin/review/export", auth=ADMIN)
    assert "attachment" in exported.headers["content-disposition"]
    lines = [json.loads(line) for line in exported.text.splitlines()]
    assert lines == [
        {"text": "Is there money for travel?", "lang": "en", "expected": entry["id"]},
        {"text": "Parking at city hall?", "lang": "en", "expected": None},
    ]
    patch = client.get("/api/admin/review/export?format=patch", auth=ADMIN).text
    assert patch.startswith("--- a/knowledge/corpus/user_questions.jsonl")
    assert '+{"text": "Parking at city hall?"' in patch
    assert client.get("/api/admin/unanswered", auth=ADMIN).json()["groups"] == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"decision": "paraphrase", "entry_id": "no-such-entry"}, "unknown entry"),
        ({"decision": "maybe"}, "decision"),
    ],
)
def test_a_bad_decision_gets_a_clear_error(
    client: TestClient, body: dict[str, Any], detail: str
) -> None:
    body["questions"] = [{"text": "Is there money?", "language": "en"}]
    response = client.post("/api/admin/review", auth=ADMIN, headers=CHANGE, json=body)
    assert response.status_code == 422 and detail in response.json()["detail"]


def test_a_paraphrase_needs_the_entry_in_the_question_language(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    partial = EntryView(id="venue", question="¿Dónde?", languages=["es"])
    monkeypatch.setattr(console_review, "entries", lambda: {"venue": partial})
    response = client.post(
        "/api/admin/review",
        auth=ADMIN,
        headers=CHANGE,
        json={
            "questions": [{"text": "une question", "language": "fr"}],
            "decision": "paraphrase",
            "entry_id": "venue",
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("entry 'venue' has no fr version")


def test_a_handoff_request_is_listed_and_marked_done(client: TestClient) -> None:
    client.post(
        "/api/handoff",
        json={"email": "mayor@city.example", "message": "Call me", "language": "en"},
    )
    (request,) = client.get("/api/admin/handoffs", auth=ADMIN).json()
    assert request["done_at"] is None and request["message"] == "Call me"
    done = client.post(
        f"/api/admin/handoffs/{request['id']}/done",
        auth=ADMIN,
        headers=CHANGE,
        json={"done": True},
    )
    assert done.status_code == 200
    (request,) = client.get("/api/admin/handoffs", auth=ADMIN).json()
    assert request["done_at"] is not None
    missing = client.post(
        "/api/admin/handoffs/nope/done", auth=ADMIN, headers=CHANGE, json={}
    )
    assert missing.status_code == 404


def test_similarity_grouping_falls_back_to_entries_without_an_index(
    tmp_path: Path,
) -> None:
    app = create_app(make_settings(tmp_path))  # no answerer, no index
    with TestClient(app, raise_server_exceptions=False) as test_client:
        ask_unanswered(records(test_client), ["Is there money?"])
        review = test_client.get("/api/admin/unanswered", auth=ADMIN).json()
    assert review["grouped_by_similarity"] is False
    assert review["groups"][0]["nearest_entry"] == "grants"
