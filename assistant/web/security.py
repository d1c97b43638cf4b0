"""Security middleware and checks: rate and body limits, response headers, admin
credentials."""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import deque
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.core.settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI and ReDoc load their assets from a CDN and start with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
# Polled by the launcher and monitoring; never rate limited.
UNLIMITED_PATHS = ("/api/health",)


def security_headers(path: str) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": DOCS_CSP if path.startswith(DOCS_PATHS) else CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if path.startswith("/api/"):
        headers["Cache-Control"] = "no-store"
    return headers


# Both middlewares are plain ASGI: Starlette's BaseHTTPMiddleware runs each request in
# an extra task and stream, a measurable share of the app's CPU per chat turn.
class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RateLimiter:
    """Sliding one-minute window per client; ``limit <= 0`` disables it."""

    MAX_CLIENTS = 10_000

    def __init__(self, limit_per_minute: int, window_seconds: float = 60.0) -> None:
        self.limit = limit_per_minute
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> float | None:
        """Record a request; returns None when allowed, else seconds until allowed."""
        if self.limit <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > self.MAX_CLIENTS:
                self._forget_idle(now)
            hits = self._hits.setdefault(client, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return self.window - (now - hits[0])
            hits.append(now)
            return None

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, v in self._hits.items() if not v or now - v[-1] >= self.window]
        for key in idle:
            del self._hits[key]


class RateLimitMiddleware:
    """Answers 429 to a client over its per-minute budget of API requests."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        limited = (
            scope["type"] == "http"
            and path.startswith("/api/")
            and not path.startswith(UNLIMITED_PATHS)
            and scope["method"] != "OPTIONS"
        )
        if limited:
            client = scope.get("client")
            wait = self.limiter.check(client[0] if client else "unknown")
            if wait is not None:
                response = JSONResponse(
                    {"detail": "too many requests: please wait a moment and retry"},
                    status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                    headers={"Retry-After": str(max(1, math.ceil(wait)))},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyTooLarge(StarletteHTTPException):
    """Raised while the body is read; FastAPI passes HTTP exceptions through its body
    parsing untouched, and the app's handler answers 413 (assistant/web/errors.py)."""

    def __init__(self) -> None:
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE)


class BodyLimitMiddleware:
    """Refuses a body over ``max_bytes`` before anything parses it: at once when its
    Content-Length says so, else as soon as the bytes read so far go over."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            # Answered by the app's handler, with nothing of the body read.
            async def refuse() -> Message:
                raise BodyTooLarge()

            await self.app(scope, refuse, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        await self.app(scope, counting_receive, send)


_basic = HTTPBasic(auto_error=False)


def require_admin(
    request: Request,
    credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
) -> str:
    """HTTP Basic against settings; without a password the endpoints do not exist."""
    settings: Settings = request.app.state.settings
    password = settings.app.admin_password.get_secret_value()
    if not password:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Not Found")
    user_ok = credentials is not None and hmac.compare_digest(
        credentials.username.encode(), settings.app.admin_user.encode()
    )
    pass_ok = credentials is not None and hmac.compare_digest(
        credentials.password.encode(), password.encode()
    )
    if not (user_ok and pass_ok):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="admin credentials required",
            headers={"WWW-Authenticate": 'Basic realm="iuc-admin"'},
        )
    return settings.app.admin_user
