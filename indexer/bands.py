"""The confidence band of a result list: answer, clarify (numbered choices) or escalate.

The bands follow the calibration (docs/search.md, "Confidence and bands"); two rules sit on top,
each measured when it was added: a question of one or two words that several records contain
just as fully is offered as choices, and choices none of which holds enough of the question are
handed to a person instead.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from indexer.analysis import AnalyzedQuery
from indexer.confidence import ConfidenceModel, Features
from indexer.priors import question_forms

if TYPE_CHECKING:
    from indexer.search import Hit, SearchTuning

_BROAD_WORDS = 2
_BROAD_MARGIN = 0.9  # a runner-up this close to the best, on a question of one or two words
_BROAD_CONTENDERS = 2  # records containing a broad question as fully as the best


class Band(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    ESCALATE = "escalate"


def topic_words(words: tuple[str, ...]) -> list[str]:
    """The words a question is about: search-mode segmentation also yields the parts of a long
    word (公积金 gives 公积 and 积金), which say nothing more and are left out here."""
    return [w for w in words if not any(w != other and w in other for other in words)]


def result_features(query: AnalyzedQuery, hits: list[Hit]) -> Features:
    """What the confidence model reads of a non-empty result list (calibration reads the same)."""
    first = hits[0]
    return Features(
        coverage=first.coverage,
        similarity=first.similarity,
        margin=_lexical_margin(hits),
        matched_words=len(query.words),
    )


def _lexical_margin(hits: list[Hit]) -> float:
    """How far the first record's BM25F score stands above the strongest other, as a share of
    it (0 when the first was found by meaning alone). The strongest competitor wherever meaning
    placed it: a record meaning moved down must not make the first look clear of the rest."""
    first = hits[0].score
    if first <= 0:
        return 0.0
    return max(0.0, (first - max((h.score for h in hits[1:]), default=0.0)) / first)


def decide(
    query: AnalyzedQuery, hits: list[Hit], tuning: SearchTuning, model: ConfidenceModel
) -> tuple[Band, float, list[Hit]]:
    """(band, confidence, the choices to offer) for a non-empty result list."""
    confidence = model.predict(result_features(query, hits))
    # Above the answer threshold the best record is stated; between the thresholds the close
    # candidates are offered.
    if _too_broad(query, hits, tuning):
        band = Band.CLARIFY if confidence >= tuning.clarify_threshold else Band.ESCALATE
    elif confidence >= tuning.answer_threshold or len(hits) == 1:
        band = Band.ANSWER if confidence >= tuning.clarify_threshold else Band.ESCALATE
    elif confidence >= tuning.clarify_threshold:
        band = Band.CLARIFY
    else:
        band = Band.ESCALATE
    clarify = _choices(hits, tuning) if band is Band.CLARIFY else []
    if clarify and max(h.coverage for h in clarify) < tuning.clarify_min_coverage:
        band, clarify = Band.ESCALATE, []
    return band, confidence, clarify


def _too_broad(query: AnalyzedQuery, hits: list[Hit], tuning: SearchTuning) -> bool:
    """One or two words ("社保", "公积金提取", "医保报销") that several records contain just
    as fully: any single answer would be a guess, so offer the candidates instead."""
    if len(topic_words(query.words)) > _BROAD_WORDS or len(hits) < 2:
        return False
    first = hits[0]
    # Keywords typed as into a search box (公积金提取, 医保报销), not a question: a runner-up
    # within a few per cent differs in field lengths, not in meaning (公积金提取: 去世后提取
    # 48.3, 提取政策解读 47.5). A question (失业保险金怎么申领) says what it wants.
    if hits[1].score >= _BROAD_MARGIN * first.score and not question_forms(query.text):
        return True
    contenders = [
        h
        for h in hits[1 : tuning.clarify_max]
        if h.coverage >= first.coverage - 0.02 and h.score >= 0.6 * first.score
    ]
    return len(contenders) >= _BROAD_CONTENDERS


def _choices(hits: list[Hit], tuning: SearchTuning) -> list[Hit]:
    """2 to 4 candidates: the best two always, then those close to the best."""
    first = hits[0].score
    close = [h for h in hits[2 : tuning.clarify_max] if h.score >= tuning.clarify_ratio * first]
    return hits[:2] + close
