"""Rate limit, CORS allowlist, security headers, and no stack trace to clients."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from assistant.web.app import create_app
from tests.web.conftest import ALLOWED_ORIGIN, FakeAnswerer, make_settings


def test_security_headers_on_pages_and_api(client: TestClient) -> None:
    for path in ("/", "/api/health", "/widget.js"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert client.get("/api/health").headers["cache-control"] == "no-store"
    # Swagger UI needs its CDN; only the docs pages get that policy.
    assert "cdn.jsdelivr.net" in client.get("/docs").headers["content-security-policy"]


def test_cors_allows_only_the_configured_origins(client: TestClient) -> None:
    allowed = client.get("/api/health", headers={"Origin": ALLOWED_ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    other = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers

    preflight = client.options(
        "/api/chat",
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    refused = client.options(
        "/api/chat",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert refused.status_code == 400


def test_rate_limit_per_client(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, rate_limit_per_minute=3))
    app.state.services.core.override("answerer", FakeAnswerer())
    with TestClient(app) as client:
        codes = [
            client.get("/api/search", params={"q": "deadline"}).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        limited = client.post("/api/chat", json={"message": "hi"})
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert "too many requests" in limited.json()["detail"]
        assert limited.headers["x-content-type-options"] == "nosniff"
        # Health stays reachable for monitoring, and so do the pages.
        assert client.get("/api/health").status_code == 200
        assert client.get("/").status_code == 200


def test_an_unexpected_error_never_shows_a_stack_trace(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "boom"})
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side. Please try again."
    }
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert "Traceback" not in response.text and "internal details" not in response.text


def test_unknown_paths_and_methods_are_plain_json_errors(client: TestClient) -> None:
    assert client.get("/api/nope").status_code == 404
    assert client.delete("/api/applications/x").status_code == 405
