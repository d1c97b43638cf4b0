"""Schemathesis against the OpenAPI schema, with all its checks."""

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
def test_every_answer_matches_the_schema(case: schemathesis.Case) -> None:
    # Every check schemathesis has: no server error, documented status codes,
    # content types, headers and bodies, invalid input refused, valid input served.
    case.call_and_validate()
