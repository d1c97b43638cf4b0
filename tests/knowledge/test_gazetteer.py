"""The offline city lookup finds the cities people name, the way they name them."""

from __future__ import annotations

import time

import pytest

from knowledge.gazetteer import Gazetteer, get_gazetteer
from knowledge.language import one_edit


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return get_gazetteer()


def test_ottawa_is_ottawa_ontario_with_its_population(gazetteer: Gazetteer) -> None:
    first = gazetteer.lookup("Ottawa")[0]
    assert (first.name, first.country, first.region, first.region_code) == (
        "Ottawa",
        "CA",
        "Ontario",
        "ON",
    )
    assert first.country_name == "Canada"
    assert first.population > 900_000
    assert first.geonames_id > 0


def test_springfield_returns_several_us_cities_most_populous_first(
    gazetteer: Gazetteer,
) -> None:
    found = gazetteer.lookup("Springfield")
    assert len(found) >= 3
    assert {c.country for c in found} == {"US"}
    assert len({c.region_code for c in found}) == len(found)
    populations = [c.population for c in found]
    assert populations == sorted(populations, reverse=True)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Montréal", "Montréal"),
        ("montreal", "Montréal"),
        ("MONTREAL", "Montréal"),
        ("Mexico City", "Mexico City"),
        ("Ciudad de México", "Mexico City"),
        ("ciudad de mexico", "Mexico City"),
        ("CDMX", "Mexico City"),
        ("New York", "New York City"),
        ("New York City", "New York City"),
        ("City of Ottawa", "Ottawa"),
        ("Ville de Laval", "Laval"),
        ("Saint Catharines", "St. Catharines"),
    ],
)
def test_names_match_without_case_accents_or_prefixes(
    gazetteer: Gazetteer, name: str, expected: str
) -> None:
    assert gazetteer.lookup(name)[0].name == expected


@pytest.mark.parametrize(
    ("country", "region"),
    [("US", "IL"), ("US", "Illinois"), (None, "illinois"), ("United States", None)],
)
def test_country_and_region_narrow_the_list(
    gazetteer: Gazetteer, country: str | None, region: str | None
) -> None:
    found = gazetteer.lookup("Springfield", country=country, region=region)
    assert found
    assert all(c.country == "US" for c in found)
    if region:
        assert [(c.region, c.region_code) for c in found] == [("Illinois", "IL")]


@pytest.mark.parametrize(
    ("name", "country", "region", "expected_region"),
    [
        ("Toronto", "CA", "ON", "Ontario"),
        ("Toronto", "Canada", "Ontario", "Ontario"),
        ("Guadalajara", "Mexique", "Jalisco", "Jalisco"),
        ("Guadalajara", None, "JAL", "Jalisco"),
        ("Monterrey", "México", "Nuevo León", "Nuevo León"),
        ("Québec", None, "QC", "Quebec"),
        ("Vancouver", None, "Colombie-Britannique", "British Columbia"),
    ],
)
def test_canadian_provinces_and_mexican_states_by_name_or_code(
    gazetteer: Gazetteer,
    name: str,
    country: str | None,
    region: str,
    expected_region: str,
) -> None:
    found = gazetteer.lookup(name, country=country, region=region)
    assert [c.region for c in found] == [expected_region]


def test_guadalajara_in_mexico_not_spain(gazetteer: Gazetteer) -> None:
    assert {c.country for c in gazetteer.lookup("Guadalajara")} == {"MX", "ES"}
    assert [c.country for c in gazetteer.lookup("Guadalajara", country="MX")] == ["MX"]


@pytest.mark.parametrize(
    ("text", "country", "region_code"),
    [
        ("Springfield, IL", "US", "IL"),
        ("Ottawa, Canada", "CA", "ON"),
        ("Ottawa, ON, Canada", "CA", "ON"),
        ("Guadalajara, Jalisco, México", "MX", "JAL"),
    ],
)
def test_city_with_region_or_country_after_a_comma(
    gazetteer: Gazetteer, text: str, country: str, region_code: str
) -> None:
    found = gazetteer.lookup(text)
    assert [(c.country, c.region_code) for c in found] == [(country, region_code)]


@pytest.mark.parametrize(
    ("name", "country", "region"),
    [
        ("Nowhereville", None, None),
        ("", None, None),
        ("   ", None, None),
        ("x" * 5000, None, None),
        ("Ottawa", "Narnia", None),
        ("Ottawa", "FR", None),
        ("Springfield", "US", "Atlantis"),
    ],
)
def test_unknown_names_give_an_empty_list(
    gazetteer: Gazetteer, name: str, country: str | None, region: str | None
) -> None:
    assert gazetteer.lookup(name, country=country, region=region) == []


def test_region_names_tell_the_country(gazetteer: Gazetteer) -> None:
    assert gazetteer.region_country("Ontario") == "CA"
    assert gazetteer.region_country("Jalisco") == "MX"
    assert gazetteer.region_country("Texas") == "US"
    # "NL" is both Newfoundland and Labrador and Nuevo León: no guess.
    assert gazetteer.region_country("NL") is None


def test_unsupported_city_list_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="min_population"):
        Gazetteer(min_population=123)


def test_constructor_is_instant_so_servers_start_fast() -> None:
    started = time.perf_counter()
    fresh = Gazetteer()
    assert time.perf_counter() - started < 0.05
    assert fresh._primary is None  # built on the first lookup, not at start-up


def test_namesakes_are_told_apart_by_the_larger_city_near_them(
    gazetteer: Gazetteer,
) -> None:
    # Two Sainte-Catherine in Québec: one by Montréal, one by Trois-Rivières.
    near = {
        m.population: gazetteer.nearest_larger(m.geonames_id, m.country, m.population)
        for m in gazetteer.lookup("Sainte-Catherine", country="CA")
    }
    assert sorted(near.values()) == ["Montréal", "Trois-Rivières"]


@pytest.mark.parametrize(
    ("typed", "countries", "found"),
    [
        ("Monterey", ("MX",), "Monterrey"),  # a letter missing
        ("Guadalajra", ("MX",), "Guadalajara"),
        ("Tijuanna", ("MX", "US", "CA"), "Tijuana"),  # a letter extra
        ("Sherbrooke", ("MX",), None),  # not in those countries
        ("Laval", ("CA", "US", "MX"), None),  # too short to guess
    ],
)
def test_cities_spelled_one_letter_apart(
    gazetteer: Gazetteer, typed: str, countries: tuple[str, ...], found: str | None
) -> None:
    near = gazetteer.spelled_nearly(typed, countries)
    assert (near[0].name if near else None) == found
    assert all(m.country in countries for m in near)


def test_one_edit() -> None:
    assert one_edit("monterey", "monterrey") and one_edit("otawa", "ottawa")
    assert one_edit("otatwa", "ottawa") and one_edit("ottawz", "ottawa")
    assert not one_edit("ottawa", "ottawa") and not one_edit("otaw", "ottawa")
    assert not one_edit("tootawa", "ottawa")
