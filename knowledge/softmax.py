"""Multinomial logistic regression on [sparse n-grams | dense vectors], by L-BFGS.

The objective is scikit-learn's ``LogisticRegression(C=c)``: the mean log-loss plus
``||W||^2 / (2 c n)``, the intercept not penalised, so the optimum is the same. The fit
is ours for speed: scikit-learn goes through SciPy's L-BFGS-B, whose bound handling
cost three times our loss-and-gradient per iteration on the project's 5 million
weights (106 classes x 47k features), so fitting to convergence took 136 s of build.
Here an iteration is the loss and gradient (the dense columns through BLAS, not as
sparse entries) and a few in-place vector operations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.linalg.blas import daxpy, ddot
from scipy.sparse import csr_matrix
from scipy.special import logsumexp

# Pairs of past steps kept by L-BFGS: more cost more per iteration than they save.
MEMORY = 10
# Armijo's sufficient-decrease constant and the smallest step tried before stopping.
ARMIJO = 1e-4
MIN_STEP = 1e-10


@dataclass(frozen=True)
class SoftmaxWeights:
    classes: np.ndarray  # (k,) the labels, sorted
    sparse: np.ndarray  # (sparse features, k)
    dense: np.ndarray  # (dense features, k)
    intercept: np.ndarray  # (k,)
    iterations: int
    converged: bool

    def logits(self, sparse: csr_matrix, dense: np.ndarray) -> np.ndarray:
        return np.asarray(sparse @ self.sparse) + dense @ self.dense + self.intercept

    def probabilities(self, sparse: csr_matrix, dense: np.ndarray) -> np.ndarray:
        logits = self.logits(sparse, dense)
        return np.exp(logits - logsumexp(logits, axis=1, keepdims=True))


class _Objective:
    """Loss and gradient of the weights, stacked as [sparse; dense; intercept] rows."""

    def __init__(
        self, sparse: csr_matrix, dense: np.ndarray, targets: np.ndarray, c: float
    ) -> None:
        self.sparse = sparse
        self.sparse_t = sparse.T.tocsr()  # X.T @ G is faster from a CSR transpose
        self.dense = dense
        self.targets = targets
        self.rows = np.arange(len(targets))
        self.alpha = 1.0 / (c * len(targets))
        self.split = (sparse.shape[1], sparse.shape[1] + dense.shape[1])

    def __call__(self, weights: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = self.split
        z = self.sparse @ weights[:a]
        z += self.dense @ weights[a:b]
        z += weights[b]
        lse = logsumexp(z, axis=1)
        n = len(self.targets)
        penalised = weights[:b].ravel()
        loss = float(
            (lse - z[self.rows, self.targets]).mean()
            + 0.5 * self.alpha * ddot(penalised, penalised)
        )
        # z becomes the gradient of the loss with respect to the logits.
        z -= lse[:, None]
        np.exp(z, out=z)
        z[self.rows, self.targets] -= 1.0
        z /= n
        gradient = np.empty_like(weights)
        gradient[:a] = self.sparse_t @ z
        gradient[a:b] = self.dense.T @ z
        gradient[b] = z.sum(axis=0)
        gradient[:b] += self.alpha * weights[:b]
        return loss, gradient


def fit(
    sparse: csr_matrix,
    dense: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    c: float,
    tol: float,
    max_iter: int = 2000,
) -> SoftmaxWeights:
    """Fit until the largest gradient component is at most ``tol`` (scikit-learn's
    ``tol`` for L-BFGS), or no step decreases the loss, or ``max_iter``."""
    classes, targets = np.unique(np.asarray(labels), return_inverse=True)
    objective = _Objective(
        csr_matrix(sparse, dtype=np.float64),
        np.ascontiguousarray(dense, dtype=np.float64),
        targets,
        c,
    )
    a, b = objective.split
    shape = (b + 1, len(classes))
    weights, iterations, converged = _lbfgs(
        lambda flat: _flat(objective(flat.reshape(shape))),
        np.zeros(shape[0] * shape[1]),
        tol,
        max_iter,
    )
    weights = weights.reshape(shape)
    return SoftmaxWeights(
        classes=classes,
        sparse=np.ascontiguousarray(weights[:a]),
        dense=np.ascontiguousarray(weights[a:b]),
        intercept=weights[b].copy(),
        iterations=iterations,
        converged=converged,
    )


def _flat(result: tuple[float, np.ndarray]) -> tuple[float, np.ndarray]:
    return result[0], result[1].ravel()


LossAndGradient = Callable[[np.ndarray], tuple[float, np.ndarray]]


def _lbfgs(
    objective: LossAndGradient, x: np.ndarray, tol: float, max_iter: int
) -> tuple[np.ndarray, int, bool]:
    """L-BFGS with a backtracking (Armijo) line search; the loss is strictly convex,
    so every accepted step has positive curvature. The past steps live in two
    preallocated (MEMORY x n) arrays, used as rings: no 40 MB temporaries."""
    loss, gradient = objective(x)
    steps = np.zeros((MEMORY, x.size))
    changes = np.zeros((MEMORY, x.size))
    rho = np.zeros(MEMORY)
    alpha = np.zeros(MEMORY)
    direction = np.empty_like(x)
    trial = np.empty_like(x)
    used = head = 0
    for iteration in range(max_iter):
        if np.abs(gradient).max() <= tol:
            return x, iteration, True
        # Two-loop recursion: direction = H @ gradient (the step is its negative).
        np.copyto(direction, gradient)
        newest_first = [(head - 1 - i) % MEMORY for i in range(used)]
        for j in newest_first:
            alpha[j] = rho[j] * ddot(steps[j], direction)
            daxpy(changes[j], direction, a=-alpha[j])
        if used:
            j = newest_first[0]
            direction *= ddot(steps[j], changes[j]) / ddot(changes[j], changes[j])
        else:
            direction /= np.linalg.norm(gradient)
        for j in reversed(newest_first):
            beta = rho[j] * ddot(changes[j], direction)
            daxpy(steps[j], direction, a=alpha[j] - beta)
        slope = -ddot(gradient, direction)
        step = 1.0
        while True:
            np.copyto(trial, x)
            daxpy(direction, trial, a=-step)
            trial_loss, trial_gradient = objective(trial)
            if trial_loss <= loss + ARMIJO * step * slope:
                break
            step *= 0.5
            if step < MIN_STEP:
                return x, iteration, False
        np.subtract(trial, x, out=steps[head])
        np.subtract(trial_gradient, gradient, out=changes[head])
        curvature = ddot(steps[head], changes[head])
        if curvature > 0:
            rho[head] = 1.0 / curvature
            head = (head + 1) % MEMORY
            used = min(used + 1, MEMORY)
        x, trial = trial, x
        loss, gradient = trial_loss, trial_gradient
    return x, max_iter, False
