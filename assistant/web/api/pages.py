"""The pages (programme, eligibility self-check, draft), the widget files, and
GET /api/programme: the call facts in one language, for the programme page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from assistant.web.api.deps import ServicesDep
from assistant.web.schemas import Language
from knowledge.facts import country_name, deadline_status, format_deadline
from knowledge.sources import source_info

router = APIRouter()
STATIC = Path(__file__).resolve().parent.parent / "static"


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type="text/html; charset=utf-8")


@router.get("/", include_in_schema=False)
@router.get("/en", include_in_schema=False)
@router.get("/fr", include_in_schema=False)
@router.get("/es", include_in_schema=False)
def programme_page() -> FileResponse:
    # One file for the three languages: page.js reads the language from the path.
    return _page("index.html")


@router.get("/eligibility", include_in_schema=False)
def eligibility_page() -> FileResponse:
    return _page("eligibility.html")


@router.get("/drafts/{draft_id}", include_in_schema=False)
def draft_page(draft_id: str) -> FileResponse:
    # The token stays in the URL fragment: it never reaches this server.
    return _page("draft.html")


@router.get("/widget.js", include_in_schema=False)
def widget_js() -> FileResponse:
    return FileResponse(
        STATIC / "widget.js", media_type="text/javascript; charset=utf-8"
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    # Browsers ask for it on every page: a small icon rather than a 404 in every log.
    return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon")


@router.get("/widget.css", include_in_schema=False)
def widget_css() -> FileResponse:
    return FileResponse(STATIC / "widget.css", media_type="text/css; charset=utf-8")


def _names(items: Any, lang: str, key: str = "names") -> list[str]:
    return [
        str(item[key].get(lang) or item[key].get("en"))
        for item in items or []
        if isinstance(item, dict) and isinstance(item.get(key), dict)
    ]


@router.get("/api/programme", tags=["programme"])
def programme(
    services: ServicesDep, lang: Annotated[Language, Query()] = "en"
) -> dict[str, Any]:
    """The call facts (``knowledge/call.yml``) localised for the programme page."""
    facts = services.facts()
    raw = facts.raw
    contact = raw.get("contact") or {}
    commitment = raw.get("commitment") or {}
    return {
        "language": lang,
        "name": facts.programme_name.get(lang) or facts.programme_name.get("en"),
        "call": (raw.get("programme") or {}).get("call", {}).get(lang),
        "deadline": facts.deadline.isoformat(),
        "deadline_text": format_deadline(facts, lang),
        "deadline_status": deadline_status(facts, lang),
        "countries": [
            {"code": code, "name": country_name(code, lang)}
            for code in facts.eligible_countries
        ],
        "population_threshold": facts.population_threshold,
        "commitment_months": facts.commitment_months,
        "commitment_qualifier": commitment.get("qualifier"),
        "deliverables": _names(raw.get("deliverables"), lang),
        "themes": _names(raw.get("themes"), lang),
        "activities": _names(raw.get("activities"), lang),
        "benefits": [
            {"label": b.get("label"), "text": (b.get("text") or {}).get(lang)}
            for b in raw.get("benefits") or []
            if isinstance(b, dict)
        ],
        "agendas": _names(raw.get("international_agendas"), lang),
        "documents": [
            {
                "id": d.get("id"),
                "languages": d.get("languages") or [],
                "where": (d.get("where") or {}).get(lang),
                "url": d.get("url"),
                "url_es": d.get("url_es"),
            }
            for d in raw.get("documents") or []
            if isinstance(d, dict)
        ],
        "contact": {
            "sentence": (contact.get("sentence") or {}).get(lang),
            "url": contact.get("url"),
            "email": contact.get("email"),
        },
        "source": source_info("call-page", lang).to_json(),
    }
