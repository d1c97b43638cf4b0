"""Rasa's repeated per-turn work skipped or done once
(assistant/rasa_runtime/repeated_work.py), checked inside the real Rasa environment
on the trained model: the same replies, the same stored conversation and the same
rules as Rasa's own."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rasa_python import MODEL, needs_rasa_model, run_in_rasa

pytestmark = needs_rasa_model

# Runs in .venv-rasa: three conversations (questions, both forms, chitchat) through
# Rasa's processor against a stand-in action server, first with Rasa's own code, then
# with the patches; the replies and every event each conversation ends with must be
# the same. Tracker copies are counted.
CONVERSATIONS = """
import asyncio, json, runpy, sys
from aiohttp import web
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

CONVERSATIONS = [
    ["When is the deadline?", "Is Laval eligible?", "Quelle est la date limite ?",
     "hello", "tell me a joke", "¿Puede participar Monterrey?"],
    ["Is my city eligible?", "Springfield", "yes", "100000", "When is the deadline?"],
    ["I want to apply", "Laval", "stop", "thanks"],
]
copies = 0
rasa_copy = DialogueStateTracker.copy

def counted_copy(self):
    global copies
    copies += 1
    return rasa_copy(self)

DialogueStateTracker.copy = counted_copy

async def webhook(request):
    name = (await request.json())["next_action"]
    return web.json_response({"events": [], "responses": [{"text": f"ran {name}"}]})

def without_time(event):
    data = event.as_dict()
    data.pop("timestamp", None)
    return data

async def talk(agent, run):
    global copies
    copies = 0
    seen = []
    for n, messages in enumerate(CONVERSATIONS):
        sender, replies = f"{run}-{n}", []
        for i, text in enumerate(messages):
            out = CollectingOutputChannel()
            message = UserMessage(text, out, sender, message_id=f"{n}-{i}")
            await agent.handle_message(message)
            replies.append([m.get("text") for m in out.messages])
        tracker = await agent.tracker_store.retrieve(sender)
        seen.append({"replies": replies,
                     "events": [without_time(e) for e in tracker.events]})
    return seen, copies

async def main():
    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    agent = Agent.load(
        sys.argv[1],
        action_endpoint=EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
    rasa, rasa_copies = await talk(agent, "rasa")
    runpy.run_path("assistant/rasa_runtime/server.py")["install_sibling"]("repeated_work")
    ours, our_copies = await talk(agent, "ours")
    await runner.cleanup()
    events = [e for conversation in rasa for e in conversation["events"]]
    print(json.dumps({
        "same": rasa == ours, "rasa_copies": rasa_copies, "our_copies": our_copies,
        "forms": sorted({e["name"] for e in events
                         if e["event"] == "active_loop" and e.get("name")}),
        "first_replies": rasa[0]["replies"][0],
    }))

asyncio.run(main())
"""


def test_conversations_end_the_same_with_fewer_tracker_copies() -> None:
    report = run_in_rasa(CONVERSATIONS, str(MODEL))
    # Both forms ran: their actions still get the copy they may change.
    assert report["forms"] == ["application_form", "eligibility_form"], report
    assert report["first_replies"][0] == "ran action_answer_question", report
    assert report["same"], report
    # The question's turn: the custom action and action_listen get no copy.
    assert report["our_copies"] < report["rasa_copies"], report


# Runs in .venv-rasa: every story, rule and conversation test grown one event at a
# time; at each step the rules RulePolicy finds applicable (both of its lookups, with
# the intent and with the text) must be Rasa's own. Then the values of the debug log
# calls: copied when the processor's logger logs debug messages, else not.
RULES = """
import json, runpy, sys
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import (
    RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy)
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data import loading
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.shared.importers.importer import TrainingDataImporter

agent = Agent.load(sys.argv[1])
policy = next(
    node._component
    for node in agent.processor.graph_runner._instantiated_nodes.values()
    if isinstance(getattr(node, "_component", None), RulePolicy))
domain = agent.domain
importer = TrainingDataImporter.load_from_dict(
    domain_path="domain", training_data_paths=["data"])
trackers = []
for graph in (
    importer.get_stories(),
    StoryGraph(loading.load_data_from_resource("tests/conversations", domain)),
):
    trackers += TrainingDataGenerator(
        graph, domain, augmentation_factor=0, remove_duplicates=False).generate()
rule_only = policy._get_rule_only_data()
cases = [[]]
for story in trackers:
    grown = DialogueStateTracker(
        story.sender_id, domain.slots, is_rule_tracker=story.is_rule_tracker)
    for event in story.events:
        grown.update(event, domain)
        for text in (False, True):
            cases.append(policy._prediction_states(
                grown, domain, text, rule_only_data=rule_only))
lookups = [policy.lookup[RULES], policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH]]

def applicable():
    return [sorted(policy._get_possible_keys(lookup, states))
            for states in cases for lookup in lookups]

rasa = applicable()
runpy.run_path("assistant/rasa_runtime/server.py")["install_sibling"]("repeated_work")
ours = applicable()
# The debug log values: copies when the processor logs debug messages, else none.
import logging
import rasa.core.processor as processor
events = [{"event": "action"}]
logger = logging.getLogger(processor.__name__)
logger.setLevel(logging.INFO)
quiet = processor.copy.deepcopy(events) is events
logger.setLevel(logging.DEBUG)
logged = processor.copy.deepcopy(events)
print(json.dumps({
    "debug_copies": logged == events and logged is not events,
    "quiet_copies": not quiet,
    "checked": len(rasa), "found": sum(bool(keys) for keys in rasa),
    "unhappy_found": sum(bool(keys) for keys in rasa[1::2]),
    "mismatches": sum(a != b for a, b in zip(rasa, ours)),
}))
"""


@pytest.fixture(scope="module")
def rules_report() -> dict[str, Any]:
    report: dict[str, Any] = run_in_rasa(RULES, str(MODEL))
    return report


def test_the_rules_found_applicable_are_rasas_own_at_every_step(
    rules_report: dict[str, Any],
) -> None:
    report = rules_report
    assert report["checked"] > 4000, report
    assert report["found"] > 1000, report
    assert report["unhappy_found"] > 10, report
    assert report["mismatches"] == 0, report


def test_debug_logs_still_get_copies_of_the_values_they_show(
    rules_report: dict[str, Any],
) -> None:
    report = rules_report
    assert report["debug_copies"], report
    assert not report["quiet_copies"], report
