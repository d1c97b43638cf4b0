"""Dense retrieval: FAISS inner product over unit vectors, max-pooled per entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

# Neighbours fetched per query; entries beyond them get the last neighbour's score,
# an upper bound that keeps the cost flat for corpora of tens of thousands of vectors.
CANDIDATES = 256


class DenseIndex:
    def __init__(self, index: Any, vector_entries: np.ndarray) -> None:
        self._index = index
        self._vector_entries = vector_entries

    @classmethod
    def build(cls, vectors: np.ndarray, vector_entries: np.ndarray) -> DenseIndex:
        import faiss

        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, np.asarray(vector_entries, dtype=np.int64))

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def scores(self, query: np.ndarray, n_entries: int) -> np.ndarray:
        """Per entry, the best cosine between ``query`` (a unit row) and its vectors."""
        k = min(self.size, CANDIDATES)
        sims, ids = self._index.search(
            np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k
        )
        sims, ids = sims[0], ids[0]
        valid = ids >= 0
        floor = float(sims[valid][-1]) if valid.any() else 0.0
        out = np.full(n_entries, floor if k < self.size else -1.0, dtype=np.float32)
        np.maximum.at(out, self._vector_entries[ids[valid]], sims[valid])
        return out

    def save(self, directory: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(directory / "dense.faiss"))
        np.save(directory / "vector_entries.npy", self._vector_entries)

    @classmethod
    def load(cls, directory: Path) -> DenseIndex:
        import faiss

        index = faiss.read_index(str(directory / "dense.faiss"))
        return cls(index, np.load(directory / "vector_entries.npy"))
