"""Programme staff only: list and export every draft (HTTP Basic from settings)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from assistant.web.api.applications import _view
from assistant.web.api.deps import ServicesDep
from assistant.web.schemas import Application
from assistant.web.security import require_admin

router = APIRouter(tags=["admin"], dependencies=[Depends(require_admin)])

CSV_COLUMNS = [
    "id", "created_at", "updated_at", "city", "country", "region", "population",
    "group_of_municipalities", "contact_name", "contact_email", "role", "themes",
    "motivation", "language",
]  # fmt: skip
# Spreadsheet software runs cells starting with these as formulas (CSV injection,
# OWASP's list), also after leading spaces or line feeds, which it skips, and in their
# full-width forms, which some versions read as the ASCII ones.
_FORMULA_START = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
_CONTROL_START = ("\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    risky = text.startswith(_CONTROL_START) or text.lstrip().startswith(_FORMULA_START)
    return "'" + text if risky else text


@router.get(
    "/api/admin/applications",
    response_model=list[Application],
    responses={200: {"content": {"text/csv": {}}}},
)
def list_applications(
    services: ServicesDep,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    drafts = [_view(d) for d in services.drafts().list_all()]
    if format == "json":
        return drafts
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for draft in drafts:
        row = draft.model_dump()
        writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
    return Response(
        content="\ufeff" + buffer.getvalue(),  # BOM: Excel then reads UTF-8 accents
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="applications.csv"'},
    )
