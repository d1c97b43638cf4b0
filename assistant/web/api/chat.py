"""POST /api/chat: one user turn through Rasa, or through the knowledge engine alone
when Rasa or the action server is down (degraded mode)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, cast

from fastapi import APIRouter, HTTPException, Request

from assistant.core.records.payload import knowledge_payload
from assistant.web.api.deps import (
    ServicesDep,
    ServiceUnavailable,
    SettingsDep,
    message,
)
from assistant.web.api.recording import handoff_offered, record_chat_turn
from assistant.web.draft_link import hand_over_drafts
from assistant.web.rasa_client import (
    ACTIONS_STATUS_TTL_SECONDS,
    RasaClient,
    RasaUnavailable,
)
from assistant.web.schemas import (
    Button,
    ChatMessage,
    ChatRequest,
    ChatResponse,
    Language,
    Source,
)
from assistant.web.security import check_session_budget
from knowledge.language import LANGUAGES, detect, language_code, turn_language
from knowledge.sources import source_info

log = logging.getLogger(__name__)
router = APIRouter(tags=["chat"])

# Part of the timeout kept for the knowledge engine when Rasa does not answer.
DEGRADED_RESERVE_SECONDS = 2.0


def _sources(value: Any) -> list[Source]:
    found = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and item.get("id"):
            found.append(
                Source(
                    id=str(item["id"]),
                    title=str(item.get("title") or item["id"]),
                    url=item.get("url") if isinstance(item.get("url"), str) else None,
                )
            )
    return found


def _buttons(value: Any) -> list[Button]:
    return [
        Button(title=str(b["title"]), payload=str(b.get("payload") or b["title"]))
        for b in (value if isinstance(value, list) else [])
        if isinstance(b, dict) and b.get("title")
    ]


def merge_rasa_messages(items: list[dict[str, Any]]) -> tuple[list[ChatMessage], bool]:
    """Fold Rasa's custom messages ({"sources"}, {"fallback"}) into the text before."""
    messages: list[ChatMessage] = []
    pending: list[Source] = []
    fallback = False
    for item in items:
        text, buttons = item.get("text"), _buttons(item.get("buttons"))
        if isinstance(text, str) or buttons:
            messages.append(
                ChatMessage(
                    text=text if isinstance(text, str) else "",
                    buttons=buttons,
                    sources=pending,
                )
            )
            pending = []
        custom = item.get("custom")
        if isinstance(custom, dict):
            fallback = fallback or custom.get("fallback") is True
            answer_id = custom.get("answer_id")
            if isinstance(answer_id, str) and messages:
                messages[-1].answer_id = answer_id
            sources = _sources(custom.get("sources"))
            if messages:
                messages[-1].sources.extend(sources)
            else:  # sources sent before any text: keep them for the next message
                pending.extend(sources)
    return messages, fallback


def reported_language(items: list[dict[str, Any]]) -> str | None:
    """The conversation language Rasa ends its reply with (rasa_runtime/server.py);
    a switch announced by the action server says the same."""
    for item in reversed(items):
        custom = item.get("custom")
        if isinstance(custom, dict) and custom.get("language") in LANGUAGES:
            return str(custom["language"])
    return None


async def _turn_language(body: ChatRequest) -> str | None:
    """This turn's language, decided once (precedence: knowledge.language.
    turn_language); None lets Rasa keep the conversation's."""
    if chosen := language_code(body.language):
        return chosen  # the widget's choice comes first: no detection to wait for
    try:
        return await asyncio.to_thread(
            turn_language,
            body.message,
            body.language,
            body.page_language,
            body.session_id is None,
        )
    except Exception:  # detection is a nicety: never fail the turn for it
        log.exception("language detection failed")
        return body.language or language_code(body.page_language)


def _knowledge_turn(
    services: Any, text: str, lang: str | None, note: dict[str, Any] | None = None
) -> tuple[list[ChatMessage], bool, str]:
    """Answer from the knowledge engine alone (blocking: runs in a worker thread);
    ``note`` receives the result's entry and scores for the staff console."""
    result = services.answerer().ask(text, lang=lang, k=3)
    if note is not None:
        note.update(knowledge_payload(result))
    language = lang or (result.lang if result.lang in LANGUAGES else "en")
    suggestions = [
        Button(title=hit.question, payload=hit.question)
        for hit in (result.suggestions or [])
    ]
    if result.answered and result.hits:
        best = result.hits[0]
        sources = (
            [Source.model_validate(source_info(best.source, language).to_json())]
            if best.source
            else []
        )
        answer = ChatMessage(text=best.answer, buttons=suggestions, sources=sources)
        return [answer], False, language
    text_not_found = " ".join(
        part
        for part in (
            message("degraded_not_found", language),
            services.contact_sentence(language),
        )
        if part
    )
    return [ChatMessage(text=text_not_found, buttons=suggestions)], True, language


