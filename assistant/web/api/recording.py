"""What /api/chat records of a turn for the staff console, read from Rasa's custom
payloads (actions/answers.py adds {"turn": ...}, actions/verdict.py {"verdict": ...})
or from the knowledge engine's result in degraded mode.

Recording never fails a turn: every error is logged and dropped, and the store only
queues the row (assistant/core/records/store.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from assistant.core.records.models import ANSWERED, DECLINED, DIALOGUE, FALLBACK
from assistant.core.records.payload import RUNNERS_UP
from assistant.core.records.store import TurnRecord
from assistant.web.api.console_review import offer_question
from assistant.web.api.deps import AppServices

log = logging.getLogger(__name__)


def _custom(items: list[dict[str, Any]], key: str) -> Any:
    for item in items:
        custom = item.get("custom")
        if isinstance(custom, dict) and key in custom:
            return custom[key]
    return None


# A visitor may type an address or a phone number (a draft's contact, a hand-off):
# never kept in the records, even in a question.
_EMAIL = re.compile(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")


def redact(text: str) -> str:
    return _PHONE.sub("[number]", _EMAIL.sub("[e-mail]", text))


def turn_record(
    turn_id: str,
    question: str,
    language: str,
    payload: Any,
    fallback: bool,
    degraded: bool,
) -> TurnRecord:
    """The record of one turn; ``payload`` is the knowledge engine's, if it ran."""
    if isinstance(payload, dict):
        entry = payload.get("entry") if isinstance(payload.get("entry"), str) else None
        answered = payload.get("answered") is True and entry is not None
        score = payload.get("score")
        runners = [
            {"id": str(r["id"]), "score": float(r.get("score") or 0.0)}
            for r in payload.get("runners_up") or []
            if isinstance(r, dict) and r.get("id")
        ][:RUNNERS_UP]
        return TurnRecord(
            id=turn_id,
            language=language,
            question=redact(question),
            outcome=ANSWERED if answered else DECLINED,
            degraded=degraded,
            entry_id=entry if answered else None,
            nearest_entry=entry,
            score=float(score) if isinstance(score, int | float) else None,
            runners_up=runners,
        )
    outcome = FALLBACK if fallback else DIALOGUE
    return TurnRecord(
        id=turn_id,
        language=language,
        # A dialogue turn answers the self-check or the draft form (a name, a city):
        # only its outcome is kept, not what was typed.
        question="" if outcome == DIALOGUE else redact(question),
        outcome=outcome,
        degraded=degraded,
    )


def record_chat_turn(
    services: AppServices,
    turn_id: str,
    question: str,
    language: str,
    items: list[dict[str, Any]] | None,
    payload: Any = None,
    fallback: bool = False,
    degraded: bool = False,
) -> None:
    """Queue the turn's record (and an eligibility verdict it carries)."""
    if not services.settings.console.record_turns:
        return
    try:
        store = services.records()
        if items is not None:
            payload = _custom(items, "turn")
        turn = turn_record(turn_id, question, language, payload, fallback, degraded)
        store.record_turn(turn)
        if turn.outcome in (DECLINED, FALLBACK):
            offer_question(services, question)
        verdict = _custom(items or [], "verdict")
        if isinstance(verdict, dict) and isinstance(verdict.get("verdict"), str):
            country = verdict.get("country")
            store.record_verdict(
                str(country) if country else None, verdict["verdict"], language, "chat"
            )
    except Exception:  # the visitor still gets the answer
        log.exception("could not record a chat turn")


def handoff_offered(items: list[dict[str, Any]] | None) -> bool:
    """actions/answers.py marks the reply to "talk to a person": {"handoff": true}."""
    return _custom(items or [], "handoff") is True


def record_verdict(
    services: AppServices, verdict: Any, country: str | None, language: str
) -> None:
    """Queue a verdict of the eligibility page (the dialogue's come through chat)."""
    try:
        found = getattr(getattr(verdict, "city", None), "country", None)
        services.records().record_verdict(
            found or country, str(verdict.verdict), language, "form"
        )
    except Exception:  # the visitor still gets the verdict
        log.exception("could not record a verdict")
