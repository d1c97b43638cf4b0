"""The IUC facade used by the action server and the web app.

``load_answerer`` is the one cached factory: the first call builds the index when it is
missing or stale and loads the model; later calls return the same object.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

from knowledge.embedders import SentenceTransformerEmbedder
from knowledge.engine import Hit, KnowledgeBase, Result
from knowledge.facts import CallFacts, load_call_facts, render_answer
from knowledge.project import ensure_index, project_hash


class Answerer:
    """Searches the knowledge base and fills the call facts into the answers."""

    def __init__(self, kb: KnowledgeBase, facts: CallFacts) -> None:
        self.kb = kb
        self.facts = facts

    def _render(self, hit: Hit, today: date | None) -> Hit:
        answer = render_answer(hit.answer, hit.lang, self.facts, today)
        return replace(hit, answer=answer)

    def ask(
        self,
        text: str,
        lang: str | None = None,
        k: int = 3,
        topic: str | None = None,
        today: date | None = None,
    ) -> Result:
        """Like ``KnowledgeBase.search``, with rendered answers; raises QueryError."""
        result = self.kb.search(text, lang=lang, k=k, topic=topic)
        return replace(
            result,
            hits=[self._render(h, today) for h in result.hits],
            suggestions=[self._render(h, today) for h in result.suggestions],
        )

    def entry(
        self, entry_id: str, lang: str, score: float, today: date | None = None
    ) -> Result:
        """``entry_id``'s rendered answer in ``lang``; raises KeyError/ValueError
        for an entry the index does not hold."""
        result = self.kb.entry_result(entry_id, lang, score)
        return replace(result, hits=[self._render(h, today) for h in result.hits])


_cache: dict[tuple[Path, str], Answerer] = {}
_lock = threading.Lock()


def load_answerer(index_dir: Path, model: str, finetune: bool = False) -> Answerer:
    """The shared Answerer for this index and model, built on first use.

    ``finetune``: whether a (re)built index fine-tunes the model on the FAQ first.
    """
    key = (Path(index_dir).resolve(), model)
    with _lock:
        if key not in _cache:
            embedder = SentenceTransformerEmbedder(model)
            ensure_index(key[0], embedder, progress=False, finetune=finetune)
            kb = KnowledgeBase.load(key[0], embedder, corpus_hash=project_hash())
            # The model that embeds queries (the index's fine-tuned copy, if any).
            warm_up = getattr(kb.embedder, "warm_up", None)
            if warm_up is not None:
                warm_up()
            _cache[key] = Answerer(kb, load_call_facts())
        return _cache[key]
