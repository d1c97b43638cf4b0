"""The one model of a draft's fields: what is stored for what is typed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.core.draft_fields import normalise, stored_view


def test_typed_values_are_stored_normalised() -> None:
    assert normalise(
        {
            "city": "  Saint-Jean-sur-Richelieu ",
            "country": "EE. UU.",
            "contact_email": " ana@city.example ",
            "themes": ["circular economy", "housing", "Culture"],
            "motivation": "  Line 1\nLine 2  ",
            "region": "",
        }
    ) == {
        "city": "Saint-Jean-sur-Richelieu",
        "country": "US",
        "contact_email": "ana@city.example",
        "themes": ["housing", "circular-economy", "Culture"],
        "motivation": "Line 1\nLine 2",
        "region": None,
    }


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"country": "Narnia"}, "country"),
        ({"contact_email": "jane at city"}, "email"),
        ({"motivation": "ok"}, "motivation_too_short"),
        ({"city": "1234"}, "text"),
        ({"population": -1}, "greater_than_equal"),
        ({"themes": ["x"] * 21}, "too_long"),
        ({"unknown": 1}, "extra_forbidden"),
    ],
)
def test_refused_values_name_a_type_the_pages_translate(
    fields: dict, error: str
) -> None:
    with pytest.raises(ValidationError) as info:
        normalise(fields)
    assert info.value.errors()[0]["type"] == error


def test_a_saved_value_the_model_refuses_is_shown_as_saved() -> None:
    view = stored_view({"country": "Canada", "population": "about 400k"})
    assert view == {"country": "CA", "population": "about 400k"}
