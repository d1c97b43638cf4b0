"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.live_stack import LiveStack, running_stack
from tests.postgres import throwaway_postgres


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """The real Rasa server, action server and web app, started once per test run."""
    with running_stack(tmp_path_factory.mktemp("live-stack")) as stack:
        yield stack


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database: a throwaway server, or IUC_TEST_POSTGRES_URL."""
    with throwaway_postgres() as url:
        yield url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Playwright's sync API keeps an event loop running in the main thread until the
    # session ends, and pytest-asyncio cannot start one beside it: the browser tests
    # run last, after every asyncio test (a stable sort keeps the rest in order).
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
