"""The answer threshold chosen from labelled queries, and its cross-validation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from knowledge.calibration import CLASSIFIER_WEIGHTS, calibrate
from knowledge.calibration_cv import cross_validate
from knowledge.engine import KnowledgeBase
from knowledge.records import LabelledQuery
from knowledge.thresholds import OOS_FLOOR, Ranked, best_threshold
from tests.knowledge.conftest import SMALL_QUERIES


def _ranked(in_scope_tops: list[float], oos_tops: list[float]) -> Ranked:
    top = np.array([*in_scope_tops, *oos_tops])
    n_in, n_oos = len(in_scope_tops), len(oos_tops)
    in_scope = np.array([True] * n_in + [False] * n_oos)
    return Ranked(top, top - 0.2, in_scope.copy(), np.zeros(len(top), bool), in_scope)


# Three weak in-scope matches score below one off-topic question: answering them
# right (3 users) outweighs declining that off-topic one (1 user) on decisions alone.
CASE = _ranked([0.55, 0.56, 0.57, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96], [0.6, 0.2])


def test_off_topic_questions_stay_declined_at_the_floor() -> None:
    threshold, _j, _acc, oos, _rej = best_threshold(CASE)
    assert oos >= OOS_FLOOR
    assert 0.6 < threshold <= 0.9  # the off-topic 0.6 is declined, 0.9 answered


def test_without_the_floor_the_off_topic_question_would_be_answered() -> None:
    threshold, _j, _acc, oos, rej = best_threshold(CASE, oos_floor=0.0)
    assert threshold < 0.55 and oos == 0.5 and rej == 0.0


def _small_queries() -> list[LabelledQuery]:
    return [
        LabelledQuery(str(q["text"]), q["expected"], q.get("lang"))  # type: ignore[arg-type]
        for q in SMALL_QUERIES * 3  # enough for every fold to hold both kinds
    ]


def test_cross_validation_reports_held_out_figures_with_their_spread(
    build_small: Callable[..., KnowledgeBase],
) -> None:
    kb = build_small()
    result = cross_validate(kb, _small_queries(), folds=3, repeats=2)
    for metric in ("in_scope_accuracy", "oos_recall", "false_rejection"):
        assert 0.0 <= result[metric]["mean"] <= 1.0
        assert result[metric]["std"] >= 0.0
    assert set(result) >= {"en", "fr", "es"}
    assert 0.0 <= result["fr"]["in_scope_accuracy"]["mean"] <= 1.0


def test_calibration_tries_both_scopes_over_the_whole_grid(
    build_small: Callable[..., KnowledgeBase],
) -> None:
    # calibrate() and cross_validate() share the grid and the choice rule.
    kb = build_small()
    full = calibrate(kb, _small_queries())
    assert {row["scope"] for row in full.table} == {"query", "all"}
    assert len(full.table) == 2 * len(
        [(w, c) for w in CLASSIFIER_WEIGHTS for c in CLASSIFIER_WEIGHTS if w + c <= 1]
    )
