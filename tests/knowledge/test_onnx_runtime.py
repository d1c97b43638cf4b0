"""The ONNX Runtime path gives the torch model's vectors (real model, exported once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge.embedders import SentenceTransformerEmbedder, resolve_model_path
from knowledge.onnx_runtime import OnnxEncoder, export, exported

pytestmark = pytest.mark.model

QUESTIONS = [
    "When is the deadline?",
    "Quelle est la date limite pour postuler ?",
    "¿Qué temas cubre la cooperación urbana internacional?",
    "can a small town of 50k people apply to this programme " * 40,  # truncated
]


@pytest.fixture(scope="module")
def exported_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    from sentence_transformers import SentenceTransformer

    folder = tmp_path_factory.mktemp("model")
    model = SentenceTransformer(resolve_model_path("all-MiniLM-L6-v2"), device="cpu")
    model.save(str(folder))
    assert export(model, folder)
    return folder, model


def test_onnx_vectors_are_the_torch_vectors(exported_model: tuple[Path, Any]) -> None:
    folder, model = exported_model
    expected = model.encode(QUESTIONS, normalize_embeddings=True)
    got = OnnxEncoder(folder).encode(QUESTIONS)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-4


def test_the_embedder_uses_onnx_for_an_exported_folder(
    exported_model: tuple[Path, Any],
) -> None:
    folder, model = exported_model
    assert exported(folder)
    embedder = SentenceTransformerEmbedder(str(folder))
    vectors = embedder.encode(QUESTIONS[:2])
    assert embedder._onnx is not None and embedder._model is None  # no torch model
    assert embedder.dimension == 384
    expected = model.encode(QUESTIONS[:2], normalize_embeddings=True)
    assert np.abs(vectors - expected).max() < 1e-4


def test_the_project_index_serves_queries_through_onnx() -> None:
    # make test builds var/index (fine-tuned, exported) before pytest runs.
    model_dir = Path(__file__).resolve().parents[2] / "var" / "index" / "model"
    if not model_dir.is_dir():
        pytest.skip("no project index")
    assert exported(model_dir)
