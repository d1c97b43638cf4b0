"""Decision parameters per language, chosen jointly under one out-of-scope floor.

Each language with enough calibration queries gets its own threshold and margin,
but the floor on declined off-topic questions is the pooled one: a language whose
off-topic questions score high may decline a few fewer of them while another
declines more, instead of each raising its own threshold to its own 95 % (session
10 tried that: French and Spanish thresholds went up and their blind questions were
declined). ``knowledge/calibration.py`` feeds it its ranked grid points.

A language's threshold is never below the shared one. Fitted on its own 72-109
off-topic questions, a lower one overfitted: cross-validated on the calibration
split, out of scope declined 93.4 % against 95.0 % with the shared parameters;
with this bound 95.2 %, top-1 94.4 -> 94.2 %, wrongly declined 2.4 -> 2.8 %
(docs/BENCHMARKS.md, session 13).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, Self, TypeVar

import numpy as np

from knowledge.fusion import DecisionParams

# A language gets its own parameters only with at least this many calibration
# queries of each kind (otherwise it keeps the shared ones): ours have 475-543
# in scope and 72-109 out of scope per language.
MIN_IN_SCOPE = 100
MIN_OUT_OF_SCOPE = 20
# Only the threshold and the margin are a language's own; the weights and lexical
# scope stay the shared ones. Each language its own weights too was cross-validated
# on the calibration split (docs/BENCHMARKS.md, session 11) and not kept: out of
# scope declined fell 94.5 -> 92.3 % (French 92.4 -> 86.7 %) and English top-1
# 96.9 -> 96.6 %, for +1 English and +1 Spanish question of the training half.


class Ranked(Protocol):
    """A grid point's best score per query, and whether it ranks right."""

    @property
    def top(self) -> np.ndarray: ...
    @property
    def correct(self) -> np.ndarray: ...
    @property
    def in_scope(self) -> np.ndarray: ...
    def subset(self, rows: np.ndarray) -> Self: ...


R = TypeVar("R", bound=Ranked)
R_co = TypeVar("R_co", bound=Ranked, covariant=True)


class Candidate(Protocol[R_co]):
    @property
    def params(self) -> DecisionParams: ...
    @property
    def ranked(self) -> R_co: ...


@dataclass(frozen=True)
class Option:
    """One way of deciding a language's queries: ``right`` decisions, of which
    ``declined`` out-of-scope ones, at ``threshold``."""

    right: int
    declined: int
    threshold: float


def threshold_options(
    top: np.ndarray,
    correct: np.ndarray,
    in_scope: np.ndarray,
    lowest: float = -np.inf,
) -> dict[int, Option]:
    """Per number of declined out-of-scope queries, the threshold (at least
    ``lowest``) answering most in-scope queries right (centred on its plateau, as
    the shared choice is)."""
    values = np.unique(top)
    if len(values) == 0:
        return {}
    ts = np.concatenate(
        [[values[0] - 1e-3], (values[:-1] + values[1:]) / 2, [values[-1] + 1e-3]]
    )
    ts = np.unique(np.maximum(ts, lowest))
    right_in_scores = np.sort(top[in_scope & correct])
    oos_scores = np.sort(top[~in_scope])
    right_in = len(right_in_scores) - np.searchsorted(right_in_scores, ts, "left")
    declined = np.searchsorted(oos_scores, ts, "left")
    options: dict[int, Option] = {}
    for d in np.unique(declined):
        rows = np.flatnonzero(declined == d)
        best = right_in[rows].max()
        plateau = rows[right_in[rows] == best]
        t = float(ts[plateau[len(plateau) // 2]])
        options[int(d)] = Option(int(best + d), int(d), t)
    return options


def combine(per_lang: Sequence[dict[int, Option]], need: int) -> list[Option] | None:
    """One option per language maximising right decisions with at least ``need``
    out-of-scope queries declined in all; None when no combination reaches it."""
    # frontier: total declined -> (total right, chosen options)
    frontier: dict[int, tuple[int, list[Option]]] = {0: (0, [])}
    for options in per_lang:
        grown: dict[int, tuple[int, list[Option]]] = {}
        for d0, (r0, chosen) in frontier.items():
            for d, option in options.items():
                key, right = d0 + d, r0 + option.right
                if key not in grown or right > grown[key][0]:
                    grown[key] = (right, [*chosen, option])
        frontier = grown
    feasible = [(r, -d, chosen) for d, (r, chosen) in frontier.items() if d >= need]
    if not feasible:
        return None
    return max(feasible, key=lambda item: (item[0], item[1]))[2]


def _same_point(a: DecisionParams, b: DecisionParams) -> bool:
    return (a.lexical_scope, a.lexical_weight, a.classifier_weight) == (
        b.lexical_scope,
        b.lexical_weight,
        b.classifier_weight,
    )


def choose_by_lang(
    candidates: Sequence[Candidate[R]],
    langs: np.ndarray,
    shared: DecisionParams,
    floor: float,
    best_margin: Callable[[R, float], float],
    rows: np.ndarray | None = None,
) -> dict[str, DecisionParams]:
    """Each language with enough queries (of ``rows``; all when None) its own
    threshold and margin at the shared grid point, chosen together:
    most right decisions in all, with at least ``floor`` of the out-of-scope queries
    declined over all languages. Empty (the shared parameters for everyone) for a
    single language, or when no combination reaches the floor."""
    rows = np.arange(len(langs)) if rows is None else rows
    in_scope = candidates[0].ranked.in_scope
    eligible, others = [], []
    for lang in sorted(set(langs[rows].tolist())):
        mine = rows[langs[rows] == lang]
        n_in = int(in_scope[mine].sum())
        if n_in >= MIN_IN_SCOPE and len(mine) - n_in >= MIN_OUT_OF_SCOPE:
            eligible.append((lang, mine))
        else:
            others.append(mine)
    if not eligible or (len(eligible) == 1 and not others):
        return {}
    at_shared = next(c for c in candidates if _same_point(c.params, shared))
    # Languages left with the shared parameters decline what those decline.
    fixed = 0
    if others:
        r = at_shared.ranked.subset(np.concatenate(others))
        fixed = int(((r.top < shared.threshold) & ~r.in_scope).sum())
    need = int(np.ceil(floor * (~in_scope[rows]).sum() - 1e-9)) - fixed
    per_lang = []
    for _lang, mine in eligible:
        r = at_shared.ranked.subset(mine)
        per_lang.append(
            threshold_options(r.top, r.correct, r.in_scope, shared.threshold)
        )
    chosen = combine(per_lang, need)
    if chosen is None:
        return {}
    return {
        lang: at_shared.params.with_(
            threshold=round(option.threshold, 4),
            margin=best_margin(at_shared.ranked.subset(mine), option.threshold),
        )
        for (lang, mine), option in zip(eligible, chosen, strict=True)
    }
