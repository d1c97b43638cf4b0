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

from knowledge.vectors import normalise

ONNX_DIR = "onnx"
_MODEL_FILE = "model.onnx"
_CONFIG_FILE = "config.json"
_TOKENIZER_FILE = "tokenizer.json"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def exported(model_dir: Path) -> bool:
    folder = Path(model_dir) / ONNX_DIR
    return all(
        path.is_file()
        for path in (
            folder / _MODEL_FILE,
            folder / _CONFIG_FILE,
            Path(model_dir) / _TOKENIZER_FILE,
        )
    )


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
        from tokenizers import Tokenizer

        folder = Path(model_dir) / ONNX_DIR
        config = json.loads((folder / _CONFIG_FILE).read_text(encoding="utf-8"))
        self.dimension = int(config["dimension"])
        # The fast tokenizer alone, not transformers: importing transformers imports
        # torch (~300 MB resident in every process that only embeds queries).
        self._tokenizer = Tokenizer.from_file(str(Path(model_dir) / _TOKENIZER_FILE))
        self._tokenizer.enable_truncation(int(config["max_seq_length"]))
        pad_token = _pad_token(model_dir)
        self._tokenizer.enable_padding(
            pad_id=self._tokenizer.token_to_id(pad_token) or 0, pad_token=pad_token
        )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Threads that wait for work sleep instead of spinning: a spinning thread
        # takes a core another process (or this build's own step) wants. The vectors
        # are the same; at load 8-10 the embedding took a fifth less CPU and time.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(folder / _MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids, mask, types = (
            np.array([getattr(e, field) for e in encodings], dtype=np.int64)
            for field in ("ids", "attention_mask", "type_ids")
        )
        # The graph's inputs, named as export() named them.
        feeds = dict(zip(_INPUTS, (ids, mask, types), strict=True))
        hidden = self._session.run(None, feeds)[0]
        mask = mask[..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return normalise(pooled)


def _pad_token(model_dir: Path) -> str:
    config = Path(model_dir) / "tokenizer_config.json"
    if config.is_file():
        token = json.loads(config.read_text(encoding="utf-8")).get("pad_token")
        if isinstance(token, str):
            return token
    return "[PAD]"
