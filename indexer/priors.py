"""What a question says beyond its words: life events, a region, the wish for a procedure,
its form (how to do something, how much, whether something is allowed).

These become multipliers on the candidates' scores (boosts, never filters: a question that
mentions 示范区 may still be best answered by a national policy), plus the filter attributes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from config.taxonomy import Taxonomy
from indexer.documents import SearchDocument
from indexer.normalize import normalize

SUPERSEDED = ("repealed", "expired")
# People asking how to do something want the service guide (办事指南) first.
_PROCEDURE = re.compile(
    r"材料|带啥|带什么|流程|手续|步骤|怎么办|咋办|怎么弄|咋弄|去哪|在哪|哪里办|网上办|办理"
)
# The form of a question. A FAQ answers its own question: one asking where to claim a benefit
# does not answer how much it is, although it shares every topic word with that question.
_FORMS = (
    ("how", re.compile(_PROCEDURE.pattern + r"|哪里|申请|怎么|咋|如何|找谁|哪个部门")),
    ("amount", re.compile(r"多少|几天|几年|几个月|几岁|比例|标准|多久|多长时间")),
    ("whether", re.compile(r"能不能|可不可以|要不要|是不是|有没有|能.{0,6}吗|可以.{0,6}吗")),
)


@dataclass(frozen=True)
class Boosts:
    life_event: float = 0.15
    region: float = 0.3
    procedure_guide: float = 0.15
    superseded: float = 0.7  # repealed or expired records, when a filter lets them in
    amended: float = 0.85
    # A FAQ whose questions do not resemble the user's (fuzzy similarity up to `faq_like_from`)
    # is weighted by `faq_unlike`, one that resembles it (from `faq_like_full`) not at all;
    # one whose title asks in another form than the user (how / how much / whether) by
    # `faq_other_form` as well.
    faq_unlike: float = 0.8
    faq_like_from: float = 0.35
    faq_like_full: float = 0.55
    faq_other_form: float = 0.85


@dataclass(frozen=True)
class QuerySignals:
    life_events: tuple[str, ...]
    regions: tuple[str, ...]
    procedure: bool
    forms: frozenset[str] = frozenset()


class DocumentAttributes:
    """Per-document attributes as arrays, so filters and boosts are vectorised."""

    def __init__(self, documents: Sequence[SearchDocument], taxonomy: Taxonomy | None) -> None:
        self.status = np.array([d.status for d in documents], dtype=object)
        self.audience = np.array([d.audience for d in documents], dtype=object)
        self.region = np.array([d.region for d in documents], dtype=object)
        self.kind = np.array([d.kind for d in documents], dtype=object)
        codes = [e.code for e in taxonomy] if taxonomy else []
        self.event_bit = {code: np.uint64(1) << np.uint64(i) for i, code in enumerate(codes[:64])}
        self.events = np.array(
            [self.bits(d.life_events) for d in documents], dtype=np.uint64
        ).reshape(-1)
        # Regions worth recognising in a question: the local ones, not 全国.
        self.local_regions = sorted(
            {d.region for d in documents if d.region and d.region != "全国"}, key=len, reverse=True
        )
        # Boolean columns: priors gather these instead of comparing strings per question.
        self.superseded = np.isin(self.status, SUPERSEDED)
        self.amended = self.status == "amended"
        self.guide = self.kind == "guide"
        self.faq = self.kind == "faq"
        # The form of each FAQ's own question (its title); empty for every other record.
        self.title_forms = [
            question_forms(normalize(d.title)) if d.kind == "faq" else frozenset()
            for d in documents
        ]
        self.region_masks = {r: self.region == r for r in self.local_regions}
        self.event_union = np.bitwise_or.reduce(self.events) if len(self.events) else np.uint64(0)
        self.any_guide = bool(self.guide.any())
        self.any_faq = bool(self.faq.any())
        self._status_factors: dict[tuple[float, float], npt.NDArray[np.float32] | None] = {}

    def bits(self, codes: Sequence[str]) -> np.uint64:
        bits = np.uint64(0)
        for code in codes:
            bits |= self.event_bit.get(code, np.uint64(0))
        return bits

    def signals(self, normalized_query: str, events: tuple[str, ...]) -> QuerySignals:
        """What the question says that the priors act on. The wish for a procedure is looked
        for only when the base has service guides, the forms only when it has FAQs: on a base
        without them (the statutes) they would change nothing and cost regular expressions."""
        regions = tuple(r for r in self.local_regions if r in normalized_query)
        procedure = self.any_guide and bool(_PROCEDURE.search(normalized_query))
        forms = question_forms(normalized_query) if self.any_faq else frozenset()
        return QuerySignals(events, regions, procedure, forms)

    def multipliers(
        self, owners: npt.NDArray[np.int32], signals: QuerySignals, boosts: Boosts
    ) -> npt.NDArray[np.float32] | None:
        """The prior of each of these records, or None when every one is 1 (no work for a base
        without life events, regions, guides or superseded records, such as the statutes).

        The factors are the float32 products of a loop applying life event, regions, procedure,
        superseded and amended in that order; a record is at most one of the last two, so those
        are one precomputed factor per record, multiplied last."""
        factor: npt.NDArray[np.float32] | None = None
        if signals.life_events:
            bits = self.bits(signals.life_events)
            if bits & self.event_union:
                factor = np.ones(len(owners), dtype=np.float32)
                factor[(self.events[owners] & bits) != 0] *= np.float32(1.0 + boosts.life_event)
        for region in signals.regions:
            factor = np.ones(len(owners), dtype=np.float32) if factor is None else factor
            factor[self.region_masks[region][owners]] *= np.float32(1.0 + boosts.region)
        if signals.procedure:
            factor = np.ones(len(owners), dtype=np.float32) if factor is None else factor
            factor[self.guide[owners]] *= np.float32(1.0 + boosts.procedure_guide)
        status = self._status_factor(boosts)
        if status is None:
            return factor
        return status[owners] if factor is None else factor * status[owners]

    def _status_factor(self, boosts: Boosts) -> npt.NDArray[np.float32] | None:
        key = (boosts.superseded, boosts.amended)
        if key not in self._status_factors:
            factor: npt.NDArray[np.float32] | None = None
            if self.superseded.any() or self.amended.any():
                factor = np.ones(len(self.status), dtype=np.float32)
                factor[self.superseded] *= np.float32(boosts.superseded)
                factor[self.amended] *= np.float32(boosts.amended)
            self._status_factors[key] = factor
        return self._status_factors[key]


def question_forms(normalized_text: str) -> frozenset[str]:
    """How / amount / whether: the forms of question a text asks (none, one or several)."""
    return frozenset(name for name, pattern in _FORMS if pattern.search(normalized_text))


def faq_factor(
    similarity: float, query_forms: frozenset[str], title_forms: frozenset[str], boosts: Boosts
) -> float:
    """The weight of a FAQ whose best question has this fuzzy similarity to the user's and
    whose title asks in these forms."""
    span = boosts.faq_like_full - boosts.faq_like_from
    share = (similarity - boosts.faq_like_from) / span if span > 0 else 1.0
    factor = boosts.faq_unlike + (1.0 - boosts.faq_unlike) * min(1.0, max(0.0, share))
    if query_forms and title_forms and not query_forms & title_forms:
        factor *= boosts.faq_other_form
    return factor
