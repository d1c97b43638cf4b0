"""The real model on the project knowledge base (built and calibrated per session)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge.embedders import FakeEmbedder, SentenceTransformerEmbedder
from knowledge.engine import KnowledgeBase, QueryError
from knowledge.index import IndexMismatchError

pytestmark = pytest.mark.model


def test_when_is_the_deadline_finds_the_deadline_entry(
    project_kb: KnowledgeBase,
) -> None:
    result = project_kb.search("when is the deadline?")
    assert result.answered and result.lang == "en"
    assert result.hits[0].entry_id == "deadline-date"
    assert result.hits[0].source


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Quelle est la date limite pour déposer notre candidature ?", "fr"),
        ("¿Cuál es la fecha límite para enviar la solicitud?", "es"),
    ],
)
def test_french_and_spanish_questions_are_answered_in_their_language(
    project_kb: KnowledgeBase, text: str, lang: str
) -> None:
    result = project_kb.search(text)
    assert result.answered and result.lang == lang
    assert all(hit.lang == lang for hit in result.hits)
    # French/Spanish top-1 is measured at 94-97% (docs/BENCHMARKS.md), not 100%, so this
    # asks for the entry among the answers offered, not necessarily first.
    assert "deadline-date" in [hit.entry_id for hit in result.hits]


def test_the_language_hint_chooses_the_answer_language(
    project_kb: KnowledgeBase,
) -> None:
    result = project_kb.search("when is the deadline?", lang="fr")
    assert result.hits[0].entry_id == "deadline-date"
    assert result.hits[0].lang == "fr"


@pytest.mark.parametrize(
    "text",
    [
        "What's a good recipe for lasagna?",
        "Who won the football world cup in 2014?",
        "¿Qué tiempo hará mañana en Madrid?",
    ],
)
def test_out_of_scope_questions_are_declined(
    project_kb: KnowledgeBase, text: str
) -> None:
    assert not project_kb.search(text).answered


@pytest.mark.parametrize(
    "text",
    [
        "our town is in the US, can we join the call?",
        "nous sommes une ville canadienne, avons-nous le droit de participer ?",
        "somos una ciudad de México, ¿podemos entrar a la convocatoria?",
    ],
)
def test_naming_an_eligible_country_still_finds_who_can_apply(
    project_kb: KnowledgeBase, text: str
) -> None:
    # Country names pull such questions toward the other-regions and pairs entries
    # (these phrasings are in no FAQ entry nor eval split): the English and Spanish
    # ones still rank other-regions-eu-city first, so this asks for the entry among
    # those offered, not necessarily first.
    result = project_kb.search(text)
    assert result.answered
    assert "eligibility-who-can-apply" in [hit.entry_id for hit in result.hits]


def test_a_ten_thousand_character_query_is_a_clear_error(
    project_kb: KnowledgeBase,
) -> None:
    with pytest.raises(QueryError, match="too long"):
        project_kb.search("deadline " * 1112)


def test_the_index_refuses_another_model(project_kb: KnowledgeBase) -> None:
    assert project_kb.index_dir is not None
    with pytest.raises(IndexMismatchError, match="all-MiniLM-L6-v2"):
        KnowledgeBase.load(project_kb.index_dir, FakeEmbedder(dimension=384))


def test_answerer_renders_the_call_facts_in_the_answer(tmp_path: Path) -> None:
    from knowledge.service import load_answerer

    answerer = load_answerer(tmp_path / "index", "all-MiniLM-L6-v2")
    assert load_answerer(tmp_path / "index", "all-MiniLM-L6-v2") is answerer
    assert (tmp_path / "index" / "manifest.json").is_file()
    result = answerer.ask("When is the application deadline?", today=date(2019, 3, 1))
    answer = result.hits[0].answer
    assert "{" not in answer and "2019" in answer
    french = answerer.ask(
        "Quelle est la date limite de dépôt des candidatures ?",
        lang="fr",
        today=date(2019, 3, 1),
    )
    assert "mars 2019" in french.hits[0].answer


def test_the_model_name_aliases_resolve_offline(
    real_embedder: SentenceTransformerEmbedder,
) -> None:
    long_name = SentenceTransformerEmbedder("sentence-transformers/all-MiniLM-L6-v2")
    assert long_name.name == real_embedder.name == "all-MiniLM-L6-v2"
    assert real_embedder.dimension == 384
    vectors = real_embedder.encode(["deadline", "date limite"])
    assert vectors.dtype.name == "float32"
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-4
