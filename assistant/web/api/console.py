"""The staff console at /admin (HTTP Basic with the admin settings, off without a
password): usage figures and hand-off requests. The review of unanswered questions is
in console_review.py; drafts come from admin.py's /api/admin/applications."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel

from assistant.core.records import stats
from assistant.core.records.store import utcnow
from assistant.web.api.console_review import Change
from assistant.web.api.deps import ServicesDep
from assistant.web.security import require_admin

# The console's own endpoints, used by its pages: staff-only, not the public API.
router = APIRouter(
    tags=["console"], dependencies=[Depends(require_admin)], include_in_schema=False
)
PAGE = Path(__file__).resolve().parent.parent / "static" / "console" / "index.html"


class DayCount(BaseModel):
    day: str
    language: str
    questions: int


class Count(BaseModel):
    label: str
    count: int


class VerdictCount(BaseModel):
    country: str
    verdict: str
    count: int


class UsageView(BaseModel):
    days: int
    since: str
    turns: int
    outcomes: dict[str, int]
    degraded: int
    answer_rate: float | None
    fallback_rate: float | None
    degraded_rate: float | None
    helpful: int
    not_helpful: int
    per_day: list[DayCount]
    top_entries: list[Count]
    verdicts: list[VerdictCount]
    drafts_per_week: list[Count]


class TranscriptLine(BaseModel):
    speaker: str
    text: str


class HandoffView(BaseModel):
    id: str
    created_at: datetime
    language: str
    email: str
    message: str
    transcript: list[TranscriptLine]
    mailed: bool
    done_at: datetime | None


class DoneBody(BaseModel):
    done: bool = True


@router.get("/admin", include_in_schema=False)
def console_page() -> FileResponse:
    return FileResponse(PAGE, media_type="text/html; charset=utf-8")


@router.get("/api/admin/usage", response_model=UsageView)
def usage(
    services: ServicesDep, days: Annotated[int, Query(ge=1, le=3650)] = 30
) -> UsageView:
    figures = stats.usage(services.records().engine, utcnow() - timedelta(days=days))
    return UsageView(
        days=days,
        since=figures.since.isoformat(),
        turns=figures.turns,
        outcomes=figures.outcomes,
        degraded=figures.degraded,
        answer_rate=figures.answer_rate,
        fallback_rate=figures.fallback_rate,
        degraded_rate=figures.degraded_rate,
        helpful=figures.helpful,
        not_helpful=figures.not_helpful,
        per_day=[
            DayCount(day=d, language=lang, questions=n)
            for d, lang, n in figures.per_day
        ],
        top_entries=[Count(label=e, count=n) for e, n in figures.top_entries],
        verdicts=[
            VerdictCount(country=c, verdict=v, count=n) for c, v, n in figures.verdicts
        ],
        drafts_per_week=[Count(label=w, count=n) for w, n in figures.drafts_per_week],
    )


@router.get("/api/admin/handoffs", response_model=list[HandoffView])
def handoffs(services: ServicesDep) -> list[HandoffView]:
    return [
        HandoffView(
            id=h.id,
            created_at=h.created_at,
            language=h.language,
            email=h.email,
            message=h.message,
            transcript=[
                TranscriptLine(speaker=line.get("from", ""), text=line.get("text", ""))
                for line in h.transcript
            ],
            mailed=h.mailed,
            done_at=h.done_at,
        )
        for h in services.records().handoffs()
    ]


@router.post("/api/admin/handoffs/{handoff_id}/done", dependencies=Change)
def mark_done(
    handoff_id: str, services: ServicesDep, body: DoneBody | None = None
) -> DoneBody:
    done = body.done if body else True
    if not services.records().mark_handoff_done(handoff_id, done):
        raise HTTPException(404, detail="hand-off request not found")
    return DoneBody(done=done)
