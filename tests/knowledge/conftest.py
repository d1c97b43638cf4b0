"""Fixtures for the knowledge tests: a fake embedder for speed, the real one once."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.embedders import FakeEmbedder, SentenceTransformerEmbedder
from knowledge.engine import KnowledgeBase
from knowledge.fusion import DecisionParams
from knowledge.index import build_index, save_index
from knowledge.records import FaqRecord, record_from_dict

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# A small trilingual FAQ with the shape of the real one; "grants" has no Spanish text,
# "venue" only Spanish, to exercise the fallback to a record's own language.
SMALL_FAQ: list[dict[str, object]] = [
    {"id": "deadline", "lang": "en", "topic": "deadline", "source": "call-page",
     "questions": ["When is the application deadline?", "What is the closing date?"],
     "answer": "Applications close on {deadline}."},
    {"id": "deadline", "lang": "fr", "topic": "deadline", "source": "call-page",
     "questions": ["Quelle est la date limite de candidature ?",
                   "Quand l'appel ferme-t-il ?"],
     "answer": "Les candidatures ferment le {deadline}."},
    {"id": "deadline", "lang": "es", "topic": "deadline", "source": "call-page",
     "questions": ["¿Cuál es la fecha límite para postular?",
                   "¿Cuándo cierra la convocatoria?"],
     "answer": "La convocatoria cierra el {deadline}."},
    {"id": "eligible", "lang": "en", "topic": "eligibility", "source": "S1",
     "questions": ["Which cities can apply?", "Who is eligible to participate?"],
     "answer": "Cities in Canada, the United States and Mexico."},
    {"id": "eligible", "lang": "fr", "topic": "eligibility", "source": "S1",
     "questions": ["Quelles villes peuvent postuler ?", "Qui est admissible ?"],
     "answer": "Les villes du Canada, des États-Unis et du Mexique."},
    {"id": "eligible", "lang": "es", "topic": "eligibility", "source": "S1",
     "questions": ["¿Qué ciudades pueden postular?", "¿Quién es elegible?"],
     "answer": "Ciudades de Canadá, Estados Unidos y México."},
    {"id": "commitment", "lang": "en", "topic": "commitment", "source": "call-page",
     "questions": ["How long is the commitment?", "How many months does it last?"],
     "answer": "Up to eighteen months of cooperation."},
    {"id": "commitment", "lang": "fr", "topic": "commitment", "source": "call-page",
     "questions": ["Combien de temps dure l'engagement ?"],
     "answer": "Jusqu'à dix-huit mois de coopération."},
    {"id": "commitment", "lang": "es", "topic": "commitment", "source": "call-page",
     "questions": ["¿Cuánto dura el compromiso?"],
     "answer": "Hasta dieciocho meses de cooperación."},
    {"id": "grants", "lang": "en", "topic": "funding", "source": "S2",
     "questions": ["Is there funding for each city?", "How much money do we get?"],
     "answer": "The call does not specify funding per city."},
    {"id": "grants", "lang": "fr", "topic": "funding", "source": "S2",
     "questions": ["Y a-t-il un financement par ville ?"],
     "answer": "L'appel ne précise pas de financement par ville."},
    {"id": "venue", "lang": "es", "topic": "events", "source": "S3",
     "questions": ["¿Dónde se celebra la conferencia anual?"],
     "answer": "La conferencia anual no tiene sede fija."},
]  # fmt: skip

# Labelled queries for the CLI: in scope (by id) and out of scope (null).
SMALL_QUERIES: list[dict[str, object]] = [
    {"text": "when is the deadline for the application", "lang": "en",
     "expected": "deadline"},
    {"text": "date limite de candidature", "lang": "fr", "expected": "deadline"},
    {"text": "fecha límite para postular", "lang": "es", "expected": "deadline"},
    {"text": "which cities are eligible", "lang": "en", "expected": "eligible"},
    {"text": "how many months is the commitment", "lang": "en",
     "expected": "commitment"},
    {"text": "funding for each city", "lang": "en", "expected": "grants"},
    {"text": "zebra stripes photosynthesis", "lang": "en", "expected": None},
    {"text": "xylophone quartz jukebox", "lang": "en", "expected": None},
]  # fmt: skip


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def small_records() -> list[FaqRecord]:
    return [record_from_dict(row) for row in SMALL_FAQ]


@pytest.fixture
def build_small(
    tmp_path: Path, fake_embedder: FakeEmbedder, small_records: list[FaqRecord]
) -> Callable[..., KnowledgeBase]:
    """Build, save and load the small FAQ with the fake embedder and given params."""

    def build(**params: object) -> KnowledgeBase:
        data = build_index(
            small_records,
            fake_embedder,
            "small-hash",
            params=DecisionParams().with_(**params),
            progress=False,
        )
        out = tmp_path / "small-index"
        save_index(data, out)
        return KnowledgeBase.load(out, fake_embedder)

    return build


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def project_kb(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder
) -> KnowledgeBase:
    """The project's own knowledge base, built and calibrated like ``make kb`` does."""
    from knowledge.project import build_project_index

    out = tmp_path_factory.mktemp("project") / "index"
    build_project_index(out, real_embedder, progress=False)
    return KnowledgeBase.load(out, real_embedder)
