"""French and Spanish NLU examples projected from the parallel corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from assistant.nlu_training import projection
from knowledge.embedders import FakeEmbedder

ROOT = Path(__file__).resolve().parents[2]

TRAINING = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hello there
    - hello friend
    - hello everyone
    - hello again
    - bonjour
- intent: thank
  examples: |
    - thanks
    - thanks a lot
    - thanks so much
    - many thanks
    - thanks again
- intent: inform
  examples: |
    - [Ottawa](city)
    - we are in [Laval]{"entity": "city"}
    - [Gatineau](city) please
- synonym: Canada
  examples: |
    - CA
"""


def _write_corpus(folder: Path, rows: list[object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)
             for r in rows]  # fmt: skip
    (folder / "chat.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def training_file(tmp_path: Path) -> Path:
    path = tmp_path / "nlu.yml"
    path.write_text(TRAINING, encoding="utf-8")
    return path


def test_training_examples_drop_annotations_and_remember_them(
    training_file: Path,
) -> None:
    examples = projection.read_training_examples([training_file])
    informs = [e for e in examples if e.intent == "inform"]
    assert [e.text for e in informs] == ["Ottawa", "we are in Laval", "Gatineau please"]
    assert all(e.annotated for e in informs)
    assert not any(e.annotated for e in examples if e.intent != "inform")
    assert len(examples) == 14  # the synonym block is not an intent


def test_english_labels_reach_the_french_and_spanish_sides(
    training_file: Path,
) -> None:
    corpus = [
        {"en": "hello everybody", "fr": "salut tout le monde", "es": "hola a todos"},
        {"en": "thanks so much!", "fr": "merci mille fois", "es": "mil gracias"},
        # The English side repeats a training example: its labels are projected too.
        {"en": "hello", "fr": "bonjour", "es": "buenas"},
    ]
    projected = projection.project(
        projection.read_training_examples([training_file]),
        corpus,
        FakeEmbedder(),
        min_confidence=0.3,
    )
    found = {(p.lang, p.text): p.intent for p in projected}
    assert found[("fr", "salut tout le monde")] == "greet"
    assert found[("es", "hola a todos")] == "greet"
    assert found[("fr", "merci mille fois")] == "thank"
    assert found[("es", "mil gracias")] == "thank"
    # "bonjour" is already a greet example of the training data: not added twice.
    assert ("fr", "bonjour") not in found
    assert found[("es", "buenas")] == "greet"
    assert {p.source for p in projected if p.text == "mil gracias"} == {
        "thanks so much!"
    }


def test_unsure_labels_and_intents_with_entities_are_left_out(
    training_file: Path,
) -> None:
    corpus = [
        # inform's examples carry entities the corpus cannot annotate.
        {"en": "Ottawa please", "fr": "Ottawa svp", "es": "Ottawa por favor"},
        {"en": "hello there", "fr": "salut [toi]", "es": "hola"},
        # Names and numbers would be entities left unannotated.
        {"en": "hello from Texas", "fr": "salut du Texas", "es": "hola desde Texas"},
        {"en": "hello hello", "fr": "salut x2", "es": "Hola hola"},
    ]
    examples = projection.read_training_examples([training_file])
    projected = projection.project(examples, corpus, FakeEmbedder(), 0.3)
    assert {p.intent for p in projected} == {"greet"}
    # Rasa would read brackets as an entity annotation.
    assert sorted(p.text for p in projected) == ["Hola hola", "hola"]
    assert projection.project(examples, corpus, FakeEmbedder(), 0.999) == []


def test_a_few_annotated_examples_do_not_stop_an_intents_projection() -> None:
    def examples(intent: str, annotated: int, plain: int) -> list[projection.Example]:
        return [projection.Example(intent, "x", True)] * annotated + [
            projection.Example(intent, "y", False)
        ] * plain

    mixed = examples("ask_programme", 1, 99) + examples("check_eligibility", 10, 90)
    # 1 % annotated: still projected; 10 %: its sentences would hide entities.
    assert projection.intents_with_entities(mixed) == {"check_eligibility"}


def test_the_cap_keeps_the_surest_sentences_of_each_intent(
    training_file: Path,
) -> None:
    corpus = [
        {"en": "hello friend, hello", "fr": "salut l'ami", "es": "hola amigo"},
        {"en": "hello everyone", "fr": "salut tout le monde", "es": "hola a todos"},
        {"en": "thanks a lot", "fr": "merci beaucoup", "es": "muchas gracias"},
    ]
    examples = projection.read_training_examples([training_file])
    everything = projection.project(examples, corpus, FakeEmbedder(), 0.3)
    capped = projection.project(examples, corpus, FakeEmbedder(), 0.3, 1)
    assert sorted((p.intent, p.lang) for p in capped) == [
        ("greet", "es"),
        ("greet", "fr"),
        ("thank", "es"),
        ("thank", "fr"),
    ]
    surest = max(p.confidence for p in everything if p.intent == "greet")
    assert {p.confidence for p in capped if p.intent == "greet"} == {surest}


def test_the_generated_file_is_rasa_training_data(
    training_file: Path, tmp_path: Path
) -> None:
    corpus = _write_corpus(
        tmp_path / "corpus",
        [{"en": "thanks a ton", "fr": "merci: c'est gentil", "es": "¡gracias!"}],
    )
    out = tmp_path / "out" / "projected.yml"
    examples = projection.read_training_examples([training_file])
    projected = projection.project(
        examples, projection.read_corpus(corpus), FakeEmbedder(), 0.3
    )
    out.parent.mkdir()
    out.write_text(projection.to_rasa_yaml(projected), encoding="utf-8")
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["version"] == "3.1"
    assert data["nlu"] == [
        {"intent": "thank", "examples": "- merci: c'est gentil\n- ¡gracias!\n"}
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"en": "hi", "fr": "salut"', "chat.jsonl:2: Expecting"),
        ('{"en": "hi", "fr": "salut"}', "chat.jsonl:2: needs a non-empty string"),
        ('{"en": "hi", "fr": "salut", "es": "  "}', "chat.jsonl:2: needs a non-empty"),
        ('["hi", "salut", "hola"]', "chat.jsonl:2: needs a non-empty string"),
    ],
)
def test_a_bad_corpus_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    corpus = _write_corpus(tmp_path, [{"en": "yes", "fr": "oui", "es": "sí"}, line])
    with pytest.raises(projection.ProjectionError, match=message):
        projection.read_corpus(corpus)


