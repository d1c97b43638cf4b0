"""Score fusion and the decision parameters stored in the index manifest."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

import numpy as np

LexicalScope = Literal["query", "all"]


@dataclass(frozen=True)
class DecisionParams:
    """Everything that turns raw scores into a ranked, answered-or-declined result.

    The defaults are what ``calibrate`` chose for all-MiniLM-L6-v2 on our calibration
    split; another corpus or model should be calibrated on its own queries.
    """

    # Share of the lexical score in the fused score (0 = dense only, 1 = lexical only).
    lexical_weight: float = 0.45
    # Share of the entry classifier's probability (0 when the index has none); the
    # dense cosine gets what is left, 1 - lexical_weight - classifier_weight.
    classifier_weight: float = 0.0
    # "query": BM25 in the query's language only; "all": best over every language.
    lexical_scope: LexicalScope = "query"
    # The fused score of the best entry must reach this to be answered.
    threshold: float = 0.45
    # When the two best are closer than this, both are offered as suggestions.
    margin: float = 0.05
    # Added for ranking only to entries of the hinted topic: an intent can be wrong,
    # so it reorders close candidates but never makes a declined query answered.
    topic_boost: float = 0.03

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DecisionParams:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_(self, **changes: Any) -> DecisionParams:
        return replace(self, **changes)


def fuse(
    dense: np.ndarray,
    lexical: np.ndarray,
    lexical_weight: float,
    classifier: np.ndarray | None = None,
    classifier_weight: float = 0.0,
) -> np.ndarray:
    """Weighted sum of the cosine (clipped at 0), the normalised BM25 score and the
    classifier probability.

    All live on [0, 1] and keep an absolute meaning, unlike rank fusion (RRF), so one
    threshold can decide answered / declined for every query.
    """
    dense = np.clip(dense, 0.0, 1.0)
    if classifier is None:
        classifier_weight = 0.0
    dense_weight = max(0.0, 1.0 - lexical_weight - classifier_weight)
    fused = dense_weight * dense + lexical_weight * lexical
    if classifier is not None and classifier_weight:
        fused = fused + classifier_weight * classifier
    return fused
