"""Start cluster mode (``python -m assistant.cluster``, as ``make run-cluster``) on free
ports for tests and benchmarks: two Rasa servers, an action server, the app, and their
own PostgreSQL and Redis in a temporary folder."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.live_stack import PROJECT_ROOT, START_TIMEOUT_SECONDS, free_port


def free_port_pair() -> int:
    """A free port whose next port is free too (two Rasa servers)."""
    while True:
        port = free_port()
        try:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue


@dataclass
class Cluster:
    process: subprocess.Popen[bytes]
    log: Path
    state_file: Path
    app_url: str

    @property
    def token(self) -> str:
        """The token of Rasa's HTTP API, drawn by the cluster launcher."""
        return (self.state_file.parents[1] / "rasa-auth-token").read_text().strip()

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.state_file.read_text())
        return data

    def kill(self, name: str) -> int:
        pid = int(self.state()[name]["pid"])
        os.kill(pid, signal.SIGKILL)
        return pid

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def wait_for(self, what: str, ready: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"the cluster stopped:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} not in {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.5)


@contextmanager
def running_cluster(workdir: Path) -> Iterator[Cluster]:
    """`python -m assistant.cluster` on free ports, its own PostgreSQL and Redis; the
    output goes to ``workdir / "cluster.log"``."""
    workdir.mkdir(parents=True, exist_ok=True)
    # PostgreSQL runs as the postgres user, who cannot enter pytest's private folder.
    data_dir = Path(tempfile.mkdtemp(prefix="iuc-cluster-"))
    data_dir.chmod(0o755)
    app_port = free_port()
    env = {
        **os.environ,
        "IUC_CLUSTER__DATA_DIR": str(data_dir),
        "IUC_RASA__AUTH_TOKEN_FILE": str(data_dir / "rasa-auth-token"),
        "IUC_CLUSTER__RASA_SERVERS": "2",
        "IUC_CLUSTER__ACTION_SERVERS": "1",
        "IUC_CLUSTER__POSTGRES_PORT": str(free_port()),
        "IUC_CLUSTER__REDIS_PORT": str(free_port()),
        "IUC_RASA__PORT": str(free_port_pair()),
        "IUC_ACTIONS__PORT": str(free_port()),
        "IUC_APP__PORT": str(app_port),
        "IUC_APP__PUBLIC_URL": f"http://127.0.0.1:{app_port}",
        "IUC_APP__RATE_LIMIT_PER_MINUTE": "100000",
        "IUC_APP__SESSION_RATE_LIMIT_PER_MINUTE": "100000",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    env.pop("IUC_REDIS__URL", None)
    env.pop("IUC_CLUSTER__POSTGRES_URL", None)
    log = workdir / "cluster.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cluster"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    running = Cluster(
        process,
        log,
        data_dir / "run" / "cluster.json",
        env["IUC_APP__PUBLIC_URL"],
    )
    try:
        running.wait_for(
            "cluster ready",
            lambda: "cluster ready" in log.read_text(errors="replace"),
            START_TIMEOUT_SECONDS,
        )
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
