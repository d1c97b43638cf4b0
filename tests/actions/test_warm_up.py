"""The action server loads its services when a worker starts, not on a user's turn."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor

import actions  # noqa: F401  (importing the package registers the plugin)
from actions import warm_up
from actions.warm_up import warm_up_services


def _listeners(app: Any, signal: str) -> list[Any]:
    return [
        handler.keywords.get("listener")
        for route in app.signal_router.routes
        if route.name == signal
        for handler in getattr(route, "handlers", [route.handler])
    ]


def test_every_worker_app_loads_the_services_before_serving() -> None:
    # rasa-sdk builds this app in each Sanic worker; "server.init.before" is
    # before_server_start: the worker serves only once its listeners are done.
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app_for_serve(executor)
    assert warm_up_services in _listeners(app, "server.init.before")


class _SlowServices:
    """A warm-up that lasts until the test lets it end."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def warm_up(self) -> None:
        self.release.wait(timeout=10)


def test_a_worker_reports_its_start_at_once_and_refuses_requests_until_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Sanic SIGKILLs the launcher's whole process group when a worker has not
    # reported its start after 30 s, which loading reached on a busy host: the
    # start-up listener must not wait for the load; requests are refused meanwhile.
    slow = _SlowServices()
    monkeypatch.setattr(warm_up, "get_services", lambda: slow)
    app = SimpleNamespace(ctx=SimpleNamespace())

    async def scenario() -> tuple[Any, Any, Any]:
        await asyncio.wait_for(warm_up.warm_up_services(app, None), timeout=2)
        health = SimpleNamespace(path="/health", app=app)
        action = SimpleNamespace(path="/webhook", app=app)
        refused = [await warm_up.not_ready_while_loading(r) for r in (health, action)]
        slow.release.set()
        await app.ctx.warm_up
        served = [await warm_up.not_ready_while_loading(r) for r in (health, action)]
        return refused, served

    refused, served = asyncio.run(scenario())
    # An early action call fails at once (the app answers that turn degraded)
    # instead of waiting for the load; the launchers wait for /health.
    assert [r.status for r in refused] == [503, 503]
    assert served == [None, None]  # the routes answer once loaded
