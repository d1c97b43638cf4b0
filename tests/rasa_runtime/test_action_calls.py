"""What Rasa sends the action server, checked inside the real Rasa environment."""

from __future__ import annotations

import pytest

from assistant.launch import RASA_PYTHON
from tests.rasa_python import run_in_rasa

pytestmark = pytest.mark.skipif(
    not RASA_PYTHON.exists(), reason="the Rasa environment is not set up"
)

# Runs in .venv-rasa: the action call's body for a conversation of two turns (the
# second one under way) and for a session with no user message yet.
PROBE = """
import json
from assistant.rasa_runtime import action_calls
action_calls.send_this_turns_events()
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

domain = Domain.load("domain")
start = [ActionExecuted("action_session_start"), SessionStarted(),
         ActionExecuted("action_listen")]
first = [UserUttered("Is Ottawa eligible?", {"name": "check_eligibility"}),
         SlotSet("city", "Ottawa"), ActionExecuted("action_answer_question"),
         BotUttered("...", {"buttons": [{"title": "Ottawa", "payload": "/x"}]}),
         ActionExecuted("action_listen")]
second = [UserUttered("Springfield", {"name": "inform"}), SlotSet("language", "fr"),
          BotUttered("Which one?", {"buttons": [{"title": "A", "payload": "/a"}]})]
action = RemoteAction("action_ask_eligibility_city", EndpointConfig("http://x"))
report = {}
for name, events in (("turn", start + first + second), ("no user yet", start)):
    tracker = DialogueStateTracker.from_events("t", events, domain.slots)
    body = action._action_call_format(tracker, domain)
    state = body["tracker"]
    report[name] = {
        "events": [e["event"] for e in state["events"]],
        "text": (state["latest_message"] or {}).get("text"),
        "slots": {k: state["slots"].get(k) for k in ("city", "language")},
        "domain": "domain" in body,
    }
print(json.dumps(report))
"""


def test_an_action_call_carries_this_turns_events_and_the_whole_state() -> None:
    report = run_in_rasa(PROBE)
    turn = report["turn"]
    # From the latest user message on: what "were choices shown this turn?" and
    # rasa-sdk's slots_to_validate walk back through.
    assert turn["events"] == ["user", "slot", "bot"]
    # The state still comes from the whole conversation: a slot set in the first
    # turn, the latest message; the domain goes as before (send_the_domain_once
    # trims it separately).
    assert turn["slots"] == {"city": "Ottawa", "language": "fr"}
    assert turn["text"] == "Springfield"
    assert turn["domain"] is True
    # Before any user message a session's events all go (action_session_start).
    assert report["no user yet"]["events"] == ["action", "session_started", "action"]
