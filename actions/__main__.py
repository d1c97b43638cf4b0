"""``python -m actions [rasa-sdk arguments]``: rasa-sdk's action server, with the
services (knowledge index, gazetteer, drafts store) loaded before the first request.

rasa-sdk builds its Sanic app in each worker process and lets plugins attach listeners
to it; ours loads the services in a thread while the server starts, so no action ever
waits on the event loop for a model to load.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pluggy
from rasa_sdk.__main__ import main

from assistant.core.services import get_services

hookimpl = pluggy.HookimplMarker("rasa_sdk")


async def _warm_up(app: Any, loop: Any) -> None:
    await asyncio.to_thread(get_services().warm_up)


class WarmUpPlugin:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        app.register_listener(_warm_up, "before_server_start")


def register() -> None:
    from rasa_sdk.plugin import plugin_manager

    manager = plugin_manager()
    if not any(isinstance(p, WarmUpPlugin) for p in manager.get_plugins()):
        manager.register(WarmUpPlugin())


# At module level: Sanic's worker processes re-import this module (as __mp_main__)
# before they build their app. Registering a plugin loads nothing.
register()

if __name__ == "__main__":
    main()
