"""Request and response bodies of the public API (the shapes other tools rely on)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

Language = Literal["en", "fr", "es"]

# Generous enough for any real name, short enough to keep rows and CSV exports sane.
NAME_MAX = 200
MOTIVATION_MAX = 5000
SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- health -------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    rasa: Literal["ok", "down"]
    actions: Literal["ok", "down"]
    knowledge: Literal["ok", "missing"]


# --- chat ---------------------------------------------------------------------------


class ChatRequest(_Strict):
    session_id: str | None = Field(
        default=None,
        pattern=SESSION_ID_PATTERN,
        description="Conversation id; a new one is created and returned when absent.",
    )
    # The limit itself comes from settings (app.max_message_chars) and is checked in the
    # handler; this bound only keeps absurd bodies out before they reach it.
    message: str = Field(min_length=1, max_length=100_000)
    # Sent only when the user picked a language in the widget's selector: it wins.
    # (Older widgets send it on the first turn too; it still works, as a pick.)
    language: Language | None = None
    # The host page's language ("fr", "fr-CA"), sent on every turn: the prior when a
    # message is too short to tell its language (knowledge.language.turn_language).
    page_language: str | None = Field(default=None, max_length=35)


class Button(BaseModel):
    title: str
    payload: str


class Source(BaseModel):
    id: str
    title: str
    url: str | None = None


class ChatMessage(BaseModel):
    text: str
    buttons: list[Button] = Field(default_factory=list)
    # The knowledge entry this message answers with, when it is an answer (left out
    # otherwise: the widget ignores it; the journey benchmark reads it).
    answer_id: str | None = None
    sources: list[Source] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _without_empty_answer_id(
        self, handler: SerializerFunctionWrapHandler
    ) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("answer_id") is None:
            data.pop("answer_id", None)
        return data


class ChatResponse(BaseModel):
    session_id: str
    language: Language
    messages: list[ChatMessage]
    fallback: bool = False
    degraded: bool = False


# --- search -------------------------------------------------------------------------


class SearchHit(BaseModel):
    id: str
    question: str
    answer: str
    score: float
    source: str | None = None


class SearchResponse(BaseModel):
    answered: bool
    language: Language
    hits: list[SearchHit]


# --- eligibility --------------------------------------------------------------------


class EligibilityRequest(_Strict):
    city: str = Field(min_length=1, max_length=NAME_MAX)
    country: str | None = Field(default=None, max_length=NAME_MAX)
    region: str | None = Field(default=None, max_length=NAME_MAX)
    population: int | None = Field(default=None, ge=0, le=100_000_000)
    group_of_municipalities: bool = False
    language: Language = "en"

    @field_validator("city")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("city must not be blank")
        return value


class CityInfo(BaseModel):
    name: str
    country: str | None = None
    country_name: str | None = None
    region: str | None = None
    region_code: str | None = None
    population: int | None = None
    geonames_id: int | None = None


class EligibilityResponse(BaseModel):
    verdict: Literal["encouraged", "below_threshold", "wrong_region", "need_more_info"]
    reasons: list[str]
    city: CityInfo | None = None
    candidates: list[CityInfo] = Field(default_factory=list)
    # For wrong_region: the IUC region or call that fits the city instead.
    suggested_region: str | None = None


# --- draft applications -------------------------------------------------------------


def _check_email(value: str | None) -> str | None:
    if value is not None and value != "" and not _EMAIL.match(value):
        raise ValueError("contact_email is not a valid e-mail address")
    return value


def _check_themes(value: list[str] | None) -> list[str] | None:
    for theme in value or []:
        if not theme.strip():
            raise ValueError("themes must not contain blank entries")
    return value


class _DraftFields(_Strict):
    region: str | None = Field(default=None, max_length=NAME_MAX)
    population: int | None = Field(default=None, ge=0, le=100_000_000)
    group_of_municipalities: bool | None = None
    contact_name: str | None = Field(default=None, max_length=NAME_MAX)
    contact_email: str | None = Field(default=None, max_length=254)
    role: str | None = Field(default=None, max_length=NAME_MAX)
    themes: list[Annotated[str, Field(max_length=100)]] | None = Field(
        default=None, max_length=20
    )
    motivation: str | None = Field(default=None, max_length=MOTIVATION_MAX)
    language: Language | None = None

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return _check_email(value)

    @field_validator("themes")
    @classmethod
    def _themes(cls, value: list[str] | None) -> list[str] | None:
        return _check_themes(value)


class ApplicationCreate(_DraftFields):
    city: str = Field(min_length=1, max_length=NAME_MAX)
    country: str = Field(min_length=1, max_length=NAME_MAX)

    @field_validator("city", "country")
    @classmethod
    def _required_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class ApplicationPatch(_DraftFields):
    city: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    country: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)

    @field_validator("city", "country")
    @classmethod
    def _required_text(cls, value: str | None) -> str:
        # Present in a PATCH means "change it": it cannot be cleared.
        if value is None or not value.strip():
            raise ValueError("cannot be blank or null")
        return value


class Application(BaseModel):
    """A draft as returned to its owner: every field plus its timestamps."""

    model_config = ConfigDict(extra="allow")

    id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    city: str | None = None
    country: str | None = None
    region: str | None = None
    population: int | None = None
    group_of_municipalities: bool | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    role: str | None = None
    themes: list[str] = Field(default_factory=list)
    motivation: str | None = None
    language: str | None = None


class ApplicationCreated(Application):
    token: str
    resume_url: str


class ErrorBody(BaseModel):
    detail: str
    errors: list[dict[str, Any]] = Field(default_factory=list)
