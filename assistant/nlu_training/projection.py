"""French and Spanish NLU examples projected from a parallel corpus.

    python -m assistant.nlu_training.projection \
        --data data/nlu --out var/nlu/projected.yml

An intent classifier on word and character n-grams only knows the words
its examples contain: "bonsoir", "volontiers" or "à la revoyure" absent from
data/nlu/fr/ are guesses. The embedding model knows English well, French and Spanish
little. So a teacher (n-grams + sentence embeddings) trained on data/nlu/ labels the
English side of our own trilingual parallel corpus (``parallel_corpus/`` here,
written independently of the NLU data and of the evaluation sets), and the French and
Spanish sides of the sentences it is sure of become extra training examples: label
projection across parallel text. Rasa trains on data/ plus this file; nothing of it
runs at chat time.

Left out: sentences of more than eight words (chat messages are short); sentences
that repeat an example of data/nlu/ in any intent; intents whose examples often
carry entity annotations (:func:`intents_with_entities`), and sentences with a
digit, a capitalised word after the first or Rasa's annotation brackets (projected
sentences have no annotations, and would teach the entity extractor that a city or a
population is not an entity).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from knowledge.embedders import Embedder
from knowledge.language import fold

CORPUS_DIR = Path(__file__).with_name("parallel_corpus")
SOURCE_LANGUAGE = "en"
TARGET_LANGUAGES = ("fr", "es")
# Cross-validated on data/nlu/ (5 folds, a linear model like the intent classifier):
# 0.9 keeps about half the corpus (French and Spanish F1 +2 to +3 points); 0.7 keeps
# two thirds, with no further gain.
MIN_CONFIDENCE = 0.9
# At most this many per intent and language, the surest first: off-topic sentences
# would otherwise be a third of the file. Same cross-validation: French / Spanish F1
# 0.947 / 0.933 with no cap, 0.952 / 0.936 with 120, 0.944 / 0.930 with 60.
MAX_PER_INTENT = 120
# Chat messages are short, and long sentences made DIET's batches long: 8 words at most
# gave the same F1 (French / Spanish 0.960 / 0.938 against 0.952 / 0.936 with no
# limit) for a quarter fewer projected tokens to train on.
MAX_WORDS = 8
# An intent with at least this share of annotated examples gets no projected ones
# (inform 75 %, check_eligibility 49 %, start_application 6 %): unannotated sentences
# would teach the entity extractor that its names are not entities. Below it (a dozen
# partner cities among ask_programme's 1,290 examples) the projection still helps.
MIN_ANNOTATED_SHARE = 0.05
# `[text](entity)` or `[text]{"entity": ...}`: Rasa's inline entity annotations.
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


class ProjectionError(Exception):
    """Bad input (training data or corpus); the message names the file and line."""


@dataclass(frozen=True)
class Example:
    intent: str
    text: str  # annotations removed
    annotated: bool


@dataclass(frozen=True)
class Projected:
    intent: str
    lang: str
    text: str
    confidence: float
    source: str  # the English sentence the label was read from


def read_training_examples(paths: Iterable[Path]) -> list[Example]:
    """Intent examples of Rasa YAML training files (folders are searched)."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.yml")) if path.is_dir() else [path]
    examples = []
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise ProjectionError(f"{file}: {error}") from None
        for item in data.get("nlu") or []:
            if "intent" not in item:
                continue  # synonyms, lookup tables, regexes
            for line in str(item.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    raw = line[2:].strip()
                    text = _ANNOTATION.sub(lambda m: m["text"], raw)
                    examples.append(Example(item["intent"], text, text != raw))
    if not examples:
        raise ProjectionError("no intent examples in " + ", ".join(map(str, paths)))
    return examples


def read_corpus(corpus_dir: Path = CORPUS_DIR) -> list[dict[str, str]]:
    """The parallel corpus: one {"en", "fr", "es"} object per line of each .jsonl."""
    languages = (SOURCE_LANGUAGE, *TARGET_LANGUAGES)
    rows = []
    for file in sorted(corpus_dir.glob("*.jsonl")):
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ProjectionError(f"{file}:{number}: {error.msg}") from None
            if not isinstance(row, dict) or not all(
                isinstance(row.get(lang), str) and row[lang].strip()
                for lang in languages
            ):
                raise ProjectionError(
                    f"{file}:{number}: needs a non-empty string for each of "
                    + ", ".join(languages)
                )
            rows.append({lang: " ".join(row[lang].split()) for lang in languages})
    if not rows:
        raise ProjectionError(f"no parallel sentences in {corpus_dir}")
    return rows


def normalise(text: str) -> str:
    """What makes two examples the same for Rasa's count vectors: case, accents,
    punctuation and spacing aside."""
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())


