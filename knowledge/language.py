"""The assistant's languages: the set, codes, text folding, detection (lingua) and the
conversation language of each chat turn (:func:`turn_language`, its precedence).

The one place these are defined. Only the standard library is imported at module
level, so the Rasa environment's NLU components can use it too; lingua loads on the
first detection.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


# The words of a follow-up that names only a place, folded: "and Laval?", "et Laval
# ?", "¿y Laval?", "what about Gatineau?", "qu'en est-il de Laval ?", "¿y qué tal
# Laval?". Shared by the place matcher (the name is then a place) and the actions
# (the previous question is asked of it).
_FOLLOW_UP_WORDS = frozenset(
    {
        "and", "what", "about", "how", "also", "same", "for", "of", "then",
        "et", "pour", "quoi", "qu", "en", "est", "il", "de", "du", "aussi", "alors",
        "y", "que", "tal", "para", "del", "tambien", "sobre", "con", "pues",
    }
)  # fmt: skip


# The words between two places listed together, folded: "Montréal et Laval",
# "Monterrey y Guadalupe", "Toronto or Ottawa". Shared by the place matcher (a name
# so listed with a city is a city) and the actions (cities asked about together).
LISTING_WORDS = frozenset({"and", "et", "y", "e", "or", "ou", "o"})


def follow_up_words(words: list[str]) -> bool:
    """Whether folded ``words`` (the message around a place it names) are all a
    follow-up's: "and", "what about", "et pour". None at all is not one."""
    return bool(words) and all(word in _FOLLOW_UP_WORDS for word in words)


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
# Below this confidence lingua yields to the words of one language's knowledge-base
# texts (vocabulary_language). Chosen on the NLU's 3,860 examples of three words or
# more (data/nlu): wrong languages 47 at 0.5 (lingua alone), 34 at 0.8, 33 at 0.9;
# on the dev sets' 1,985 questions 22 -> 14.
SURE_CONFIDENCE = 0.9


def detect_switch(text: str) -> str | None:
    """The language of a chat message long enough to tell, else None (keep the
    conversation's language). Button payloads ("/affirm") say nothing either."""
    if not text or text.startswith("/"):
        return None
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    if len(words) < MIN_WORDS_TO_SWITCH:
        return None
    scores = (
        detect_scores(text) if sum(ch.isalpha() for ch in text) >= MIN_LETTERS else {}
    )
    best, confidence = max(scores.items(), key=lambda item: item[1], default=("", 0.0))
    if confidence >= SURE_CONFIDENCE:
        return best
    # Places pull lingua their way ("Guadalajara au Mexique est-elle admissible ?" is
    # 51 % Spanish to it); words only one language's texts use do not.
    return vocabulary_language(text) or (best if confidence >= MIN_CONFIDENCE else None)


# The knowledge base's own texts (FAQ questions and answers, user questions, off-topic
# questions), read for the words only one language uses ("candidater", "fecha").
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
# Shorter words ("ok", "si", "de") are shared or noise.
MIN_EVIDENCE_LETTERS = 3
# A word used by one language this often or more is that language's. Chosen on the
# NLU's 689 examples of one or two words (data/nlu): right / wrong / unsure 356 / 13 /
# 320 at 0.66, 334 / 13 / 342 at 0.95, 319 / 12 / 358 when only one language may use it.
ONE_LANGUAGE_SHARE = 0.66
_WORD = re.compile(r"[^\W\d_]+")
# A capitalised word after a word or a comma: a name ("Guadalajara", "Hamburgo"), which
# says where a place is, not which language the writer speaks.
_NAME = re.compile(r"(?<=[\w,;:] )[A-ZÀ-Ý][\w'-]*")
_LOWER = re.compile(r"(?<![\w'-])[a-zà-ÿ][\w'-]*")

_vocabulary: dict[str, str] | None = None


