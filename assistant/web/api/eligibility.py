"""POST /api/eligibility: the same eligibility module the dialogue uses."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from assistant.web.api.deps import ServicesDep
from assistant.web.api.recording import record_verdict
from assistant.web.schemas import (
    CallStatusBody,
    CityInfo,
    EligibilityRequest,
    EligibilityResponse,
)
from knowledge.eligibility import EligibilityInput, check_eligibility
from knowledge.place_names import country_label, region_label

router = APIRouter(tags=["eligibility"])


def _city(match: Any, lang: str) -> CityInfo | None:
    """A gazetteer match with its country and region named in ``lang``."""
    if match is None:
        return None
    names = CityInfo.model_fields.keys()
    info = {name: getattr(match, name, None) for name in names}
    country, region = info.get("country"), info.get("region")
    if isinstance(country, str) and country:
        info["country_name"] = country_label(country, lang)
    if isinstance(region, str) and region:
        info["region_name"] = region_label(region, country, lang)
    return CityInfo.model_validate(info)


def _region_name(region: Any, lang: str) -> str | None:
    # The verdict's region may be an id, a localised mapping or an object with names.
    if region is None or isinstance(region, str):
        return region
    names = getattr(region, "names", None) or (
        region.get("names") if isinstance(region, dict) else None
    )
    if isinstance(names, dict):
        return names.get(lang) or names.get("en")
    return str(getattr(region, "id", region))


@router.post("/api/eligibility", response_model=EligibilityResponse)
def eligibility(body: EligibilityRequest, services: ServicesDep) -> EligibilityResponse:
    """Runs in the threadpool: the gazetteer look-up is blocking."""
    facts = services.facts()
    verdict = check_eligibility(  # input is validated: ValueError is a bug, a 500
        EligibilityInput(
            city=body.city,
            country=body.country,
            region=body.region,
            population=body.population,
            group_of_municipalities=body.group_of_municipalities,
        ),
        facts,
        gazetteer=None,
        lang=body.language,
    )
    record_verdict(services, verdict, body.country, body.language)
    return EligibilityResponse(
        verdict=verdict.verdict,
        reasons=list(verdict.reasons),
        city=_city(verdict.city, body.language),
        candidates=[
            c
            for c in (_city(m, body.language) for m in verdict.candidates or [])
            if c is not None
        ],
        suggested_region=_region_name(getattr(verdict, "region", None), body.language),
        call=CallStatusBody.of(facts, body.language),
    )
