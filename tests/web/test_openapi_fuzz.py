"""Schemathesis against the OpenAPI schema: no input may produce a server error."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from assistant.web.app import create_app
from tests.web.conftest import FakeAnswerer, make_settings


def _app():  # type: ignore[no-untyped-def]
    import tempfile

    app = create_app(make_settings(Path(tempfile.mkdtemp(prefix="iuc-fuzz-"))))
    app.state.services.core.override("answerer", FakeAnswerer())
    return app


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_causes_a_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text)
