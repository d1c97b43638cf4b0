"""Saving and loading the index: the manifest refuses drift, ensure_index rebuilds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from knowledge import project as project_module
from knowledge.corpus import (
    corpus_hash,
    load_corpus,
    load_negatives,
    source_files,
    split_passages,
)
from knowledge.embedders import FakeEmbedder, encode_by_length
from knowledge.engine import KnowledgeBase
from knowledge.index import (
    IndexMismatchError,
    IndexMissingError,
    build_index,
    save_index,
)
from knowledge.project import ensure_index
from knowledge.records import FaqRecord, RecordError


def _save(records: list[FaqRecord], embedder: FakeEmbedder, out: Path) -> None:
    save_index(build_index(records, embedder, "hash-1", progress=False), out)


def test_manifest_records_model_dimension_corpus_and_ids(
    tmp_path: Path, small_records: list[FaqRecord], fake_embedder: FakeEmbedder
) -> None:
    _save(small_records, fake_embedder, tmp_path / "idx")
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["model"] == fake_embedder.name
    assert manifest["dimension"] == fake_embedder.dimension
    assert manifest["corpus_hash"] == "hash-1"
    assert manifest["entry_ids"] == [
        "deadline", "eligible", "commitment", "grants", "venue"
    ]  # fmt: skip
    assert {"threshold", "margin", "lexical_weight"} <= set(manifest["params"])


def test_a_loaded_index_answers_like_the_built_one(
    tmp_path: Path, small_records: list[FaqRecord], fake_embedder: FakeEmbedder
) -> None:
    data = build_index(small_records, fake_embedder, "h", progress=False)
    save_index(data, tmp_path / "idx")
    loaded = KnowledgeBase.load(tmp_path / "idx", fake_embedder)
    fresh = KnowledgeBase(data, fake_embedder)
    query = "¿Quién es elegible?"
    assert loaded.search(query) == fresh.search(query)


def test_rebuilding_over_an_index_replaces_it(
    tmp_path: Path, small_records: list[FaqRecord], fake_embedder: FakeEmbedder
) -> None:
    _save(small_records, fake_embedder, tmp_path / "idx")
    _save(small_records[:3], fake_embedder, tmp_path / "idx")
    assert KnowledgeBase.load(tmp_path / "idx", fake_embedder).entry_ids == ["deadline"]
    assert [p.name for p in tmp_path.iterdir()] == ["idx"]


def test_loading_with_another_model_or_corpus_is_refused(
    tmp_path: Path, small_records: list[FaqRecord], fake_embedder: FakeEmbedder
) -> None:
    _save(small_records, fake_embedder, tmp_path / "idx")
    with pytest.raises(IndexMismatchError, match="model 'fake-char-ngrams'"):
        KnowledgeBase.load(tmp_path / "idx", FakeEmbedder(name="other-model"))
    with pytest.raises(IndexMismatchError, match="256 dimensions"):
        KnowledgeBase.load(
            tmp_path / "idx", FakeEmbedder(dimension=64, name=fake_embedder.name)
        )
    with pytest.raises(IndexMismatchError, match="other sources"):
        KnowledgeBase.load(tmp_path / "idx", fake_embedder, corpus_hash="hash-2")


def test_a_missing_index_says_how_to_build_it(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    with pytest.raises(IndexMissingError, match="python -m knowledge build"):
        KnowledgeBase.load(tmp_path / "none", fake_embedder)


def test_ensure_index_rebuilds_only_when_sources_change(
    tmp_path: Path,
    small_records: list[FaqRecord],
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sources = {"records": small_records, "hash": "v1"}
    monkeypatch.setattr(project_module, "CALIBRATION_FILE", tmp_path / "none.jsonl")
    monkeypatch.setattr(project_module, "project_hash", lambda: sources["hash"])
    monkeypatch.setattr(
        project_module, "project_sources", lambda: (sources["records"], sources["hash"])
    )
    out = tmp_path / "idx"
    assert ensure_index(out, fake_embedder, progress=False) == (out, True)
    assert ensure_index(out, fake_embedder, progress=False) == (out, False)
    sources.update(records=small_records[:3], hash="v2")
    caplog.clear()
    assert ensure_index(out, fake_embedder, progress=False) == (out, True)
    # The operator is told that the folder was replaced.
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"knowledge index {out} is missing or older than its sources: rebuilding it"
    ]
    kb = KnowledgeBase.load(out, fake_embedder, corpus_hash="v2")
    assert kb.entry_ids == ["deadline"]


# One of two processes starting together on a stale index (the app and the action
# server after the sources changed): waits for its sibling, then ensures the index
# with a build slow enough to overlap, and reports whether it built and what it loads.
ENSURE_IN_A_PROCESS = """
import json, sys, time
from pathlib import Path
from knowledge import project
from knowledge.embedders import FakeEmbedder, encode_by_length
from knowledge.engine import KnowledgeBase
from knowledge.records import record_from_dict
from tests.knowledge.conftest import SMALL_FAQ

out, me, other = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
records = [record_from_dict(row) for row in SMALL_FAQ]
project.CALIBRATION_FILE = out.parent / "none.jsonl"
project.project_hash = lambda: "v2"
project.project_sources = lambda: (records, "v2")
build = project.build_project_index

