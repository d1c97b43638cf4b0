"""The knowledge engine's query CPU, back to back and spaced as real traffic spaces it.

``bench_chat.py`` compares a chat turn's CPU with the engine's query CPU measured two
ways: after the load, 50 queries back to back, and during it, a few a second. The two
disagreed by 40-70 %, which was put down to the machine's load. This script asks the
same questions with no chat load at all, back to back and with a pause between them,
in alternating rounds, so the machine's state is the same for both:

    .venv/bin/python scripts/bench_query_spacing.py [--queries 50] [--rounds 3]

A query that follows another at once finds the model's weights and the index in the
CPU's caches; one that follows a pause, as in the action server, where each query
comes between other work, does not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.core.settings import get_settings
from assistant.launch import thread_limits
from knowledge.service import Answerer, load_answerer
from scripts.bench_chat import QUESTIONS  # its questions: the figures compare


def median_cpu_ms(answerer: Answerer, queries: int, pause: float) -> float:
    cpu = []
    for i in range(queries):
        text, lang = QUESTIONS[i % len(QUESTIONS)]
        started = time.thread_time()
        answerer.ask(text, lang=lang)
        cpu.append((time.thread_time() - started) * 1000)
        if pause:
            time.sleep(pause)
    return statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = get_settings()
    os.environ.update(thread_limits(settings))  # as the action server runs it
    answerer = load_answerer(
        settings.knowledge.index_dir, settings.knowledge.embedding_model
    )
    median_cpu_ms(answerer, 20, 0)  # load and warm up
    pauses = (0.0, 0.03, 0.2)
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("| round | " + " | ".join(f"pause {p * 1000:.0f} ms" for p in pauses) + " |")
    print("|---" * (len(pauses) + 1) + "|")
    for round_ in range(1, args.rounds + 1):
        cells = [f"{median_cpu_ms(answerer, args.queries, p):.1f}" for p in pauses]
        print(f"| {round_} | " + " | ".join(cells) + " |")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
