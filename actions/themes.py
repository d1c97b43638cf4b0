"""The call's themes as the application form offers them (reading them back is
assistant/core/themes.py's parse_themes, shared with the drafts API)."""

from __future__ import annotations

from rasa_sdk.types import DomainDict

from actions import names
from actions.slots import response_text
from assistant.core.themes import OTHER
from assistant.core.themes import parse_themes as core_parse_themes
from assistant.core.themes import theme_choices as core_theme_choices


def theme_choices(domain: DomainDict, lang: str) -> list[tuple[str, str]]:
    """(id, label in ``lang``) for each theme of the call, then "other"."""
    # The button's label for "other" is bot text (domain/application.yml).
    other = response_text(domain, names.UTTER_THEME_OTHER, lang)
    return [
        (theme_id, other if theme_id == OTHER and other else label)
        for theme_id, label in core_theme_choices(lang)
    ]


def parse_themes(text: str, domain: DomainDict | None = None) -> list[str]:
    """Theme ids named in ``text``: the core's parser, which knows "other" in the
    three languages itself (``domain`` is no longer needed)."""
    return core_parse_themes(text)
