"""Intent classification by logistic regression on n-grams and sentence vectors.

DIET, trained on our examples, fits its training set within a few epochs and then
decides by n-grams alone: given the sentence encoder's vectors as extra features, its
cross-validated intent F1 did not move. A linear model on the same features uses both:
tf-idf weighted word and character n-grams (from the CountVectorsFeaturizers named in
``sparse_features``) beside the encoder's sentence vector (``dense_features``). DIET
stays in the pipeline for the entities.

The model is saved as plain arrays (no pickle): weights, intercepts, intent names and
each n-gram block's inverse document frequencies.
"""

# Rasa's typing style on purpose: its graph validator compares these annotations with
# the ones of Rasa's own components (List[Message] and so on).
# ruff: noqa: UP006, UP019, UP035, UP045
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "weights.npz"
META_FILE = "meta.json"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Multinomial logistic regression over tf-idf n-grams and dense vectors."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Aliases of the sparse featurizers whose sentence counts are tf-idf
            # weighted, one block each, and of the dense ones used as they are.
            "sparse_features": [],
            "dense_features": [],
            # Inverse regularisation strength (scikit-learn's C).
            "C": 20.0,
            "max_iter": 3000,
            "ranking_length": LABEL_RANKING_LENGTH,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Dict[str, Any]] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model  # classes, weights, intercepts, idf per sparse block

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        names = [*config.get("sparse_features", []), *config.get("dense_features", [])]
        if not names or not all(isinstance(name, str) for name in names):
            raise InvalidConfigException(
                f"{cls.__name__}: name the featurizers to learn from by their alias "
                "in 'sparse_features' and/or 'dense_features'."
            )

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        config = {**cls.get_default_config(), **config}
        cls.validate_config(config)
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [
            e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)
        ]
        if not examples:
            logger.debug("No intent examples: %s is left untrained.", self._resource)
            return self._resource
        counts = [self._counts(examples, name) for name in self._sparse_names]
        idf = [inverse_document_frequency(block) for block in counts]
        features = self._matrix(examples, counts, idf)
        model = LogisticRegression(
            C=float(self._config["C"]), max_iter=int(self._config["max_iter"])
        )
        model.fit(features, [e.get(INTENT) for e in examples])
        self._model = {
            "classes": [str(c) for c in model.classes_],
            "coef": _two_rows(model.coef_),
            "intercept": _two_rows(model.intercept_[:, None])[:, 0],
            "idf": idf,
        }
        self._persist()
        return self._resource

    @property
    def _sparse_names(self) -> List[str]:
        return list(self._config["sparse_features"])

    def _counts(self, messages: List[Message], name: str) -> scipy.sparse.csr_matrix:
        rows = []
        for message in messages:
            _, sentence = message.get_sparse_features(TEXT, [name])
            if sentence is None:
                raise InvalidConfigException(
                    f"LinearIntentClassifier: no sparse features from '{name}'; "
                    "is that the alias of a featurizer before it in the pipeline?"
                )
            rows.append(scipy.sparse.csr_matrix(sentence.features))
        matrix = scipy.sparse.vstack(rows).tocsr()
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        return matrix

    def _matrix(
        self,
        messages: List[Message],
        counts: List[scipy.sparse.csr_matrix],
        idf: List[np.ndarray],
    ) -> scipy.sparse.csr_matrix:
        blocks = [tf_idf(b, weights) for b, weights in zip(counts, idf, strict=True)]
        for name in self._config["dense_features"]:
            rows = []
            for message in messages:
                _, sentence = message.get_dense_features(TEXT, [name])
                if sentence is None:
                    raise InvalidConfigException(
                        f"LinearIntentClassifier: no dense features from '{name}'."
                    )
                rows.append(sentence.features.reshape(1, -1))
            blocks.append(scipy.sparse.csr_matrix(np.vstack(rows)))
        return scipy.sparse.hstack(blocks).tocsr()

    def process(self, messages: List[Message]) -> List[Message]:
        model = self._model
        featurized = [m for m in messages if m.get(TEXT) and m.features]
        if model is None or not featurized:
            return messages
        counts = [self._counts(featurized, name) for name in self._sparse_names]
        features = self._matrix(featurized, counts, model["idf"])
        probabilities = softmax(features @ model["coef"].T + model["intercept"])
        length = int(self._config["ranking_length"]) or len(model["classes"])
        for message, row in zip(featurized, probabilities, strict=True):
            order = np.argsort(-row, kind="stable")
            ranking = [
                {"name": model["classes"][i], "confidence": float(row[i])}
                for i in order[:length]
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def _persist(self) -> None:
        assert self._model is not None
        model = self._model
        with self._model_storage.write_to(self._resource) as folder:
            arrays = {f"idf_{i}": weights for i, weights in enumerate(model["idf"])}
            np.savez(
                folder / WEIGHTS_FILE,
                coef=model["coef"],
                intercept=model["intercept"],
                **arrays,
            )
            meta = {"classes": model["classes"], "blocks": len(model["idf"])}
            (folder / META_FILE).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as folder:
                meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
                with np.load(folder / WEIGHTS_FILE, allow_pickle=False) as arrays:
                    model = {
                        "classes": list(meta["classes"]),
                        "coef": arrays["coef"],
                        "intercept": arrays["intercept"],
                        "idf": [arrays[f"idf_{i}"] for i in range(meta["blocks"])],
                    }
        except ValueError:  # no files: it had nothing to train on
            return cls.create(config, model_storage, resource, execution_context)
        config = {**cls.get_default_config(), **config}
        return cls(config, model_storage, resource, model)


def inverse_document_frequency(counts: scipy.sparse.csr_matrix) -> np.ndarray:
    """Smoothed idf, as scikit-learn's TfidfTransformer computes it."""
    documents = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.log((1 + counts.shape[0]) / (1 + documents)) + 1.0


def tf_idf(counts: scipy.sparse.csr_matrix, idf: np.ndarray) -> scipy.sparse.csr_matrix:
    """Sublinear term frequency times idf, each row scaled to unit length."""
    weighted = counts.astype(np.float64).tocsr(copy=True)
    weighted.data = (1.0 + np.log(weighted.data)) * idf[weighted.indices]
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return scipy.sparse.diags(1.0 / norms) @ weighted


def softmax(logits: Any) -> np.ndarray:
    logits = np.asarray(logits, dtype=np.float64)
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def _two_rows(weights: np.ndarray) -> np.ndarray:
    """A binary model's one row (the second class against the first) as two rows
    whose softmax is its sigmoid."""
    if weights.shape[0] != 1:
        return weights
    return np.vstack([np.zeros_like(weights), weights])
