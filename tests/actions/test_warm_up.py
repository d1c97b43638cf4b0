"""The action server loads its services when a worker starts, not on a user's turn."""

from __future__ import annotations

from typing import Any

from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor

import actions  # noqa: F401  (importing the package registers the plugin)
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
