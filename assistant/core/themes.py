"""The call's themes as a draft stores them (ids) and people name them (any language).

Framework-free: the action server's form, the drafts API and the draft page all read
themes through here, so "housing", "logement" and "vivienda" are one id everywhere.
"""

from __future__ import annotations

import re
from functools import cache

from knowledge.facts import load_call_facts
from knowledge.language import LANGUAGES, fold_words

OTHER = "other"
# The "other theme" choice is no theme of the call: its labels live here, not in
# call.yml. The bot's button reads the same words from domain/application.yml.
OTHER_LABELS = {"en": "other", "fr": "autre", "es": "otro"}

# "housing and mobility", "logement et mobilité", "vivienda y movilidad", commas, "&".
_SEPARATORS = re.compile(r"\s*(?:[,;/&+\n]|\band\b|\bet\b|\by\b|\be\b)\s*", re.I)
# Words that name no theme ("the", "de", "theme") are left out of the stems.
_FILLER = frozenset({
    "a", "an", "the", "of", "in", "on", "for", "to", "our", "we", "i", "my",
    "le", "la", "les", "l", "de", "des", "du", "d", "un", "une", "en", "pour", "nous",
    "notre", "nos", "el", "los", "las", "del", "una", "para", "nuestra", "nuestro",
    "nosotros", "al", "lo", "theme", "themes", "tema", "temas",
})  # fmt: skip


def _stem(word: str) -> str:
    """ "cities" / "city", "villes" / "ville", "ciudades" / "ciudad" -> one stem."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("es") and len(word) > 4:
        word = word[:-2]
    elif word.endswith("s") and len(word) > 3:
        word = word[:-1]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in fold_words(text).split() if w not in _FILLER}


def theme_ids() -> tuple[str, ...]:
    """Every theme id in the call's order, then "other"."""
    return (*(theme.id for theme in load_call_facts().themes), OTHER)


def theme_label(theme_id: str, lang: str) -> str:
    """The label of a theme id in ``lang``; an unknown value is shown as it is."""
    if theme_id == OTHER:
        return OTHER_LABELS.get(lang, OTHER_LABELS["en"])
    for theme in load_call_facts().themes:
        if theme.id == theme_id:
            return theme.names.get(lang) or theme.names["en"]
    return theme_id


def theme_choices(lang: str) -> list[tuple[str, str]]:
    """(id, label in ``lang``) for each theme of the call, then "other"."""
    return [(theme_id, theme_label(theme_id, lang)) for theme_id in theme_ids()]


@cache
def _labels() -> dict[str, tuple[str, ...]]:
    """Theme id -> its id and its folded labels in every language."""
    return {
        theme_id: (
            fold_words(theme_id.replace("-", " ")),
            *(fold_words(theme_label(theme_id, lang)) for lang in LANGUAGES),
        )
        for theme_id in theme_ids()
    }


@cache
def _distinctive() -> dict[str, str]:
    """Stems that belong to one theme only ("mobility", "logement"): stem -> id."""
    owners: dict[str, set[str]] = {}
    for theme_id, labels in _labels().items():
        for label in labels:
            for stem in _stems(label):
                owners.setdefault(stem, set()).add(theme_id)
    return {stem: ids.pop() for stem, ids in owners.items() if len(ids) == 1}


def _match_part(part: str) -> set[str]:
    """The themes one piece of an answer names: a whole label, or words that only one
    theme has ("mobilité" for "mobilité urbaine durable")."""
    words = f" {fold_words(part)} "
    found = {
        theme_id
        for theme_id, labels in _labels().items()
        if any(f" {label} " in words for label in labels)
    }
    if found:
        return found
    distinctive = _distinctive()
    return {distinctive[stem] for stem in _stems(part) if stem in distinctive}


def parse_themes(text: str) -> list[str]:
    """Theme ids named in ``text`` (ids or names in any language, several separated by
    commas or "and" / "et" / "y"), in the call's order; [] when none is recognised."""
    if not isinstance(text, str) or not text.strip():
        return []
    found = _match_part(text)
    for part in _SEPARATORS.split(text):
        if part.strip():
            found |= _match_part(part)
    return [theme_id for theme_id in theme_ids() if theme_id in found]


# A piece of an answer this short that names no theme is a theme of the user's own
# ("logement et culture"); a longer one is a sentence around the themes.
OWN_THEME_MAX_WORDS = 3


def own_themes(text: str) -> list[str]:
    """The pieces of ``text`` that name no theme of the call, as typed (trimmed), when
    another piece does: "housing and culture" -> ["culture"]."""
    if not isinstance(text, str) or not parse_themes(text):
        return []
    pieces = (" ".join(part.split()) for part in _SEPARATORS.split(text))
    return [
        piece
        for piece in pieces
        if piece
        and len(piece.split()) <= OWN_THEME_MAX_WORDS
        and not _match_part(piece)
    ]
