"""POST /api/handoff: a visitor leaves a message and an e-mail address for the
programme team; the request, with the conversation's transcript from Rasa's tracker
store, lands in the staff console and is e-mailed when an SMTP URL is set."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.core import mail
from assistant.core.draft_fields import EMAIL, EMAIL_MAX
from assistant.web.api.deps import AppServices, ServicesDep, SettingsDep
from assistant.web.rasa_client import RasaClient
from assistant.web.schemas import SESSION_ID_PATTERN, Language

log = logging.getLogger(__name__)
router = APIRouter(tags=["handoff"])

MESSAGE_MAX = 2000
# The transcript keeps the conversation's last turns.
TRANSCRIPT_MAX = 60


class HandoffRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str | None = Field(default=None, pattern=SESSION_ID_PATTERN)
    # The drafts' e-mail rule (one rule for every address the assistant keeps).
    email: str = Field(
        max_length=EMAIL_MAX,
        json_schema_extra={"pattern": rf"^\s*(?:{EMAIL.pattern})\s*$"},
    )
    message: str = Field(
        min_length=1, max_length=MESSAGE_MAX, json_schema_extra={"pattern": r"\S"}
    )
    language: Language = "en"

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        if not EMAIL.fullmatch(value):
            raise ValueError("not a valid e-mail address")
        return value

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class HandoffCreated(BaseModel):
    id: str
    mailed: bool


def transcript(events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """What the visitor typed and the assistant said; button payloads left out."""
    lines = []
    for event in events:
        text = event.get("text")
        if event.get("event") not in ("user", "bot") or not isinstance(text, str):
            continue
        if event["event"] == "user" and text.startswith("/"):
            continue
        lines.append({"from": event["event"], "text": text[:MESSAGE_MAX]})
    return lines[-TRANSCRIPT_MAX:]


def _recipient(services: AppServices, configured: str) -> str:
    if configured:
        return configured
    try:
        return services.facts().contact_email or ""
    except Exception:
        return ""


@router.post(
    "/api/handoff", response_model=HandoffCreated, status_code=status.HTTP_201_CREATED
)
async def leave_message(
    body: HandoffRequest,
    request: Request,
    services: ServicesDep,
    settings: SettingsDep,
) -> HandoffCreated:
    client: RasaClient = request.app.state.rasa
    events = await client.events(body.session_id) if body.session_id else []
    lines = transcript(events)
    store = await asyncio.to_thread(services.records)
    saved = await asyncio.to_thread(
        store.add_handoff, body.language, body.email, body.message, lines
    )
    smtp_url = settings.console.smtp_url.get_secret_value()
    recipient = _recipient(services, settings.console.mail_to)
    if not smtp_url or not recipient:
        return HandoffCreated(id=saved.id, mailed=False)
    message = mail.handoff_message(
        settings.console.mail_from,
        recipient,
        body.email,
        body.message,
        lines,
        f"{settings.app.public_url.rstrip('/')}/admin#handoffs",
    )
    try:
        await asyncio.to_thread(mail.send, smtp_url, message)
    except mail.MailError as exc:  # the request is in the console all the same
        log.warning("hand-off %s not e-mailed: %s", saved.id, exc)
        return HandoffCreated(id=saved.id, mailed=False)
    await asyncio.to_thread(store.set_mailed, saved.id)
    return HandoffCreated(id=saved.id, mailed=True)
