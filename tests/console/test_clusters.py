"""Grouping unanswered questions: deterministic, most-asked first, and with the real
model, paraphrases together and different questions apart."""

from __future__ import annotations

import random

import numpy as np
import pytest

from assistant.core.records.clusters import leader_clusters
from assistant.core.records.review import Question, group_questions


def unit(*rows: list[float]) -> np.ndarray:
    vectors = np.asarray(rows, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


TEXTS = ["money a", "money b", "parking", "money c", "dogs"]
COUNTS = [1, 5, 2, 1, 2]
VECTORS = unit([1, 0.1, 0], [1, 0, 0], [0, 1, 0], [0.9, 0.2, 0], [0, 0, 1])


def test_similar_questions_form_one_group_led_by_the_most_asked() -> None:
    groups = leader_clusters(TEXTS, COUNTS, VECTORS, threshold=0.9)
    assert [[TEXTS[i] for i in g] for g in groups] == [
        ["money b", "money a", "money c"],
        ["dogs"],
        ["parking"],
    ]


def test_the_groups_do_not_depend_on_the_order_of_the_questions() -> None:
    expected = {
        frozenset(TEXTS[i] for i in g)
        for g in leader_clusters(TEXTS, COUNTS, VECTORS, 0.9)
    }
    for seed in range(5):
        order = list(range(len(TEXTS)))
        random.Random(seed).shuffle(order)
        groups = leader_clusters(
            [TEXTS[i] for i in order],
            [COUNTS[i] for i in order],
            VECTORS[order],
            0.9,
        )
        assert {frozenset(TEXTS[order[i]] for i in g) for g in groups} == expected


def test_without_an_embedder_questions_are_grouped_by_nearest_entry() -> None:
    questions = [
        Question("Is there money?", "en", 3, 0, "funding-amount"),
        Question("Parking?", "en", 1, 0, None),
        Question("Grant size?", "en", 2, 1, "funding-amount"),
    ]
    groups = group_questions(questions, encode=None)
    assert [(g.nearest_entry, g.count) for g in groups] == [
        ("funding-amount", 5),
        (None, 1),
    ]


FIXED_SET = [
    "How much money does each city get?",
    "how much funding per city",
    "Is there a grant for each city?",
    "Can we bring our mayor's dog to the kickoff?",
    "Are pets allowed at the events?",
    "Where do I park at city hall?",
    "Is there parking near the venue?",
    "When is the deadline?",
]


@pytest.mark.model
def test_the_real_model_groups_paraphrases_and_keeps_topics_apart(
    real_embedder: object,
) -> None:
    questions = [Question(text, "en", 1) for text in FIXED_SET]
    groups = group_questions(questions, real_embedder.encode)  # type: ignore[attr-defined]
    assert sorted(sorted(q.text for q in g.questions) for g in groups) == sorted(
        sorted(group)
        for group in (
            FIXED_SET[0:3],
            FIXED_SET[3:5],
            FIXED_SET[5:7],
            FIXED_SET[7:8],
        )
    )


@pytest.fixture(scope="module")
def real_embedder() -> object:
    from knowledge.embedders import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    return embedder
