"""The visitor's own city, said in passing: "I'm from Tijuana", "soy de la Ciudad de
México", "je représente la ville de Laval".

A city named in a question ("is Guadalajara paired with a German city?") is the city
asked about; one named after "I'm from" is the asker's. The asker's is kept in its own
slot, so that a later "can we apply?" checks that city (with its confirmation) instead
of asking again which city it is (actions/verdict.py), and a city only asked about
does not stay in the city slot, where a draft started next would take it.
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


def city_asked_about_events(
    tracker: Tracker, home_events: list[dict[str, Any]], handed_over: bool
) -> list[dict[str, Any]]:
    """The city slot back to the asker's own city (or to none) after a programme
    question naming another city got its answer: "is Guadalajara paired with a
    German city?" then "I want to start an application" asked "In which country is
    Guadalajara?" of a visitor from Tijuana. Not when the self-check follows
    (``handed_over``: "can Guadalajara apply?") or a form is active."""
    named = tracker.latest_message.get("entities") or []
    if handed_over or tracker.active_loop_name:
        return []
    if not any(e.get("entity") == names.ENTITY_CITY for e in named):
        return []
    said = [e["value"] for e in home_events if e.get("name") == names.SLOT_HOME_CITY]
    home = said[0] if said else tracker.get_slot(names.SLOT_HOME_CITY)
    if tracker.get_slot(names.SLOT_CITY) == home:
        return []
    return [SlotSet(names.SLOT_CITY, home)]


def hands_over(events: list[dict[str, Any]]) -> bool:
    """Whether a reply's events start the self-check (a follow-up reset)."""
    return any(
        e.get("event") == "followup" and e.get("name") == names.ACTION_RESET_ELIGIBILITY
        for e in events
    )
