"""The private link of a draft saved in the chat, made by the app, in its reply only.

The action server saves the draft unclaimed and says so with the link *without* its
token and ``{"draft": {"id": ...}}`` (actions/application.py, ActionSaveDraft): Rasa
stores every message in its tracker, so the message must hold no secret. Here, on
the way from Rasa to the user, the app claims the draft (a one-time UPDATE from
"unclaimed" to the hash of a fresh token, ``DraftStore.claim``) and writes the token
into the link's fragment. The token thus exists only in this HTTP reply and in the
user's browser: not in Rasa's tracker store, not in its HTTP API, not in any log.

Only Rasa's reply to this very turn can name a draft to claim, and a draft is
claimed once: reading the tracker store gives neither a token nor a way to get one.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from assistant.core.database import DatabaseUnavailable
from assistant.core.drafts import DraftStoreError
from assistant.web.api.deps import AppServices, ServiceUnavailable, message

log = logging.getLogger(__name__)

ANNOUNCEMENT = "draft"


def _announced(item: dict[str, Any]) -> str | None:
    custom = item.get("custom")
    draft = custom.get(ANNOUNCEMENT) if isinstance(custom, dict) else None
    draft_id = draft.get("id") if isinstance(draft, dict) else None
    return draft_id if isinstance(draft_id, str) else None


async def hand_over_drafts(
    items: list[dict[str, Any]], services: AppServices, language: str
) -> list[dict[str, Any]]:
    """Rasa's messages with each announced draft's link completed with its token."""
    drafts = [draft_id for item in items if (draft_id := _announced(item))]
    if not drafts:
        return items
    kept = [item for item in items if _announced(item) is None]
    for draft_id in drafts:
        token: str | None = None
        try:
            store = services.drafts()
            token = await asyncio.to_thread(store.claim, draft_id)
        except (ServiceUnavailable, DatabaseUnavailable, DraftStoreError) as exc:
            log.warning("could not claim draft %s: %s", draft_id, exc)
        link = re.compile(rf"\S*/drafts/{re.escape(draft_id)}(?![\w#-])")
        for item in kept:
            text = item.get("text")
            if not isinstance(text, str) or not link.search(text):
                continue
            if token is None:
                item["text"] = message("draft_link_failed", language)
            else:
                # token_urlsafe: letters, digits, "-" and "_" (nothing re treats).
                item["text"] = link.sub(rf"\g<0>#token={token}", text)
    return kept
