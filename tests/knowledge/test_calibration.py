"""The answer threshold chosen from labelled queries (pure numbers, no model)."""

from __future__ import annotations

import numpy as np

from knowledge.calibration import OOS_FLOOR, _best_threshold, _Ranked


def _ranked(in_scope_tops: list[float], oos_tops: list[float]) -> _Ranked:
    top = np.array([*in_scope_tops, *oos_tops])
    n_in, n_oos = len(in_scope_tops), len(oos_tops)
    in_scope = np.array([True] * n_in + [False] * n_oos)
    return _Ranked(top, top - 0.2, in_scope.copy(), np.zeros(len(top), bool), in_scope)


# Three weak in-scope matches score below one off-topic question: answering them
# right (3 users) outweighs declining that off-topic one (1 user) on decisions alone.
CASE = _ranked([0.55, 0.56, 0.57, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96], [0.6, 0.2])


def test_off_topic_questions_stay_declined_at_the_floor() -> None:
    threshold, _j, _acc, oos, _rej = _best_threshold(CASE)
    assert oos >= OOS_FLOOR
    assert 0.6 < threshold <= 0.9  # the off-topic 0.6 is declined, 0.9 answered


def test_without_the_floor_the_off_topic_question_would_be_answered() -> None:
    threshold, _j, _acc, oos, rej = _best_threshold(CASE, oos_floor=0.0)
    assert threshold < 0.55 and oos == 0.5 and rej == 0.0