def slow_build(*args, **kwargs):
    time.sleep(1.5)
    return build(*args, **kwargs)

project.build_project_index = slow_build
me.touch()
while not other.exists():
    time.sleep(0.01)
_, built = project.ensure_index(out, FakeEmbedder(), progress=False)
kb = KnowledgeBase.load(out, FakeEmbedder(), corpus_hash="v2")
print(json.dumps({"built": built, "entries": len(kb.entry_ids)}))
"""


def test_two_processes_on_a_stale_index_build_it_once(
    tmp_path: Path, small_records: list[FaqRecord], fake_embedder: FakeEmbedder
) -> None:
    out = tmp_path / "idx"
    save_index(build_index(small_records[:3], fake_embedder, "v1", progress=False), out)
    root = Path(__file__).resolve().parents[2]
    ready = [tmp_path / "ready-0", tmp_path / "ready-1"]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", ENSURE_IN_A_PROCESS, str(out), str(me), str(other)],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me, other in (ready, ready[::-1])
    ]
    reports = []
    for child in children:
        stdout, stderr = child.communicate(timeout=300)
        assert child.returncode == 0, stderr[-2000:]
        reports.append(json.loads(stdout.strip().splitlines()[-1]))
    # One built the index of today's sources; the other waited and loaded it.
    assert sorted(r["built"] for r in reports) == [False, True]
    entries = len({record.id for record in small_records})
    assert [r["entries"] for r in reports] == [entries, entries]


def test_call_page_is_split_into_sentence_passages_without_link_lines() -> None:
    text = (
        "City pairings\n\n"
        "  • Download Application (english version)   French version\n"
        "Cities commit to cooperating for up to 18 months with a partner. "
        "They share progress with the programme and the public. "
        "They also develop an action plan. "
        "Pilot projects then follow from the plan in each of the cities.\n"
        "Application Deadline is Friday, March 15th!\n"
    )
    passages = split_passages(text)
    assert passages[0].startswith("Cities commit") and passages[0].count(". ") == 2
    assert passages[1].startswith("Pilot projects then follow")
    assert passages[-1] == "Application Deadline is Friday, March 15th!"
    assert not any("Download" in p or p == "City pairings" for p in passages)


def _corpus(tmp_path: Path, user_questions: list[dict[str, object]]) -> Path:
    (tmp_path / "faq").mkdir()
    entry = {"questions": ["When is the deadline?"], "answer": "In March."}
    faq = {"topic": "deadline", "entries": [{"id": "deadline", "en": entry}]}
    (tmp_path / "faq" / "deadline.yml").write_text(yaml.safe_dump(faq))
    lines = [json.dumps(q) for q in user_questions]
    (tmp_path / "user_questions.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_user_questions_join_their_entry_or_the_off_topic_questions(
    tmp_path: Path,
) -> None:
    corpus = _corpus(
        tmp_path,
        [
            {"text": "deadline??", "lang": "en", "expected": "deadline"},
            {"text": "when is the deadline?", "lang": "en", "expected": "deadline"},
            {"text": "is it sunny in Ottawa", "lang": "en", "expected": None},
        ],
    )
    (record,) = load_corpus(corpus)
    assert record.questions == (
        "When is the deadline?",
        "deadline??",
        "when is the deadline?",
    )
    assert load_negatives(corpus) == ["is it sunny in Ottawa"]
    assert "user_questions.jsonl" in {p.name for p in source_files(corpus)}


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (
            {"text": "hi", "lang": "en", "expected": "nope"},
            r":1: no entry 'nope' in en",
        ),
        (
            {"text": "hi", "lang": "fr", "expected": "deadline"},
            "no entry 'deadline' in fr",
        ),
        ({"text": "hi", "expected": "deadline"}, r':1: "lang" is missing'),
    ],
)
def test_a_wrong_user_question_is_named_with_its_line(
    tmp_path: Path, question: dict[str, object], message: str
) -> None:
    with pytest.raises(RecordError, match=message):
        load_corpus(_corpus(tmp_path, [question]))


def test_project_corpus_loads_and_its_hash_tracks_the_sources() -> None:
    records = load_corpus()
    passages = [r for r in records if r.topic == "call_text"]
    assert passages and all(r.lang == "en" for r in passages)
    assert {r.lang for r in records} == {"en", "fr", "es"}
    assert corpus_hash() == corpus_hash()


class _Recording(FakeEmbedder):
    """The fake, remembering each batch it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def encode(self, texts):  # type: ignore[no-untyped-def]
        self.batches.append(list(texts))
        return super().encode(texts)


def test_texts_encoded_by_length_come_back_in_their_own_order() -> None:
    """The build batches texts by length; each vector must still be its own text's
    (a shifted row would file a question under another entry)."""
    texts = ["a much longer question about the deadline", "hi", "who can apply?", "x"]
    embedder = _Recording()
    seen: list[int] = []
    vectors = encode_by_length(embedder, texts, batch=2, done=seen.append)
    assert (vectors == FakeEmbedder().encode(texts)).all()
    assert embedder.batches == [["x", "hi"], ["who can apply?", texts[0]]]
    assert seen == [2, 2]
    assert encode_by_length(embedder, [], batch=2).shape == (0, embedder.dimension)
