"""kill -9 of the app while 20 writers autosave: every write the app acknowledged
(200) is in the database after a restart."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.reliability.conftest import app_on
from tests.reliability.load import WRITERS

pytestmark = [pytest.mark.integration, pytest.mark.reliability]


def test_kill_9_of_the_app_loses_no_acknowledged_write(tmp_path: Path) -> None:
    acknowledged: dict[str, int] = {}
    drafts: dict[str, str] = {}
    stop = threading.Event()

    def autosave(app_url: str, draft_id: str) -> None:
        auth = {"Authorization": f"Bearer {drafts[draft_id]}"}
        with httpx.Client(base_url=app_url, timeout=10) as client:
            version = 0
            while not stop.is_set():
                version += 1
                try:
                    response = client.patch(
                        f"/api/applications/{draft_id}",
                        json={"motivation": f"version {version}"},
                        headers=auth,
                    )
                except httpx.HTTPError:
                    return  # the app is gone
                if response.status_code == 200:
                    acknowledged[draft_id] = version

    with app_on(tmp_path) as stack:
        for number in range(WRITERS):
            body = httpx.post(
                f"{stack.app_url}/api/applications",
                json={"city": f"City {number}", "country": "CA"},
                timeout=10,
            ).json()
            drafts[body["id"]] = body["token"]
            acknowledged[body["id"]] = 0
        writers = [
            threading.Thread(target=autosave, args=(stack.app_url, draft_id))
            for draft_id in drafts
        ]
        for writer in writers:
            writer.start()
        time.sleep(3)
        os.kill(stack.pids["app"], signal.SIGKILL)
        stop.set()
        for writer in writers:
            writer.join(timeout=30)

    total = sum(acknowledged.values())
    assert total > 0, "no write was acknowledged before the kill"
    with app_on(tmp_path) as stack:  # the same database, a new process
        lost = []
        for draft_id, token in drafts.items():
            stored = httpx.get(
                f"{stack.app_url}/api/applications/{draft_id}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            ).json()
            version = int((stored.get("motivation") or "version 0").split()[-1])
            # The last acknowledged write, or the one in flight when the app died.
            if version not in (acknowledged[draft_id], acknowledged[draft_id] + 1):
                lost.append((draft_id, acknowledged[draft_id], version))
    print(
        f"\nkill -9 under {WRITERS} writers: {total} acknowledged PATCHes, "
        f"{len(lost)} lost"
    )
    assert lost == []
