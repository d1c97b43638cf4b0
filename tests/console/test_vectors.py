"""Question vectors: each question is embedded once per model, kept across restarts,
and unanswered questions are embedded in the background as they are recorded."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.core.records.models import QuestionVector
from assistant.core.records.store import RecordStore
from assistant.core.records.vectors import QuestionVectors
from knowledge.embedders import FakeEmbedder


def test_each_question_is_embedded_once_even_after_a_restart(tmp_path: Path) -> None:
    store = RecordStore(f"sqlite:///{tmp_path / 'app.db'}")
    calls: list[list[str]] = []

    def encode(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return FakeEmbedder().encode(texts)

    first = QuestionVectors(store.engine, "fake", encode)(
        ["Is there money?", "Parking?"]
    )
    restarted = QuestionVectors(store.engine, "fake", encode)
    again = restarted(["Parking?", "Is there money?"])
    assert calls == [["Is there money?", "Parking?"]]
    np.testing.assert_allclose(first[::-1], again)
    # Another model's vectors are not mixed in.
    QuestionVectors(store.engine, "other", encode)(["Parking?"])
    assert calls[-1] == ["Parking?"]
    store.close()


def test_an_unanswered_question_is_embedded_in_the_background(
    client: TestClient,
) -> None:
    response = client.post(
        "/api/chat", json={"message": "Can we bring a dog?", "language": "en"}
    )
    assert response.json()["fallback"] is True
    engine = client.app.state.services.records().engine  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    stored = 0
    while time.monotonic() < deadline and not stored:
        time.sleep(0.2)
        with Session(engine) as session:
            stored = (
                session.scalar(select(func.count()).select_from(QuestionVector)) or 0
            )
    assert stored == 1


def test_the_purge_removes_the_vectors_of_purged_questions(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from assistant.core.records.models import ChatTurn
    from assistant.core.records.store import TurnRecord

    store = RecordStore(f"sqlite:///{tmp_path / 'app.db'}")
    for turn_id, text in (("a" * 32, "Old question?"), ("b" * 32, "New question?")):
        store.record_turn(
            TurnRecord(id=turn_id, language="en", question=text, outcome="declined")
        )
    store.flush()
    vectors = QuestionVectors(store.engine, "fake", FakeEmbedder().encode)
    vectors(["Old question?", "New question?"])
    with store.engine.begin() as connection:
        connection.execute(
            update(ChatTurn)
            .where(ChatTurn.id == "a" * 32)
            .values(created_at=datetime.now(UTC) - timedelta(days=100))
        )
    assert store.purge(90)["question_vectors"] == 1
    with Session(store.engine) as session:
        assert session.scalar(select(func.count()).select_from(QuestionVector)) == 1
    store.close()
