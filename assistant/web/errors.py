"""How the app answers what went wrong: one JSON shape, in the user's language, with
no internals, and never a connection dropped without ``Connection: close``.

- 422: the request does not fit the schema (one readable sentence plus the list);
- 413: the body is over ``app.max_body_bytes`` (counted while it is read, before any
  parsing, by FastAPI's body limit);
- 503 + ``Retry-After``: a backing service (database, knowledge index) is down or did
  not answer within its timeout;
- 500: anything else, answered by :class:`CatchAllMiddleware` inside the app, so that
  Starlette's outermost error middleware never sees it: that one re-raises after its
  reply, and uvicorn then closes the keep-alive connection without saying so, losing
  the next request a client had already sent on it.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.web.api.deps import message
from assistant.web.schemas import ErrorBody
from assistant.web.security import security_headers
from knowledge.language import LANGUAGES

log = logging.getLogger(__name__)

# Seconds a client should wait before retrying after a 503.
RETRY_AFTER_SECONDS = 5

_MEANING = {
    400: "The body is not valid JSON.",
    401: "Admin credentials are missing or wrong.",
    404: "Not found; for a draft also a wrong or missing token (indistinguishable).",
    413: "The body is over the size limit (app.max_body_bytes).",
    422: "The request does not fit the schema: one sentence, then each error.",
    429: "Too many requests from this client; see Retry-After.",
    500: "An unexpected error (no details are given).",
    503: "A backing service (database, knowledge index) is down; see Retry-After.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route answers, all an ErrorBody."""
    return {code: {"model": ErrorBody, "description": _MEANING[code]} for code in codes}


def request_language(scope: Scope) -> str:
    """The language to answer an error in: ``?lang=``, then Accept-Language, then en."""
    query = QueryParams(scope.get("query_string", b"").decode("latin-1"))
    if query.get("lang") in LANGUAGES:
        return str(query["lang"])
    ranked: list[tuple[float, int, str]] = []
    header = Headers(scope=scope).get("accept-language", "")
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.split("-")[0].strip().lower()
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, position, primary))
    return min(ranked)[2] if ranked else "en"


def _describe(errors: list[Any]) -> str:
    """One readable sentence from pydantic's error list, e.g. for the widget."""
    parts = []
    for error in errors[:5]:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query")]
        where = ".".join(loc) or "request"
        parts.append(f"{where}: {error.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type")}
        for e in exc.errors()
    ]
    return JSONResponse(
        status_code=422,
        content=jsonable_encoder({"detail": _describe(errors), "errors": errors}),
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        # Starlette names the methods of the first route that matched the path only
        # (GET for /api/applications/{id}); the client deserves all of them.
        return JSONResponse(
            status_code=405,
            content={"detail": exc.detail},
            headers={"Allow": ", ".join(allowed_methods(request))},
        )
    if exc.status_code != 413:
        return await http_exception_handler(request, exc)
    limit = request.app.state.settings.app.max_body_bytes
    text = message("body_too_large", request_language(request.scope))
    return JSONResponse(
        status_code=413,
        content={"detail": text.format(kb=limit // 1024)},
        # The rest of the body is not read: the connection cannot carry another
        # request, and the client is told so.
        headers={"Connection": "close"},
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves on this request's path."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in routes
        )
    ]


async def unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("%s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        status_code=503,
        content={"detail": message("unavailable", request_language(request.scope))},
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class CatchAllMiddleware:
    """Answers an unexpected exception with a plain 500, keeping the connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:  # half a response is out: only closing can end it
                raise
            response = JSONResponse(
                status_code=500,
                content={"detail": message("internal_error", request_language(scope))},
                headers=security_headers(scope["path"]),
            )
            await response(scope, receive, send)
