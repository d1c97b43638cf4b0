"""``make bench``: simulated users through /api/chat, plus each hop alone.

Runs N concurrent sessions against a running stack for D seconds and prints p50/p95
latency, turns per second and errors. Each simulated visitor asks a few questions
(--turns-per-session) and leaves; a new visitor takes the seat at once, so N
conversations are always in progress. In the same run: Rasa's NLU parse alone
(POST /model/parse), a turn through Rasa alone, and retrieval alone (the knowledge
answerer in this process), so the overhead of each hop is a ratio; with --start-stack,
the CPU time each process spent per chat turn and the resident memory of the three,
and that CPU against the engine's query CPU, measured after the load and, a few
queries a second, during it.

    .venv/bin/python scripts/bench_chat.py --start-stack [--sessions 10 --duration 60]

--start-stack starts the three processes on free ports for the run (as the tests do);
--cluster starts cluster mode instead (``python -m assistant.cluster``: two Rasa servers
on PostgreSQL and Redis, an action server and the app) and reports the CPU of each;
without it the script measures a stack already running at --url, whose rate limit must
allow the load (IUC_APP__RATE_LIMIT_PER_MINUTE=100000 and
IUC_APP__SESSION_RATE_LIMIT_PER_MINUTE=100000).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

# Run as a plain script (make bench): make the project's packages importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.core import rasa_token
from assistant.core.settings import Settings, get_settings
from assistant.launch import thread_limits
from tests.live_cluster import running_cluster
from tests.live_stack import running_stack, tree_cpu_seconds, tree_rss_mb

QUESTIONS = [
    ("When is the deadline?", "en"),
    ("Who can apply to the call?", "en"),
    ("What does a city commit to?", "en"),
    ("Quelle est la date limite ?", "fr"),
    ("Qui peut postuler ?", "fr"),
    ("¿Cuál es la fecha límite?", "es"),
    ("¿Qué temas cubre la cooperación?", "es"),
]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def user(
    client: httpx.AsyncClient,
    url: str,
    stop: float,
    turns_per_session: int,
    out: list[float],
    errors: list[str],
) -> None:
    i = 0
    while time.monotonic() < stop:
        if i % turns_per_session == 0:  # a new visitor
            session = uuid.uuid4().hex
        text, lang = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        started = time.perf_counter()
        try:
            response = await client.post(
                f"{url}/api/chat",
                json={"session_id": session, "message": text, "language": lang},
            )
            if response.status_code != 200 or response.json().get("degraded"):
                errors.append(f"{response.status_code} degraded={response.text[:80]}")
                continue
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
            continue
        out.append((time.perf_counter() - started) * 1000)


async def chat_load(
    url: str, sessions: int, duration: float, turns_per_session: int
) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=sessions * 2)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        stop = time.monotonic() + duration
        started = time.monotonic()
        await asyncio.gather(
            *(
                user(client, url, stop, turns_per_session, latencies, errors)
                for _ in range(sessions)
            )
        )
        elapsed = time.monotonic() - started
    return {
        "sessions": sessions,
        "turns": len(latencies),
        "errors": len(errors),
        "turns_per_second": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
    }


def rasa_hop(
    rasa_url: str, rounds: int, path: str, turns_per_session: int, token: str = ""
) -> dict[str, float]:
    """One user, sequential requests to Rasa alone: NLU parse or a whole turn."""
    times = []
    # Rasa's HTTP API (the parse) wants its token; the REST channel does not.
    params = {"token": token} if token else {}
    with httpx.Client(timeout=30, params=params) as client:
        for i in range(rounds):
            text, lang = QUESTIONS[i % len(QUESTIONS)]
            if path == "/model/parse":
                body: dict[str, object] = {"text": text}
            else:  # a whole turn: NLU, policies, action server, tracker store
                sender = f"bench-turn-{i // turns_per_session}"
                body = {"sender": sender, "message": text}
                body["metadata"] = {"language": lang}
            started = time.perf_counter()
            client.post(f"{rasa_url}{path}", json=body).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)}


# Queries per second the benchmark asks the engine itself while the chat load runs.
PROBE_QUERIES_PER_SECOND = 5.0


class QueryProbe:
    """The engine's query CPU measured during the chat load, beside the turns it is
    compared with: measured after the load (``retrieval``), the machine is in another
    state, and the ratio moved with it (the query 4.6-10 ms between runs, session 9).
    A few queries a second, a few percent of a core."""

    def __init__(
        self, answerer: object, rate: float = PROBE_QUERIES_PER_SECOND
    ) -> None:
        self._answerer = answerer
        self._rate = rate
        self._stop = threading.Event()
        self.cpu_ms: list[float] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        i = 0
        while self._rate > 0 and not self._stop.wait(1 / self._rate):
            text, lang = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            started = time.thread_time()
            self._answerer.ask(text, lang=lang)  # type: ignore[attr-defined]
            self.cpu_ms.append((time.thread_time() - started) * 1000)

    def __enter__(self) -> QueryProbe:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def report(self) -> dict[str, float]:
        return {"queries": len(self.cpu_ms), "cpu_p50_ms": percentile(self.cpu_ms, 50)}


def retrieval(index_dir: Path, model: str, rounds: int) -> dict[str, float]:
    from knowledge.service import load_answerer

    answerer = load_answerer(index_dir, model)
    times, cpu = [], []
    for i in range(rounds):
        text, lang = QUESTIONS[i % len(QUESTIONS)]
        started, started_cpu = time.perf_counter(), time.thread_time()
        answerer.ask(text, lang=lang)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return {
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        # CPU, unlike the wall time, does not grow with the machine's load.
        "cpu_p50_ms": percentile(cpu, 50),
    }


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    # Retrieval alone runs here with the servers' thread limits (read at model load).
    os.environ.update(thread_limits(settings))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{settings.app.port}")
    parser.add_argument("--rasa-url", default=settings.rasa.url)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument(
        "--turns-per-session",
        type=int,
        default=len(QUESTIONS),
        help="questions each simulated visitor asks before leaving",
    )
    parser.add_argument("--rounds", type=int, default=200, help="hop-alone samples")
    parser.add_argument(
        "--rasa-token",
        default=None,
        help="the token of Rasa's HTTP API (for the NLU parse alone; default: "
        "the one the launcher drew)",
    )
    parser.add_argument(
        "--probe-rate",
        type=float,
        default=PROBE_QUERIES_PER_SECOND,
        help="engine queries per second during the load (0: none)",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--start-stack",
        action="store_true",
        help="start Rasa, the action server and the app on free ports for the run",
    )
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="start cluster mode (2 Rasa servers, PostgreSQL, Redis) for the run",
    )
    args = parser.parse_args(argv)
    if args.rasa_token is None:
        args.rasa_token = rasa_token.current_token(settings)
    if args.cluster:
        with (
            tempfile.TemporaryDirectory() as workdir,
            running_cluster(Path(workdir)) as cluster,
        ):
            state = cluster.state()
            args.url, args.rasa_url = cluster.app_url, state["rasa-1"]["url"]
            args.rasa_token = cluster.token
            pids = {name: int(item["pid"]) for name, item in state.items()}
            return bench(args, settings, pids=pids)
    if not args.start_stack:
        return bench(args, settings, pids={})

    with (
        tempfile.TemporaryDirectory() as workdir,
        running_stack(Path(workdir)) as stack,
    ):
        args.url, args.rasa_url = stack.app_url, stack.rasa_url
        args.rasa_token = stack.rasa_token
        return bench(args, settings, pids=stack.pids)


def bench(args: argparse.Namespace, settings: Settings, pids: dict[str, int]) -> int:
    try:
        httpx.get(f"{args.url}/api/health", timeout=3).raise_for_status()
    except httpx.HTTPError as exc:
        print(f"bench: the app is not reachable at {args.url} ({exc})", file=sys.stderr)
        return 2
    from knowledge.service import load_answerer

    # Loaded before the load starts (its cache serves ``retrieval`` below too).
    answerer = load_answerer(
        settings.knowledge.index_dir, settings.knowledge.embedding_model
    )
    cpu_before = {name: tree_cpu_seconds(pid) for name, pid in pids.items()}
    with QueryProbe(answerer, args.probe_rate) as probe:
        chat = asyncio.run(
            chat_load(args.url, args.sessions, args.duration, args.turns_per_session)
        )
    report: dict[str, object] = {"chat": chat, "query_during_load": probe.report()}
    if pids and chat["turns"]:
        # CPU is what a turn costs whatever else the machine runs: the figure that
        # survives noisy neighbours better than latency.
        cpu = {
            name: (tree_cpu_seconds(pid) - cpu_before[name]) * 1000 / chat["turns"]
            for name, pid in pids.items()
        }
        report["cpu_ms_per_turn"] = {**cpu, "total": sum(cpu.values())}
    for hop, path in (
        ("rasa_parse", "/model/parse"),
        ("rasa_turn", "/webhooks/rest/webhook"),
    ):
        try:
            report[hop] = rasa_hop(
                args.rasa_url,
                args.rounds,
                path,
                args.turns_per_session,
                args.rasa_token,
            )
        except httpx.HTTPError as exc:
            report[hop] = {"error": str(exc)}
    report["retrieval"] = retrieval(
        settings.knowledge.index_dir,
        settings.knowledge.embedding_model,
        args.rounds,
    )
    cpu_per_turn = report.get("cpu_ms_per_turn")
    if isinstance(cpu_per_turn, dict):
        # What a whole turn costs against the knowledge engine's own query (CPU).
        query_ms = report["retrieval"]["cpu_p50_ms"]  # type: ignore[index]
        report["cpu_per_turn_to_query"] = {
            name: ms / query_ms for name, ms in cpu_per_turn.items()
        }
        # The same, against the query measured beside the turns (QueryProbe).
        if probe.cpu_ms:
            during = probe.report()["cpu_p50_ms"]
            report["cpu_per_turn_to_query_during_load"] = {
                name: ms / during for name, ms in cpu_per_turn.items()
            }
    if pids:
        memory = {name: tree_rss_mb(pid) for name, pid in pids.items()}
        report["memory_mb"] = {**memory, "total": sum(memory.values())}
    chat_p50 = report["chat"]["p50_ms"]  # type: ignore[index]
    report["ratios_to_chat_p50"] = {
        hop: round(values["p50_ms"] / chat_p50, 3)  # type: ignore[index]
        for hop, values in report.items()
        if hop in ("rasa_parse", "rasa_turn", "retrieval") and "p50_ms" in values  # type: ignore[operator]
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for section, values in report.items():
            pairs = ", ".join(
                f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                for k, v in values.items()  # type: ignore[attr-defined]
            )
            print(f"{section}: {pairs}")
    return 0 if chat["errors"] == 0 and chat["turns"] else 1


if __name__ == "__main__":
    sys.exit(main())
