"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.live_stack import LiveStack, running_stack


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """The real Rasa server, action server and web app, started once per test run."""
    with running_stack(tmp_path_factory.mktemp("live-stack")) as stack:
        yield stack
