"""Load the services before the action server takes its first request.

rasa-sdk builds its Sanic app in each worker process and lets pluggy plugins attach
listeners to it. Ours loads the knowledge index, gazetteer and drafts store in a thread
while the worker starts, so no action waits for a model on the event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pluggy

from assistant.core.services import get_services

hookimpl = pluggy.HookimplMarker("rasa_sdk")


async def warm_up_services(app: Any, loop: Any) -> None:
    await asyncio.to_thread(get_services().warm_up)


class WarmUpPlugin:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        app.register_listener(warm_up_services, "before_server_start")


def register() -> None:
    """Register the plugin once per process (cheap: nothing is loaded here)."""
    from rasa_sdk.plugin import plugin_manager

    manager = plugin_manager()
    if not any(isinstance(p, WarmUpPlugin) for p in manager.get_plugins()):
        manager.register(WarmUpPlugin())
