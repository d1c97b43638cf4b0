"""The coverage map (``knowledge/corpus/coverage.yml``): every statement of the call
page, and every fact of facts.md the knowledge base uses, mapped to the entries whose
answers state it, with the statement's key values (numbers, names, dates).

:func:`check_coverage` lists what is wrong: a call-page statement without a mapping, a
mapping to an unknown entry, or an answer that lacks a key value in one of the
languages. Numbers are compared as numbers, whatever their spelling: "130+", "over
130", "1,000", "1 000", "six" / "seis" and "16" / "seize" / "dieciséis" all match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

COVERAGE_FILE = Path(__file__).resolve().parent / "corpus" / "coverage.yml"

_BULLET = re.compile(r"^[\s•*·\-–]+")
# A sentence ends at . ! ? before a capital or a parenthesis, but not after "i.e." or
# "e.g." (the call page writes "(i.e. Memorandum of Understanding)").
_SENTENCE_END = re.compile(r"(?<!\bi\.e\.)(?<!\be\.g\.)(?<=[.!?])\s+(?=[A-Z(])")
# Digits with thousands separators: 100,000 / 100 000 (also narrow and non-breaking
# spaces) / 100.000.
_NUMBER = re.compile(r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?!\d)|\d+")

# Number words of the three languages, accent-folded (1-20 and the tens to 100).
_WORDS = {
    "en": "one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty",
    "fr": "un deux trois quatre cinq six sept huit neuf dix onze douze treize "
    "quatorze quinze seize dix-sept dix-huit dix-neuf vingt",
    "es": "uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece "
    "catorce quince dieciseis diecisiete dieciocho diecinueve veinte",
}
NUMBER_WORDS: dict[str, dict[str, int]] = {
    lang: {word: n for n, word in enumerate(words.split(), start=1)}
    for lang, words in _WORDS.items()
}
for _lang, _extra in {
    "en": {"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100},
    "fr": {"une": 1, "trente": 30, "quarante": 40, "cinquante": 50, "cent": 100},
    "es": {"una": 1, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "cien": 100},
}.items():
    NUMBER_WORDS[_lang].update(_extra)


class CoverageError(ValueError):
    """``coverage.yml`` is malformed; the message says where."""


def fold(text: str) -> str:
    """Lower case without accents, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


def call_page_statements(text: str) -> list[str]:
    """Every statement of the call page: each line (bullets stripped), split into
    sentences. Headings and link labels count: they are statements too."""
    statements: list[str] = []
    for raw in text.splitlines():
        line = " ".join(_BULLET.sub("", raw).split())
        if line:
            statements.extend(s for s in _SENTENCE_END.split(line) if s)
    return statements


def numbers_in(text: str, lang: str) -> set[int]:
    """The numbers a text states, in digits or in words of ``lang``."""
    found = {int(re.sub(r"\D", "", match)) for match in _NUMBER.findall(text)}
    words = NUMBER_WORDS.get(lang, {})
    folded = fold(text)
    for token in re.findall(r"[a-z]+(?:-[a-z]+)*", folded):
        if token in words:
            found.add(words[token])
    return found


def _number_value(value: Any) -> int | None:
    """130 / "130+" / "1,000" -> the number; None for a word value."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[\d,.\u00a0\u202f ]+\+?", value):
        return int(re.sub(r"\D", "", value))
    return None


def value_found(value: Any, answer: str, lang: str) -> bool:
    """Does ``answer`` (rendered, in ``lang``) state ``value``?

    A value is a number (130, "130+", "1,000"), a text found case- and
    accent-insensitively ("U-CAP"), alternatives separated by "|" ("US|United
    States"), or a mapping language -> one of those.
    """
    if isinstance(value, Mapping):
        if lang not in value:
            raise CoverageError(f"value {dict(value)!r} has no {lang!r} form")
        return value_found(value[lang], answer, lang)
    number = _number_value(value)
    if number is not None:
        return number in numbers_in(answer, lang)
    if not isinstance(value, str) or not value.strip():
        raise CoverageError(f"a value must be a number, a text or a mapping: {value!r}")
    folded = fold(answer)
    return any(fold(option) in folded for option in value.split("|") if option)


@dataclass(frozen=True)
class Mapped:
    """One statement (or fact) and the entries that state it, with key values."""

    text: str
    entries: dict[str, list[Any]]
    fact: str | None = None
    sources: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Coverage:
    call_page: list[Mapped]
    facts: list[Mapped]


def _mapped(item: Any, where: str, key: str) -> Mapped:
    if not isinstance(item, dict) or not isinstance(item.get(key), str):
        raise CoverageError(f"{where}: needs a {key!r} text")
    entries = item.get("entries")
    if not isinstance(entries, dict) or not entries:
        raise CoverageError(f"{where}: needs 'entries': {{entry id: [values]}}")
    cleaned: dict[str, list[Any]] = {}
    for entry_id, values in entries.items():
        if values is None:
            values = []
        if not isinstance(values, list):
            raise CoverageError(f"{where}: {entry_id}: the values must be a list")
        cleaned[str(entry_id)] = values
    sources = item.get("sources") or []
    if isinstance(sources, str):
        sources = [sources]
    return Mapped(
        text=" ".join(item[key].split()),
        entries=cleaned,
        fact=item.get("fact"),
        sources=tuple(str(s) for s in sources),
    )


def load_coverage(path: Path = COVERAGE_FILE) -> Coverage:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CoverageError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise CoverageError(f"{path}: expected 'call_page' and 'facts' lists")
    call_page = [
        _mapped(item, f"{path}: call_page[{i}]", "statement")
        for i, item in enumerate(data.get("call_page") or [])
    ]
    facts = [
        _mapped(item, f"{path}: facts[{i}]", "text")
        for i, item in enumerate(data.get("facts") or [])
    ]
    for i, item in enumerate(facts):
        if not item.fact:
            raise CoverageError(f"{path}: facts[{i}]: needs 'fact' (e.g. F5)")
    return Coverage(call_page, facts)


def check_coverage(
    coverage: Coverage,
    statements: Iterable[str],
    answers: Mapping[str, Mapping[str, str]],
    entry_sources: Mapping[str, Iterable[str]] | None = None,
) -> list[str]:
    """Problems of the map against the call page's ``statements`` and the rendered
    ``answers`` (entry id -> language -> text); an empty list when all is covered."""
    problems: list[str] = []
    mapped = {item.text for item in coverage.call_page}
    page = [" ".join(s.split()) for s in statements]
    problems += [
        f"call page statement not mapped: {s!r}" for s in page if s not in mapped
    ]
    problems += [
        f"coverage.yml maps a statement that is not on the call page: {s!r}"
        for s in sorted(mapped - set(page))
    ]
    for item in [*coverage.call_page, *coverage.facts]:
        label = item.fact or repr(item.text[:60])
        for entry_id, values in item.entries.items():
            if entry_id not in answers:
                problems.append(f"{label}: no entry {entry_id!r}")
                continue
            for lang, answer in answers[entry_id].items():
                missing = [v for v in values if not value_found(v, answer, lang)]
                if missing:
                    problems.append(
                        f"{label}: {entry_id} ({lang}) lacks {missing!r}: {answer!r}"
                    )
            if entry_sources is not None and item.sources:
                cited = set(entry_sources.get(entry_id, ()))
                if not cited & set(item.sources):
                    problems.append(
                        f"{label}: {entry_id} cites none of {list(item.sources)}"
                    )
    return problems
