"""The visitor's own city, said in passing: "I'm from Tijuana", "soy de la Ciudad de
México", "je représente la ville de Laval".

A city named in a question ("is Guadalajara paired with a German city?") is the city
asked about; one named after "I'm from" is the asker's. The asker's is kept in its own
slot, so that a later "can we apply?" checks that city (with its confirmation) instead
of asking again which city it is (actions/verdict.py).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions import names
from knowledge.language import fold_words

# A lead-in names the asker's city only at the start of its clause ("can we apply? we
# are from Tijuana" has two): what precedes the city is cut at the last punctuation.
_CLAUSE_END = re.compile(r"[.?!,;:¿¡()]")
# "I'm interested in Toronto", "nous sommes jumelés avec Lyon": a city, not ours.
_NOT_OURS = (
    r"(?!(?: \w+){0,3}? (?:interest|ask|look|talk|think|curious|wonder|pair|twin|"
    r"partner|jumel|hermana|pregunt|busc|cherch|demand))"
)
_LEAD_IN = re.compile(
    # Greetings and fillers before it ("hola, soy de", "and we are from").
    r"^(?:(?:hi|hello|hey|bonjour|salut|hola|buenas|buenos dias|and|so|et|alors|y|"
    r"bueno|pues) )*"
    r"(?:"
    # I am / we are ... from / of / in: "I'm the mayor of", "je suis de", "soy de".
    r"(?:i m|i am|we re|we are|je suis|nous sommes|soy|somos)"
    + _NOT_OURS
    + r"(?: \w+){0,3}? (?:from|of|in|at|with|for|de|d|du|des|a|au|en|del|desde|para)"
    r"|(?:i|we) (?:come|live|work|am writing|m writing|are writing|am calling|"
    r"m calling|are calling|represent)(?: (?:from|in|at|for))?"
    r"|(?:j habite|nous habitons|je viens|nous venons|je travaille|nous travaillons|"
    r"je represente|nous representons|je vous ecris)(?: (?:de|d|du|a|au|en|pour))?"
    r"|(?:vengo|venimos|vivo|vivimos|trabajo|trabajamos|represento|representamos|"
    r"le escribo|les escribo|escribo)(?: (?:de|del|desde|en|para|a|al))?"
    r"|(?:my|our) (?:city|town|municipality|hometown|home town) is"
    r"|(?:ma|notre) (?:ville|commune|municipalite) est"
    r"|(?:mi|nuestra|nuestro) (?:ciudad|municipio) es"
    r"|on behalf of|de la part de|en nombre de"
    r"|(?:greetings|hello|hi|bonjour|hola|saludos) (?:from|de|desde)"
    r")"
    # "... the city of", "la ville de", "el municipio de".
    r"(?: (?:the|la|le|el|l|los|las))?"
    r"(?: (?:city|town|municipality|ville|commune|municipalite|ciudad|municipio|"
    r"alcaldia)(?: (?:of|de|d|del))?)?$"
)


def home_city(text: str, entities: list[dict[str, Any]]) -> str | None:
    """The city a message says the asker is from, or None."""
    for entity in entities:
        start = entity.get("start")
        if entity.get("entity") != names.ENTITY_CITY or not isinstance(start, int):
            continue
        clause = _CLAUSE_END.split(text[:start])[-1]
        if _LEAD_IN.search(fold_words(clause)) and entity.get("value"):
            return str(entity["value"])
    return None


def home_city_events(tracker: Tracker) -> list[dict[str, Any]]:
    """The slot event keeping the asker's city when the message says it."""
    text = tracker.latest_message.get("text") or ""
    found = home_city(text, tracker.latest_message.get("entities") or [])
    if found is None or found == tracker.get_slot(names.SLOT_HOME_CITY):
        return []
    return [SlotSet(names.SLOT_HOME_CITY, found)]
