"""The records store end to end on SQLite and on PostgreSQL: what the console reads
back is the same on both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assistant.core.records import review, stats
from assistant.core.records.store import RecordStore, TurnRecord
from assistant.core.records.vectors import QuestionVectors
from knowledge.embedders import FakeEmbedder

from .conftest import Fresh


def test_record_read_group_and_purge(fresh_url: Fresh) -> None:
    store = RecordStore(fresh_url())
    turns = [
        ("a", "en", "answered", "deadline-next-call", "When is the deadline?"),
        ("b", "fr", "declined", "funding-amount", "Combien d'argent par ville ?"),
        ("c", "fr", "declined", "funding-amount", "combien d'argent par ville"),
    ]
    for key, lang, outcome, entry, text in turns:
        store.record_turn(
            TurnRecord(
                id=key * 32,
                language=lang,
                question=text,
                outcome=outcome,
                entry_id=entry if outcome == "answered" else None,
                nearest_entry=entry,
                score=0.5,
                runners_up=[{"id": "x", "score": 0.2}],
            )
        )
    store.record_verdict("MX", "encouraged", "es", "form")
    assert store.flush()
    assert store.add_feedback("a" * 32, False, "wrong")
    since = datetime.now(UTC) - timedelta(days=7)

    usage = stats.usage(store.engine, since)
    assert usage.turns == 3 and usage.answer_rate == round(1 / 3, 4)
    assert usage.per_day[0][1:] == ("en", 1) and usage.per_day[1][1:] == ("fr", 2)
    assert usage.verdicts == [("MX", "encouraged", 1)]
    assert usage.not_helpful == 1

    questions = review.open_questions(store.engine, since)
    encode = QuestionVectors(store.engine, "fake", FakeEmbedder().encode)
    groups = review.group_questions(questions, encode)
    assert (groups[0].count, groups[0].nearest_entry) == (2, "funding-amount")
    # Vectors are stored once; asking again reads them back.
    again = QuestionVectors(store.engine, "fake", FakeEmbedder().encode)
    assert again([q.text for q in questions]).shape[0] == len(questions)

    handoff = store.add_handoff(
        "es", "a@b.mx", "Llámenme", [{"from": "user", "text": "hola"}]
    )
    assert store.mark_handoff_done(handoff.id)
    later = datetime.now(UTC) + timedelta(days=200)
    counts = store.purge(90, now=later)
    assert counts["chat_turns"] == 3 and counts["handoff_requests"] == 1
    assert counts["question_vectors"] == len(questions)
    store.close()
