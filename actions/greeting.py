"""A greeting, or the question that came with it.

"Bonjour, qui peut postuler ?" and "hola, soy de la Ciudad de México, ¿cuándo cierra
la convocatoria?" read as greetings to the NLU (their greeting words weigh most), and
the welcome alone left the question unanswered. A greeting with more than a greeting
in it is asked of the knowledge base like any question; the welcome is the reply
when the engine declines it ("hi, how are you?") or there is nothing else.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names
from actions.answers import answer
from actions.home_city import city_asked_about_events, hands_over, home_city_events
from actions.language import current_language
from actions.slots import typed_text
from knowledge.language import fold_words

# Greetings in our three languages (folded), with what may follow them ("hi there",
# "bonjour à tous", "hola a todos").
_GREETING = re.compile(
    r"^(?:(?:hi|hello|hey|greetings|good (?:morning|afternoon|evening|day)|"
    r"bonjour|bonsoir|salut|allo|coucou|hola|buen(?:os|as) (?:dias|tardes|noches)|"
    r"buenas|saludos)(?: (?:there|all|everyone|team|a tous|a toutes|"
    r"tout le monde|a todos|a todas))? ?)+"
)
# Fewer words than this after the greeting, and no question mark: nothing to answer.
_MIN_WORDS = 3


def beyond_the_greeting(text: str) -> bool:
    """Whether ``text`` says more than hello: a question or a few words more."""
    rest = _GREETING.sub("", fold_words(text), count=1).split()
    return ("?" in text and bool(rest)) or len(rest) >= _MIN_WORDS


class ActionGreet(Action):
    """The welcome, or the answer to the question that came with the greeting."""

    def name(self) -> str:
        return names.ACTION_GREET

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # "Hola, soy de la Ciudad de México, ...": the asker's city, kept.
        events = home_city_events(tracker)
        text = typed_text(tracker)
        if text and beyond_the_greeting(text):
            reply = await answer(dispatcher, tracker, text, current_language(tracker))
            if reply.declined is None:
                handed_over = hands_over(reply.events)
                kept = city_asked_about_events(tracker, events, handed_over)
                return events + kept + reply.events
        dispatcher.utter_message(response=names.UTTER_GREET)
        return events
