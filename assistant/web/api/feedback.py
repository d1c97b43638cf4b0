"""POST /api/feedback: "Helpful / Not helpful" (and an optional comment) on a turn.

The turn id is the one /api/chat returned; nothing about the visitor is stored.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from assistant.core.records.models import COMMENT_MAX
from assistant.web.api.deps import ServicesDep

router = APIRouter(tags=["feedback"])

TURN_ID_PATTERN = r"^[0-9a-f]{32}$"


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    turn_id: str = Field(pattern=TURN_ID_PATTERN, description="From /api/chat")
    helpful: bool
    comment: str | None = Field(default=None, max_length=COMMENT_MAX)


class FeedbackSaved(BaseModel):
    turn_id: str
    helpful: bool


@router.post(
    "/api/feedback", response_model=FeedbackSaved, status_code=status.HTTP_201_CREATED
)
def give_feedback(body: FeedbackRequest, services: ServicesDep) -> FeedbackSaved:
    """Runs in the threadpool; a second call on the same turn replaces the first."""
    if not services.records().add_feedback(body.turn_id, body.helpful, body.comment):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="turn not found")
    return FeedbackSaved(turn_id=body.turn_id, helpful=body.helpful)
