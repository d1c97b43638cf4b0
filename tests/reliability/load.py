"""Load helpers of the reliability suite: concurrent draft writers over keep-alive
HTTP connections, with every status and latency recorded."""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

# Drafts per writer: small in `make test`, `make reliability` sets 500 (the target).
DRAFTS_PER_WRITER = int(os.environ.get("IUC_RELIABILITY_DRAFTS", "10"))
WRITERS = 20


@dataclass
class Report:
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int, seconds: float) -> None:
        with self._lock:
            self.statuses[status] += 1
            self.latencies.append(seconds)

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)

    def summary(self) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        return (
            f"{sum(self.statuses.values())} requests in {self.seconds:.1f} s, "
            f"statuses {dict(sorted(self.statuses.items()))}, "
            f"median {statistics.median(ordered) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms, "
            f"{len(self.errors)} transport errors"
        )


def timed(
    report: Report, client: httpx.Client, method: str, url: str, **kwargs: Any
) -> httpx.Response | None:
    """One request, its status and latency recorded (None on a transport error)."""
    started = time.monotonic()
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        with report._lock:
            report.errors.append(f"{type(exc).__name__}: {exc}")
        return None
    report.record(response.status_code, time.monotonic() - started)
    return response


def write_drafts(
    app_url: str, writers: int = WRITERS, drafts: int = DRAFTS_PER_WRITER
) -> Report:
    """Each writer creates its drafts, autosaves each twice and reads it back."""
    report = Report()

    def writer(number: int) -> None:
        with httpx.Client(base_url=app_url, timeout=30) as client:
            for i in range(drafts):
                city = {"city": f"City {number}-{i}", "country": "CA"}
                created = timed(report, client, "POST", "/api/applications", json=city)
                if created is None or created.status_code != 201:
                    continue
                body = created.json()
                url = f"/api/applications/{body['id']}"
                auth = {"Authorization": f"Bearer {body['token']}"}
                for text in ("first words", "a longer motivation"):
                    change = {"motivation": text}
                    timed(report, client, "PATCH", url, json=change, headers=auth)
                timed(report, client, "GET", url, headers=auth)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report.seconds = time.monotonic() - started
    return report
