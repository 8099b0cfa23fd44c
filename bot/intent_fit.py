"""Fitting the router's weights: two L2-regularised logistic regressions, by Newton's method.

A few dozen numbers on about twenty features: Newton converges in a handful of steps and needs
no library beyond numpy. The fitted weights are written into config/intent_cues.yaml by hand
(`manage.py route-eval --fit` prints the block); nothing fitted is stored anywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from bot.intent_cues import Stage
from bot.intent_kinds import MessageKind

Matrix = NDArray[np.float64]
Labels = NDArray[np.bool_]
Indices = NDArray[np.intp]

DEFAULT_L2 = 1.0
_STEPS = 50
_TOLERANCE = 1e-8
_DIGITS = 3  # weights are kept to three decimals in the YAML


def fit_logistic(x: Matrix, y: Labels, l2: float = DEFAULT_L2) -> tuple[float, Matrix]:
    """Bias and weights maximising the log-likelihood minus l2/2 · |weights|² (bias free)."""
    rows, cols = x.shape
    design = np.hstack([np.ones((rows, 1)), x])
    target = y.astype(np.float64)
    theta = np.zeros(cols + 1)
    penalty = np.full(cols + 1, l2)
    penalty[0] = 0.0  # the bias carries the base rate and is not shrunk
    for _ in range(_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ theta, -30.0, 30.0)))
        gradient = design.T @ (p - target) + penalty * theta
        hessian = (design * (p * (1.0 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if float(np.max(np.abs(step))) < _TOLERANCE:
            break
    return float(theta[0]), theta[1:]


def _stage(bias: float, weights: Matrix, names: Sequence[str]) -> Stage:
    return Stage(
        bias=round(bias, _DIGITS),
        weights={n: round(float(w), _DIGITS) for n, w in zip(names, weights, strict=True)},
    )


def fit_stages(
    x: Matrix, kinds: Sequence[MessageKind], names: Sequence[str], l2: float = DEFAULT_L2
) -> tuple[Stage, Stage]:
    """The two steps of the router: not a policy question; then complaint/help vs suggestion."""
    labels = np.array([k.value for k in kinds])
    not_question = labels != MessageKind.POLICY_QUESTION.value
    first = _stage(*fit_logistic(x, not_question, l2), names)
    other = x[not_question]
    complaint = labels[not_question] == MessageKind.COMPLAINT_OR_HELP.value
    second = _stage(*fit_logistic(other, complaint, l2), names)
    return first, second


def stratified_folds(kinds: Sequence[MessageKind], folds: int, seed: int) -> list[Indices]:
    """Test indices of each fold; every kind is spread evenly over the folds."""
    rng = np.random.default_rng(seed)
    buckets: list[list[int]] = [[] for _ in range(folds)]
    labels = np.array([k.value for k in kinds])
    for kind in sorted(set(labels)):
        members = np.flatnonzero(labels == kind)
        rng.shuffle(members)
        for position, index in enumerate(members):
            buckets[position % folds].append(int(index))
    return [np.array(sorted(b), dtype=np.intp) for b in buckets]


def stages_yaml(first: Stage, second: Stage, threshold: float) -> str:
    """The `model:` block of config/intent_cues.yaml, ready to paste."""
    lines = ["model:", f"  threshold: {threshold}"]
    for key, stage in (("not_question", first), ("complaint_vs_suggestion", second)):
        lines += [f"  {key}:", f"    bias: {stage.bias}", "    weights:"]
        lines += [f"      {name}: {weight}" for name, weight in stage.weights.items()]
    return "\n".join(lines) + "\n"
