"""GET /api/health: is the app serving, and which of its parts is down."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from pathlib import Path

from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.engine import Engine

from assistant.core import database
from assistant.core.drafts import normalise_url
from assistant.web.api.deps import (
    AppServices,
    ServicesDep,
    SettingsDep,
    manifest_present,
)
from assistant.web.rasa_client import PROBE_TIMEOUT_SECONDS, RasaClient
from assistant.web.schemas import Health

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


async def _probe(check: Awaitable[object]) -> bool:
    """True when ``check`` is done within the probe timeout without raising."""
    try:
        await asyncio.wait_for(check, PROBE_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure or timeout means: down
        log.warning("health probe failed: %s", database.reason(exc))
        return False
    return True


async def _ping_drafts(services: AppServices) -> None:
    await (await services.open_drafts()).aping()


def _tracker_engine(request: Request, url: str) -> Engine:
    """One small engine per app for the tracker store, which Rasa owns."""
    engine: Engine | None = getattr(request.app.state, "tracker_probe", None)
    if engine is None:
        engine = database.make_engine(normalise_url(url), PROBE_TIMEOUT_SECONDS)
        request.app.state.tracker_probe = engine
    return engine


def _tracker_deadline(request: Request) -> database.Deadline:
    # Its own workers: a frozen tracker database keeps each probe's thread until it
    # thaws, and in asyncio's shared pool those would starve the chat's threads.
    deadline: database.Deadline | None = getattr(
        request.app.state, "tracker_deadline", None
    )
    if deadline is None:
        deadline = database.Deadline(PROBE_TIMEOUT_SECONDS, name="tracker-probe")
        request.app.state.tracker_deadline = deadline
    return deadline


def _ping_tracker(request: Request, url: str) -> None:
    parsed = normalise_url(url)
    # Connecting to a missing SQLite file would create an empty one behind Rasa.
    if (
        parsed.get_backend_name() == "sqlite"
        and not Path(parsed.database or "").is_file()
    ):
        raise FileNotFoundError(f"no tracker database at {parsed.database}")
    with _tracker_engine(request, url).connect() as conn:
        conn.execute(text("SELECT 1"))


@router.get("/api/health", response_model=Health)
async def health(
    request: Request, settings: SettingsDep, services: ServicesDep
) -> Health:
    """Always 200 while the app serves; each probe has a short timeout."""
    client: RasaClient = request.app.state.rasa
    rasa_up, actions_up, database_up, tracker_up = await asyncio.gather(
        client.rasa_up(),
        client.actions_up(),
        _probe(_ping_drafts(services)),
        _probe(
            _tracker_deadline(request).arun(
                lambda: _ping_tracker(request, settings.database.tracker_url)
            )
        ),
    )
    knowledge_ok = await asyncio.to_thread(
        manifest_present, settings.knowledge.index_dir
    )
    return Health(
        rasa="ok" if rasa_up else "down",
        actions="ok" if actions_up else "down",
        knowledge="ok" if knowledge_ok else "missing",
        database="ok" if database_up else "down",
        tracker_database="ok" if tracker_up else "down",
    )
