"""``python -m knowledge``: the build/calibrate/eval contract and its error messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge import cli
from knowledge.embedders import FakeEmbedder

from .conftest import SMALL_FAQ, SMALL_QUERIES, write_jsonl

METRICS = ("in_scope_accuracy", "oos_recall", "false_rejection", "recall_at_3", "mrr")


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI builds its embedder from the model name: give it the fake one."""
    monkeypatch.setattr(
        cli, "SentenceTransformerEmbedder", lambda name: FakeEmbedder(name=name)
    )


@pytest.fixture
def built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    source = write_jsonl(tmp_path / "faq.jsonl", SMALL_FAQ)
    out = tmp_path / "idx"
    assert (
        cli.main(["build", "--source", str(source), "--out", str(out), "--quiet"]) == 0
    )
    assert "built 5 entries (12 records" in capsys.readouterr().out
    return out


def test_build_then_calibrate_then_eval(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = write_jsonl(tmp_path / "q.jsonl", SMALL_QUERIES)

    assert (
        cli.main(["calibrate", "--index", str(built), "--queries", str(queries)]) == 0
    )
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["calibrated"] is True
    assert manifest["calibration"]["count"] == len(SMALL_QUERIES)
    capsys.readouterr()

    assert cli.main(["eval", "--index", str(built), "--queries", str(queries),
                     "--json"]) == 0  # fmt: skip
    metrics = json.loads(capsys.readouterr().out)
    for key in METRICS:
        assert 0.0 <= metrics[key] <= 1.0
        assert set(metrics["per_language"]) == {"en", "fr", "es"}
        assert key in metrics["per_language"]["fr"]
    assert metrics["latency_ms"]["p95"] >= metrics["latency_ms"]["p50"] > 0
    # Calibrated on these very queries, the easy set is solved: the decision is used.
    assert metrics["in_scope_accuracy"] == 1.0 and metrics["oos_recall"] == 1.0
    assert metrics["params"]["threshold"] == manifest["params"]["threshold"]


def test_eval_prints_a_table_without_json(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = write_jsonl(tmp_path / "q.jsonl", SMALL_QUERIES)
    assert cli.main(["eval", "--index", str(built), "--queries", str(queries)]) == 0
    out = capsys.readouterr().out
    assert "in_scope_accuracy" in out and "latency per query" in out
    assert [line.split()[0] for line in out.splitlines()[1:5]] == [
        "all", "en", "es", "fr"
    ]  # fmt: skip


# Small labelled FAQs the CLI must build, calibrate and evaluate (issue 16, part 6).
TWO_ENTRIES = [
    {"id": "a", "lang": "en", "questions": ["When is the deadline?",
                                            "What is the closing date?"],
     "answer": "March 15."},
    {"id": "b", "lang": "en", "questions": ["Who can apply?"], "answer": "Cities."},
]  # fmt: skip
THREE_QUERIES = [
    {"text": "deadline please", "lang": "en", "expected": "a"},
    {"text": "which cities can apply", "lang": "en", "expected": "b"},
    {"text": "weather in paris", "lang": "en", "expected": None},
]
ONE_LANGUAGE = [row for row in SMALL_FAQ if row["lang"] == "fr"]
# "commitment" and "grants" have a single question in French and Spanish.
ONE_QUESTION = [row for row in SMALL_FAQ if row["lang"] != "en"]


@pytest.mark.parametrize(
    ("faq", "queries"),
    [
        (TWO_ENTRIES, THREE_QUERIES),
        (ONE_LANGUAGE, [q for q in SMALL_QUERIES if q["lang"] == "fr"]
         + [{"text": "quel temps fait-il à Paris", "lang": "fr", "expected": None}]),
        (ONE_QUESTION, [q for q in SMALL_QUERIES if q["lang"] != "en"]
         + [{"text": "¿qué tiempo hace hoy?", "lang": "es", "expected": None}]),
        (TWO_ENTRIES[:1], THREE_QUERIES[:1]),
    ],
    ids=["two-entries", "one-language", "one-question", "one-entry"],
)  # fmt: skip
def test_small_labelled_sets_build_calibrate_and_evaluate(
    faq: list[dict[str, object]],
    queries: list[dict[str, object]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = write_jsonl(tmp_path / "faq.jsonl", faq)
    labelled = write_jsonl(tmp_path / "q.jsonl", queries)
    index = str(tmp_path / "idx")
    assert cli.main(["build", "--source", str(source), "--out", index, "--quiet"]) == 0
    assert cli.main(["calibrate", "--index", index, "--queries", str(labelled)]) == 0
    capsys.readouterr()
    assert cli.main(["eval", "--index", index, "--queries", str(labelled),
                     "--json"]) == 0  # fmt: skip
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["queries"] == len(queries)
    assert metrics["in_scope_accuracy"] is not None


def test_calibrating_without_out_of_scope_queries_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(tmp_path / "faq.jsonl", TWO_ENTRIES)
    labelled = write_jsonl(tmp_path / "q.jsonl", THREE_QUERIES[:2])
    index = str(tmp_path / "idx")
    assert cli.main(["build", "--source", str(source), "--out", index, "--quiet"]) == 0
    capsys.readouterr()
    assert cli.main(["calibrate", "--index", index, "--queries", str(labelled)]) == 0
    out = capsys.readouterr().out
    assert "OOS declined -," in out and "no out-of-scope query" in out


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_a_malformed_source_line_is_named_with_its_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "faq.jsonl"
    source.write_text(
        '{"id": "a", "questions": ["q"], "answer": "x"}\n{"id": "b", "answer": "y"}\n',
        encoding="utf-8",
    )
    err = _error(capsys, ["build", "--source", str(source), "--out", str(tmp_path)])
    assert f"{source}:2:" in err and '"questions"' in err


def test_queries_with_an_unknown_expected_id_are_refused(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = write_jsonl(tmp_path / "q.jsonl", [*SMALL_QUERIES[:2],
                          {"text": "x y z", "expected": "no-such-entry"}])  # fmt: skip
    err = _error(capsys, ["eval", "--index", str(built), "--queries", str(queries)])
    assert "q.jsonl:3" in err and "'no-such-entry' is not in the index" in err


def test_missing_index_and_missing_files_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = write_jsonl(tmp_path / "q.jsonl", SMALL_QUERIES)
    err = _error(capsys, ["eval", "--index", str(tmp_path / "nothing"),
                          "--queries", str(queries)])  # fmt: skip
    assert "no index" in err
    err = _error(capsys, ["build", "--source", str(tmp_path / "absent.jsonl"),
                          "--out", str(tmp_path / "o")])  # fmt: skip
    assert "absent.jsonl" in err


def test_module_entry_point_reports_usage_errors() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "knowledge", "eval", "--index", "x"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "--queries" in done.stderr


def test_an_unexpected_error_is_one_line_unless_asked_for_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(args: object) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(cli.COMMANDS, "eval", broken)
    argv = ["eval", "--index", str(tmp_path), "--queries", str(tmp_path / "q")]
    err = _error(capsys, argv)
    assert "unexpected ZeroDivisionError: division by zero" in err
    monkeypatch.setenv(cli.TRACEBACK_VARIABLE, "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(argv)
