"""Running a probe script in the Rasa environment (.venv-rasa), where Rasa and the
NLU components live; the probe prints its report as JSON on its last line."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from assistant.launch import RASA_PYTHON

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "iuc.tar.gz"
# For a module whose probes load the trained model in the Rasa environment.
needs_rasa_model = pytest.mark.skipif(
    not RASA_PYTHON.exists() or not MODEL.exists(),
    reason="the Rasa environment or the trained model is missing",
)


def run_in_rasa(script: str, *args: str) -> Any:
    """The JSON report of ``script`` run from the project root with ``args``."""
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", script, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
