"""The conversation language inside Rasa: the NLU component's order of precedence and
the language at the end of each REST reply, checked in the real Rasa environment."""

from __future__ import annotations

import json

import pytest

from assistant.launch import RASA_PYTHON, RASA_SERVER
from tests.rasa_python import run_in_rasa

pytestmark = pytest.mark.skipif(
    not RASA_PYTHON.exists(), reason="the Rasa environment is not set up"
)

# Runs in .venv-rasa: each case is (text, intent, entities, metadata); prints, per
# case, the interface_language entity the component adds (None: no entity) and the
# entity values it leaves.
COMPONENT_PROBE = """
import json, sys
from rasa.shared.nlu.training_data.message import Message
from assistant.rasa_runtime.language import LanguageFromMetadata

cases = json.loads(sys.argv[1])
component = LanguageFromMetadata()
report = []
for text, intent, entities, metadata in cases:
    message = Message(data={"text": text, "metadata": metadata,
                            "intent": {"name": intent, "confidence": 0.9},
                            "entities": entities})
    component.process([message])
    mine = [e["entity"] == "interface_language" for e in message.get("entities")]
    values = [e["value"] for e in message.get("entities")]
    added = [v for v, m in zip(values, mine) if m]
    others = [v for v, m in zip(values, mine) if not m]
    report.append([added[0] if added else None, others, len(added)])
print(json.dumps(report))
"""


def test_the_language_entity_follows_request_then_metadata_then_nothing() -> None:
    french = {"entity": "language", "value": "français"}
    spanish = {"entity": "language", "value": "es"}
    stale = {"entity": "interface_language", "value": "fr"}
    en = {"language": "en"}
    cases = [
        ["hello", "greet", [], {"language": "es"}],
        ["en français s'il vous plaît", "change_language", [french], en],
        ["in Spanish", "change_language", [spanish], {}],
        # Unsure of the request: the fallback intent does not switch.
        ["français ?", "nlu_fallback", [french], en],
        ["ok", "affirm", [], {"language": None}],
        ["ok", "affirm", [], {}],
        ["hola", "greet", [], {"language": "de"}],
        # A stale entity from the text is replaced, not duplicated.
        ["hi", "greet", [stale], en],
    ]
    report = run_in_rasa(COMPONENT_PROBE, json.dumps(cases))
    expected = ["es", "fr", "es", "en", None, None, None, "en"]
    assert [row[0] for row in report] == expected
    # The request's entity value becomes the slot's code.
    assert report[1][1] == ["fr"]
    assert report[7][2] == 1


# Runs in .venv-rasa: the prediction loop as rasa_server.main() patches it, driven
# with a stand-in for the rest of the processor.
REPORT_PROBE = """
import asyncio, json, runpy, sys
server = runpy.run_path(sys.argv[1])
from rasa.core.processor import MessageProcessor
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.slots import CategoricalSlot
from rasa.shared.core.trackers import DialogueStateTracker

async def rasa_loop(self, output_channel, tracker):
    await output_channel.send_text_message(tracker.sender_id, "Bonjour")

MessageProcessor._run_prediction_loop = rasa_loop
server["report_language"]()
slot = CategoricalSlot("language", mappings=[], values=["en", "fr", "es"])
tracker = DialogueStateTracker("abc", [slot])
tracker.slots["language"].value = "fr"
channel = CollectingOutputChannel()
asyncio.run(MessageProcessor._run_prediction_loop(None, channel, tracker))
print(json.dumps(channel.messages))
"""


def test_every_rest_reply_ends_with_the_conversation_language() -> None:
    messages = run_in_rasa(REPORT_PROBE, str(RASA_SERVER))
    assert messages == [
        {"recipient_id": "abc", "text": "Bonjour"},
        {"recipient_id": "abc", "custom": {"language": "fr"}},
    ]
