"""The knowledge-base content: FAQ files, sources and the labelled question sets."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.facts import LANGUAGES, load_call_facts, placeholders_in, render_answer

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
FAQ_DIR = KNOWLEDGE / "corpus" / "faq"
SOURCES = KNOWLEDGE / "corpus" / "sources.yml"
USER_QUESTIONS = KNOWLEDGE / "corpus" / "user_questions.jsonl"
EVAL_FILES = {
    "test": KNOWLEDGE / "eval" / "test.jsonl",
    "calibration": KNOWLEDGE / "eval" / "calibration.jsonl",
}
TOPICS = {
    "eligibility", "deadline", "commitment", "benefits", "process", "themes", "pairs",
    "funding", "contact", "programme", "documents", "other_regions",
}  # fmt: skip
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Minimum labelled questions per split: per language, and out of scope.
# The calibration split is the larger one: a threshold chosen on ~150 easy questions
# declined 11% of the test split's in-scope questions, and one chosen on 357 declined
# 19% of questions by other writers (docs/BENCHMARKS.md).
MINIMUM = {"test": (50, 30), "calibration": (300, 120)}


def _faq_files() -> list[tuple[Path, dict[str, Any]]]:
    return [
        (path, yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in sorted(FAQ_DIR.glob("*.yml"))
    ]


def _entries() -> list[tuple[str, dict[str, Any]]]:
    return [(data["topic"], e) for _path, data in _faq_files() for e in data["entries"]]


ENTRIES = _entries()
ENTRY_IDS = [entry["id"] for _topic, entry in ENTRIES]


def _sources(entry: dict[str, Any]) -> list[str]:
    source = entry["source"]
    return source if isinstance(source, list) else [source]


def _normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form, to catch near-copies."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _eval_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except (
            json.JSONDecodeError
        ) as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{path.name}:{number}: invalid JSON ({exc})")
    return rows


# --- FAQ structure ----------------------------------------------------------------


def test_enough_entries_in_every_topic() -> None:
    assert len(ENTRIES) >= 45
    per_topic = Counter(topic for topic, _entry in ENTRIES)
    assert set(per_topic) == TOPICS, "every topic has at least one entry"


def test_each_file_declares_a_known_topic_matching_its_name() -> None:
    for path, data in _faq_files():
        assert set(data) == {"topic", "entries"}, path.name
        assert data["topic"] in TOPICS, path.name
        assert path.stem == data["topic"], path.name


def test_ids_are_unique_kebab_case() -> None:
    duplicates = [i for i, n in Counter(ENTRY_IDS).items() if n > 1]
    assert not duplicates
    assert all(KEBAB.match(entry_id) for entry_id in ENTRY_IDS)
    # Call-page passages are indexed as call-page-NN: no FAQ id may collide.
    assert not any(entry_id.startswith("call-page") for entry_id in ENTRY_IDS)


@pytest.mark.parametrize(("topic", "entry"), ENTRIES, ids=ENTRY_IDS)
def test_entry_has_three_languages(topic: str, entry: dict[str, Any]) -> None:
    assert set(entry) == {"id", "source", *LANGUAGES}
    for lang in LANGUAGES:
        block = entry[lang]
        questions = block["questions"]
        assert len(questions) >= 4, f"{entry['id']} ({lang}): too few questions"
        assert len({_normalise(q) for q in questions}) == len(questions)
        assert all(isinstance(q, str) and q.strip() for q in questions)
        assert isinstance(block["answer"], str) and block["answer"].strip()


def test_question_paraphrases_are_not_shared_between_entries() -> None:
    owner: dict[tuple[str, str], str] = {}
    for _topic, entry in ENTRIES:
        for lang in LANGUAGES:
            for question in entry[lang]["questions"]:
                key = (lang, _normalise(question))
                assert key not in owner, (
                    f"{question!r}: {owner.get(key)}, {entry['id']}"
                )
                owner[key] = entry["id"]


def test_every_source_id_resolves() -> None:
    registry = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))
    for source_id, source in registry.items():
        assert set(source) == {"title", "url"}, source_id
        assert source["url"].startswith(("http://", "https://")), source_id
    for _topic, entry in ENTRIES:
        for source_id in _sources(entry):
            assert source_id in registry, f"{entry['id']}: unknown source {source_id}"


def test_call_facts_sources_resolve() -> None:
    registry = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))
    raw = load_call_facts().raw

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"source", "url_source", "email_source"}:
                    ids = value if isinstance(value, list) else [value]
                    assert set(ids) <= set(registry), ids
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(raw)


# --- answers -------------------------------------------------------------------------


@pytest.mark.parametrize(("topic", "entry"), ENTRIES, ids=ENTRY_IDS)
def test_every_answer_renders_in_its_language(
    topic: str, entry: dict[str, Any]
) -> None:
    facts = load_call_facts()
    for lang in LANGUAGES:
        rendered = render_answer(entry[lang]["answer"], lang, facts)
        assert "{" not in rendered and "}" not in rendered
        assert 0 < len(rendered) < 900


def test_call_values_are_placeholders_not_literals() -> None:
    # A changed deadline or threshold must change every answer: none is typed in.
    facts = load_call_facts()
    literals = [
        r"\b100[ ,.\u202f]?000\b",
        # the commitment length; other 18s (18 cities, 18 July) are other facts
        r"\b18\b(?!\s*(cities|villes|ciudades|july|juillet|de julio))",
        r"\b15\b.{0,12}\b(march|mars|marzo)\b",
        r"\b(march|mars|marzo)\b.{0,4}\b15",
        re.escape(facts.contact_email or "@"),
    ]
    for _topic, entry in ENTRIES:
        for lang in LANGUAGES:
            answer = entry[lang]["answer"]
            for pattern in literals:
                assert not re.search(pattern, answer, re.IGNORECASE), (
                    f"{entry['id']} ({lang}) types a call value: {pattern}"
                )


def test_answers_use_the_same_placeholders_in_every_language() -> None:
    for _topic, entry in ENTRIES:
        used = {lang: set(placeholders_in(entry[lang]["answer"])) for lang in LANGUAGES}
        assert used["en"] == used["fr"] == used["es"], entry["id"]


def test_deadline_answer_reports_open_or_closed() -> None:
    facts = load_call_facts()
    entry = next(e for _t, e in ENTRIES if e["id"] == "deadline-date")
    before = render_answer(entry["en"]["answer"], "en", facts, today=facts.deadline)
    after = render_answer(entry["es"]["answer"], "es", facts)
    assert "Friday, March 15, 2019" in before and "last day" in before
    assert "viernes, 15 de marzo de 2019" in after and "cerrada" in after


def test_unknown_facts_point_to_the_contact() -> None:
    # Honest entries: what the sources do not say ends with the programme contact.
    honest = {
        "funding-amount", "funding-fees", "funding-costs-covered", "process-selection",
        "process-submission-address", "process-working-language",
        "eligibility-groups-of-municipalities", "not-in-sources",
        # session 10: the pairs the sources do not name, partner arrangements,
        # the exchange visits' logistics and prerequisites to apply
        "pairs-canada", "pairs-mexico", "pairs-partner-arrangements",
        "process-visits-logistics", "eligibility-prerequisites",
    }  # fmt: skip
    found = {e["id"]: e for _t, e in ENTRIES if e["id"] in honest}
    assert set(found) == honest
    for entry in found.values():
        for lang in LANGUAGES:
            assert "{contact}" in entry[lang]["answer"], entry["id"]


# --- labelled question sets ---------------------------------------------------------


@pytest.mark.parametrize("split", sorted(EVAL_FILES))
def test_eval_file_is_valid_and_large_enough(split: str) -> None:
    rows = _eval_rows(EVAL_FILES[split])
    known = set(ENTRY_IDS)
    for row in rows:
        assert set(row) == {"text", "lang", "expected"}, row
        assert isinstance(row["text"], str) and row["text"].strip(), row
        assert row["lang"] in LANGUAGES, row
        assert row["expected"] is None or row["expected"] in known, row
    per_lang = Counter(r["lang"] for r in rows if r["expected"] is not None)
    out_of_scope = [r for r in rows if r["expected"] is None]
    minimum_lang, minimum_oos = MINIMUM[split]
    for lang in LANGUAGES:
        assert per_lang[lang] >= minimum_lang, (split, lang, per_lang[lang])
    assert len(out_of_scope) >= minimum_oos
    assert {r["lang"] for r in out_of_scope} == set(LANGUAGES)
    texts = [_normalise(r["text"]) for r in rows]
    assert len(texts) == len(set(texts)), "duplicate question inside the split"


def test_eval_splits_are_disjoint_from_each_other_and_the_faq() -> None:
    test = {_normalise(r["text"]) for r in _eval_rows(EVAL_FILES["test"])}
    calibration = {_normalise(r["text"]) for r in _eval_rows(EVAL_FILES["calibration"])}
    faq = {
        _normalise(q)
        for _t, entry in ENTRIES
        for lang in LANGUAGES
        for q in entry[lang]["questions"]
    }
    assert not test & calibration
    assert not test & faq
    assert not calibration & faq


def test_user_questions_are_labelled_and_never_copy_an_eval_question() -> None:
    rows = _eval_rows(USER_QUESTIONS)
    known = set(ENTRY_IDS)
    for row in rows:
        assert set(row) == {"text", "lang", "expected"}, row
        assert row["lang"] in LANGUAGES, row
        assert row["expected"] is None or row["expected"] in known, row
    texts = [_normalise(r["text"]) for r in rows]
    assert len(texts) == len(set(texts)), "duplicate user question"
    evaluated = {
        _normalise(r["text"]) for path in EVAL_FILES.values() for r in _eval_rows(path)
    }
    assert [t for t in texts if t in evaluated] == []
    # Every entry gets some in every language; out-of-scope ones in every language.
    per_entry = Counter((r["expected"], r["lang"]) for r in rows)
    assert min(per_entry[(i, lang)] for i in known for lang in LANGUAGES) >= 5
    assert min(per_entry[(None, lang)] for lang in LANGUAGES) >= 50


def test_every_entry_is_evaluated() -> None:
    expected = {
        r["expected"]
        for path in EVAL_FILES.values()
        for r in _eval_rows(path)
        if r["expected"] is not None
    }
    assert set(ENTRY_IDS) - expected == set()


# --- held-out sets (issue 16): unknowns and the blind set ---------------------------

UNKNOWNS = KNOWLEDGE / "eval" / "unknowns.jsonl"
BLIND_TEST = KNOWLEDGE / "eval" / "blind_test.jsonl"


def _training_texts() -> set[str]:
    """Every question the index learns from, normalised."""
    texts = {_normalise(r["text"]) for r in _eval_rows(USER_QUESTIONS)}
    texts |= {
        _normalise(q)
        for _t, entry in ENTRIES
        for lang in LANGUAGES
        for q in entry[lang]["questions"]
    }
    return texts


def test_unknowns_are_answered_by_an_honest_entry_and_never_trained_on() -> None:
    rows = _eval_rows(UNKNOWNS)
    honest = {e["id"] for _t, e in ENTRIES if "{contact}" in e["en"]["answer"]}
    per_lang = Counter(r["lang"] for r in rows)
    assert min(per_lang[lang] for lang in LANGUAGES) >= 20, per_lang
    assert {r["expected"] for r in rows} <= honest
    texts = {_normalise(r["text"]) for r in rows}
    calibration = {_normalise(r["text"]) for r in _eval_rows(EVAL_FILES["calibration"])}
    assert not texts & _training_texts()
    assert not texts & calibration


def test_the_first_blind_half_is_labelled() -> None:
    rows = _eval_rows(BLIND_TEST)
    known = set(ENTRY_IDS)
    kinds = {"answerable", "unknown", "out_of_scope"}
    for row in rows:
        assert set(row) == {"text", "lang", "expected", "kind", "style"}, row
        assert row["lang"] in LANGUAGES and row["kind"] in kinds, row
        assert (row["expected"] is None) == (row["kind"] == "out_of_scope"), row
        assert row["expected"] is None or row["expected"] in known, row
    answerable = Counter(r["lang"] for r in rows if r["kind"] == "answerable")
    assert min(answerable[lang] for lang in LANGUAGES) >= 60, answerable


# Sets written from the sources alone, labelled against the entries by another person.
# The second (session 9, 659 questions) was read once whole, then split in halves per
# language and kind (random.Random(20261207)). The third (session 10, 396 questions)
# was read once, at the end of that session. The fourth (session 11, 405) was read
# whole at that session's start and end, then split the same way
# (random.Random(20261208)). Read many times since, the first three sets and the
# fourth's training half joined the training questions in session 14; the fourth's
# other half stays held out: never tune on it. The fifth (session 15, 405) was read
# whole once at that session's start, then split the same way (random.Random(20261209)):
# its training half is tunable, its held-out half read once, at the session's end.
BLIND_SETS = {
    "blind2_heldout": (KNOWLEDGE / "eval" / "blind2_heldout.jsonl", 75, 15),
    "blind3_test": (KNOWLEDGE / "eval" / "blind3_test.jsonl", 100, 20),
    "blind4_heldout": (KNOWLEDGE / "eval" / "blind4_heldout.jsonl", 50, 10),
    "blind5_heldout": (KNOWLEDGE / "eval" / "blind5_heldout.jsonl", 50, 10),
    "blind5_train_half": (KNOWLEDGE / "eval" / "blind5_train_half.jsonl", 50, 10),
}
JOINED_TRAINING = (
    BLIND_TEST,
    KNOWLEDGE / "eval" / "blind2_heldout.jsonl",
    KNOWLEDGE / "eval" / "blind3_test.jsonl",
    KNOWLEDGE / "eval" / "blind4_train_half.jsonl",
)


@pytest.mark.parametrize("name", sorted(BLIND_SETS))
def test_a_blind_set_is_labelled_and_flags_its_training_questions(name: str) -> None:
    from knowledge.corpus import CORPUS_DIR, call_page_records

    path, min_answerable, min_unknown = BLIND_SETS[name]
    rows = _eval_rows(path)
    passages = {r.id for r in call_page_records(CORPUS_DIR / "call-page.txt")}
    known = set(ENTRY_IDS) | passages
    for row in rows:
        fields = {"id", "text", "lang", "kind", "expected", "accept", "note"}
        assert set(row) == fields | {"in_training"}, row
        assert row["lang"] in LANGUAGES, row
        assert set(row["accept"]) <= known, row
        if row["kind"] == "out_of_scope":
            assert row["expected"] is None and row["accept"] == [], row
        elif row["expected"] == "MISSING":  # a fact no entry states: a miss
            assert row["kind"] == "answerable" and row["accept"] == [], row
        else:
            assert row["expected"] in row["accept"], row
    per_lang = Counter((r["lang"], r["kind"]) for r in rows)
    assert min(per_lang[lang, "answerable"] for lang in LANGUAGES) >= min_answerable
    assert min(per_lang[lang, "unknown"] for lang in LANGUAGES) >= min_unknown
    # The benches leave flagged rows out, so the flag must follow the training data;
    # on the held-out half it also means no training question may copy another row.
    training = _training_texts()
    seen = [r["id"] for r in rows if _normalise(r["text"]) in training]
    assert seen == [r["id"] for r in rows if r["in_training"]]


@pytest.mark.parametrize("path", JOINED_TRAINING, ids=lambda p: p.stem)
def test_a_set_that_joined_the_training_questions_teaches_its_labels(
    path: Path,
) -> None:
    labels = {_normalise(r["text"]): r["expected"] for r in _eval_rows(USER_QUESTIONS)}
    rows = _eval_rows(path)
    joined = [r for r in rows if _normalise(r["text"]) in labels]
    assert len(joined) >= 0.9 * len(rows)
    for row in joined:
        label = labels[_normalise(row["text"])]
        if row["kind"] == "out_of_scope":
            assert label is None, row
        else:
            assert label in (row.get("accept") or [row["expected"]]), row


def test_the_fourth_sets_training_half_says_which_rows_are_training_questions() -> None:
    # The half is tunable, and its rows may join user_questions.jsonl; its benches
    # read in_training to know which figures are held out, so the flag must follow.
    rows = _eval_rows(KNOWLEDGE / "eval" / "blind4_train_half.jsonl")
    training = _training_texts()
    seen = [r["id"] for r in rows if _normalise(r["text"]) in training]
    assert seen == [r["id"] for r in rows if r["in_training"]]
