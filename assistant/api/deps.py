"""Shared services of the web app, created lazily and once per app.

The answerer (embedding model + index) takes seconds to load, so it is loaded on first
use (or warmed up in the background by ``python -m assistant``), never at import time.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import Depends, Request

from assistant.drafts import DraftStore, DraftStoreError
from assistant.settings import Settings

log = logging.getLogger(__name__)

MESSAGES_FILE = Path(__file__).resolve().parent.parent / "messages.yml"
SOURCES_FILE = (
    Path(__file__).resolve().parent.parent.parent
    / "knowledge"
    / "corpus"
    / "sources.yml"
)
LANGUAGES = ("en", "fr", "es")


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


@lru_cache
def _sources() -> dict[str, dict[str, str]]:
    try:
        with SOURCES_FILE.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError):
        log.warning("cannot read %s: sources shown by id only", SOURCES_FILE)
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, dict)}


def source_info(source_id: str) -> dict[str, str | None]:
    """``{"id", "title", "url"}`` for a source id of knowledge/corpus/sources.yml."""
    entry = _sources().get(source_id, {})
    url = entry.get("url") or (source_id if source_id.startswith("http") else None)
    return {"id": source_id, "title": str(entry.get("title") or source_id), "url": url}


def manifest_present(index_dir: Path) -> bool:
    """True when a built knowledge index (its manifest) is in ``index_dir``."""
    try:
        return (index_dir / "manifest.json").is_file() or any(
            index_dir.glob("manifest*")
        )
    except OSError:
        return False


class Services:
    """Per-app holder of the lazily created answerer, drafts store and call facts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._answerer: Any = None
        self._drafts: DraftStore | None = None
        self._facts: Any = None

    def answerer(self) -> Any:
        if self._answerer is None:
            with self._lock:
                if self._answerer is None:
                    self._answerer = self._load_answerer()
        return self._answerer

    def _load_answerer(self, build: bool = False) -> Any:
        index_dir = self.settings.knowledge.index_dir
        # Building a missing index takes a minute: only the background warm-up may.
        if not build and not manifest_present(index_dir):
            raise ServiceUnavailable(
                f"the knowledge index is missing in {index_dir}: run `make kb`"
            )
        try:
            from knowledge.service import load_answerer

            knowledge = self.settings.knowledge
            return load_answerer(
                index_dir, knowledge.embedding_model, knowledge.finetune
            )
        except Exception as exc:  # any load failure means: no knowledge answers
            log.exception("cannot load the knowledge index")
            raise ServiceUnavailable(f"cannot load the knowledge index: {exc}") from exc

    def answerer_loaded(self) -> bool:
        return self._answerer is not None

    def warm_up(self) -> None:
        """Load the answerer in a background thread so the first question is fast."""

        def load() -> None:
            try:
                from knowledge.language import detect

                # Every chat turn without the widget's language is detected.
                detect("Warm up the language detector with a sentence.")
            except Exception:  # the turn falls back to Rasa's language; keep loading
                log.exception("language detector unavailable")
            try:
                with self._lock:
                    if self._answerer is None:
                        self._answerer = self._load_answerer(build=True)
            except ServiceUnavailable as exc:
                log.warning("knowledge not available yet: %s", exc)

        threading.Thread(target=load, name="knowledge-warm-up", daemon=True).start()

    def drafts(self) -> DraftStore:
        if self._drafts is None:
            with self._lock:
                if self._drafts is None:
                    try:
                        self._drafts = DraftStore(self.settings.database.url)
                    except DraftStoreError as exc:
                        log.error("drafts store unavailable: %s", exc)
                        raise ServiceUnavailable(str(exc)) from exc
        return self._drafts

    def facts(self) -> Any:
        if self._facts is None:
            try:
                from knowledge.facts import load_call_facts

                self._facts = load_call_facts()
            except Exception as exc:
                log.exception("cannot load the call facts")
                raise ServiceUnavailable(f"cannot load the call facts: {exc}") from exc
        return self._facts

    def contact_sentence(self, lang: str) -> str:
        try:
            raw = self.facts().raw
            sentences = raw["contact"]["sentence"]
            return str(sentences.get(lang) or sentences["en"])
        except (ServiceUnavailable, KeyError, TypeError, AttributeError):
            return ""

    def close(self) -> None:
        if self._drafts is not None:
            self._drafts.close()


# Async, so FastAPI resolves them on the event loop instead of a worker thread.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
