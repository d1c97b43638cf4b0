"""Staff console benchmarks (figures in docs/BENCHMARKS.md, "Staff console").

1. What recording adds to a chat turn: the same 1,000 turns through /api/chat (Rasa
   stubbed by an in-process transport, so the app's own work is what is timed), turn by
   turn alternating between an app that records and one that does not; plus the
   recording call alone.
2. Console pages with 100,000 recorded turns (90 days, generated), 2,000 verdicts, 500
   drafts: each page's API timed in-process, cold (first load) and warm, with the real
   embedding model grouping the unanswered questions.

    .venv/bin/python scripts/bench_console.py [--turns 1000 --records 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import insert

from assistant.core.records.models import ChatTurn, Feedback, Verdict
from assistant.core.settings import (
    ActionServerSettings,
    AppSettings,
    DatabaseSettings,
    KnowledgeSettings,
    RasaSettings,
    Settings,
)
from assistant.web.api.recording import record_chat_turn
from assistant.web.app import create_app
from assistant.web.rasa_client import RasaClient

ADMIN = ("admin", "bench")
REPLY = [
    {"recipient_id": "s", "text": "The deadline was 15 March 2019."},
    {
        "recipient_id": "s",
        "custom": {
            "turn": {
                "answered": True,
                "entry": "deadline-next-call",
                "score": 0.9,
                "runners_up": [{"id": "commitment-duration", "score": 0.4}],
            }
        },
    },
]


def settings_for(folder: Path, record: bool) -> Settings:
    settings = Settings(
        app=AppSettings(rate_limit_per_minute=0, admin_password=SecretStr(ADMIN[1])),
        rasa=RasaSettings(url="http://rasa:5005"),
        actions=ActionServerSettings(url="http://actions:5055"),
        database=DatabaseSettings(url=f"sqlite:///{folder / 'app.db'}"),
        knowledge=KnowledgeSettings(index_dir=folder / "index"),
    )
    settings.console.record_turns = record
    return settings


def stub_rasa(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/webhooks/rest/webhook":
        return httpx.Response(200, json=REPLY)
    return httpx.Response(200, json={"slots": {"language": "en"}})


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(values: list[float]) -> str:
    return (
        f"p50 {pct(values, 0.5) * 1000:.2f} ms, p95 {pct(values, 0.95) * 1000:.2f} ms"
    )


def bench_recording(turns: int, folder: Path) -> None:
    clients = {}
    for record in (True, False):
        app = create_app(settings_for(folder / str(record), record))
        client = TestClient(app).__enter__()
        app.state.rasa = RasaClient(
            "http://rasa:5005",
            "http://actions:5055",
            3.0,
            client=httpx.AsyncClient(transport=httpx.MockTransport(stub_rasa)),
        )
        app.state.services.records()  # opened (and migrated) before timing
        clients[record] = client
    times: dict[bool, list[float]] = {True: [], False: []}
    for i in range(turns + 50):
        for record in (True, False) if i % 2 else (False, True):
            body = {"message": f"When is the deadline? {i}", "language": "en"}
            start = time.perf_counter()
            response = clients[record].post("/api/chat", json=body)
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, response.text
            if i >= 50:  # warm-up turns left out
                times[record].append(elapsed)
    services = clients[True].app.state.services  # type: ignore[attr-defined]
    calls = []
    for i in range(turns):
        start = time.perf_counter()
        record_chat_turn(services, uuid.uuid4().hex, f"q {i}", "en", REPLY)
        calls.append(time.perf_counter() - start)
    assert services.records().flush(30)
    p95_on, p95_off = pct(times[True], 0.95), pct(times[False], 0.95)
    print(f"chat turn, recording on:  {ms(times[True])} ({turns} turns)")
    print(f"chat turn, recording off: {ms(times[False])} ({turns} turns)")
    print(f"p95 difference: {(p95_on - p95_off) * 1000:+.2f} ms")
    print(f"recording call alone: {ms(calls)}, max {max(calls) * 1000:.2f} ms")
    for client in clients.values():
        client.__exit__(None, None, None)


QUESTION_PARTS = (
    ["Can", "Does", "Is it possible that", "Will", "Should"],
    ["our city", "a county", "my town", "the mayor's office", "a township"],
    ["bring a dog to", "get parking at", "invite the press to", "livestream",
     "get a refund for", "pay travel for", "translate", "host"],
    ["the kickoff", "the study visit", "the final event", "the workshops",
     "the partner visit", "the webinar"],
)  # fmt: skip
ENTRIES = [
    "commitment-duration", "contact-programme", "deadline-next-call",
    "eligibility-groups-of-municipalities", "funding-amount", "funding-who-funds",
    "documents-languages", "contact-website",
]  # fmt: skip


def generate(store_engine: Any, records: int, rng: random.Random) -> None:
    now = datetime.now(UTC)
    rows = []
    for _ in range(records):
        kind = rng.random()
        outcome = (
            "answered"
            if kind < 0.7
            else "declined"
            if kind < 0.85
            else "fallback"
            if kind < 0.95
            else "dialogue"
        )
        question = " ".join(rng.choice(part) for part in QUESTION_PARTS) + "?"
        entry = rng.choice(ENTRIES)
        rows.append(
            {
                "id": uuid.uuid4().hex,
                "created_at": now - timedelta(seconds=rng.uniform(0, 90 * 86400)),
                "language": rng.choice(["en", "en", "fr", "es"]),
                "question": question,
                "outcome": outcome,
                "degraded": rng.random() < 0.05,
                "entry_id": entry if outcome == "answered" else None,
                "nearest_entry": entry if outcome in ("answered", "declined") else None,
                "score": round(rng.random(), 3),
                "runners_up": [{"id": rng.choice(ENTRIES), "score": 0.3}],
            }
        )
    with store_engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(ChatTurn), rows[start : start + 5000])
        connection.execute(
            insert(Verdict),
            [
                {
                    "created_at": now - timedelta(days=rng.uniform(0, 90)),
                    "country": rng.choice(["CA", "US", "MX", "FR"]),
                    "verdict": rng.choice(["encouraged", "below_threshold"]),
                    "language": "en",
                    "channel": "chat",
                }
                for _ in range(2000)
            ],
        )
        answered = [r["id"] for r in rows if r["outcome"] == "answered"][:1000]
        connection.execute(
            insert(Feedback),
            [
                {
                    "created_at": now,
                    "turn_id": turn_id,
                    "helpful": rng.random() < 0.7,
                    "comment": None,
                }
                for turn_id in answered
            ],
        )


PAGES = [
    "/admin",
    "/api/admin/usage?days=30",
    "/api/admin/usage?days=90",
    "/api/admin/unanswered?days=7",
    "/api/admin/unanswered?days=30",
    "/api/admin/unanswered?days=7&by=entry",
    "/api/admin/entries",
    "/api/admin/applications",
    "/api/admin/handoffs",
]


def console_app(folder: Path, embedder: Any) -> Any:
    app = create_app(settings_for(folder, True))
    app.state.services.core.override(
        "answerer", SimpleNamespace(kb=SimpleNamespace(embedder=embedder))
    )
    return app


def bench_pages(records: int, folder: Path) -> None:
    from assistant.core.records import review
    from assistant.web.api.console_review import encoder
    from knowledge.embedders import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    rng = random.Random(7)
    app = console_app(folder, embedder)
    with TestClient(app) as client:
        store = app.state.services.records()
        start = time.perf_counter()
        generate(store.engine, records, rng)
        for i in range(500):
            client.post(
                "/api/applications", json={"city": f"City {i}", "country": "CA"}
            )
        print(f"generated {records:,} turns in {time.perf_counter() - start:.1f} s")
        # What the background embedder does as unanswered questions are recorded.
        since = datetime.now(UTC) - timedelta(days=90)
        texts = [q.text for q in review.open_questions(store.engine, since, 10**6)]
        start = time.perf_counter()
        encode = encoder(app.state.services)
        assert encode is not None
        for first in range(0, len(texts), 64):
            encode(texts[first : first + 64])
        took = time.perf_counter() - start
        print(
            f"background embedding of {len(texts)} distinct unanswered questions: "
            f"{took:.1f} s ({took / len(texts) * 1000:.0f} ms each)"
        )
    # A restart: nothing in memory, the vectors in the database.
    app = console_app(folder, embedder)
    with TestClient(app) as client:
        for path in PAGES:
            timings = []
            for _ in range(4):
                start = time.perf_counter()
                response = client.get(path, auth=ADMIN)
                timings.append(time.perf_counter() - start)
                assert response.status_code == 200, (path, response.text[:200])
            warm = statistics.median(timings[1:])
            cold = timings[0] * 1000
            print(f"{path:40s} first {cold:6.1f} ms, then {warm * 1000:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--only", choices=["recording", "pages"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.only != "pages":
            bench_recording(args.turns, Path(tmp) / "recording")
        if args.only != "recording":
            bench_pages(args.records, Path(tmp) / "pages")


if __name__ == "__main__":
    main()
