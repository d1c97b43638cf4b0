"""The one service layer: typed, lazily built services shared by the web app and the
action server.

Nothing loads at import time. Each service is built once per :class:`Services` on
first use; the answerer's cache is ``knowledge.service.load_answerer``'s (one per index
and model in the process). Loading takes seconds, so the servers call :meth:`warm_up`
off their event loop before the first request, and the action server reaches a
service that is not loaded yet through ``asyncio.to_thread``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

from assistant.core.settings import Settings, get_settings

if TYPE_CHECKING:
    from assistant.core.drafts import DraftStore
    from assistant.core.records.store import RecordStore
    from knowledge.facts import CallFacts
    from knowledge.gazetteer import Gazetteer
    from knowledge.service import Answerer

log = logging.getLogger(__name__)
T = TypeVar("T")


class Services:
    """The answerer, call facts, gazetteer and drafts store for one set of settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._built: dict[str, Any] = {}

    def _get(self, name: str, build: Callable[[], T]) -> T:
        if name not in self._built:
            with self._lock:
                if name not in self._built:
                    self._built[name] = build()
        return cast(T, self._built[name])

    def override(self, name: str, value: Any) -> None:
        """Use ``value`` as service ``name`` (tests put fakes in place this way)."""
        self._built[name] = value

    def loaded(self, name: str) -> bool:
        return name in self._built

    def answerer(self) -> Answerer:
        """The knowledge engine; builds the index first when it is missing or stale."""

        def build() -> Answerer:
            from knowledge.service import load_answerer

            knowledge = self.settings.knowledge
            return load_answerer(
                knowledge.index_dir, knowledge.embedding_model, knowledge.finetune
            )

        return self._get("answerer", build)

    def facts(self) -> CallFacts:
        from knowledge.facts import load_call_facts

        return self._get("facts", load_call_facts)

    def gazetteer(self) -> Gazetteer:
        from knowledge.gazetteer import get_gazetteer

        return self._get("gazetteer", get_gazetteer)

    def drafts(self) -> DraftStore:
        from assistant.core.drafts import DraftStore

        database = self.settings.database
        return self._get(
            "drafts", lambda: DraftStore(database.url, database.timeout_seconds)
        )

    def records(self) -> RecordStore:
        """The staff console's records (opening it migrates the database)."""
        from assistant.core.records.store import RecordStore

        return self._get("records", lambda: RecordStore(self.settings.database.url))

    def public_url(self) -> str:
        return self._get("public_url", lambda: self.settings.app.public_url)

    def warm_up(self, *, answerer: bool = True) -> None:
        """Load every service now (blocking: run it in a thread). A failure is logged
        and left for the first real call to report to the user."""
        from knowledge.language import detect, vocabulary_language

        started = time.perf_counter()
        loaders: list[Callable[[], object]] = [self.facts, self.gazetteer, self.drafts]
        if answerer:
            loaders.append(self.answerer)
        for load in loaders:
            try:
                load()
            except Exception:
                log.exception("warm-up: %s failed", getattr(load, "__name__", load))
        try:
            detect("Warm up the language detector with a sentence.")
            vocabulary_language("hola")  # builds the short messages' word list
        except Exception:
            log.exception("warm-up: language detector unavailable")
        log.info("services loaded in %.1f s", time.perf_counter() - started)

    def close(self) -> None:
        # Forgotten once closed: a later use (the app started again) reopens them.
        for name in ("records", "drafts"):
            store = self._built.pop(name, None)
            if store is not None and hasattr(store, "close"):
                store.close()


@cache
def get_services() -> Services:
    """The process's services, from :func:`get_settings` (the action server's)."""
    return Services(get_settings())
