"""Draft applications over HTTP: create, read and autosave with the draft's token."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

TYPED = {
    "city": "  Montréal <script>alert(1)</script> ",
    "country": "Canada",
    "region": "Québec",
    "population": 1_762_949,
    "group_of_municipalities": False,
    "contact_name": "Zoë O'Brien-Núñez",
    "contact_email": "zoe@montreal.example",
    "role": "Directrice, relations internationales",
    "themes": ["circular economy", "housing"],
    "motivation": "Ligne 1\nLigne 2 — « guillemets »",
    "language": "fr",
}


def _create(client: TestClient, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/applications", json={**TYPED, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_create_returns_a_private_resume_link(client: TestClient) -> None:
    body = _create(client)
    assert uuid.UUID(body["id"]).version == 4
    assert len(body["token"]) >= 43  # 32 random bytes, url-safe base64
    assert body["resume_url"] == (
        f"http://testserver/drafts/{body['id']}#token={body['token']}"
    )


def test_the_owner_reads_back_exactly_what_was_typed(client: TestClient) -> None:
    created = _create(client)
    response = client.get(
        f"/api/applications/{created['id']}", headers=_auth(created["token"])
    )
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in TYPED} == TYPED
    assert "token" not in body


def test_patch_autosaves_and_keeps_other_fields(client: TestClient) -> None:
    created = _create(client)
    url, headers = f"/api/applications/{created['id']}", _auth(created["token"])
    patched = client.patch(url, json={"motivation": "Nouveau texte"}, headers=headers)
    assert patched.status_code == 200
    body = client.get(url, headers=headers).json()
    assert body["motivation"] == "Nouveau texte"
    assert body["contact_name"] == TYPED["contact_name"]
    assert body["updated_at"] >= body["created_at"]


def test_missing_wrong_token_and_unknown_draft_look_the_same(
    client: TestClient,
) -> None:
    created = _create(client)
    url = f"/api/applications/{created['id']}"
    other = _create(client)
    attempts = [
        client.get(url),
        client.get(url, headers=_auth("wrong")),
        client.get(url, headers=_auth(other["token"])),
        client.get(url, headers={"Authorization": created["token"]}),
        client.get(f"/api/applications/{uuid.uuid4()}", headers=_auth("x")),
        client.get("/api/applications/not-a-uuid", headers=_auth("x")),
        client.patch(url, json={"role": "x"}, headers=_auth("wrong")),
        client.patch(url, json={"role": "x"}),
    ]
    assert {r.status_code for r in attempts} == {404}
    assert {r.text for r in attempts} == {attempts[0].text}
    still = client.get(url, headers=_auth(created["token"])).json()
    assert still["role"] == TYPED["role"]


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"city": ""}, "city"),
        ({"city": "   "}, "city"),
        ({"country": None}, "country"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"population": -5}, "population"),
        ({"population": "many"}, "population"),
        ({"motivation": "x" * 5001}, "motivation"),
        ({"contact_name": "x" * 201}, "contact_name"),
        ({"themes": ["x"] * 21}, "themes"),
        ({"themes": ["x" * 101]}, "themes"),
        ({"language": "de"}, "language"),
        ({"is_admin": True}, "is_admin"),
    ],
)
def test_bad_fields_get_a_clear_422(
    client: TestClient, fields: dict[str, Any], needle: str
) -> None:
    response = client.post("/api/applications", json={**TYPED, **fields})
    assert response.status_code == 422
    assert needle in response.json()["detail"]


def test_city_and_country_are_required(client: TestClient) -> None:
    response = client.post("/api/applications", json={"city": "Ottawa"})
    assert response.status_code == 422
    assert "country" in response.json()["detail"]


@pytest.mark.parametrize(
    "change", [{"city": None}, {"country": ""}, {"contact_email": "nope"}, {"x": 1}]
)
def test_bad_patch_is_refused_and_saves_nothing(
    client: TestClient, change: dict[str, Any]
) -> None:
    created = _create(client)
    url, headers = f"/api/applications/{created['id']}", _auth(created["token"])
    assert client.patch(url, json=change, headers=headers).status_code == 422
    assert client.get(url, headers=headers).json()["city"] == TYPED["city"]


def test_the_api_keeps_to_its_schema_on_types(client: TestClient) -> None:
    # A yes/no answer is a boolean and a population a whole number: 0, "1" and true
    # used to pass as false, 1 and 1.
    for field, value in [
        ("group_of_municipalities", 0),
        ("group_of_municipalities", "yes"),
        ("population", True),
        ("population", "150000"),
    ]:
        body = {"city": "Ottawa", "country": "CA", field: value}
        response = client.post("/api/applications", json=body)
        assert response.status_code == 422, (field, value)
        assert field in response.json()["detail"]
    served = client.post(
        "/api/applications",
        json={"city": "Ottawa", "country": "CA", "population": 150000.0},
    )
    assert served.status_code == 201 and served.json()["population"] == 150000


def test_a_patch_cannot_null_the_city_and_the_schema_says_so(
    client: TestClient,
) -> None:
    created = client.post("/api/applications", json={"city": "A", "country": "CA"})
    auth = {"Authorization": f"Bearer {created.json()['token']}"}
    url = f"/api/applications/{created.json()['id']}"
    response = client.patch(url, json={"country": None}, headers=auth)
    assert response.status_code == 422
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert schema["ApplicationPatch"]["properties"]["country"]["type"] == "string"


def test_a_wrong_method_names_every_allowed_one(client: TestClient) -> None:
    response = client.delete("/api/applications/x")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH"


def test_every_error_status_is_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    patch = paths["/api/applications/{draft_id}"]["patch"]["responses"]
    assert {"200", "400", "404", "413", "422", "429", "500", "503"} <= set(patch)
    assert "401" in paths["/api/admin/applications"]["get"]["responses"]
    error = patch["422"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/ErrorBody")
