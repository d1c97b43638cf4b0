"""Does the best entry state what the question asks? ("the answer states what is asked")

A similarity engine answers a question about something the sources never mention
(visas, a page limit, an audit) with the closest entry: a neighbouring fact. The
project lists such asked-for concepts with their terms in three languages
(``corpus/asked_concepts.yml``). At build time each concept is mapped to the entries
that state it (a term in the entry's answer or questions, in any language); at query
time, a question naming a concept that its best entry does not state is answered by
the fallback entry ("the call does not say" + the contact) instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.language import fold_words
from knowledge.records import FaqRecord

FILE = "asked.json"


class AskedConceptsError(ValueError):
    """The concepts file is malformed or names an unknown fallback entry."""


@dataclass(frozen=True)
class Concept:
    id: str
    pattern: re.Pattern[str]

    def named_in(self, text: str) -> bool:
        return self.named_in_folded(fold_words(text))

    def named_in_folded(self, folded: str) -> bool:
        return self.pattern.search(folded) is not None


def _pattern(terms: Iterable[str]) -> re.Pattern[str]:
    # Whole words of the folded text, an optional plural ending.
    words = sorted(
        {fold_words(t) for t in terms if fold_words(t)}, key=len, reverse=True
    )
    if not words:
        raise AskedConceptsError("a concept has no terms")
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:s|es)?(?!\w)")


@dataclass(frozen=True)
class AskedCheck:
    """Concepts, the entries stating each, and the entry to answer with instead."""

    fallback: str
    concepts: tuple[Concept, ...]
    stated_by: Mapping[str, frozenset[str]]
    terms: Mapping[str, tuple[str, ...]]

    def unstated(self, text: str, entry_id: str) -> list[str]:
        """Concepts ``text`` asks for that ``entry_id`` does not state."""
        if entry_id == self.fallback:
            return []
        return [
            c.id
            for c in self.concepts
            if entry_id not in self.stated_by.get(c.id, frozenset())
            and c.named_in(text)
        ]

    # -- build, save, load ---------------------------------------------------------

    @classmethod
    def from_terms(
        cls,
        fallback: str,
        terms: Mapping[str, tuple[str, ...]],
        records: Iterable[FaqRecord],
    ) -> AskedCheck:
        concepts = tuple(Concept(cid, _pattern(words)) for cid, words in terms.items())
        # Each text folded once, not once per concept (seconds of every build).
        texts: dict[str, list[str]] = {}
        for record in records:
            texts.setdefault(record.id, []).extend(
                fold_words(t) for t in (record.answer, *record.questions)
            )
        if fallback not in texts:
            raise AskedConceptsError(f"fallback entry {fallback!r} is not in the index")
        stated = {
            c.id: frozenset(
                e
                for e, parts in texts.items()
                if any(c.named_in_folded(t) for t in parts)
            )
            for c in concepts
        }
        return cls(fallback, concepts, stated, dict(terms))

    def to_json(self) -> dict[str, Any]:
        return {
            "fallback": self.fallback,
            "concepts": [
                {
                    "id": c.id,
                    "terms": list(self.terms[c.id]),
                    "stated_by": sorted(self.stated_by[c.id]),
                }
                for c in self.concepts
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AskedCheck:
        terms = {c["id"]: tuple(c["terms"]) for c in data["concepts"]}
        return cls(
            fallback=data["fallback"],
            concepts=tuple(
                Concept(cid, _pattern(words)) for cid, words in terms.items()
            ),
            stated_by={c["id"]: frozenset(c["stated_by"]) for c in data["concepts"]},
            terms=terms,
        )

    def save(self, directory: Path) -> None:
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=1)
        (directory / FILE).write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> AskedCheck | None:
        """None when the index has no concepts (an index of another FAQ)."""
        path = directory / FILE
        if not path.is_file():
            return None
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def read_concepts(path: Path) -> tuple[str, dict[str, tuple[str, ...]]]:
    """The fallback entry id and each concept's terms, from the YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        fallback = str(data["fallback"])
        terms = {
            str(c["id"]): tuple(str(t) for t in c["terms"]) for c in data["concepts"]
        }
    except (TypeError, KeyError) as exc:
        raise AskedConceptsError(f"{path}: expected fallback and concepts") from exc
    return fallback, terms
