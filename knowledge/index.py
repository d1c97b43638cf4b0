"""Build, save and load the search index, with a manifest that guards against drift."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.asked import AskedCheck
from knowledge.classifier import MAX_ENTRIES, EntryClassifier
from knowledge.corpus import hash_files
from knowledge.dense import DenseIndex
from knowledge.embedders import Embedder, encode_by_length, is_tunable
from knowledge.finetune import (
    FinetuneConfig,
    cached_model,
    training_groups,
)
from knowledge.fusion import DecisionParams
from knowledge.lexical import LexicalIndex
from knowledge.records import FaqRecord, read_jsonl, record_from_dict

# Bump when the on-disk layout or the text analysis changes: old indexes then rebuild.
FORMAT_VERSION = 6
MANIFEST = "manifest.json"
# Answers are words of their entry for BM25 (in their own language): a question about
# a fact only an answer states ("combien de personnes de Santa Monica sont allées en
# Bulgarie ?") meets it. Cross-validated (docs/BENCHMARKS.md, session 10): train-half
# answered right 192 -> 194 of 251, calibration top-1 93.0 -> 93.1 %.
LEXICAL_ANSWERS = True
ENCODE_BATCH = 128
# Model copies (fine-tuned or not, with their ONNX export), keyed by (base model,
# training texts, settings): a rebuild with unchanged sources reuses the copy.
MODEL_CACHE = Path(__file__).resolve().parent.parent / "var" / "cache" / "models"
# The index's own copy of the model queries use (hard links into the cache).
MODEL_DIR = "model"
_PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}", re.IGNORECASE)


class KnowledgeIndexError(Exception):
    """Base for index problems; messages are meant for the user."""


class IndexMissingError(KnowledgeIndexError):
    pass


class IndexMismatchError(KnowledgeIndexError):
    """The index was built with another model, dimension, corpus or format."""


def searchable(text: str) -> str:
    """Answer text without template placeholders, which are not words of the answer."""
    return " ".join(_PLACEHOLDER.sub(" ", text).split())


@dataclass
class IndexData:
    manifest: dict[str, Any]
    entry_ids: list[str]
    records: dict[tuple[str, str], FaqRecord]
    dense: DenseIndex
    lexical: LexicalIndex
    classifier: EntryClassifier | None = None
    # The embedder the vectors were made with: the fine-tuned one when there is one.
    embedder: Embedder | None = None
    # Where the fine-tuned weights are, to be copied into the saved index.
    model_dir: Path | None = None
    # What-is-asked concepts (the project's index only; knowledge/asked.py).
    asked: AskedCheck | None = None

    @property
    def params(self) -> DecisionParams:
        return DecisionParams.from_json(self.manifest.get("params", {}))

    @property
    def params_by_lang(self) -> dict[str, DecisionParams]:
        """Languages calibrated on their own; the others use ``params``."""
        stored = self.manifest.get("params_by_lang") or {}
        return {lang: DecisionParams.from_json(p) for lang, p in stored.items()}


def entry_texts(record: FaqRecord, include_answers: bool = False) -> list[str]:
    """The texts an entry is found by: its questions (and its answer when asked)."""
    parts = list(dict.fromkeys(record.questions))
    answer = searchable(record.answer)
    if include_answers and answer not in parts:
        parts.append(answer)
    return parts


def lexical_documents(
    records: Sequence[FaqRecord],
    position: dict[str, int],
    include_answers: bool = False,
) -> list[tuple[int, str, str]]:
    """``(entry position, lang, text)`` for BM25: one document per entry and
    language, its questions (and its answer, :data:`LEXICAL_ANSWERS`)."""
    return [
        (
            position[record.id],
            record.lang,
            " ".join(entry_texts(record, include_answers or LEXICAL_ANSWERS)),
        )
        for record in records
    ]


def _entry_order(records: Sequence[FaqRecord]) -> list[str]:
    return list(dict.fromkeys(r.id for r in records))


def build_index(
    records: Sequence[FaqRecord],
    embedder: Embedder,
    corpus_hash: str,
    *,
    params: DecisionParams | None = None,
    include_answers: bool = False,
    progress: bool = True,
    source: str = "project",
    negatives: Sequence[str] = (),
    classifier: bool = True,
    finetune: FinetuneConfig | None = None,
    cache_dir: Path | None = None,
) -> IndexData:
    """Embed every question (after fine-tuning the model when ``finetune`` asks for
    it), index the text per language, train the classifier.

    Answers are left out of the vectors and the classifier by default: on the
    calibration split they cost accuracy (80.1% right decisions without, 79.5% with)
    and a fifth of the build time; BM25 reads them (:data:`LEXICAL_ANSWERS`).
    ``negatives`` are off-topic questions for the classifier's "none" class and
    the fine-tuning's extra negatives. ``finetune`` None (the default: on our
    knowledge base it no longer pays, docs/BENCHMARKS.md), or an embedder that
    cannot be trained like the fake, keeps the base model.
    """
    from tqdm import tqdm

    started = time.perf_counter()
    negatives = list(dict.fromkeys(negatives))
    model_dir: Path | None = None
    tuning: dict[str, Any] | None = None
    groups = training_groups(records)
    if is_tunable(embedder) and (finetune is None or groups):
        model_dir, report = cached_model(
            embedder.name,
            embedder.base_path,
            groups,
            negatives,
            finetune,
            cache_dir or MODEL_CACHE,
            progress,
        )
        tuning = report if finetune is not None else None
        embedder = embedder.with_weights(model_dir)
    entry_ids = _entry_order(records)
    position = {entry_id: i for i, entry_id in enumerate(entry_ids)}
    texts: list[str] = []
    owners: list[int] = []
    for record in records:
        parts = entry_texts(record, include_answers)
        texts.extend(parts)
        owners.extend([position[record.id]] * len(parts))

    train_classifier = classifier and 2 <= len(entry_ids) <= MAX_ENTRIES
    # The classifier's negatives in the same pass, batched by length with the rest.
    extra = negatives if train_classifier else []
    with tqdm(
        total=len(texts) + len(extra),
        desc="embedding",
        unit="text",
        disable=not progress,
    ) as bar:
        encoded = encode_by_length(embedder, [*texts, *extra], ENCODE_BATCH, bar.update)
    if encoded.shape[1] != embedder.dimension:
        raise IndexMismatchError(
            f"embedder {embedder.name!r} returned {encoded.shape[1]} dimensions, "
            f"declared {embedder.dimension}"
        )
    vectors = encoded[: len(texts)]
    dense = DenseIndex.build(vectors, np.array(owners, dtype=np.int64))
    lexical = LexicalIndex()
    lexical.build(lexical_documents(records, position, include_answers))
    model: EntryClassifier | None = None
    if train_classifier:
        negative_vectors = encoded[len(texts) :] if negatives else None
        model = EntryClassifier.train(
            texts, owners, vectors, len(entry_ids), negatives, negative_vectors
        )
    manifest = {
        "format_version": FORMAT_VERSION,
        "model": embedder.name,
        "dimension": int(embedder.dimension),
        "corpus_hash": corpus_hash,
        "source": source,
        "entry_ids": entry_ids,
        "languages": sorted({r.lang for r in records}),
        "records": len(records),
        "vectors": len(texts),
        "include_answers": include_answers,
        "model_dir": None if model_dir is None else MODEL_DIR,
        "finetuned": tuning,
        "classifier": None
        if model is None
        else {"negatives": len(negatives), **model.fit_report},
        "params": (params or default_params(model is not None)).to_json(),
        "params_by_lang": {},
        "calibrated": False,
        "build_seconds": round(time.perf_counter() - started, 3),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    by_key = {(r.id, r.lang): r for r in records}
    return IndexData(
        manifest, entry_ids, by_key, dense, lexical, model, embedder, model_dir
    )


def default_params(with_classifier: bool) -> DecisionParams:
    """Parameters of an index not calibrated yet (what calibration chose on ours)."""
    if not with_classifier:
        return DecisionParams()
    return DecisionParams(lexical_weight=0.2, classifier_weight=0.6, threshold=0.29)


def save_index(data: IndexData, out_dir: Path) -> None:
    """Write to a temporary folder, then swap it in: no reader sees half an index."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        data.dense.save(tmp)
        data.lexical.save(tmp / "lexical")
        if data.classifier is not None:
            data.classifier.save(tmp)
        if data.asked is not None:
            data.asked.save(tmp)
        if data.model_dir is not None:
            _link_tree(data.model_dir, tmp / MODEL_DIR)
        with (tmp / "records.jsonl").open("w", encoding="utf-8") as handle:
            for record in data.records.values():
                handle.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
        write_manifest(tmp, data.manifest)
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}-old-{os.getpid()}")
            out_dir.rename(old)
            tmp.rename(out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _link_tree(source: Path, target: Path) -> None:
    """Hard links (no copy of ~90 MB) where the file system allows them."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link)


def write_manifest(index_dir: Path, manifest: dict[str, Any]) -> None:
    path = Path(index_dir) / MANIFEST
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def read_manifest(index_dir: Path) -> dict[str, Any]:
    path = Path(index_dir) / MANIFEST
    if not path.is_file():
        raise IndexMissingError(
            f"no index in {index_dir} "
            f"(run: python -m knowledge build --out {index_dir})"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexMismatchError(f"{path}: unreadable manifest ({exc})") from exc
    if not isinstance(data, dict):
        raise IndexMismatchError(f"{path}: unreadable manifest")
    return data


def check_manifest(
    manifest: dict[str, Any], embedder: Embedder, corpus_hash: str | None = None
) -> None:
    """Raise ``IndexMismatchError`` when the index cannot serve this embedder/corpus."""
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index format {manifest.get('format_version')} is not {FORMAT_VERSION}: "
            "rebuild it"
        )
    if manifest.get("model") != embedder.name:
        raise IndexMismatchError(
            f"index built with model {manifest.get('model')!r}, "
            f"not {embedder.name!r}: rebuild it"
        )
    if corpus_hash is not None and manifest.get("corpus_hash") != corpus_hash:
        raise IndexMismatchError("index built from other sources: rebuild it")


def index_embedder(
    index_dir: Path, manifest: dict[str, Any], embedder: Embedder
) -> Embedder:
    """The embedder queries must use: the index's copy of ``embedder``'s model
    (fine-tuned or exported to ONNX) when it has one."""
    folder = manifest.get("model_dir")
    if not folder:
        return embedder
    weights = Path(index_dir) / str(folder)
    if not is_tunable(embedder) or not weights.is_dir():
        raise IndexMismatchError(
            f"index uses a copy of the model (fine-tuned or exported) that "
            f"{embedder.name!r} cannot load (or its folder is missing): rebuild it"
        )
    return embedder.with_weights(weights)


def load_index(
    index_dir: Path, embedder: Embedder, corpus_hash: str | None = None
) -> IndexData:
    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    check_manifest(manifest, embedder, corpus_hash)
    records: dict[tuple[str, str], FaqRecord] = {}
    with (index_dir / "records.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            data = json.loads(line)
            record = record_from_dict(data)
            records[(record.id, record.lang)] = record
    embedder = index_embedder(index_dir, manifest, embedder)
    dense = DenseIndex.load(index_dir)
    if dense.dimension != manifest.get("dimension"):
        raise IndexMismatchError("index vectors do not match the manifest: rebuild it")
    if dense.dimension != embedder.dimension:
        raise IndexMismatchError(
            f"index has {dense.dimension} dimensions, model {embedder.name!r} "
            f"gives {embedder.dimension}: rebuild it"
        )
    lexical = LexicalIndex.load(index_dir / "lexical")
    classifier = EntryClassifier.load(index_dir)
    return IndexData(
        manifest,
        list(manifest["entry_ids"]),
        records,
        dense,
        lexical,
        classifier,
        embedder,
        asked=AskedCheck.load(index_dir),
    )


def jsonl_sources(path: Path) -> tuple[list[FaqRecord], str]:
    return read_jsonl(path), f"{hash_files([path])}-v{FORMAT_VERSION}"
