"""``KnowledgeBase.search``: hybrid retrieval with a calibrated answer decision."""

from __future__ import annotations

import re
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


# Where a message's parts end: a sentence, or a clause closed by a colon or a
# semicolon ("Je travaille à Sherbrooke : combien de jumelages ?"), and before a
# Spanish opening question mark ("Soy regidora de Aguascalientes, ¿a quiénes...?").
_PART_END = re.compile(r"(?<=[.!?:;])\s+|\s+(?=¿)")


# Words that open a chat message without asking anything ("never mind, what does it
# cost?", "ok merci, et qui peut postuler ?"): in a short question they outweigh it.
# Not the Spanish "y": it opens French questions ("y a-t-il ...").
_OPENER = re.compile(
    r"^(?:(?:ok(?:ay)?|alright|great|cool|thanks|thank you|never ?mind|nevermind|"
    r"so|and|also|btw|by the way|well|hmm+|merci|bon|d'accord|parfait|super|"
    r"alors|et|aussi|au fait|laisse tomber|bueno|vale|gracias|perfecto|oye|"
    r"entonces|tambi[eé]n|olv[ií]dalo|no importa|pues)[\s,.!]+)+",
    re.IGNORECASE,
)


def question_part(text: str) -> str | None:
    """The last part asking something in a message of several parts (the last part
    when none has a question mark), or a single part without its opening words
    ("never mind, ..."); None for a single part that has none."""
    sentences = [s for s in _PART_END.split(text.strip()) if s.strip()]
    if len(sentences) < 2:
        rest = _OPENER.sub("", text.strip(), count=1)
        return rest if rest != text.strip() and len(rest.split()) >= 2 else None
    asking = [s for s in sentences if "?" in s]
    part = (asking or sentences)[-1].strip()
    return part if len(part.split()) >= 2 else None


def question_parts(text: str) -> list[str]:
    """The parts of a message that each ask something, in order ("When is the
    deadline? How long is the commitment?"): those with a question mark, of two
    words or more."""
    parts = (s.strip() for s in _PART_END.split(text.strip()))
    return [p for p in parts if "?" in p and len(p.split()) >= 2]


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
        # Shared decision parameters, and those of each language calibrated on its
        # own (knowledge/per_language.py), used for the query's detected language.
        self.params = data.params
        self.params_by_lang = data.params_by_lang
        self.max_query_chars = MAX_QUERY_CHARS
        self._topics = [self._any_record(e).topic for e in data.entry_ids]
        self.index_dir: Path | None = None
        # Answers a question about a concept its best entry does not state with the
        # fallback entry (knowledge/asked.py); None turns the check off.
        self.asked = data.asked
        # Score a message's question apart from the context before it (raw_scores);
        # False only to measure what that brings.
        self.question_focus = True

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

    def params_for(self, lang: str) -> DecisionParams:
        return self.params_by_lang.get(lang, self.params)

    # -- scoring -----------------------------------------------------------------------

    def raw_scores(
        self,
        text: str,
        lang: str | None = None,
        vector: np.ndarray | None = None,
        params: DecisionParams | None = None,
    ) -> Scores:
        """Dense, lexical and classifier scores per entry; ``vector`` skips
        re-encoding (eval).

        A message of several sentences is also scored by its question alone, and
        each score is the better of the two: context before a question ("I'm a
        planner in Laval, our council meets next week...") dilutes what it asks."""
        text, lang = validate_query(text, lang, self.max_query_chars)
        query_lang = detect(text, hint=lang)
        params = params or self.params_for(query_lang)
        if vector is None:
            vector = self._embedder.encode([text])[0]
        scores = self._scores(text, query_lang, vector, params)
        question = question_part(text) if self.question_focus else None
        if question is not None:
            focused = self._scores(
                question, query_lang, self._embedder.encode([question])[0], params
            )
            scores = Scores(
                query_lang,
                np.maximum(scores.dense, focused.dense),
                np.maximum(scores.lexical, focused.lexical),
                None
                if scores.classifier is None or focused.classifier is None
                else np.maximum(scores.classifier, focused.classifier),
            )
        return scores

    def _scores(
        self, text: str, query_lang: str, vector: np.ndarray, params: DecisionParams
    ) -> Scores:
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
        params = params or self.params_for(scores.lang)
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
        result = self.decide(self.raw_scores(text, lang), k=k, topic=topic)
        return self.check_asked(text, result)

    def entry_result(self, entry_id: str, lang: str, score: float) -> Result:
        """``entry_id``'s answer in ``lang`` as an answered result of ``score``: an
        entry the caller knows is meant (a named city's own list of pairs)."""
        position = self._data.entry_ids.index(entry_id)
        return Result(True, lang, [self._hit(position, score, lang)], [])

    def check_asked(self, text: str, result: Result) -> Result:
        """The fallback entry in place of an answer that does not state what
        ``text`` asks for (a neighbouring fact); declined results stay declined."""
        if self.asked is None or not result.answered:
            return result
        top = result.hits[0]
        if not self.asked.unstated(text, top.entry_id):
            return result
        position = self._data.entry_ids.index(self.asked.fallback)
        fallback = self._hit(position, top.score, result.lang)
        rest = [h for h in result.hits if h.entry_id != fallback.entry_id]
        return Result(True, result.lang, [fallback, *rest][: len(result.hits)], [])
