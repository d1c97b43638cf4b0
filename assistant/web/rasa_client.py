"""Async client for the Rasa server's REST channel and the two health probes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

# Health probes and the language look-up must never hold a request for long.
PROBE_TIMEOUT_SECONDS = 1.0
# How long a probe result of the action server is trusted by /api/chat.
ACTIONS_STATUS_TTL_SECONDS = 5.0


class RasaUnavailable(RuntimeError):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    def __init__(
        self,
        rasa_url: str,
        actions_url: str,
        timeout_seconds: float,
        client: httpx.AsyncClient | None = None,
        auth_token: Callable[[], str] = lambda: "",
    ) -> None:
        self.rasa_url = rasa_url.rstrip("/")
        self.actions_url = actions_url.rstrip("/")
        self.timeout = timeout_seconds
        self._client = client or httpx.AsyncClient(
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20)
        )
        self._actions_status: tuple[float, bool] | None = None
        # Read at each call: Rasa draws a new token when it restarts (rasa_token.py).
        self._auth_token = auth_token

    async def send(
        self,
        sender: str,
        message: str,
        language: str | None,
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        """Send one user message; returns Rasa's bot messages (possibly empty)."""
        body = {
            "sender": sender,
            "message": message,
            "metadata": {"language": language},
        }
        try:
            response = await self._client.post(
                f"{self.rasa_url}/webhooks/rest/webhook",
                json=body,
                timeout=timeout if timeout is not None else self.timeout,
            )
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(data, list):
            raise RasaUnavailable("unexpected reply from Rasa's REST channel")
        return [item for item in data if isinstance(item, dict)]

    async def tracker_language(self, sender: str) -> str | None:
        """The conversation's ``language`` slot, or None when unknown."""
        url = f"{self.rasa_url}/conversations/{quote(sender, safe='')}/tracker"
        params = {"include_events": "NONE"}
        if token := self._auth_token():
            params["token"] = token  # Rasa's API reads it from the query only
        try:
            response = await self._client.get(
                url, params=params, timeout=PROBE_TIMEOUT_SECONDS
            )
            response.raise_for_status()
            slots = response.json().get("slots") or {}
        except (httpx.HTTPError, ValueError, AttributeError):
            return None
        value = slots.get("language") if isinstance(slots, dict) else None
        return value if isinstance(value, str) else None

    async def events(self, sender: str) -> list[dict[str, Any]]:
        """The conversation's events (for a hand-off transcript); [] when unknown."""
        url = f"{self.rasa_url}/conversations/{quote(sender, safe='')}/tracker"
        try:
            response = await self._client.get(url, timeout=PROBE_TIMEOUT_SECONDS * 3)
            response.raise_for_status()
            events = response.json().get("events") or []
        except (httpx.HTTPError, ValueError, AttributeError):
            return []
        return (
            [e for e in events if isinstance(e, dict)]
            if isinstance(events, list)
            else []
        )

    async def _ok(self, url: str) -> bool:
        try:
            response = await self._client.get(url, timeout=PROBE_TIMEOUT_SECONDS)
        except httpx.HTTPError:
            return False
        return response.status_code < 400

    async def rasa_up(self) -> bool:
        return await self._ok(f"{self.rasa_url}/")

    async def actions_up(self, max_age: float = 0.0) -> bool:
        """Probe the action server; a result younger than ``max_age`` s is reused."""
        now = time.monotonic()
        if self._actions_status and now - self._actions_status[0] < max_age:
            return self._actions_status[1]
        up = await self._ok(f"{self.actions_url}/health")
        self._actions_status = (now, up)
        return up

    async def aclose(self) -> None:
        await self._client.aclose()
