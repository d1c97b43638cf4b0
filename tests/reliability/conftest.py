"""The app alone (no Rasa), started as `make run` starts it, on a given database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.live_stack import LiveStack, running_stack


@contextmanager
def app_on(workdir: Path, database_url: str | None = None) -> Iterator[LiveStack]:
    env = {"IUC_DATABASE__URL": database_url} if database_url else {}
    with running_stack(workdir, ("app",), env) as stack:
        yield stack


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    with app_on(tmp_path_factory.mktemp("sqlite-app")) as stack:
        yield stack


@pytest.fixture(scope="module")
def postgres_app(
    tmp_path_factory: pytest.TempPathFactory, postgres_url: str
) -> Iterator[LiveStack]:
    with app_on(tmp_path_factory.mktemp("postgres-app"), postgres_url) as stack:
        yield stack
