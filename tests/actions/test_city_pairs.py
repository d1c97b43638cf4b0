"""A named city's pairing question gets its own country's list of pairs."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from actions.city_pairs import cities_country, own_pairs_entry
from knowledge.engine import Hit, Result

CALL = ("CA", "US", "MX")


@dataclass(frozen=True)
class Place:
    country: str


PLACES = {
    "gatineau": ["CA"],
    "puebla": ["MX"],
    "laval": ["CA", "FR"],
    "london": ["GB", "CA", "US"],
    "lyon": ["FR"],
}


class Gazetteer:
    def lookup(self, name: str) -> list[Place]:
        return [Place(c) for c in PLACES.get(name.lower(), [])]


def answered(entry_id: str) -> Result:
    hit = Hit(entry_id, 0.8, "q", "a", "src", "fr", "pairs")
    return Result(True, "fr", [hit], [])


@pytest.mark.parametrize(
    ("cities", "countries"),
    [
        (["Gatineau"], {"CA"}),
        (["Laval"], {"CA"}),  # Laval, France is outside the call
        (["London"], {"CA", "US"}),
        (["Lyon"], set()),
        (["Gatineau", "Lyon"], set()),  # one placed nowhere in the call: unknown
        (["Gatineau", "Puebla"], {"CA", "MX"}),
    ],
)
def test_the_call_countries_of_the_cities_named(
    cities: list[str], countries: set[str]
) -> None:
    assert cities_country(cities, Gazetteer(), CALL) == countries


def test_another_countrys_pairs_give_way_to_the_citys_own() -> None:
    # Gatineau got the US pairs (session 14's notes).
    assert own_pairs_entry(answered("pairs-united-states"), {"CA"}) == "pairs-canada"
    assert own_pairs_entry(answered("pairs-canada"), {"MX"}) == "pairs-mexico"


@pytest.mark.parametrize(
    ("entry", "countries"),
    [
        ("pairs-canada", {"CA"}),  # already its own
        ("pairs-united-states", {"CA", "US"}),  # which country is unknown
        ("pairs-united-states", set()),
        ("pairs-existing-overview", {"CA"}),  # every country's pairs
        ("deadline-date", {"CA"}),
    ],
)
def test_other_answers_stay(entry: str, countries: set[str]) -> None:
    assert own_pairs_entry(answered(entry), countries) is None


def test_a_declined_question_stays_declined() -> None:
    declined = Result(False, "es", answered("pairs-united-states").hits, [])
    assert own_pairs_entry(declined, {"MX"}) is None
