"""GET /api/health: is the app serving, and which of its parts is down."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request

from assistant.web.api.deps import SettingsDep, manifest_present
from assistant.web.rasa_client import RasaClient
from assistant.web.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/api/health", response_model=Health)
async def health(request: Request, settings: SettingsDep) -> Health:
    """Always 200 while the app serves; each probe has a short timeout."""
    client: RasaClient = request.app.state.rasa
    rasa_up, actions_up = await asyncio.gather(client.rasa_up(), client.actions_up())
    knowledge_ok = await asyncio.to_thread(
        manifest_present, settings.knowledge.index_dir
    )
    return Health(
        rasa="ok" if rasa_up else "down",
        actions="ok" if actions_up else "down",
        knowledge="ok" if knowledge_ok else "missing",
    )