async def _degraded(
    services: Any,
    text: str,
    lang: str | None,
    budget: float,
    note: dict[str, Any] | None = None,
) -> tuple[list[ChatMessage], bool, str]:
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(_knowledge_turn, services, text, lang, note),
            timeout=max(budget, 0.1),
        )
    except (TimeoutError, ServiceUnavailable, ValueError) as exc:
        log.warning("degraded answer unavailable: %s", exc)
        language = lang or "en"
        return [ChatMessage(text=message("unavailable", language))], True, language


async def _conversation_language(client: RasaClient, session_id: str, text: str) -> str:
    slot = await client.tracker_language(session_id)
    if slot in LANGUAGES:
        return slot
    try:
        detected = await asyncio.to_thread(detect, text)
    except Exception:  # detection is a nicety: never fail the turn for it
        log.exception("language detection failed")
        return "en"
    return detected if detected in LANGUAGES else "en"


@router.post("/api/chat", response_model=ChatResponse)
async def chat(
    body: ChatRequest, request: Request, services: ServicesDep, settings: SettingsDep
) -> ChatResponse:
    if not body.message.strip():
        raise HTTPException(422, detail="message: must not be blank")

    loop = asyncio.get_running_loop()
    timeout = settings.rasa.timeout_seconds
    deadline = loop.time() + timeout
    reserve = min(DEGRADED_RESERVE_SECONDS, timeout / 4)
    session_id = body.session_id or uuid.uuid4().hex
    await check_session_budget(request, session_id)
    turn_id = uuid.uuid4().hex  # what feedback on this turn refers to
    client: RasaClient = request.app.state.rasa

    items: list[dict[str, Any]] | None
    sent_language = await _turn_language(body)
    try:
        items, actions_up = await asyncio.gather(
            client.send(session_id, body.message, sent_language, timeout - reserve),
            client.actions_up(max_age=ACTIONS_STATUS_TTL_SECONDS),
        )
    except RasaUnavailable as exc:
        log.warning("Rasa unavailable, degraded mode: %s", exc)
        items, actions_up = None, False

    messages: list[ChatMessage] = []
    if items is not None:
        # A saved draft's link gets its token here, never in Rasa (draft_link.py).
        items = await hand_over_drafts(
            items, services, reported_language(items) or body.language or "en"
        )
        messages, fallback = merge_rasa_messages(items)
    # A turn Rasa answered with no message at all (e.g. the action server died in the
    # 5 s its status is trusted) is answered from the knowledge engine below.
    if items is not None and messages:
        language = (
            reported_language(items)
            or sent_language
            or await _conversation_language(client, session_id, body.message)
        )
        if not actions_up:
            # Rasa answered on its own, but the self-check and drafts need the actions.
            messages.append(ChatMessage(text=message("degraded_notice", language)))
        record_chat_turn(
            services,
            turn_id,
            body.message,
            language,
            items,
            fallback=fallback,
            degraded=not actions_up,
        )
        return ChatResponse(
            session_id=session_id,
            language=cast(Language, language),
            messages=messages,
            fallback=fallback,
            degraded=not actions_up,
            turn_id=turn_id,
            handoff=handoff_offered(items),
        )

    note: dict[str, Any] = {}
    messages, fallback, language = await _degraded(
        services, body.message, sent_language, deadline - loop.time(), note
    )
    record_chat_turn(
        services,
        turn_id,
        body.message,
        language,
        None,
        payload=note or None,
        fallback=fallback,
        degraded=True,
    )
    if not fallback or services.answerer_loaded():
        messages.append(ChatMessage(text=message("degraded_notice", language)))
    return ChatResponse(
        session_id=session_id,
        language=cast(Language, language),
        messages=messages,
        fallback=fallback,
        degraded=True,
        turn_id=turn_id,
    )
