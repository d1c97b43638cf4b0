"""Draft applications: create, read and autosave (PATCH) with the draft's token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError

from assistant.core.drafts import Draft, resume_url
from assistant.web.api.deps import ServicesDep, SettingsDep
from assistant.web.schemas import (
    Application,
    ApplicationCreate,
    ApplicationCreated,
    ApplicationPatch,
)

router = APIRouter(tags=["applications"])

_bearer = HTTPBearer(auto_error=False, description="The draft's token")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
# Unknown id, missing token and wrong token all look the same to the client.
NOT_FOUND = "draft not found"
_META = {"id", "created_at", "updated_at"}


def _view(draft: Draft) -> Application:
    data = {
        **{k: v for k, v in draft.fields.items() if k not in _META},
        "themes": draft.fields.get("themes") or [],
        "id": draft.id,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
    }
    try:
        return Application.model_validate(data)
    except ValidationError as exc:
        # A draft saved by another writer (the action server) with an odd value must
        # still open: show it without the fields that do not fit.
        bad = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")} - _META
        return Application.model_validate(
            {k: v for k, v in data.items() if k not in bad}
        )


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return credentials.credentials


@router.post(
    "/api/applications",
    response_model=ApplicationCreated,
    status_code=status.HTTP_201_CREATED,
)
def create_application(
    body: ApplicationCreate, services: ServicesDep, settings: SettingsDep
) -> ApplicationCreated:
    draft, token = services.drafts().create(body.model_dump(exclude_none=True))
    return ApplicationCreated(
        **_view(draft).model_dump(),
        token=token,
        resume_url=resume_url(settings.app.public_url, draft.id, token),
    )


@router.get("/api/applications/{draft_id}", response_model=Application)
def get_application(
    draft_id: str, services: ServicesDep, credentials: BearerDep
) -> Application:
    draft = services.drafts().get(draft_id, _token(credentials))
    if draft is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return _view(draft)


@router.patch("/api/applications/{draft_id}", response_model=Application)
def update_application(
    draft_id: str,
    body: ApplicationPatch,
    services: ServicesDep,
    credentials: BearerDep,
) -> Application:
    token = _token(credentials)
    changes = body.model_dump(exclude_unset=True)
    store = services.drafts()
    draft = (
        store.update(draft_id, token, changes)
        if changes
        else store.get(draft_id, token)
    )
    if draft is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return _view(draft)
