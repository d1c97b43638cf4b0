"""The eligibility self-check: one verdict, with its reasons, for a city.

Shared by the Rasa action server and the web API; reads every programme value (eligible
countries, population threshold, other IUC regions, contact) from the call facts and
every sentence from ``messages/eligibility.yml``. Rules, in order:

1. The country comes from the input (any language, see ``parse_country``), else from
   the region ("Ontario" -> Canada), else from the city found in the gazetteer.
2. A country outside the call -> ``wrong_region``, with the IUC region that covers it
   or, when none in our sources does, the programme contact.
3. The population given by the user wins over the gazetteer's; the gazetteer's is used
   when the city is found unambiguously: one match, or one match at least
   ``DOMINANT_RATIO`` times as populous as the next ("Ottawa" is Ottawa, Ontario, not
   Ottawa, Illinois; "Springfield" stays ambiguous).
4. More than the threshold -> ``encouraged``; otherwise ``below_threshold``, which says
   that smaller cities may still apply and mentions groups of municipalities, with the
   caveat that the combined-population rule is documented only for the EU-side call.
5. Anything missing (city, country, population, which of several cities) ->
   ``need_more_info`` saying what is missing, with the candidate cities.

Every verdict ends by saying that the programme makes the final decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from knowledge.facts import (
    CallFacts,
    Region,
    check_language,
    country_name,
    format_countries,
    format_number,
)
from knowledge.gazetteer import CityMatch, Gazetteer, get_gazetteer
from knowledge.parsing import parse_country
from knowledge.place_names import region_label
from knowledge.population import MAX_POPULATION, MIN_POPULATION

MESSAGES_FILE = Path(__file__).resolve().parent / "messages" / "eligibility.yml"
# How much more populous the largest namesake must be to be taken as the one meant.
DOMINANT_RATIO = 10
MAX_CANDIDATES = 8
# User text echoed in a reason is cut to this length.
_ECHO_CHARS = 80

VerdictKind = Literal["encouraged", "below_threshold", "wrong_region", "need_more_info"]


@dataclass(frozen=True)
class EligibilityInput:
    city: str
    country: str | None = None
    region: str | None = None
    population: int | None = None
    group_of_municipalities: bool = False


@dataclass(frozen=True)
class Verdict:
    verdict: VerdictKind
    reasons: list[str]
    city: CityMatch | None
    candidates: list[CityMatch] = field(default_factory=list)
    region: Region | None = None  # the IUC region that fits, for wrong_region


@lru_cache(maxsize=2)
def load_messages(path: Path = MESSAGES_FILE) -> dict[str, dict[str, str]]:
    """The reason templates, key -> language -> text."""
    with path.open(encoding="utf-8") as handle:
        data: Any = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of message keys")
    return data


class _Reasons:
    """Collects the reasons of one verdict in one language."""

    def __init__(self, lang: str, facts: CallFacts) -> None:
        self.lang = lang
        self.facts = facts
        self.messages = load_messages()
        self.items: list[str] = []

    def text(self, key: str, **values: object) -> str:
        return self.messages[key][self.lang].format(**values)

    def add(self, key: str, **values: object) -> None:
        self.items.append(self.text(key, **values))

    def number(self, value: int) -> str:
        return format_number(value, self.lang)

    def country(self, code: str) -> str:
        return country_name(code, self.lang)

    def place(self, city: CityMatch) -> str:
        region = city.region and region_label(city.region, city.country, self.lang)
        return ", ".join(p for p in (region, self.country(city.country)) if p)

    def common(self) -> dict[str, str]:
        """Values most templates use."""
        return {
            "countries": format_countries(self.facts.eligible_countries, self.lang),
            "threshold": self.number(self.facts.population_threshold),
        }

    def done(self) -> list[str]:
        programme = self.facts.programme_name[self.lang]
        return [*self.items, self.text("final_decision", programme=programme)]


def check_eligibility(
    data: EligibilityInput,
    facts: CallFacts,
    gazetteer: Gazetteer | None = None,
    lang: str = "en",
) -> Verdict:
    """The self-check verdict for ``data``; reasons in ``lang`` (en, fr or es).

    ``gazetteer`` defaults to the shared one. Raises ValueError for an unknown
    language; any other odd input gives ``need_more_info`` saying what to fix.
    """
    check_language(lang)
    reasons = _Reasons(lang, facts)
    city_name = (data.city or "").strip()
    echo = city_name[:_ECHO_CHARS]

    country: str | None = None
    if data.country and data.country.strip():
        country = parse_country(data.country)
        if country is None:
            reasons.add(
                "country_unknown",
                given=data.country.strip()[:_ECHO_CHARS],
                **reasons.common(),
            )
            return _more_info(reasons)

    gazetteer = gazetteer or get_gazetteer()
    if country is None and data.region:
        country = gazetteer.region_country(data.region)
    candidates = _candidates(gazetteer, city_name, country, data.region)
    city = pick_city(candidates)
    if country is None and city is not None:
        country = city.country
    elif country is None:
        countries = {c.country for c in candidates}
        country = countries.pop() if len(countries) == 1 else None

    if city is not None:
        reasons.add(
            "city_found",
            city=city.name,
            place=reasons.place(city),
            population=reasons.number(city.population),
        )
    elif city_name and not candidates:
        reasons.add("city_not_found", city=echo)

    if country is None:
        if not city_name:
            reasons.add("city_missing")
        elif len(candidates) > 1:
            _ask_which(reasons, echo, candidates)
        else:
            reasons.add("country_missing", city=echo)
        return _more_info(reasons, candidates)

    if country not in facts.eligible_countries:
        return _wrong_region(reasons, country, city, candidates)
    if not city_name:
        reasons.add("city_missing")
        return _more_info(reasons, candidates)

    display = city.name if city else echo
    population = data.population
    if population is not None:
        if isinstance(population, bool) or not (
            MIN_POPULATION <= population <= MAX_POPULATION
        ):
            reasons.add(
                "population_invalid",
                minimum=reasons.number(MIN_POPULATION),
                maximum=reasons.number(MAX_POPULATION),
            )
            return _more_info(reasons, candidates)
        reasons.add("population_given", population=reasons.number(population))
    elif city is not None:
        population = city.population
    elif len(candidates) > 1:
        _ask_which(reasons, echo, candidates)
        return _more_info(reasons, candidates)
    else:
        reasons.add("population_missing", city=display, **reasons.common())
        return _more_info(reasons, candidates)

    values = {
        **reasons.common(),
        "country": reasons.country(country),
        "city": display,
        "population": reasons.number(population),
    }
    kind: VerdictKind
    if population > facts.population_threshold:
        kind = "encouraged"
        reasons.add("encouraged", **values)
    else:
        kind = "below_threshold"
        reasons.add("below_threshold", **values)
    if data.group_of_municipalities:
        reasons.add("group_declared", **values)
    elif kind == "below_threshold":
        reasons.add("group_option", **values)
    return Verdict(kind, reasons.done(), city, candidates[:MAX_CANDIDATES])


def _candidates(
    gazetteer: Gazetteer, city: str, country: str | None, region: str | None
) -> list[CityMatch]:
    if not city:
        return []
    found = gazetteer.lookup(city, country=country, region=region)
    if not found and region:
        # A misspelt or unknown region should not hide the city itself.
        found = gazetteer.lookup(city, country=country)
    return found


def pick_city(candidates: Sequence[CityMatch]) -> CityMatch | None:
    """The city meant among gazetteer matches, or None when it is unclear (rule 3).

    Public so the dialogue can skip "which one?" when the answer is obvious.
    """
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        first, second = candidates[0], candidates[1]
        if first.population >= DOMINANT_RATIO * max(second.population, 1):
            return first
    return None


def _ask_which(reasons: _Reasons, echo: str, candidates: list[CityMatch]) -> None:
    listed = [
        reasons.text(
            "candidate",
            city=c.name,
            place=reasons.place(c),
            population=reasons.number(c.population),
        )
        for c in candidates[:MAX_CANDIDATES]
    ]
    reasons.add("several_cities", city=echo, candidates="; ".join(listed))


def _wrong_region(
    reasons: _Reasons,
    country: str,
    city: CityMatch | None,
    candidates: list[CityMatch],
) -> Verdict:
    lang, facts = reasons.lang, reasons.facts
    region = next((r for r in facts.other_regions if country in r.countries), None)
    common = {**reasons.common(), "country": reasons.country(country)}
    if region is None:
        reasons.add("no_region", contact=_contact(reasons), **common)
    else:
        reasons.add(
            "wrong_region",
            region=region.names[lang],
            note=region.notes[lang],
            **common,
        )
        if region.url:
            reasons.add("region_url", url=region.url)
    return Verdict(
        "wrong_region", reasons.done(), city, candidates[:MAX_CANDIDATES], region
    )


def _contact(reasons: _Reasons) -> str:
    """The contact sentence of the call facts, else a short one with the address."""
    raw = getattr(reasons.facts, "raw", None) or {}
    sentence = raw.get("contact", {}).get("sentence", {}).get(reasons.lang)
    if isinstance(sentence, str):
        return sentence
    address = reasons.facts.contact_email or reasons.facts.contact_url
    return reasons.text("contact", contact=address)


def _more_info(reasons: _Reasons, candidates: list[CityMatch] | None = None) -> Verdict:
    found = list(candidates or [])[:MAX_CANDIDATES]
    city = pick_city(found)
    return Verdict("need_more_info", reasons.done(), city, found)