def test_the_command_reports_bad_input_in_one_line(
    training_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _write_corpus(tmp_path / "corpus", ["not json"])
    out = tmp_path / "projected.yml"
    argv = ["--data", str(training_file), "--corpus", str(corpus), "--out", str(out)]
    assert projection.main(argv) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert not out.exists()
    empty = tmp_path / "empty.yml"
    empty.write_text('version: "3.1"\nnlu: []\n', encoding="utf-8")
    assert projection.main(["--data", str(empty), "--out", str(out)]) == 2
    assert "no intent examples" in capsys.readouterr().err


def test_the_shipped_corpus_is_well_formed() -> None:
    rows = projection.read_corpus()
    assert len(rows) > 3000
    english = [r["en"].casefold() for r in rows]
    # Written as one set: no sentence twice.
    assert len(set(english)) > 0.98 * len(english)


@pytest.mark.model
def test_projection_of_the_project_data_with_the_real_model() -> None:
    from knowledge.embedders import SentenceTransformerEmbedder

    examples = projection.read_training_examples([ROOT / "data" / "nlu"])
    projected = projection.project(
        examples, projection.read_corpus(), SentenceTransformerEmbedder()
    )
    by_lang = {lang: [p for p in projected if p.lang == lang] for lang in ("fr", "es")}
    assert all(len(items) > 800 for items in by_lang.values())
    with_entities = projection.intents_with_entities(examples)
    assert with_entities >= {"inform", "check_eligibility"}
    # A few partner cities among the programme questions keep its projection.
    assert "ask_programme" not in with_entities
    assert not {p.intent for p in projected} & with_entities
    known = {projection.normalise(e.text) for e in examples}
    assert not [p for p in projected if projection.normalise(p.text) in known]
    # What a French or Spanish speaker would check.
    labels = {p.text: p.intent for p in projected}
    assert {
        text: labels.get(text)
        for text in (
            "para nada, no",
            "eres un bot, ¿verdad?",
            "mets-moi en contact avec quelqu'un",
            "Comment renouveler ma carte d'assurance maladie ?",
            "Quand se termine l'appel à manifestations d'intérêt ?",
            "ok arrête",
            "merci pour tout",
        )
    } == {
        "para nada, no": "deny",
        "eres un bot, ¿verdad?": "bot_challenge",
        "mets-moi en contact avec quelqu'un": "contact_human",
        "Comment renouveler ma carte d'assurance maladie ?": "out_of_scope",
        "Quand se termine l'appel à manifestations d'intérêt ?": "ask_programme",
        "ok arrête": "stop",
        "merci pour tout": "thank",
    }
    counts: dict[tuple[str, str], int] = {}
    for p in projected:
        counts[p.intent, p.lang] = counts.get((p.intent, p.lang), 0) + 1
    assert max(counts.values()) == projection.MAX_PER_INTENT
