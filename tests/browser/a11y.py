"""axe-core in the browser tests: fetched from npm into var/npm (``make axe``), never
committed; screenshots of each journey's last step go to results/screenshots/."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "results" / "screenshots"
# Impacts that fail a page: everything but "minor".
FAILING = {"moderate", "serious", "critical"}
_NPM_QUIET = ("--no-audit", "--no-fund", "--no-save", "--silent")


@cache
def axe_source() -> str:
    """axe.min.js, fetched with npm as `make axe` does if it is not there yet."""
    if not AXE.exists() and shutil.which("npm"):
        folder = str(ROOT / "var" / "npm")
        subprocess.run(
            [*("npm", "install", "--prefix", folder, "axe-core@4"), *_NPM_QUIET],
            check=False,
            timeout=300,
        )
    if not AXE.exists():
        pytest.skip(f"axe-core unavailable ({AXE} missing and npm could not fetch it)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Violations of impact moderate or above on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools, which the pages' CSP (script-src 'self') allows;
        # a <script> tag would be blocked, as it should be.
        page.evaluate(axe_source() + "\n;0")
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
        if v.get("impact") in FAILING
    ]


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot a reviewer can look at (results/ is not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "-", name).strip("-") + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path
