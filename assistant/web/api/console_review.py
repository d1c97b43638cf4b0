"""The console's review of unanswered and disliked questions: groups, decisions and
the export to knowledge/corpus/user_questions.jsonl (staff only)."""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from datetime import timedelta
from functools import lru_cache
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from assistant.core.records import review
from assistant.core.records.models import OUT_OF_SCOPE, PARAPHRASE
from assistant.core.records.store import utcnow
from assistant.core.records.vectors import QuestionVectors
from assistant.web.api.deps import AppServices, ServicesDep, ServiceUnavailable
from assistant.web.schemas import Language
from assistant.web.security import require_admin
from knowledge.corpus import CORPUS_DIR, USER_QUESTIONS
from knowledge.language import LANGUAGES

log = logging.getLogger(__name__)


def require_console_request(request: Request) -> None:
    """Changes need the console's own header: a page on another site cannot send it
    (a cross-site form cannot, and CORS refuses it to scripts), so the browser's
    remembered HTTP Basic credentials cannot be abused (CSRF)."""
    if request.headers.get("x-requested-with") != "iuc-console":
        raise HTTPException(403, detail="send changes from the staff console")


# The console's own endpoints, used by its pages: staff-only, not the public API.
router = APIRouter(
    tags=["console"], dependencies=[Depends(require_admin)], include_in_schema=False
)
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


# libyaml's safe loader when installed: the FAQ files parse ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1)
def entries() -> dict[str, EntryView]:
    """FAQ entries with their languages (the call page's passages are not offered).
    Read from the FAQ files alone: the whole corpus would also split the call page."""
    found: dict[str, EntryView] = {}
    for path in sorted((CORPUS_DIR / "faq").glob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        for entry in data.get("entries") or []:
            langs = [lang for lang in LANGUAGES if isinstance(entry.get(lang), dict)]
            if not isinstance(entry.get("id"), str) or not langs:
                continue
            first = "en" if "en" in langs else langs[0]
            questions = entry[first].get("questions") or [""]
            found[entry["id"]] = EntryView(
                id=entry["id"], question=str(questions[0]), languages=langs
            )
    return dict(sorted(found.items()))


_vectors: weakref.WeakKeyDictionary[AppServices, QuestionVectors] = (
    weakref.WeakKeyDictionary()
)
_vectors_lock = threading.Lock()
# Unanswered questions waiting to be embedded in the background.
_offered: queue.SimpleQueue[tuple[AppServices, str]] = queue.SimpleQueue()
_embedder_thread: threading.Thread | None = None
PREFETCH_BATCH = 64


def encoder(services: AppServices) -> review.Encode | None:
    """Stored vectors of the loaded answerer's embedder; None without an index."""
    try:
        embedder = services.answerer().kb.embedder
    except (ServiceUnavailable, AttributeError):  # no index: group by entry
        return None
    with _vectors_lock:
        vectors = _vectors.get(services)
        if vectors is None or vectors.model != embedder.name[:200]:
            vectors = QuestionVectors(
                services.records().engine, embedder.name, embedder.encode
            )
            _vectors[services] = vectors
    return vectors


def offer_question(services: AppServices, text: str) -> None:
    """Embed an unanswered question soon, off the request path, so the review page
    finds its vector stored (only once the knowledge engine is loaded)."""
    global _embedder_thread
    if not services.answerer_loaded():
        return
    _offered.put((services, text))
    with _vectors_lock:
        if _embedder_thread is None:
            _embedder_thread = threading.Thread(
                target=_embed_offered, name="console-embedder", daemon=True
            )
            _embedder_thread.start()


def _embed_offered() -> None:
    while True:
        services, text = _offered.get()
        # Each app's questions go to its own database (tests run several apps).
        batches: dict[AppServices, set[str]] = {services: {text}}
        time.sleep(1.0)  # gather the questions of the next second into one batch
        for _ in range(PREFETCH_BATCH):
            try:
                other, question = _offered.get_nowait()
            except queue.Empty:
                break
            batches.setdefault(other, set()).add(question)
        for owner, batch in batches.items():
            try:
                encode = encoder(owner)
                if encode is not None:
                    encode(sorted(batch))
            except Exception:  # the page will embed them itself
                log.exception("could not embed %d questions in advance", len(batch))


def _pending(services: AppServices) -> int:
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
    encode = encoder(services) if by == "similarity" else None
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
