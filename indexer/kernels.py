"""The scoring loop of a question, compiled (numba).

Adding a question's postings into the passage scores is the one loop whose work grows with the
base (4,600 postings at the median statutes question, 19,000 at its p99). In numpy it took one
Python slice per term, two concatenations, two `np.add.at` and a full pass for the scored
passages: about 44 µs at the median statutes question, 90 µs at the p99. Compiled, the same
additions in the same order, and the pass for the scored passages, take 15 and 31 µs
(docs/benchmarks.md). The float32 sums are bit-identical to the numpy ones: each posting
adds `weight × impact` (both float32) to its passage in the order of the terms, then of the
postings, exactly as `np.add.at` over the concatenated postings did.

The compiled code is cached beside this module (`cache=True`; numba falls back to the user's cache
folder, or `NUMBA_CACHE_DIR`), so only the first process after a change pays the compilation
(about half a second); it releases the GIL, so the chat service's other threads run meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
from numba import njit

F32 = npt.NDArray[np.float32]
Accumulated = tuple[F32, F32, npt.NDArray[np.intp]]
_Loop = TypeVar("_Loop", bound=Callable[..., Any])


def _accumulate(
    indptr: npt.NDArray[np.int64],
    postings: npt.NDArray[np.int32],
    impacts: F32,
    term_ids: npt.NDArray[np.int64],
    term_weights: F32,
    passages: int,
) -> Accumulated:
    """Scores and matched weight of every passage, and the passages reached, ascending.

    `term_ids[i]` adds `term_weights[i] × impact` of each of its postings to the score and
    `term_weights[i]` to the matched weight."""
    scores = np.zeros(passages, dtype=np.float32)
    matched = np.zeros(passages, dtype=np.float32)
    for term in range(term_ids.shape[0]):
        weight = term_weights[term]
        for at in range(indptr[term_ids[term]], indptr[term_ids[term] + 1]):
            passage = postings[at]
            scores[passage] += weight * impacts[at]
            matched[passage] += weight
    # Every term weight is positive, so a passage was reached exactly when `matched` is not 0.
    # A branch-free compaction: a branch per passage costs three times as much.
    scored = np.empty(passages, dtype=np.intp)
    count = 0
    for passage in range(passages):
        scored[count] = passage
        count += matched[passage] != 0
    return scores, matched, scored[:count]


def _compiled(function: _Loop) -> _Loop:
    """`function` compiled, with its own signature for the type checker."""
    try:
        compiled = njit(cache=True, nogil=True)(function)
    except RuntimeError:  # nowhere writable for the cache (read-only install and home): compile
        compiled = njit(nogil=True)(function)  # in each process instead, half a second
    return cast(_Loop, compiled)


accumulate = _compiled(_accumulate)
uncompiled = _accumulate  # the same loop in Python, for the tests
