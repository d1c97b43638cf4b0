"""The point of the review: questions exported from the console, appended to the
corpus's user_questions.jsonl and built into the index, are then answered with the
entry the editor chose (small FAQ, fake embedder, the real build and engine)."""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant.core.records import review
from assistant.core.records.models import OUT_OF_SCOPE, PARAPHRASE
from assistant.core.records.store import RecordStore
from knowledge.corpus import USER_QUESTIONS, load_corpus, load_negatives
from knowledge.embedders import FakeEmbedder
from knowledge.engine import KnowledgeBase, Result
from knowledge.index import build_index, save_index
from tests.knowledge.conftest import SMALL_FAQ

# Visitors' wording, unlike any question of the small FAQ.
PARAPHRASES = [
    "our borough wants in, are we ok",
    "could a county seat enrol",
    "may a township enrol",
]
OFF_TOPIC = "who repairs potholes on my street"


def write_corpus(corpus: Path) -> None:
    entries: dict[str, dict[str, object]] = {}
    for row in SMALL_FAQ:
        entry = entries.setdefault(
            str(row["id"]),
            {"id": row["id"], "source": row["source"], "topic": row["topic"]},
        )
        entry[str(row["lang"])] = {
            "questions": row["questions"],
            "answer": row["answer"],
        }
    (corpus / "faq").mkdir(parents=True)
    (corpus / "faq" / "small.yml").write_text(
        yaml.safe_dump({"topic": "small", "entries": list(entries.values())}),
        encoding="utf-8",
    )


def build(corpus: Path, out: Path) -> KnowledgeBase:
    embedder = FakeEmbedder()
    data = build_index(
        load_corpus(corpus),
        embedder,
        "roundtrip",
        progress=False,
        negatives=load_negatives(corpus),
    )
    save_index(data, out)
    return KnowledgeBase.load(out, embedder)


def _score_of(result: Result, entry_id: str) -> float:
    return next((h.score for h in result.hits if h.entry_id == entry_id), 0.0)


def test_exported_paraphrases_are_answered_after_the_rebuild(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    before = build(corpus, tmp_path / "before")
    results = [before.search(question, lang="en") for question in PARAPHRASES]
    # Before the export, the small FAQ does not answer them all with that entry.
    assert not all(r.answered and r.hits[0].entry_id == "eligible" for r in results)
    scores_before = [_score_of(r, "eligible") for r in results]

    store = RecordStore(f"sqlite:///{tmp_path / 'app.db'}")
    review.decide(
        store.engine, [(q, "en") for q in PARAPHRASES], PARAPHRASE, "eligible"
    )
    review.decide(store.engine, [(OFF_TOPIC, "en")], OUT_OF_SCOPE, None)
    corpus_file = corpus / USER_QUESTIONS
    lines = review.export_lines(store.engine, corpus_file)
    assert len(lines) == 4
    corpus_file.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    # What is in the corpus is not exported twice.
    assert review.export_lines(store.engine, corpus_file) == []
    store.close()

    after = build(corpus, tmp_path / "after")
    for question, score_before in zip(PARAPHRASES, scores_before, strict=True):
        result = after.search(question, lang="en")
        assert result.answered and result.hits[0].entry_id == "eligible", question
        assert result.hits[0].score > score_before, question
    assert OFF_TOPIC in load_negatives(corpus)
