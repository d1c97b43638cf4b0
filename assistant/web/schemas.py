"""Request and response bodies of the public API (the shapes other tools rely on)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from knowledge.limits import MAX_MESSAGE_CHARS

Language = Literal["en", "fr", "es"]

# Generous enough for any real name, short enough to keep rows and CSV exports sane.
NAME_MAX = 200
MOTIVATION_MAX = 5000
SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
# Every character str.isspace() (and so str.strip()) counts as a space, named one by
# one: regex engines disagree on what \s covers (\x1c-\x1f, \x85), and the schema
# must say exactly what our validators accept.
_SPACES = (
    r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
    r"\u205f\u3000"
)
_ADDRESS = rf"[^@{_SPACES}<>]+@[^@{_SPACES}<>]+\.[^@{_SPACES}<>]+"
EMAIL_PATTERN = rf"^(|{_ADDRESS})$"
_EMAIL = re.compile(rf"^{_ADDRESS}$")
# Text that must say something: a character that is not a space, as the validators
# below check with str.strip().
NOT_BLANK = rf"[^{_SPACES}]"
# Documented only: the validators check it, with a clearer message than a pattern's.
_NOT_BLANK: dict[str, Any] = {"pattern": NOT_BLANK}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- health -------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    rasa: Literal["ok", "down"]
    actions: Literal["ok", "down"]
    knowledge: Literal["ok", "missing"]
    # The app's drafts database and Rasa's conversation (tracker) database.
    database: Literal["ok", "down"]
    tracker_database: Literal["ok", "down"]


# --- chat ---------------------------------------------------------------------------


class ChatRequest(_Strict):
    session_id: str | None = Field(
        default=None,
        pattern=SESSION_ID_PATTERN,
        description="Conversation id; a new one is created and returned when absent.",
    )
    # The one limit on a user message (knowledge/limits.py).
    message: str = Field(
        min_length=1, max_length=MAX_MESSAGE_CHARS, json_schema_extra=_NOT_BLANK
    )
    language: Language | None = None


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
    sources: list[Source] = Field(default_factory=list)


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
    city: str = Field(min_length=1, max_length=NAME_MAX, json_schema_extra=_NOT_BLANK)
    country: str | None = Field(default=None, max_length=NAME_MAX)
    region: str | None = Field(default=None, max_length=NAME_MAX)
    population: Population | None = None
    # Strict: 0, 1 or "yes" are not answers to a yes/no question.
    group_of_municipalities: StrictBool = False
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


_RequiredText = Annotated[
    str, Field(min_length=1, max_length=NAME_MAX, json_schema_extra=_NOT_BLANK)
]


def _json_integer(value: Any) -> Any:
    # JSON Schema's integer: 12 and 12.0, not true (which Python counts as 1) or "12".
    if isinstance(value, bool | str):
        raise ValueError("must be a whole number")
    return value


Population = Annotated[int, Field(ge=0, le=100_000_000), BeforeValidator(_json_integer)]


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
    population: Population | None = None
    group_of_municipalities: StrictBool | None = None
    contact_name: str | None = Field(default=None, max_length=NAME_MAX)
    # Empty, or what _check_email accepts (the pattern documents it).
    contact_email: str | None = Field(
        default=None, max_length=254, pattern=EMAIL_PATTERN
    )
    role: str | None = Field(default=None, max_length=NAME_MAX)
    themes: (
        list[Annotated[str, Field(max_length=100, json_schema_extra=_NOT_BLANK)]] | None
    ) = Field(default=None, max_length=20)
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
    city: _RequiredText
    country: _RequiredText

    @field_validator("city", "country")
    @classmethod
    def _required_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class ApplicationPatch(_DraftFields):
    # Optional but never null: the schema says "string" and null gets the 422 below.
    city: _RequiredText | SkipJsonSchema[None] = None
    country: _RequiredText | SkipJsonSchema[None] = None

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
