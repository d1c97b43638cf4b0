"""What the routes depend on: the app's settings, its services and its own texts.

The services are the shared service layer (``assistant.core.services``), created once
per app and loaded lazily (or warmed up in the background by ``python -m
assistant.web``), never at import time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import yaml
from fastapi import Depends, Request

from assistant.core.drafts import DraftStore, DraftStoreError
from assistant.core.services import Services
from assistant.core.settings import Settings

if TYPE_CHECKING:
    from assistant.core.records.store import RecordStore
    from knowledge.facts import CallFacts
    from knowledge.service import Answerer

log = logging.getLogger(__name__)

MESSAGES_FILE = Path(__file__).resolve().parent.parent / "messages.yml"
T = TypeVar("T")


class ServiceUnavailable(RuntimeError):
    """A backing service (knowledge index, database) cannot be used right now."""


@lru_cache
def messages() -> dict[str, dict[str, str]]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        data: dict[str, dict[str, str]] = yaml.safe_load(handle)
    return data


def message(key: str, lang: str) -> str:
    texts = messages()[key]
    return texts.get(lang) or texts["en"]


def manifest_present(index_dir: Path) -> bool:
    """True when a built knowledge index (its manifest) is in ``index_dir``."""
    try:
        return (index_dir / "manifest.json").is_file() or any(
            index_dir.glob("manifest*")
        )
    except OSError:
        return False


class AppServices:
    """The shared service layer as the routes use it: a service that cannot be used
    raises :class:`ServiceUnavailable`, which the app answers with a 503."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.core = Services(settings)

    def answerer(self) -> Answerer:
        index_dir = self.settings.knowledge.index_dir
        # Building a missing index takes a minute: only the background warm-up may.
        if not self.core.loaded("answerer") and not manifest_present(index_dir):
            raise ServiceUnavailable(
                f"the knowledge index is missing in {index_dir}: run `make kb`"
            )
        return self._use("the knowledge index", self.core.answerer)

    def answerer_loaded(self) -> bool:
        return self.core.loaded("answerer")

    def drafts(self) -> DraftStore:
        return self._use("the drafts store", self.core.drafts)

    async def open_drafts(self) -> DraftStore:
        """:meth:`drafts` from the event loop: opening the database (when the warm-up
        could not) blocks, so it runs in a thread, within the database timeout."""
        if self.core.loaded("drafts"):
            return self.drafts()
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self.drafts),
                self.settings.database.timeout_seconds,
            )
        except TimeoutError:
            late = "the drafts database did not open in time"
            raise ServiceUnavailable(late) from None

    def records(self) -> RecordStore:
        return self._use("the records store", self.core.records)

    def facts(self) -> CallFacts:
        return self._use("the call facts", self.core.facts)

    def contact_sentence(self, lang: str) -> str:
        try:
            sentences = self.facts().raw["contact"]["sentence"]
            return str(sentences.get(lang) or sentences["en"])
        except (ServiceUnavailable, KeyError, TypeError, AttributeError):
            return ""

    def warm_up(self) -> None:
        """Load the services in a background thread so the first question is fast."""

        def warm_up() -> None:
            self.core.warm_up()
            try:  # the app alone opens (and migrates) the records store
                self.core.records()
            except Exception:
                log.exception("warm-up: the records store failed")

        threading.Thread(target=warm_up, name="services-warm-up", daemon=True).start()

    def close(self) -> None:
        self.core.close()

    @staticmethod
    def _use(what: str, load: Callable[[], T]) -> T:
        try:
            return load()
        except DraftStoreError as exc:
            log.error("%s unavailable: %s", what, exc)
            raise ServiceUnavailable(str(exc)) from exc
        except Exception as exc:  # any load failure means: this service is down
            log.exception("cannot load %s", what)
            raise ServiceUnavailable(f"cannot load {what}: {exc}") from exc


# Async, so FastAPI resolves them on the event loop instead of a worker thread.
async def get_services(request: Request) -> AppServices:
    services: AppServices = request.app.state.services
    return services


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


ServicesDep = Annotated[AppServices, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
