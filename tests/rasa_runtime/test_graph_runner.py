"""The graph runner without dask (assistant/rasa_runtime/graph_runner.py) on the
trained model, in the real Rasa environment: the same understanding and the same next
action as Rasa's own runner."""

from __future__ import annotations

from tests.rasa_python import MODEL, needs_rasa_model, run_in_rasa

pytestmark = needs_rasa_model

SCRIPT = """
import asyncio, json, sys
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.runner.dask import DaskGraphRunner

MESSAGES = ["When is the deadline?", "Is Laval eligible?",
            "Quelle est la date limite ?",
            "¿Puede participar Monterrey?", "hello", "tell me a joke"]

async def understand(agent, run):
    found = []
    for text in MESSAGES:
        sender = f"{run}-{len(found)}"  # a new conversation per message
        tracker = await agent.processor.log_message(UserMessage(text, sender_id=sender))
        parse = tracker.latest_message.parse_data
        prediction = await agent.processor.predict_next_for_sender_id(sender)
        best = max(prediction["scores"], key=lambda s: s["score"])
        found.append({
            "intent": parse["intent"]["name"],
            "confidence": round(parse["intent"]["confidence"], 6),
            "entities": [(e["entity"], e["value"]) for e in parse["entities"]],
            "next": (best["action"], prediction["policy"]),
        })
    return found

agent = Agent.load(sys.argv[1])
rasa = asyncio.run(understand(agent, "rasa"))
from assistant.rasa_runtime import graph_runner
graph_runner.install()
assert DaskGraphRunner.run.__module__ == graph_runner.__name__
ours = asyncio.run(understand(agent, "ours"))
print(json.dumps({"rasa": rasa, "ours": ours}))
"""


def test_the_graph_runs_to_the_same_results_without_dask() -> None:
    report = run_in_rasa(SCRIPT, str(MODEL))
    assert report["ours"] == report["rasa"]
    first = report["ours"][0]
    assert first["intent"] == "ask_programme", first
    assert first["next"][0] == "action_answer_question", first
