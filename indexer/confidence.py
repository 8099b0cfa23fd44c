"""Turning a result's features into a calibrated probability that the best record is right.

A logistic model over a few features that mean the same thing on any corpus (the share of the
question's words the record contains, fuzzy similarity, the margin over the runner-up bounded by
the better of those two). Its coefficients are fitted by `manage.py calibrate` on labelled
questions (docs/search.md says how) and kept in config/calibrated.py, the settings' defaults.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from config import calibrated


@dataclass(frozen=True)
class Features:
    coverage: float
    similarity: float
    margin: float
    matched_words: int = 0

    def vector(self) -> list[float]:
        return [self.coverage, self.similarity, self.standing]

    @property
    def standing(self) -> float:
        """The margin, bounded by how well the record matches the question (its coverage or
        its question's similarity, whichever is higher). A record that is the only one to
        contain one rare word of the question stands far ahead without answering it: 机动车号牌
        可以随机动车过户吗 found the work-injury regulation alone (机动车 in 上下班途中受到机动车
        事故伤害), margin 0.69 at coverage 0.32, and was answered at 0.83 (docs/search.md)."""
        return min(self.margin, max(self.coverage, self.similarity))


@dataclass(frozen=True)
class ConfidenceModel:
    weights: tuple[float, float, float] = calibrated.CONFIDENCE_WEIGHTS
    bias: float = calibrated.CONFIDENCE_BIAS

    def predict(self, features: Features) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, features.vector(), strict=True))
        return 1.0 / (1.0 + math.exp(-z))


def fit(
    samples: Sequence[Features], correct: Sequence[bool], *, steps: int = 3000
) -> ConfidenceModel:
    """Logistic regression by gradient descent (a few hundred samples: no library needed)."""
    x = np.array([s.vector() for s in samples], dtype=np.float64)
    y = np.array(correct, dtype=np.float64)
    w = np.zeros(x.shape[1])
    b = 0.0
    rate = 0.5
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        gradient = p - y
        w -= rate * (x.T @ gradient) / len(y) + rate * 1e-3 * w
        b -= rate * float(gradient.mean())
    return ConfidenceModel(weights=(float(w[0]), float(w[1]), float(w[2])), bias=b)
