"""The first questions every visitor asks (issue 16, journeys): the deadline, "can we
apply?", who can apply, the population rule, the commitment, how to apply, costs...

``knowledge/eval/first_questions.jsonl`` holds about 40 such questions per language,
short and typed the way people type in a chat box. It is split per language and
entry with a fixed seed: the first half is tunable (its misses were fixed with
paraphrases), the second checks, and no question of it may be trained on.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from knowledge.corpus import load_corpus, load_negatives
from knowledge.engine import KnowledgeBase
from knowledge.evaluation import split_halves
from knowledge.facts import LANGUAGES
from knowledge.language import fold_words
from knowledge.records import LabelledQuery, read_queries

FIRST_QUESTIONS = (
    Path(__file__).resolve().parents[2] / "knowledge" / "eval" / "first_questions.jsonl"
)
SEED = 20261207
# A visitor's first two questions: these must never be answered with another entry.
FAMILIES = ("deadline-date", "eligibility-who-can-apply")
# The check half's misses in these families when it was read (session 12, after the
# tunable half's fixes): fixing them from here would tune on the check half, so they
# are listed; a new miss fails, and so does a listed one that is answered right
# (take it off the list). "on peut encore postuler?" has been right since the
# classifier's fit converges (session 13), "podemos postular" since the earlier blind
# sets joined the training questions (session 14).
KNOWN_MISSES = {
    "can we join": "other-regions-eu-city",
}
# The check half's other questions, right first, per language: 10, 10 and 9 of 10
# when it was read (session 12); the floor allows one miss in each.
REST_FLOOR = 0.85


def _halves() -> tuple[list[LabelledQuery], list[LabelledQuery]]:
    return split_halves(read_queries(FIRST_QUESTIONS), SEED)


def test_the_set_asks_every_first_question_in_each_language_and_half() -> None:
    known = {record.id for record in load_corpus()}
    rows = read_queries(FIRST_QUESTIONS)
    assert {q.expected for q in rows} <= known
    assert min(Counter(q.lang for q in rows)[lang] for lang in LANGUAGES) >= 35
    tune, check = _halves()
    # Disjoint, the whole set, and the same split every time.
    assert sorted(q.where for q in tune + check) == sorted(q.where for q in rows)
    assert (tune, check) == _halves()
    for half in (tune, check):
        per_family = Counter((q.lang, q.expected) for q in half)
        for lang in LANGUAGES:
            assert min(per_family[lang, family] for family in FAMILIES) >= 4, lang


def test_the_check_half_is_never_trained_on() -> None:
    training = {fold_words(q) for record in load_corpus() for q in record.questions}
    training |= {fold_words(q) for q in load_negatives()}
    _tune, check = _halves()
    assert [q.text for q in check if fold_words(q.text) in training] == []


@pytest.mark.model
def test_the_first_questions_get_the_entry_that_answers_them(
    project_kb: KnowledgeBase,
) -> None:
    _tune, check = _halves()
    right: Counter[tuple[str | None, bool]] = Counter()
    asked: Counter[tuple[str | None, bool]] = Counter()
    wrong = []
    for query in check:
        # The chat passes the conversation's language, as here.
        result = project_kb.search(query.text, lang=query.lang)
        best = result.hits[0].entry_id if result.answered and result.hits else None
        key = (query.lang, query.expected in FAMILIES)
        asked[key] += 1
        right[key] += best == query.expected
        if best != query.expected:
            wrong.append((query.text, query.expected, best))
    families = {text: best for text, expected, best in wrong if expected in FAMILIES}
    assert families == KNOWN_MISSES
    for lang in LANGUAGES:
        rest = right[lang, False] / asked[lang, False]
        assert rest >= REST_FLOOR, (lang, rest, wrong)
