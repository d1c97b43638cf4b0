"""``python -m knowledge build | calibrate | eval`` (the contract of issue 3)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from knowledge.embedders import DEFAULT_MODEL, SentenceTransformerEmbedder
from knowledge.project import CALIBRATION_FILE

# Set it to see the traceback of an unexpected error (otherwise one line).
TRACEBACK_VARIABLE = "KNOWLEDGE_TRACEBACK"


class CliError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge",
        description="Build, calibrate and evaluate the knowledge-base search index.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build an index")
    build.add_argument(
        "--source",
        type=Path,
        help="JSONL FAQ set (one record per line); default: the project's own "
        "knowledge base (knowledge/corpus)",
    )
    build.add_argument("--out", type=Path, required=True, help="index folder")
    build.add_argument(
        "--model", default=DEFAULT_MODEL, help="sentence-transformers name or path"
    )
    build.add_argument(
        "--no-calibrate",
        action="store_true",
        help="for the project's knowledge base, skip the automatic calibration on "
        "knowledge/eval/calibration.jsonl",
    )
    build.add_argument(
        "--finetune",
        action="store_true",
        help="fine-tune the model on the FAQ's paraphrases before indexing (on our "
        "knowledge base it no longer helps: docs/BENCHMARKS.md)",
    )
    build.add_argument("--quiet", action="store_true", help="no progress bar")

    calibrate = sub.add_parser("calibrate", help="set decision parameters")
    calibrate.add_argument("--index", type=Path, required=True)
    calibrate.add_argument("--queries", type=Path, required=True)
    calibrate.add_argument("--json", action="store_true", help="print JSON")

    evaluate = sub.add_parser("eval", help="print metrics")
    evaluate.add_argument("--index", type=Path, required=True)
    evaluate.add_argument("--queries", type=Path, required=True)
    evaluate.add_argument("--json", action="store_true", help="one JSON object")
    evaluate.add_argument(
        "--detect",
        action="store_true",
        help="ignore the queries' language labels and detect the language",
    )
    return parser


def _load(index_dir: Path) -> Any:
    from knowledge.engine import KnowledgeBase
    from knowledge.index import read_manifest

    manifest = read_manifest(index_dir)
    embedder = SentenceTransformerEmbedder(str(manifest.get("model", DEFAULT_MODEL)))
    return KnowledgeBase.load(index_dir, embedder)


def _calibrate(index_dir: Path, queries_path: Path) -> dict[str, Any]:
    from knowledge.calibration import calibrate_index
    from knowledge.index import read_manifest

    model = str(read_manifest(index_dir).get("model", DEFAULT_MODEL))
    return calibrate_index(index_dir, queries_path, SentenceTransformerEmbedder(model))


def cmd_build(args: argparse.Namespace) -> int:
    from knowledge.index import build_index, jsonl_sources, save_index
    from knowledge.project import build_project_index, finetune_config

    calibration = None
    if args.source is not None:
        records, digest = jsonl_sources(args.source)
        data = build_index(
            records,
            SentenceTransformerEmbedder(args.model),
            digest,
            progress=not args.quiet,
            source=str(args.source),
            finetune=finetune_config(args.finetune),
        )
        save_index(data, args.out)
        manifest = data.manifest
    else:
        build = build_project_index(
            args.out,
            args.model,
            args.finetune,
            progress=not args.quiet,
            calibrate=not args.no_calibrate,
        )
        manifest, calibration = build.manifest, build.calibration
    tuned = manifest["finetuned"]
    how = ""
    if tuned:
        how = ", fine-tuned" + (
            " (cached)" if tuned["cached"] else f" in {tuned['seconds']} s"
        )
    print(
        f"built {len(manifest['entry_ids'])} entries ({manifest['records']} records, "
        f"{manifest['vectors']} vectors, model {manifest['model']}{how}) in "
        f"{manifest['build_seconds']:.1f} s -> {args.out}"
    )
    if calibration is not None:
        print(
            f"calibrated on {CALIBRATION_FILE.name}: "
            f"{json.dumps(calibration['params'])}"
        )
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from knowledge.records import read_queries

    queries = read_queries(args.queries)
    in_scope = sum(q.expected is not None for q in queries)
    out_of_scope = len(queries) - in_scope
    report = _calibrate(args.index, args.queries)
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"calibrated on {report['count']} queries -> {args.index}")
    for key, value in report["params"].items():
        print(f"  {key}: {value}")
    for lang, params in report["params_by_lang"].items():
        own = ", ".join(
            f"{key} {params[key]}"
            for key in ("lexical_weight", "classifier_weight", "threshold", "margin")
        )
        print(f"  {lang} (its own, enough queries): {own}")
    # A rate over no query is shown as "-", not as 0 %.
    accuracy = report["in_scope_accuracy"] if in_scope else None
    declined = report["oos_recall"] if out_of_scope else None
    rejected = report["false_rejection"] if in_scope else None
    print(
        f"  on the calibration set: in-scope accuracy {_fmt(accuracy)}, "
        f"OOS declined {_fmt(declined)}, false rejection {_fmt(rejected)}"
    )
    if not out_of_scope:
        print(
            "  note: no out-of-scope query (expected: null), so nothing taught the "
            "threshold what to decline"
        )
    if not in_scope:
        print("  note: no in-scope query, so the threshold only learnt to decline")
    return 0


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if isinstance(value, float) else str(value)


def cmd_eval(args: argparse.Namespace) -> int:
    from knowledge.evaluation import evaluate
    from knowledge.records import read_queries

    queries = read_queries(args.queries)
    kb = _load(args.index)
    metrics = evaluate(kb, queries, use_hints=not args.detect)
    if args.json:
        print(json.dumps(metrics))
        return 0
    keys = ("in_scope_accuracy", "oos_recall", "false_rejection", "recall_at_3", "mrr")
    rows = [("all", metrics), *metrics["per_language"].items()]
    print(f"{'':6}" + "".join(f"{k:>19}" for k in (*keys, "queries")))
    for name, m in rows:
        print(f"{name:6}" + "".join(f"{_fmt(m[k]):>19}" for k in (*keys, "queries")))
    lat = metrics["latency_ms"]
    print(f"latency per query: p50 {lat['p50']} ms, p95 {lat['p95']} ms (n={lat['n']})")
    return 0


COMMANDS = {"build": cmd_build, "calibrate": cmd_calibrate, "eval": cmd_eval}


def main(argv: Sequence[str] | None = None) -> int:
    from knowledge.engine import QueryError
    from knowledge.index import KnowledgeIndexError
    from knowledge.records import RecordError

    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (RecordError, KnowledgeIndexError, QueryError, CliError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    except Exception as exc:  # a bug of ours: still one line, the trace on demand
        if os.environ.get(TRACEBACK_VARIABLE):
            raise
        print(
            f"error: unexpected {type(exc).__name__}: {exc} "
            f"({TRACEBACK_VARIABLE}=1 prints the traceback)",
            file=sys.stderr,
        )
    return 2
