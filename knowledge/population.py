"""``parse_population``: "150k", "1,2 millones" or "cent mille" as an int (pure).

Returns None when the text does not say one clear number, so the caller can ask again.
Digit grouping rule of ``parse_population`` (documented because "1,200" is ambiguous):

1. Spaces (also no-break and narrow no-break spaces) and apostrophes only ever group
   thousands: "150 000", "1'017'000".
2. A ``,`` or ``.`` followed by a group of other than three digits is a decimal mark:
   "1,2 millones", "1.25M". Without a multiplier a decimal number is not a population.
3. A mark that repeats ("1.017.000") or is followed by the other mark ("1,017,000.5",
   "1.017.000,5") groups thousands; every group after the first must have three digits.
4. A lone ``,`` or ``.`` followed by exactly three digits groups thousands ("150,000",
   "150.000") unless a multiplier follows ("1,200 million"). Then the language decides:
   English reads ``,`` as thousands and ``.`` as decimal, French and Spanish the other
   way round; with no language the reading that gives a plausible population wins, and
   None is returned when both or neither do.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from knowledge.language import check_language, fold_words

# Sanity bounds, not programme facts: the largest cities have under 40 million people.
MIN_POPULATION = 1
MAX_POPULATION = 50_000_000

_SPACES = "\u00a0\u202f\u2009\u2007"
_MINUS = "-\u2212\u2013"
# A number: digit groups joined by "," or "." or by a space/apostrophe that is
# followed by exactly three digits (so "12 5" stays two numbers).
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<sign>[" + _MINUS + r"]\s?)?"
    r"(?P<num>\d+(?:(?:[.,]|[ '’" + _SPACES + r"](?=\d{3}(?!\d)))\d+)*)"
)
# Multipliers right after a number: "150k", "1.2 million", "1,2 millones", "150 mil".
_MULTIPLIERS: dict[str, int] = {
    "k": 1_000,
    "thousand": 1_000,
    "thousands": 1_000,
    "mil": 1_000,
    "mille": 1_000,
    "milliers": 1_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "mn": 1_000_000,
    "mio": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "millon": 1_000_000,
    "millones": 1_000_000,
}
_MULTIPLIER = re.compile(r"\s*(?P<word>[^\W\d_]+)\b")

_NEGATIVE_WORDS = {"minus", "moins", "menos", "negative", "negatif", "negativo"}

# Number words; "and"/"et"/"y" only join two number words.
_EN_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "hundreds": 100, "thousand": 1_000, "thousands": 1_000,
    "million": 1_000_000, "millions": 1_000_000,
}  # fmt: skip
_FR_WORDS: dict[str, int] = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12,
    "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20,
    "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
    "quatrevingt": 80, "cent": 100, "cents": 100, "mille": 1_000,
    "million": 1_000_000, "millions": 1_000_000,
}  # fmt: skip
_ES_WORDS: dict[str, int] = {
    "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
    "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11,
    "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16,
    "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
    "veintiun": 21, "veintiuno": 21, "veintidos": 22, "veintitres": 23,
    "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27,
    "veintiocho": 28, "veintinueve": 29, "treinta": 30, "cuarenta": 40,
    "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90,
    "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200,
    "trescientos": 300, "trescientas": 300, "cuatrocientos": 400,
    "cuatrocientas": 400, "quinientos": 500, "quinientas": 500,
    "seiscientos": 600, "seiscientas": 600, "setecientos": 700,
    "setecientas": 700, "ochocientos": 800, "ochocientas": 800,
    "novecientos": 900, "novecientas": 900, "mil": 1_000,
    "millon": 1_000_000, "millones": 1_000_000,
}  # fmt: skip
_WORDS_BY_LANG = {"en": _EN_WORDS, "fr": _FR_WORDS, "es": _ES_WORDS}
_JOINERS = {"and", "et", "y"}
# Words that are articles as often as the number one: only a number before a scale word.
_ARTICLES = {"a", "an", "un", "une", "una", "uno"}
# Multiplying words: "two hundred", "deux cents"; everything else adds.
_HUNDREDS = {"hundred", "hundreds", "cent", "cents", "cien", "ciento"}
_VAGUE = {"hundreds", "thousands", "millions", "millones", "cents"}


@lru_cache(maxsize=4)
def _number_words(lang: str | None) -> dict[str, int]:
    """All three vocabularies: people mix languages ("cien mil" in an English chat)."""
    merged: dict[str, int] = {}
    for words in _WORDS_BY_LANG.values():
        merged.update(words)
    if lang != "es":
        # "once" is an English word far more often than Spanish eleven.
        merged.pop("once")
    return merged


def _to_decimal(digits: str) -> Decimal:
    return Decimal(digits)  # the regex lets only digits and one "." through


def _readings(number: str, has_multiplier: bool, lang: str | None) -> list[Decimal]:
    """The possible values of a written number under the grouping rule (see top)."""
    text = number
    for space in _SPACES + "'’ ":
        text = text.replace(space, "")  # rule 1
    marks = [ch for ch in text if ch in ".,"]
    groups = re.split(r"[.,]", text)
    if not marks:
        return [_to_decimal(text)]
    if len(set(marks)) == 2:  # rule 3 with both marks: the last one is the decimal
        decimal_mark = marks[-1]
        thousands_mark = "," if decimal_mark == "." else "."
        if marks.count(decimal_mark) != 1:
            return []
        whole, _, fraction = text.rpartition(decimal_mark)
        if not _grouped(whole.split(thousands_mark)):
            return []
        return [_to_decimal(whole.replace(thousands_mark, "") + "." + fraction)]
    if len(marks) > 1:  # rule 3: a repeated mark groups thousands
        return [_to_decimal("".join(groups))] if _grouped(groups) else []
    whole, fraction = groups
    as_decimal = _to_decimal(f"{whole}.{fraction}")
    if len(fraction) != 3:  # rule 2
        return [as_decimal]
    as_thousands = _to_decimal(whole + fraction)
    if not has_multiplier:  # rule 4
        return [as_thousands]
    if lang is None:
        return [as_thousands, as_decimal]
    thousands_mark = "," if lang == "en" else "."
    return [as_thousands if marks[0] == thousands_mark else as_decimal]


def _grouped(groups: list[str]) -> bool:
    """Thousands groups: "1", "017", "000" (first 1-3 digits, the others 3)."""
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _plausible(value: Decimal) -> int | None:
    if value != value.to_integral_value():
        return None
    number = int(value)
    return number if MIN_POPULATION <= number <= MAX_POPULATION else None


def _digit_values(text: str, lang: str | None) -> list[int | None]:
    """One entry per written number: its value, or None when it is not a population."""
    values: list[int | None] = []
    for match in _NUMBER.finditer(text):
        before = fold_words(text[: match.start()]).split()[-1:]
        if match.group("sign") or (before and before[0] in _NEGATIVE_WORDS):
            values.append(None)
            continue
        word = _MULTIPLIER.match(text, match.end())
        multiplier = 1
        if word and fold_words(word.group("word")) in _MULTIPLIERS:
            multiplier = _MULTIPLIERS[fold_words(word.group("word"))]
        elif text[match.end() : match.end() + 1].isalnum():
            values.append(None)  # "1e6", "150km": not a head count
            continue
        readings = _readings(match.group("num"), multiplier > 1, lang)
        plausible = {p for r in readings if (p := _plausible(r * multiplier))}
        values.append(plausible.pop() if len(plausible) == 1 else None)
    return values


def _word_values(text: str, lang: str | None) -> list[int | None]:
    """Values of runs of number words: "cien mil", "one hundred and fifty thousand"."""
    words = _number_words(lang)
    folded = re.sub(r"\bquatre[\s-]vingts?\b", "quatrevingt", fold_words(text))
    tokens = re.split(r"[\s-]+", folded)
    values: list[int | None] = []
    run: list[str] = []
    for i, token in enumerate([*tokens, ""]):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        scale_follows = words.get(nxt, 0) >= 100
        if token in words and (token not in _ARTICLES or scale_follows or run):
            run.append(token)
        elif token in _ARTICLES and scale_follows:
            run.append("un")  # "a hundred", "an hundred"
        elif token in _JOINERS and run and nxt in words:
            continue
        elif run:
            values.append(_words_to_int(run, {**words, "un": 1}))
            run = []
    return values


def _words_to_int(run: list[str], words: dict[str, int]) -> int | None:
    if len(run) == 1 and run[0] in _VAGUE:
        return None  # "thousands of people" is not a count
    total, current, largest_scale = 0, 0, 1
    for token in run:
        value = words[token]
        if token in _HUNDREDS:
            current = max(current, 1) * 100
        elif value >= 1_000:
            if value > largest_scale:  # "mil millones": the scale applies to all
                total, largest_scale = (total + current or 1) * value, value
            else:
                total += max(current, 1) * value
            current = 0
        else:
            current += value
    return _plausible(Decimal(total + current))


def parse_population(text: str, lang: str | None = None) -> int | None:
    """The number of inhabitants written in ``text``, or None.

    None when the text holds no number, several different numbers, a negative or zero
    value, a fraction of a person, or more than ``MAX_POPULATION``.
    """
    if lang is not None:
        check_language(lang)
    if not isinstance(text, str) or len(text) > 500:
        return None
    values = _digit_values(text, lang)
    if not values:
        values = _word_values(text, lang)
    distinct = set(values)
    if len(distinct) != 1:
        return None
    return distinct.pop()
