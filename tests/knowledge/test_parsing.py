"""What people type into the self-check is understood, or clearly not understood."""

from __future__ import annotations

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from knowledge.parsing import parse_country, parse_yes_no
from knowledge.population import MAX_POPULATION, parse_population


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("150000", None, 150_000),
        ("150,000", None, 150_000),
        ("150 000", None, 150_000),
        ("150\u00a0000", "fr", 150_000),
        ("150\u202f000", "fr", 150_000),
        ("150.000", "es", 150_000),
        ("150.000", "fr", 150_000),
        ("150k", None, 150_000),
        ("150 K", None, 150_000),
        ("1.2 million", "en", 1_200_000),
        ("1,2 millones", "es", 1_200_000),
        ("1,2 million d'habitants", "fr", 1_200_000),
        ("about 2 million people", "en", 2_000_000),
        ("2M", None, 2_000_000),
        ("cien mil", "es", 100_000),
        ("cent mille", "fr", 100_000),
        ("one hundred thousand", "en", 100_000),
        ("a hundred and fifty thousand", "en", 150_000),
        ("ciento cincuenta mil habitantes", "es", 150_000),
        ("quatre-vingt mille", "fr", 80_000),
        ("une ville de cent mille habitants", "fr", 100_000),
        ("dos millones trescientos mil", "es", 2_300_000),
        ("1.017.000", "es", 1_017_000),
        ("around 1 017 449 inhabitants", "en", 1_017_449),
        ("150 mil habitantes", "es", 150_000),
        ("10,5 mil", "es", 10_500),
    ],
)
def test_population_formats_people_use(
    text: str, lang: str | None, expected: int
) -> None:
    assert parse_population(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # A lone mark before three digits groups thousands when nothing follows...
        ("1,200", "en", 1_200),
        ("1,200", "es", 1_200),
        # ...and is the language's decimal mark before a multiplier.
        ("1,200 millones", "es", 1_200_000),
        ("1,200 million", "en", None),  # 1.2 billion: not a city
        ("1.500 millones", "es", None),
        ("1.500 million", "en", 1_500_000),
        # Without a language, the only plausible reading wins.
        ("1,200 million", None, 1_200_000),
        # Other group lengths are decimals: no fraction of a person.
        ("1,2", None, None),
        ("1.5", "en", None),
    ],
)
def test_ambiguous_marks_follow_the_documented_rule(
    text: str, lang: str | None, expected: int | None
) -> None:
    assert parse_population(text, lang) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "lots",
        "-150000",
        "minus 5000",
        "0",
        "60 million",
        "mil millones",
        "1e6",
        "between 90,000 and 110,000",
        "1,2,3",
        "thousands of people",
        "x" * 10_000,
    ],
)
def test_population_nonsense_is_refused(text: str) -> None:
    assert parse_population(text) is None


def test_population_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        parse_population("150000", "de")


@given(st.integers(min_value=1, max_value=MAX_POPULATION))
def test_population_round_trips_through_each_language_format(value: int) -> None:
    for lang, locale in (("en", "en"), ("fr", "fr"), ("es", "es"), ("es", "es_MX")):
        written = format_decimal(value, locale=locale)
        assert parse_population(written, lang) == value, written
    assert parse_population(str(value)) == value


@given(st.integers(min_value=1, max_value=49), st.integers(min_value=0, max_value=9))
def test_decimal_millions_in_each_language(whole: int, tenth: int) -> None:
    expected = whole * 1_000_000 + tenth * 100_000
    assert parse_population(f"{whole}.{tenth} million", "en") == expected
    assert parse_population(f"{whole},{tenth} millions", "fr") == expected
    assert parse_population(f"{whole},{tenth} millones", "es") == expected


@given(st.integers(min_value=MAX_POPULATION + 1, max_value=10**12))
def test_population_above_the_sanity_bound_is_refused(value: int) -> None:
    assert parse_population(f"{value:,}") is None


@given(st.text(max_size=60))
def test_population_never_crashes(text: str) -> None:
    result = parse_population(text)
    assert result is None or 1 <= result <= MAX_POPULATION


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("le Canada", "CA"),
        ("Canadá", "CA"),
        ("Mexique", "MX"),
        ("México", "MX"),
        ("Méjico", "MX"),
        ("Estados Unidos", "US"),
        ("EEUU", "US"),
        ("EE. UU.", "US"),
        ("USA", "US"),
        ("U.S.", "US"),
        ("United States of America", "US"),
        ("États-Unis", "US"),
        ("Etats Unis", "US"),
        ("les États-Unis d'Amérique", "US"),
        ("US", "US"),
        ("us", "US"),
        ("CA", "CA"),
        ("MX", "MX"),
        ("France", "FR"),
        ("Alemania", "DE"),
        ("l'Allemagne", "DE"),
        ("Brésil", "BR"),
        ("China", "CN"),
        ("Japón", "JP"),
        ("India", "IN"),
        ("Colombie", "CO"),
        ("Reino Unido", "GB"),
        ("FRA", "FR"),
        ("Ottawa, Canada", "CA"),
        ("we are in the USA", "US"),
        ("New Mexico", "US"),
    ],
)
def test_country_names_in_three_languages(text: str, code: str) -> None:
    assert parse_country(text) == code


@pytest.mark.parametrize(
    "text",
    ["", "Narnia", "tell us more", "Los Angeles, CA", "Canada or USA", "no", "a" * 600],
)
def test_country_unclear_gives_none(text: str) -> None:
    assert parse_country(text) is None


@pytest.mark.parametrize(
    "text",
    ["yes", "Yes please", "yep", "sure", "that's right", "oui", "Oui, merci",
     "d'accord", "c'est ça", "sí", "si", "claro", "vale", "por supuesto"],
)  # fmt: skip
def test_yes_answers(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize(
    "text",
    ["no", "No thanks", "nope", "that's not right", "non", "pas du tout",
     "absolument pas", "no es correcto", "para nada", "nunca"],
)  # fmt: skip
def test_no_answers(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["", "maybe", "yes and no", "Springfield", "x" * 600])
def test_unclear_answers_give_none(text: str) -> None:
    assert parse_yes_no(text) is None
