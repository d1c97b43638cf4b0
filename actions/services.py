"""Cached, lazy factories for the services the actions use.

Nothing loads at import time: the action server imports every action module at start-up
and the embedding model takes seconds to load. Each factory builds its service once, on
first use, from :func:`assistant.settings.get_settings`. Tests replace a service with
``set_service(name, fake)`` and undo it with ``reset_services()``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from assistant.settings import PROJECT_ROOT, get_settings

SOURCES_FILE = PROJECT_ROOT / "knowledge" / "corpus" / "sources.yml"

_cache: dict[str, Any] = {}
_lock = threading.Lock()


def _cached(name: str, build: Callable[[], Any]) -> Any:
    if name not in _cache:
        with _lock:
            if name not in _cache:
                _cache[name] = build()
    return _cache[name]


def set_service(name: str, value: Any) -> None:
    """Use ``value`` for service ``name`` (answerer, facts, gazetteer, drafts...)."""
    _cache[name] = value


def reset_services() -> None:
    _cache.clear()


def _build_answerer() -> Any:
    from knowledge.service import load_answerer

    knowledge = get_settings().knowledge
    return load_answerer(
        Path(knowledge.index_dir), knowledge.embedding_model, knowledge.finetune
    )


def answerer() -> Any:
    """The knowledge engine (``ask(text, lang, k, topic) -> Result``)."""
    return _cached("answerer", _build_answerer)


def facts() -> Any:
    from knowledge.facts import load_call_facts

    return _cached("facts", load_call_facts)


def _build_gazetteer() -> Any:
    from knowledge.gazetteer import get_gazetteer

    return get_gazetteer()


def gazetteer() -> Any:
    """Offline city lookup: ``lookup(name, country=None, region=None)``."""
    return _cached("gazetteer", _build_gazetteer)


def _build_drafts() -> Any:
    from assistant.drafts import DraftStore

    return DraftStore(get_settings().database.url)


def drafts() -> Any:
    """The drafts store (``create(fields) -> (draft, token)``)."""
    return _cached("drafts", _build_drafts)


def public_url() -> str:
    return _cached("public_url", lambda: get_settings().app.public_url)


def _load_sources() -> dict[str, dict[str, Any]]:
    try:
        data = yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return {str(key): value for key, value in data.items() if isinstance(value, dict)}


def sources() -> dict[str, dict[str, Any]]:
    """Source id -> {"title", "url"} from ``knowledge/corpus/sources.yml``."""
    return _cached("sources", _load_sources)


def start_warm_up() -> None:
    """Load the models and indexes in a background thread, so the first turn is fast.

    Called by the action server's worker process (see ``actions/__init__.py``); unit
    tests never call it.
    """

    def load() -> None:
        from knowledge.language import detect

        try:
            for service in (facts, sources, gazetteer, drafts, answerer):
                service()
            detect("Warm up the language detector with a sentence.")
        except Exception:  # the first real call reports the problem to the user
            logging.getLogger(__name__).exception("warm-up failed")

    threading.Thread(target=load, name="actions-warm-up", daemon=True).start()


def source_info(source_id: str | None, lang: str) -> dict[str, str] | None:
    """The ``{"id", "title", "url"}`` shown under an answer, or None if unknown."""
    if not source_id:
        return None
    entry = sources().get(source_id)
    if entry is None:
        return None
    title = entry.get("title", source_id)
    if isinstance(title, dict):  # a per-language title
        title = title.get(lang) or title.get("en") or source_id
    return {"id": source_id, "title": str(title), "url": str(entry.get("url") or "")}
