"""What Rasa sends the action server, and how (run by ``.venv-rasa``).

Out of the box, Rasa 3.6 opens a new aiohttp session, so a new connection, for each
call to the action server, and sends with each call the whole domain and every event
since the session started. Here:

- one session per endpoint keeps its connections (``reuse_connections``);
- the domain goes to each action server once, then only its digest
  (``send_the_domain_once``);
- the tracker carries the events of the current turn only (``send_this_turns_events``).

This file runs in the Rasa environment and imports nothing from the project.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def install() -> None:
    reuse_connections()
    send_this_turns_events()
    send_the_domain_once()  # after: it adds the digest to the trimmed call


def reuse_connections() -> None:
    """One aiohttp session per endpoint (and event loop) instead of one per call."""
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import EndpointConfig

    new_session = EndpointConfig.session

    class Shared:
        """``async with`` that hands out the shared session and leaves it open."""

        def __init__(self, session: aiohttp.ClientSession) -> None:
            self.session = session

        async def __aenter__(self) -> aiohttp.ClientSession:
            return self.session

        async def __aexit__(self, *_: object) -> None:
            return None

    def session(self: EndpointConfig) -> Any:
        loop = asyncio.get_running_loop()
        kept = getattr(self, "_iuc_session", None)
        if kept is None or kept[0] is not loop or kept[1].closed:
            kept = (loop, new_session(self))
            self._iuc_session = kept  # kept with the endpoint, freed with it
        return Shared(kept[1])

    EndpointConfig.session = session


def this_turns_events(events: Iterable[Any]) -> list[Any]:
    """The events from the latest user message on (that message included); all of
    them while the session has no user message yet."""
    from rasa.shared.core.events import UserUttered

    listed = list(events)
    for index in range(len(listed) - 1, -1, -1):
        if isinstance(listed[index], UserUttered):
            return listed[index:]
    return listed


def send_this_turns_events() -> None:
    """Each action call carries the events of the current turn, not the session's.

    Rasa 3.6 puts every event since the session started (``EventVerbosity.ALL``)
    into each call, each user message with its whole parse (intent ranking,
    entities), and rasa-sdk parses it into a ``Tracker``: a call grows with the
    conversation, about 0.5-1 KB a turn. The project's actions and rasa-sdk's
    ``FormValidationAction`` read the slots, the latest message, the active loop
    and, walking back from the end, the events since the latest user message
    (``actions/questions.py``'s buttons shown this turn; rasa-sdk's
    ``slots_to_validate``).

    What an action may rely on: ``tracker.events`` holds the events from the
    latest user message on, that message included (every event of the session
    before its first user message); ``slots``, ``latest_message``,
    ``active_loop``, ``followup_action``, ``paused``, ``latest_action``,
    ``latest_action_name``, ``latest_input_channel`` and ``latest_event_time``
    are Rasa's own, computed from the whole conversation. Earlier turns' events
    are not sent: rasa-sdk's ``applied_events()``, ``get_last_event_for()`` and
    ``last_executed_action_has()`` look within the current turn only. An action
    that needs more reads a slot (tests/integration/test_dialogue_live.py runs
    the turns that read events through the real stack).
    """
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.trackers import EventVerbosity

    def action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Any:
        # Rasa's RemoteAction._action_call_format, events trimmed.
        state = tracker.current_state(EventVerbosity.NONE)
        events = this_turns_events(tracker.events)
        state["events"] = [event.as_dict() for event in events]
        body = {
            "next_action": self._name,
            "sender_id": tracker.sender_id,
            "tracker": state,
            "version": rasa.__version__,
        }
        if (
            not self._is_selective_domain_enabled()
            or domain.does_custom_action_explicitly_need_domain(self.name())
        ):
            body["domain"] = domain.as_dict()
        return body

    RemoteAction._action_call_format = action_call_format


def send_the_domain_once() -> None:
    """The domain goes to each action server once, then only its digest.

    Rasa 3.6 sends the whole domain (30 KB of JSON: every response in three
    languages) with every call to the action server, which serialises and parses it
    each time. The action server (rasa-sdk) keeps the last domain it got with its
    digest, and answers 449 to a call whose digest it does not hold: then the call is
    sent again with the domain (a restarted action server, another one at the URL).
    """
    import hashlib
    import json

    from rasa.core.actions.action import RemoteAction
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import ClientResponseError

    call_format = RemoteAction._action_call_format
    run = RemoteAction.run
    digests: dict[int, str] = {}  # id(domain) -> digest of its JSON
    held: dict[str, str] = {}  # action server URL -> digest of the domain it holds

    def action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Any:
        body = call_format(self, tracker, domain)
        if "domain" not in body or self.action_endpoint is None:
            return body
        digest = digests.get(id(domain))
        if digest is None:
            text = json.dumps(body["domain"], sort_keys=True).encode()
            digest = digests[id(domain)] = hashlib.sha256(text).hexdigest()
        body["domain_digest"] = digest
        if held.get(self.action_endpoint.url) == digest:
            del body["domain"]
        return body

    async def run_with_digest(self: RemoteAction, *args: Any) -> Any:
        url = self.action_endpoint.url if self.action_endpoint else ""
        try:
            events = await run(self, *args)
        except RasaException as error:
            cause = error.__cause__
            if not (isinstance(cause, ClientResponseError) and cause.status == 449):
                raise
            held.pop(url, None)  # it lacks the domain: send it along
            events = await run(self, *args)
        domain = args[-1]
        if id(domain) in digests:
            held[url] = digests[id(domain)]
        return events

    RemoteAction._action_call_format = action_call_format
    RemoteAction.run = run_with_digest
