"""Cities, regions and countries named in a message: the matching core, no Rasa.

Reads the table assistant/nlu_training/places.py projects from the gazetteer (names
folded: case and accents ignored). Standard library only, so the project's tests run
it too. Rules, in order:

1. Longest match first, up to ``MAX_WORDS`` words: "Baja California Sur" before
   "Baja California", "Mexico City" before "Mexico".
2. At the same span a country beats a region and a city ("Mexico", "Colombia"), and a
   region beats a city ("Ontario"), unless a city cue precedes it ("city of", "ville
   de", "ciudad de").
3. A name that is also a word our texts write in lower case ("North", "Mobile",
   "Oui", "Laval"), or of three letters or fewer, is a city only with evidence: a city
   cue before it, a region or country right after it ("Laval, QC"), or, typed with a
   capital, the self-check's verb or adjective right after it ("Is Laval eligible?",
   "Laval peut-elle participer ?") or the asker's own "I'm from" before it ("I'm
   from Laval", "je suis de Laval", "soy de Laval"), or a correction's "I meant"
   ("no, I meant Laval", "non, je voulais dire Laval"), or typed alone ("Laval").
4. Region codes count in capitals ("IL", "JAL"); the few people type in any case
   ("Qc", "bc", "CDMX") in any case. A code that is also a word ("OK", "IN", "ME")
   counts only right after a city ("Tulsa, OK").
5. A typo (one edit: letter missing, extra, wrong or two swapped) is forgiven on
   names of six letters or more of regions and of large cities (primary names), when
   the typed word is not itself a common word.
6. A hyphenated name is never cut: "Sainte-Catherine-de-la-Jacques-Cartier" is not
   Sainte-Catherine. Named in full with a known place's name first, it is a town the
   gazetteer does not know (the self-check then asks what it needs); a part of a
   longer name is no place of its own.
7. A capitalised name after nothing but a follow-up's words ("and Laval?", "¿y
   Laval?", "what about Laval?") is the place the follow-up asks about.
8. A capitalised name listed with a city ("Montréal et Laval", "Monterrey y
   Guadalupe") is a city: a common word's evidence. So is the name of a country
   outside the call that a city of the call's countries has too (Guadalupe is also
   Guadeloupe's), listed so, after a follow-up's words ("¿y Guadalupe?") or after
   the words correcting a city ("no, quise decir Guadalupe").
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.language import LISTING_WORDS, fold_words, follow_up_words, one_edit

MAX_WORDS = 5
# A long message is read up to here: a 2,000-character list of places costs the same
# as a normal question.
MAX_TOKENS = 120
FUZZY_MIN_CHARS = 6
# Fuzzy look-ups per message, at most (each is a few dictionary probes).
MAX_FUZZY = 40
# A common word that is also the name of a city of the call's countries this large is
# that city when it is the whole message, capitalised (rule 3: "Laval").
MIN_POPULATION_ALONE = 100_000

_TOKEN = re.compile(r"\w+", re.UNICODE)
# Folded words after a capitalised name that make it the city whose pairing is asked
# about ("Is Laval paired ...?", "Laval est-elle jumelée ... ?", "¿Laval está
# hermanada ...?"), after a verb of ``_PAIRING_VERBS`` at most.
_PAIRING_CUES = {
    "paired", "twinned", "partnered", "jumelee", "jumele", "associee",
    "hermanada", "hermanado", "emparejada", "emparejado",
}  # fmt: skip
_PAIRING_VERBS = {"is", "was", "already", "est", "elle", "il", "deja", "etait",
                  "esta", "ya", "estaba", "fue"}  # fmt: skip
# Folded words before a name that make it a city: "city of", "ville de", "ciudad de".
_CITY_CUES = {
    ("city", "of"), ("town", "of"), ("municipality", "of"), ("village", "of"),
    ("ville", "de"), ("ville", "d"), ("municipalite", "de"), ("commune", "de"),
    ("ciudad", "de"), ("municipio", "de"), ("pueblo", "de"), ("alcaldia", "de"),
}  # fmt: skip
# Folded words right after a capitalised name that make it the city asked about.
_ELIGIBILITY_CUES = {
    "eligible", "apply", "applies", "qualify", "qualifies", "participate", "join",
    "admissible", "peut", "pourrait", "postuler", "participer",
    "elegible", "puede", "podria", "aplicar", "participar", "postularse", "califica",
}  # fmt: skip

# Folded words right before a capitalised name that make it the asker's city.
_FROM_CUES = {
    ("i", "m", "from"), ("i", "am", "from"), ("we", "re", "from"),
    ("we", "are", "from"), ("je", "suis", "de"), ("nous", "sommes", "de"),
    ("je", "viens", "de"), ("nous", "venons", "de"), ("j", "habite", "a"),
    ("soy", "de"), ("somos", "de"), ("vengo", "de"), ("vivo", "en"),
}  # fmt: skip
# ... or the city meant instead of the one just checked ("no, I meant Laval").
_MEANT_CUES = {
    ("i", "meant"), ("i", "mean"), ("je", "voulais", "dire"), ("je", "veux", "dire"),
    ("quise", "decir"), ("quiero", "decir"), ("me", "refiero", "a"),
    ("me", "referia", "a"),
}  # fmt: skip


@dataclass(frozen=True)
class Place:
    """A place named in a message: entity kind, canonical value, character span."""

    entity: str  # "city", "region" or "country"
    value: str  # city or region name; ISO alpha-2 code for a country
    start: int
    end: int


@dataclass(frozen=True)
class _Token:
    text: str
    folded: str
    start: int
    end: int
    joined: bool = False  # a hyphen joins it to the next token: "Sainte-Catherine"


class PlaceTable:
    """The projected table, with the indexes the matcher needs."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.cities: dict[str, list[Any]] = data["cities"]
        self.regions: dict[str, list[str]] = data["regions"]
        self.region_codes: dict[str, list[str]] = data["region_codes"]
        self.countries: dict[str, str] = data["countries"]
        self.country_abbreviations: dict[str, str] = data["country_abbreviations"]
        self.common: frozenset[str] = frozenset(data["common_words"])
        self.not_places: frozenset[str] = frozenset(data["not_places"])
        fuzzy_min = int(data["fuzzy_min_population"])
        self.home: frozenset[str] = frozenset(data["home_countries"])
        self.world_min = int(data["world_min_population"])
        # Names reachable by one deletion: symmetric-delete index for typos.
        self._deletions: dict[str, set[tuple[str, str]]] = {}
        for key, (_, population, country, primary) in self.cities.items():
            if primary and self.well_known(population, country, fuzzy_min):
                self._index_fuzzy(key, "city")
        # Not countries: "american" is one letter from "america".
        for key in self.regions:
            self._index_fuzzy(key, "region")

    def well_known(self, population: int, country: str, home_min: int = 0) -> bool:
        """A city of the call's countries (this large), or a very large one."""
        home = country in self.home and population >= home_min
        return home or population >= self.world_min

    @classmethod
    def load(cls, path: str | Path) -> PlaceTable:
        with Path(path).open(encoding="utf-8") as handle:
            return cls(json.load(handle))

    def _index_fuzzy(self, key: str, kind: str) -> None:
        if len(key) < FUZZY_MIN_CHARS or key in self.common:
            return
        for variant in _deletions(key) | {key}:
            self._deletions.setdefault(variant, set()).add((key, kind))

    def fuzzy(self, typed: str) -> tuple[str, str] | None:
        """The one (name, kind) within one edit of ``typed``, or None."""
        if len(typed) < FUZZY_MIN_CHARS or typed in self.common:
            return None
        found: set[tuple[str, str]] = set()
        for variant in _deletions(typed) | {typed}:
            for key, kind in self._deletions.get(variant, ()):
                if key != typed and one_edit(typed, key):
                    found.add((key, kind))
        names = {key for key, _ in found}
        return found.pop() if len(names) == 1 and len(found) == 1 else None


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _tokens(text: str) -> list[_Token]:
    matches = list(itertools.islice(_TOKEN.finditer(text), MAX_TOKENS + 1))
    found: list[_Token] = []
    for match, following in itertools.pairwise([*matches, None]):
        if match is None or len(found) == MAX_TOKENS:
            break
        word = match.group(0)
        joined = following is not None and text[match.end() : following.start()] == "-"
        found.append(_Token(word, fold_words(word), match.start(), match.end(), joined))
    return _names_only(found)


