"""Language detection: hints win, short text falls back, en/fr/es are told apart."""

from __future__ import annotations

import pytest

from knowledge.language import UnknownLanguageError, detect, detect_switch


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("When is the deadline for the application?", "en"),
        ("Quelle est la date limite pour déposer la candidature ?", "fr"),
        ("¿Cuál es la fecha límite para enviar la solicitud?", "es"),
        ("Qui peut postuler à cet appel ?", "fr"),
        ("Quién puede participar en el programa", "es"),
    ],
)
def test_detects_the_language_of_a_question(text: str, lang: str) -> None:
    assert detect(text) == lang


def test_a_valid_hint_wins_over_detection() -> None:
    assert detect("When is the deadline?", hint="fr") == "fr"
    assert detect("When is the deadline?", hint=" ES ") == "es"


def test_an_unknown_language_code_is_a_clear_error() -> None:
    with pytest.raises(UnknownLanguageError, match="unsupported language 'de'"):
        detect("Wann ist die Frist?", hint="de")


@pytest.mark.parametrize("text", ["ok", "?", "12", "  "])
def test_too_short_text_falls_back_to_the_default(text: str) -> None:
    assert detect(text) == "en"
    assert detect(text, default="es") == "es"


def test_a_chat_message_long_enough_switches_the_conversation_language() -> None:
    assert detect_switch("quelle est la date limite pour postuler") == "fr"
    assert detect_switch("¿cuándo cierra la convocatoria?") == "es"


@pytest.mark.parametrize("text", ["ok", "150k", "Ottawa", "oui merci", "/affirm", ""])
def test_a_short_chat_message_keeps_the_conversation_language(text: str) -> None:
    assert detect_switch(text) is None


# --- the turn's language (precedence in knowledge.language.turn_language) ------------


def test_short_french_or_spanish_question_beats_the_page_language() -> None:
    from knowledge.language import turn_language

    assert turn_language("c quoi l'entente", page="en", new_conversation=True) == "fr"
    assert turn_language("fecha de cierre?", page="en", new_conversation=True) == "es"


def test_explicit_pick_wins_and_the_page_is_the_prior_when_unsure() -> None:
    from knowledge.language import turn_language

    assert turn_language("fecha de cierre?", explicit="fr") == "fr"
    # "Ottawa" says nothing: the page's language on the first turn, else keep.
    assert turn_language("Ottawa", page="fr-CA", new_conversation=True) == "fr"
    assert turn_language("Ottawa", page="fr", new_conversation=False) is None
    assert turn_language("ok", page="de", new_conversation=True) is None


def test_a_short_first_message_in_one_languages_words_sets_the_language() -> None:
    from knowledge.language import turn_language

    # Two words: too few for lingua, but "candidater" and "fecha" are one language's.
    assert turn_language("comment candidater", new_conversation=True) == "fr"
    assert turn_language("comment candidater", page="en", new_conversation=True) == "fr"
    assert turn_language("fecha cierre", page="fr", new_conversation=True) == "es"
    assert turn_language("hola", page="en", new_conversation=True) == "es"
    # Later in a conversation a short answer keeps its language.
    assert turn_language("comment candidater", page="en") is None
    # Places and shared words are no evidence: the page decides.
    assert turn_language("Guadalajara", page="fr", new_conversation=True) == "fr"
    assert turn_language("Laval", page="es", new_conversation=True) == "es"
    assert turn_language("/affirm", page="fr", new_conversation=True) == "fr"


def test_the_vocabulary_keeps_one_languages_words_and_leaves_names_out() -> None:
    from knowledge.language import build_vocabulary, vocabulary_language

    texts = [
        ("en", "How do we apply to the call with Hamburg?"),
        ("fr", "Comment candidater à l'appel avec Hambourg ?"),
        ("es", "¿Cómo postular a la convocatoria con Hamburgo? Hamburgo sí"),
        ("en", "The call: is Hamburg paired? Any comment?"),
    ]
    vocabulary = build_vocabulary(iter(texts))
    assert vocabulary["candidater"] == "fr"
    assert vocabulary["convocatoria"] == "es"
    # Capitalised mid-sentence: a name, whatever the language.
    assert "hamburg" not in vocabulary and "hamburgo" not in vocabulary
    # In two languages' texts: no evidence.
    assert "comment" not in vocabulary
    assert vocabulary_language("comment candidater", vocabulary) == "fr"
    # Two languages' words in one message: unsure.
    assert vocabulary_language("candidater convocatoria", vocabulary) is None
    assert vocabulary_language("ok", vocabulary) is None


def test_one_mixed_language_question_does_not_take_a_word_from_its_language() -> None:
    from knowledge.language import build_vocabulary

    spanish = [
        ("es", f"Hola, pregunta número {n} sobre la convocatoria") for n in range(30)
    ]
    mixed = [("en", "Hola, soy de Monterrey but writing in English: is Mexico in?")]
    assert build_vocabulary(iter(spanish + mixed))["hola"] == "es"
    # Used by two languages alike: no evidence.
    even = [("en", "hola from Texas")] * 5 + [("es", "hola desde Texas")] * 5
    assert "hola" not in build_vocabulary(iter(even))


def test_place_names_do_not_outvote_a_sentences_own_words() -> None:
    from knowledge.language import detect_switch

    # lingua reads Spanish place names as Spanish (51 %): the French words decide.
    assert detect_switch("Guadalajara au Mexique est-elle admissible ?") == "fr"
    assert detect_switch("Can Puebla in Mexico take part?") == "en"
    assert detect_switch("¿Puede participar Montréal, Québec?") == "es"
