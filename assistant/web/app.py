"""The FastAPI application factory: API routers, pages, widget and security."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from assistant.core import rasa_token
from assistant.core.database import DatabaseUnavailable
from assistant.core.drafts import DraftStoreError
from assistant.core.settings import Settings, get_settings
from assistant.web.api import (
    admin,
    applications,
    chat,
    console,
    console_review,
    eligibility,
    feedback,
    handoff,
    health,
    pages,
    search,
)
from assistant.web.api.deps import AppServices, ServiceUnavailable
from assistant.web.errors import (
    CatchAllMiddleware,
    error_responses,
    http_error,
    unavailable,
    validation_error,
)
from assistant.web.rasa_client import RasaClient
from assistant.web.security import (
    BodyLimitMiddleware,
    RateLimiter,
    RateLimitMiddleware,
    SecurityHeadersMiddleware,
)

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None, *, warm_up: bool = False) -> FastAPI:
    """Build the app; ``warm_up`` starts loading the knowledge model in background."""
    settings = settings or get_settings()
    services = AppServices(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.rasa = RasaClient(
            settings.rasa.server_urls(),
            settings.actions.url,
            settings.rasa.timeout_seconds,
            auth_token=lambda: rasa_token.current_token(settings),
        )
        if warm_up:
            services.warm_up()
        try:
            yield
        finally:
            await app.state.rasa.aclose()
            services.close()
            if (probe := getattr(app.state, "tracker_probe", None)) is not None:
                probe.dispose()

    app = FastAPI(
        title="IUC North America assistant",
        version="0.1.0",
        summary="Chat, search, eligibility self-check and draft applications for the "
        "IUC North America city-to-city call.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.services = services

    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    for error in (ServiceUnavailable, DraftStoreError, DatabaseUnavailable):
        app.add_exception_handler(error, unavailable)

    # Starlette runs the last added middleware first: CORS, then headers, then the
    # rate and body limits, then the catch-all that turns any other exception into
    # a plain 500.
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.app.max_body_bytes)
    limiter = RateLimiter(
        settings.app.rate_limit_per_minute,
        settings.app.session_rate_limit_per_minute,
        settings.redis.url,
    )
    app.state.limiter = limiter
    app.add_middleware(RateLimitMiddleware, limiter=limiter)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.app.cors_origins,
        allow_methods=["GET", "POST", "PATCH"],
        allow_headers=["Content-Type", "Authorization"],
        max_age=600,
    )

    # Every status each router answers is documented, with its body (errors.py).
    body_errors = (400, 413, 422)
    documented = {
        health: (500,),
        chat: (*body_errors, 429, 500),
        search: (422, 429, 500, 503),
        eligibility: (*body_errors, 429, 500, 503),
        applications: (*body_errors, 404, 429, 500, 503),
        admin: (401, 404, 422, 429, 500, 503),
        pages: (422, 429, 500, 503),
    }
    for module, codes in documented.items():
        app.include_router(module.router, responses=error_responses(*codes))
    # The staff console (/admin) and what it records from visitors.
    console_codes = (*body_errors, 401, 403, 404, 429, 500, 503)
    for module in (feedback, handoff, console, console_review):
        app.include_router(module.router, responses=error_responses(*console_codes))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
