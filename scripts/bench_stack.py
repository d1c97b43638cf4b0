"""Cold start to healthy and resident memory of each process of the running assistant.

    .venv/bin/python scripts/bench_stack.py [--runs 2]

Starts the real stack (as `make run` does, on free ports with temporary databases),
times until every part answers its health check, sends a few chat turns so the models
are loaded, then reads the resident memory of each process tree from /proc. Needs a
trained model (`make train`) and the knowledge index (`make kb`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.live_stack import running_stack, tree_rss_mb


def one_run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        with running_stack(Path(workdir)) as stack:
            healthy = time.perf_counter() - started
            for text in ("hello", "When is the deadline?", "Can Ottawa apply?"):
                httpx.post(
                    f"{stack.app_url}/api/chat",
                    json={"session_id": "bench", "message": text},
                    timeout=60,
                )
            memory = {name: tree_rss_mb(pid) for name, pid in stack.pids.items()}
    return {"cold_start_s": healthy, **{f"rss_{k}_mb": v for k, v in memory.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    runs = [one_run() for _ in range(parser.parse_args().runs)]
    print("| measure | " + " | ".join(f"run {i + 1}" for i in range(len(runs))) + " |")
    print("|---|" + "---|" * len(runs))
    for key in runs[0]:
        print(f"| {key} | " + " | ".join(f"{run[key]:.1f}" for run in runs) + " |")
    total = [sum(v for k, v in run.items() if k.startswith("rss_")) for run in runs]
    print("| rss_total_mb | " + " | ".join(f"{t:.0f}" for t in total) + " |")


if __name__ == "__main__":
    main()
