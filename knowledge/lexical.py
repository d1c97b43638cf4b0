"""BM25 per language (bm25s) with Snowball stemming, stop words and accent folding."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.language import LANGUAGES, fold

_STEMMER_NAMES = {"en": "english", "fr": "french", "es": "spanish"}
_TOKEN = re.compile(r"\w+", re.UNICODE)
_K1 = 1.5
_B = 0.75


@cache
def _stopwords(lang: str) -> frozenset[str]:
    from bm25s import stopwords

    words = {
        "en": stopwords.STOPWORDS_EN,
        "fr": stopwords.STOPWORDS_FRENCH,
        "es": stopwords.STOPWORDS_SPANISH,
    }[lang]
    return frozenset(fold(w) for w in words)


@cache
def _stemmer(lang: str) -> Any:
    import Stemmer

    return Stemmer.Stemmer(_STEMMER_NAMES[lang])


def analyse(text: str, lang: str) -> list[str]:
    """Terms of ``text``: each word stemmed as written and as folded, then folded.

    Stemming both spellings makes queries typed without accents ("eligibilite") meet
    the accented text ("éligibilité") even where the stemmer treats them differently.
    """
    stop = _stopwords(lang)
    stemmer = _stemmer(lang)
    terms: list[str] = []
    for word in _TOKEN.findall(text.lower()):
        folded = fold(word)
        if folded in stop or (len(folded) < 2 and not folded.isdigit()):
            continue
        a = fold(stemmer.stemWord(word))
        b = stemmer.stemWord(folded)
        terms.append(a)
        if b != a:
            terms.append(b)
    return terms


class LexicalIndex:
    """One BM25 index per language over documents tagged with an entry position."""

    def __init__(self) -> None:
        self._models: dict[str, Any] = {}
        self._doc_entries: dict[str, np.ndarray] = {}
        self._idf: dict[str, dict[str, float]] = {}
        self._max_idf: dict[str, float] = {}

    @property
    def languages(self) -> list[str]:
        return list(self._models)

    def build(self, docs: Sequence[tuple[int, str, str]]) -> None:
        """Index ``(entry_position, lang, text)`` triples."""
        import bm25s

        for lang in LANGUAGES:
            mine = [(pos, text) for pos, doc_lang, text in docs if doc_lang == lang]
            if not mine:
                continue
            tokens = [analyse(text, lang) or ["\x00"] for _, text in mine]
            model = bm25s.BM25(k1=_K1, b=_B)
            model.index(tokens, show_progress=False)
            self._models[lang] = model
            self._doc_entries[lang] = np.array([pos for pos, _ in mine], dtype=np.int64)
            df = Counter(term for doc in tokens for term in set(doc))
            n = len(tokens)
            self._idf[lang] = {
                t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()
            }
            self._max_idf[lang] = math.log(1 + (n + 0.5) / 0.5)

    def scores(self, text: str, lang: str, n_entries: int) -> np.ndarray:
        """Per entry, the best BM25 score in ``lang`` divided by the query's idf mass.

        The division makes scores comparable across queries (about 1.0 when every query
        term occurs once in a short document, 0 when none does), which a fixed answer
        threshold needs; unknown query terms count with the highest idf, so a question
        made of words the corpus never uses stays low.
        """
        out = np.zeros(n_entries, dtype=np.float32)
        model = self._models.get(lang)
        if model is None:
            return out
        terms = list(dict.fromkeys(analyse(text, lang)))
        if not terms:
            return out
        idf = self._idf[lang]
        mass = sum(idf.get(t, self._max_idf[lang]) for t in terms)
        known = [t for t in terms if t in idf]
        if not known or mass <= 0:
            return out
        # bm25s (Lucene variant) omits the (k1 + 1) factor: restore it so a single
        # occurrence in an average-length document scores about idf.
        raw = model.get_scores(known) * (1 + _K1) / mass
        np.maximum.at(out, self._doc_entries[lang], raw.astype(np.float32))
        return np.minimum(out, 1.0, out=out)

    def save(self, directory: Path) -> None:
        for lang, model in self._models.items():
            sub = directory / lang
            model.save(str(sub), show_progress=False)
            np.save(sub / "entries.npy", self._doc_entries[lang])
            meta = {"idf": self._idf[lang], "max_idf": self._max_idf[lang]}
            (sub / "idf.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        index = cls()
        for lang in LANGUAGES:
            sub = directory / lang
            if not sub.is_dir():
                continue
            index._models[lang] = bm25s.BM25.load(
                str(sub), show_progress=False, verbosity=0
            )
            index._doc_entries[lang] = np.load(sub / "entries.npy")
            meta = json.loads((sub / "idf.json").read_text(encoding="utf-8"))
            index._idf[lang] = meta["idf"]
            index._max_idf[lang] = meta["max_idf"]
        return index
