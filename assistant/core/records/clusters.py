"""Group similar questions: a deterministic threshold on cosine similarity.

Leader clustering: questions are taken most-asked first (ties by text), and each joins
the group whose leader it resembles most when that similarity reaches
``threshold``, or starts its own.
The same questions in any order give the same groups; no random seeds, no k to pick.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Cosine of two paraphrases with the project's MiniLM model is mostly above 0.7;
# unrelated questions on the same programme sit around 0.3-0.5.
DEFAULT_THRESHOLD = 0.72


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
