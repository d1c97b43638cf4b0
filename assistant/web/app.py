"""The FastAPI application factory: API routers, pages, widget and security."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from assistant.core.settings import Settings, get_settings
from assistant.web.api import (
    admin,
    applications,
    chat,
    eligibility,
    health,
    pages,
    search,
)
from assistant.web.api.deps import AppServices, ServiceUnavailable
from assistant.web.rasa_client import RasaClient
from assistant.web.security import (
    RateLimiter,
    RateLimitMiddleware,
    SecurityHeadersMiddleware,
    security_headers,
)

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


def _describe(errors: list[Any]) -> str:
    """One readable sentence from pydantic's error list, e.g. for the widget."""
    parts = []
    for error in errors[:5]:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query")]
        where = ".".join(loc) or "request"
        parts.append(f"{where}: {error.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type")}
        for e in exc.errors()
    ]
    return JSONResponse(
        status_code=422,
        content=jsonable_encoder({"detail": _describe(errors), "errors": errors}),
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("%s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        status_code=503,
        content={
            "detail": "this service is temporarily unavailable, please retry later"
        },
        headers={"Retry-After": "30"},
    )


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    # Log the details for us; the client gets no stack trace and no internals.
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(
        status_code=500,
        content={"detail": "internal error"},
        # Outside every middleware: the same security headers, set here.
        headers=security_headers(request.url.path),
    )


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
        )
        if warm_up:
            services.warm_up()
        try:
            yield
        finally:
            await app.state.rasa.aclose()
            services.close()

    app = FastAPI(
        title="IUC North America assistant",
        version="0.1.0",
        summary="Chat, search, eligibility self-check and draft applications for the "
        "IUC North America city-to-city call.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.services = services

    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ServiceUnavailable, _unavailable)
    app.add_exception_handler(Exception, _internal_error)

    # Starlette runs the last added middleware first: CORS, then headers, then limits.
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

    for module in (health, chat, search, eligibility, applications, admin, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
