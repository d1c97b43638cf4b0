"""A question that names a city: a self-check of that city, or a programme question?

"Can Guadalajara apply?" wants a verdict; "is Guadalajara paired with a German city?"
and "Austin is already paired: could it apply again?" want their answers. What the
engine knows about the city must not decide: its best entry for "can Guadalajara
apply?" is Guadalajara's pairing. So the question is asked again with the city put
as "my city", and the verdict answers it when the engine's best entry for that
question is one a verdict answers. Unless the NLU read a programme question, not a
self-check request, that the engine matches as asked to the list of paired cities
better than "my city" to the verdict's entry: it is about that city's pairing
("¿San Diego participó?" reads as "did my city take part?" once the city is gone).
A self-check request keeps its verdict: "Guadalajara au Mexique est-elle admissible
?" matches Guadalajara's pairing best.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from rasa_sdk import Tracker

from actions import names
from knowledge.language import LISTING_WORDS, fold_words

# Entries whose question the self-check's verdict answers for a named city.
SELF_CHECK_ENTRIES = frozenset(
    {
        "eligibility-who-can-apply",
        "eligibility-population-threshold",
        "eligibility-smaller-cities",
        "eligibility-groups-of-municipalities",
        "other-regions-eu-city",
        "other-regions-latin-america",
        "other-regions-elsewhere",
        "other-regions-asia",
    }
)
# Entries about the European partner: a city named in a question they answer is the
# partner wanted, not the applicant ("could we be paired with Lyon?").
PARTNER_ENTRIES = frozenset(
    {"pairs-choose-partner", "pairs-how-matching-works", "pairs-partner-arrangements"}
)

# Entries listing the paired cities (see about_the_citys_pairing).
CITY_PAIRS_ENTRIES = frozenset(
    {"pairs-united-states", "pairs-canada", "pairs-mexico", "pairs-existing-overview"}
)

_ANY_CITY = {"en": "my city", "fr": "ma ville", "es": "mi ciudad"}
# Cities named together and asked about together ("can Toronto and Montreal apply
# together?") are asked about as several municipalities, the entry's own words:
# "my city and my city" read as "my city" to the engine.
_SEVERAL_CITIES = {
    "en": "several municipalities",
    "fr": "plusieurs municipalités",
    "es": "varios municipios",
}
_BETWEEN_JOINED = re.compile(
    rf"^\s*(?:,|&|\+|/|-|{'|'.join(sorted(LISTING_WORDS))})?\s*$", re.I
)
_TOGETHER = re.compile(
    r"\b(?:together|joint|jointly|as a group|combined|ensemble|conjointe?(?:ment)?|"
    r"commune|en groupe|groupement|juntos|juntas|conjunta(?:mente)?|en grupo|"
    r"agrupacion|mancomun\w*)\b"
)
# ... and asked about applying: "what have Austin and Bologna done together?" asks
# about a pair's work, not about a joint application.
_APPLYING = re.compile(
    r"\b(?:appl(?:y|ies|ying|ication|icant)s?|eligib\w*|elegib\w*|bid|submit\w*|"
    r"candidat\w*|postul\w*|aplic\w*|solicit\w*|particip\w*|inscri\w*)\b"
)


def best_entry(result: Any) -> str | None:
    """The entry the engine answers with; None when it declines."""
    if result is None or not result.answered or not result.hits:
        return None
    return str(result.hits[0].entry_id)


def city_spans_of(parse_data: dict[str, Any]) -> list[tuple[int, int]]:
    """Where a parsed message names a city, in order."""
    spans = []
    for entity in parse_data.get("entities") or []:
        start, end = entity.get("start"), entity.get("end")
        if entity.get("entity") == names.ENTITY_CITY and isinstance(start, int):
            spans.append((start, end if isinstance(end, int) else start))
    return sorted(spans)


def city_spans(tracker: Tracker) -> list[tuple[int, int]]:
    """Where the message names a city (outside any form: inside one, a city named
    in a question hands nothing over to a new self-check)."""
    if tracker.active_loop_name:
        return []
    return city_spans_of(tracker.latest_message)


def asked_together(text: str, spans: list[tuple[int, int]]) -> bool:
    """Two or more cities named side by side and asked about together ("Toronto and
    Montreal ... together", "Tijuana y Mexicali ... juntas"): no one city's verdict
    answers it."""
    joined = len(spans) > 1 and all(
        _BETWEEN_JOINED.match(text[end:start])
        for (_, end), (start, _) in itertools.pairwise(spans)
    )
    folded = fold_words(text)
    return joined and bool(_TOGETHER.search(folded) and _APPLYING.search(folded))


def with_any_city(text: str, spans: list[tuple[int, int]], lang: str) -> str:
    """``text`` with each city named replaced by "my city" in ``lang``; cities asked
    about together by "several municipalities"."""
    if asked_together(text, spans):
        several = _SEVERAL_CITIES.get(lang, _SEVERAL_CITIES["en"])
        return text[: spans[0][0]] + several + text[spans[-1][1] :]
    placeholder = _ANY_CITY.get(lang, _ANY_CITY["en"])
    for start, end in reversed(spans):
        text = text[:start] + placeholder + text[end:]
    return text


def asks_for_a_verdict(result_for_any_city: Any) -> bool:
    return best_entry(result_for_any_city) in SELF_CHECK_ENTRIES


def about_the_citys_pairing(result_as_asked: Any, result_for_any_city: Any) -> bool:
    """A programme question (not a self-check request) whose best entry as asked is
    the list of paired cities, matched better than "my city" matches its entry."""
    if best_entry(result_as_asked) not in CITY_PAIRS_ENTRIES or not result_for_any_city:
        return False
    return bool(result_as_asked.hits[0].score > result_for_any_city.hits[0].score)
