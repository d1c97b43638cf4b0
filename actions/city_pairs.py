"""A question about a named city's pairing gets its own country's list of pairs.

"Gatineau est-elle jumelée avec une ville française ?" matched the list of US pairs:
the engine reads the question, not where Gatineau is. When the engine answers with one
country's list and every city named lies, by the gazetteer, in another country of the
call, that country's list answers instead (Gatineau: the Canadian pairs). Cities the
gazetteer does not place, or places in several of the call's countries, change
nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from actions.city_questions import best_entry
from assistant.core.services import get_services

# The list of pairs of each country of the call (knowledge/corpus/faq).
PAIRS_BY_COUNTRY = {
    "US": "pairs-united-states",
    "CA": "pairs-canada",
    "MX": "pairs-mexico",
}


def call_countries_of(city: str, gazetteer: Any, eligible: Iterable[str]) -> set[str]:
    """The countries of the call that have a place called ``city``."""
    allowed = set(eligible)
    return {m.country for m in gazetteer.lookup(city) if m.country in allowed}


def own_pairs_entry(
    result: Any, countries: set[str], earlier: str | None = None
) -> str | None:
    """The list of pairs of the one country ``countries`` holds, when ``result``
    answers with another country's list, or the question follows up one that a
    country's list answered (``earlier``: "¿y Puebla?" after Ottawa's pairs, which
    the engine reads as "is my city a European city?"); None otherwise."""
    entry = best_entry(result)
    lists = PAIRS_BY_COUNTRY.values()
    if (entry not in lists and earlier not in lists) or len(countries) != 1:
        return None
    own = PAIRS_BY_COUNTRY.get(next(iter(countries)))
    return own if own and own != entry else None


def cities_country(
    cities: list[str], gazetteer: Any, eligible: Iterable[str]
) -> set[str]:
    """The call's countries the named cities lie in (empty when one of them is
    placed nowhere in the call: nothing is known then)."""
    eligible = tuple(eligible)
    found: set[str] = set()
    for city in cities:
        countries = call_countries_of(city, gazetteer, eligible)
        if not countries:
            return set()
        found |= countries
    return found


async def with_own_pairs(
    answerer: Any, result: Any, cities: list[str], earlier: str | None = None
) -> Any:
    """``result``, or the named cities' own list of pairs in its place."""
    lists = PAIRS_BY_COUNTRY.values()
    if (best_entry(result) not in lists and earlier not in lists) or not cities:
        return result
    services = get_services()
    eligible = (await asyncio.to_thread(services.facts)).eligible_countries
    gazetteer = await asyncio.to_thread(services.gazetteer)
    countries = await asyncio.to_thread(cities_country, cities, gazetteer, eligible)
    own = own_pairs_entry(result, countries, earlier)
    if own is None or not result.hits:
        return result
    return await asyncio.to_thread(
        answerer.entry, own, result.lang, result.hits[0].score
    )
