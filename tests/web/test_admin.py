"""Admin list and CSV export, behind HTTP Basic from settings."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.web.app import create_app
from tests.web.conftest import make_settings

ADMIN = ("admin", "s3cret")
URL = "/api/admin/applications"


def test_admin_needs_the_right_credentials(client: TestClient) -> None:
    assert client.get(URL).status_code == 401
    assert client.get(URL, auth=("admin", "wrong")).status_code == 401
    assert client.get(URL, auth=("root", "s3cret")).status_code == 401
    assert client.get(URL, auth=ADMIN).status_code == 200


def test_admin_is_disabled_without_a_password(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, admin_password=SecretStr(""))
    with TestClient(create_app(settings)) as client:
        assert client.get(URL, auth=("admin", "")).status_code == 404


def test_admin_lists_and_exports_drafts_safely(client: TestClient) -> None:
    for city in ("Ottawa", '=HYPERLINK("http://evil")'):
        client.post(
            "/api/applications",
            json={"city": city, "country": "Canada", "themes": ["housing", "other"]},
        )
    listed = client.get(URL, auth=ADMIN).json()
    assert [d["city"] for d in listed] == ["Ottawa", '=HYPERLINK("http://evil")']
    assert all("token" not in d for d in listed)

    export = client.get(URL, params={"format": "csv"}, auth=ADMIN)
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert rows[0]["city"] == "Ottawa"
    assert rows[0]["themes"] == "housing; other"
    # A formula is neutralised so a spreadsheet shows it as text.
    assert rows[1]["city"].startswith("'=")


def test_admin_rejects_an_unknown_format(client: TestClient) -> None:
    assert client.get(URL, params={"format": "xml"}, auth=ADMIN).status_code == 422


@pytest.mark.parametrize(
    "motivation",
    [
        '=HYPERLINK("http://evil")',
        "  =1+1",
        "\n=1+1",
        " \t@SUM(A1)",
        "\r-2+3",
        "＝1+1",
        "　＋cmd|' /C calc'!A0",
        "－1",
        "＠SUM(A1)",
    ],
)
def test_csv_neutralises_formulas_after_whitespace_and_in_full_width(
    client: TestClient, motivation: str
) -> None:
    client.post(
        "/api/applications",
        json={"city": "Ottawa", "country": "CA", "motivation": motivation},
    )
    export = client.get(URL, params={"format": "csv"}, auth=ADMIN)
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert rows[-1]["motivation"] == "'" + motivation
