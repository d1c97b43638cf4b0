"""The ONNX Runtime path gives the torch model's vectors (real model, exported once)."""

from __future__ import annotations

import subprocess
import sys
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


def test_answering_from_the_project_index_never_imports_torch() -> None:
    # torch (and transformers, which imports it) would add ~350 MB to the app and to
    # the action server, which only embed queries: the three processes share 3 GB.
    root = Path(__file__).resolve().parents[2]
    if not (root / "var" / "index" / "model").is_dir():
        pytest.skip("no project index")
    script = (
        "import sys; from pathlib import Path\n"
        "from knowledge.service import load_answerer\n"
        "a = load_answerer(Path('var/index'), 'all-MiniLM-L6-v2')\n"
        "assert a.ask('when is the deadline?').answered\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
