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
    assert country_label("GB", "fr") == "Royaume-Uni"
    assert country_label("Narnia", "es") == "Narnia"  # shown as saved
