"""Per-language decision parameters chosen jointly under the pooled floor."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from knowledge.calibration import calibrate
from knowledge.engine import KnowledgeBase
from knowledge.fusion import DecisionParams
from knowledge.grid_choice import Candidate
from knowledge.per_language import choose_by_lang, combine, threshold_options
from knowledge.records import LabelledQuery
from knowledge.thresholds import Ranked, best_margin
from tests.knowledge.conftest import SMALL_QUERIES


def _options(in_scope: list[float], off_topic: list[float]) -> dict:  # type: ignore[type-arg]
    top = np.array([*in_scope, *off_topic])
    scope = np.array([True] * len(in_scope) + [False] * len(off_topic))
    return threshold_options(top, scope.copy(), scope)


# English: its off-topic questions score low, declined by any sensible threshold.
# French: one off-topic question scores 0.7, above three in-scope ones (0.5-0.6).
ENGLISH = _options([0.8, 0.85, 0.9, 0.95] * 5, [0.1, 0.2] * 10)
FRENCH = _options([0.5, 0.55, 0.6, 0.9, 0.95], [0.1, 0.2, 0.3] * 6 + [0.7])


def test_each_language_at_its_own_floor_declines_the_french_blind_questions() -> None:
    # 95 % of French off-topic questions alone: 0.7 must be declined, and the
    # three in-scope French questions under it with it.
    alone = combine([FRENCH], need=19)  # 95 % of 19
    assert alone is not None and alone[0].threshold > 0.7


def test_the_pooled_floor_lets_french_answer_them() -> None:
    # 95 % of all 39 off-topic questions: 38. English declines its 20, so French
    # may answer its 0.7 one (18 of 19 declined) and its three in-scope ones.
    english, french = combine([ENGLISH, FRENCH], need=38)  # type: ignore[misc]
    assert english.declined == 20
    assert french.threshold < 0.5 and french.declined == 18


def test_a_floor_above_the_off_topic_questions_gives_none() -> None:
    assert combine([_options([0.5], [0.9])], need=2) is None


def test_a_language_with_few_queries_keeps_the_shared_parameters(
    build_small: Callable[..., KnowledgeBase],
) -> None:
    queries = [
        LabelledQuery(str(q["text"]), q["expected"], q.get("lang"))  # type: ignore[arg-type]
        for q in SMALL_QUERIES * 3
    ]
    assert calibrate(build_small(), queries).by_lang == {}


def _ranked_by_lang(
    counts: dict[str, tuple[int, int, float, float]],
) -> tuple[np.ndarray, Ranked]:
    """Per language: in-scope and off-topic query counts and their (single) scores;
    every in-scope query ranks right."""
    langs: list[str] = []
    top: list[float] = []
    scope: list[bool] = []
    for lang, (n_in, n_oos, in_score, oos_score) in counts.items():
        langs += [lang] * (n_in + n_oos)
        top += [in_score] * n_in + [oos_score] * n_oos
        scope += [True] * n_in + [False] * n_oos
    t, s = np.array(top), np.array(scope)
    return np.array(langs), Ranked(t, t - 0.2, s.copy(), np.zeros(len(t), bool), s)


def test_languages_with_enough_queries_get_their_own_threshold_only() -> None:
    # English and French have enough calibration queries, Spanish has twelve.
    counts = {
        "en": (120, 25, 0.8, 0.2),
        "fr": (120, 25, 0.5, 0.3),
        "es": (10, 2, 0.6, 0.1),
    }
    langs, ranked = _ranked_by_lang(counts)
    shared = DecisionParams(lexical_weight=0.3, classifier_weight=0.5, threshold=0.4)
    other = shared.with_(lexical_weight=0.5, classifier_weight=0.5)
    candidates = [Candidate(other, ranked), Candidate(shared, ranked)]
    by_lang = choose_by_lang(candidates, langs, shared, 0.95, best_margin)
    assert set(by_lang) == {"en", "fr"}  # Spanish keeps the shared parameters
    assert 0.3 < by_lang["fr"].threshold < 0.5
    assert 0.2 < by_lang["en"].threshold < 0.8
    assert {p.lexical_weight for p in by_lang.values()} == {0.3}


def test_a_languages_threshold_is_never_below_the_shared_one() -> None:
    # French answers score low (0.45), its off-topic questions lower (0.3): alone it
    # would answer from about 0.375; the shared threshold is 0.4.
    counts = {"en": (120, 25, 0.8, 0.2), "fr": (120, 25, 0.45, 0.3)}
    langs, ranked = _ranked_by_lang(counts)
    shared = DecisionParams(lexical_weight=0.3, classifier_weight=0.5, threshold=0.4)
    by_lang = choose_by_lang(
        [Candidate(shared, ranked)], langs, shared, 0.95, best_margin
    )
    assert 0.4 <= by_lang["fr"].threshold < 0.45  # French answers are still given
    assert by_lang["en"].threshold >= 0.4
