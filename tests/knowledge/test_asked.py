"""The "answer states what is asked" check and the question part of a long message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.asked import AskedCheck, read_concepts
from knowledge.corpus import ASKED_CONCEPTS, CORPUS_DIR, load_corpus
from knowledge.embedders import FakeEmbedder
from knowledge.engine import KnowledgeBase, question_part
from knowledge.fusion import DecisionParams
from knowledge.index import build_index, save_index
from knowledge.records import FaqRecord, record_from_dict

FALLBACK = {
    "id": "not-in-sources", "lang": "en", "source": "call-page",
    "questions": ["Is something the call does not mention possible?"],
    "answer": "The call does not say. Please ask the programme.",
}  # fmt: skip
TERMS = {"visa": ("visa", "visado"), "audit": ("audit", "auditoria")}


@pytest.fixture
def kb(
    tmp_path: Path, fake_embedder: FakeEmbedder, small_records: list[FaqRecord]
) -> KnowledgeBase:
    records = [*small_records, record_from_dict(FALLBACK)]
    data = build_index(
        records,
        fake_embedder,
        "asked-hash",
        params=DecisionParams(threshold=0.3),
        progress=False,
    )
    data.asked = AskedCheck.from_terms("not-in-sources", TERMS, records)
    save_index(data, tmp_path / "index")
    return KnowledgeBase.load(tmp_path / "index", fake_embedder)


def test_a_question_about_what_no_entry_states_gets_the_fallback(
    kb: KnowledgeBase,
) -> None:
    result = kb.search("When is the application deadline for visas?", lang="en")
    assert result.answered
    assert result.hits[0].entry_id == "not-in-sources"
    assert result.hits[0].answer.startswith("The call does not say")
    assert result.suggestions == []


def test_other_questions_keep_their_answer(kb: KnowledgeBase) -> None:
    result = kb.search("When is the application deadline?", lang="en")
    assert result.hits[0].entry_id == "deadline"
    kb.asked = None
    result = kb.search("When is the application deadline for visas?", lang="en")
    assert result.hits[0].entry_id == "deadline"


def test_terms_match_whole_folded_words_with_a_plural() -> None:
    records = [record_from_dict(FALLBACK)]
    check = AskedCheck.from_terms("not-in-sources", TERMS, records)
    assert check.unstated("¿Se necesita una AUDITORÍA?", "deadline") == ["audit"]
    assert check.unstated("Do our staff need visas?", "deadline") == ["visa"]
    assert check.unstated("What about the auditorium?", "deadline") == []
    assert check.unstated("Do we need a visa?", "not-in-sources") == []


def test_an_entry_whose_answer_or_questions_name_a_concept_states_it() -> None:
    travel = {"id": "travel", "lang": "fr", "questions": ["Et les visas ?"]}
    visa = record_from_dict({**travel, "answer": "Voyez le consulat."})
    check = AskedCheck.from_terms(
        "not-in-sources", TERMS, [visa, record_from_dict(FALLBACK)]
    )
    assert check.unstated("Do we need a visa?", "travel") == []
    restored = AskedCheck.from_json(json.loads(json.dumps(check.to_json())))
    assert restored.unstated("Do we need a visa?", "travel") == []
    assert restored.unstated("Do we need a visa?", "deadline") == ["visa"]


def test_the_project_check_never_replaces_a_right_answer() -> None:
    """No calibration or test question asks for a concept its own entry lacks: the
    check would turn its right answer into "the call does not say"."""
    fallback, terms = read_concepts(CORPUS_DIR / ASKED_CONCEPTS)
    records = load_corpus()
    assert any(r.id == fallback and "{contact}" in r.answer for r in records)
    check = AskedCheck.from_terms(fallback, terms, records)
    eval_dir = CORPUS_DIR.parent / "eval"
    wrongly = []
    for name in ("calibration.jsonl", "test.jsonl"):
        for line in (eval_dir / name).open(encoding="utf-8"):
            row = json.loads(line)
            if row["expected"] and check.unstated(row["text"], row["expected"]):
                wrongly.append(row["text"])
    assert wrongly == []


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("When is the deadline?", None),
        ("We are a county of 60,000 in Ohio. Can we apply? Thanks.", "Can we apply?"),
        (
            "Mi jefe quiere saber algo. ¿Cómo se llama ese documento?",
            "¿Cómo se llama ese documento?",
        ),
        ("Bonjour. Date limite.", "Date limite."),
        ("Hello there. Deadline?", None),
        # A clause closed by a colon or a semicolon, a Spanish opening mark.
        (
            "Je travaille pour le maire de Sherbrooke : combien de jumelages?",
            "combien de jumelages?",
        ),
        (
            "Soy regidora de Aguascalientes; si nos seleccionan, ¿a quiénes debemos "
            "involucrar?",
            "¿a quiénes debemos involucrar?",
        ),
        (
            "Yes or no: does the Paris Agreement count?",
            "does the Paris Agreement count?",
        ),
        ("La date limite, c'est à 17:00 ou à minuit?", None),
        # Opening words that ask nothing.
        ("never mind, what does it cost?", "what does it cost?"),
        ("ok merci, et qui peut postuler ?", "qui peut postuler ?"),
        ("Bueno, ¿y cuánto dura?", "¿y cuánto dura?"),  # parts: "¿" opens one
        ("vale, y la fecha límite", "y la fecha límite"),
        ("y a-t-il des frais ?", None),
        ("Ottawa, can we apply?", None),
        ("so", None),
    ],
)
def test_the_question_part_of_a_message(text: str, part: str | None) -> None:
    assert question_part(text) == part
