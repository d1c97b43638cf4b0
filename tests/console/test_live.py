"""What the real stack records: the custom payloads of the real action server reach
the records through the real Rasa (its REST channel keeps a response's text and our
json together), and a hand-off takes its transcript from Rasa's tracker store."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from assistant.core.drafts import normalise_url
from assistant.core.records.models import ChatTurn
from tests.live_stack import LiveStack

pytestmark = pytest.mark.integration


def chat(stack: LiveStack, session: str, message: str) -> dict[str, Any]:
    response = httpx.post(
        f"{stack.app_url}/api/chat",
        json={"session_id": session, "message": message, "language": "en"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["degraded"] is False
    return body


def recorded(stack: LiveStack, turn_id: str) -> ChatTurn:
    engine = create_engine(normalise_url(stack.env["IUC_DATABASE__URL"]))
    deadline = time.monotonic() + 10
    try:
        while True:
            with Session(engine) as session:
                row = session.get(ChatTurn, turn_id)
                if row is not None:
                    session.expunge(row)
                    return row
            assert time.monotonic() < deadline, "the turn was not recorded"
            time.sleep(0.2)
    finally:
        engine.dispose()


def test_an_answer_records_its_entry_and_shows_only_the_answer(
    live_stack: LiveStack,
) -> None:
    body = chat(live_stack, "console-live-1", "When is the deadline to apply?")
    assert all(m["text"] for m in body["messages"])  # no empty bubble from the payload
    row = recorded(live_stack, body["turn_id"])
    assert row.outcome == "answered" and row.entry_id and row.score
    assert row.question == "When is the deadline to apply?"
    feedback = httpx.post(
        f"{live_stack.app_url}/api/feedback",
        json={"turn_id": body["turn_id"], "helpful": True},
        timeout=10,
    )
    assert feedback.status_code == 201


def test_talk_to_a_person_offers_the_form_and_keeps_the_transcript(
    live_stack: LiveStack,
) -> None:
    chat(live_stack, "console-live-2", "When is the deadline to apply?")
    body = chat(live_stack, "console-live-2", "I would like to talk to a human please")
    assert body["handoff"] is True
    response = httpx.post(
        f"{live_stack.app_url}/api/handoff",
        json={
            "session_id": "console-live-2",
            "email": "mayor@city.example",
            "message": "Please call me back.",
        },
        timeout=30,
    )
    assert response.status_code == 201
    engine = create_engine(normalise_url(live_stack.env["IUC_DATABASE__URL"]))
    with engine.connect() as connection:
        from sqlalchemy import text

        transcript = connection.execute(
            text("SELECT transcript FROM handoff_requests")
        ).scalar_one()
    engine.dispose()
    assert "When is the deadline to apply?" in str(transcript)
    assert "talk to a human" in str(transcript)


# Programme-like questions no entry answers: at least one reaches the answer action
# and is declined there (which of them depends on the trained model).
UNANSWERABLE = [
    "Does the programme pay for the mayor's dog to travel to Brussels?",
    "Can the study visit include a tour of the Atomium gift shop?",
    "Is there a dress code for the kickoff meeting?",
    "Which hotel will the city delegation stay in?",
]


def test_a_declined_question_keeps_the_fallback_flag_and_its_nearest_entry(
    live_stack: LiveStack,
) -> None:
    outcomes = []
    for number, question in enumerate(UNANSWERABLE):
        body = chat(live_stack, f"console-live-3-{number}", question)
        row = recorded(live_stack, body["turn_id"])
        outcomes.append(row.outcome)
        if row.outcome == "declined":
            # The response's own {"fallback": true} survives our json payload.
            assert body["fallback"] is True
            assert row.nearest_entry and row.score is not None
        assert row.outcome != "answered" or not body["fallback"]
    assert "declined" in outcomes, outcomes
