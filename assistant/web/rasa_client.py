"""Async client for the Rasa servers' REST channel and the two health probes.

With several Rasa servers (cluster mode) any server can take any turn: they share the
tracker store, and Rasa's Redis lock store keeps two of them from working on one
conversation at once. A conversation's turn goes back to the server that took its
last one (its tracker is still in that server's memory), else to the live server with
the fewest turns in flight; a server that refuses, breaks off or times out is set
aside for a few seconds and the turn is sent to another. A server killed mid-turn
has saved nothing of it (Rasa saves the tracker at the end of a turn), so sending the
turn again is safe.
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import logging
import sys
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)

# httpcore imports sniffio on every request, and it is not installed here: each failed
# import searched the whole path again (py-spy: about a tenth of the app's CPU per chat
# turn). Recorded once as absent, the import fails at once, and httpcore uses asyncio.
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]
# httpx logs every request at INFO: two log lines per chat turn say nothing the
# access log does not.
logging.getLogger("httpx").setLevel(logging.WARNING)

# Health probes and the language look-up must never hold a request for long.
PROBE_TIMEOUT_SECONDS = 1.0
# How long a probe result of the action server is trusted by /api/chat.
ACTIONS_STATUS_TTL_SECONDS = 5.0


# How long a server that failed a turn is skipped before it is tried again.
SERVER_COOLDOWN_SECONDS = 3.0
# A conversation goes back to the server that took its last turn, which still holds
# its tracker in memory (rasa_runtime/tracker_cache.py), unless that one is set aside
# or has this many more turns in flight than the least busy. Conversations
# remembered: the most recent ones.
STICKY_SLACK = 2
STICKY_CONVERSATIONS = 10_000


class RasaUnavailable(RuntimeError):
    """Rasa did not answer in time or answered with an error."""


@dataclass(eq=False)
class RasaServer:
    url: str
    in_flight: int = 0
    down_until: float = 0.0

    def up(self, now: float) -> bool:
        return now >= self.down_until


class RasaClient:
    def __init__(
        self,
        rasa_url: str | list[str],
        actions_url: str,
        timeout_seconds: float,
        client: httpx.AsyncClient | None = None,
        auth_token: Callable[[], str] = lambda: "",
    ) -> None:
        urls = [rasa_url] if isinstance(rasa_url, str) else rasa_url
        if not urls:
            raise ValueError("no Rasa server URL")
        self.servers = [RasaServer(url.rstrip("/")) for url in urls]
        self._turns = itertools.count()
        self._last_server: OrderedDict[str, RasaServer] = OrderedDict()
        self.actions_url = actions_url.rstrip("/")
        self.timeout = timeout_seconds
        self._client = client or httpx.AsyncClient(
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20)
        )
        self._actions_status: tuple[float, bool] | None = None
        # Read at each call: Rasa draws a new token when it restarts (rasa_token.py).
        self._auth_token = auth_token

    @property
    def rasa_url(self) -> str:
        """The server probes and look-ups go to: a live one."""
        return self._pick(set()).url

    def _pick(self, tried: set[RasaServer], sender: str | None = None) -> RasaServer:
        """The server that took the conversation's last turn, if it is live and not
        much busier than the others; else the live server with the fewest turns in
        flight (in turn among equals); when every untried one is set aside, the one
        set aside longest ago."""
        candidates = [s for s in self.servers if s not in tried] or self.servers
        now = time.monotonic()
        live = [s for s in candidates if s.up(now)]
        if not live:
            return min(candidates, key=lambda s: s.down_until)
        last = self._last_server.get(sender) if sender is not None else None
        least = min(s.in_flight for s in live)
        if last in live and last.in_flight <= least + STICKY_SLACK:
            return last
        start = next(self._turns) % len(live)
        rotated = live[start:] + live[:start]
        return min(rotated, key=lambda s: s.in_flight)

    def _set_aside(self, server: RasaServer, error: Exception) -> None:
        if len(self.servers) > 1:
            log.warning("Rasa server %s set aside: %s", server.url, error)
        server.down_until = time.monotonic() + SERVER_COOLDOWN_SECONDS

    async def send(
        self,
        sender: str,
        message: str,
        language: str | None,
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        """Send one user message; returns Rasa's bot messages (possibly empty).

        Tries each server once, within ``timeout`` seconds in all."""
        body = {
            "sender": sender,
            "message": message,
            "metadata": {"language": language},
        }
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        tried: set[RasaServer] = set()
        while True:
            server = self._pick(tried, sender)
            tried.add(server)
            server.in_flight += 1
            try:
                reply = await self._send_to(server, body, deadline - time.monotonic())
                self._remember(sender, server)
                return reply
            except RasaUnavailable as error:
                self._set_aside(server, error)
                if len(tried) == len(self.servers) or time.monotonic() >= deadline:
                    raise
            finally:
                server.in_flight -= 1

    def _remember(self, sender: str, server: RasaServer) -> None:
        if len(self.servers) == 1:
            return
        self._last_server[sender] = server
        self._last_server.move_to_end(sender)
        while len(self._last_server) > STICKY_CONVERSATIONS:
            self._last_server.popitem(last=False)

    async def _send_to(
        self, server: RasaServer, body: dict[str, Any], timeout: float
    ) -> list[dict[str, Any]]:
        try:
            response = await self._client.post(
                f"{server.url}/webhooks/rest/webhook", json=body, timeout=timeout
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
        params = {"token": token} if (token := self._auth_token()) else {}
        try:
            response = await self._client.get(
                url, params=params, timeout=PROBE_TIMEOUT_SECONDS * 3
            )
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
        """True when at least one Rasa server answers; the others are set aside."""
        results = await asyncio.gather(
            *(self._ok(f"{server.url}/") for server in self.servers)
        )
        for server, up in zip(self.servers, results, strict=True):
            if not up:
                server.down_until = time.monotonic() + SERVER_COOLDOWN_SECONDS
            elif server.down_until:
                server.down_until = 0.0  # back: take turns again at once
        return any(results)

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
