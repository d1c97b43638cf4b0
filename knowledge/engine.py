"""``KnowledgeBase.search``: hybrid retrieval with a calibrated answer decision."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedders import Embedder
from knowledge.fusion import DecisionParams, fuse
from knowledge.index import IndexData, load_index
from knowledge.language import LANGUAGES, UnknownLanguageError, check_language, detect
from knowledge.limits import MAX_MESSAGE_CHARS
from knowledge.records import FaqRecord

# The same limit as every user message (knowledge/limits.py): a message the chat
# accepts can always be searched.
MAX_QUERY_CHARS = MAX_MESSAGE_CHARS
MAX_K = 50


class QueryError(ValueError):
    """The query cannot be searched (empty, too long, unknown language, bad k)."""


@dataclass(frozen=True)
class Hit:
    entry_id: str
    score: float
    question: str
    answer: str
    source: str
    lang: str
    topic: str | None


@dataclass(frozen=True)
class Result:
    answered: bool
    lang: str
    hits: list[Hit]
    suggestions: list[Hit]


@dataclass(frozen=True)
class Scores:
    """Raw per-entry scores of one query, before fusion (used by calibration)."""

    lang: str
    dense: np.ndarray
    lexical: np.ndarray
    # Entry probabilities of the build-time classifier; None when the index has none.
    classifier: np.ndarray | None = None


def validate_query(
    text: object, lang: str | None, max_chars: int = MAX_QUERY_CHARS
) -> tuple[str, str | None]:
    if not isinstance(text, str) or not text.strip():
        raise QueryError("the question is empty")
    if len(text) > max_chars:
        raise QueryError(
            f"the question is too long ({len(text)} characters, at most {max_chars})"
        )
    if lang is not None:
        try:
            lang = check_language(lang)
        except UnknownLanguageError as exc:
            raise QueryError(str(exc)) from exc
    return text.strip(), lang


class KnowledgeBase:
    def __init__(self, data: IndexData, embedder: Embedder) -> None:
        self._data = data
        self._embedder = embedder
        self.params = data.params
        self.max_query_chars = MAX_QUERY_CHARS
        self._topics = [self._any_record(e).topic for e in data.entry_ids]
        self.index_dir: Path | None = None

    @classmethod
    def load(
        cls, index_dir: Path, embedder: Embedder, corpus_hash: str | None = None
    ) -> KnowledgeBase:
        """Open a saved index; refuses one built for another model or corpus.

        When the index holds a fine-tuned copy of ``embedder``'s model, queries are
        embedded with that copy (``kb.embedder``)."""
        data = load_index(Path(index_dir), embedder, corpus_hash)
        kb = cls(data, data.embedder or embedder)
        kb.index_dir = Path(index_dir)
        return kb

    @property
    def manifest(self) -> dict[str, Any]:
        return self._data.manifest

    @property
    def entry_ids(self) -> list[str]:
        return self._data.entry_ids

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def _any_record(self, entry_id: str, lang: str = "en") -> FaqRecord:
        records = self._data.records
        if (entry_id, lang) in records:
            return records[(entry_id, lang)]
        for code in LANGUAGES:
            if (entry_id, code) in records:
                return records[(entry_id, code)]
        raise KeyError(entry_id)

    # -- scoring -----------------------------------------------------------------------

    def raw_scores(
        self,
        text: str,
        lang: str | None = None,
        vector: np.ndarray | None = None,
        params: DecisionParams | None = None,
    ) -> Scores:
        """Dense, lexical and classifier scores per entry; ``vector`` skips
        re-encoding (eval)."""
        text, lang = validate_query(text, lang, self.max_query_chars)
        params = params or self.params
        query_lang = detect(text, hint=lang)
        if vector is None:
            vector = self._embedder.encode([text])[0]
        n = len(self._data.entry_ids)
        dense = self._data.dense.scores(vector, n)
        lexical_index = self._data.lexical
        if params.lexical_scope == "all":
            lexical = np.zeros(n, dtype=np.float32)
            for code in lexical_index.languages:
                np.maximum(lexical, lexical_index.scores(text, code, n), out=lexical)
        else:
            lexical = lexical_index.scores(text, query_lang, n)
        classifier = None
        if self._data.classifier is not None:
            classifier = self._data.classifier.scores(text, vector)
        return Scores(query_lang, dense, lexical, classifier)

    @property
    def has_classifier(self) -> bool:
        return self._data.classifier is not None

    def decide(
        self,
        scores: Scores,
        k: int = 3,
        topic: str | None = None,
        params: DecisionParams | None = None,
    ) -> Result:
        params = params or self.params
        fused = fuse(
            scores.dense,
            scores.lexical,
            params.lexical_weight,
            scores.classifier,
            params.classifier_weight,
        )
        ranking = fused
        if topic is not None and params.topic_boost:
            boost = np.array([t == topic for t in self._topics], dtype=np.float32)
            ranking = fused + params.topic_boost * boost
        top = min(max(k, 2), len(fused))
        order = np.argpartition(-ranking, top - 1)[:top]
        order = order[np.argsort(-ranking[order], kind="stable")]
        hits = [self._hit(int(i), float(fused[i]), scores.lang) for i in order]
        answered = bool(hits) and hits[0].score >= params.threshold
        suggestions: list[Hit] = []
        if answered and len(order) > 1:
            gap = float(ranking[order[0]] - ranking[order[1]])
            if gap < params.margin:
                suggestions = hits[:2]
        return Result(answered, scores.lang, hits[:k], suggestions)

    def _hit(self, position: int, score: float, lang: str) -> Hit:
        entry_id = self._data.entry_ids[position]
        record = self._any_record(entry_id, lang)
        return Hit(
            entry_id=entry_id,
            score=round(score, 4),
            question=record.questions[0],
            answer=record.answer,
            source=record.source,
            lang=record.lang,
            topic=record.topic,
        )

    # -- public API --------------------------------------------------------------------

    def search(
        self,
        text: str,
        lang: str | None = None,
        k: int = 3,
        topic: str | None = None,
    ) -> Result:
        """Best entries for ``text``, answered in ``lang`` (detected when None)."""
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
            raise QueryError(f"k must be an integer between 1 and {MAX_K}")
        return self.decide(self.raw_scores(text, lang), k=k, topic=topic)
