"""From every scored passage to the best passage of each of the best few records.

This is per question work over every passage that scored (20,000 at the median of the laws
corpus, 60,000 at its p99), so everything over all of them is one numpy pass at most: the passages
are shortlisted by raw score first, and the owners, the priors and the grouping by record are
computed on the shortlist only.

The numpy calls that choose between equal scores (`argpartition`, the stable `argsort`) get the
same arrays, in the same order, as they always did, so ties come out as they always did.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from indexer.index import PassageScores
from indexer.priors import Boosts, DocumentAttributes, QuerySignals

CANDIDATE_PASSAGES = 400
SHORTLIST = 2000
Admitted = npt.NDArray[np.bool_] | None  # passage -> admitted by the filters; None: all are
Best = dict[int, tuple[float, int]]  # record -> (score with priors, its best passage), best first


def best_passages(
    scored: PassageScores,
    admitted: Admitted,
    owner: npt.NDArray[np.int32],
    attributes: DocumentAttributes,
    signals: QuerySignals,
    boosts: Boosts,
    wanted: int,
) -> Best:
    """The best passage of each of the `wanted` best records, best first."""
    scores = scored.scores
    # With filters: the same passages, in the same ascending order, as the scored ones they admit.
    candidates = scored.candidates if admitted is None else np.flatnonzero((scores != 0) & admitted)
    if len(candidates) == 0:
        return {}
    # Priors move a score by less than a factor of two, so the passages that can reach the top
    # are among the best few thousand by raw score: shortlist before the priors.
    shortlist = max(SHORTLIST, wanted * 8)
    if len(candidates) > shortlist:
        negated = scores.take(candidates)
        np.negative(negated, out=negated)  # -scores[candidates], without a second array
        candidates = candidates[np.argpartition(negated, shortlist - 1)[:shortlist]]
    owners = owner.take(candidates)
    values = scores.take(candidates)
    factor = attributes.multipliers(owners, signals, boosts)
    if factor is not None:
        values = values * factor
    # Enough passages to find `wanted` distinct records even when long documents put several
    # passages near the top; argpartition on the negated scores is the fast way.
    keep = min(len(values), max(CANDIDATE_PASSAGES, wanted * 4))
    if len(values) > keep:
        top = np.argpartition(-values, keep - 1)[:keep]
        candidates, owners, values = candidates[top], owners[top], values[top]
    order = np.argsort(-values, kind="stable")
    return _first_per_owner(order, owners, values, candidates, wanted)


def _first_per_owner(
    order: npt.NDArray[np.intp],
    owners: npt.NDArray[np.int32],
    values: npt.NDArray[np.float32],
    candidates: npt.NDArray[np.intp],
    wanted: int,
) -> Best:
    """Each record's first passage in `order` (best first), for the first `wanted` records.

    A walk down the order stops at the `wanted`-th record, a few dozen passages in; `np.unique`
    over all of them cost three times as much. First occurrences are what it reported too."""
    picks: dict[int, int] = {}  # record -> its position in `order`
    start, stop = 0, wanted * 2  # most records have one passage near the top: a short walk
    while start < len(order) and len(picks) < wanted:
        for position, record in enumerate(owners.take(order[start:stop]).tolist(), start):
            if record not in picks:
                picks[record] = position
                if len(picks) == wanted:
                    break
        start, stop = stop, stop * 4
    chosen = order.take(list(picks.values()))
    scores, passages = values.take(chosen).tolist(), candidates.take(chosen).tolist()
    return dict(zip(picks, zip(scores, passages, strict=True), strict=True))