def project(
    examples: Sequence[Example],
    corpus: Sequence[dict[str, str]],
    embedder: Embedder,
    min_confidence: float = MIN_CONFIDENCE,
    max_per_intent: int = MAX_PER_INTENT,
) -> list[Projected]:
    """Label the corpus's English side with a teacher trained on ``examples``; the
    target-language sides of confidently labelled sentences, surest first."""
    from sklearn.linear_model import LogisticRegression

    texts = [e.text for e in examples]
    features = _Features(texts, embedder)
    teacher = LogisticRegression(C=20, max_iter=3000)
    teacher.fit(features(texts, embedder.encode(texts)), [e.intent for e in examples])
    english = [row[SOURCE_LANGUAGE] for row in corpus]
    probabilities = teacher.predict_proba(features(english, embedder.encode(english)))

    with_entities = intents_with_entities(examples)
    seen = {normalise(t) for t in texts}
    taken: dict[tuple[str, str], int] = defaultdict(int)
    projected = []
    # Surest first (ties in corpus order), so the cap keeps the best-labelled.
    for i in sorted(range(len(corpus)), key=lambda i: -probabilities[i].max()):
        best = int(np.argmax(probabilities[i]))
        intent, confidence = str(teacher.classes_[best]), float(probabilities[i][best])
        if confidence < min_confidence or intent in with_entities:
            continue
        for lang in TARGET_LANGUAGES:
            text = corpus[i][lang]
            key = normalise(text)
            full = taken[intent, lang] >= max_per_intent
            if full or not key or key in seen or _unfit(text):
                continue
            seen.add(key)
            taken[intent, lang] += 1
            projected.append(
                Projected(intent, lang, text, round(confidence, 3), corpus[i]["en"])
            )
    return projected


def intents_with_entities(examples: Sequence[Example]) -> set[str]:
    """Intents whose examples carry entity annotations often enough to matter."""
    total: dict[str, int] = defaultdict(int)
    annotated: dict[str, int] = defaultdict(int)
    for example in examples:
        total[example.intent] += 1
        annotated[example.intent] += example.annotated
    return {i for i in total if annotated[i] >= MIN_ANNOTATED_SHARE * total[i]}


def _unfit(text: str) -> bool:
    return len(text.split()) > MAX_WORDS or _may_hold_entities(text)


def _may_hold_entities(text: str) -> bool:
    """Numbers, names (capitalised past the first word) or annotation brackets."""
    if any(c.isdigit() or c in "[]{}" for c in text):
        return True
    return any(word[:1].isupper() for word in text.split()[1:])


class _Features:
    """Word and character n-grams (accents folded, as in config.yml) beside the
    sentence embedding."""

    def __init__(self, texts: Sequence[str], embedder: Embedder) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._vectorisers = [
            TfidfVectorizer(
                analyzer="word", strip_accents="unicode", sublinear_tf=True
            ).fit(texts),
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(1, 4),
                min_df=2,
                strip_accents="unicode",
                sublinear_tf=True,
            ).fit(texts),
        ]

    def __call__(self, texts: Sequence[str], vectors: np.ndarray) -> Any:
        from scipy.sparse import csr_matrix, hstack

        parts = [v.transform(texts) for v in self._vectorisers]
        return hstack([*parts, csr_matrix(vectors)]).tocsr()


def to_rasa_yaml(projected: Sequence[Projected]) -> str:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for p in projected:
        by_intent[p.intent].append(p.text)
    lines = [
        "# Generated by `python -m assistant.nlu_training.projection` from",
        "# assistant/nlu_training/parallel_corpus/: do not edit "
        "(edit the corpus or data/nlu/).",
        'version: "3.1"',
        "nlu:",
    ]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in by_intent[intent]]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.nlu_training.projection",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "--data",
        type=Path,
        nargs="+",
        required=True,
        help="Rasa NLU training data (files or folders) the teacher learns from",
    )
    parser.add_argument("--out", type=Path, required=True, help="Rasa YAML to write")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    args = parser.parse_args(argv)

    from assistant.core.settings import get_settings
    from knowledge.embedders import SentenceTransformerEmbedder

    try:
        examples = read_training_examples(args.data)
        corpus = read_corpus(args.corpus)
    except ProjectionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    embedder = SentenceTransformerEmbedder(get_settings().knowledge.embedding_model)
    projected = project(examples, corpus, embedder)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(to_rasa_yaml(projected), encoding="utf-8")
    tmp.replace(args.out)
    counts = {lang: sum(p.lang == lang for p in projected) for lang in TARGET_LANGUAGES}
    print(
        f"{len(projected)} projected examples ({counts}) from {len(corpus)} "
        f"parallel sentences -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
