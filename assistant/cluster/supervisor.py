"""Start the cluster's processes, restart any server that dies, stop them all in order.

Every server's output is shown prefixed with its name, as honcho does for ``make run``.
The process ids and URLs are written to ``<data_dir>/run/cluster.json`` for operators
(and the failure drills). A server is restarted after it exits, sooner or later
depending on how long it had been up; one that stops with the launcher's configuration
error (exit status 2) stops the cluster with its message instead. PostgreSQL and Redis
are restarted after a few seconds; meanwhile the Rasa servers refuse turns and the app
answers from the knowledge base (degraded mode).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

import httpx

from assistant.cluster import backing
from assistant.cluster.plan import Process, cluster_plan
from assistant.core import rasa_token
from assistant.core.settings import PROJECT_ROOT, Settings

# Rasa has needed minutes to load its model on a busy two-core machine.
READY_TIMEOUT_SECONDS = 600.0
CONFIGURATION_ERROR = 2  # `python -m assistant.launch` found something to fix
BACKING_RESTART_SECONDS = 5.0


class ClusterError(RuntimeError):
    """The cluster cannot start; the message says why."""


@dataclass
class Running:
    name: str
    process: subprocess.Popen[bytes]
    started: float
    spec: Process | None = None  # None: PostgreSQL or Redis
    argv: list[str] | None = None  # PostgreSQL's or Redis's command
    restart_at: float | None = None


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def _relay(name: str, stream: IO[bytes]) -> None:
    for line in iter(stream.readline, b""):
        text = line.decode(errors="replace").rstrip()
        sys.stdout.write(f"{name:<10}| {text}\n")
        sys.stdout.flush()


class Supervisor:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir = settings.cluster.data_dir.resolve()
        self.running: dict[str, Running] = {}
        self.plan: list[Process] = []
        self.token = ""
        self.stopping = False

    # --- starting -------------------------------------------------------------
    def spawn(
        self, name: str, argv: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Ctrl-C reaches the supervisor only, which stops everything in order.
            start_new_session=True,
        )
        assert process.stdout is not None
        threading.Thread(
            target=_relay, args=(name, process.stdout), daemon=True
        ).start()
        return process

    def start_backing(self) -> tuple[str, str]:
        """PostgreSQL and Redis, unless URLs name existing servers; returns the
        PostgreSQL server URL and the Redis URL."""
        cluster = self.settings.cluster
        self.data_dir.mkdir(parents=True, exist_ok=True)
        redis_url = self.settings.redis.url
        if not redis_url:
            folder = self.data_dir / "redis"
            folder.mkdir(exist_ok=True)
            command = backing.redis_command(cluster.redis_port, folder)
            self._start_backing("redis", command, cluster.redis_port)
            redis_url = f"redis://127.0.0.1:{cluster.redis_port}/0"
        postgres_url = cluster.postgres_url
        if not postgres_url:
            bin_dir, data = backing.prepare_postgres(self.data_dir)
            command = backing.postgres_command(bin_dir, data, cluster.postgres_port)
            self._start_backing("postgres", command, cluster.postgres_port)
            postgres_url = f"postgresql://{backing.POSTGRES_USER}@127.0.0.1:{cluster.postgres_port}"
        backing.create_databases(postgres_url)
        return postgres_url, redis_url

    def _start_backing(self, name: str, argv: list[str], port: int) -> None:
        say(f"starting {name} on port {port}")
        process = self.spawn(name, argv)
        self.running[name] = Running(name, process, time.monotonic(), argv=argv)
        try:
            backing.wait_for_port(port, process, name)
        except backing.BackingError as error:
            raise ClusterError(str(error)) from None

    def start_servers(self, postgres_url: str, redis_url: str) -> None:
        self.plan = cluster_plan(
            self.settings,
            backing.database_url(postgres_url, backing.DRAFTS_DATABASE),
            backing.database_url(postgres_url, backing.TRACKER_DATABASE),
            redis_url,
        )
        # One token of Rasa's HTTP API for every server: left to each launcher, each
        # would draw its own into the same file and the app would hold only the last.
        # The setting, else one drawn now (and kept in IUC_RASA__AUTH_TOKEN_FILE).
        self.token = rasa_token.new_token(self.settings)
        shared = {"IUC_RASA__AUTH_TOKEN": self.token}
        self.plan = [replace(p, env={**p.env, **shared}) for p in self.plan]
        for spec in self.plan:
            self._start_server(spec)

    def _start_server(self, spec: Process) -> None:
        process = self.spawn(spec.name, spec.command(sys.executable), spec.env)
        self.running[spec.name] = Running(spec.name, process, time.monotonic(), spec)
        self.write_state()

    def wait_ready(self) -> None:
        pending = {spec.name: spec for spec in self.plan}
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        with httpx.Client(timeout=2) as client:
            while pending:
                for name, spec in list(pending.items()):
                    process = self.running[name].process
                    if process.poll() is not None:
                        raise ClusterError(
                            f"{name} exited with status {process.returncode} while "
                            "starting (its output is above)"
                        )
                    try:
                        # Rasa's /status wants the API token.
                        params = {"token": self.token} if spec.kind == "rasa" else {}
                        ready = client.get(spec.ready_url, params=params)
                        if ready.status_code == 200:
                            say(f"{name} ready on {spec.url}")
                            del pending[name]
                    except httpx.HTTPError:
                        pass
                if time.monotonic() > deadline:
                    raise ClusterError(f"not ready in time: {', '.join(pending)}")
                time.sleep(0.5)

    def write_state(self) -> None:
        state = {
            name: {
                "pid": item.process.pid,
                "url": item.spec.url if item.spec else None,
                "kind": item.spec.kind if item.spec else name,
            }
            for name, item in self.running.items()
        }
        folder = self.data_dir / "run"
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / "cluster.json.tmp"
        temporary.write_text(json.dumps(state, indent=2))
        temporary.replace(folder / "cluster.json")

    # --- watching -------------------------------------------------------------
    def watch(self) -> None:
        while not self.stopping:
            self.check_once()
            time.sleep(0.5)

    def check_once(self) -> None:
        now = time.monotonic()
        for item in list(self.running.values()):
            code = item.process.poll()
            if code is None:
                continue
            if item.spec is None:
                self._restart_backing(item, code, now)
                continue
            if code == CONFIGURATION_ERROR:
                raise ClusterError(f"{item.name} stopped on a configuration error")
            if item.restart_at is None:
                # The action server's Sanic worker outlives its killed parent and
                # keeps the port: the whole process group goes with it.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(item.process.pid, signal.SIGKILL)
                uptime = now - item.started
                delay = 1.0 if uptime > 30 else min(30.0, 5.0 + 30 - uptime)
                item.restart_at = now + delay
                say(
                    f"{item.name} exited with status {code}; restarting in {delay:.0f}s"
                )
            elif now >= item.restart_at:
                self._start_server(item.spec)

    def _restart_backing(self, item: Running, code: int, now: float) -> None:
        assert item.argv is not None
        if item.restart_at is None:
            item.restart_at = now + BACKING_RESTART_SECONDS
            say(
                f"{item.name} exited with status {code}: the Rasa servers refuse "
                "turns and the app answers from the knowledge base until it is "
                f"back; restart in {BACKING_RESTART_SECONDS:.0f} s"
            )
        elif now >= item.restart_at:
            process = self.spawn(item.name, item.argv)
            self.running[item.name] = Running(item.name, process, now, argv=item.argv)
            self.write_state()

    # --- stopping -------------------------------------------------------------
    def stop(self) -> None:
        self.stopping = True
        servers = [r for r in self.running.values() if r.spec is not None]
        others = [r for r in self.running.values() if r.spec is None]
        for group in (servers, others):
            for item in group:
                if item.process.poll() is None:
                    # PostgreSQL's fast shutdown is SIGINT (SIGTERM waits for clients).
                    sig = signal.SIGINT if item.name == "postgres" else signal.SIGTERM
                    item.process.send_signal(sig)
            for item in group:
                try:
                    item.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    item.process.kill()
                    item.process.wait()
        state = self.data_dir / "run" / "cluster.json"
        state.unlink(missing_ok=True)


def run(settings: Settings) -> int:
    supervisor = Supervisor(settings)

    def terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        postgres_url, redis_url = supervisor.start_backing()
        supervisor.start_servers(postgres_url, redis_url)
        supervisor.wait_ready()
        app = supervisor.plan[-1].url
        say(f"cluster ready: open {app} (Ctrl-C stops all)")
        supervisor.watch()
    except KeyboardInterrupt:
        pass
    except (ClusterError, backing.BackingError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        say("stopping the cluster")
        supervisor.stop()
    return 0


def state_file(settings: Settings) -> Path:
    return settings.cluster.data_dir.resolve() / "run" / "cluster.json"
