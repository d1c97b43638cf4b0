"""The assistant's languages: the set, codes, text folding, detection (lingua) and the
conversation language of each chat turn (:func:`turn_language`, its precedence).

The one place these are defined. Only the standard library is imported at module
level, so the Rasa environment's NLU components can use it too; lingua loads on the
first detection.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import TYPE_CHECKING

LANGUAGES: tuple[str, ...] = ("en", "fr", "es")

if TYPE_CHECKING:
    from lingua import LanguageDetector

DEFAULT_LANGUAGE = "en"
# Below this many letters lingua guesses close to randomly ("ok", "si").
MIN_LETTERS = 4
# Confidence under which the detection is not trusted and the fallback is used.
MIN_CONFIDENCE = 0.5

_detector: LanguageDetector | None = None
_lock = threading.Lock()


class UnknownLanguageError(ValueError):
    """A language code outside en/fr/es was given."""


def check_language(code: str) -> str:
    """Return ``code`` if it is one of :data:`LANGUAGES`, else raise a clear error."""
    if code not in LANGUAGES:
        raise UnknownLanguageError(
            f"unsupported language {code!r}: use one of {', '.join(LANGUAGES)}"
        )
    return code


def fold(text: str) -> str:
    """Case-folded and without accents: "Économie" and "economie" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_words(text: str) -> str:
    """:func:`fold`, with punctuation as single spaces: "Montréal," -> "montreal"."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def _get_detector() -> LanguageDetector:
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                _detector = (
                    LanguageDetectorBuilder.from_languages(
                        Language.ENGLISH, Language.FRENCH, Language.SPANISH
                    )
                    .with_preloaded_language_models()
                    .build()
                )
    return _detector


def detect_scores(text: str) -> dict[str, float]:
    """Confidence per language code (sums to 1 when the text has letters)."""
    values = _get_detector().compute_language_confidence_values(text)
    return {v.language.iso_code_639_1.name.lower(): v.value for v in values}


def detect(text: str, hint: str | None = None, default: str = DEFAULT_LANGUAGE) -> str:
    """Language of ``text``: a valid hint wins; short or unclear text: ``default``."""
    if hint is not None:  # a hint as users type it: " ES " is Spanish
        return check_language(hint.strip().lower() if isinstance(hint, str) else hint)
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return default
    scores = detect_scores(text)
    if not scores:
        return default
    best, confidence = max(scores.items(), key=lambda item: item[1])
    return best if confidence >= MIN_CONFIDENCE else default


# Fewer words than this and a chat message says little of its language ("Ottawa",
# "oui merci", "150k"): the conversation keeps the language it has.
MIN_WORDS_TO_SWITCH = 3


def detect_switch(text: str) -> str | None:
    """The language of a chat message long enough to tell, else None (keep the
    conversation's language). Button payloads ("/affirm") say nothing either."""
    if not text or text.startswith("/"):
        return None
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    if len(words) < MIN_WORDS_TO_SWITCH:
        return None
    return detect(text, default="") or None


def turn_language(
    text: str,
    explicit: str | None = None,
    page: str | None = None,
    new_conversation: bool = False,
) -> str | None:
    """The conversation language for this chat turn, decided once, here; None keeps
    the conversation's language (Rasa's ``language`` slot, English at the start).

    Precedence, highest first:

    1. a request in the message itself ("en français s'il vous plaît"): Rasa's NLU
       reads it (intent ``change_language``) and it overrides what this returns
       (assistant/rasa_runtime/language.py);
    2. ``explicit``: the language the user picked in the widget's selector;
    3. the message's own language, when it is long enough to tell
       (:func:`detect_switch`: "c quoi l'entente", "fecha de cierre?");
    4. ``page``, the host page's language, on a conversation's first turn: the prior
       when detection is unsure ("Ottawa", "ok");
    5. otherwise None: the conversation keeps its language.

    The web app calls this (assistant/web/api/chat.py) and sends the result to Rasa
    as the message's metadata; the actions only read the slot (actions/language.py).
    """
    chosen = language_code(explicit)
    if chosen:
        return chosen
    detected = detect_switch(text)
    if detected in LANGUAGES:
        return detected
    return language_code(page) if new_conversation else None


def language_code(value: object) -> str | None:
    """ "fr", "FR", "fr-CA" -> "fr"; None if not one of ours."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None
