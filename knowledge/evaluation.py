"""Metrics for labelled queries: accuracy, out-of-scope recall, ranking, latency."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.embedders import encode_by_length
from knowledge.engine import KnowledgeBase, Result, Scores
from knowledge.fusion import DecisionParams
from knowledge.records import LabelledQuery, RecordError

ENCODE_BATCH = 256
# Full single-query searches timed for latency; enough for a stable p95.
LATENCY_SAMPLE = 300


def check_labels(kb: KnowledgeBase, queries: Sequence[LabelledQuery]) -> None:
    """An expected id missing from the index is a labelling error: say where."""
    known = set(kb.entry_ids)
    for query in queries:
        if query.expected is not None and query.expected not in known:
            raise RecordError(
                f"{query.where}: expected id {query.expected!r} is not in the index"
            )


def split_halves(
    queries: Sequence[LabelledQuery], seed: int
) -> tuple[list[LabelledQuery], list[LabelledQuery]]:
    """Two disjoint halves of ``queries``, the same for the same seed: within each
    language and expected entry, shuffled, then dealt alternately, the deal running
    on from one group to the next: both halves ask about each frequent entry, and the
    entries asked once fall on both sides. The first is the half to tune on, the
    second the half that checks."""
    groups: dict[tuple[str, str], list[LabelledQuery]] = defaultdict(list)
    for query in queries:
        groups[query.lang or "", query.expected or ""].append(query)
    rng = random.Random(seed)
    halves: tuple[list[LabelledQuery], list[LabelledQuery]] = ([], [])
    dealt = 0
    for key in sorted(groups):
        group = groups[key]
        rng.shuffle(group)
        for query in group:
            halves[dealt % 2].append(query)
            dealt += 1
    return halves


def encode_all(kb: KnowledgeBase, texts: Sequence[str]) -> np.ndarray:
    return encode_by_length(kb.embedder, texts, ENCODE_BATCH)


def score_queries(
    kb: KnowledgeBase,
    queries: Sequence[LabelledQuery],
    params: DecisionParams | None = None,
    use_hints: bool = True,
) -> list[Scores]:
    """Raw scores of every query, embedding them in batches (the costly part)."""
    vectors = encode_all(kb, [q.text for q in queries])
    return [
        kb.raw_scores(q.text, q.lang if use_hints else None, vectors[i], params)
        for i, q in enumerate(queries)
    ]


@dataclass(frozen=True)
class Outcome:
    query: LabelledQuery
    result: Result
    lang: str  # the query's language: its label, else the detected one


def _rank(result: Result, expected: str) -> int | None:
    for position, hit in enumerate(result.hits, start=1):
        if hit.entry_id == expected:
            return position
    return None


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    in_scope = [o for o in outcomes if o.query.expected is not None]
    oos = [o for o in outcomes if o.query.expected is None]

    def frac(hits: int, total: int) -> float | None:
        return round(hits / total, 4) if total else None

    correct = sum(
        o.result.answered and o.result.hits[0].entry_id == o.query.expected
        for o in in_scope
    )
    ranks = [_rank(o.result, o.query.expected) for o in in_scope]  # type: ignore[arg-type]
    return {
        "queries": len(outcomes),
        "in_scope": len(in_scope),
        "out_of_scope": len(oos),
        "in_scope_accuracy": frac(correct, len(in_scope)),
        "oos_recall": frac(sum(not o.result.answered for o in oos), len(oos)),
        "false_rejection": frac(
            sum(not o.result.answered for o in in_scope), len(in_scope)
        ),
        "recall_at_3": frac(sum(r is not None and r <= 3 for r in ranks), len(ranks)),
        "mrr": round(sum(1 / r for r in ranks if r) / len(ranks), 4) if ranks else None,
        "answer_language": frac(
            sum(o.result.hits[0].lang == o.lang for o in in_scope if o.result.answered),
            sum(o.result.answered for o in in_scope),
        ),
    }


def outcomes_for(
    kb: KnowledgeBase,
    queries: Sequence[LabelledQuery],
    scores: Sequence[Scores],
    params: DecisionParams | None = None,
) -> list[Outcome]:
    return [
        Outcome(q, kb.decide(s, k=10, topic=q.topic, params=params), q.lang or s.lang)
        for q, s in zip(queries, scores, strict=True)
    ]


def measure_latency(
    kb: KnowledgeBase,
    queries: Sequence[LabelledQuery],
    sample: int = LATENCY_SAMPLE,
    use_hints: bool = True,
) -> dict[str, float]:
    """Per-query wall time of a complete ``search`` (embedding included), in ms."""
    chosen = list(queries)[:: max(1, len(queries) // sample)][:sample]
    # Warm caches (and the language detector when it is used), not timed.
    kb.search(chosen[0].text, chosen[0].lang if use_hints else None)
    times = []
    for query in chosen:
        start = time.perf_counter()
        kb.search(query.text, query.lang if use_hints else None, topic=query.topic)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "p50": round(float(np.percentile(times, 50)), 2),
        "p95": round(float(np.percentile(times, 95)), 2),
        "n": len(times),
    }


def evaluate(
    kb: KnowledgeBase,
    queries: Sequence[LabelledQuery],
    *,
    use_hints: bool = True,
    latency: bool = True,
    params: DecisionParams | None = None,
) -> dict[str, Any]:
    """All metrics (fractions 0-1), overall and per language."""
    check_labels(kb, queries)
    scores = score_queries(kb, queries, params, use_hints)
    outcomes = outcomes_for(kb, queries, scores, params)
    metrics = summarise(outcomes)
    languages = sorted({o.lang for o in outcomes})
    metrics["per_language"] = {
        lang: summarise([o for o in outcomes if o.lang == lang]) for lang in languages
    }
    labelled = [(q, s) for q, s in zip(queries, scores, strict=True) if q.lang]
    if labelled and not use_hints:
        metrics["language_detection"] = round(
            sum(q.lang == s.lang for q, s in labelled) / len(labelled), 4
        )
    if latency:
        metrics["latency_ms"] = measure_latency(kb, queries, use_hints=use_hints)
    metrics["params"] = (params or kb.params).to_json()
    return metrics
