"""Place names as the bot shows them: in the user's language, payloads unchanged."""

from __future__ import annotations

import json

import pytest

from actions.places import candidate_button, place_label
from knowledge.place_names import country_label, region_label


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Halifax, Nova Scotia, Canada"),
        ("fr", "Halifax, Nouvelle-Écosse, Canada"),
        ("es", "Halifax, Nueva Escocia, Canadá"),
    ],
)
def test_place_label_in_each_language(lang: str, expected: str) -> None:
    assert place_label("Halifax", "Nova Scotia", "CA", lang) == expected


def test_a_button_is_labelled_in_french_and_fills_the_gazetteers_names() -> None:
    match = {"name": "Windsor", "region": "Ontario", "country": "CA"}
    button = candidate_button(match, "fr")
    assert button["title"] == "Windsor, Ontario, Canada"
    button = candidate_button({**match, "region": "Quebec"}, "fr")
    assert button["title"] == "Windsor, Québec, Canada"
    entities = json.loads("{" + button["payload"].split("{", 1)[1])
    assert entities["region"] == "Quebec"


def test_states_and_unknown_names() -> None:
    assert region_label("North Carolina", "US", "es") == "Carolina del Norte"
    assert region_label("Illinois", "US", "fr") == "Illinois"
    assert region_label("Ciudad de México", "MX", "en") == "Mexico City"
    # The state of México is not its capital (French writes the capital "Mexico").
    assert region_label("México", "MX", "es") == "Estado de México"
    assert region_label("Mexico", "MX", "en") == "State of Mexico"
    assert region_label("BC", "CA", "en") == "BC"  # a code stays as given
    assert country_label("GB", "fr") == "Royaume-Uni"
    assert country_label("Narnia", "es") == "Narnia"  # shown as saved


def test_which_one_buttons_never_look_the_same() -> None:
    # Live: two "Sainte-Catherine, Québec, Canada" buttons differed only by their
    # populations.
    from actions.places import candidate_buttons

    one = {"name": "Sainte-Catherine", "region": "Quebec", "country": "CA"}
    matches = [
        {**one, "population": 16762, "geonames_id": 1},
        {**one, "population": 16211, "geonames_id": 2},
        {**one, "population": 16211, "geonames_id": 3},  # no landmark tells it apart
        {"name": "Sainte-Catherine", "country": "FR", "population": 20000},
    ]
    near = {1: "Montréal", 2: "Trois-Rivières", 3: "Trois-Rivières"}
    buttons = candidate_buttons(matches, "fr", lambda m: near.get(m.get("geonames_id")))
    titles = [b["title"] for b in buttons]
    assert titles == [
        "Sainte-Catherine près de Montréal, Québec, Canada (16\u202f762)",
        "Sainte-Catherine près de Trois-Rivières, Québec, Canada (16\u202f211)",
        "Sainte-Catherine, France (20\u202f000)",  # alone of its kind: no landmark
    ]
    # Each button picks its own place: the population tells the namesakes apart.
    assert len({b["payload"] for b in buttons}) == 3
    assert '"population": 16211' in buttons[1]["payload"]
