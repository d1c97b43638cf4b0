"""The build-time entry classifier: typos, missing accents, off-topic, persistence."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from knowledge.calibration import calibrate
from knowledge.corpus import load_negatives
from knowledge.embedders import FakeEmbedder
from knowledge.engine import KnowledgeBase
from knowledge.fusion import fuse
from knowledge.index import build_index, save_index
from knowledge.lexical import fold
from knowledge.records import FaqRecord, LabelledQuery, read_queries
from tests.knowledge.conftest import SMALL_QUERIES

Build = Callable[..., KnowledgeBase]
EVAL = Path(__file__).resolve().parents[2] / "knowledge" / "eval"
NEGATIVES = ["What's the weather tomorrow?", "Quel temps fera-t-il ?", "¿Qué hora es?"]


def test_classifier_only_finds_the_entry_despite_typos_and_missing_accents(
    build_small: Build,
) -> None:
    kb = build_small(lexical_weight=0.0, classifier_weight=1.0, threshold=0.0)
    assert kb.has_classifier
    for text, lang, expected in [
        ("wen is the aplication dedline", "en", "deadline"),
        ("quelle est la date limite de candidature", "fr", "deadline"),
        ("cuanto dura el compromiso", "es", "commitment"),
    ]:
        assert kb.search(text, lang=lang).hits[0].entry_id == expected, text


def test_classifier_probabilities_are_per_entry_and_sum_to_at_most_one(
    build_small: Build,
) -> None:
    kb = build_small(classifier_weight=0.5)
    scores = kb.raw_scores("How long is the commitment?", "en")
    assert scores.classifier is not None
    assert scores.classifier.shape == (len(kb.entry_ids),)
    assert 0.0 <= float(scores.classifier.sum()) <= 1.0 + 1e-5
    assert kb.entry_ids[int(np.argmax(scores.classifier))] == "commitment"


def test_negatives_take_probability_away_from_every_entry(
    tmp_path: Path, fake_embedder: FakeEmbedder, small_records: list[FaqRecord]
) -> None:
    def top_probability(negatives: list[str]) -> float:
        data = build_index(
            small_records, fake_embedder, "h", progress=False, negatives=negatives
        )
        out = tmp_path / f"index-{len(negatives)}"
        save_index(data, out)
        kb = KnowledgeBase.load(out, fake_embedder)
        scores = kb.raw_scores("What's the weather like tomorrow?", "en")
        assert scores.classifier is not None
        return float(scores.classifier.max())

    assert top_probability(NEGATIVES) < top_probability([])


def test_the_classifier_survives_save_and_load(build_small: Build) -> None:
    kb = build_small(classifier_weight=0.6, lexical_weight=0.2, threshold=0.2)
    assert kb.index_dir is not None and (kb.index_dir / "classifier.pkl").is_file()
    assert kb.manifest["classifier"]["train_seconds"] >= 0
    assert kb.search("Which cities can apply?", lang="en").hits[0].entry_id == (
        "eligible"
    )


def test_without_a_classifier_the_engine_still_ranks(
    tmp_path: Path, fake_embedder: FakeEmbedder, small_records: list[FaqRecord]
) -> None:
    data = build_index(small_records, fake_embedder, "h", progress=False,
                       classifier=False)  # fmt: skip
    save_index(data, tmp_path / "index")
    kb = KnowledgeBase.load(tmp_path / "index", fake_embedder)
    assert not kb.has_classifier and data.manifest["classifier"] is None
    # The weight of a missing classifier is ignored instead of zeroing the scores.
    kb.params = kb.params.with_(classifier_weight=0.6, threshold=0.2)
    assert kb.search("Which cities can apply?", lang="en").hits[0].entry_id == (
        "eligible"
    )


def test_fuse_gives_the_dense_score_what_the_other_weights_leave() -> None:
    dense, lexical, clf = np.array([0.8, -0.2]), np.array([0.5, 1.0]), np.array([1, 0])
    assert fuse(dense, lexical, 0.2, clf, 0.6) == pytest.approx([0.86, 0.2])
    assert fuse(dense, lexical, 0.2, None, 0.6) == pytest.approx([0.74, 0.2])


def test_calibration_searches_the_classifier_weight_too(build_small: Build) -> None:
    kb = build_small()
    queries = [
        LabelledQuery(str(q["text"]), q["expected"], q.get("lang"))  # type: ignore[arg-type]
        for q in SMALL_QUERIES
    ]
    result = calibrate(kb, queries)
    assert any(row["classifier_weight"] > 0 for row in result.table)
    assert result.params.lexical_weight + result.params.classifier_weight <= 1.0


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", fold(text)).strip()


def test_negatives_exist_in_every_language_and_never_copy_an_eval_question() -> None:
    negatives = load_negatives()
    assert len(negatives) >= 90
    evaluated = {
        _normal(q.text)
        for name in ("test.jsonl", "calibration.jsonl")
        for q in read_queries(EVAL / name)
    }
    copied = [q for q in negatives if _normal(q) in evaluated]
    assert copied == []


def test_the_fast_query_path_gives_scikit_learns_probabilities(
    build_small: Build,
) -> None:
    kb = build_small(classifier_weight=0.5)
    classifier = kb._data.classifier
    assert classifier is not None
    embedder = FakeEmbedder()
    for text in ["How long is the commitment?", "fecha limite", "", "zzz 123 !!"]:
        vector = embedder.encode([text])[0]
        fast, reference = (
            classifier.scores(text, vector),
            classifier.reference_scores(text, vector),
        )
        assert np.allclose(fast, reference, atol=1e-6), text


def test_two_entries_without_negatives_give_scikit_learns_probabilities() -> None:
    # Two classes: scikit-learn keeps a single row of weights (issue 16: IndexError).
    from knowledge.classifier import EntryClassifier

    texts = ["When is the deadline?", "What is the closing date?", "Who can apply?"]
    embedder = FakeEmbedder()
    classifier = EntryClassifier.train(texts, [0, 0, 1], embedder.encode(texts), 2)
    for text in ["deadline please", "which cities can apply", "weather in Paris"]:
        vector = embedder.encode([text])[0]
        fast = classifier.scores(text, vector)
        assert fast.shape == (2,) and np.isclose(fast.sum(), 1.0)
        assert np.allclose(fast, classifier.reference_scores(text, vector), atol=1e-6)
    assert classifier.scores("deadline", embedder.encode(["deadline"])[0]).argmax() == 0
