"""How places and populations are shown to the user: labels, numbers and buttons."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from actions import names
from knowledge.facts import format_number
from knowledge.place_names import country_label, near_label, region_label

# Gazetteer populations are estimates: shown to the nearest thousand from here on.
ROUND_FROM = 10_000


def match_dict(match: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(match) and not isinstance(match, type):
        return dataclasses.asdict(match)
    return dict(match)


def place_label(
    city: str,
    region: str | None,
    country: str | None,
    lang: str,
    near: str | None = None,
) -> str:
    """ "Halifax, Nouvelle-Écosse, Canada" in the user's language (countries from Babel,
    provinces and states from knowledge/place_names.py's table); ``near``: a larger
    city near it ("Sainte-Catherine près de Montréal, Québec, Canada")."""
    parts = [near_label(city, near, lang) if near else city]
    if region and region != city:
        parts.append(region_label(region, country, lang))
    if country:
        parts.append(country_label(country, lang))
    return ", ".join(parts)


def format_population(value: int, lang: str, rounded: bool = False) -> str:
    """1017449 -> "1,017,449", or "1,017,000" ``rounded`` (gazetteer figures)."""
    number = int(value)
    if rounded and number >= ROUND_FROM:
        number = round(number, -3)
    return format_number(number, lang)


def candidate_buttons(
    matches: list[dict[str, Any]],
    lang: str,
    near: Callable[[dict[str, Any]], str | None],
) -> list[dict[str, str]]:
    """One button per place, no two alike: places whose name, region and country are
    the same are told apart by a larger city ``near`` them (two Sainte-Catherine in
    Québec had looked the same but for their populations), and their buttons carry
    the population that picks each (actions/city_lookup.py); a place still named as
    another is offered once."""
    places = [
        place_label(m["name"], m.get("region"), m.get("country"), lang) for m in matches
    ]
    buttons: dict[str, dict[str, str]] = {}
    for match, place in zip(matches, places, strict=True):
        landmark = near(match) if places.count(place) > 1 else None
        button = candidate_button(match, lang, landmark)
        buttons.setdefault(button["title"], button)
    return list(buttons.values())


def candidate_button(
    match: dict[str, Any], lang: str, near: str | None = None
) -> dict[str, str]:
    """A button naming one place; its payload fills city, region and country (and
    the population, for a namesake told apart by a city ``near`` it)."""
    title = place_label(
        match["name"], match.get("region"), match.get("country"), lang, near
    )
    if match.get("population"):
        title += f" ({format_population(match['population'], lang)})"
    entities = {
        names.ENTITY_CITY: match["name"],
        names.ENTITY_REGION: match.get("region") or "",
        names.ENTITY_COUNTRY: match.get("country") or "",
    }
    entities = {key: value for key, value in entities.items() if value}
    if near and match.get("population"):
        entities[names.ENTITY_POPULATION] = match["population"]
    return {"title": title, "payload": inform_payload(entities)}


def inform_payload(entities: dict[str, Any]) -> str:
    """A button payload that skips NLU: /inform{"city": "Springfield", ...}."""
    return f"/{names.INTENT_INFORM}{json.dumps(entities, ensure_ascii=False)}"
