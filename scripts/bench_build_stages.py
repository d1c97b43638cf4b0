"""Where the knowledge build's time goes: ``make kb``'s build, stage by stage.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/bench_build_stages.py OUT [--no-calibrate]

Builds the project's index into OUT (a scratch folder, never var/index) as
``python -m assistant.launch kb`` does, with the embedding, BM25, the classifier (its
tf-idf and softmax fit) and the calibration each timed by wrapping its function, and
prints one JSON line: the manifest's ``build_seconds``, the stages, the process's CPU
seconds (ONNX Runtime's threads included). Run it in an old and a new checkout in turn
(A B A B ...) to compare: the machine's speed drifts.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge import classifier, embedders, lexical, project, softmax  # noqa: E402

SECONDS: dict[str, float] = defaultdict(float)
PHASE = ["setup"]


def timed(owner: Any, name: str, label: str, phase: str | None = None) -> None:
    """Replace ``owner.name`` by a wrapper adding its time to ``label`` (which may
    name the phase it is called in: ``{phase}``)."""
    inner = getattr(owner, name)

    @functools.wraps(inner)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        caller = PHASE[0]
        PHASE[0] = phase or caller
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            SECONDS[label.format(phase=caller)] += time.perf_counter() - started
            PHASE[0] = caller

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-calibrate", action="store_true")
    args = parser.parse_args()
    timed(embedders.SentenceTransformerEmbedder, "encode", "encode in {phase}")
    timed(softmax, "fit", "classifier: softmax fit")
    timed(classifier.EntryClassifier, "train", "classifier: all (tf-idf + fit)")
    timed(lexical.LexicalIndex, "build", "lexical (BM25)")
    timed(project, "build_index", "build (build_index)", phase="build")
    timed(project, "calibrate_index", "calibration", phase="calibration")
    started, cpu = time.perf_counter(), time.process_time()
    project.build_project_index(
        args.out, "all-MiniLM-L6-v2", progress=False, calibrate=not args.no_calibrate
    )
    SECONDS["total (build, save, calibrate)"] = time.perf_counter() - started
    manifest = json.loads((args.out / "manifest.json").read_text(encoding="utf-8"))
    print(
        json.dumps(
            {
                "build_seconds": manifest["build_seconds"],
                "classifier": manifest["classifier"],
                "cpu_seconds": round(time.process_time() - cpu, 1),
                **{label: round(s, 1) for label, s in SECONDS.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
