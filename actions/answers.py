"""Programme questions: one action answers them from the knowledge base.

Every message that is not confidently a dialogue move ends here (ask_programme, and
out_of_scope and nlu_fallback too): the engine's calibrated decision is the one veto.
When it declines a message the NLU had called out of scope or was unsure of, the
out-of-scope reply is given (the help for a request for help); a declined programme
question gets the contact instead.

A question that names a city is a self-check when a verdict answers it, whatever the
NLU called it (actions/city_questions.py): a self-check request passes here first
(data/rules/eligibility.yml), so "can we request Lyon as our partner?" and "Austin is
already paired: could it apply again?" get their answers, and "can Portland apply?"
asked as a programme question goes on to the self-check.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import names
from actions.city_pairs import PAIRS_BY_COUNTRY, with_own_pairs
from actions.city_questions import (
    PARTNER_ENTRIES,
    SELF_CHECK_ENTRIES,
    about_the_citys_pairing,
    asked_together,
    asks_for_a_verdict,
    best_entry,
    city_spans,
    city_spans_of,
    with_any_city,
)
from actions.follow_up import follow_up, remember_question
from actions.home_city import city_asked_about_events, hands_over, home_city_events
from actions.language import current_language, intent_name
from actions.replies import contact_kwargs, suggestion_buttons, utter_answer
from actions.slots import entity_value, typed_text
from actions.themes import parse_themes
from assistant.core.records.payload import knowledge_payload
from assistant.core.services import get_services
from knowledge.engine import question_parts
from knowledge.parsing import looks_like_a_question

logger = logging.getLogger(__name__)

# Answers one message gets at most: two questions in one message are common, more
# would flood the chat.
MAX_ANSWERS = 2
# Questions of one message asked of the engine one by one (to order the answers).
MAX_QUESTIONS = 3

# The entity that answers each place question of a form.
_ENTITY_BY_SLOT = {
    names.SLOT_CITY: names.ENTITY_CITY,
    names.SLOT_COUNTRY: names.ENTITY_COUNTRY,
    names.SLOT_POPULATION: names.ENTITY_POPULATION,
}


def answers_the_form(tracker: Tracker, domain: DomainDict) -> bool:
    """A form's answer that NLU took for a question ("housing", a motivation).

    The rules run this action before the form resumes; staying silent then avoids an
    answer to a question nobody asked. A real question ends with "?"; a message the
    NLU could not place is one by its first word too ("how much does it cost"),
    as the form reads it (actions/slots.py: unsure_question).
    """
    text = typed_text(tracker)
    if not text or not tracker.active_loop_name:
        return False
    requested = tracker.get_slot(names.REQUESTED_SLOT)
    if requested == names.SLOT_MOTIVATION:
        # A motivation reads like a question: only "?" makes it one.
        return not text.endswith("?")
    if looks_like_a_question(text):
        return False  # as the form reads it (slots.unsure_question, extract_city)
    if intent_name(tracker) in names.UNSURE_INTENTS:
        return True  # an answer the NLU could not place ("Tinyville")
    if requested == names.SLOT_THEMES:
        return bool(parse_themes(text, domain))
    entity = _ENTITY_BY_SLOT.get(requested or "")
    return entity is not None and entity_value(tracker, entity) is not None


Spans = list[tuple[int, int]] | None


def self_check() -> dict[str, Any]:
    """The event handing the turn to the self-check (data/rules/eligibility.yml)."""
    return FollowupAction(names.ACTION_RESET_ELIGIBILITY)


async def _answer_together(
    dispatcher: CollectingDispatcher,
    answerer: Any,
    tracker: Tracker,
    text: str,
    spans: Spans,
    lang: str,
) -> bool:
    """ "Can Montreal and Laval apply together?": the rule for several
    municipalities (asked as such), not one city's verdict nor Montréal's pairing;
    the same in the middle of a form and outside it, whatever the NLU called it.
    False when the message asks no such thing or the engine declines it."""
    named = city_spans_of(tracker.latest_message) if spans is None else spans
    if not asked_together(text, named):
        return False
    several = with_any_city(text, named, lang)
    result = await asyncio.to_thread(answerer.ask, several, lang=lang, k=3)
    if best_entry(result) is None:
        return False
    utter_answer(dispatcher, result, lang)
    return True


async def _asked_of_any_city(
    answerer: Any, result: Any, tracker: Tracker, text: str, lang: str, spans: Spans
) -> Any:
    """The engine's result for the question with its city put as "my city"
    (actions/city_questions.py); None when it names no city, or the city is the
    partner wanted ("could we be paired with Lyon?"). A partner entry that wins only
    by a hair (the engine offers "did you mean") does not say so: "je représente la
    ville de Lyon en France, l'appel est-il pour nous ?" matches choosing a partner
    and "I am a European city" alike, and wants a verdict. ``spans``: where ``text``
    names its city, when it is not the message's (a follow-up's question)."""
    spans = city_spans(tracker) if spans is None else spans
    if not spans:
        return None
    if best_entry(result) in PARTNER_ENTRIES and not result.suggestions:
        return None
    return await asyncio.to_thread(
        answerer.ask, with_any_city(text, spans, lang), lang=lang, k=3
    )


@dataclass(frozen=True)
class Reply:
    """What :func:`answer` did: its events, or the engine's result when it declined
    (nothing was said: the caller declines in its own way)."""

    events: list[dict[str, Any]]
    declined: Any | None = None


async def answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    text: str,
    lang: str,
    spans: Spans = None,
    earlier: str | None = None,
) -> Reply:
    """The answer to ``text`` with its source, or the self-check when a verdict
    answers it (a question naming a city). ``spans``: where ``text`` names its
    cities when it is not the message itself (a follow-up's question);
    ``earlier``: the entry that answered the question followed up."""
    try:
        answerer = await asyncio.to_thread(get_services().answerer)
        if await _answer_together(dispatcher, answerer, tracker, text, spans, lang):
            return Reply([])
        result = await asyncio.to_thread(answerer.ask, text, lang=lang, k=3)
        generic = await _asked_of_any_city(answerer, result, tracker, text, lang, spans)
        named = city_spans_of(tracker.latest_message) if spans is None else spans
        cities = [text[start:end] for start, end in named]
        own = await with_own_pairs(answerer, result, cities, earlier)
    except Exception:
        # A missing index or a broken model must not leave the user without reply.
        logger.exception("knowledge engine failed for %r", text)
        dispatcher.utter_message(
            response=names.UTTER_SERVICE_UNAVAILABLE, **contact_kwargs()
        )
        return Reply([])
    # "¿y Puebla?" after Ottawa's pairs: Mexico's pairs, not Puebla's self-check.
    pairs_again = own is not result and earlier in PAIRS_BY_COUNTRY.values()
    pairing = about_the_citys_pairing(result, generic) or pairs_again
    if asks_for_a_verdict(generic) and not pairing:
        # The self-check answers it with a verdict (data/rules/eligibility.yml).
        return Reply([self_check()])
    # "Gatineau est-elle jumelée avec une ville française ?": Canada's pairs, not
    # the US ones the engine matched (actions/city_pairs.py).
    result = own
    if result.answered and result.hits:
        answers = await _in_question_order(answerer, tracker, text, lang, result, spans)
        # No "did you mean" buttons in a form (the form's question follows the
        # answer, and it asks nothing after a message with buttons: questions.py),
        # nor between two answers.
        alone = len(answers) == 1 and not tracker.active_loop_name
        for each in answers:
            utter_answer(dispatcher, each, lang, suggestions=alone)
        return Reply([])
    return Reply([], declined=result)


async def _in_question_order(
    answerer: Any, tracker: Tracker, text: str, lang: str, first: Any, spans: Spans
) -> list[Any]:
    """ "How long is the commitment? When is the deadline?": the message's answer
    (``first``) and the answers of its other questions that find another entry, up
    to MAX_ANSWERS, in the order of the questions (the message's answer is the one
    its last question finds, and had come first). Only ``first`` for a message
    naming a city (its parts are the city's questions, for the self-check) or a
    follow-up's question."""
    parts = question_parts(text)[:MAX_QUESTIONS]
    if len(parts) < 2 or spans or city_spans(tracker):
        return [first]
    own = best_entry(first)
    given = {own}
    first_at = -1  # before the others unless a question finds it
    others: list[tuple[int, Any]] = []
    for index, part in enumerate(parts):
        try:
            result = await asyncio.to_thread(answerer.ask, part, lang=lang, k=3)
        except Exception:  # the message's own answer still goes out
            logger.exception("knowledge engine failed for %r", part)
            break
        entry = best_entry(result)
        if entry == own and first_at < 0:
            first_at = index
        elif entry is not None and entry not in given:
            given.add(entry)
            others.append((index, result))
    kept = [(first_at, first), *others[: MAX_ANSWERS - 1]]
    return [result for _, result in sorted(kept, key=lambda pair: pair[0])]


class ActionAnswerQuestion(Action):
    """Answer from the knowledge base with its source, or decline with the contact."""

    def name(self) -> str:
        return names.ACTION_ANSWER_QUESTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # "I'm from Tijuana, when is the deadline?": the asker's city, kept; a city
        # only asked about is not kept once answered.
        events = home_city_events(tracker)
        checks = intent_name(tracker) == names.INTENT_CHECK_ELIGIBILITY
        text, spans = typed_text(tracker), None
        # "and Laval?" after "Is Ottawa paired with ...?": that question, of Laval;
        # after a self-check, Laval's (the rule goes on to it after a request).
        asked = follow_up(tracker)
        if asked is not None and asked.question is None:
            return events if checks else [*events, self_check()]
        earlier = None
        if asked is not None and asked.question is not None:
            text, spans, earlier = asked.question, asked.spans, asked.entry
        reply = await self._reply(dispatcher, tracker, domain, text, spans, earlier)
        # A self-check request that got no answer goes on to the self-check (rule).
        handed_over = (checks and not reply) or hands_over(reply)
        return (
            events
            + city_asked_about_events(tracker, events, handed_over)
            + remember_question(
                tracker, text, spans, handed_over, _first_answer(dispatcher)
            )
            + reply
        )

    async def _reply(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        text: str,
        spans: Spans,
        earlier: str | None = None,
    ) -> list[dict[str, Any]]:
        lang = current_language(tracker)
        intent = intent_name(tracker) or ""
        if (
            intent == names.INTENT_CHECK_ELIGIBILITY
            and earlier in PAIRS_BY_COUNTRY.values()
        ):
            # "and Puebla?" after Ottawa's pairs, read as a self-check request: the
            # pairing question asked again of Puebla; the self-check if none.
            reply = await answer(dispatcher, tracker, text, lang, spans, earlier)
            if reply.declined is not None or reply.events:
                return reply.events
            return [FollowupAction(names.RASA_ACTION_LISTEN)]
        if intent == names.INTENT_CHECK_ELIGIBILITY:
            return await self._self_check_request(
                dispatcher, tracker, lang, text, spans
            )
        unsure = names.DECLINE_BY_INTENT.get(intent)
        if answers_the_form(tracker, domain):
            return []
        if not text:
            self._decline(dispatcher, unsure=unsure)
            return []
        reply = await answer(dispatcher, tracker, text, lang, spans, earlier)
        if reply.declined is None:
            return reply.events
        result = reply.declined
        buttons = [] if unsure else suggestion_buttons(result.suggestions, None)
        self._decline(
            dispatcher, buttons, unsure=unsure, turn=knowledge_payload(result)
        )
        return []

    @staticmethod
    async def _self_check_request(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        lang: str,
        text: str,
        spans: Spans,
    ) -> list[dict[str, Any]]:
        """A self-check request naming a city that a verdict would not answer ("can
        we request Lyon as our partner?", "Austin is already paired: can it apply
        again?", "can Tijuana and Mexicali apply together?") gets its answer;
        otherwise nothing, and the rule goes on to the self-check."""
        named = city_spans_of(tracker.latest_message) if spans is None else spans
        if not text or not named:
            return []  # no engine call: "is my city eligible?", a button
        listen = [FollowupAction(names.RASA_ACTION_LISTEN)]
        try:
            answerer = await asyncio.to_thread(get_services().answerer)
            if await _answer_together(dispatcher, answerer, tracker, text, spans, lang):
                return listen
            if spans is None and not city_spans(tracker):
                return []  # a city named in a form: the form's answer
            result = await asyncio.to_thread(answerer.ask, text, lang=lang, k=3)
            asked = await _asked_of_any_city(
                answerer, result, tracker, text, lang, spans
            )
            generic = asked or result  # None: the partner wanted, answered as asked
        except Exception:  # the self-check goes on
            logger.exception("knowledge engine failed for %r", text)
            return []
        if best_entry(generic) is None or asks_for_a_verdict(generic):
            return []
        # The entry found for the question as asked, unless it declined or found one
        # about a verdict: then the one found for "my city".
        as_asked = best_entry(result)
        keep = as_asked is not None and as_asked not in SELF_CHECK_ENTRIES
        utter_answer(dispatcher, result if keep else generic, lang)
        return listen

    @staticmethod
    def _decline(
        dispatcher: CollectingDispatcher,
        buttons: list[dict[str, str]] | None = None,
        unsure: str | None = None,
        turn: dict[str, Any] | None = None,
    ) -> None:
        # Both responses carry custom {"fallback": true} for the web gateway; a json
        # message replaces a response's custom, so the turn's record repeats it.
        custom = {"fallback": True, "turn": turn} if turn else None
        if unsure:  # the intent's own reply: out of scope, or the help
            dispatcher.utter_message(response=unsure, json_message=custom)
        else:
            dispatcher.utter_message(
                response=names.UTTER_ANSWER_FALLBACK,
                json_message=custom,
                **contact_kwargs(),
            )
        if buttons:
            dispatcher.utter_message(response=names.UTTER_DID_YOU_MEAN, buttons=buttons)


def _first_answer(dispatcher: CollectingDispatcher) -> str | None:
    """The entry of the first answer given this turn (utter_answer's answer_id)."""
    for message in dispatcher.messages:
        entry = (message.get("custom") or {}).get("answer_id")
        if isinstance(entry, str):
            return entry
    return None


class ActionContactHuman(Action):
    """Give the programme contact (read from the call facts, never typed twice)."""

    def name(self) -> str:
        return names.ACTION_CONTACT_HUMAN

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        kwargs = contact_kwargs()
        # {"handoff"}: the widget offers to leave a message (POST /api/handoff).
        dispatcher.utter_message(
            response=names.UTTER_CONTACT, json_message={"handoff": True}, **kwargs
        )
        return []
