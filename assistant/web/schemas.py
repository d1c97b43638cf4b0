"""Request and response bodies of the public API (the shapes other tools rely on)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    field_validator,
    model_serializer,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from assistant.core.draft_fields import (
    NAME_MAX,
    NOT_SPACE,
    Country,
    DraftFields,
    Line,
    Population,
)
from knowledge.facts import CallFacts, call_status, call_status_sentence
from knowledge.limits import MAX_MESSAGE_CHARS

Language = Literal["en", "fr", "es"]

SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
# Text that must say something: a character that is not a space (named one by one:
# regex engines disagree on what \s covers, see draft_fields.SPACES).
NOT_BLANK = NOT_SPACE
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
    # What POST /api/feedback refers to; recorded without the visitor's identity.
    turn_id: str | None = None
    # The reply offers to leave a message for the programme team (POST /api/handoff).
    handoff: bool = False


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
    # The region's name in the request's language ("Nouvelle-Écosse").
    region_name: str | None = None
    population: int | None = None
    geonames_id: int | None = None


class CallStatusBody(BaseModel):
    """Whether the call is open today, and the sentence that says what it means for
    a verdict or a draft (knowledge.facts.call_status: the one decision)."""

    open: bool
    deadline: date
    sentence: str

    @classmethod
    def of(cls, facts: CallFacts, lang: str) -> CallStatusBody:
        status = call_status(facts)
        sentence = call_status_sentence(facts, lang, status.today)
        return cls(open=status.open, deadline=status.deadline, sentence=sentence)


class EligibilityResponse(BaseModel):
    verdict: Literal["encouraged", "below_threshold", "wrong_region", "need_more_info"]
    reasons: list[str]
    city: CityInfo | None = None
    candidates: list[CityInfo] = Field(default_factory=list)
    # For wrong_region: the IUC region or call that fits the city instead.
    suggested_region: str | None = None
    call: CallStatusBody | None = None


# --- draft applications -------------------------------------------------------------
# One model of a draft's fields (assistant/core/draft_fields.py) for every writer: the
# API bodies are that model with the fields each request needs.


class _ApiDraftFields(DraftFields):
    @field_validator("themes", mode="before")
    @classmethod
    def _a_list(cls, value: Any) -> Any:
        # The chat may give its themes as one text; the API, as its schema says, a list.
        if isinstance(value, str):
            raise PydanticCustomError("list_type", "must be a list of themes")
        if isinstance(value, list) and any(
            isinstance(item, str) and not item.strip() for item in value
        ):
            raise PydanticCustomError("blank", "themes must not contain blank entries")
        return value


class ApplicationCreate(_ApiDraftFields):
    city: Line
    country: Country


class ApplicationPatch(_ApiDraftFields):
    # Optional but never null: the schema says "string" and null gets the 422 below.
    city: Line | SkipJsonSchema[None] = None
    country: Country | SkipJsonSchema[None] = None

    @field_validator("city", "country")
    @classmethod
    def _required_text(cls, value: str | None) -> str:
        # Present in a PATCH means "change it": city and country cannot be cleared.
        if value is None:
            raise PydanticCustomError("missing", "cannot be cleared")
        return value


class ThemeChoice(BaseModel):
    id: str
    label: str


class Application(BaseModel):
    """A draft as returned to its owner: every field, its timestamps and, in the
    draft's language, the names of its country, region and themes."""

    model_config = ConfigDict(extra="allow")

    id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    city: str | None = None
    country: str | None = None
    region: str | None = None
    # A draft saved by an older writer may hold "150k": shown as saved, never dropped.
    population: int | float | str | None = None
    group_of_municipalities: bool | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    role: str | None = None
    themes: list[str] = Field(default_factory=list)
    motivation: str | None = None
    language: str | None = None
    country_name: str | None = None
    region_name: str | None = None
    theme_labels: list[ThemeChoice] = Field(default_factory=list)
    # Whether the call is open, in the draft's language.
    call: CallStatusBody | None = None


class ApplicationCreated(Application):
    token: str
    resume_url: str


class ErrorBody(BaseModel):
    detail: str
    errors: list[dict[str, Any]] = Field(default_factory=list)
