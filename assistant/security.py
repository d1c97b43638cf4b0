"""Security middleware and checks: rate limit, response headers, admin credentials."""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from assistant.settings import Settings

CallNext = Callable[[Request], Awaitable[Response]]

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


async def security_headers(request: Request, call_next: CallNext) -> Response:
    response = await call_next(request)
    docs = request.url.path.startswith(DOCS_PATHS)
    response.headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
    )
    if request.url.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


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


def rate_limit_middleware(
    limiter: RateLimiter,
) -> Callable[[Request, CallNext], Awaitable[Response]]:
    async def middleware(request: Request, call_next: CallNext) -> Response:
        path = request.url.path
        limited = (
            path.startswith("/api/")
            and not path.startswith(UNLIMITED_PATHS)
            and request.method != "OPTIONS"
        )
        if limited:
            client = request.client.host if request.client else "unknown"
            wait = limiter.check(client)
            if wait is not None:
                return JSONResponse(
                    {"detail": "too many requests: please wait a moment and retry"},
                    status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                    headers={"Retry-After": str(max(1, math.ceil(wait)))},
                )
        return await call_next(request)

    return middleware


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
