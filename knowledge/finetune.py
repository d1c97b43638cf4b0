"""The index's copy of the embedding model, optionally fine-tuned at build time on the
FAQ's own questions, with its ONNX export.

The base model (English MiniLM) places a French or Spanish question far from the
English paraphrases of the same entry, and near entries that share its words. A few
hundred contrastive steps on our own data fix most of that: every batch holds one pair
of texts per entry (two paraphrases of it, often in two languages), and each text must
be closer to its partner than to the other entries' texts and to off-topic questions
(MultipleNegativesRankingLoss with in-batch and extra negatives). Since the corpus holds
thousands of labelled user questions, the entry classifier does better without it, so
it is off by default and the copy is the base model as it is (docs/BENCHMARKS.md).

The copy is cached on disk by a hash of (base model, training texts, settings): a
rebuild with unchanged sources loads it instead of training again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from knowledge.records import FaqRecord

# Cached models kept per cache folder (each is ~90 MB for MiniLM); older ones go.
KEEP_CACHED = 3
STALE_SECONDS = 3600
_DONE = "finetune.json"


@dataclass(frozen=True)
class FinetuneConfig:
    """Training settings; every field is part of the cache key."""

    # Passes over the paraphrases, capped by ``max_steps`` so that a FAQ set of
    # thousands of entries still builds in minutes.
    epochs: float = 3.0
    # 40 steps of 32 entries: 5-fold cross-validation on the calibration split gave
    # 95.1% top-1, 89.8% out of scope declined (95.5% / 87.8% with 64 steps and no
    # frozen layers; 95.5% / 79.6% without fine-tuning) for a third less training.
    max_steps: int = 40
    # Entries per batch (each brings two texts): the in-batch negatives.
    batch_size: int = 32
    # Off-topic questions added to each batch as negatives of every anchor.
    negatives_per_batch: int = 16
    learning_rate: float = 2e-4
    warmup_ratio: float = 0.1
    # Questions are short; longer texts (call passages) are cut for speed.
    max_seq_length: int = 64
    # Cosine similarities are multiplied by this before the softmax.
    scale: float = 20.0
    seed: int = 13
    # The word-embedding matrix is half of MiniLM's weights: freezing it halves the
    # optimiser's work and keeps words absent from the FAQ where the base model put
    # them.
    freeze_embeddings: bool = True
    # Lower transformer layers left as they are: no backward pass through them.
    frozen_layers: int = 3

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FinetuneConfig:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def training_groups(records: Sequence[FaqRecord]) -> list[list[str]]:
    """Per entry, its distinct questions in every language (entries with one text
    cannot form a pair and are left out)."""
    groups: dict[str, list[str]] = {}
    for record in records:
        groups.setdefault(record.id, []).extend(record.questions)
    unique = (list(dict.fromkeys(texts)) for texts in groups.values())
    return [texts for texts in unique if len(texts) >= 2]


def training_key(
    base_model: str,
    groups: Sequence[Sequence[str]],
    negatives: Sequence[str],
    config: FinetuneConfig | None,
) -> str:
    payload = json.dumps(
        [
            base_model,
            list(map(list, groups)),
            list(negatives),
            None if config is None else config.to_json(),
            "onnx",  # cached models also carry their ONNX export (onnx_runtime.py)
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


def planned_steps(groups: Sequence[Sequence[str]], config: FinetuneConfig) -> int:
    texts = sum(len(g) for g in groups)
    # Each step consumes two texts per entry in the batch.
    per_step = 2 * min(config.batch_size, len(groups))
    return max(1, min(config.max_steps, math.ceil(config.epochs * texts / per_step)))


def cached_model(
    base_model: str,
    base_path: str,
    groups: Sequence[Sequence[str]],
    negatives: Sequence[str],
    config: FinetuneConfig | None,
    cache_dir: Path,
    progress: bool = True,
) -> tuple[Path, dict[str, Any]]:
    """The folder of the model fine-tuned with ``config`` (or, when None, of the base
    model as it is) with its ONNX export, made now unless the cache holds it."""
    if config is None:  # the same copy whatever the questions
        groups, negatives = [], []
    key = training_key(base_model, groups, negatives, config)
    target = Path(cache_dir) / key
    target.parent.mkdir(parents=True, exist_ok=True)
    # Processes building the same index at once (web app, action server, tests)
    # train it once: the others wait here, then find it in the cache.
    with _locked(target.parent / f".{key}.lock"):
        done = target / _DONE
        if done.is_file():
            report = json.loads(done.read_text(encoding="utf-8"))
            os.utime(target)  # most recently used: last to be evicted
            return target, {**report, "cached": True}
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=target.parent))
        try:
            report = train(base_path, groups, negatives, config, tmp, progress)
            report = {"key": key, "base_model": base_model, **report}
            (tmp / _DONE).write_text(json.dumps(report, indent=2), encoding="utf-8")
            shutil.rmtree(target, ignore_errors=True)
            tmp.rename(target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    _evict(target.parent, keep=target)
    return target, {**report, "cached": False}


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _evict(cache_dir: Path, keep: Path) -> None:
    models = sorted(
        (p for p in cache_dir.iterdir() if (p / _DONE).is_file() and p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in models[KEEP_CACHED - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
    # Half-written models of builds that were killed (a live one is younger).
    stale = time.time() - STALE_SECONDS
    for tmp in cache_dir.glob(".*-*"):
        if tmp.is_dir() and tmp.stat().st_mtime < stale:
            shutil.rmtree(tmp, ignore_errors=True)
    for lock in cache_dir.glob(".*.lock"):
        if not (cache_dir / lock.name[1:-5]).exists() and lock.stat().st_mtime < stale:
            lock.unlink(missing_ok=True)


def train(
    base_path: str,
    groups: Sequence[Sequence[str]],
    negatives: Sequence[str],
    config: FinetuneConfig | None,
    out_dir: Path,
    progress: bool = True,
) -> dict[str, Any]:
    """Contrastive fine-tuning of ``base_path`` (none when ``config`` is None); the
    model is saved in ``out_dir`` with its ONNX export."""
    import torch

    if config is None:
        return _save_as_it_is(base_path, out_dir)
    threads = torch.get_num_threads()
    torch.set_num_threads(_idle_cores())
    try:
        return _train(base_path, groups, negatives, config, out_dir, progress)
    finally:
        torch.set_num_threads(threads)


def _idle_cores() -> int:
    """Cores not busy with other work: on a shared machine, threads that wait for a
    core make each step several times slower than fewer threads would."""
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:
        busy = 0.0
    return max(1, min(cores, round(cores - busy)))


def _train(
    base_path: str,
    groups: Sequence[Sequence[str]],
    negatives: Sequence[str],
    config: FinetuneConfig,
    out_dir: Path,
    progress: bool,
) -> dict[str, Any]:
    import torch
    from sentence_transformers import SentenceTransformer
    from tqdm import tqdm

    started = time.perf_counter()
    rng = random.Random(config.seed)
    torch.manual_seed(config.seed)
    model = SentenceTransformer(base_path, device="cpu")
    model.max_seq_length = config.max_seq_length
    frozen = [f"layer.{i}." for i in range(config.frozen_layers)]
    if config.freeze_embeddings:
        frozen.append("word_embeddings")
    for name, weights in model.named_parameters():
        if any(part in name for part in frozen):
            weights.requires_grad = False
    steps = planned_steps(groups, config)
    warmup = max(1, int(steps * config.warmup_ratio))
    trainable = [w for w in model.parameters() if w.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup + 1))),
    )
    model.train()
    last_loss = 0.0
    for _ in tqdm(range(steps), desc="fine-tuning", unit="step", disable=not progress):
        anchors, partners = _batch(groups, config.batch_size, rng)
        extra = rng.sample(
            list(negatives), min(config.negatives_per_batch, len(negatives))
        )
        a = _embed(model, anchors)
        b = _embed(model, partners + extra)
        sims = a @ b.T * config.scale
        labels = torch.arange(len(anchors))
        # Both directions: each anchor finds its partner and each partner its anchor.
        loss = (
            torch.nn.functional.cross_entropy(sims, labels)
            + torch.nn.functional.cross_entropy(sims[:, : len(anchors)].T, labels)
        ) / 2
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        last_loss = float(loss.detach())
    model.eval()
    model.save(str(out_dir))
    from knowledge.onnx_runtime import export

    return {
        "onnx": export(model, out_dir),
        "steps": steps,
        "loss": round(last_loss, 4),
        "seconds": round(time.perf_counter() - started, 1),
        "threads": torch.get_num_threads(),
        "config": config.to_json(),
    }


def _save_as_it_is(base_path: str, out_dir: Path) -> dict[str, Any]:
    """The base model saved with its ONNX export: queries are then embedded in less
    than half the time, and without torch in the serving processes."""
    from sentence_transformers import SentenceTransformer

    from knowledge.onnx_runtime import export

    started = time.perf_counter()
    model = SentenceTransformer(base_path, device="cpu")
    model.save(str(out_dir))
    return {
        "onnx": export(model, out_dir),
        "steps": 0,
        "seconds": round(time.perf_counter() - started, 1),
        "config": None,
    }


def _batch(
    groups: Sequence[Sequence[str]], size: int, rng: random.Random
) -> tuple[list[str], list[str]]:
    """Two different texts of each of ``size`` distinct entries (no false negatives)."""
    anchors, partners = [], []
    for g in rng.sample(range(len(groups)), min(size, len(groups))):
        first, second = rng.sample(list(groups[g]), 2)
        anchors.append(first)
        partners.append(second)
    return anchors, partners


def _embed(model: Any, texts: list[str]) -> Any:
    import torch

    features = model.preprocess(texts)
    vectors = model(features)["sentence_embedding"]
    return torch.nn.functional.normalize(vectors, dim=-1)


# What a build uses unless told otherwise.
DEFAULT_FINETUNE = FinetuneConfig()
