"""Intent classification by logistic regression on n-grams and sentence vectors.

DIET, trained on our examples, fits its training set within a few epochs and then
decides by n-grams alone: given sentence vectors as extra features, its
cross-validated intent F1 did not move. A linear model on the same features uses both:
tf-idf weighted word and character n-grams (from the CountVectorsFeaturizers named in
``sparse_features``) beside the sentence vector (``dense_features``).

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
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
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
        features = self._matrix([_sentence_features(e) for e in examples])
        idf = features["idf"]
        model = LogisticRegression(
            C=float(self._config["C"]), max_iter=int(self._config["max_iter"])
        )
        model.fit(features["matrix"], [e.get(INTENT) for e in examples])
        self._model = _with_transpose(
            {
                "classes": [str(c) for c in model.classes_],
                "coef": _two_rows(model.coef_),
                "intercept": _two_rows(model.intercept_[:, None])[:, 0],
                "idf": idf,
            }
        )
        self._persist()
        return self._resource

    @property
    def _sparse_names(self) -> List[str]:
        return list(self._config["sparse_features"])

    def _matrix(self, examples: List[Dict[str, Any]]) -> Dict[str, Any]:
        """The training matrix (tf-idf blocks, then dense blocks) and each block's
        idf, from the examples' sentence features by featurizer alias."""
        blocks, idf = [], []
        for name in self._sparse_names:
            counts = scipy.sparse.vstack(
                [scipy.sparse.csr_matrix(_named(e, name)) for e in examples]
            ).tocsr()
            counts.sum_duplicates()
            counts.eliminate_zeros()
            idf.append(inverse_document_frequency(counts))
            blocks.append(tf_idf(counts, idf[-1]))
        for name in self._config["dense_features"]:
            rows = [np.asarray(_named(e, name)).reshape(1, -1) for e in examples]
            blocks.append(scipy.sparse.csr_matrix(np.vstack(rows)))
        return {"matrix": scipy.sparse.hstack(blocks).tocsr(), "idf": idf}

    def process(self, messages: List[Message]) -> List[Message]:
        model = self._model
        if model is None:
            return messages
        length = int(self._config["ranking_length"]) or len(model["classes"])
        dense_names = list(self._config["dense_features"])
        names = [*self._sparse_names, *dense_names]
        for message in messages:
            features = _sentence_features(message)
            if not message.get(TEXT) or not all(name in features for name in names):
                continue
            # One message at a time, from the arrays themselves: Rasa's feature
            # getters deep-copy every matrix, which cost more than the arithmetic.
            counts = [features[name] for name in self._sparse_names]
            dense = [features[name] for name in dense_names]
            row = linear_scores(counts, dense, model)
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
                    model = _with_transpose(
                        {
                            "classes": list(meta["classes"]),
                            "coef": arrays["coef"],
                            "intercept": arrays["intercept"],
                            "idf": [arrays[f"idf_{i}"] for i in range(meta["blocks"])],
                        }
                    )
        except ValueError:  # no files: it had nothing to train on
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, model)


def _sentence_features(message: Message) -> Dict[str, Any]:
    """The text's sentence features by featurizer alias."""
    return {
        f.origin: f.features
        for f in message.features
        if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
    }


def _named(features: Dict[str, Any], name: str) -> Any:
    if name not in features:
        raise InvalidConfigException(
            f"LinearIntentClassifier: no sentence features from '{name}'; is that "
            "the alias of a featurizer before it in the pipeline?"
        )
    return features[name]


def linear_scores(
    counts: List[Any], dense: List[np.ndarray], model: Dict[str, Any]
) -> np.ndarray:
    """Class probabilities of one message: the tf-idf of each block of sentence
    counts (1 x vocabulary, sparse) and the dense vectors, through the model."""
    weights_by_feature = model["by_feature"]
    logits = np.array(model["intercept"], dtype=np.float64)
    offset = 0
    for block, idf in zip(counts, model["idf"], strict=True):
        coo = block if scipy.sparse.isspmatrix_coo(block) else block.tocoo()
        if len(coo.col) and np.all(coo.col[1:] > coo.col[:-1]):
            # Each column once, in order (as the count vectors come): no merging.
            columns, values = coo.col, coo.data.astype(np.float64)
        else:
            columns, position = np.unique(coo.col, return_inverse=True)
            values = np.bincount(position, weights=coo.data)
        keep = values > 0
        columns, values = columns[keep], values[keep]
        if len(columns):
            weights = (1.0 + np.log(values)) * idf[columns]
            weights /= np.linalg.norm(weights)
            logits += weights @ weights_by_feature[offset + columns]
        offset += len(idf)
    for vector in dense:
        vector = np.asarray(vector, dtype=np.float64).ravel()
        logits += vector @ weights_by_feature[offset : offset + len(vector)]
        offset += len(vector)
    return softmax(logits[None, :])[0]


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


def _with_transpose(model: Dict[str, Any]) -> Dict[str, Any]:
    """Adds the weights feature by feature (rows gathered per message's n-grams)."""
    return {**model, "by_feature": np.ascontiguousarray(model["coef"].T)}


def _two_rows(weights: np.ndarray) -> np.ndarray:
    """A binary model's one row (the second class against the first) as two rows
    whose softmax is its sigmoid."""
    if weights.shape[0] != 1:
        return weights
    return np.vstack([np.zeros_like(weights), weights])
