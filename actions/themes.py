"""The call's themes as the application form offers and reads them, in any language."""

from __future__ import annotations

from rasa_sdk.types import DomainDict

from actions import names
from actions.slots import response_text
from assistant.core.services import get_services
from knowledge.language import LANGUAGES, fold


def theme_choices(domain: DomainDict, lang: str) -> list[tuple[str, str]]:
    """(id, label in ``lang``) for each theme of the call, then "other"."""
    choices = [(theme.id, theme.names[lang]) for theme in get_services().facts().themes]
    other = response_text(domain, names.UTTER_THEME_OTHER, lang) or names.THEME_OTHER
    choices.append((names.THEME_OTHER, other))
    return choices


def parse_themes(text: str, domain: DomainDict) -> list[str]:
    """Theme ids named in ``text`` (ids or names in any language), in call order."""
    folded = fold(text)
    found = []
    choices: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        for theme_id, label in theme_choices(domain, lang):
            choices.setdefault(theme_id, {theme_id}).add(label)
    for theme_id, labels in choices.items():
        if any(fold(label) in folded for label in labels):
            found.append(theme_id)
    return found