def _corpus_texts(corpus_dir: Path) -> Iterator[tuple[str, str]]:
    """(language, text) of every text under a language key of the corpus's YAML
    files (faq/*.yml, negatives.yml) and of user_questions.jsonl."""
    import yaml  # lazily: the Rasa environment imports this module for LANGUAGES

    def walk(node: Any, lang: str | None) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, key if key in LANGUAGES else lang)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value, lang)
        elif isinstance(node, str) and lang:
            yield lang, node

    for path in sorted(corpus_dir.rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        yield from walk(yaml.load(text, Loader=_yaml_loader()), None)
    questions = corpus_dir / "user_questions.jsonl"
    if questions.exists():
        for line in questions.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if row.get("lang") in LANGUAGES and isinstance(row.get("text"), str):
                yield row["lang"], row["text"]


def _yaml_loader() -> Any:
    import yaml

    # libyaml's loader when built in: a fifth of the pure-Python loader's time.
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def build_vocabulary(texts: Iterator[tuple[str, str]]) -> dict[str, str]:
    """Folded word -> the one language whose texts use it; names left out (a word
    written capitalised mid-sentence more than half as often as in lower case). A
    mixed-language question ("Hola, soy de Monterrey but writing in English") lends
    "hola" to English once: a word counts for the language of at least
    ``ONE_LANGUAGE_SHARE`` of its uses."""
    languages: dict[str, Counter[str]] = {}
    capitalised: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for lang, text in texts:
        for word in _WORD.findall(fold(text)):
            if len(word) >= MIN_EVIDENCE_LETTERS:
                languages.setdefault(word, Counter())[lang] += 1
        capitalised.update(
            w for m in _NAME.findall(text) for w in _WORD.findall(fold(m))
        )
        lower.update(w for m in _LOWER.findall(text) for w in _WORD.findall(fold(m)))
    vocabulary = {}
    for word, uses in languages.items():
        lang, count = uses.most_common(1)[0]
        share = count / sum(uses.values())
        if share >= ONE_LANGUAGE_SHARE and 2 * capitalised[word] <= lower[word]:
            vocabulary[word] = lang
    return vocabulary


def _get_vocabulary() -> dict[str, str]:
    global _vocabulary
    if _vocabulary is None:
        with _lock:
            if _vocabulary is None:
                _vocabulary = build_vocabulary(_corpus_texts(CORPUS_DIR))
    return _vocabulary


def vocabulary_language(
    text: str, vocabulary: dict[str, str] | None = None
) -> str | None:
    """The language of a short message from its words: the one language whose
    knowledge-base texts alone use some of them ("comment candidater": French), None
    when no word is one language's or two languages' words meet ("Ottawa", "ok")."""
    words = vocabulary if vocabulary is not None else _get_vocabulary()
    found = {words[w] for w in _WORD.findall(fold(text)) if w in words}
    return found.pop() if len(found) == 1 else None


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
       (:func:`detect_switch`: "c quoi l'entente", "fecha de cierre?"; where lingua
       is unsure, the words of one language's knowledge-base texts decide);
    4. on a conversation's first turn, the words of a message too short or unclear
       for that, when they belong to one language's knowledge-base texts
       (:func:`vocabulary_language`: "comment candidater", "hola"): lingua guesses
       on two words (of the 77 questions of one or two words in knowledge/eval's
       calibration and dev sets, these words name the right language for 65, a wrong
       one for none, and leave 12 to the page). Later turns keep the language:
       "oui", "gracias" or "Laval" answer a question there;
    5. ``page``, the host page's language, on a conversation's first turn: the prior
       when detection is unsure ("Ottawa", "ok");
    6. otherwise None: the conversation keeps its language.

    The web app calls this (assistant/web/api/chat.py) and sends the result to Rasa
    as the message's metadata; the actions only read the slot (actions/language.py).
    """
    chosen = language_code(explicit)
    if chosen:
        return chosen
    detected = detect_switch(text)
    if detected in LANGUAGES:
        return detected
    if not new_conversation:
        return None
    if not text.startswith("/"):
        detected = vocabulary_language(text)
    return detected or language_code(page)


def language_code(value: object) -> str | None:
    """ "fr", "FR", "fr-CA" -> "fr"; None if not one of ours."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def one_edit(a: str, b: str) -> bool:
    """Levenshtein distance 1, or two neighbours swapped: a typo in a place name
    ("Monterey", "Otawa"). Pure Python, for both runtimes (the NLU's place matcher
    and the gazetteer)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]
