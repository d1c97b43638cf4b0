"""The entity extractor leaves the projected (unannotated) examples out of its
training, checked by training small NLU models in the real Rasa environment."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from assistant.launch import RASA_PYTHON
from assistant.nlu_projection import Projected, to_rasa_yaml

pytestmark = pytest.mark.skipif(
    not RASA_PYTHON.exists(), reason="the Rasa environment is not set up"
)
ROOT = Path(__file__).resolve().parents[2]

CONFIG = """\
recipe: default.v1
language: fr
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: {extractor}
policies: []
"""

ANNOTATED = """\
version: "3.1"
nlu:
- intent: inform
  examples: |
    - nous sommes de [Laval](city)
    - notre ville est [Gatineau](city)
    - je travaille pour [Laval](city)
    - on vient de [Gatineau](city)
    - la ville de [Longueuil](city)
    - nous représentons [Longueuil](city)
"""

# Projected sentences in the same frames, the city names unmarked as the parallel
# corpus leaves them.
PROJECTED = [
    Projected("chitchat", "fr", f"{frame} {city}", 0.95, "en")
    for city in ("Montréal", "Québec", "Sherbrooke", "Lévis", "Rimouski")
    for frame in (
        "nous sommes de",
        "notre ville est",
        "on vient de",
        "la ville de",
        "je travaille pour",
    )
]

PARSE = """
import asyncio, json, sys
from pathlib import Path
import rasa.model_training
from rasa.core.agent import Agent
folder, texts = Path(sys.argv[1]), json.loads(sys.argv[2])
model = rasa.model_training.train_nlu(
    str(folder / "config.yml"), str(folder / "nlu"), str(folder / "models"))
agent = Agent.load(model)
found = [[e["value"] for e in asyncio.run(agent.parse_message(t))["entities"]]
         for t in texts]
print(json.dumps(found))
"""


def cities_found(tmp_path: Path, extractor: str, texts: list[str]) -> list[list[str]]:
    folder = tmp_path / extractor.rsplit(".", 1)[-1]
    (folder / "nlu").mkdir(parents=True)
    (folder / "config.yml").write_text(CONFIG.format(extractor=extractor))
    (folder / "nlu" / "annotated.yml").write_text(ANNOTATED)
    (folder / "nlu" / "projected.yml").write_text(to_rasa_yaml(PROJECTED))
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", PARSE, str(folder), json.dumps(texts)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found: list[list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_cities_are_found_although_projected_sentences_leave_them_unmarked(
    tmp_path: Path,
) -> None:
    texts = ["notre ville est Trois-Rivières", "nous sommes de Saguenay"]
    ours = cities_found(
        tmp_path,
        "assistant.rasa_nlu.entity_extractor.AnnotatedCRFEntityExtractor",
        texts,
    )
    assert ours == [["Trois-Rivières"], ["Saguenay"]]
    # Rasa's own CRF, trained on the same files, learns from the projected sentences
    # that a name in these frames is not an entity: the reason for the component.
    assert cities_found(tmp_path, "CRFEntityExtractor", texts) == [[], []]
