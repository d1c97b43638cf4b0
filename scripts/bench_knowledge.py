"""Knowledge-engine benchmark: build time, latency, ablation, scale. Prints markdown.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/bench_knowledge.py [--synthetic 2000]
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/bench_knowledge.py --cv [--cache DIR]

Everything is measured in one run on the real model: the build of our knowledge base
(in a fresh model cache, so the ONNX export is included), bare query embedding vs full
retrieval latency, what dense / lexical / classifier / fusion, language detection and
the optional build-time fine-tuning each contribute on knowledge/eval/test.jsonl (each
variant calibrated on calibration.jsonl only), and the CLI on a synthetic set of
thousands of entries and queries.

``--cv`` never reads the test split: it prints each variant's 5-fold cross-validated
figures inside calibration.jsonl (mean ± standard deviation over reshuffles), the
measure design decisions are taken by.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge.calibration import WEIGHTS, calibrate  # noqa: E402
from knowledge.calibration_cv import cross_validate  # noqa: E402
from knowledge.embedders import SentenceTransformerEmbedder  # noqa: E402
from knowledge.engine import KnowledgeBase  # noqa: E402
from knowledge.evaluation import evaluate  # noqa: E402
from knowledge.finetune import DEFAULT_FINETUNE  # noqa: E402
from knowledge.index import build_index, save_index  # noqa: E402
from knowledge.project import project_negatives, project_sources  # noqa: E402
from knowledge.records import LabelledQuery, read_queries  # noqa: E402

EVAL = ROOT / "knowledge" / "eval"
LANGS = ("en", "fr", "es")


def pct(values: list[float], q: int) -> float:
    return round(float(np.percentile(values, q)), 2)


def fmt(value: object) -> str:
    return f"{value:.1%}" if isinstance(value, float) else str(value)


def latency(kb: KnowledgeBase, queries: list, embedder) -> dict[str, float]:  # type: ignore[no-untyped-def]
    for q in queries[:5]:  # warm up both paths
        embedder.encode([q.text])
        kb.search(q.text, q.lang)
    embed, search = [], []
    for q in queries:
        start = time.perf_counter()
        embedder.encode([q.text])
        embed.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        kb.search(q.text, q.lang)
        search.append((time.perf_counter() - start) * 1000)
    return {
        "embed_p50": pct(embed, 50), "embed_p95": pct(embed, 95),
        "search_p50": pct(search, 50), "search_p95": pct(search, 95),
        "ratio_p50": round(pct(search, 50) / pct(embed, 50), 2),
        "ratio_p95": round(pct(search, 95) / pct(embed, 95), 2),
    }  # fmt: skip


# (lexical weights, classifier weights) searched by calibration; None: full grid.
VARIANTS = {
    "dense only": ([0.0], [0.0]),
    "lexical only": ([1.0], [0.0]),
    "classifier only": ([0.0], [1.0]),
    "dense + lexical": (WEIGHTS, [0.0]),
    "fused (dense + lexical + classifier)": (None, None),
}


def ablation(
    kb: KnowledgeBase, calib: list, test: list, prefix: str = ""
) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    rows = []
    for name, (weights, cweights) in VARIANTS.items():
        params = calibrate(
            kb, calib, weights=weights, classifier_weights=cweights
        ).params
        for hints in (True, False):
            m = evaluate(kb, test, use_hints=hints, latency=False, params=params)
            label = f"{prefix}{name}, " + (
                "language given" if hints else "language detected"
            )
            rows.append((label, {**m, "w": params.lexical_weight,
                                 "c": params.classifier_weight,
                                 "t": params.threshold}))  # fmt: skip
    return rows


def cross_validation(
    kb: KnowledgeBase,
    calib: list[LabelledQuery],
    repeats: int,
    fused_only: bool = False,
) -> None:
    """Each variant's held-out figures inside the calibration split (no test split)."""

    def cell(m: dict) -> str:  # type: ignore[type-arg]
        return f"{m['mean']:.1%} ± {m['std']:.1%}"

    cols = ("in_scope_accuracy", "oos_recall", "false_rejection")
    print(f"\n5-fold cross-validation on calibration.jsonl, {repeats} reshuffles\n")
    print("| variant | " + " | ".join(cols) + " | top-1 en / fr / es |")
    print("|---" * (len(cols) + 2) + "|")
    for name, (weights, cweights) in VARIANTS.items():
        if fused_only and weights is not None:
            continue
        # The fused variant also with one set of parameters for every language
        # (before session 11), to show what the per-language ones bring.
        modes = (True, False) if weights is None else (True,)
        for per_language in modes:
            m = cross_validate(kb, calib, repeats=repeats, weights=weights,
                               classifier_weights=cweights,
                               per_language=per_language)  # fmt: skip
            per = " / ".join(
                cell(m[lang]["in_scope_accuracy"]) for lang in ("en", "fr", "es")
            )
            label = name if per_language else f"{name}, shared parameters"
            print(f"| {label} | " + " | ".join(cell(m[c]) for c in cols)
                  + f" | {per} |")  # fmt: skip


