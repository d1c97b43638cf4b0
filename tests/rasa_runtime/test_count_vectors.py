"""The count-vector features built straight from the vocabulary
(assistant/rasa_runtime/count_vectors.py), on the trained model in the real Rasa
environment: for every NLU example, the same matrices as Rasa's own."""

from __future__ import annotations

from tests.rasa_python import MODEL, needs_rasa_model, run_in_rasa

pytestmark = needs_rasa_model

# Runs in .venv-rasa: every training example's text (and a few odd ones: empty,
# accented, one long word, a repeated word) tokenized as the pipeline does, then
# featurized by both count vectorizers of the model (words, character n-grams), by
# Rasa's code and by the patched one; the token and sentence matrices must agree in
# format, shape, dtypes and every entry, in order.
PROBE = """
import json, runpy, sys
from rasa.core.agent import Agent
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

agent = Agent.load(sys.argv[1])
components = [node._component
              for node in agent.processor.graph_runner._instantiated_nodes.values()]
tokenizer = next(c for c in components if isinstance(c, WhitespaceTokenizer))
featurizers = [c for c in components if isinstance(c, CountVectorsFeaturizer)]
importer = TrainingDataImporter.load_from_dict(
    domain_path="domain", training_data_paths=["data"])
texts = sorted({m.get(TEXT) for m in importer.get_nlu_data().training_examples
                if m.get(TEXT)})
texts += ["", "   ", "Ça coûte combien ? ¿Dónde está Monterrey?", "x" * 300,
          "Laval Laval Laval"]
inputs = []
for text in texts:
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    for featurizer in featurizers:
        tokens = featurizer._get_processed_message_tokens_by_attribute(message, TEXT)
        inputs.append((featurizer, tokens))

def features():
    return [featurizer._create_features(TEXT, [tokens])
            for featurizer, tokens in inputs]

def described(matrix):
    if matrix is None:
        return None
    return (matrix.format, matrix.shape, str(matrix.dtype),
            matrix.has_canonical_format, str(matrix.row.dtype),
            str(matrix.col.dtype), matrix.row.tolist(), matrix.col.tolist(),
            matrix.data.tolist())

rasa = features()
runpy.run_path("assistant/rasa_runtime/server.py")["install_sibling"]("count_vectors")
ours = features()
pairs = [(a[0], b[0]) for want, got in zip(rasa, ours) for a, b in zip(want, got)]
print(json.dumps({
    "featurizers": len(featurizers), "checked": len(pairs),
    "counted": sum(a is not None and a.nnz > 0 for a, _ in pairs),
    "mismatches": sum(described(a) != described(b) for a, b in pairs),
}))
"""


def test_every_example_gets_rasas_own_count_vectors() -> None:
    report = run_in_rasa(PROBE, str(MODEL))
    assert report["featurizers"] == 2, report
    assert report["checked"] > 15_000, report
    assert report["counted"] > 15_000, report
    assert report["mismatches"] == 0, report
