"""What an action call's tracker costs as a conversation grows, whole or trimmed.

Starts Rasa and the action server on free ports, has one conversation of the chat
benchmark's questions through Rasa's REST channel, and after given numbers of turns
reads the conversation's events back. For each, it measures the tracker part of an
action call both ways, Rasa 3.6's (every event of the session) and the one
``assistant/rasa_runtime/action_calls.py`` sends (the current turn's): its size,
Rasa's side (the state and its JSON, in the Rasa environment) and the action
server's (parsing the JSON and rasa-sdk's ``Tracker.from_dict``), CPU per call.

    .venv/bin/python scripts/bench_action_call.py [--turns 7 50]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.bench_chat import QUESTIONS
from tests.live_stack import running_stack
from tests.rasa_python import run_in_rasa

# In .venv-rasa: the state Rasa builds for an action call and its JSON, both ways.
RASA_SIDE = """
import json, sys, time
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from assistant.rasa_runtime.action_calls import this_turns_events

domain = Domain.load("domain")
report = {}
for path in sys.argv[1:]:
    events = [Event.from_parameters(e) for e in json.load(open(path))["events"]]
    tracker = DialogueStateTracker.from_events("bench", events, domain.slots)

    def whole():
        return json.dumps(tracker.current_state(EventVerbosity.ALL))

    def trimmed():
        state = tracker.current_state(EventVerbosity.NONE)
        state["events"] = [e.as_dict() for e in this_turns_events(tracker.events)]
        return json.dumps(state)

    out = {}
    for name, build in (("whole", whole), ("trimmed", trimmed)):
        build()
        start = time.thread_time()
        for _ in range(200):
            text = build()
        out[name] = {"ms": (time.thread_time() - start) / 200 * 1000,
                     "bytes": len(text.encode()), "json": text}
    report[path] = out
print(json.dumps(report))
"""


def sdk_parse_ms(text: str, rounds: int = 200) -> float:
    """The action server's side: the request's JSON and rasa-sdk's Tracker."""
    from rasa_sdk import Tracker

    start = time.thread_time()
    for _ in range(rounds):
        Tracker.from_dict(json.loads(text))
    return (time.thread_time() - start) / rounds * 1000


def conversation_events(turns: list[int], workdir: Path) -> dict[int, Path]:
    saved: dict[int, Path] = {}
    with running_stack(workdir, ("rasa", "actions")) as stack:
        sender = f"bench-{uuid.uuid4().hex}"
        url = f"{stack.rasa_url}/webhooks/rest/webhook"
        for turn in range(1, max(turns) + 1):
            text, lang = QUESTIONS[(turn - 1) % len(QUESTIONS)]
            body = {"sender": sender, "message": text, "metadata": {"language": lang}}
            httpx.post(url, json=body, timeout=60).raise_for_status()
            if turn in turns:
                reply = httpx.get(
                    f"{stack.rasa_url}/conversations/{sender}/tracker",
                    params={"token": stack.rasa_token, "include_events": "ALL"},
                    timeout=60,
                )
                reply.raise_for_status()
                saved[turn] = workdir / f"tracker-{turn}.json"
                saved[turn].write_text(reply.text)
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, nargs="+", default=[7, 50])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        saved = conversation_events(args.turns, Path(tmp))
        report = run_in_rasa(RASA_SIDE, *(str(saved[t]) for t in args.turns))
        for turn in args.turns:
            events = len(json.loads(saved[turn].read_text())["events"])
            for way, row in report[str(saved[turn])].items():
                print(
                    f"turn {turn} ({events} events), {way}: "
                    f"{row['bytes'] / 1024:.1f} KB, Rasa {row['ms']:.2f} ms, "
                    f"action server {sdk_parse_ms(row['json']):.2f} ms"
                )


if __name__ == "__main__":
    main()
