"""The drafts API accepts exactly what its OpenAPI schema says, as schemathesis judges
it (jsonschema_rs, ECMA-262 regexes): each body below is one class of request the two
once disagreed on, found with many fuzz examples (schemathesis' rare "schema-violating
request accepted" on POST /api/applications)."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

BASE = {"city": "Ottawa", "country": "CA"}
BODIES: dict[str, dict[str, Any]] = {
    # Blanks clear text fields only, within their length.
    "blank population": {"population": ""},
    "blank yes/no": {"group_of_municipalities": " "},
    "blank language": {"language": ""},
    "blank themes": {"themes": ""},
    "300 spaces as region": {"region": " " * 300},
    "blank e-mail": {"contact_email": "  "},
    # Lengths count what is sent, before spaces are folded or trimmed.
    "201 characters with a leading space": {"city": " " + "a" * 200},
    "201 characters with a double space": {"role": "a  " + "a" * 198},
    "5001 characters of motivation": {"motivation": "a" * 5000 + " "},
    "101-character theme folded to 100": {"themes": ["a  " + "b" * 98]},
    "long theme naming a known one": {"themes": ["housing " + "x" * 120]},
    # Spaces as str.isspace() counts them (ECMA's \s omits \x1c and \x85).
    "theme of one \\x85": {"themes": ["\x85"]},
    "theme of one \\x1c": {"themes": ["\x1c"]},
    "e-mail between spaces": {"contact_email": " jane@ottawa.ca\n"},
    # A "letter" in any script (ECMA's \w is ASCII-only).
    "non-Latin name": {"contact_name": "李小龙"},
    "accented name": {"contact_name": "Żółć"},
    "digits only": {"role": "1234"},
    "punctuation only": {"role": "--"},
    # A country is a code or a name (a format, not an enum of codes).
    "country by name": {"country": "Mexique"},
    "lower-case code": {"country": "us"},
}


@pytest.fixture(scope="module")
def validators(
    client_for_schema: TestClient,
) -> dict[str, jsonschema_rs.Draft202012Validator]:
    spec = client_for_schema.get("/openapi.json").json()

    def body(path: str, method: str) -> jsonschema_rs.Draft202012Validator:
        content = spec["paths"][path][method]["requestBody"]["content"]
        schema = {**content["application/json"]["schema"], **spec}
        return jsonschema_rs.Draft202012Validator(schema)

    return {
        "POST": body("/api/applications", "post"),
        "PATCH": body("/api/applications/{draft_id}", "patch"),
    }


@pytest.fixture(scope="module")
def client_for_schema(
    tmp_path_factory: pytest.TempPathFactory,
) -> TestClient:
    from assistant.web.app import create_app
    from tests.web.conftest import make_settings

    return TestClient(create_app(make_settings(tmp_path_factory.mktemp("schema"))))


@pytest.mark.parametrize("fields", BODIES.values(), ids=BODIES.keys())
def test_the_api_accepts_exactly_what_its_schema_allows(
    fields: dict[str, Any],
    validators: dict[str, jsonschema_rs.Draft202012Validator],
    client_for_schema: TestClient,
) -> None:
    client = client_for_schema
    created = client.post("/api/applications", json={**BASE, **fields})
    valid = validators["POST"].is_valid({**BASE, **fields})
    assert (created.status_code == 201) == valid, created.text

    draft = client.post("/api/applications", json=BASE).json()
    patched = client.patch(
        f"/api/applications/{draft['id']}",
        json=fields,
        headers={"Authorization": f"Bearer {draft['token']}"},
    )
    assert (patched.status_code == 200) == validators["PATCH"].is_valid(fields)
    assert patched.status_code in (200, 422)
