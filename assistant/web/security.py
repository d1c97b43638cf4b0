"""Security middleware and checks: rate and body limits, response headers, admin
credentials."""

from __future__ import annotations

import hmac
import logging
import math
import time
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string
from redis.exceptions import RedisError
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.core.settings import Settings

log = logging.getLogger(__name__)

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
    """Per-minute budgets (sliding window) per client address and per chat session.

    Each budget is two counters, this minute's and the last one's weighted by the
    part of it still in the window (``limits``' sliding window counter): a moving
    window of every request's time cost one list entry per request, and its memory
    storage swept every key through a worker thread after each request (py-spy: the
    app's largest cost per chat turn after the HTTP work itself, growing with the
    number of visitors).

    The counters live in the ``limits`` package's storage: this process's memory by
    default, Redis when a URL is given, so that every app replica draws on the same
    budget. A Redis that fails is replaced by this process's memory for a few seconds
    (logged): a missing counter store never refuses a visitor. ``<= 0`` disables a
    budget.
    """

    REDIS_RETRY_SECONDS = 5.0

    def __init__(
        self, per_address: int, per_session: int = 0, redis_url: str = ""
    ) -> None:
        self.items: dict[str, RateLimitItem | None] = {
            "address": RateLimitItemPerMinute(per_address) if per_address > 0 else None,
            "session": RateLimitItemPerMinute(per_session) if per_session > 0 else None,
        }
        self._memory = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._shared: SlidingWindowCounterRateLimiter | None = None
        if redis_url:
            storage = storage_from_string(
                "async+" + redis_url,
                implementation="redispy",
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
            )
            assert isinstance(storage, Storage)  # "async+": asyncio storage
            self._shared = SlidingWindowCounterRateLimiter(storage)
        self._shared_down_until = 0.0

    async def check(self, kind: str, key: str) -> float | None:
        """Record a request; returns None when allowed, else seconds until allowed."""
        item = self.items[kind]
        if item is None:
            return None
        limiter = self._memory
        if self._shared and time.monotonic() >= self._shared_down_until:
            limiter = self._shared
        try:
            return await self._hit(limiter, item, kind, key)
        except (RedisError, OSError) as error:
            if limiter is self._memory:
                raise
            log.warning(
                "rate-limit counters in Redis unavailable (%s): counting in this "
                "process for %.0f s",
                error,
                self.REDIS_RETRY_SECONDS,
            )
            self._shared_down_until = time.monotonic() + self.REDIS_RETRY_SECONDS
            return await self._hit(self._memory, item, kind, key)

    @staticmethod
    async def _hit(
        limiter: SlidingWindowCounterRateLimiter,
        item: RateLimitItem,
        kind: str,
        key: str,
    ) -> float | None:
        if await limiter.hit(item, "iuc", kind, key):
            return None
        stats = await limiter.get_window_stats(item, "iuc", kind, key)
        return max(stats.reset_time - time.time(), 1.0)


def too_many_requests(wait: float) -> JSONResponse:
    return JSONResponse(
        {"detail": "too many requests: please wait a moment and retry"},
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(max(1, math.ceil(wait)))},
    )


class RateLimitMiddleware:
    """Answers 429 to a client address over its per-minute budget of API requests.

    The address is the TCP peer, or the client a trusted proxy names in
    X-Forwarded-For: uvicorn resolves it (``proxy_headers``/``forwarded_allow_ips``
    from ``IUC_APP__TRUSTED_PROXIES``) before this runs.
    """

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
            wait = await self.limiter.check("address", client[0] if client else "-")
            if wait is not None:
                await too_many_requests(wait)(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def check_session_budget(request: Request, session_id: str) -> None:
    """Raise 429 when this chat session is over its budget of turns per minute
    (however many addresses or app replicas its requests come through)."""
    limiter: RateLimiter = request.app.state.limiter
    wait = await limiter.check("session", session_id)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail="too many requests: please wait a moment and retry",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


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
