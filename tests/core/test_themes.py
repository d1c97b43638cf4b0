"""Themes read back from what people type, in English, French and Spanish."""

from __future__ import annotations

import pytest

from assistant.core.themes import own_themes, parse_themes, theme_choices, theme_label

MOBILITY, HOUSING, CIRCULAR = (
    "sustainable-urban-mobility",
    "housing",
    "circular-economy",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("housing and circular economy", [HOUSING, CIRCULAR]),
        ("logement et économie circulaire", [HOUSING, CIRCULAR]),
        ("vivienda y economía circular", [HOUSING, CIRCULAR]),
        # A short form of a long name, the second one after "et" (it was dropped).
        ("mobilité et logement", [MOBILITY, HOUSING]),
        ("movilidad, vivienda, economia circular", [MOBILITY, HOUSING, CIRCULAR]),
        ("smart city", ["smart-cities"]),
        ("I would say housing", [HOUSING]),
        ("autre", ["other"]),
        (HOUSING, [HOUSING]),
    ],
)
def test_themes_named_in_any_language(text: str, expected: list[str]) -> None:
    assert parse_themes(text) == expected


@pytest.mark.parametrize("text", ["urban", "space travel", "Oui", ""])
def test_no_theme_or_an_ambiguous_word_names_nothing(text: str) -> None:
    assert parse_themes(text) == []


def test_labels_in_each_language_and_unknown_kept() -> None:
    assert theme_label(HOUSING, "es") == "vivienda"
    assert theme_label("Culture", "fr") == "Culture"
    assert theme_choices("fr")[-1] == ("other", "autre")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("logement et culture", ["culture"]),
        ("vivienda, turismo y cultura", ["turismo", "cultura"]),
        ("housing and circular economy", []),
        # A sentence around the themes is no theme of one's own.
        ("housing, and we would also love to talk about our port", []),
        ("culture", []),  # nothing of the call named: the chat asks again
    ],
)
def test_themes_of_ones_own_beside_the_calls(text: str, expected: list[str]) -> None:
    assert own_themes(text) == expected
