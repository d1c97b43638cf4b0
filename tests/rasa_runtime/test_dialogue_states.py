"""The dialogue states Rasa's policies predict from, extended instead of rebuilt:
the same states as Rasa's own, checked inside the real Rasa environment."""

from __future__ import annotations

import pytest

from assistant.launch import RASA_PYTHON
from tests.rasa_python import run_in_rasa

pytestmark = pytest.mark.skipif(
    not RASA_PYTHON.exists(), reason="the Rasa environment is not set up"
)

# Runs in .venv-rasa: every story and rule of the project and every conversation
# test grown one event at a time; after each event, the states of the growing
# tracker from the patched function must equal Rasa's own, for the arguments the
# two policies use. The caller then changes its states as the featurizer does,
# which must not leak into the next call. A rewound turn falls back to a rebuild.
PROBE = """
import json, runpy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUtteranceReverted
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data import loading
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.shared.importers.importer import TrainingDataImporter

original = Domain.states_for_tracker_history
# Loaded as the Rasa server loads it: from its file, beside server.py.
runpy.run_path("assistant/rasa_runtime/server.py")["install_sibling"]("dialogue_states")
patched = Domain.states_for_tracker_history

importer = TrainingDataImporter.load_from_dict(
    domain_path="domain", training_data_paths=["data"]
)
domain = importer.get_domain()
trackers = []
for graph in (
    importer.get_stories(),
    StoryGraph(loading.load_data_from_resource("tests/conversations", domain)),
):
    trackers += TrainingDataGenerator(
        graph, domain, augmentation_factor=0, remove_duplicates=False
    ).generate()
rule_only = {"rule_only_slots": ["requested_slot"], "rule_only_loops": []}
ARGS = [(False, False, None), (False, True, rule_only), (True, False, rule_only)]

def strip_last_user_input(states):
    # what MaxHistoryTrackerFeaturizer._choose_last_user_input does to its states
    for state in states[-1:]:
        state.get("user", {}).pop("intent", None)
        state.get("user", {}).pop("text", None)

checked = mismatches = rewinds = 0
for story in trackers:
    events = list(story.events)
    if len(events) < 2:
        continue
    grown = DialogueStateTracker(story.sender_id, domain.slots,
                                 is_rule_tracker=story.is_rule_tracker)
    plain = DialogueStateTracker(story.sender_id, domain.slots,
                                 is_rule_tracker=story.is_rule_tracker)
    tail = [UserUtteranceReverted()] if story.is_rule_tracker is False else []
    for event in events + tail:
        grown.update(event, domain)
        plain.update(event, domain)
        for args in ARGS:
            got = patched(domain, grown, *args)
            want = original(domain, plain, *args)
            checked += 1
            if got != want:
                mismatches += 1
            strip_last_user_input(got)
    rewinds += bool(tail)
print(json.dumps({"trackers": len(trackers), "checked": checked,
                  "rules": sum(t.is_rule_tracker for t in trackers),
                  "mismatches": mismatches, "rewinds": rewinds}))
"""


def test_extended_states_equal_rasas_own_for_every_story_and_rule() -> None:
    report = run_in_rasa(PROBE)
    assert report["trackers"] > 50
    assert report["rules"] > 10
    assert report["checked"] > 1000
    assert report["rewinds"] > 10
    assert report["mismatches"] == 0
