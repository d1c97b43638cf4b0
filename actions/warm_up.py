"""Load the services before the action server takes its first request.

rasa-sdk builds its Sanic app in each worker process and lets pluggy plugins attach
listeners to it. Ours starts loading the knowledge index, gazetteer and drafts store
in a thread as the worker starts, so no action waits for a model on the event loop.

The load is not awaited by the start-up listener: Sanic's manager waits 30 s for each
worker to report that it started, then SIGKILLs the worker's whole process group (the
launcher's: the benchmark and the tests that started the stack died with it; under
`make run` honcho then stops the other processes). Loading passed 30 s when it had to
rebuild a stale index, and on a busy host.
Instead the worker answers every request with 503 until the services are loaded, as
it refused connections before: the launchers' readiness checks and the app's status
probe wait for ``/health``, and an action call that comes early (a restarted server in
cluster mode) fails at once, so the app answers that turn degraded instead of holding
it for the load.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pluggy
from sanic.response import json

from assistant.core.services import get_services

hookimpl = pluggy.HookimplMarker("rasa_sdk")


async def warm_up_services(app: Any, loop: Any) -> None:
    app.ctx.warm_up = asyncio.ensure_future(asyncio.to_thread(get_services().warm_up))


async def not_ready_while_loading(request: Any) -> Any:
    """Before every route: 503 while the services load (see above)."""
    task = getattr(request.app.ctx, "warm_up", None)
    if task is not None and not task.done():
        return json({"status": "loading"}, status=503)
    return None


class WarmUpPlugin:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        app.register_listener(warm_up_services, "before_server_start")
        app.register_middleware(not_ready_while_loading, "request")


def register() -> None:
    """Register the plugin once per process (cheap: nothing is loaded here)."""
    from rasa_sdk.plugin import plugin_manager

    manager = plugin_manager()
    if not any(isinstance(p, WarmUpPlugin) for p in manager.get_plugins()):
        manager.register(WarmUpPlugin())
