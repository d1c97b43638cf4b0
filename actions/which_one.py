"""Answers to "which one?" typed instead of clicking a button.

After the buttons for a name several places share (Springfield, Laval), "Canada",
"the one in Illinois", "Massachusetts", "the Canadian one" or "the first one" picks
among the candidates: it is not a new city called "the one in Illinois". Gazetteer
lookups are quick once its index is built (at start-up), so these helpers are plain
functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from actions import names
from actions.language import current_language, intent_name
from actions.slots import typed_text
from assistant.core.services import get_services
from knowledge.language import fold_words
from knowledge.parsing import parse_country

# Region codes this short ("IN", "ME", "DE", "ON", "VER", "SON") are everyday words in
# our three languages: they count only as the whole answer ("IL").
_MIN_REGION_WORD = 4
# Longest region name, in words ("Veracruz de Ignacio de la Llave").
_MAX_REGION_WORDS = 6
# Candidates offered as buttons when several places share a name (Springfield).
MAX_CANDIDATES = 5
# The call's country where a visitor writing this language most likely lives.
COUNTRY_OF_LANGUAGE = {"es": "MX", "fr": "CA"}

# "The Canadian one", "la canadienne", "la mexicana": the country of a candidate by
# its adjective (folded). Countries whose places share names with ours (Halifax,
# Paris, Mérida, Guadalajara) are here, not every country.
_DEMONYMS = {
    "CA": "canadian canadien canadienne canadiense",
    "US": "american americain americaine americano americana estadounidense",
    "MX": "mexican mexicain mexicaine mexicano mexicana",
    "GB": "british english britannique anglais anglaise britanico britanica "
    "ingles inglesa",
    "FR": "french francais francaise frances francesa",
    "ES": "spanish espagnol espagnole espanol espanola",
    "DE": "german allemand allemande aleman alemana",
    "IT": "italian italien italienne italiano italiana",
    "AU": "australian australien australienne australiano australiana",
}
_COUNTRY_BY_DEMONYM = {
    word: code for code, words in _DEMONYMS.items() for word in words.split()
}
# "The first one", "la deuxième", "el tercero", "2": the candidate at that place in the
# list of buttons; "the biggest" is the first (the buttons are by population).
_ORDINALS = {
    0: "first 1st premier premiere 1er 1re 1ere primero primera primer 1o 1a "
    "biggest largest plus grande grande mas",
    1: "second 2nd deuxieme seconde 2e 2eme segundo segunda 2o 2a",
    2: "third 3rd troisieme 3e 3eme tercero tercera tercer 3o 3a",
    3: "fourth 4th quatrieme 4e 4eme cuarto cuarta 4o 4a",
    4: "fifth 5th cinquieme 5e 5eme quinto quinta 5o 5a",
    -1: "last dernier derniere ultimo ultima",
}
_POSITION_BY_WORD = {
    word: position for position, words in _ORDINALS.items() for word in words.split()
}
# Words an ordinal answer may carry besides its ordinal ("the first one", "number 2").
_FILLER_WORDS = (
    "the one that option number no n a please le la l un une celle celui ville plus "
    "el uno numero opcion por favor ciudad city place lieu lugar de"
)
_FILLER = frozenset(_FILLER_WORDS.split())


@dataclass(frozen=True)
class Narrowing:
    """Where the user says the place is: a country code and/or a region name."""

    country: str | None
    region: str | None


def named_region(text: str, gazetteer: Any) -> str | None:
    """The US state, Canadian province or Mexican state named in ``text``, as typed.

    The longest name wins ("Baja California Sur" over "Baja California"); None when
    no region, or more than one, is named.
    """

    words = re.findall(r"\w+", text)
    if len(words) == 1 and gazetteer.regions_named(words[0], strict=True):
        return words[0]  # the whole answer may be a code: "IL", "QC"
    found: set[str] = set()
    i = 0
    while i < len(words):
        for size in range(min(_MAX_REGION_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size])
            if len(phrase) >= _MIN_REGION_WORD and gazetteer.regions_named(
                phrase, strict=True
            ):
                found.add(phrase)
                i += size
                break
        else:
            i += 1
    # "Illinois" and "illinois" are one region named twice.
    return found.pop() if len({fold_words(name) for name in found}) == 1 else None


def narrowing(tracker: Tracker, value: Any) -> Narrowing | None:
    """The country or region with which ``value`` answers a pending "which one?".

    ``value`` is what the form read for the city: the typed answer, or the name NLU
    tagged ("Massachusetts" read as a city). When it repeats the pending name
    ("the Springfield in Missouri"), the rest of the message is read too. A question
    ("Is Canada eligible?") is not an answer; a region none of the candidates lies in
    is not one either when ``value`` is itself a known city ("Puebla").
    """
    pending = tracker.get_slot(names.SLOT_AMBIGUOUS_CITY)
    if not pending or not isinstance(value, str) or not value.strip():
        return None
    if value.rstrip().endswith("?") or intent_name(tracker) in names.QUESTION_INTENTS:
        return None

    gazetteer = get_services().gazetteer()
    lang = current_language(tracker)
    picked = _picked_by_position_or_adjective(pending, value, gazetteer, lang)
    if picked:
        return picked
    texts = [value]
    if fold_words(value) == fold_words(pending) and typed_text(tracker):
        texts.append(typed_text(tracker))
    for text in texts:
        region = named_region(text, gazetteer)
        if region and gazetteer.lookup(pending, region=region):
            return Narrowing(gazetteer.region_country(region), region)
        country = parse_country(text)
        if country:
            return Narrowing(country, None)
        if region and not gazetteer.lookup(value):
            return Narrowing(gazetteer.region_country(region), region)
    return None


def candidates(pending: str, gazetteer: Any, lang: str) -> list[Any]:
    """The places offered as buttons for ``pending``, in the buttons' order."""
    found = gazetteer.lookup(pending)
    return list(with_near_spellings(pending, found, lang, gazetteer)[:MAX_CANDIDATES])


