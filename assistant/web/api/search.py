"""GET /api/search: the knowledge engine directly, without the dialogue."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, HTTPException, Query

from assistant.web.api.deps import ServicesDep
from assistant.web.schemas import NOT_BLANK, Language, SearchHit, SearchResponse
from knowledge.language import LANGUAGES
from knowledge.limits import MAX_MESSAGE_CHARS

router = APIRouter(tags=["search"])


@router.get("/api/search", response_model=SearchResponse)
def search(
    services: ServicesDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_MESSAGE_CHARS,
            description="The question",
            json_schema_extra={"pattern": NOT_BLANK},  # checked below
        ),
    ],
    lang: Annotated[Language | None, Query(description="Language hint")] = None,
    k: Annotated[int, Query(ge=1, le=10, description="Number of hits")] = 3,
) -> SearchResponse:
    """A plain ``def``: FastAPI runs it in the threadpool, off the event loop."""
    if not q.strip():
        raise HTTPException(422, detail="q: the question must not be blank")
    answerer = services.answerer()
    try:
        result = answerer.ask(q, lang=lang, k=k)
    except ValueError as exc:  # knowledge.engine.QueryError is a ValueError
        raise HTTPException(422, detail=f"q: {exc}") from exc
    language = cast(Language, result.lang if result.lang in LANGUAGES else lang or "en")
    return SearchResponse(
        answered=bool(result.answered),
        language=language,
        hits=[
            SearchHit(
                id=hit.entry_id,
                question=hit.question,
                answer=hit.answer,
                score=float(hit.score),
                source=hit.source,
            )
            for hit in result.hits
        ],
    )
