"""The project's own knowledge base as FaqRecords: the FAQ YAML files, the labelled
user questions and the call page."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.language import LANGUAGES
from knowledge.records import (
    FaqRecord,
    LabelledQuery,
    RecordError,
    read_queries,
    record_from_dict,
)

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
CALL_PAGE_SOURCE = "call-page"
CALL_PAGE_TOPIC = "call_text"
# Off-topic questions for the classifier's "none" class (not FAQ entries).
NEGATIVES = "negatives.yml"
# Questions the way users type them (long, informal, with typos), each labelled with
# the entry that answers it, or null when none does: more paraphrases for the entries
# and more off-topic questions. Written apart from the eval splits (a test checks).
USER_QUESTIONS = "user_questions.jsonl"
# Concepts a question can ask for that its best entry must state (knowledge/asked.py).
ASKED_CONCEPTS = "asked_concepts.yml"
# A passage closes once it holds this many words or sentences.
PASSAGE_WORDS = 45
PASSAGE_SENTENCES = 3
# Lines shorter than this without a final full stop are headings or link labels.
HEADING_WORDS = 8

_BULLET = re.compile(r"^[\s•*·\-–]+")
_LINK_LINE = re.compile(r"\b(download|version|español|click here)\b", re.IGNORECASE)


def source_files(corpus_dir: Path = CORPUS_DIR) -> list[Path]:
    """Every file the knowledge base is built from, in a stable order."""
    files = sorted((corpus_dir / "faq").glob("*.yml"))
    names = ("sources.yml", "call-page.txt", NEGATIVES, USER_QUESTIONS, ASKED_CONCEPTS)
    files += [corpus_dir / name for name in names]
    return [p for p in files if p.is_file()]


def hash_files(paths: Iterable[Path], base: Path | None = None) -> str:
    """SHA-256 over names and bytes, so an edit, an addition or a removal changes it."""
    digest = hashlib.sha256()
    for path in paths:
        name = str(path.relative_to(base)) if base else path.name
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def corpus_hash(corpus_dir: Path = CORPUS_DIR) -> str:
    return hash_files(source_files(corpus_dir), base=corpus_dir)


def _primary_source(source: Any) -> Any:
    """An entry's first source id: the one an answer shows (its title and link come
    from sources.yml by id, so a joined "call-page, S14" would show none). The others
    stay in the FAQ file and in coverage.yml."""
    if isinstance(source, list) and source and isinstance(source[0], str):
        return source[0]
    return source


def _faq_records(path: Path) -> list[FaqRecord]:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RecordError(f"{path}: invalid YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise RecordError(f"{path}: expected a mapping with an 'entries' list")
    topic = data.get("topic") or path.stem
    records: list[FaqRecord] = []
    for number, entry in enumerate(data["entries"], start=1):
        where = f"{path}: entry {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise RecordError(f"{where}: each entry needs a string 'id'")
        where = f"{path}: entry {entry['id']!r}"
        langs = [lang for lang in LANGUAGES if lang in entry]
        if not langs:
            raise RecordError(f"{where}: no language block (en, fr or es)")
        for lang in langs:
            block = entry[lang]
            if not isinstance(block, dict):
                raise RecordError(f"{where}: '{lang}' must be a mapping")
            try:
                records.append(
                    record_from_dict(
                        {
                            "id": entry["id"],
                            "lang": lang,
                            "questions": block.get("questions"),
                            "answer": block.get("answer"),
                            "source": _primary_source(
                                entry.get("source", data.get("source", ""))
                            ),
                            "topic": entry.get("topic", topic),
                        }
                    )
                )
            except RecordError as exc:
                raise RecordError(f"{where} ({lang}): {exc}") from exc
    return records


@cache
def _sentencizer() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def _is_content(line: str) -> bool:
    words = line.split()
    if len(words) < 4 or (_LINK_LINE.search(line) and len(words) < 12):
        return False
    return not (len(words) < HEADING_WORDS and not line.rstrip().endswith((".", "!")))


def split_passages(text: str) -> list[str]:
    """Call-page text -> passages of 1-3 sentences, headings and link lines dropped."""
    nlp = _sentencizer()
    passages: list[str] = []
    for raw in text.splitlines():
        line = " ".join(_BULLET.sub("", raw).split())
        if not _is_content(line):
            continue
        current: list[str] = []
        for sent in nlp(line).sents:
            sentence = sent.text.strip()
            if not sentence:
                continue
            current.append(sentence)
            words = sum(len(s.split()) for s in current)
            if words >= PASSAGE_WORDS or len(current) >= PASSAGE_SENTENCES:
                passages.append(" ".join(current))
                current = []
        if current:
            tail = " ".join(current)
            # A short tail reads better attached to the passage it follows.
            if passages and len(tail.split()) < 8 and passages[-1] in line:
                passages[-1] = f"{passages[-1]} {tail}"
            else:
                passages.append(tail)
    return passages


def call_page_records(path: Path) -> list[FaqRecord]:
    passages = split_passages(path.read_text(encoding="utf-8"))
    width = max(2, len(str(len(passages))))
    return [
        FaqRecord(
            id=f"{CALL_PAGE_SOURCE}-{number:0{width}d}",
            lang="en",
            questions=(passage,),
            answer=passage,
            source=CALL_PAGE_SOURCE,
            topic=CALL_PAGE_TOPIC,
        )
        for number, passage in enumerate(passages, start=1)
    ]


def load_user_questions(corpus_dir: Path = CORPUS_DIR) -> list[LabelledQuery]:
    """The labelled user questions; each needs its language (its record's)."""
    path = corpus_dir / USER_QUESTIONS
    if not path.is_file():
        return []
    questions = read_queries(path)
    for question in questions:
        if question.lang is None:
            raise RecordError(f'{question.where}: "lang" is missing')
    return questions


def load_negatives(corpus_dir: Path = CORPUS_DIR) -> list[str]:
    """Off-topic questions (all languages) the classifier learns to refuse: the
    generic ones and the user questions no entry answers."""
    unanswered = [q.text for q in load_user_questions(corpus_dir) if q.expected is None]
    path = corpus_dir / NEGATIVES
    if not path.is_file():
        return unanswered
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise RecordError(f"{path}: expected a mapping of language -> questions")
    questions: list[str] = []
    for lang, items in data.items():
        if not isinstance(items, list) or not all(isinstance(q, str) for q in items):
            raise RecordError(f"{path}: {lang}: expected a list of questions")
        questions.extend(q.strip() for q in items if q.strip())
    return questions + unanswered


def _with_user_questions(
    records: list[FaqRecord], questions: list[LabelledQuery]
) -> list[FaqRecord]:
    """Each record's questions followed by the user questions labelled with it."""
    position = {(r.id, r.lang): i for i, r in enumerate(records)}
    extra: dict[int, list[str]] = {}
    for question in questions:
        if question.expected is None:
            continue
        key = (question.expected, question.lang)
        if key not in position:
            raise RecordError(
                f"{question.where}: no entry {question.expected!r} in {question.lang}"
            )
        extra.setdefault(position[key], []).append(question.text.strip())
    return [
        replace(r, questions=tuple(dict.fromkeys([*r.questions, *extra[i]])))
        if i in extra
        else r
        for i, r in enumerate(records)
    ]


def load_corpus(corpus_dir: Path = CORPUS_DIR) -> list[FaqRecord]:
    """All FAQ records (one per entry per language) plus the call-page passages."""
    records: list[FaqRecord] = []
    for path in sorted((corpus_dir / "faq").glob("*.yml")):
        records.extend(_faq_records(path))
    call_page = corpus_dir / "call-page.txt"
    if call_page.is_file():
        records.extend(call_page_records(call_page))
    if not records:
        raise RecordError(f"{corpus_dir}: no FAQ files and no call page found")
    seen: dict[tuple[str, str], str] = {}
    for record in records:
        key = (record.id, record.lang)
        if key in seen:
            raise RecordError(f"duplicate entry id {record.id!r} ({record.lang})")
        seen[key] = record.id
    return _with_user_questions(records, load_user_questions(corpus_dir))
