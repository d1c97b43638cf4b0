"""Draft applications: create, read and autosave (PATCH) with the draft's token.

The routes are async and await the database under its deadline (Deadline.arun): a
frozen database costs each request the timeout and then a 503, and holds none of the
app's request threads, so nothing else queues behind it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError

from assistant.core.draft_fields import stored_view
from assistant.core.drafts import Draft, resume_url
from assistant.core.themes import theme_choices, theme_label
from assistant.web.api.deps import (
    AppServices,
    ServicesDep,
    ServiceUnavailable,
    SettingsDep,
)
from assistant.web.schemas import (
    Application,
    ApplicationCreate,
    ApplicationCreated,
    ApplicationPatch,
    CallStatusBody,
    Language,
    ThemeChoice,
)
from knowledge.facts import CallFacts
from knowledge.language import LANGUAGES
from knowledge.place_names import country_label, region_label

router = APIRouter(tags=["applications"])

_bearer = HTTPBearer(auto_error=False, description="The draft's token")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
# Unknown id, missing token and wrong token all look the same to the client.
NOT_FOUND = "draft not found"
_META = {"id", "created_at", "updated_at"}


def _shown(value: Any) -> Any:
    """A saved value the response types cannot hold, as text (never dropped)."""
    if isinstance(value, list):
        return [str(item) for item in value]
    return None if value is None else str(value)


def _view(draft: Draft, facts: CallFacts | None = None) -> Application:
    fields = stored_view(draft.fields)
    saved_lang = fields.get("language")
    lang = (
        saved_lang if isinstance(saved_lang, str) and saved_lang in LANGUAGES else "en"
    )
    country, region = fields.get("country"), fields.get("region")
    themes = fields.get("themes") or []
    data: dict[str, Any] = {
        **{k: v for k, v in fields.items() if k not in _META},
        "themes": themes if isinstance(themes, list) else [themes],
        "id": draft.id,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
        "country_name": country_label(str(country), lang) if country else None,
        "region_name": region_label(str(region), country, lang) if region else None,
    }
    if facts is not None:
        data["call"] = CallStatusBody.of(facts, lang)
    data["theme_labels"] = [
        {"id": str(t), "label": theme_label(str(t), lang)} for t in data["themes"]
    ]
    try:
        return Application.model_validate(data)
    except ValidationError as exc:
        # A value saved by an older writer that fits no field type is shown as text.
        bad = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")} - _META
        return Application.model_validate(
            {k: (_shown(v) if k in bad else v) for k, v in data.items()}
        )


def _facts(services: AppServices) -> CallFacts | None:
    # The call's status is a notice beside the draft: without the facts, none.
    try:
        return services.facts()
    except ServiceUnavailable:
        return None


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return credentials.credentials


@router.get("/api/themes", response_model=list[ThemeChoice])
def themes(lang: Annotated[Language, Query()] = "en") -> list[ThemeChoice]:
    """The themes a draft can name (ids and labels in ``lang``), then "other"."""
    return [ThemeChoice(id=i, label=label) for i, label in theme_choices(lang)]


@router.post(
    "/api/applications",
    response_model=ApplicationCreated,
    status_code=status.HTTP_201_CREATED,
)
async def create_application(
    body: ApplicationCreate, services: ServicesDep, settings: SettingsDep
) -> ApplicationCreated:
    store = await services.open_drafts()
    draft, token = await store.acreate(body.model_dump(exclude_none=True))
    return ApplicationCreated(
        **_view(draft, _facts(services)).model_dump(),
        token=token,
        resume_url=resume_url(settings.app.public_url, draft.id, token),
    )


@router.get("/api/applications/{draft_id}", response_model=Application)
async def get_application(
    draft_id: str, services: ServicesDep, credentials: BearerDep
) -> Application:
    store = await services.open_drafts()
    draft = await store.aget(draft_id, _token(credentials))
    if draft is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return _view(draft, _facts(services))


@router.patch("/api/applications/{draft_id}", response_model=Application)
async def update_application(
    draft_id: str,
    body: ApplicationPatch,
    services: ServicesDep,
    credentials: BearerDep,
) -> Application:
    token = _token(credentials)
    changes = body.model_dump(exclude_unset=True)
    store = await services.open_drafts()
    draft = await (
        store.aupdate(draft_id, token, changes)
        if changes
        else store.aget(draft_id, token)
    )
    if draft is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return _view(draft, _facts(services))
