"""The confidence model and band thresholds last fitted by `manage.py calibrate`.

One place to write a refit (docs/search.md, "Confidence and bands" says how it is done): the
settings take their defaults from here, and so does the search itself, which evaluation and
tests build without settings. Fitted on 2026-12-06 on (coverage, similarity, standing).
"""

from __future__ import annotations

CONFIDENCE_WEIGHTS: tuple[float, float, float] = (5.879, 2.571, 4.113)
CONFIDENCE_BIAS = -2.824
ANSWER_THRESHOLD = 0.702
CLARIFY_THRESHOLD = 0.126
