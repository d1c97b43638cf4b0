"""How the calibration does on queries it has not seen: k-fold cross-validation
inside the calibration split, the way design choices are compared without looking
at the test split (``scripts/bench_knowledge.py --cv``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from knowledge import thresholds
from knowledge.calibration import choose, grid_points, rank_candidates
from knowledge.engine import KnowledgeBase
from knowledge.evaluation import Outcome, summarise
from knowledge.per_language import choose_by_lang
from knowledge.records import LabelledQuery
from knowledge.thresholds import best_margin


def cross_validate(
    kb: KnowledgeBase,
    queries: Sequence[LabelledQuery],
    folds: int = 5,
    repeats: int = 5,
    seed: int = 0,
    weights: Sequence[float] | None = None,
    classifier_weights: Sequence[float] | None = None,
    per_language: bool = True,
) -> dict[str, Any]:
    """What ``calibrate`` would give on queries it has not seen: per repeat, the
    queries are shuffled into ``folds`` parts, each part decided with the parameters
    calibrated on the others, and the held-out decisions pooled.

    Returns the mean and standard deviation over repeats of each metric (fractions),
    overall and per language. This is how design choices are compared without
    looking at the test split.
    """
    grid = grid_points(kb, weights, classifier_weights)
    candidates, per_scope = rank_candidates(kb, queries, None, grid)
    scopes = [c.params.lexical_scope for c in candidates[:: len(grid)]]
    langs = np.array([s.lang for s in per_scope[0]])
    rng = np.random.default_rng(seed)
    runs: list[dict[str, Any]] = []
    for _ in range(repeats):
        order = rng.permutation(len(queries))
        outcomes: list[Outcome | None] = [None] * len(queries)
        for part in range(folds):
            held_out = order[part::folds]
            train = np.setdiff1d(order, held_out)
            shared = choose(candidates, train)
            by_lang = (
                choose_by_lang(
                    candidates,
                    langs,
                    shared.params,
                    thresholds.OOS_FLOOR,
                    best_margin,
                    train,
                )
                if per_language
                else {}
            )
            for i in held_out:
                q = queries[i]
                chosen = by_lang.get(str(langs[i]), shared.params)
                scores = per_scope[scopes.index(chosen.lexical_scope)]
                result = kb.decide(scores[i], k=10, topic=q.topic, params=chosen)
                outcomes[i] = Outcome(q, result, q.lang or scores[i].lang)
        done = [o for o in outcomes if o is not None]
        run = summarise(done)
        for lang in sorted({o.lang for o in done}):
            run[lang] = summarise([o for o in done if o.lang == lang])
        runs.append(run)
    return _mean_and_spread(runs)


# Metrics averaged over cross-validation repeats (the others are counts).
_CV_METRICS = (
    "in_scope_accuracy",
    "oos_recall",
    "false_rejection",
    "recall_at_3",
    "mrr",
)


def _mean_and_spread(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in runs[0].items():
        if isinstance(value, dict):
            out[key] = _mean_and_spread([run[key] for run in runs])
        elif isinstance(value, float) and key in _CV_METRICS:
            values = [run[key] for run in runs]
            out[key] = {"mean": round(float(np.mean(values)), 4),
                        "std": round(float(np.std(values)), 4)}  # fmt: skip
    return out
