"""Cities named together: asked about as several municipalities, not one's verdict."""

from __future__ import annotations

import pytest

from actions.city_questions import asked_together, with_any_city


def spans_of(text: str, *cities: str) -> list[tuple[int, int]]:
    return [(text.index(c), text.index(c) + len(c)) for c in cities]


@pytest.mark.parametrize(
    ("text", "cities", "lang", "asked_as"),
    [
        (
            "Can Toronto and Montreal apply together?",
            ("Toronto", "Montreal"),
            "en",
            "Can several municipalities apply together?",
        ),
        (
            "¿Pueden Tijuana y Mexicali postularse juntas?",
            ("Tijuana", "Mexicali"),
            "es",
            "¿Pueden varios municipios postularse juntas?",
        ),
        (
            "Montréal et Laval peuvent-elles déposer une candidature commune ?",
            ("Montréal", "Laval"),
            "fr",
            "plusieurs municipalités peuvent-elles déposer une candidature commune ?",
        ),
        # Not together: each is "my city", as before.
        (
            "Can Toronto and Montreal apply?",
            ("Toronto", "Montreal"),
            "en",
            "Can my city and my city apply?",
        ),
        # Together, but not about applying: a pair's work.
        (
            "What have Austin and Bologna done together?",
            ("Austin", "Bologna"),
            "en",
            "What have my city and my city done together?",
        ),
        (
            "Qu'ont réalisé Ottawa et Malmö ensemble ?",
            ("Ottawa", "Malmö"),
            "fr",
            "Qu'ont réalisé ma ville et ma ville ensemble ?",
        ),
        # Not side by side: Lyon is the partner, not a co-applicant.
        (
            "Can Toronto apply together with Lyon?",
            ("Toronto", "Lyon"),
            "en",
            "Can my city apply together with my city?",
        ),
    ],
)
def test_cities_asked_about_together(text, cities, lang, asked_as):
    spans = spans_of(text, *cities)
    assert with_any_city(text, spans, lang) == asked_as
    assert asked_together(text, spans) is (
        "several" in asked_as or "varios" in asked_as or "plusieurs" in asked_as
    )