def with_near_spellings(
    city: str,
    matches: list[Any],
    lang: str,
    gazetteer: Any,
    country: str | None = None,
    region: str | None = None,
) -> list[Any]:
    """``matches`` with the larger cities of the call spelled one letter apart
    first: "Monterey" typed in Spanish is almost surely Monterrey, Nuevo León, not
    Monterey, California; "Sherbrook" is Sherbrooke. Looked for in the visitor's
    language's country when none of ``matches`` lies there, in the call's
    countries when nothing matched (``country``, ``region``: only there)."""
    home = COUNTRY_OF_LANGUAGE.get(lang)
    if matches and (home is None or any(m.country == home for m in matches)):
        return matches
    eligible = get_services().facts().eligible_countries
    scope = {home} if matches and home else set(eligible)
    if country:
        scope &= {country}
    largest = max((m.population for m in matches), default=0)
    near = [
        m
        for m in gazetteer.spelled_nearly(city, scope)
        if m.population > largest and (not region or _in_region(m, region))
    ]
    return [*near, *matches]


def _in_region(match: Any, region: str) -> bool:
    names_of = {fold_words(match.region or ""), fold_words(match.region_code or "")}
    return fold_words(region) in names_of


def _picked_by_position_or_adjective(
    pending: str, text: str, gazetteer: Any, lang: str
) -> Narrowing | None:
    """ "The first one", "2", "la plus grande" or "the Canadian one": the candidate
    at that place in the list, or the candidates of that country."""
    words = fold_words(text).replace("º", "o").replace("ª", "a").split()
    countries = {_COUNTRY_BY_DEMONYM[w] for w in words if w in _COUNTRY_BY_DEMONYM}
    if len(countries) == 1:
        return Narrowing(countries.pop(), None)
    positions = {_POSITION_BY_WORD[w] for w in words if w in _POSITION_BY_WORD}
    positions |= {int(w) - 1 for w in words if len(w) == 1 and w in "123456789"}
    rest = [
        w
        for w in words
        if w not in _POSITION_BY_WORD and w not in _FILLER and not w.isdigit()
    ]
    if len(positions) != 1 or rest or len(words) > 5:
        return None
    offered = candidates(pending, gazetteer, lang)
    position = positions.pop()
    if not -len(offered) <= position < len(offered):
        return None
    chosen = offered[position]
    return Narrowing(chosen.country, chosen.region)
