"""The grid point the calibration keeps: good in its neighbourhood, on held-out
queries, the same from one build to the next."""

from __future__ import annotations

import numpy as np

from knowledge.fusion import DecisionParams
from knowledge.grid_choice import Candidate, choose_point, held_out_objective
from knowledge.thresholds import Ranked, best_threshold

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4)


def _ranked(wrong: int) -> Ranked:
    """80 in-scope queries (``wrong`` of them answered with another entry) and 20
    off-topic ones scoring well under them."""
    top = np.array([0.8] * 80 + [0.2] * 20)
    in_scope = np.array([True] * 80 + [False] * 20)
    correct = in_scope.copy()
    correct[:wrong] = False
    return Ranked(top, top - 0.2, correct, np.zeros(100, bool), in_scope)


def _grid(wrong: dict[tuple[float, float], int], default: int) -> list[Candidate]:
    return [
        Candidate(
            DecisionParams(lexical_weight=w, classifier_weight=c),
            _ranked(wrong.get((w, c), default)),
        )
        for w in WEIGHTS
        for c in WEIGHTS
    ]


def test_a_lone_best_point_loses_to_a_good_neighbourhood() -> None:
    # (0.1, 0.1) is the best point alone (no miss) among poor neighbours (20 misses);
    # around (0.3, 0.3) every point misses one question.
    wrong = {(w, c): 1 for w in (0.2, 0.3, 0.4) for c in (0.2, 0.3, 0.4)}
    wrong[(0.1, 0.1)] = 0
    candidates = _grid(wrong, default=20)
    rows = np.arange(100)
    in_sample = [best_threshold(c.ranked)[1] for c in candidates]
    assert candidates[int(np.argmax(in_sample))].params.lexical_weight == 0.1

    kept = candidates[choose_point(candidates, rows).index].params
    assert (kept.lexical_weight, kept.classifier_weight) == (0.3, 0.3)


def test_the_choice_is_the_same_at_every_build() -> None:
    candidates = _grid({(0.2, 0.2): 3, (0.3, 0.1): 2}, default=5)
    rows = np.arange(100)
    first = held_out_objective(candidates, rows)
    assert np.array_equal(first, held_out_objective(candidates, rows))
    assert choose_point(candidates, rows).index == choose_point(candidates, rows).index
