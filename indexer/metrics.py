"""Ranking metrics for the evaluation harness, with binary relevance.

A ranking is a list of record ids, best first; the gold is the set of ids that answer the
question. Ids repeated in a ranking count once, at their first place, so that a record found
twice (two passages, or a duplicated id in a corpus) is never rewarded twice.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence

CUTOFFS = (1, 5, 10, 100)
METRIC_KEYS = ("mrr@10", *(f"recall@{k}" for k in CUTOFFS), "ndcg@10", "queries")


def _unique(ranking: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ranking))


def first_gold_rank(ranking: Sequence[str], gold: Collection[str]) -> int | None:
    """1-based place of the first gold id, or None when no gold id was returned."""
    for place, record_id in enumerate(_unique(ranking), start=1):
        if record_id in gold:
            return place
    return None


def reciprocal_rank(ranking: Sequence[str], gold: Collection[str], k: int = 10) -> float:
    rank = first_gold_rank(ranking, gold)
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def recall_at(ranking: Sequence[str], gold: Collection[str], k: int) -> float:
    """Share of the gold ids found in the top k (a question may have several gold ids)."""
    if not gold:
        return 0.0
    found = set(_unique(ranking)[:k]) & set(gold)
    return len(found) / len(set(gold))


def ndcg_at(ranking: Sequence[str], gold: Collection[str], k: int = 10) -> float:
    """nDCG@k with binary gains: the ideal ranking puts every gold id first."""
    wanted = set(gold)
    if not wanted:
        return 0.0
    dcg = sum(
        1.0 / math.log2(place + 1)
        for place, record_id in enumerate(_unique(ranking)[:k], start=1)
        if record_id in wanted
    )
    ideal = sum(1.0 / math.log2(place + 1) for place in range(1, min(len(wanted), k) + 1))
    return dcg / ideal


def summarize(runs: Sequence[tuple[Sequence[str], Collection[str]]]) -> dict[str, float | int]:
    """Mean of each metric over (ranking, gold) pairs; `queries` is how many were averaged."""
    count = len(runs)

    def mean(values: Iterable[float]) -> float:
        return sum(values) / count if count else 0.0

    out: dict[str, float | int] = {"mrr@10": mean(reciprocal_rank(r, g) for r, g in runs)}
    for k in CUTOFFS:
        out[f"recall@{k}"] = mean(recall_at(r, g, k) for r, g in runs)
    out["ndcg@10"] = mean(ndcg_at(r, g) for r, g in runs)
    out["queries"] = count
    return out


def top1_accuracy(runs: Sequence[tuple[Sequence[str], Collection[str]]]) -> float:
    """Share of questions whose first result is a gold record (the answer a citizen sees)."""
    if not runs:
        return 0.0
    return sum(1 for r, g in runs if first_gold_rank(r[:1], g) == 1) / len(runs)
