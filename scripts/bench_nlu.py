"""NLU benchmark: stratified k-fold cross-validation with intent F1 per language.

Run with the Rasa environment (it imports Rasa):

    .venv-rasa/bin/python scripts/bench_nlu.py [--folds 5] [--json results/nlu-cv.json]

The language of an example is the folder it lives in (data/nlu/<lang>/); the folds
are stratified on (language, intent) so every fold tests every intent in every language.
Each fold trains the real pipeline from config.yml on the other folds and parses the
held-out examples through the trained model, FallbackClassifier included: an example
that falls back to nlu_fallback counts as wrong. A threshold table shows what other
FallbackClassifier settings would have done with the same predictions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
# The projection's teacher needs sentence-transformers: the project environment's.
PROJECT_PYTHON = ROOT / ".venv" / "bin" / "python"
# config.yml names components of ours (assistant/rasa_runtime/), found by `rasa train`
# from the project folder.
sys.path.insert(0, str(ROOT))
from knowledge.language import LANGUAGES  # noqa: E402

FALLBACK = "nlu_fallback"
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


@dataclass
class Prediction:
    lang: str
    text: str
    expected: str
    predicted: str  # after the FallbackClassifier
    top: str  # the classifier's best intent, ignoring the fallback
    confidence: float
    margin: float  # confidence gap to the second intent
    entities_expected: list[list[Any]]
    entities_predicted: list[list[Any]]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "nlu")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--max-folds", type=int, help="stop after this many folds (quick experiments)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--no-projection",
        action="store_true",
        help="train without the examples projected from the parallel corpus",
    )
    parser.add_argument(
        "--errors", action="store_true", help="list every misclassified example"
    )
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    for path in (args.config, args.data):
        if not path.exists():
            parser.error(f"{path} does not exist")
    return args


def load_examples(data_dir: Path) -> tuple[list[tuple[str, Any]], Any]:
    """(language, message) pairs, and a TrainingData with the shared synonyms etc."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    examples: list[tuple[str, Any]] = []
    for lang in LANGUAGES:
        lang_dir = data_dir / lang
        if not lang_dir.is_dir():
            raise SystemExit(f"error: {lang_dir} is missing")
        examples += [(lang, m) for m in load_data(str(lang_dir)).intent_examples]
    shared = TrainingData()
    for path in sorted(data_dir.glob("*.yml")):
        part = load_data(str(path))
        if part.intent_examples:
            raise SystemExit(
                f"error: {path}: intent examples belong in <lang>/ folders"
            )
        shared = shared.merge(part)
    return examples, shared


def fold_indices(labels: list[str], folds: int, seed: int) -> list[list[int]]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return [list(test) for _, test in splitter.split(labels, labels)]


# Added by our language component from the request or its metadata, not read from
# the text: not an extraction to score (it counted as a false positive on every
# change_language example).
NOT_EXTRACTED = {"interface_language"}


def _entities(items: list[dict[str, Any]]) -> list[list[Any]]:
    return sorted(
        [e["entity"], e["start"], e["end"]]
        for e in items
        if e["entity"] not in NOT_EXTRACTED
    )


def project_fold(train_file: Path, out: Path) -> None:
    """The French and Spanish examples projected from the parallel corpus by a
    teacher that sees only this fold's training examples (as `make train` does with
    all of data/nlu/): no held-out example informs the labels."""
    done = subprocess.run(
        [str(PROJECT_PYTHON), "-m", "assistant.nlu_training.projection",
         "--data", str(train_file), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"error: the projection failed:\n{done.stderr[-2000:]}")


async def run_fold(
    config: Path,
    train: Any,
    test: list[tuple[str, Any]],
    workdir: Path,
    projection: bool,
) -> list[Prediction]:
    import rasa.model_training
    from rasa.core.agent import Agent
    from rasa.core.channels import UserMessage
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

    data_dir = workdir / "data"
    data_dir.mkdir()
    data_file = data_dir / "train.yml"
    RasaYAMLWriter().dump(data_file, train)
    if projection:
        project_fold(data_file, data_dir / "projected.yml")
    model = rasa.model_training.train_nlu(str(config), str(data_dir), str(workdir))
    if model is None:
        raise SystemExit("error: training failed")
    processor = Agent.load(model).processor

    predictions = []
    for lang, message in test:
        text = message.get("text")
        parsed = await processor.parse_message(UserMessage(text=text))
        ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != FALLBACK]
        top = ranking[0] if ranking else {"name": FALLBACK, "confidence": 0.0}
        second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
        predictions.append(
            Prediction(
                lang=lang,
                text=text,
                expected=message.get("intent"),
                predicted=parsed["intent"]["name"],
                top=top["name"],
                confidence=float(top["confidence"]),
                margin=float(top["confidence"] - second),
                entities_expected=_entities(message.get("entities", [])),
                entities_predicted=_entities(parsed.get("entities", [])),
            )
        )
    return predictions


def intent_scores(preds: list[Prediction], field: str) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    y_true = [p.expected for p in preds]
    y_pred = [getattr(p, field) for p in preds]
    labels = sorted(set(y_true))
    return {
        "f1_weighted": f1_score(
            y_true, y_pred, labels=labels, average="weighted", zero_division=0
        ),
        "f1_macro": f1_score(
            y_true, y_pred, labels=labels, average="macro", zero_division=0
        ),
        "accuracy": accuracy_score(y_true, y_pred),
    }


def entity_f1(preds: list[Prediction]) -> float:
    """Micro F1 over exact (entity, start, end) spans."""
    true_pos = expected = found = 0
    for p in preds:
        gold = {tuple(e) for e in p.entities_expected}
        got = {tuple(e) for e in p.entities_predicted}
        true_pos += len(gold & got)
        expected += len(gold)
        found += len(got)
    if not expected and not found:
        return 1.0
    return 2 * true_pos / (expected + found)


