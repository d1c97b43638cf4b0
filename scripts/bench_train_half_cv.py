"""What the second blind set's held-out half should score: k-fold CV over its
training half. Prints markdown.

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_train_half_cv.py \
        [--train-half knowledge/eval/blind2_train_half.jsonl] [--folds 5]

The training half's questions are training data (knowledge/corpus/user_questions.jsonl).
Per fold, the index is built without that fold's questions (from a copy of the corpus
whose user questions leave them out), calibrated on eval/calibration.jsonl as ``make
kb`` does, and asked the fold's questions with no language hint, as the chat's search
is. A question is answered right when its answer is one the row accepts; MISSING rows
(a fact no entry states) count as misses, as in the lead's reading, and are also
reported apart. Embeddings are computed once for all folds (the costly part).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge.calibration import calibrate  # noqa: E402
from knowledge.calibration_cv import cross_validate  # noqa: E402
from knowledge.corpus import (  # noqa: E402
    CORPUS_DIR,
    USER_QUESTIONS,
    load_corpus,
    load_negatives,
)
from knowledge.embedders import SentenceTransformerEmbedder  # noqa: E402
from knowledge.engine import KnowledgeBase  # noqa: E402
from knowledge.index import (  # noqa: E402
    build_index,
    index_embedder,
    lexical_documents,
    read_manifest,
    save_index,
)
from knowledge.lexical import LexicalIndex  # noqa: E402
from knowledge.project import CALIBRATION_FILE, project_asked_check  # noqa: E402
from knowledge.records import read_queries  # noqa: E402

LANGS = ("en", "fr", "es")
INDEX = ROOT / "var" / "index"


class CachedEmbedder:
    """The index's own embedder, each text encoded once across folds. It has no
    ``with_weights``, so ``build_index`` uses it as it is."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._cache: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return str(self._inner.name)

    @property
    def dimension(self) -> int:
        return int(self._inner.dimension)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            order = sorted(missing, key=len)  # similar lengths per batch
            for start in range(0, len(order), 128):
                batch = order[start : start + 128]
                for text, row in zip(batch, self._inner.encode(batch), strict=True):
                    self._cache[text] = row
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._cache[t] for t in texts]).astype(np.float32)

    def load(self, path: Path) -> None:
        if path.is_file():
            saved = np.load(path)
            self._cache.update(
                zip(saved["texts"].tolist(), saved["vectors"], strict=True)
            )

    def save(self, path: Path) -> None:
        texts = list(self._cache)
        np.savez(path, texts=np.array(texts),
                 vectors=np.vstack([self._cache[t] for t in texts]))  # fmt: skip


def fold_corpus(tmp: Path, leave_out: set[str]) -> Path:
    """A copy of the corpus whose user questions leave out ``leave_out``."""
    corpus = tmp / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    shutil.copytree(CORPUS_DIR, corpus)
    lines = (CORPUS_DIR / USER_QUESTIONS).read_text(encoding="utf-8").splitlines()
    kept = [
        line
        for line in lines
        if line.strip() and json.loads(line)["text"].strip() not in leave_out
    ]
    (corpus / USER_QUESTIONS).write_text("\n".join(kept) + "\n", encoding="utf-8")
    return corpus


