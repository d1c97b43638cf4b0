"""ONNX Runtime for the embeddings: torch's vectors in less than half the time.

Measured on one thread (docs/BENCHMARKS.md): a query through torch and transformers
costs about 8 ms, much of it Python overhead around small matrix products; the same
graph in ONNX Runtime about 3.4 ms, vectors equal to within 1e-6. The model is exported
once, when it is fine-tuned (``export``), next to its weights in ``onnx/``. Only the
plain sentence-transformers pipeline is exported (transformer, mean pooling,
normalisation); any other model keeps the torch path.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedders import _normalise

ONNX_DIR = "onnx"
_MODEL_FILE = "model.onnx"
_CONFIG_FILE = "config.json"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def exported(model_dir: Path) -> bool:
    folder = Path(model_dir) / ONNX_DIR
    return (folder / _MODEL_FILE).is_file() and (folder / _CONFIG_FILE).is_file()


def export(model: Any, model_dir: Path) -> bool:
    """Export a loaded SentenceTransformer saved in ``model_dir``; False when its
    pipeline is not the plain one or the exporter is not installed."""
    import torch

    modules = [type(module).__name__ for module in model]
    pooling = getattr(model[1], "pooling_mode", None) if len(model) > 1 else None
    if modules != ["Transformer", "Pooling", "Normalize"] or pooling != "mean":
        return False
    try:
        import onnx  # noqa: F401  (the exporter needs it)
    except ImportError:
        return False

    transformer = model[0].auto_model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, types: Any) -> Any:
            return self.transformer(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=types,
            ).last_hidden_state

    example = model.tokenizer(["a short example question"], return_tensors="pt")
    folder = Path(model_dir) / ONNX_DIR
    folder.mkdir(parents=True, exist_ok=True)
    axes = {"batch": 0, "tokens": 1}
    with torch.inference_mode():
        torch.onnx.export(
            LastHiddenState().eval(),
            tuple(example[name] for name in _INPUTS),
            str(folder / _MODEL_FILE),
            input_names=list(_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes={
                name: {v: k for k, v in axes.items()}
                for name in (*_INPUTS, "last_hidden_state")
            },
            opset_version=17,
            dynamo=False,
        )
    config = {
        "max_seq_length": int(model.max_seq_length),
        "dimension": int(transformer.config.hidden_size),
    }
    (folder / _CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    return True


class OnnxEncoder:
    """Tokenizer + exported transformer + mean pooling + normalisation."""

    def __init__(self, model_dir: Path, threads: int = 1) -> None:
        import onnxruntime
        from transformers import AutoTokenizer

        folder = Path(model_dir) / ONNX_DIR
        config = json.loads((folder / _CONFIG_FILE).read_text(encoding="utf-8"))
        self.dimension = int(config["dimension"])
        self._max_length = int(config["max_seq_length"])
        self._tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(folder / _MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        tokens = self._tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=self._max_length,
            return_tensors="np",
        )
        feeds = {name: tokens[name].astype(np.int64) for name in _INPUTS}
        hidden = self._session.run(None, feeds)[0]
        mask = tokens["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return _normalise(pooled)