def threshold_table(
    preds: list[Prediction], ambiguity: float
) -> list[dict[str, float]]:
    """Per threshold: share of right answers lost to fallback, of errors caught."""
    right = [p for p in preds if p.top == p.expected]
    wrong = [p for p in preds if p.top != p.expected]
    rows = []
    for threshold in THRESHOLDS:

        def falls_back(p: Prediction, threshold: float = threshold) -> bool:
            return p.confidence < threshold or p.margin < ambiguity

        rows.append(
            {
                "threshold": threshold,
                "right_lost": sum(map(falls_back, right)) / max(len(right), 1),
                "errors_caught": sum(map(falls_back, wrong)) / max(len(wrong), 1),
            }
        )
    return rows


def fallback_settings(config: Path) -> tuple[float, float]:
    import yaml

    pipeline = yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]
    for component in pipeline:
        if component["name"] == "FallbackClassifier":
            return (
                float(component.get("threshold", 0.3)),
                float(component.get("ambiguity_threshold", 0.1)),
            )
    return 0.0, 0.0


def report(
    preds: list[Prediction], config: Path, seconds: float, folds: int, errors: bool
) -> dict[str, Any]:
    threshold, ambiguity = fallback_settings(config)
    by_lang: dict[str, list[Prediction]] = defaultdict(list)
    for p in preds:
        by_lang[p.lang].append(p)
    summary: dict[str, Any] = {
        "folds": folds,
        "examples": len(preds),
        "seconds": round(seconds, 1),
        "fallback_threshold": threshold,
        "ambiguity_threshold": ambiguity,
        "per_language": {},
    }
    print(
        f"\n{folds} folds of cross-validation, {len(preds)} examples, {seconds:.0f} s "
        f"(FallbackClassifier threshold {threshold}, ambiguity {ambiguity})\n"
    )
    header = (
        f"{'lang':<5}{'n':>5}{'intent F1':>11}{'macro F1':>10}{'accuracy':>10}"
        f"{'F1 no fb':>10}{'fallback':>10}{'entity F1':>11}"
    )
    print(header)
    print("-" * len(header))
    for lang in (*LANGUAGES, "all"):
        subset = preds if lang == "all" else by_lang[lang]
        scores = intent_scores(subset, "predicted")
        raw = intent_scores(subset, "top")
        fallback_rate = sum(p.predicted == FALLBACK for p in subset) / len(subset)
        ent = entity_f1(subset)
        summary["per_language"][lang] = {
            "n": len(subset),
            "intent_f1": round(scores["f1_weighted"], 4),
            "intent_f1_macro": round(scores["f1_macro"], 4),
            "accuracy": round(scores["accuracy"], 4),
            "intent_f1_without_fallback": round(raw["f1_weighted"], 4),
            "fallback_rate": round(fallback_rate, 4),
            "entity_f1": round(ent, 4),
        }
        print(
            f"{lang:<5}{len(subset):>5}{scores['f1_weighted']:>11.3f}"
            f"{scores['f1_macro']:>10.3f}{scores['accuracy']:>10.3f}"
            f"{raw['f1_weighted']:>10.3f}{fallback_rate:>10.3f}{ent:>11.3f}"
        )

    table = threshold_table(preds, ambiguity)
    summary["thresholds"] = table
    print("\nFallbackClassifier threshold (same predictions, all languages):")
    print(f"{'threshold':>10}{'right answers lost':>20}{'errors caught':>15}")
    for row in table:
        print(
            f"{row['threshold']:>10.1f}{row['right_lost']:>20.3f}"
            f"{row['errors_caught']:>15.3f}"
        )

    confusions: dict[str, int] = defaultdict(int)
    for p in preds:
        if p.predicted != p.expected:
            confusions[f"{p.expected} -> {p.predicted}"] += 1
    summary["confusions"] = dict(sorted(confusions.items(), key=lambda kv: -kv[1]))
    print("\nMost frequent confusions:")
    for pair, count in list(summary["confusions"].items())[:10]:
        print(f"  {count:>3}  {pair}")
    if errors:
        print("\nMisclassified examples:")
        for p in preds:
            if p.predicted != p.expected:
                print(
                    f"  [{p.lang}] {p.text!r}: {p.expected} -> {p.predicted} "
                    f"({p.top} {p.confidence:.2f})"
                )
    return summary


async def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs every parsed message at debug level otherwise.
    configure_structlog(logging.WARNING)
    from rasa.shared.nlu.training_data.training_data import TrainingData

    examples, shared = load_examples(args.data)
    labels = [f"{lang}:{m.get('intent')}" for lang, m in examples]
    started = time.perf_counter()
    predictions: list[Prediction] = []
    splits = fold_indices(labels, args.folds, args.seed)[: args.max_folds]
    for number, test_idx in enumerate(splits, 1):
        held_out = set(test_idx)
        train = TrainingData(
            training_examples=[
                m for i, (_, m) in enumerate(examples) if i not in held_out
            ],
            entity_synonyms=shared.entity_synonyms,
            regex_features=shared.regex_features,
            lookup_tables=shared.lookup_tables,
        )
        test = [examples[i] for i in test_idx]
        print(
            f"fold {number}/{len(splits)}: training on {len(train.intent_examples)}, "
            f"testing on {len(test)}",
            file=sys.stderr,
        )
        with tempfile.TemporaryDirectory(prefix="bench-nlu-") as workdir:
            predictions += await run_fold(
                args.config, train, test, Path(workdir), not args.no_projection
            )

    summary = report(
        predictions,
        args.config,
        time.perf_counter() - started,
        len(splits),
        args.errors,
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        summary["predictions"] = [asdict(p) for p in predictions]
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
