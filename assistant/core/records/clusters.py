"""Group similar questions: a deterministic threshold on cosine similarity.

Leader clustering: questions are taken most-asked first (ties by text), and each joins
the group whose leader it resembles most when that similarity reaches
``threshold``, or starts its own.
The same questions in any order give the same groups; no random seeds, no k to pick.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# With the project's MiniLM model, paraphrases of one question score 0.54-0.68 and
# different questions about the programme 0.0-0.38 (tests/console/test_clusters.py).
# The model is English: a French or Spanish question mostly stays in its own group.
DEFAULT_THRESHOLD = 0.5


def leader_clusters(
    texts: Sequence[str],
    counts: Sequence[int],
    vectors: np.ndarray,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[list[int]]:
    """Indices of ``texts`` per group, largest group first; ``vectors`` are
    L2-normalised rows, one per text."""
    order = sorted(range(len(texts)), key=lambda i: (-counts[i], texts[i]))
    leaders: list[int] = []
    groups: list[list[int]] = []
    for i in order:
        if leaders:
            similarity = vectors[leaders] @ vectors[i]
            best = int(np.argmax(similarity))
            if float(similarity[best]) >= threshold:
                groups[best].append(i)
                continue
        leaders.append(i)
        groups.append([i])
    sizes = [sum(counts[i] for i in group) for group in groups]
    ranked = sorted(range(len(groups)), key=lambda g: (-sizes[g], texts[groups[g][0]]))
    return [groups[g] for g in ranked]
