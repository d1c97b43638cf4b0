"""``python -m assistant`` refuses a bad configuration with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"IUC_DATABASE__URL": "nonsense"}, "IUC_DATABASE__URL"),
        ({"IUC_DATABASE__URL": "postgresql://u:p@127.0.0.1:1/x"}, "cannot open"),
        ({"IUC_APP__PORT": "eighty"}, "IUC_APP__PORT"),
    ],
)
def test_bad_configuration_exits_with_one_line(
    env: dict[str, str], needle: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistant.web"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0] and "Traceback" not in result.stderr