def _names_only(tokens: list[_Token]) -> list[_Token]:
    """Hyphens join names only: a run ending in a capitalised word ("Montréal-Nord",
    "Sainte-Catherine-de-la-Jacques-Cartier"), not "Toronto-based"."""
    i = 0
    while i < len(tokens):
        end = _compound_end(tokens, i)
        if end > i and not tokens[end].text[:1].isupper():
            for n in range(i, end + 1):
                tokens[n] = dataclasses.replace(tokens[n], joined=False)
        i = end + 1
    return tokens


def _compound_end(tokens: list[_Token], i: int) -> int:
    """The last token of the hyphenated name starting at ``i`` (``i`` itself when
    none)."""
    while tokens[i].joined and i + 1 < len(tokens):
        i += 1
    return i


def compound_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` has hyphenated names ("Sainte-Catherine-de-la-Jacques-Cartier"):
    no extractor may cut one."""
    tokens = _tokens(text) if isinstance(text, str) else []
    spans, i = [], 0
    while i < len(tokens):
        end = _compound_end(tokens, i)
        if end > i:
            spans.append((tokens[i].start, tokens[end].end))
        i = end + 1
    return spans


def _city_cue(tokens: list[_Token], i: int) -> bool:
    return i >= 2 and (tokens[i - 2].folded, tokens[i - 1].folded) in _CITY_CUES


@dataclass
class _Candidate:
    kind: str
    value: str
    first: int  # token indexes, inclusive
    last: int
    needs_evidence: bool = False


def _code(table: PlaceTable, token: _Token) -> _Candidate | None:
    """A region or country abbreviation as typed: "IL", "QC", "USA"."""
    word = token.text
    if word.isupper() and word in table.country_abbreviations:
        return _Candidate("country", table.country_abbreviations[word], 0, 0)
    if word.isupper() and word in table.region_codes:
        display, _ = table.region_codes[word]
        common = token.folded in table.common or len(word) < 2
        return _Candidate("region", display, 0, 0, needs_evidence=common)
    return None


def _match_at(
    table: PlaceTable, tokens: list[_Token], i: int, budget: list[int]
) -> _Candidate | None:
    if i > 0 and tokens[i - 1].joined:
        return None  # the rest of a hyphenated name (rule 6)
    cue = _city_cue(tokens, i)
    compound_end = _compound_end(tokens, i)
    for size in range(min(MAX_WORDS, len(tokens) - i), 0, -1):
        phrase = " ".join(t.folded for t in tokens[i : i + size])
        last = i + size - 1
        if phrase in table.not_places:  # "North America" is no country
            return _Candidate("none", "", i, last)
        city = table.cities.get(phrase)
        if phrase in table.countries:  # "una ciudad de Colombia": the country
            return _Candidate("country", table.countries[phrase], i, last)
        if last < compound_end:  # "Sainte-Catherine" of a longer name: rule 6
            if (city or phrase in table.regions) and tokens[i].text[:1].isupper():
                whole = "-".join(t.text for t in tokens[i : compound_end + 1])
                return _Candidate("city", whole, i, compound_end)
            continue
        if cue and city:
            return _Candidate("city", city[0], i, last)
        if phrase in table.regions:
            return _Candidate("region", table.regions[phrase][0], i, last)
        if city:
            single = size == 1
            words = phrase.split()
            common = all(w in table.common or len(w) <= 3 for w in words)
            # "Red Deer" typed with capitals is a city; "red deer" is not.
            capitalised = tokens[i].text[:1].isupper()
            needs = common and (single or not capitalised)
            # "study tours": a lower-case word is a far-away town only with evidence.
            if not capitalised and not table.well_known(city[1], city[2]):
                needs = True
            return _Candidate("city", city[0], i, last, needs_evidence=needs)
    if compound_end > i:
        return None  # a hyphenated name nobody knows is no code nor a typo
    code = _code(table, tokens[i])
    if code is not None:
        code.first = code.last = i
        return code
    if budget[0] > 0 and tokens[i].folded.isalpha():
        budget[0] -= 1
        found = table.fuzzy(tokens[i].folded)
        if found is not None:
            key, kind = found
            if kind == "city":
                return _Candidate("city", table.cities[key][0], i, i)
            return _Candidate("region", table.regions[key][0], i, i)
    return None


def _candidates(table: PlaceTable, tokens: list[_Token]) -> Iterator[_Candidate]:
    i, budget = 0, [MAX_FUZZY]
    while i < len(tokens):
        found = _match_at(table, tokens, i, budget)
        if found is None:
            i += 1
            continue
        yield found
        i = found.last + 1


def find_places(table: PlaceTable, text: str) -> list[Place]:
    """The places named in ``text``, in order, each span once."""
    return read_places(table, text)[0]


def read_places(
    table: PlaceTable, text: str
) -> tuple[list[Place], list[tuple[int, int]]]:
    """The places named in ``text``, and the spans of names that are no place
    ("Latin America", "Asia"), which no other extractor may take for one either."""
    if not isinstance(text, str) or not text.strip() or text.startswith("/"):
        return [], []
    tokens = _tokens(text)
    found = list(_candidates(table, tokens))
    no_places = [
        (tokens[c.first].start, tokens[c.last].end) for c in found if c.kind == "none"
    ]
    found = [_as_listed_city(table, tokens, found, n) for n in range(len(found))]
    places = []
    kept = [
        c
        for n, c in enumerate(found)
        if c.kind != "none"
        and (
            not c.needs_evidence
            or _has_evidence(tokens, found, n)
            or _alone(table, tokens, c)
        )
    ]
    no_city = not any(c.kind == "city" for c in kept)
    if no_city:
        unknown = _unknown_city(table, text, tokens, kept)
        if unknown is not None:
            places.append(unknown)
            no_city = False
    for candidate in kept:
        start, end = tokens[candidate.first].start, tokens[candidate.last].end
        # "Can Puebla apply?": a region with a city of its name, and no other city
        # named, is asked about as that city ("in Puebla" stays a region). Only as the
        # city: the name is no evidence of where that city lies.
        city = table.cities.get(fold_words(candidate.value))
        if (
            candidate.kind == "region"
            and city
            and no_city
            and not _located(tokens, candidate.first)
        ):
            places.append(Place("city", city[0], start, end))
            continue
        places.append(Place(candidate.kind, candidate.value, start, end))
    return sorted(places, key=lambda place: place.start), no_places


# Between a town the gazetteer does not know and its region: "Tinyville, Ohio",
# "Petiteville au Québec", "Pueblito (Jalisco)".
_JOINERS = {"in", "en", "au", "dans", "a"}
_MAX_NAME_WORDS = 3


def _unknown_city(
    table: PlaceTable, text: str, tokens: list[_Token], kept: list[_Candidate]
) -> Place | None:
    """A capitalised name right before the first region or country named: a town
    under the gazetteer's 15,000 inhabitants, named with where it is."""
    where = next((c for c in kept if c.kind in {"region", "country"}), None)
    if where is None or where.first == 0:
        return None
    j = where.first - 1
    if tokens[j].folded in _JOINERS:
        j -= 1
    names: list[_Token] = []
    while j >= 0 and len(names) < _MAX_NAME_WORDS:
        token = tokens[j]
        gap = text[token.end : (names[0] if names else tokens[j + 1]).start]
        if not names and gap.strip(" ,(") not in {"", *_JOINERS}:
            break
        if names and gap not in {" ", "-"}:
            break
        word = token.text
        if not (word[:1].isupper() and word.isalpha() and len(word) >= 3):
            break
        if token.folded in table.common or token.folded in table.countries:
            break
        names.insert(0, token)
        j -= 1
    while names and j >= 0 and tokens[j].joined:  # "Saint-Gabriel-de-Brandon"
        names.insert(0, tokens[j])
        j -= 1
    if not names:
        return None
    start, end = names[0].start, names[-1].end
    return Place("city", text[start:end], start, end)


# Folded words before a region name that make it where a place is, not the place.
_LOCATIVES = {"in", "en", "dans", "au", "a", "from", "de", "del", "of", "near"}


def _located(tokens: list[_Token], i: int) -> bool:
    return i >= 1 and tokens[i - 1].folded in _LOCATIVES


def _asked_about(tokens: list[_Token], candidate: _Candidate) -> bool:
    """ "Is Laval eligible?": a capitalised name right before the self-check's word;
    "Is Laval paired ...?", "Laval est-elle jumelée ... ?": before a pairing word,
    after its verb at most."""
    after = candidate.last + 1
    if not tokens[candidate.first].text[:1].isupper() or after >= len(tokens):
        return False
    if tokens[after].folded in _ELIGIBILITY_CUES | _PAIRING_CUES:
        return True
    words = [t.folded for t in tokens[after : after + 3]]
    pairing = next((n for n, w in enumerate(words) if w in _PAIRING_CUES), None)
    return pairing is not None and all(w in _PAIRING_VERBS for w in words[:pairing])


def _from_there(tokens: list[_Token], candidate: _Candidate) -> bool:
    """ "I'm from Laval", "soy de Laval": a capitalised name after the asker's own
    "I'm from"; "no, I meant Laval": after the words that correct a city."""
    i = candidate.first
    if i < 2 or not tokens[i].text[:1].isupper():
        return False
    before = tuple(t.folded for t in tokens[max(i - 3, 0) : i])
    cues = _FROM_CUES | _MEANT_CUES
    return before[-3:] in cues or before[-2:] in cues


def _meant(tokens: list[_Token], candidate: _Candidate) -> bool:
    """ "No, I meant Guadalupe": a capitalised name after the words correcting a
    city."""
    i = candidate.first
    if i < 2 or not tokens[i].text[:1].isupper():
        return False
    before = tuple(t.folded for t in tokens[max(i - 3, 0) : i])
    return before[-3:] in _MEANT_CUES or before[-2:] in _MEANT_CUES


def _listed_with_a_city(tokens: list[_Token], found: list[_Candidate], n: int) -> bool:
    """Whether ``found[n]``, capitalised, is listed with a city next to it."""
    candidate = found[n]
    if not tokens[candidate.first].text[:1].isupper():
        return False
    for left, right in ((n - 1, n), (n, n + 1)):
        if left < 0 or right >= len(found):
            continue
        other = found[left if right == n else right]
        between = tokens[found[left].last + 1 : found[right].first]
        if (
            other.kind == "city"
            and not other.needs_evidence
            and len(between) == 1
            and between[0].folded in LISTING_WORDS
        ):
            return True
    return False


def _as_listed_city(
    table: PlaceTable, tokens: list[_Token], found: list[_Candidate], n: int
) -> _Candidate:
    """Rule 8's country read as the city of the call's countries it names too."""
    candidate = found[n]
    if candidate.kind != "country" or candidate.value in table.home:
        return candidate
    if not (
        _listed_with_a_city(tokens, found, n)
        or _followed_up(tokens, candidate)
        or _meant(tokens, candidate)
    ):
        return candidate
    phrase = " ".join(t.folded for t in tokens[candidate.first : candidate.last + 1])
    city = table.cities.get(phrase)
    if city is None or city[2] not in table.home:
        return candidate
    return _Candidate("city", city[0], candidate.first, candidate.last)


def _alone(table: PlaceTable, tokens: list[_Token], candidate: _Candidate) -> bool:
    """ "Laval", the whole message, capitalised: the city typed after a verdict or a
    "stop", when it is a large city of the call's countries ("Okay", "Hola" or
    "Normal" stay words)."""
    city = table.cities.get(fold_words(candidate.value))
    return (
        candidate.kind == "city"
        and candidate.first == 0
        and candidate.last == len(tokens) - 1
        and tokens[0].text[:1].isupper()
        and city is not None
        and city[2] in table.home
        and table.well_known(city[1], city[2], home_min=MIN_POPULATION_ALONE)
    )


def _followed_up(tokens: list[_Token], candidate: _Candidate) -> bool:
    """ "And Laval?", "et Laval ?", "what about Laval?": a capitalised name that ends
    a message made of a follow-up's words."""
    return (
        candidate.last == len(tokens) - 1
        and tokens[candidate.first].text[:1].isupper()
        and follow_up_words([t.folded for t in tokens[: candidate.first]])
    )


def _has_evidence(tokens: list[_Token], found: list[_Candidate], n: int) -> bool:
    candidate = found[n]
    if candidate.kind == "city":
        if _city_cue(tokens, candidate.first):
            return True
        if len(candidate.value) <= 3:
            return False  # "Can Puebla", "North of France": a cue or nothing
        if _asked_about(tokens, candidate) or _from_there(tokens, candidate):
            return True
        if _followed_up(tokens, candidate) or _listed_with_a_city(tokens, found, n):
            return True
        following = found[n + 1] if n + 1 < len(found) else None
        # "Laval, QC" / "Laval Quebec": a region or country right after the name.
        return (
            following is not None
            and following.kind in {"region", "country"}
            and following.first == candidate.last + 1
            and not following.needs_evidence
        )
    # A region code that is also a word ("OK") counts right after a city.
    previous = found[n - 1] if n > 0 else None
    return (
        previous is not None
        and previous.kind == "city"
        and previous.last == candidate.first - 1
    )
