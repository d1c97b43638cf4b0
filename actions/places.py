"""How places and populations are shown to the user: labels, numbers and buttons."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from actions import names
from knowledge.place_names import country_label, region_label

# Gazetteer populations are estimates: shown to the nearest thousand from here on.
ROUND_FROM = 10_000


def match_dict(match: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(match) and not isinstance(match, type):
        return dataclasses.asdict(match)
    return dict(match)


def place_label(city: str, region: str | None, country: str | None, lang: str) -> str:
    """ "Halifax, Nouvelle-Écosse, Canada" in the user's language (countries from Babel,
    provinces and states from knowledge/place_names.py's table)."""
    parts = [city]
    if region and region != city:
        parts.append(region_label(region, country, lang))
    if country:
        parts.append(country_label(country, lang))
    return ", ".join(parts)


def format_population(value: int, lang: str, rounded: bool = False) -> str:
    """1017449 -> "1,017,449", or "1,017,000" ``rounded`` (gazetteer figures)."""
    from knowledge.facts import format_number

    number = int(value)
    if rounded and number >= ROUND_FROM:
        number = round(number, -3)
    return format_number(number, lang)


def candidate_button(match: dict[str, Any], lang: str) -> dict[str, str]:
    """A button naming one place; its payload fills city, region and country."""
    title = place_label(match["name"], match.get("region"), match.get("country"), lang)
    if match.get("population"):
        title += f" ({format_population(match['population'], lang)})"
    entities = {
        names.ENTITY_CITY: match["name"],
        names.ENTITY_REGION: match.get("region") or "",
        names.ENTITY_COUNTRY: match.get("country") or "",
    }
    entities = {key: value for key, value in entities.items() if value}
    return {"title": title, "payload": inform_payload(entities)}


def inform_payload(entities: dict[str, str]) -> str:
    """A button payload that skips NLU: /inform{"city": "Springfield", ...}."""
    return f"/{names.INTENT_INFORM}{json.dumps(entities, ensure_ascii=False)}"
