"""Multinomial logistic regression on [sparse n-grams | dense vectors], by L-BFGS.

The objective is scikit-learn's ``LogisticRegression(C=c)``: the mean log-loss plus
``||W||^2 / (2 c n)``, the intercept not penalised, so the optimum is the same. The fit
is ours for speed: scikit-learn goes through SciPy's L-BFGS-B, whose bound handling
cost three times our loss-and-gradient per iteration on the project's 5 million
weights (106 classes x 50k features), so fitting to convergence took 136 s of build.
Here an iteration is the loss and gradient (the dense columns through BLAS, not as
sparse entries) and two matrix products over the kept pairs of past steps: a vector
of weights is 43 MB, so passes over memory are the cost. Nothing that size is
allocated per call, and the two-loop runs on inner products (``_lbfgs``); session 15
measured the fit's CPU time 40.7 -> 32.5 s, the weights equal to 1e-8.
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
        self,
        sparse: csr_matrix,
        dense: np.ndarray,
        targets: np.ndarray,
        classes: int,
        c: float,
    ) -> None:
        self.sparse = sparse
        self.sparse_t = sparse.T.tocsr()  # X.T @ G is faster from a CSR transpose
        self.dense = dense
        self.targets = targets
        self.rows = np.arange(len(targets))
        self.alpha = 1.0 / (c * len(targets))
        self.split = (sparse.shape[1], sparse.shape[1] + dense.shape[1])
        # The penalty's gradient, alpha * weights, computed into the same buffer.
        self.penalty = np.empty((self.split[1], classes))

    def __call__(self, weights: np.ndarray, gradient: np.ndarray) -> float:
        """The loss at ``weights``; its gradient is written into ``gradient``.

        No array of the weights' size is allocated: at 5 million weights a fresh one
        costs its page faults and zeroing on every call."""
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
        np.multiply(weights[:b], self.alpha, out=self.penalty)
        np.add(self.sparse_t @ z, self.penalty[:a], out=gradient[:a])
        np.add(self.dense.T @ z, self.penalty[a:], out=gradient[a:b])
        z.sum(axis=0, out=gradient[b])
        return loss


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
        len(classes),
        c,
    )
    a, b = objective.split
    shape = (b + 1, len(classes))

    def flat(weights: np.ndarray, gradient: np.ndarray) -> float:
        return objective(weights.reshape(shape), gradient.reshape(shape))

    weights, iterations, converged = _lbfgs(
        flat, np.zeros(shape[0] * shape[1]), tol, max_iter
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


# The loss at a point, its gradient written into the second argument.
LossAndGradient = Callable[[np.ndarray, np.ndarray], float]


def _lbfgs(
    objective: LossAndGradient, x: np.ndarray, tol: float, max_iter: int
) -> tuple[np.ndarray, int, bool]:
    """L-BFGS with a backtracking (Armijo) line search; the loss is strictly convex,
    so every accepted step has positive curvature.

    The two-loop recursion runs on the inner products of the past steps, their
    gradient changes and the gradient ("vector-free" L-BFGS, Chen et al. 2014), the
    same direction in exact arithmetic: at 5 million weights each pass over a vector
    counts, and the vector two-loop made 40 of them per iteration. Here the direction
    is one matrix product over the kept pairs and the gradient's products with them
    another; the other new products follow from those already known, by linearity,
    except the few of the new pair with itself."""
    n = x.size
    gradient = np.empty_like(x)
    loss = objective(x, gradient)
    # Rows: the past steps (0..MEMORY-1) and their gradient changes (MEMORY..),
    # rings, zero until used.
    pairs = np.zeros((2 * MEMORY, n))
    g = 2 * MEMORY  # the gradient's row and column in gram
    gram = np.zeros((g + 1, g + 1))  # inner products of the pairs and the gradient
    gram[g, g] = ddot(gradient, gradient)
    rho = np.zeros(MEMORY)
    alpha = np.zeros(MEMORY)
    direction = np.empty_like(x)
    trial = np.empty_like(x)
    trial_gradient = np.empty_like(x)
    used = head = 0
    for iteration in range(max_iter):
        if max(gradient.max(), -gradient.min()) <= tol:
            return x, iteration, True
        # Two-loop recursion on coefficients: direction = sum(coef * [pairs; grad]).
        coef = np.zeros(g + 1)
        coef[g] = 1.0
        newest_first = [(head - 1 - i) % MEMORY for i in range(used)]
        for j in newest_first:
            alpha[j] = rho[j] * (gram[j] @ coef)
            coef[MEMORY + j] -= alpha[j]
        if used:
            j = newest_first[0]
            coef *= gram[j, MEMORY + j] / gram[MEMORY + j, MEMORY + j]
        else:
            coef /= np.sqrt(gram[g, g])
        for j in reversed(newest_first):
            beta = rho[j] * (gram[MEMORY + j] @ coef)
            coef[j] += alpha[j] - beta
        np.dot(coef[:g], pairs, out=direction)
        daxpy(gradient, direction, a=coef[g])
        # The direction's inner products with every row, and so the step's.
        along = gram @ coef
        slope = -along[g]
        step = 1.0
        while True:
            np.copyto(trial, x)
            daxpy(direction, trial, a=-step)
            trial_loss = objective(trial, trial_gradient)
            if trial_loss <= loss + ARMIJO * step * slope:
                break
            step *= 0.5
            if step < MIN_STEP:
                return x, iteration, False
        s, y = head, MEMORY + head
        np.subtract(trial, x, out=pairs[s])
        np.subtract(trial_gradient, gradient, out=pairs[y])
        new_gradient = pairs @ trial_gradient  # with the new pair too
        old_gradient = gram[g, :g].copy()
        # Products with the older rows: the step is -step * direction, the change
        # the difference of the gradients.
        gram[s, :g] = gram[:g, s] = -step * along[:g]
        gram[y, :g] = gram[:g, y] = new_gradient - old_gradient
        gram[s, s] = ddot(pairs[s], pairs[s])
        gram[s, y] = gram[y, s] = ddot(pairs[s], pairs[y])
        gram[y, y] = ddot(pairs[y], pairs[y])
        gram[g, :g] = gram[:g, g] = new_gradient
        gram[g, g] = ddot(trial_gradient, trial_gradient)
        curvature = gram[s, y]
        if curvature > 0:
            rho[head] = 1.0 / curvature
            head = (head + 1) % MEMORY
            used = min(used + 1, MEMORY)
        x, trial = trial, x
        gradient, trial_gradient = trial_gradient, gradient
        loss = trial_loss
    return x, max_iter, False