def held_out_sets(kb: KnowledgeBase) -> None:
    """The held-out figures: test split and unknowns (issue 16). The blind sets'
    held-out half is read through the chat (scripts/bench_chat_quality.py --set)."""
    test = evaluate(kb, read_queries(EVAL / "test.jsonl"))
    per = " / ".join(
        fmt(test["per_language"][lang]["in_scope_accuracy"]) for lang in LANGS
    )
    print("| set | top-1 answered (en / fr / es) | out of scope declined | "
          "wrongly declined |\n|---|---|---|---|")  # fmt: skip
    print(f"| test.jsonl | {fmt(test['in_scope_accuracy'])} ({per}) | "
          f"{fmt(test['oos_recall'])} | {fmt(test['false_rejection'])} |")  # fmt: skip
    rows = [json.loads(line) for line in (EVAL / "unknowns.jsonl").open("rb")]
    for row in rows:
        row.setdefault("kind", "unknown")
    report = labelled_set_report(kb, rows)
    print("\nunknowns.jsonl: " + json.dumps(
        {lang: {k: v for k, v in report[lang].items() if k.startswith("unknown")}
         for lang in ("all", *LANGS)}))  # fmt: skip


def synthetic(
    out: Path, entries: int, queries: int, seed: int = 7
) -> tuple[Path, Path]:
    """Entries made of random corpus words; queries are perturbed paraphrases."""
    records, _ = project_sources()
    words = sorted({w for r in records if r.lang == "en" for q in r.questions
                    for w in q.lower().split() if w.isalpha()})  # fmt: skip
    rng = random.Random(seed)
    faq, labelled = out / "synthetic.jsonl", out / "synthetic-queries.jsonl"
    bank = []
    with faq.open("w") as handle:
        for i in range(entries):
            topic = rng.sample(words, 6)
            qs = [" ".join(rng.sample(topic, 4)) + "?" for _ in range(3)]
            bank.append(topic)
            handle.write(json.dumps({"id": f"e{i}", "lang": "en", "questions": qs,
                                     "answer": " ".join(topic)}) + "\n")  # fmt: skip
    with labelled.open("w") as handle:
        for j in range(queries):
            if j % 10 == 9:
                row = {"text": "zqx " * 3, "expected": None}
            else:
                i = rng.randrange(entries)
                row = {"text": " ".join(rng.sample(bank[i], 5)), "expected": f"e{i}"}
            handle.write(json.dumps(row) + "\n")
    return faq, labelled


def honest_entries(kb: KnowledgeBase) -> set[str]:
    """Entries that say what the sources do not state and give the contact."""
    return {
        entry_id
        for entry_id in kb.entry_ids
        if "{contact}" in kb._any_record(entry_id).answer
    }


def labelled_set_report(kb: KnowledgeBase, rows: list[dict]) -> dict:  # type: ignore[type-arg]
    """Figures on a labelled set with a `kind` per line (the blind set's format):
    answerable (top-1 correct and answered), out_of_scope (declined) and unknown
    (answered with the expected honest entry / with any honest entry / with a
    neighbouring fact / declined). An expected id missing from the index is a miss."""
    honest = honest_entries(kb)
    known = set(kb.entry_ids)
    out: dict = {}  # type: ignore[type-arg]
    for lang in ("all", "en", "fr", "es"):
        sub = [r for r in rows if lang == "all" or r["lang"] == lang]
        results = [kb.search(r["text"], lang=r["lang"]) for r in sub]
        ans = [(r, x) for r, x in zip(sub, results, strict=True)
               if r["kind"] == "answerable"]  # fmt: skip
        oos = [(r, x) for r, x in zip(sub, results, strict=True)
               if r["kind"] == "out_of_scope"]  # fmt: skip
        unk = [(r, x) for r, x in zip(sub, results, strict=True)
               if r["kind"] == "unknown"]  # fmt: skip
        in_scope = ans + unk

        def top(x):  # type: ignore[no-untyped-def]
            return x.hits[0].entry_id if x.answered else None

        def share(n: int, d: int) -> float | None:
            return round(n / d, 4) if d else None

        out[lang] = {
            "answerable": len(ans),
            "top1_answered": share(
                sum(top(x) == r["expected"] for r, x in ans), len(ans)
            ),
            "missing_entry": sum(r["expected"] not in known for r, _ in ans),
            "oos_declined": share(sum(not x.answered for _, x in oos), len(oos)),
            "wrongly_declined": share(
                sum(not x.answered for _, x in in_scope), len(in_scope)
            ),
            "unknown": len(unk),
            "unknown_expected": share(
                sum(top(x) == r["expected"] for r, x in unk), len(unk)
            ),
            "unknown_honest": share(sum(top(x) in honest for _, x in unk), len(unk)),
            "unknown_neighbouring_fact": sum(
                x.answered and top(x) not in honest for _, x in unk
            ),
            "unknown_declined": sum(not x.answered for _, x in unk),
        }
    return out


