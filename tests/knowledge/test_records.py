"""JSONL records and labelled queries: what the CLI accepts and how it complains."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.records import RecordError, read_jsonl, read_queries

from .conftest import SMALL_FAQ, write_jsonl


def test_lines_sharing_an_id_become_one_record_per_language(tmp_path: Path) -> None:
    records = read_jsonl(write_jsonl(tmp_path / "faq.jsonl", SMALL_FAQ))
    deadline = [r for r in records if r.id == "deadline"]
    assert {r.lang for r in deadline} == {"en", "fr", "es"}
    assert deadline[0].questions[0] == "When is the application deadline?"


def test_source_and_lang_are_optional(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "faq.jsonl", [{"id": "a", "questions": ["q?"],
                                                "answer": "yes"}])  # fmt: skip
    (record,) = read_jsonl(path)
    assert (record.lang, record.source) == ("en", "")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "a", "questions": ["q"], "answer": "x"', "invalid JSON"),
        ('{"id": "a", "questions": [], "answer": "x"}', '"questions"'),
        ('{"id": "a", "questions": ["q"]}', '"answer"'),
        ('{"questions": ["q"], "answer": "x"}', '"id"'),
        ('{"id": "a", "lang": "de", "questions": ["q"], "answer": "x"}', '"lang"'),
        ('["a", "b"]', "JSON object"),
        ('{"id": "ok", "questions": ["q"], "answer": "x"}', "duplicate id"),
    ],
)
def test_a_bad_line_is_reported_with_file_and_line_number(
    tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "faq.jsonl"
    good = '{"id": "ok", "questions": ["q"], "answer": "x"}'
    path.write_text(f"{good}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(RecordError) as info:
        read_jsonl(path)
    assert f"{path}:3:" in str(info.value)
    assert message in str(info.value)


def test_missing_or_empty_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="cannot read"):
        read_jsonl(tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(RecordError, match="no records"):
        read_jsonl(tmp_path / "empty.jsonl")


def test_queries_need_an_explicit_expected_value(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "q.jsonl",
        [{"text": "hello", "expected": None}, {"text": "when?"}],
    )
    with pytest.raises(RecordError, match=r"q\.jsonl:2: \"expected\" is missing"):
        read_queries(path)


def test_queries_keep_language_and_null_means_out_of_scope(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "q.jsonl",
        [{"text": "date limite", "lang": "fr", "expected": "deadline"},
         {"text": "pizza", "expected": None}],
    )  # fmt: skip
    first, second = read_queries(path)
    assert (first.lang, first.expected) == ("fr", "deadline")
    assert second.expected is None and second.where.endswith(":2")
