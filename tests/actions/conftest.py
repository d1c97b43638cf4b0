"""Fixtures for the action unit tests."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from assistant.core.services import get_services

# The test modules import their helpers from beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from action_helpers import load_domain


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return load_domain()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(autouse=True)
def clean_services():
    """Each test starts with no cached (or faked) service."""
    get_services.cache_clear()
    yield
    get_services.cache_clear()
