"""The linear intent classifier, checked in the real Rasa environment: its tf-idf
against scikit-learn's, and a small NLU model trained, saved, loaded and parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.launch import RASA_PYTHON
from tests.rasa_python import run_in_rasa

pytestmark = pytest.mark.skipif(
    not RASA_PYTHON.exists(), reason="the Rasa environment is not set up"
)

CONFIG = """\
recipe: default.v1
language: en
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
    alias: words
  - name: CountVectorsFeaturizer
    alias: chars
    analyzer: char_wb
    min_ngram: 2
    max_ngram: 4
  - name: assistant.rasa_runtime.intent_classifier.LinearIntentClassifier
    sparse_features: [{features}]
policies: []
"""

DATA = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hello there
    - hi
    - hi friends
    - good morning
    - good morning everyone
- intent: goodbye
  examples: |
    - bye
    - goodbye
    - see you later
    - see you soon
    - bye for now
    - have a good night
- intent: ask_deadline
  examples: |
    - when is the deadline
    - what is the deadline to apply
    - until when can we apply
    - when does the call close
    - closing date of the call
    - last day to apply
"""

# argv: project folder of the small assistant, messages as JSON. Prints each parse.
PARSE = """
import asyncio, json, sys
from pathlib import Path
import rasa.model_training
from rasa.core.agent import Agent
from rasa.shared.exceptions import InvalidConfigException
folder, texts = Path(sys.argv[1]), json.loads(sys.argv[2])
try:
    model = rasa.model_training.train_nlu(
        str(folder / "config.yml"), str(folder / "nlu.yml"), str(folder / "models"))
except InvalidConfigException as error:
    print(json.dumps({"error": str(error)}))
    raise SystemExit(0)
agent = Agent.load(model)
async def parse():
    return [await agent.parse_message(text) for text in texts]
parsed = asyncio.run(parse())
print(json.dumps({"parsed": [
    {"intent": p["intent"], "ranking": p["intent_ranking"]} for p in parsed]}))
"""

# Our tf-idf against scikit-learn's on random counts, and a binary model's softmax
# against its predict_proba.
MATHS = """
import json
import numpy as np, scipy.sparse
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from assistant.rasa_runtime.intent_classifier import (
    _two_rows, _with_transpose, inverse_document_frequency, linear_scores, softmax,
    tf_idf)
rng = np.random.default_rng(0)
counts = scipy.sparse.csr_matrix(rng.poisson(0.3, size=(40, 25)).astype(float))
ours = tf_idf(counts, inverse_document_frequency(counts)).toarray()
theirs = TfidfTransformer(sublinear_tf=True).fit_transform(counts).toarray()
x = rng.normal(size=(30, 4)); y = (x[:, 0] > 0).astype(int)
model_b = LogisticRegression().fit(x, y)
weights, bias = _two_rows(model_b.coef_), _two_rows(model_b.intercept_[:, None])[:, 0]
mine = softmax(x @ weights.T + bias)
# One message's scores (the chat-time path) against the training matrix's.
dense = rng.normal(size=(40, 6))
idf = inverse_document_frequency(counts)
coef, bias = rng.normal(size=(3, 31)), rng.normal(size=3)
matrix = np.hstack([tf_idf(counts, idf).toarray(), dense])
expected = softmax(matrix @ coef.T + bias)
model = _with_transpose({"coef": coef, "intercept": bias, "idf": [idf]})
single = [linear_scores([counts[i]], [dense[i]], model) for i in range(40)]
# The rows as the count vectorizers give them (COO, columns in order, each once)
# take a short cut: the same scores, to the bit, as the same rows in reverse order
# (merged column by column); a column given twice is summed.
def reverse(row):
    row = row.tocoo()
    return scipy.sparse.coo_matrix(
        (row.data[::-1], (row.row[::-1], row.col[::-1])), shape=row.shape)
in_order = [linear_scores([counts[i].tocoo()], [dense[i]], model) for i in range(40)]
reversed_ = [linear_scores([reverse(counts[i])], [dense[i]], model) for i in range(40)]
def repeated(row):
    row = row.tocoo()
    return scipy.sparse.coo_matrix(
        (np.r_[row.data - 1, np.ones(len(row.data))], (np.r_[row.row, row.row],
         np.r_[row.col, row.col])), shape=row.shape)
summed = [linear_scores([repeated(counts[i])], [dense[i]], model) for i in range(40)
          if counts[i].nnz]
print(json.dumps({"tfidf": float(np.abs(ours - theirs).max()),
                  "binary": float(np.abs(mine - model_b.predict_proba(x)).max()),
                  "single": float(np.abs(np.array(single) - expected).max()),
                  "coo_same": all((a == b).all() for a, b in zip(in_order, reversed_)),
                  "summed_same": np.allclose(
                      summed, [s for s, i in zip(single, range(40)) if counts[i].nnz],
                      rtol=0, atol=1e-12)}))
"""


def small_assistant(tmp_path: Path, features: str) -> Path:
    (tmp_path / "config.yml").write_text(CONFIG.format(features=features))
    (tmp_path / "nlu.yml").write_text(DATA)
    return tmp_path


def test_tf_idf_and_scores_match_scikit_learn_and_the_training_matrix() -> None:
    differences = run_in_rasa(MATHS)
    assert differences["tfidf"] < 1e-9
    assert differences["binary"] < 1e-9
    assert differences["single"] < 1e-9
    assert differences["coo_same"]
    assert differences["summed_same"]


def test_a_trained_model_recognises_new_phrasings_and_ranks_every_intent(
    tmp_path: Path,
) -> None:
    folder = small_assistant(tmp_path, "words, chars")
    texts = ["hello everybody", "bye bye", "what's the deadline?", "good morning"]
    parsed = run_in_rasa(PARSE, str(folder), json.dumps(texts))["parsed"]
    assert [p["intent"]["name"] for p in parsed] == [
        "greet",
        "goodbye",
        "ask_deadline",
        "greet",
    ]
    for p in parsed:
        confidences = [r["confidence"] for r in p["ranking"]]
        assert {r["name"] for r in p["ranking"]} == {"greet", "goodbye", "ask_deadline"}
        assert confidences == sorted(confidences, reverse=True)
        assert abs(sum(confidences) - 1) < 1e-6
        assert p["intent"]["confidence"] == confidences[0] > 0.4


def test_a_featurizer_name_that_is_not_in_the_pipeline_is_named(
    tmp_path: Path,
) -> None:
    folder = small_assistant(tmp_path, "words, letters")
    error = run_in_rasa(PARSE, str(folder), "[]")["error"]
    assert "'letters'" in error and "alias" in error
