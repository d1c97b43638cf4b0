"""The console's review of unanswered and disliked questions: groups, decisions and
the export to knowledge/corpus/user_questions.jsonl (staff only)."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import timedelta
from functools import lru_cache
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from assistant.core.records import review
from assistant.core.records.models import OUT_OF_SCOPE, PARAPHRASE
from assistant.core.records.store import utcnow
from assistant.web.api.deps import AppServices, ServicesDep, ServiceUnavailable
from assistant.web.schemas import Language
from assistant.web.security import require_admin

log = logging.getLogger(__name__)


def require_console_request(request: Request) -> None:
    """Changes need the console's own header: a page on another site cannot send it
    (a cross-site form cannot, and CORS refuses it to scripts), so the browser's
    remembered HTTP Basic credentials cannot be abused (CSRF)."""
    if request.headers.get("x-requested-with") != "iuc-console":
        raise HTTPException(403, detail="send changes from the staff console")


router = APIRouter(tags=["console"], dependencies=[Depends(require_admin)])
Change: list[Any] = [Depends(require_console_request)]
CORPUS_RELATIVE = "knowledge/corpus/user_questions.jsonl"


class QuestionView(BaseModel):
    text: str
    language: str
    count: int
    disliked: int
    nearest_entry: str | None


class GroupView(BaseModel):
    id: str
    count: int
    nearest_entry: str | None
    nearest_entries: dict[str, int]
    questions: list[QuestionView]


class Review(BaseModel):
    days: int
    by: Literal["similarity", "entry"]
    grouped_by_similarity: bool
    groups: list[GroupView]
    pending_export: int


class EntryView(BaseModel):
    id: str
    question: str
    languages: list[str]


class ReviewQuestion(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    language: Language


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: list[ReviewQuestion] = Field(min_length=1, max_length=500)
    decision: Literal["paraphrase", "out_of_scope"]
    entry_id: str | None = Field(default=None, max_length=200)


class Decided(BaseModel):
    decided: int
    pending_export: int


@lru_cache(maxsize=1)
def entries() -> dict[str, EntryView]:
    """FAQ entries with their languages (call-page passages are not offered)."""
    from knowledge.corpus import CALL_PAGE_SOURCE, load_corpus

    found: dict[str, EntryView] = {}
    for record in load_corpus():
        if record.source == CALL_PAGE_SOURCE:
            continue
        view = found.setdefault(
            record.id, EntryView(id=record.id, question="", languages=[])
        )
        view.languages.append(record.lang)
        if record.lang == "en" or not view.question:
            view.question = record.questions[0]
    return dict(sorted(found.items()))


class VectorCache:
    """Question vectors by text: a page reload re-embeds nothing it has seen."""

    def __init__(self, size: int = 20_000) -> None:
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def encoder(self, services: AppServices) -> review.Encode | None:
        try:
            embedder = services.answerer().kb.embedder
        except (ServiceUnavailable, AttributeError):  # no index: group by entry
            return None

        def encode(texts: list[str]) -> np.ndarray:
            with self._lock:
                missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
            if missing:
                fresh = embedder.encode(missing)
                with self._lock:
                    for text, vector in zip(missing, fresh, strict=True):
                        self._vectors[text] = vector
                    while len(self._vectors) > self._size:
                        self._vectors.popitem(last=False)
            with self._lock:
                return np.stack([self._vectors[t] for t in texts])

        return encode


_vectors = VectorCache()


def _pending(services: AppServices) -> int:
    from knowledge.corpus import CORPUS_DIR, USER_QUESTIONS

    return len(
        review.export_lines(services.records().engine, CORPUS_DIR / USER_QUESTIONS)
    )


@router.get("/api/admin/unanswered", response_model=Review)
def unanswered(
    services: ServicesDep,
    days: Annotated[int, Query(ge=1, le=3650)] = 7,
    by: Literal["similarity", "entry"] = "similarity",
) -> Review:
    engine = services.records().engine
    questions = review.open_questions(engine, utcnow() - timedelta(days=days))
    encode = _vectors.encoder(services) if by == "similarity" else None
    groups = review.group_questions(questions, encode, by=by)
    return Review(
        days=days,
        by=by,
        grouped_by_similarity=encode is not None,
        groups=[
            GroupView(
                id=g.id,
                count=g.count,
                nearest_entry=g.nearest_entry,
                nearest_entries=g.nearest_entries,
                questions=[QuestionView(**vars(q)) for q in g.questions],
            )
            for g in groups
        ],
        pending_export=_pending(services),
    )


@router.get("/api/admin/entries", response_model=list[EntryView])
def list_entries() -> list[EntryView]:
    return list(entries().values())


@router.post("/api/admin/review", response_model=Decided, dependencies=Change)
def decide(body: Decision, services: ServicesDep) -> Decided:
    if body.decision == PARAPHRASE:
        entry = entries().get(body.entry_id or "")
        if entry is None:
            raise HTTPException(422, detail=f"unknown entry {body.entry_id!r}")
        missing = sorted({q.language for q in body.questions} - set(entry.languages))
        if missing:
            raise HTTPException(
                422,
                detail=f"entry {entry.id!r} has no {', '.join(missing)} version: "
                "write it first, or choose another entry",
            )
    pairs = [(q.text, str(q.language)) for q in body.questions]
    entry_id = body.entry_id if body.decision == PARAPHRASE else None
    decision = PARAPHRASE if body.decision == PARAPHRASE else OUT_OF_SCOPE
    count = review.decide(services.records().engine, pairs, decision, entry_id)
    return Decided(decided=count, pending_export=_pending(services))


@router.get(
    "/api/admin/review/export", responses={200: {"content": {"text/plain": {}}}}
)
def export(
    services: ServicesDep,
    format: Annotated[str, Query(pattern="^(jsonl|patch)$")] = "jsonl",
) -> Response:
    """The decided questions not yet in the corpus: lines to append to
    user_questions.jsonl, or the same as a patch for ``git apply``."""
    from knowledge.corpus import CORPUS_DIR, USER_QUESTIONS

    corpus_file = CORPUS_DIR / USER_QUESTIONS
    lines = review.export_lines(services.records().engine, corpus_file)
    if format == "patch":
        content = review.export_patch(lines, corpus_file, CORPUS_RELATIVE)
        name, media = "user_questions.patch", "text/x-diff"
    else:
        content = "".join(line + "\n" for line in lines)
        name, media = "user_questions.jsonl", "application/jsonl"
    return Response(
        content=content,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
