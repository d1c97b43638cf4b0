"""POST /api/eligibility: the dialogue's eligibility module over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def test_a_large_canadian_city_is_encouraged(client: TestClient) -> None:
    response = client.post(
        "/api/eligibility", json={"city": "Ottawa", "country": "Canada"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "encouraged"
    assert body["city"]["region"] == "Ontario"
    assert body["city"]["population"] > 100_000
    assert body["reasons"]


def test_a_european_city_is_told_which_call_fits(client: TestClient) -> None:
    body = client.post(
        "/api/eligibility", json={"city": "Lyon", "country": "France", "language": "fr"}
    ).json()
    assert body["verdict"] == "wrong_region"
    assert "Union européenne" in body["suggested_region"]


def test_an_ambiguous_city_lists_the_candidates(client: TestClient) -> None:
    body = client.post(
        "/api/eligibility", json={"city": "Springfield", "country": "US"}
    ).json()
    assert body["verdict"] == "need_more_info"
    assert {c["region"] for c in body["candidates"]} >= {"Illinois", "Missouri"}


def test_a_small_city_is_below_threshold(client: TestClient) -> None:
    body = client.post(
        "/api/eligibility",
        json={"city": "Smallville", "country": "Canada", "population": 5000},
    ).json()
    assert body["verdict"] == "below_threshold"


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({}, "city"),
        ({"city": ""}, "city"),
        ({"city": "  "}, "city"),
        ({"city": "x" * 201}, "city"),
        ({"city": "Ottawa", "population": -1}, "population"),
        ({"city": "Ottawa", "population": 10**12}, "population"),
        ({"city": "Ottawa", "language": "it"}, "language"),
        ({"city": "Ottawa", "group_of_municipalities": "maybe"}, "group"),
        ({"city": "Ottawa", "extra": 1}, "extra"),
    ],
)
def test_bad_eligibility_input_gets_a_clear_422(
    client: TestClient, payload: dict[str, Any], needle: str
) -> None:
    response = client.post("/api/eligibility", json=payload)
    assert response.status_code == 422
    assert needle in response.json()["detail"]


@pytest.mark.parametrize(
    ("lang", "closed_words"),
    [("en", "closed on March 15, 2019"), ("fr", "pris fin le 15 mars 2019")],
)
def test_an_encouraging_verdict_says_the_call_has_closed(
    client: TestClient, lang: str, closed_words: str
) -> None:
    body = client.post(
        "/api/eligibility",
        json={
            "city": "Winnipeg",
            "country": "CA",
            "population": 700000,
            "language": lang,
        },
    ).json()
    assert body["verdict"] == "encouraged"
    assert body["call"]["open"] is False
    assert closed_words in body["call"]["sentence"]
