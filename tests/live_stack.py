"""Start the real Rasa server, action server and web app on free ports for tests.

Each process starts through ``python -m assistant.launch`` as in ``make run``, with its
own temporary databases: the tests exercise the real wiring (settings, launcher,
servers) and never touch a developer's data.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Generous: on a loaded two-core machine Rasa alone has needed four minutes to load.
START_TIMEOUT_SECONDS = 600


@dataclass
class LiveStack:
    rasa_url: str
    actions_url: str
    app_url: str
    env: dict[str, str]
    logs: dict[str, Path] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)

    @property
    def rasa_token(self) -> str:
        """The token Rasa's HTTP API wants (drawn by the launcher at Rasa's start)."""
        return Path(self.env["IUC_RASA__AUTH_TOKEN_FILE"]).read_text().strip()

    def log_tail(self, name: str, lines: int = 40) -> str:
        text = self.logs[name].read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stack_environment(workdir: Path) -> dict[str, str]:
    ports = {name: free_port() for name in ("rasa", "actions", "app")}
    return {
        "IUC_RASA__PORT": str(ports["rasa"]),
        "IUC_RASA__URL": f"http://127.0.0.1:{ports['rasa']}",
        "IUC_ACTIONS__PORT": str(ports["actions"]),
        "IUC_ACTIONS__URL": f"http://127.0.0.1:{ports['actions']}",
        "IUC_APP__PORT": str(ports["app"]),
        "IUC_APP__PUBLIC_URL": f"http://127.0.0.1:{ports['app']}",
        "IUC_APP__CORS_ORIGINS": f'["http://127.0.0.1:{ports["app"]}"]',
        "IUC_APP__RATE_LIMIT_PER_MINUTE": "100000",
        "IUC_APP__SESSION_RATE_LIMIT_PER_MINUTE": "100000",
        "IUC_DATABASE__URL": f"sqlite:///{workdir / 'app.db'}",
        "IUC_DATABASE__TRACKER_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "IUC_RASA__AUTH_TOKEN_FILE": str(workdir / "rasa-auth-token"),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        path = task / "children"
        if path.exists():
            found += [int(child) for child in path.read_text().split()]
    return found


def _tree(pid: int) -> list[int]:
    """A process and its descendants that are still alive."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        try:
            stack += _children(current)
        except (FileNotFoundError, ProcessLookupError):
            continue
        found.append(current)
    return found


def tree_rss_mb(pid: int) -> float:
    """Resident memory (MB) of a process and its children, read from /proc."""
    total_kb = 0
    for current in _tree(pid):
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total_kb / 1024


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its children have used so far."""
    ticks = 0
    for current in _tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _ready(url: str, token_file: Path | None = None) -> bool:
    try:
        params = {"token": token_file.read_text().strip()} if token_file else {}
        return httpx.get(url, params=params, timeout=2).status_code == 200
    except OSError:  # the token is not written yet
        return False
    except httpx.HTTPError:
        return False


@contextmanager
def running_stack(
    workdir: Path,
    processes_to_start: tuple[str, ...] = ("rasa", "actions", "app"),
    extra_env: dict[str, str] | None = None,
) -> Iterator[LiveStack]:
    """Start the named processes (all three by default) and wait until each is ready."""
    workdir.mkdir(parents=True, exist_ok=True)
    overrides = {**stack_environment(workdir), **(extra_env or {})}
    env = {**os.environ, **overrides}
    stack = LiveStack(
        rasa_url=overrides["IUC_RASA__URL"],
        actions_url=overrides["IUC_ACTIONS__URL"],
        app_url=overrides["IUC_APP__PUBLIC_URL"],
        env=overrides,
    )
    checks = {
        "rasa": f"{stack.rasa_url}/status",
        "actions": f"{stack.actions_url}/health",
        "app": f"{stack.app_url}/api/health",
    }
    checks = {name: url for name, url in checks.items() if name in processes_to_start}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name in checks:
            log = workdir / f"{name}.log"
            stack.logs[name] = log
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", "assistant.launch", name],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            stack.pids[name] = processes[name].pid
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        pending = dict(checks)
        while pending:
            for name, url in list(pending.items()):
                if processes[name].poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {processes[name].returncode}:\n"
                        + stack.log_tail(name)
                    )
                token_file = (
                    Path(overrides["IUC_RASA__AUTH_TOKEN_FILE"])
                    if name == "rasa"
                    else None
                )
                if _ready(url, token_file):
                    del pending[name]
            if time.monotonic() > deadline:
                tails = "\n".join(f"--- {n}\n{stack.log_tail(n)}" for n in pending)
                raise RuntimeError(
                    f"not ready after {START_TIMEOUT_SECONDS}s:\n{tails}"
                )
            time.sleep(0.5)
        yield stack
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
