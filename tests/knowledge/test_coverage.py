"""The coverage map: every call-page statement is answered, in three languages, by an
entry that carries a source (issue 16, part 1)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.coverage import (
    Coverage,
    Mapped,
    call_page_statements,
    check_coverage,
    load_coverage,
    numbers_in,
    value_found,
)
from knowledge.facts import load_call_facts, render_answer
from knowledge.language import LANGUAGES

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
CALL_PAGE = KNOWLEDGE / "corpus" / "call-page.txt"
FAQ_DIR = KNOWLEDGE / "corpus" / "faq"
SOURCES = KNOWLEDGE / "corpus" / "sources.yml"
# A fixed day after the deadline: the answers as users read them today.
TODAY = date(2026, 1, 1)


def _entries() -> list[dict[str, Any]]:
    return [
        entry
        for path in sorted(FAQ_DIR.glob("*.yml"))
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]
    ]


def _sources(entry: dict[str, Any]) -> list[str]:
    source = entry.get("source") or []
    return [source] if isinstance(source, str) else list(source)


def _rendered() -> dict[str, dict[str, str]]:
    facts = load_call_facts()
    return {
        entry["id"]: {
            lang: render_answer(entry[lang]["answer"], lang, facts, TODAY)
            for lang in LANGUAGES
        }
        for entry in _entries()
    }


def test_every_call_page_statement_is_stated_by_an_entry_in_every_language() -> None:
    statements = call_page_statements(CALL_PAGE.read_text(encoding="utf-8"))
    assert len(statements) >= 30
    sources = {entry["id"]: _sources(entry) for entry in _entries()}
    problems = check_coverage(load_coverage(), statements, _rendered(), sources)
    assert problems == [], "\n".join(problems)


def test_every_entry_has_a_source_that_resolves() -> None:
    known = set(yaml.safe_load(SOURCES.read_text(encoding="utf-8")))
    for entry in _entries():
        cited = _sources(entry)
        assert cited, f"{entry['id']} has no source"
        assert set(cited) <= known, (entry["id"], set(cited) - known)


def test_the_map_names_the_facts_it_covers() -> None:
    facts = [item.fact for item in load_coverage().facts]
    assert len(facts) == len(set(facts)) and len(facts) >= 20


def test_an_unmapped_statement_and_a_missing_value_are_reported() -> None:
    coverage = Coverage(
        call_page=[Mapped("Six cities are paired.", {"pairs": [6, "EU"]})], facts=[]
    )
    answers = {"pairs": {"en": "Six cities.", "fr": "6 villes (EU)."}}
    problems = check_coverage(
        coverage, ["Six cities are paired.", "Apply by May."], answers
    )
    assert problems == [
        "call page statement not mapped: 'Apply by May.'",
        "'Six cities are paired.': pairs (en) lacks ['EU']: 'Six cities.'",
    ]


@pytest.mark.parametrize(
    ("value", "text", "lang"),
    [
        ("130+", "Over 130 European cities", "en"),
        ("130+", "plus de 130 villes", "fr"),
        (100000, "more than 100,000 inhabitants", "en"),
        (100000, "plus de 100\u202f000 habitants", "fr"),
        ("1,000", "1 000 personnes", "fr"),
        (6, "seis ciudades de Canadá", "es"),
        (16, "Seize villes", "fr"),
        (16, "Dieciséis ciudades", "es"),
        (18, "dix-huit mois", "fr"),
        ({"en": "Mexico", "fr": "Mexique", "es": "México"}, "Canadá y Mexico", "es"),
        ("US|United States", "the United States", "en"),
    ],
)
def test_values_match_across_spellings(value: Any, text: str, lang: str) -> None:
    assert value_found(value, text, lang)


def test_a_number_is_not_found_inside_another_one() -> None:
    assert not value_found(18, "in 2018", "en")
    assert not value_found(130, "1300 cities", "en")
    assert numbers_in("six US, six Canadian and four Mexican cities", "en") == {6, 4}


def test_every_answer_shows_a_source_the_registry_knows() -> None:
    # The chat and the API look a hit's source up in sources.yml by id: an entry
    # citing several sources shows its first one (issue 16: the funding and the
    # commitment-length answers showed none).
    from knowledge.corpus import load_corpus

    known = set(yaml.safe_load(SOURCES.read_text(encoding="utf-8")))
    records = [r for r in load_corpus() if r.topic != "call_text"]
    assert {r.source for r in records} <= known
    by_id = {(r.id, r.lang): r.source for r in records}
    for lang in LANGUAGES:
        assert by_id[("funding-amount", lang)] == "call-page"
        assert by_id[("commitment-duration", lang)] == "call-page"
