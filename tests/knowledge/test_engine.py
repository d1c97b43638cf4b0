"""KnowledgeBase.search with the fake embedder: ranking, languages, decision, errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from knowledge.embedders import FakeEmbedder
from knowledge.engine import MAX_QUERY_CHARS, KnowledgeBase, QueryError, validate_query
from knowledge.index import write_manifest
from knowledge.limits import MAX_MESSAGE_CHARS

Build = Callable[..., KnowledgeBase]


def test_finds_the_entry_and_answers_in_the_query_language(build_small: Build) -> None:
    kb = build_small(threshold=0.3)
    result = kb.search("When is the application deadline?", lang="en")
    assert result.answered and result.lang == "en"
    top = result.hits[0]
    assert (top.entry_id, top.lang, top.source) == ("deadline", "en", "call-page")
    assert top.answer == "Applications close on {deadline}."
    assert top.topic == "deadline"


def test_a_match_in_english_is_answered_in_the_hinted_language(
    build_small: Build,
) -> None:
    kb = build_small(threshold=0.3)
    result = kb.search("How long is the commitment?", lang="es")
    top = result.hits[0]
    assert top.entry_id == "commitment" and top.lang == "es"
    assert top.answer.startswith("Hasta dieciocho meses")
    assert top.question == "¿Cuánto dura el compromiso?"


def test_missing_translation_falls_back_to_the_record_language(
    build_small: Build,
) -> None:
    kb = build_small(threshold=0.3)
    result = kb.search("Is there funding for each city?", lang="es")
    assert result.lang == "es"
    assert (result.hits[0].entry_id, result.hits[0].lang) == ("grants", "en")


def test_detects_the_language_when_no_hint_is_given(build_small: Build) -> None:
    kb = build_small(threshold=0.3)
    result = kb.search("¿Cuál es la fecha límite para postular?")
    assert result.lang == "es"
    assert result.hits[0].answer.startswith("La convocatoria cierra")


def test_below_the_threshold_is_declined_but_candidates_are_kept(
    build_small: Build,
) -> None:
    kb = build_small(threshold=0.99)
    result = kb.search("When is the deadline?", lang="en")
    assert not result.answered
    assert result.hits[0].entry_id == "deadline"
    assert result.suggestions == []


def test_an_unrelated_question_is_declined(build_small: Build) -> None:
    kb = build_small(threshold=0.4)
    assert not kb.search("zebra stripes photosynthesis", lang="en").answered


def test_hits_are_sorted_and_k_limits_them(build_small: Build) -> None:
    kb = build_small()
    hits = kb.search("deadline", lang="en", k=4).hits
    assert len(hits) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.entry_id for h in hits}) == 4
    assert len(kb.search("deadline", lang="en", k=1).hits) == 1


def test_close_candidates_become_suggestions(build_small: Build) -> None:
    kb = build_small(threshold=0.0, margin=1.0)
    result = kb.search("closing date", lang="en")
    assert [h.entry_id for h in result.suggestions] == [
        h.entry_id for h in result.hits[:2]
    ]
    assert (
        build_small(threshold=0.0, margin=0.0).search("closing date").suggestions == []
    )


def test_topic_hint_reorders_but_never_filters_or_answers(build_small: Build) -> None:
    kb = build_small(threshold=0.3, topic_boost=1.0)
    plain = kb.search("When is the application deadline?", lang="en")
    boosted = kb.search("When is the application deadline?", lang="en", topic="funding")
    assert boosted.hits[0].entry_id == "grants"
    assert "deadline" in [h.entry_id for h in boosted.hits]
    # The boost changes the ranking only: the score and the decision stay the same.
    by_id = {h.entry_id: h.score for h in boosted.hits}
    assert by_id["deadline"] == plain.hits[0].score
    declined = build_small(threshold=0.99, topic_boost=0.5)
    assert not declined.search("deadline", lang="en", topic="deadline").answered


@pytest.mark.parametrize(
    ("text", "lang", "k", "message"),
    [
        ("", None, 3, "empty"),
        ("   \n\t", None, 3, "empty"),
        ("x" * (MAX_QUERY_CHARS + 1), None, 3, "too long"),
        ("y" * 10_000, None, 3, "10000 characters"),
        ("When is the deadline?", "de", 3, "unsupported language 'de'"),
        ("When is the deadline?", None, 0, "k must be"),
        ("When is the deadline?", None, 1000, "k must be"),
    ],
)
def test_bad_queries_raise_a_clear_query_error(
    build_small: Build, text: str, lang: str | None, k: int, message: str
) -> None:
    kb = build_small()
    with pytest.raises(QueryError, match=message):
        kb.search(text, lang=lang, k=k)


def test_query_error_is_a_value_error() -> None:
    assert issubclass(QueryError, ValueError)


def test_dense_only_and_lexical_only_still_rank(build_small: Build) -> None:
    dense = build_small(lexical_weight=0.0, threshold=0.3)
    lexical = build_small(lexical_weight=1.0, lexical_scope="query", threshold=0.3)
    for kb in (dense, lexical):
        top = kb.search("Which cities can apply?", lang="en").hits[0]
        assert top.entry_id == "eligible"


def test_a_fact_only_an_answer_states_is_found_by_its_words(
    build_small: Build,
) -> None:
    # No Spanish question of the entry says "dieciocho meses"; its answer does.
    lexical = build_small(lexical_weight=1.0, lexical_scope="query", threshold=0.3)
    result = lexical.search("¿Son dieciocho meses de cooperación?", lang="es")
    assert result.answered and result.hits[0].entry_id == "commitment"


def test_the_engine_takes_the_longest_message_the_chat_accepts() -> None:
    # The app accepts MAX_MESSAGE_CHARS; a longer engine limit once made such
    # messages a "temporarily unavailable" reply and a traceback in the action log.
    text, _ = validate_query("a" * MAX_MESSAGE_CHARS, None)
    assert len(text) == MAX_MESSAGE_CHARS


def test_a_language_calibrated_on_its_own_is_decided_with_its_parameters(
    build_small: Build, fake_embedder: FakeEmbedder
) -> None:
    built = build_small(threshold=0.3)
    assert built.index_dir is not None
    spanish = built.params.with_(threshold=1.01)  # what calibrate stores per language
    manifest = {**built.manifest, "params_by_lang": {"es": spanish.to_json()}}
    write_manifest(built.index_dir, manifest)
    kb = KnowledgeBase.load(built.index_dir, fake_embedder)
    assert not kb.search("¿Cuál es la fecha límite para postular?").answered
    assert kb.search("When is the deadline?").answered  # shared parameters


def test_an_entry_the_caller_chose_is_answered_in_the_language(
    build_small: Build,
) -> None:
    # A named city's own list of pairs (actions/city_pairs.py) replaces the engine's.
    kb = build_small(threshold=0.3)
    result = kb.entry_result("commitment", "es", 0.7)
    assert result.answered and result.suggestions == []
    top = result.hits[0]
    assert (top.entry_id, top.lang, top.score) == ("commitment", "es", 0.7)
    assert top.answer.startswith("Hasta dieciocho meses")
    with pytest.raises(ValueError):
        kb.entry_result("no-such-entry", "en", 0.7)
