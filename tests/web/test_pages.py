"""The pages, the widget files and the programme data behind the programme page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    "path", ["/", "/fr", "/es", "/?lang=es", "/eligibility", "/drafts/some-id"]
)
def test_pages_are_html(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text


def test_widget_is_served_as_javascript_and_css(client: TestClient) -> None:
    script = client.get("/widget.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "localStorage" in script.text
    assert client.get("/widget.css").headers["content-type"].startswith("text/css")


@pytest.mark.parametrize(
    ("lang", "country", "theme"),
    [
        ("en", "United States", "housing"),
        ("fr", "États-Unis", "logement"),
        ("es", "Estados Unidos", "vivienda"),
    ],
)
def test_programme_data_comes_from_the_call_facts_in_each_language(
    client: TestClient, lang: str, country: str, theme: str
) -> None:
    body = client.get("/api/programme", params={"lang": lang}).json()
    assert body["language"] == lang
    assert body["deadline"] == "2019-03-15"
    assert body["population_threshold"] == 100_000
    assert country in [c["name"] for c in body["countries"]]
    assert theme in body["themes"]
    assert body["contact"]["sentence"]
    assert body["source"]["url"].startswith("http")


def test_programme_rejects_an_unknown_language(client: TestClient) -> None:
    assert client.get("/api/programme", params={"lang": "de"}).status_code == 422


def test_the_favicon_is_an_icon_not_a_404(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO signature
