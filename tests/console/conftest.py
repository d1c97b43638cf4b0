"""Fixtures for the console tests: fresh databases on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from assistant.core.drafts import normalise_url

Fresh = Callable[[], str]


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Fresh:
    """A factory of URLs of empty databases of one kind."""
    if request.param == "sqlite":
        return lambda: f"sqlite:///{tmp_path / uuid.uuid4().hex / 'app.db'}"
    server = normalise_url(request.getfixturevalue("postgres_url"))

    def create() -> str:
        name = f"console_{uuid.uuid4().hex[:12]}"
        engine = create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return server.set(database=name).render_as_string(hide_password=False)

    return create


# The web app's fixtures (settings, a fake answerer, a scriptable Rasa), shared.
from tests.web.conftest import (  # noqa: E402, F401
    FakeAnswerer,
    FakeRasa,
    client,
    fake_rasa,
    rasa_client,
    settings,
)


class EmbeddingAnswerer(FakeAnswerer):
    """The web tests' fake answerer, with the knowledge tests' fake embedder as its
    ``kb.embedder`` (what the console groups questions with)."""

    def __init__(self) -> None:
        from types import SimpleNamespace

        from knowledge.embedders import FakeEmbedder

        super().__init__()
        self.kb = SimpleNamespace(embedder=FakeEmbedder())


@pytest.fixture
def answerer() -> FakeAnswerer:
    return EmbeddingAnswerer()
