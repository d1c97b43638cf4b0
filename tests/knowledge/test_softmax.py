"""The classifier's own fit reaches scikit-learn's optimum, faster, and reproducibly."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression

from knowledge import softmax


def _problem(
    classes: int, rows: int = 240, seed: int = 0
) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    """Sparse n-gram-like counts and dense vectors that carry some of the label."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, rows)
    counts = rng.poisson(0.05, (rows, 300)).astype(np.float64)
    counts[np.arange(rows), labels * 7] += 1.0  # an n-gram typical of each class
    dense = rng.normal(size=(rows, 16)) + labels[:, None] * 0.3
    return csr_matrix(counts), dense, labels


def _objective(model: softmax.SoftmaxWeights, sparse, dense, labels, c) -> float:
    proba = model.probabilities(sparse, dense)
    rows = np.arange(len(labels))
    targets = np.searchsorted(model.classes, labels)
    penalty = (model.sparse**2).sum() + (model.dense**2).sum()
    return float(-np.log(proba[rows, targets]).mean() + penalty / (2 * c * len(labels)))


@pytest.mark.parametrize("classes", [3, 7])
def test_the_fit_reaches_scikit_learns_optimum(classes: int) -> None:
    sparse, dense, labels = _problem(classes)
    ours = softmax.fit(sparse, dense, labels, c=5.0, tol=1e-7)
    reference = LogisticRegression(C=5.0, tol=1e-10, max_iter=10_000).fit(
        hstack([sparse, csr_matrix(dense)]).tocsr(), labels
    )
    assert ours.converged
    reference_proba = reference.predict_proba(hstack([sparse, csr_matrix(dense)]))
    assert np.allclose(ours.probabilities(sparse, dense), reference_proba, atol=1e-5)
    assert np.allclose(ours.sparse.T, reference.coef_[:, :300], atol=1e-3)


def test_a_looser_tolerance_stops_earlier_at_a_higher_loss() -> None:
    sparse, dense, labels = _problem(5)
    loose = softmax.fit(sparse, dense, labels, c=50.0, tol=1e-2)
    tight = softmax.fit(sparse, dense, labels, c=50.0, tol=1e-6)
    assert loose.converged and tight.converged
    assert loose.iterations < tight.iterations
    assert _objective(loose, sparse, dense, labels, 50.0) > _objective(
        tight, sparse, dense, labels, 50.0
    )


def test_the_same_data_gives_the_same_weights() -> None:
    sparse, dense, labels = _problem(4)
    first = softmax.fit(sparse, dense, labels, c=50.0, tol=1e-5)
    second = softmax.fit(sparse, dense, labels, c=50.0, tol=1e-5)
    assert np.array_equal(first.sparse, second.sparse)
    assert np.array_equal(first.intercept, second.intercept)


def test_labels_keep_their_values_and_one_class_is_certain() -> None:
    sparse, dense, labels = _problem(3)
    model = softmax.fit(sparse, dense, labels + 10, c=50.0, tol=1e-4)
    assert model.classes.tolist() == [10, 11, 12]
    single = softmax.fit(sparse, dense, np.zeros(len(labels), int), c=50.0, tol=1e-4)
    assert single.converged
    assert np.allclose(single.probabilities(sparse, dense), 1.0)


def test_an_iteration_cap_is_reported_as_not_converged() -> None:
    sparse, dense, labels = _problem(5)
    capped = softmax.fit(sparse, dense, labels, c=50.0, tol=1e-8, max_iter=3)
    assert not capped.converged and capped.iterations == 3


def _gradient(model: softmax.SoftmaxWeights, sparse, dense, labels, c) -> np.ndarray:
    """The objective's gradient at the fitted weights, computed densely here."""
    features = np.hstack([sparse.toarray(), dense])
    residual = model.probabilities(sparse, dense)
    residual[np.arange(len(labels)), np.searchsorted(model.classes, labels)] -= 1.0
    residual /= len(labels)
    weights = np.vstack([model.sparse, model.dense])
    return np.vstack(
        [features.T @ residual + weights / (c * len(labels)), residual.sum(axis=0)]
    )


@pytest.mark.parametrize("tol", [1e-3, 1e-5])
def test_a_converged_fit_is_within_its_tolerance(tol: float) -> None:
    """What the build's manifest reports as converged is: no weight's gradient above
    ``tol`` (the classifier's TOL), checked outside the fit's own arithmetic."""
    sparse, dense, labels = _problem(6, rows=400, seed=3)
    model = softmax.fit(sparse, dense, labels, c=50.0, tol=tol)
    assert model.converged
    gradient = _gradient(model, sparse, dense, labels, 50.0)
    assert np.abs(gradient).max() <= tol
    # More than a few steps: the two-loop's memory wrapped around.
    assert model.iterations > softmax.MEMORY
