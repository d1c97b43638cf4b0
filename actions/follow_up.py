"""A follow-up that names only another city: "and Laval?", "et Laval ?", "¿y
Laval?", "what about Gatineau?".

It asks the previous question of another city, so the same kind of answer follows:
after "Is Ottawa paired with a French city?", Gatineau's pairing; after a self-check
("Can Quebec City apply?" and its verdict), Laval's self-check. The action server sees
only the current turn's events (assistant/rasa_runtime/action_calls.py), so the last
question that named one city and got its answer is kept in a slot; a self-check
forgets it (it is then the question). The place matcher names the city
(assistant/rasa_runtime/place_matching.py, rule 7); the words a follow-up may have
besides it are knowledge.language's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions import names
from actions.city_questions import city_spans_of
from actions.slots import typed_text
from knowledge.language import fold_words, follow_up_words

Span = tuple[int, int]


@dataclass(frozen=True)
class FollowUp:
    """The earlier question asked of the city named, with where that city is in it;
    ``question`` None: the earlier question was the self-check. ``entry``: the
    entry that answered the earlier question (a country's list of pairs: the new
    city's country's list answers, actions/city_pairs.py)."""

    question: str | None
    spans: list[Span]
    entry: str | None = None


def names_only_a_city(text: str, spans: list[Span]) -> bool:
    """One city, and around it nothing but a follow-up's words (or nothing)."""
    if len(spans) != 1:
        return False
    start, end = spans[0]
    rest = fold_words(text[:start] + " " + text[end:]).split()
    return not rest or follow_up_words(rest)


def follow_up(tracker: Tracker) -> FollowUp | None:
    """What a follow-up naming only a city asks; None for any other message, in a
    form (the form reads it), or when nothing was asked before."""
    text = typed_text(tracker)
    spans = city_spans_of(tracker.latest_message)
    if tracker.active_loop_name or not names_only_a_city(text, spans):
        return None
    start, end = spans[0]
    city = text[start:end]
    earlier = tracker.get_slot(names.SLOT_CITY_QUESTION)
    if _remembered(earlier):
        before, after = earlier["start"], earlier["end"]
        asked = earlier["text"][:before] + city + earlier["text"][after:]
        entry = earlier.get("entry")
        spans = [(before, before + len(city))]
        return FollowUp(asked, spans, entry if isinstance(entry, str) else None)
    if tracker.get_slot(names.SLOT_VERDICT) or tracker.get_slot(names.SLOT_CITY_MATCH):
        return FollowUp(None, [])
    return None


def remember_question(
    tracker: Tracker,
    text: str,
    spans: list[Span] | None,
    handed_over: bool,
    entry: str | None = None,
) -> list[dict[str, Any]]:
    """The slot event keeping a question that named one city and got its answer
    (``spans``: where, when not the message's own; ``entry``: the answer's);
    forgetting it when the self-check takes over."""
    if tracker.active_loop_name:
        return []
    named = city_spans_of(tracker.latest_message) if spans is None else spans
    if handed_over or len(named) != 1 or not text:
        forget = tracker.get_slot(names.SLOT_CITY_QUESTION) is not None
        return (
            [SlotSet(names.SLOT_CITY_QUESTION, None)] if handed_over and forget else []
        )
    start, end = named[0]
    kept = {"text": text, "start": start, "end": end, "entry": entry}
    return [SlotSet(names.SLOT_CITY_QUESTION, kept)]


def _remembered(value: Any) -> bool:
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        return False
    start, end = value.get("start"), value.get("end")
    return (
        isinstance(start, int)
        and isinstance(end, int)
        and 0 <= start < end <= len(value["text"])
    )
