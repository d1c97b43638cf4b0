"""What a chat turn, a verdict and a draft leave in the records, read back the way
the console reads them; and what is never recorded."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from assistant.core.records.models import ChatTurn, Verdict
from assistant.core.records.store import RecordStore, TurnRecord
from assistant.core.settings import Settings

from .conftest import FakeRasa

ROOT = Path(__file__).resolve().parents[2]


def store_of(test_client: TestClient) -> RecordStore:
    store: RecordStore = test_client.app.state.services.records()  # type: ignore[attr-defined]
    assert store.flush()
    return store


def turn(test_client: TestClient, turn_id: str) -> ChatTurn:
    with Session(store_of(test_client).engine) as session:
        row = session.get(ChatTurn, turn_id)
        assert row is not None, "the turn was not recorded"
        session.expunge(row)
        return row


def chat(test_client: TestClient, message: str, **extra: Any) -> dict[str, Any]:
    response = test_client.post("/api/chat", json={"message": message, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["turn_id"]
    return body


ANSWER_PAYLOAD = {
    "answered": True,
    "entry": "deadline-date",
    "score": 0.91,
    "runners_up": [{"id": "duration", "score": 0.42}],
}


def test_an_answered_turn_records_the_entry_score_and_runners_up(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply = [
        {"recipient_id": "s", "text": "The deadline was 15 March 2019."},
        {"recipient_id": "s", "custom": {"turn": ANSWER_PAYLOAD}},
    ]
    body = chat(rasa_client, "When is the deadline?", language="en")
    # The payload is for the records only: the visitor sees one message.
    assert [m["text"] for m in body["messages"]] == ["The deadline was 15 March 2019."]
    row = turn(rasa_client, body["turn_id"])
    assert (row.outcome, row.entry_id, row.score) == ("answered", "deadline-date", 0.91)
    assert row.runners_up == [{"id": "duration", "score": 0.42}]
    assert (row.language, row.question, row.degraded) == (
        "en",
        "When is the deadline?",
        False,
    )


def test_a_declined_question_keeps_its_nearest_entry_for_the_review(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    payload = {**ANSWER_PAYLOAD, "answered": False, "score": 0.31}
    fake_rasa.reply = [
        {"recipient_id": "s", "text": "I don't have a reliable answer."},
        {"recipient_id": "s", "custom": {"fallback": True, "turn": payload}},
    ]
    body = chat(rasa_client, "Can we bring our mayor's dog?", language="en")
    assert body["fallback"] is True
    row = turn(rasa_client, body["turn_id"])
    assert (row.outcome, row.entry_id, row.nearest_entry) == (
        "declined",
        None,
        "deadline-date",
    )


def test_a_message_the_dialogue_did_not_understand_is_a_fallback(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply = [
        {"recipient_id": "s", "text": "Sorry?", "custom": {"fallback": True}}
    ]
    body = chat(rasa_client, "asdf qwer", language="en")
    assert turn(rasa_client, body["turn_id"]).outcome == "fallback"


def test_a_degraded_turn_is_recorded_with_the_engine_answer(
    client: TestClient,
) -> None:
    body = chat(client, "When is the deadline?", language="en")
    assert body["degraded"] is True
    row = turn(client, body["turn_id"])
    assert (row.outcome, row.entry_id, row.degraded) == ("answered", "deadline", True)


def test_verdicts_are_recorded_by_country_from_the_chat_and_the_form(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply = [
        {
            "recipient_id": "s",
            "text": "Ottawa fits the call.",
            "custom": {"verdict": {"verdict": "encouraged", "country": "CA"}},
        }
    ]
    chat(rasa_client, "Ottawa, Canada", language="en")
    response = rasa_client.post(
        "/api/eligibility",
        json={"city": "Springfield", "country": "FR", "population": 60_000},
    )
    assert response.status_code == 200
    with Session(store_of(rasa_client).engine) as session:
        rows = session.execute(
            select(Verdict.country, Verdict.verdict, Verdict.channel).order_by(
                Verdict.id
            )
        ).all()
    assert rows[0] == ("CA", "encouraged", "chat")
    assert rows[1][2] == "form" and rows[1][1] == response.json()["verdict"]


def test_no_ip_address_user_agent_or_session_is_stored(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply = [
        {"recipient_id": "s", "text": "Sorry?", "custom": {"fallback": True}}
    ]
    chat(rasa_client, "hello", session_id="visitor-42", language="en")
    engine = store_of(rasa_client).engine
    columns = {
        column["name"]
        for table in inspect(engine).get_table_names()
        if table != "draft_applications"
        for column in inspect(engine).get_columns(table)
    }
    assert not {c for c in columns if "ip" in c.split("_") or "agent" in c}
    assert not {c for c in columns if "session" in c}
    with Session(engine) as session:
        rows = session.execute(select(*ChatTurn.__table__.columns)).all()
    values = [str(v) for row in rows for v in row]
    assert "hello" in values
    assert not any("visitor-42" in v or "testclient" in v for v in values)


class BrokenStore:
    def record_turn(self, turn: TurnRecord) -> None:
        raise RuntimeError("disk full")


def test_a_recording_failure_never_breaks_the_chat(client: TestClient) -> None:
    client.app.state.services.core.override("records", BrokenStore())  # type: ignore[attr-defined]
    body = chat(client, "When is the deadline?", language="en")
    assert "15 March 2019" in body["messages"][0]["text"]


def test_recording_can_be_switched_off(tmp_path: Path) -> None:
    from assistant.web.app import create_app
    from tests.web.conftest import FakeAnswerer, make_settings

    settings = make_settings(tmp_path)
    settings.console.record_turns = False
    app = create_app(settings)
    app.state.services.core.override("answerer", FakeAnswerer())
    with TestClient(app) as test_client:
        chat(test_client, "When is the deadline?", language="en")
        store = app.state.services.records()
        with Session(store.engine) as session:
            assert session.scalars(select(ChatTurn)).first() is None


def _age(store: RecordStore, days: int) -> None:
    old = datetime.now(UTC) - timedelta(days=days)
    with store.engine.begin() as connection:
        connection.execute(update(ChatTurn).values(created_at=old))
        connection.execute(update(Verdict).values(created_at=old))


def test_purge_deletes_what_is_older_than_the_retention_only(
    settings: Settings,
) -> None:
    store = RecordStore(settings.database.url)
    store.record_turn(TurnRecord(id="a" * 32, language="en", question="q", outcome="x"))
    store.record_verdict("CA", "encouraged", "en", "chat")
    store.flush()
    _age(store, 40)
    store.record_turn(TurnRecord(id="b" * 32, language="en", question="q", outcome="x"))
    open_request = store.add_handoff("en", "a@b.org", "call me", [])
    counts = store.purge(30)
    assert counts["chat_turns"] == 1 and counts["eligibility_verdicts"] == 1
    with Session(store.engine) as session:
        assert [r.id for r in session.scalars(select(ChatTurn))] == ["b" * 32]
    # An open hand-off request waits for staff, whatever its age.
    assert (
        store.purge(30, now=datetime.now(UTC) + timedelta(days=90))["handoff_requests"]
        == 0
    )
    assert [h.id for h in store.handoffs()] == [open_request.id]
    store.close()


def test_the_purge_command_uses_the_retention_setting(settings: Settings) -> None:
    store = RecordStore(settings.database.url)
    store.record_turn(TurnRecord(id="c" * 32, language="fr", question="q", outcome="x"))
    store.flush()
    _age(store, 10)
    store.close()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "IUC_DATABASE__URL": settings.database.url,
        "IUC_CONSOLE__RETENTION_DAYS": "7",
    }
    done = subprocess.run(
        [sys.executable, "-m", "assistant.console", "purge"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "deleted records older than 7 days: 1 chat_turns" in done.stdout


def test_form_answers_and_contact_details_are_not_kept(
    rasa_client: TestClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply = [{"recipient_id": "s", "text": "Thanks! And your role?"}]
    body = chat(rasa_client, "Jane Roe, jane.roe@city.example", language="en")
    assert turn(rasa_client, body["turn_id"]).question == ""
    fake_rasa.reply = [
        {"recipient_id": "s", "text": "Sorry?", "custom": {"fallback": True}}
    ]
    body = chat(rasa_client, "call me at +1 613 555 0199 or jo@x.org", language="en")
    assert turn(rasa_client, body["turn_id"]).question == (
        "call me at [number] or [e-mail]"
    )


def test_turns_still_queued_at_shutdown_are_written(settings: Settings) -> None:
    # The writer gathers rows for a moment before each commit: closing the store (the
    # app's shutdown) must write what is still waiting, not drop it.
    store = RecordStore(settings.database.url)
    ids = [f"{i:032d}" for i in range(300)]
    for turn_id in ids:
        store.record_turn(
            TurnRecord(id=turn_id, language="es", question="¿plazo?", outcome="x")
        )
        store.record_verdict("MX", "encouraged", "es", "chat")
    store.close()
    reopened = RecordStore(settings.database.url)
    with Session(reopened.engine) as session:
        assert sorted(session.scalars(select(ChatTurn.id))) == ids
        assert len(session.scalars(select(Verdict.id)).all()) == 300
    reopened.close()
