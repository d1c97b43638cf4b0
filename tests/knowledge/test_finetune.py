"""Build-time fine-tuning: what it trains on, its cache, and how the index uses it.

The training itself is replaced by a stub here (it needs the real model: see
test_engine_model.py); a tunable fake embedder stands for sentence-transformers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from knowledge import finetune as ft
from knowledge.embedders import (
    FakeEmbedder,
    SentenceTransformerEmbedder,
    TunableEmbedder,
    is_tunable,
)
from knowledge.engine import KnowledgeBase
from knowledge.finetune import FinetuneConfig
from knowledge.index import (
    IndexData,
    IndexMismatchError,
    build_index,
    read_manifest,
    save_index,
)
from knowledge.project import ensure_index
from knowledge.records import FaqRecord

TUNED = ft.DEFAULT_FINETUNE


class TunableFake(FakeEmbedder):
    """A fake whose "fine-tuned" copies remember the weights folder they came from."""

    def __init__(self, weights: Path | None = None) -> None:
        super().__init__(name="fake-tunable")
        self.weights = weights

    @property
    def base_path(self) -> str:
        return "base-weights"

    def with_weights(self, path: Path) -> TunableFake:
        return TunableFake(Path(path))


@pytest.fixture
def trainings(monkeypatch: pytest.MonkeyPatch) -> list[list[list[str]]]:
    """Stub training: records the groups of each fine-tuning and writes a weights
    file (also for the untrained copy, ``config`` None)."""
    calls: list[list[list[str]]] = []

    def fake_train(
        base_path: str,
        groups: Any,
        negatives: Any,
        config: FinetuneConfig | None,
        out_dir: Path,
        progress: bool = True,
    ) -> dict[str, Any]:
        if config is None:
            (out_dir / "weights.bin").write_text(f"copied from {base_path}")
            return {"steps": 0, "seconds": 0.0, "config": None}
        calls.append([list(g) for g in groups])
        (out_dir / "weights.bin").write_text(f"trained from {base_path}")
        return {"steps": 1, "loss": 0.0, "seconds": 0.0, "config": config.to_json()}

    monkeypatch.setattr(ft, "train", fake_train)
    return calls


def test_the_fake_stand_in_is_tunable_and_the_plain_fake_is_not() -> None:
    assert isinstance(TunableFake(), TunableEmbedder)
    assert is_tunable(TunableFake())
    assert not is_tunable(FakeEmbedder())


def test_telling_a_model_is_tunable_does_not_load_it() -> None:
    # isinstance() on the protocol would read ``dimension`` and load the base model,
    # which no process needs once the index has its fine-tuned copy.
    embedder = SentenceTransformerEmbedder("/nonexistent/model")
    assert is_tunable(embedder)
    assert embedder._model is None and embedder._onnx is None


def test_each_entry_trains_on_its_questions_in_every_language(
    small_records: list[FaqRecord],
) -> None:
    groups = ft.training_groups(small_records)
    deadline = next(g for g in groups if "When is the application deadline?" in g)
    assert "Quelle est la date limite de candidature ?" in deadline
    assert "¿Cuándo cierra la convocatoria?" in deadline
    # "venue" has a single question: no pair to learn from.
    assert not any("¿Dónde se celebra la conferencia anual?" in g for g in groups)


def test_steps_are_capped_so_a_large_faq_still_builds_in_minutes() -> None:
    config = FinetuneConfig(epochs=3, batch_size=32, max_steps=80)
    small = [["a", "b"]] * 10
    huge = [[f"q{i}", f"p{i}", f"r{i}"] for i in range(5000)]
    assert ft.planned_steps(small, config) == 3
    assert ft.planned_steps(huge, config) == 80


def _tuned_build(records: list[FaqRecord], cache: Path) -> IndexData:
    return build_index(
        records, TunableFake(), "h", progress=False, cache_dir=cache, finetune=TUNED
    )


def test_a_rebuild_with_the_same_sources_reuses_the_fine_tuned_model(
    tmp_path: Path,
    small_records: list[FaqRecord],
    trainings: list[list[list[str]]],
) -> None:
    cache = tmp_path / "cache"
    for _ in range(2):
        data = _tuned_build(small_records, cache)
    assert len(trainings) == 1
    assert data.manifest["finetuned"]["cached"] is True
    # Other training settings (or other sources) train a new model.
    build_index(
        small_records,
        TunableFake(),
        "h",
        progress=False,
        cache_dir=cache,
        finetune=FinetuneConfig(epochs=1),
    )
    _tuned_build(small_records[:6], cache)
    assert len(trainings) == 3


def test_the_saved_index_carries_its_model_and_search_embeds_with_it(
    tmp_path: Path, small_records: list[FaqRecord], trainings: list[Any]
) -> None:
    data = _tuned_build(small_records, tmp_path / "c")
    out = tmp_path / "index"
    save_index(data, out)
    assert (out / "model" / "weights.bin").is_file()
    kb = KnowledgeBase.load(out, TunableFake())
    assert isinstance(kb.embedder, TunableFake)
    assert kb.embedder.weights == out / "model"
    assert kb.search("When is the application deadline?").hits[0].entry_id == (
        "deadline"
    )


def test_a_fine_tuned_index_refuses_an_embedder_that_cannot_load_it(
    tmp_path: Path, small_records: list[FaqRecord], trainings: list[Any]
) -> None:
    data = _tuned_build(small_records, tmp_path / "c")
    save_index(data, tmp_path / "index")
    plain = FakeEmbedder(name="fake-tunable")
    with pytest.raises(IndexMismatchError, match="fine-tuned"):
        KnowledgeBase.load(tmp_path / "index", plain)


def test_by_default_the_index_carries_the_model_as_it_is(
    tmp_path: Path, small_records: list[FaqRecord], trainings: list[Any]
) -> None:
    data = build_index(
        small_records, TunableFake(), "h", progress=False, cache_dir=tmp_path / "c"
    )
    out = tmp_path / "index"
    save_index(data, out)
    assert trainings == []
    manifest = read_manifest(out)
    assert manifest["finetuned"] is None
    # The copy is there for its ONNX export: queries are embedded with it.
    assert (
        (out / manifest["model_dir"] / "weights.bin")
        .read_text()
        .startswith("copied from")
    )
    kb = KnowledgeBase.load(out, TunableFake())
    assert isinstance(kb.embedder, TunableFake)
    assert kb.embedder.weights == out / "model"


def test_the_untrained_copy_is_made_once_whatever_the_questions(
    tmp_path: Path, small_records: list[FaqRecord], trainings: list[Any]
) -> None:
    cache = tmp_path / "cache"
    for records, negatives in ((small_records, []), (small_records[:6], ["sunny?"])):
        data = build_index(
            records,
            TunableFake(),
            "h",
            progress=False,
            cache_dir=cache,
            negatives=negatives,
        )
    assert data.model_dir is not None
    assert [p.name for p in cache.iterdir() if p.is_dir()] == [data.model_dir.name]


def test_ensure_index_rebuilds_when_the_fine_tuning_setting_changes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    small_records: list[FaqRecord],
    trainings: list[Any],
) -> None:
    import knowledge.index as index_module
    import knowledge.project as project_module

    monkeypatch.setattr(project_module, "project_sources", lambda: (small_records, "h"))
    monkeypatch.setattr(project_module, "project_hash", lambda: "h")
    monkeypatch.setattr(project_module, "project_negatives", lambda: [])
    monkeypatch.setattr(project_module, "CALIBRATION_FILE", tmp_path / "none.jsonl")
    monkeypatch.setattr(index_module, "MODEL_CACHE", tmp_path / "cache")
    out = tmp_path / "index"
    for built in (True, False):
        assert ensure_index(out, TunableFake(), progress=False, finetune=TUNED) == (
            out,
            built,
        )
    assert ensure_index(out, TunableFake(), progress=False) == (out, True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["finetuned"] is None


def test_the_cache_keeps_only_the_most_recent_models(
    tmp_path: Path, small_records: list[FaqRecord], trainings: list[Any]
) -> None:
    cache = tmp_path / "cache"
    for seed in range(ft.KEEP_CACHED + 2):
        build_index(
            small_records,
            TunableFake(),
            "h",
            progress=False,
            cache_dir=cache,
            finetune=FinetuneConfig(seed=seed),
        )
    kept = [p for p in cache.iterdir() if not p.name.startswith(".")]
    assert len(kept) == ft.KEEP_CACHED
