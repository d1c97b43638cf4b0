"""The project's own index: one recipe for ``make kb``, the CLI and a missing index.

It sits above ``index`` (build, save, load) and ``calibration`` (decision parameters),
so neither of them needs the other: an index of our knowledge base is built from
``knowledge/corpus``, then calibrated on ``eval/calibration.jsonl``.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.asked import AskedCheck, read_concepts
from knowledge.calibration import calibrate_index
from knowledge.corpus import (
    ASKED_CONCEPTS,
    CORPUS_DIR,
    corpus_hash,
    load_corpus,
    load_negatives,
)
from knowledge.embedders import Embedder, SentenceTransformerEmbedder, is_tunable
from knowledge.finetune import DEFAULT_FINETUNE, FinetuneConfig
from knowledge.index import (
    FORMAT_VERSION,
    KnowledgeIndexError,
    build_index,
    check_manifest,
    read_manifest,
    save_index,
)
from knowledge.records import FaqRecord

logger = logging.getLogger(__name__)

# Labelled queries the project's own index is calibrated on after each build.
CALIBRATION_FILE = Path(__file__).resolve().parent / "eval" / "calibration.jsonl"


@dataclass(frozen=True)
class ProjectBuild:
    """What a build of the project's index made: its manifest and calibration."""

    out_dir: Path
    manifest: dict[str, Any]
    calibration: dict[str, Any] | None


def project_hash() -> str:
    """Hash of the project's knowledge-base sources and of the index format."""
    return f"{corpus_hash()}-v{FORMAT_VERSION}"


def project_sources() -> tuple[list[FaqRecord], str]:
    """The project's knowledge base and its hash."""
    return load_corpus(), project_hash()


def project_negatives() -> list[str]:
    """The project's off-topic questions for the classifier's "none" class."""
    return load_negatives()


def project_asked_check(records: list[FaqRecord]) -> AskedCheck | None:
    """The project's what-is-asked check over ``records``; None without its file or
    its fallback entry (sources a test substitutes; tests/knowledge/test_asked.py
    checks that the project's fallback exists)."""
    path = CORPUS_DIR / ASKED_CONCEPTS
    if not path.is_file():
        return None
    fallback, terms = read_concepts(path)
    if all(r.id != fallback for r in records):
        return None
    return AskedCheck.from_terms(fallback, terms, records)


def finetune_config(finetune: bool | FinetuneConfig) -> FinetuneConfig | None:
    """The fine-tuning settings ``finetune`` asks for: the default ones for True."""
    if isinstance(finetune, FinetuneConfig):
        return finetune
    return DEFAULT_FINETUNE if finetune else None


def build_project_index(
    out_dir: Path,
    model: str | Embedder,
    finetune: bool | FinetuneConfig = False,
    *,
    progress: bool = True,
    calibrate: bool = True,
) -> ProjectBuild:
    """Build the project's index into ``out_dir``, then calibrate it (when asked and
    the calibration split exists), so a fresh clone serves calibrated decisions."""
    embedder = SentenceTransformerEmbedder(model) if isinstance(model, str) else model
    records, digest = project_sources()
    data = build_index(
        records,
        embedder,
        digest,
        progress=progress,
        source="project",
        negatives=project_negatives(),
        finetune=finetune_config(finetune),
    )
    data.asked = project_asked_check(records)
    save_index(data, out_dir)
    report = None
    if calibrate and CALIBRATION_FILE.is_file():
        report = calibrate_index(Path(out_dir), CALIBRATION_FILE, embedder)
    return ProjectBuild(Path(out_dir), data.manifest, report)


def index_is_current(
    out_dir: Path, embedder: Embedder, finetune: bool | FinetuneConfig
) -> bool:
    """True when ``out_dir`` holds an index of today's sources, model and tuning."""
    try:
        manifest = read_manifest(out_dir)
        check_manifest(manifest, embedder, project_hash())
    except KnowledgeIndexError:
        return False
    if not is_tunable(embedder):
        return True
    tuned = manifest.get("finetuned")
    tuned_with = tuned.get("config") if isinstance(tuned, dict) else None
    wanted = finetune_config(finetune)
    return tuned_with == (None if wanted is None else wanted.to_json())


def ensure_index(
    out_dir: Path,
    embedder: Embedder,
    *,
    finetune: bool | FinetuneConfig = False,
    progress: bool = True,
) -> tuple[Path, bool]:
    """Build the project's index unless an up-to-date one is there; True when built.

    An index fine-tuned with other settings (or not at all, when ``finetune`` asks for
    it) is rebuilt.
    """
    if index_is_current(out_dir, embedder, finetune):
        return Path(out_dir), False
    with build_lock(out_dir):
        # Another process may have built it while this one waited for the lock.
        if index_is_current(out_dir, embedder, finetune):
            return Path(out_dir), False
        # Said, because the rebuild replaces the folder: an index kept for a
        # comparison is overwritten by whatever process loads it first.
        logger.warning(
            "knowledge index %s is missing or older than its sources: rebuilding it",
            out_dir,
        )
        build_project_index(out_dir, embedder, finetune, progress=progress)
    return Path(out_dir), True


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Held while a process builds ``out_dir``, on a file beside it.

    The app and the action server start together and each loads the index: after
    the sources changed, both found it stale and both rebuilt it, a minute of both
    cores. With the lock one builds; the other waits, then loads that build. The
    kernel drops the lock when its holder exits, killed or not.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with (out_dir.parent / f".{out_dir.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
