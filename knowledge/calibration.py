"""Choose the decision parameters (fusion weight, threshold, margin) from labels.

Only ever run on the calibration split: the test split measures what this chose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, get_args

import numpy as np

from knowledge import thresholds
from knowledge.corpus import hash_files
from knowledge.embedders import Embedder
from knowledge.engine import KnowledgeBase, Scores
from knowledge.evaluation import check_labels, encode_all
from knowledge.fusion import DecisionParams, LexicalScope
from knowledge.grid_choice import Candidate, choose_point
from knowledge.index import write_manifest
from knowledge.per_language import choose_by_lang
from knowledge.records import LabelledQuery, read_queries
from knowledge.thresholds import best_margin, best_threshold, rank

WEIGHTS = tuple(round(w, 2) for w in np.arange(0.0, 1.0001, 0.05))
# Coarser when the classifier adds a second dimension: the grid stays ~100 points.
CLASSIFIER_WEIGHTS = tuple(round(w, 2) for w in np.arange(0.0, 1.0001, 0.1))


@dataclass(frozen=True)
class Calibration:
    params: DecisionParams
    objective: float
    in_scope_accuracy: float
    oos_recall: float
    false_rejection: float
    table: list[dict[str, Any]]  # per grid point, for the report
    # Each language with enough queries: its own parameters (the others use params).
    by_lang: dict[str, DecisionParams] = field(default_factory=dict)

    def apply(self, kb: KnowledgeBase) -> None:
        """Decide ``kb``'s queries with these parameters from now on."""
        kb.params, kb.params_by_lang = self.params, self.by_lang


def grid_points(
    kb: KnowledgeBase,
    weights: Sequence[float] | None,
    classifier_weights: Sequence[float] | None,
) -> list[tuple[float, float]]:
    if classifier_weights is None:
        classifier_weights = CLASSIFIER_WEIGHTS if kb.has_classifier else (0.0,)
    elif not kb.has_classifier:
        classifier_weights = (0.0,)
    if weights is None:
        weights = CLASSIFIER_WEIGHTS if kb.has_classifier else WEIGHTS
    return [
        (float(w), float(c))
        for w in weights
        for c in classifier_weights
        if w + c <= 1.0 + 1e-9
    ]


def rank_candidates(
    kb: KnowledgeBase,
    queries: Sequence[LabelledQuery],
    scopes: Sequence[LexicalScope] | None,
    grid: Sequence[tuple[float, float]],
) -> tuple[list[Candidate], list[list[Scores]]]:
    """Every grid point ranked over every query once (the costly part), and the raw
    scores per scope."""
    check_labels(kb, queries)
    position = {entry_id: i for i, entry_id in enumerate(kb.entry_ids)}
    expected = [position[q.expected] if q.expected else -1 for q in queries]
    vectors = encode_all(kb, [q.text for q in queries])
    candidates, per_scope = [], []
    for scope in scopes or get_args(LexicalScope):
        params = kb.params.with_(lexical_scope=scope)
        scores = [
            kb.raw_scores(q.text, q.lang, vectors[i], params)
            for i, q in enumerate(queries)
        ]
        per_scope.append(scores)
        for weight, cweight in grid:
            chosen = params.with_(lexical_weight=weight, classifier_weight=cweight)
            candidates.append(
                Candidate(chosen, rank(scores, expected, weight, cweight))
            )
    return candidates, per_scope


def choose(
    candidates: Sequence[Candidate], rows: np.ndarray | None = None
) -> Calibration:
    """The grid point ``knowledge.grid_choice`` keeps for ``rows`` (all queries when
    None), with its threshold and margin fitted on them; the table has every
    point's in-sample and held-out objective."""
    rows = np.arange(len(candidates[0].ranked.top)) if rows is None else rows
    kept = choose_point(candidates, rows)
    table, fitted = [], None
    for k, candidate in enumerate(candidates):
        ranked = candidate.ranked.subset(rows)
        t, j, acc, oos, rej = best_threshold(ranked)
        p = candidate.params
        table.append(
            {"scope": p.lexical_scope, "lexical_weight": p.lexical_weight,
             "classifier_weight": p.classifier_weight, "threshold": round(t, 4),
             "objective": round(j, 4),
             "held_out_objective": round(kept.held_out[k], 4),
             "smoothed": round(kept.smoothed[k], 4), "in_scope_accuracy": round(acc, 4),
             "oos_recall": round(oos, 4), "false_rejection": round(rej, 4)}
        )  # fmt: skip
        if k == kept.index:
            chosen = p.with_(threshold=round(t, 4), margin=best_margin(ranked, t))
            fitted = (chosen, j, acc, oos, rej)
    assert fitted is not None
    return Calibration(*fitted, table=table)


def calibrate(
    kb: KnowledgeBase,
    queries: Sequence[LabelledQuery],
    scopes: Sequence[LexicalScope] | None = None,
    weights: Sequence[float] | None = None,
    classifier_weights: Sequence[float] | None = None,
    per_language: bool = True,
) -> Calibration:
    """Grid over lexical scope and weights: the point ``knowledge.grid_choice``
    keeps, with the threshold and margin that fit all queries best there.

    Without an index classifier only the lexical weight varies; with one, lexical
    and classifier weights (summing to at most 1) vary together. With
    ``per_language``, each language with enough queries also gets its own
    (``Calibration.by_lang``).
    """
    grid = grid_points(kb, weights, classifier_weights)
    candidates, per_scope = rank_candidates(kb, queries, scopes, grid)
    shared = choose(candidates)
    if not per_language:
        return shared
    langs = np.array([s.lang for s in per_scope[0]])
    by_lang = choose_by_lang(
        candidates, langs, shared.params, thresholds.OOS_FLOOR, best_margin
    )
    return replace(shared, by_lang=by_lang)


def calibrate_index(
    index_dir: Path, queries_path: Path, embedder: Embedder
) -> dict[str, Any]:
    """Calibrate a saved index on a query file and store the result in its manifest."""
    queries = read_queries(queries_path)
    kb = KnowledgeBase.load(index_dir, embedder)
    result = calibrate(kb, queries)
    manifest = dict(kb.manifest)
    manifest["params"] = result.params.to_json()
    manifest["params_by_lang"] = {
        lang: params.to_json() for lang, params in result.by_lang.items()
    }
    manifest["calibrated"] = True
    manifest["calibration"] = {
        "queries": str(queries_path),
        "queries_hash": hash_files([queries_path]),
        "count": len(queries),
        "in_scope_accuracy": round(result.in_scope_accuracy, 4),
        "oos_recall": round(result.oos_recall, 4),
        "false_rejection": round(result.false_rejection, 4),
    }
    write_manifest(index_dir, manifest)
    return {
        **manifest["calibration"],
        "params": manifest["params"],
        "params_by_lang": manifest["params_by_lang"],
    }