def folds_of(rows: list[dict[str, Any]], k: int, seed: int) -> list[list[int]]:
    """``k`` folds, each language and kind spread evenly over them."""
    rng = np.random.default_rng(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    groups: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault((row["lang"], row["kind"]), []).append(i)
    turn = 0
    for key in sorted(groups):
        for i in rng.permutation(groups[key]):
            folds[turn % k].append(int(i))
            turn += 1
    return folds


def is_right(row: dict[str, Any], got: str | None, honest: set[str]) -> bool:
    if row["kind"] == "answerable":
        return got in (row.get("accept") or [row["expected"]])
    if row["kind"] == "unknown":
        return got is None or got in honest
    return got is None


def judge(kb: KnowledgeBase, row: dict[str, Any], honest: set[str]) -> dict[str, Any]:
    """The verdict, and what the answer would be at any threshold (``best``: the
    entry answered when the score passes, after the what-is-asked check)."""
    result = kb.search(row["text"])
    got = result.hits[0].entry_id if result.answered else None
    best = kb.check_asked(row["text"], replace(result, answered=True)).hits[0]
    return {"right": is_right(row, got, honest), "got": got,
            "declined": got is None, "score": best.score, "best": best.entry_id,
            "best_right": is_right(row, best.entry_id, honest),
            "threshold": kb.params_for(result.lang).threshold}  # fmt: skip


def offsets(rows: list[dict[str, Any]], verdicts: list[dict[str, Any]]) -> None:
    """Answered right / out of scope and unknowns right, per language, if the
    threshold were lowered by each offset (a diagnosis, not a decision)."""
    print("\n| lang | offset | answerable right | unknowns + out of scope right |")
    print("|---|---|---|---|")
    for lang in LANGS:
        for offset in (0.0, 0.02, 0.04, 0.06, 0.08, 0.1):
            ans, other, n_ans, n_other = 0, 0, 0, 0
            for r, v in zip(rows, verdicts, strict=True):
                if r["lang"] != lang:
                    continue
                answered = v["score"] >= v["threshold"] - offset
                right = v["best_right"] if answered else is_right(r, None, set())
                if r["kind"] == "answerable":
                    n_ans, ans = n_ans + 1, ans + right
                else:
                    n_other, other = n_other + 1, other + right
            print(f"| {lang} | {offset} | {100 * ans / n_ans:.1f} | "
                  f"{100 * other / n_other:.1f} |")  # fmt: skip


def table(rows: list[dict[str, Any]], verdicts: list[dict[str, Any]]) -> None:
    def pct(n: int, d: int) -> str:
        return f"{100 * n / d:.1f}" if d else "-"

    print("| lang | answerable right | (entry exists) | wrongly declined | "
          "unknowns honest | out of scope declined |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for lang in (*LANGS, "all"):
        pick = [
            (r, v)
            for r, v in zip(rows, verdicts, strict=True)
            if lang in ("all", r["lang"])
        ]
        ans = [(r, v) for r, v in pick if r["kind"] == "answerable"]
        real = [(r, v) for r, v in ans if r["expected"] != "MISSING"]
        unk = [v for r, v in pick if r["kind"] == "unknown"]
        oos = [v for r, v in pick if r["kind"] == "out_of_scope"]
        n_right = sum(v["right"] for _, v in ans)
        print(
            f"| {lang} | {pct(n_right, len(ans))} ({n_right}/{len(ans)}) | "
            f"{pct(sum(v['right'] for _, v in real), len(real))} | "
            f"{pct(sum(v['declined'] for _, v in ans), len(ans))} | "
            f"{pct(sum(v['right'] for v in unk), len(unk))} | "
            f"{pct(sum(v['right'] for v in oos), len(oos))} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--train-half",
        type=Path,
        default=ROOT / "knowledge" / "eval" / "blind2_train_half.jsonl",
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--reuse", type=Path,
        help="keep each fold's index here and reuse it (query-time changes only)",
    )  # fmt: skip
    parser.add_argument(
        "--vectors", type=Path, help="embedding cache file (.npz) to reuse"
    )
    parser.add_argument("--rebuild-lexical", action="store_true")
    parser.add_argument(
        "--no-lexical-answers", action="store_true",
        help="BM25 without the answers (before session 10)",
    )  # fmt: skip
    parser.add_argument(
        "--calibration-cv", type=int, default=0, metavar="REPEATS",
        help="instead: 5-fold CV inside calibration.jsonl on the full corpus",
    )  # fmt: skip
    parser.add_argument("--oos-floor", type=float, help="calibration's OOS_FLOOR")
    parser.add_argument(
        "--shared-params", action="store_true",
        help="one set of decision parameters for every language (before session 11)",
    )  # fmt: skip
    parser.add_argument("--offsets", action="store_true", help="threshold diagnosis")
    parser.add_argument("--misses", type=Path, help="write each fold verdict here")
    args = parser.parse_args()
    if args.no_lexical_answers:
        import knowledge.index

        knowledge.index.LEXICAL_ANSWERS = False
    if args.oos_floor is not None:
        import knowledge.thresholds

        knowledge.thresholds.OOS_FLOOR = args.oos_floor
    rows = [json.loads(line) for line in args.train_half.open(encoding="utf-8")]
    calib = read_queries(CALIBRATION_FILE)
    base = SentenceTransformerEmbedder()
    embedder = CachedEmbedder(index_embedder(INDEX, read_manifest(INDEX), base))
    if args.vectors:
        embedder.load(args.vectors)
    verdicts: list[dict[str, Any]] = [{} for _ in rows]
    started = time.perf_counter()

    def fold_kb(tmp: Path, leave_out: set[str], name: str) -> Any:
        corpus = fold_corpus(tmp, leave_out)
        records = load_corpus(corpus)
        saved = args.reuse / name if args.reuse else None
        if saved is not None and saved.is_dir():
            kb = KnowledgeBase.load(saved, embedder)  # type: ignore[arg-type]
            if args.rebuild_lexical:  # the saved one may predate a change
                position = {e: i for i, e in enumerate(kb.entry_ids)}
                kb._data.lexical = LexicalIndex()
                kb._data.lexical.build(lexical_documents(records, position))
        else:
            data = build_index(
                records, embedder, "cv", progress=False,
                negatives=load_negatives(corpus),
            )  # fmt: skip
            data.asked = project_asked_check(records)
            if saved is not None:
                save_index(data, saved)
            kb = KnowledgeBase(data, embedder)
        return kb, records

    if args.calibration_cv:
        with tempfile.TemporaryDirectory() as tmp:
            kb, _ = fold_kb(Path(tmp), set(), "full")
            m = cross_validate(
                kb, calib, repeats=args.calibration_cv,
                per_language=not args.shared_params,
            )  # fmt: skip
        cols = ("in_scope_accuracy", "oos_recall", "false_rejection")
        print(f"5-fold CV in calibration.jsonl, {args.calibration_cv} reshuffles")
        for key in (None, *LANGS):
            part = m if key is None else m[key]
            print(key or "all", " ".join(
                f"{c} {part[c]['mean']:.1%} ± {part[c]['std']:.1%}" for c in cols
            ))  # fmt: skip
        if args.vectors:
            embedder.save(args.vectors)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for number, fold in enumerate(folds_of(rows, args.folds, args.seed), 1):
            leave_out = {rows[i]["text"].strip() for i in fold}
            kb, records = fold_kb(Path(tmp), leave_out, f"fold{number}")
            calibrate(kb, calib, per_language=not args.shared_params).apply(kb)
            honest = {r.id for r in records if "{contact}" in r.answer}
            for i in fold:
                verdicts[i] = {**judge(kb, rows[i], honest), "fold": number}
            by_lang = {k: v.to_json() for k, v in kb.params_by_lang.items()}
            print(f"fold {number}: {len(fold)} questions, params "
                  f"{json.dumps(kb.params.to_json())}, per language "
                  f"{json.dumps(by_lang)}", file=sys.stderr)  # fmt: skip
    if args.vectors:
        embedder.save(args.vectors)
    print(f"{args.folds}-fold CV over {args.train_half.name} ({len(rows)} rows), "
          f"{time.perf_counter() - started:.0f} s, "
          f"load {os.getloadavg()[0]:.1f}\n")  # fmt: skip
    table(rows, verdicts)
    if args.offsets:
        offsets(rows, verdicts)
    if args.misses:
        with args.misses.open("w", encoding="utf-8") as handle:
            for row, verdict in zip(rows, verdicts, strict=True):
                handle.write(json.dumps({**row, **verdict}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