def run_cli(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "knowledge", *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return round(time.perf_counter() - start, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=3000, help="entries; 0 skips")
    parser.add_argument(
        "--no-finetuned",
        action="store_true",
        help="skip the ablation of the index built with fine-tuning",
    )
    parser.add_argument(
        "--cv",
        action="store_true",
        help="only cross-validate each variant inside the calibration split "
        "(never reads the test split)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="CV reshuffles")
    parser.add_argument(
        "--fused-only",
        action="store_true",
        help="with --cv: only the shipped variant (a fifth of the time)",
    )
    parser.add_argument(
        "--index",
        type=Path,
        help="with --cv or --sets: use this built (and calibrated) index instead of "
        "building one",
    )
    parser.add_argument(
        "--sets",
        action="store_true",
        help="only report the held-out labelled sets (test split per language, "
        "unknowns.jsonl); read them once, at the end",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="fine-tuning cache to reuse (default: a fresh one, so that the build "
        "time includes training)",
    )
    args = parser.parse_args()
    calib = read_queries(EVAL / "calibration.jsonl")

    if args.index is not None:
        kb = KnowledgeBase.load(args.index, SentenceTransformerEmbedder())
        if args.cv:
            cross_validation(kb, calib, args.repeats, args.fused_only)
        if args.sets:
            held_out_sets(kb)
        return

    embedder = SentenceTransformerEmbedder()
    start = time.perf_counter()
    embedder.warm_up()
    load_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        records, digest = project_sources()
        # A fresh cache: the build time includes the model copy and its ONNX export.
        data = build_index(records, embedder, digest, progress=False,
                           negatives=project_negatives(),
                           cache_dir=args.cache or Path(tmp) / "cache")  # fmt: skip
        save_index(data, Path(tmp) / "index")
        build_s = time.perf_counter() - start
        kb = KnowledgeBase.load(Path(tmp) / "index", embedder)
        print(f"build {build_s:.1f} s, load average {os.getloadavg()[0]:.1f}")
        if args.cv:
            cross_validation(kb, calib, args.repeats)
            return
        test = read_queries(EVAL / "test.jsonl")
        start = time.perf_counter()
        calibrate(kb, calib).apply(kb)
        calibrate_s = time.perf_counter() - start
        # The query embedding that search really does: the fine-tuned model's.
        lat = latency(kb, test, kb.embedder)
        rows = ablation(kb, calib, test)
        if not args.no_finetuned:
            start = time.perf_counter()
            tuned = build_index(
                records, embedder, digest, progress=False,
                negatives=project_negatives(), finetune=DEFAULT_FINETUNE,
                cache_dir=args.cache or Path(tmp) / "cache",
            )  # fmt: skip
            tuned_build_s = time.perf_counter() - start
            save_index(tuned, Path(tmp) / "tuned-index")
            tuned_kb = KnowledgeBase.load(Path(tmp) / "tuned-index", embedder)
            rows += ablation(tuned_kb, calib, test, prefix="with fine-tuning: ")

        print(f"load average during the run: {os.getloadavg()[0]:.1f} (2 cores)\n")
        print("| measure | value |\n|---|---|")
        print(f"| model load | {load_s:.1f} s |")
        print(f"| build of our KB ({len(data.entry_ids)} entries, "
              f"{data.manifest['vectors']} vectors) | {build_s:.1f} s |")  # fmt: skip
        clf = data.manifest["classifier"] or {}
        print(f"| of which the classifier | {clf.get('train_seconds')} s |")
        if not args.no_finetuned:
            print(f"| the same build with fine-tuning | {tuned_build_s:.1f} s |")
        print(f"| calibration | {calibrate_s:.1f} s |")
        for key, value in lat.items():
            unit = "" if key.startswith("ratio") else " ms"
            print(f"| {key.replace('_', ' ')} | {value}{unit} |")
        print(f"| calibrated params | `{json.dumps(kb.params.to_json())}` |\n")

        cols = ("in_scope_accuracy", "oos_recall", "false_rejection", "recall_at_3",
                "mrr")  # fmt: skip
        print("| variant (test split) | w | c | t | " + " | ".join(cols)
              + " | top-1 en / fr / es |")  # fmt: skip
        print("|---" * (len(cols) + 5) + "|")
        for label, m in rows:
            per = " / ".join(fmt(m["per_language"][lang]["in_scope_accuracy"])
                             for lang in ("en", "fr", "es"))  # fmt: skip
            print(f"| {label} | {m['w']} | {m['c']} | {m['t']} | "
                  + " | ".join(fmt(m[c]) for c in cols) + f" | {per} |")  # fmt: skip

        if args.synthetic:
            n_queries = args.synthetic
            faq, labelled = synthetic(Path(tmp), args.synthetic, n_queries)
            out = str(Path(tmp) / "synthetic-index")
            b = run_cli("build", "--source", str(faq), "--out", out, "--quiet")
            c = run_cli("calibrate", "--index", out, "--queries", str(labelled))
            e = run_cli("eval", "--index", out, "--queries", str(labelled), "--json")
            print(f"\nCLI at scale: {args.synthetic} entries ({3 * args.synthetic} "
                  f"questions), {n_queries} queries: build {b} s, calibrate {c} s, "
                  f"eval {e} s (each including a model load)")  # fmt: skip


if __name__ == "__main__":
    main()
