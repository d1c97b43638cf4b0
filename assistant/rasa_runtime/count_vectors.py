"""The count-vector features of a message built straight from the vocabulary (run by
``.venv-rasa``).

For each message Rasa 3.6's ``CountVectorsFeaturizer`` (two in the pipeline: words
and character n-grams) calls scikit-learn's ``CountVectorizer.transform`` twice, once
for the tokens and once for the sentence: each call builds its analyzer again, a CSR
matrix, checks and sorts it, and Rasa then converts it to COO. For a message of a
dozen tokens that bookkeeping cost more than the counting (py-spy: the scipy
constructors and checks about two thirds of the featurizer's time).

Here the analyzer is built once per fitted vectorizer and the counts go straight
into the COO matrix Rasa ends with: the same rows, columns, values, dtypes and shape
(entries by row, then by column, as the sorted CSR gives them); a vectorizer that is
not fitted goes Rasa's way.

This file runs in the Rasa environment and imports nothing from the project.
"""

from __future__ import annotations

from typing import Any


def counts(vectorizer: Any, documents: list[str]) -> Any:
    """``vectorizer.transform(documents)``, sorted and as COO, as Rasa uses it."""
    import numpy as np
    import scipy.sparse

    analyze = vectorizer.__dict__.get("_iuc_analyzer")
    if analyze is None:
        analyze = vectorizer.__dict__["_iuc_analyzer"] = vectorizer.build_analyzer()
    vocabulary = vectorizer.vocabulary_
    rows: list[int] = []
    columns: list[int] = []
    values: list[int] = []
    for row, document in enumerate(documents):
        found: dict[int, int] = {}
        for feature in analyze(document):
            index = vocabulary.get(feature)
            if index is not None:
                found[index] = found.get(index, 0) + 1
        for index in sorted(found):
            rows.append(row)
            columns.append(index)
            values.append(1 if vectorizer.binary else found[index])
    return scipy.sparse.coo_matrix(
        (
            np.asarray(values, dtype=vectorizer.dtype),
            (np.asarray(rows, dtype=np.int32), np.asarray(columns, dtype=np.int32)),
        ),
        shape=(len(documents), len(vocabulary)),
        dtype=vectorizer.dtype,
    )


def install() -> None:
    from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
        CountVectorsFeaturizer,
    )

    create_features = CountVectorsFeaturizer._create_features

    def _create_features(
        self: CountVectorsFeaturizer, attribute: str, all_tokens: list[list[str]]
    ) -> tuple[list[Any], list[Any]]:
        vectorizer = self.vectorizers.get(attribute)
        if not vectorizer or not hasattr(vectorizer, "vocabulary_"):
            return create_features(self, attribute, all_tokens)
        sequence_features: list[Any] = []
        sentence_features: list[Any] = []
        for tokens in all_tokens:
            if not tokens:  # nothing to featurize
                sequence_features.append(None)
                sentence_features.append(None)
                continue
            sequence_features.append(counts(vectorizer, tokens))
            sentence_features.append(
                counts(vectorizer, [" ".join(tokens)])
                if attribute in DENSE_FEATURIZABLE_ATTRIBUTES
                else None
            )
        return sequence_features, sentence_features

    CountVectorsFeaturizer._create_features = _create_features
