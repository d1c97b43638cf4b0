"""The call facts file and the rendering of answers per language."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from knowledge.facts import (
    DEFAULT_CALL_FILE,
    LANGUAGES,
    CallFacts,
    CallFactsError,
    call_status,
    call_status_sentence,
    deadline_status,
    load_call_facts,
    region_for_country,
    render_answer,
)


@pytest.fixture(scope="module")
def facts() -> CallFacts:
    return load_call_facts()


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "call.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _raw_copy() -> dict:
    return yaml.safe_load(DEFAULT_CALL_FILE.read_text(encoding="utf-8"))


# --- the facts the assistant states ------------------------------------------------


def test_call_facts_match_the_call_page(facts: CallFacts) -> None:
    assert facts.eligible_countries == ("CA", "US", "MX")
    assert facts.population_threshold == 100_000
    assert facts.deadline == date(2019, 3, 15)
    assert facts.deadline.strftime("%A") == "Friday"  # the page says "Friday"
    assert facts.commitment_months == 18


def test_facts_are_immutable(facts: CallFacts) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.population_threshold = 1  # type: ignore[misc]


def test_load_is_cached(facts: CallFacts) -> None:
    assert load_call_facts() is facts
    assert load_call_facts(DEFAULT_CALL_FILE) is facts


def test_themes_have_three_languages_and_unique_ids(facts: CallFacts) -> None:
    ids = [theme.id for theme in facts.themes]
    assert len(ids) == len(set(ids))
    assert {"sustainable-urban-mobility", "housing", "circular-economy"} <= set(ids)
    for theme in facts.themes:
        assert set(theme.names) == set(LANGUAGES)
        assert all(name.strip() for name in theme.names.values())


def test_no_submission_address_is_presented(facts: CallFacts) -> None:
    # The submission address is cut off in our copy of the call page: never guess it.
    assert facts.raw["contact"]["submission_email"] is None
    for lang in LANGUAGES:
        sentence = facts.raw["contact"]["sentence"][lang]
        assert facts.contact_email in sentence
        assert "Showcase Cities" in sentence  # says what the address really is


def test_commit_benefit_agrees_with_commitment_length(facts: CallFacts) -> None:
    commit = next(b for b in facts.raw["benefits"] if b["id"] == "commit")
    for lang in LANGUAGES:
        assert str(facts.commitment_months) in commit["text"][lang]


@pytest.mark.parametrize(
    ("country", "region"),
    [
        ("DE", "eu"),
        ("FR", "eu"),
        ("BR", "lac"),
        ("CO", "lac"),
        ("JP", "asia"),
        ("in", "asia"),
    ],
)
def test_other_regions_point_to_the_right_call(
    facts: CallFacts, country: str, region: str
) -> None:
    found = region_for_country(facts, country)
    assert found is not None and found.id == region
    assert set(found.notes) == set(LANGUAGES)


def test_eligible_and_unknown_countries_have_no_other_region(facts: CallFacts) -> None:
    for code in (*facts.eligible_countries, "AU", "ZA"):
        assert region_for_country(facts, code) is None


def test_other_regions_do_not_overlap_the_eligible_countries(facts: CallFacts) -> None:
    seen: set[str] = set(facts.eligible_countries)
    for region in facts.other_regions:
        assert not region.countries & seen, region.id
        seen |= region.countries


# --- deadline status ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "10 days left"), ("fr", "il reste 10 jours"), ("es", "quedan 10 días")],
)
def test_deadline_open_counts_days_left(
    facts: CallFacts, lang: str, expected: str
) -> None:
    status = deadline_status(facts, lang, today=facts.deadline - timedelta(days=10))
    assert expected in status


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "1 day left"), ("fr", "il reste 1 jour."), ("es", "queda 1 día")],
)
def test_deadline_one_day_left_is_singular(
    facts: CallFacts, lang: str, expected: str
) -> None:
    status = deadline_status(facts, lang, today=facts.deadline - timedelta(days=1))
    assert expected in status


def test_deadline_day_itself_is_still_open(facts: CallFacts) -> None:
    status = deadline_status(facts, "en", today=facts.deadline)
    assert "last day" in status
    assert "closed" not in status


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "closed since March 15, 2019"),
        ("fr", "clos depuis le 15 mars 2019"),
        ("es", "cerrada desde el 15 de marzo de 2019"),
    ],
)
def test_deadline_closed_after_the_date(
    facts: CallFacts, lang: str, expected: str
) -> None:
    status = deadline_status(facts, lang, today=facts.deadline + timedelta(days=1))
    assert expected in status
    assert expected in deadline_status(facts, lang, today=date(2030, 1, 1))


def test_deadline_status_defaults_to_today(facts: CallFacts) -> None:
    # 2019 is long gone: without `today` the real date is used and the call is closed.
    assert "closed" in deadline_status(facts, "en")


# --- rendering ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "deadline", "threshold", "countries"),
    [
        (
            "en",
            "Friday, March 15, 2019",
            "100,000",
            "Canada, United States, and Mexico",
        ),
        (
            "fr",
            "vendredi 15 mars 2019",
            "100\u202f000",
            "Canada, États-Unis et Mexique",
        ),
        (
            "es",
            "viernes, 15 de marzo de 2019",
            "100,000",
            "Canadá, Estados Unidos y México",
        ),
    ],
)
def test_render_formats_per_language(
    facts: CallFacts, lang: str, deadline: str, threshold: str, countries: str
) -> None:
    text = "{deadline}|{population_threshold}|{eligible_countries}|{commitment_months}"
    assert render_answer(text, lang, facts) == f"{deadline}|{threshold}|{countries}|18"


def test_render_themes_and_contact_in_language(facts: CallFacts) -> None:
    fr = render_answer("{themes}. {contact}", "fr", facts)
    assert "mobilité urbaine durable" in fr and "logement" in fr
    assert "https://iuc.eu/na/" in fr and "contactez" in fr
    es = render_answer("{themes}", "es", facts)
    assert "vivienda" in es and "economía circular" in es


def test_render_deadline_status_uses_today(facts: CallFacts) -> None:
    text = "Due {deadline}. {deadline_status}"
    before = render_answer(text, "en", facts, today=date(2019, 3, 5))
    after = render_answer(text, "en", facts, today=date(2019, 3, 16))
    assert before.endswith("10 days left.")
    assert "closed" in after


def test_render_leaves_plain_text_alone(facts: CallFacts) -> None:
    assert render_answer("No placeholder here.", "es", facts) == "No placeholder here."


def test_unknown_placeholder_is_named(facts: CallFacts) -> None:
    with pytest.raises(ValueError, match=r"\{budget\}"):
        render_answer("The budget is {budget}.", "en", facts)


@pytest.mark.parametrize("text", ["{deadline", "{deadline:>10}", "{deadline!r}", "{}"])
def test_malformed_placeholder_is_a_clear_error(facts: CallFacts, text: str) -> None:
    with pytest.raises(ValueError):
        render_answer(text, "en", facts)


@pytest.mark.parametrize("lang", ["de", "EN", "", "pt"])
def test_unknown_language_is_named(facts: CallFacts, lang: str) -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        render_answer("{deadline}", lang, facts)
    with pytest.raises(ValueError, match="unsupported language"):
        deadline_status(facts, lang)


# --- malformed call.yml --------------------------------------------------------------


def test_missing_key_names_file_and_key(tmp_path: Path) -> None:
    data = _raw_copy()
    del data["deadline"]["date"]
    path = _write(tmp_path, data)
    with pytest.raises(CallFactsError, match=r"call\.yml: deadline\.date: missing key"):
        load_call_facts(path)


def test_bad_value_names_the_key(tmp_path: Path) -> None:
    data = _raw_copy()
    data["eligibility"]["population_threshold"] = "a lot"
    with pytest.raises(CallFactsError, match=r"eligibility\.population_threshold"):
        load_call_facts(_write(tmp_path, data))


def test_missing_translation_is_named(tmp_path: Path) -> None:
    data = _raw_copy()
    del data["themes"][1]["names"]["es"]
    with pytest.raises(CallFactsError, match=r"themes\[1\]\.names\.es"):
        load_call_facts(_write(tmp_path, data))


def test_bad_country_code_is_named(tmp_path: Path) -> None:
    data = _raw_copy()
    data["eligibility"]["countries"] = ["CA", "United States"]
    with pytest.raises(CallFactsError, match=r"eligibility\.countries\[1\]"):
        load_call_facts(_write(tmp_path, data))


def test_invalid_yaml_and_missing_file_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yml"
    bad.write_text("deadline: [unclosed\n", encoding="utf-8")
    with pytest.raises(CallFactsError, match=r"broken\.yml"):
        load_call_facts(bad)
    with pytest.raises(CallFactsError, match=r"absent\.yml"):
        load_call_facts(tmp_path / "absent.yml")
    empty = tmp_path / "empty.yml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CallFactsError, match=r"empty\.yml"):
        load_call_facts(empty)


# --- whether the call is open (issue 16: a closed call is said) ---------------------


def test_the_call_is_open_up_to_its_last_day_and_closed_the_day_after(
    facts: CallFacts,
) -> None:
    assert facts.deadline == date(2019, 3, 15)
    before = call_status(facts, today=facts.deadline - timedelta(days=3))
    assert before.open and not before.closed and before.days_left == 3
    assert call_status(facts, today=facts.deadline).open
    after = call_status(facts, today=facts.deadline + timedelta(days=1))
    assert after.closed and after.days_left == -1
    assert call_status(facts).closed  # today, years later


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "This call closed on March 15, 2019: the verdict describes the criteria",
        ),
        ("fr", "Cet appel a pris fin le 15 mars 2019 : le verdict décrit les critères"),
        ("es", "Esta convocatoria cerró el 15 de marzo de 2019: el resultado describe"),
    ],
)
def test_a_closed_call_is_said_with_what_the_verdict_and_the_draft_mean(
    facts: CallFacts, lang: str, expected: str
) -> None:
    sentence = call_status_sentence(facts, lang, today=date(2026, 1, 1))
    assert sentence.startswith(expected)
    assert {"en": "future application", "fr": "candidature future",
            "es": "solicitud futura"}[lang] in sentence  # fmt: skip


def test_an_open_call_says_how_long_it_stays_open(facts: CallFacts) -> None:
    ten_days = call_status_sentence(facts, "fr", facts.deadline - timedelta(days=10))
    assert "ouvert" in ten_days and "10 jours" in ten_days
    assert "last day" in call_status_sentence(facts, "en", facts.deadline)


def test_a_call_file_without_the_closed_sentence_is_refused(tmp_path: Path) -> None:
    data = _raw_copy()
    del data["messages"]["call_closed"]["es"]
    with pytest.raises(CallFactsError, match="call_closed"):
        load_call_facts(_write(tmp_path, data))
