"""The source registry (``corpus/sources.yml``): how an answer cites its source.

Every ``source`` of ``call.yml`` and of the FAQ is an id of that file; the web app and
the action server both show a source through :func:`source_info`, so they cite it
alike.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SOURCES_FILE = Path(__file__).resolve().parent / "corpus" / "sources.yml"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceInfo:
    id: str
    title: str
    url: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@cache
def load_sources(path: Path = SOURCES_FILE) -> dict[str, dict[str, Any]]:
    """Source id -> ``{"title", "url"}``; empty (sources shown by id) if unreadable."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        log.warning("cannot read %s: sources shown by id only", path)
        return {}
    return {str(key): value for key, value in data.items() if isinstance(value, dict)}


def source_info(source_id: str, lang: str = "en") -> SourceInfo:
    """The title and link shown under an answer; an unknown id is shown as itself."""
    entry = load_sources().get(source_id, {})
    title = entry.get("title") or source_id
    if isinstance(title, dict):  # a title per language
        title = title.get(lang) or title.get("en") or source_id
    url = entry.get("url") or (source_id if source_id.startswith("http") else None)
    return SourceInfo(id=source_id, title=str(title), url=str(url) if url else None)
