"""FAQ records and the JSONL format used by ``python -m knowledge build --source``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from knowledge.language import LANGUAGES


class RecordError(ValueError):
    """A record or JSONL line is malformed; the message names the file and line."""


@dataclass(frozen=True)
class FaqRecord:
    """One entry in one language. Several records share an ``id`` across languages."""

    id: str
    lang: str
    questions: tuple[str, ...]
    answer: str
    source: str = ""
    topic: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["questions"] = list(self.questions)
        if not self.extra:
            del data["extra"]
        return data


def record_from_dict(data: Any) -> FaqRecord:
    """Validate one decoded JSON object; raises ``RecordError`` saying what is wrong."""
    if not isinstance(data, dict):
        raise RecordError("expected a JSON object")
    entry_id = data.get("id")
    if not isinstance(entry_id, str) or not entry_id.strip():
        raise RecordError('"id" must be a non-empty string')
    lang = data.get("lang", "en")
    if lang not in LANGUAGES:
        raise RecordError(f'"lang" must be one of {", ".join(LANGUAGES)}, got {lang!r}')
    questions = data.get("questions")
    if (
        not isinstance(questions, list)
        or not questions
        or not all(isinstance(q, str) and q.strip() for q in questions)
    ):
        raise RecordError('"questions" must be a non-empty list of non-empty strings')
    answer = data.get("answer")
    if not isinstance(answer, str) or not answer.strip():
        raise RecordError('"answer" must be a non-empty string')
    source = data.get("source", "")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        source = ", ".join(source)
    if not isinstance(source, str):
        raise RecordError('"source" must be a string')
    topic = data.get("topic")
    if topic is not None and not isinstance(topic, str):
        raise RecordError('"topic" must be a string or null')
    return FaqRecord(
        id=entry_id.strip(),
        lang=lang,
        questions=tuple(q.strip() for q in questions),
        answer=answer.strip(),
        source=source,
        topic=topic,
    )


def iter_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, decoded_object)``, skipping blank lines."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise RecordError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise RecordError(f"{path}:{number}: invalid JSON ({exc.msg})") from exc


def read_jsonl(path: Path) -> list[FaqRecord]:
    """Read FAQ records; an error names the file, the line number and the problem."""
    records: list[FaqRecord] = []
    seen: set[tuple[str, str]] = set()
    for number, data in iter_jsonl(path):
        try:
            record = record_from_dict(data)
        except RecordError as exc:
            raise RecordError(f"{path}:{number}: {exc}") from exc
        key = (record.id, record.lang)
        if key in seen:
            raise RecordError(
                f"{path}:{number}: duplicate id {record.id!r} "
                f"for language {record.lang!r}"
            )
        seen.add(key)
        records.append(record)
    if not records:
        raise RecordError(f"{path}: no records")
    return records


@dataclass(frozen=True)
class LabelledQuery:
    text: str
    expected: str | None
    lang: str | None = None
    topic: str | None = None
    where: str = ""


def read_queries(path: Path) -> list[LabelledQuery]:
    """Read labelled queries ``{"text", "lang"?, "expected": id | null}``."""
    queries: list[LabelledQuery] = []
    for number, data in iter_jsonl(path):
        where = f"{path}:{number}"
        if not isinstance(data, dict):
            raise RecordError(f"{where}: expected a JSON object")
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise RecordError(f'{where}: "text" must be a non-empty string')
        if "expected" not in data:
            raise RecordError(f'{where}: "expected" is missing (an id, or null)')
        expected = data["expected"]
        if expected is not None and not isinstance(expected, str):
            raise RecordError(f'{where}: "expected" must be a string id or null')
        lang = data.get("lang")
        if lang is not None and lang not in LANGUAGES:
            raise RecordError(
                f'{where}: "lang" must be one of {", ".join(LANGUAGES)}, got {lang!r}'
            )
        topic = data.get("topic")
        if topic is not None and not isinstance(topic, str):
            raise RecordError(f'{where}: "topic" must be a string or null')
        queries.append(LabelledQuery(text, expected, lang, topic, where))
    if not queries:
        raise RecordError(f"{path}: no queries")
    return queries
