"""Browser fixtures: the app served by uvicorn on a free port, a host page on another
origin that embeds the widget with one tag, and Debian's chromium through Playwright."""

from __future__ import annotations

import functools
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from assistant.web.app import create_app
from tests.web.conftest import FakeAnswerer, make_settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Site:
    app_url: str
    host_url: str


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app alone (Rasa down, so chat answers from a fake knowledge engine) and a
    host page on a second origin that embeds the widget."""
    app_port, host_port = free_port(), free_port()
    app_url, host_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{host_port}"
    settings = make_settings(
        tmp_path_factory.mktemp("app"), public_url=app_url, cors_origins=[host_url]
    )
    app = create_app(settings)
    app.state.services.core.override("answerer", FakeAnswerer())
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=app_port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()

    host_dir = tmp_path_factory.mktemp("host")
    (host_dir / "index.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>City of Example</title></head><body><h1>City of Example</h1>"
        f'<script src="{app_url}/widget.js" data-lang="en" defer></script>'
        "</body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(host_dir)
    )
    host = http.server.ThreadingHTTPServer(("127.0.0.1", host_port), handler)
    threading.Thread(target=host.serve_forever, daemon=True).start()

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{app_url}/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    # Load the offline gazetteer once, so no page test waits for it.
    httpx.post(f"{app_url}/api/eligibility", json={"city": "Ottawa"}, timeout=60)
    yield Site(app_url=app_url, host_url=host_url)
    server.should_exit = True
    host.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
