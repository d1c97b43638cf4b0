"""A supervised entry classifier trained at build time on the FAQ's own paraphrases.

The label is the entry id, whatever FAQ set is built. Features: accent-folded
character n-grams (typos, missing accents, French/Spanish morphology), word n-grams and
the query embedding, so the English-only embedding model is helped by the spelling of
French and Spanish questions. Optional generic off-topic questions form one extra
"none" class, which takes probability mass away from every entry on such questions.
"""

from __future__ import annotations

import pickle
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge import softmax
from knowledge.language import fold
from knowledge.softmax import SoftmaxWeights

# Above this many entries the classifier is not trained: its weights grow with
# entries x features (300 x ~30k n-grams is ~70 MB) and so does the training time;
# dense and lexical retrieval then rank alone.
MAX_ENTRIES = 300
# Inverse regularisation: chosen on the calibration split (top-1 92% at C=5, 95% at 20,
# 96% at 50); paraphrases are few per class, so a weak penalty fits them best.
C = 50.0
# The fit stops when no weight's gradient exceeds this (scikit-learn's `tol`). At 1e-3
# (scikit-learn's fit until session 12) the loss was 55.6k against an optimum near
# 39.5k, at a point that moved with the data; here 1e-4 reaches 40.2k.
TOL = 1e-4
# N-grams seen in a single training question are dropped: with the labelled user
# questions that halves the features (67k -> 34k) and the training time (30 s ->
# 17 s); cross-validated on the calibration split, top-1 94.6 -> 94.3 %, out of scope
# declined 90.7 -> 93.1 %.
MIN_DF = 2
FILE = "classifier.pkl"


def _features() -> Any:
    # EntryClassifier.scores reproduces these settings (sublinear tf, l2 norm) by hand.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union

    return make_union(
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            preprocessor=fold,
            sublinear_tf=True,
            min_df=MIN_DF,
        ),
        TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            preprocessor=fold,
            sublinear_tf=True,
            min_df=MIN_DF,
        ),
    )


class EntryClassifier:
    def __init__(self, features: Any, weights: SoftmaxWeights, n_entries: int) -> None:
        self._features = features
        self._weights = weights
        self._n_entries = n_entries
        # Column of each model class in the per-entry output (-1: the "none" class).
        classes = np.asarray(weights.classes, dtype=np.int64)
        self._columns = np.where(classes < n_entries, classes, -1)
        self.train_seconds = 0.0
        # The query-time path computes the n-gram weights itself: scikit-learn's input
        # checks and wrappers around transform cost more than the arithmetic for one
        # short query.
        self._vectorizers = [vec for _, vec in features.transformer_list]
        self._analyzers = [vec.build_analyzer() for vec in self._vectorizers]
        offsets = np.cumsum([0, *(len(v.vocabulary_) for v in self._vectorizers)])
        self._offsets = offsets[:-1]

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[int],
        vectors: np.ndarray,
        n_entries: int,
        negatives: Sequence[str] = (),
        negative_vectors: np.ndarray | None = None,
    ) -> EntryClassifier:
        """Fit on ``texts`` labelled with entry positions, plus optional negatives."""
        from threadpoolctl import threadpool_limits

        started = time.perf_counter()
        all_texts = [*texts, *negatives]
        all_labels = [*labels, *([n_entries] * len(negatives))]
        all_vectors = vectors
        if negatives:
            assert negative_vectors is not None
            all_vectors = np.vstack([vectors, negative_vectors])
        features = _features()
        # One BLAS thread: the same weights on any machine (a build is reproducible),
        # and no threads fighting the other processes for two cores.
        with threadpool_limits(limits=1, user_api="blas"):
            weights = softmax.fit(
                features.fit_transform(all_texts), all_vectors, all_labels, C, TOL
            )
        trained = cls(features, weights, n_entries)
        trained.train_seconds = round(time.perf_counter() - started, 3)
        return trained

    @property
    def fit_report(self) -> dict[str, Any]:
        """For the manifest: whether the fit reached ``TOL``, and in how many steps."""
        return {
            "train_seconds": self.train_seconds,
            "iterations": self._weights.iterations,
            "converged": self._weights.converged,
        }

    def scores(self, text: str, vector: np.ndarray) -> np.ndarray:
        """Probability per entry (the "none" class's share is left out)."""
        weights = self._weights
        logits = weights.intercept + np.asarray(vector, np.float64) @ weights.dense
        for vec, analyze, offset in zip(
            self._vectorizers, self._analyzers, self._offsets, strict=True
        ):
            # TfidfVectorizer(sublinear_tf=True, norm="l2") on one text.
            vocabulary = vec.vocabulary_
            counts = Counter(vocabulary[g] for g in analyze(text) if g in vocabulary)
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.int64)
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))
            tfidf = tf * vec.idf_[columns]
            tfidf /= np.linalg.norm(tfidf)
            logits = logits + tfidf @ weights.sparse[offset + columns]
        proba = np.exp(logits - logits.max())
        return self._per_entry(proba / proba.sum())

    def reference_scores(self, text: str, vector: np.ndarray) -> np.ndarray:
        """``scores`` through scikit-learn's own transform (the tests compare them)."""
        sparse = self._features.transform([text])
        dense = np.asarray(vector, np.float64).reshape(1, -1)
        return self._per_entry(self._weights.probabilities(sparse, dense)[0])

    def _per_entry(self, proba: np.ndarray) -> np.ndarray:
        out = np.zeros(self._n_entries, dtype=np.float32)
        keep = self._columns >= 0
        out[self._columns[keep]] = proba[keep]
        return out

    def save(self, directory: Path) -> None:
        with (directory / FILE).open("wb") as handle:
            pickle.dump((self._features, self._weights, self._n_entries), handle)

    @classmethod
    def load(cls, directory: Path) -> EntryClassifier | None:
        """None when the index has no classifier (too many entries)."""
        path = directory / FILE
        if not path.is_file():
            return None
        # Our own build output, written next to the FAISS file it is trusted like.
        with path.open("rb") as handle:
            features, weights, n_entries = pickle.load(handle)
        return cls(features, weights, n_entries)
