"""The FAQ question-match priors and the per-set calibration rule (docs/search.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from config.settings import Settings
from config.taxonomy import load_taxonomy
from indexer.calibration import Observation, calibrate_sets
from indexer.confidence import Features
from indexer.documents import SearchDocument
from indexer.priors import Boosts, faq_factor, question_forms
from indexer.search import Searcher
from indexer.service import KnowledgeSource, SearchService
from indexer.wiring import analysis_resources


@pytest.mark.parametrize(
    ("text", "forms"),
    [
        ("丧葬费和抚恤金去哪里领？", {"how"}),
        ("丧葬补助金有多少钱", {"amount"}),
        ("自己辞职了能领失业金吗？", {"whether"}),
        ("扩岗补助一个人多少钱 怎么领", {"how", "amount"}),
        ("育儿补贴", set()),
    ],
)
def test_question_forms(text: str, forms: set[str]) -> None:
    assert question_forms(text) == forms


def test_faq_factor_follows_similarity_and_form() -> None:
    boosts = Boosts()
    none: frozenset[str] = frozenset()
    assert faq_factor(0.9, none, none, boosts) == 1.0
    assert faq_factor(0.1, none, none, boosts) == pytest.approx(boosts.faq_unlike)
    middle = (boosts.faq_like_from + boosts.faq_like_full) / 2
    assert faq_factor(middle, none, none, boosts) == pytest.approx((1 + boosts.faq_unlike) / 2)
    amount, how = frozenset({"amount"}), frozenset({"how"})
    assert faq_factor(0.9, amount, how, boosts) == pytest.approx(boosts.faq_other_form)
    assert faq_factor(0.9, amount | how, how, boosts) == 1.0  # a form in common
    assert faq_factor(0.9, none, how, boosts) == 1.0  # the question has no recognisable form


def _searcher(documents: Sequence[SearchDocument]) -> Searcher:
    settings = Settings()
    resources = analysis_resources(settings)
    taxonomy = load_taxonomy(settings.life_events_path)
    source = KnowledgeSource(version=lambda: 0, documents=lambda: documents)
    return SearchService(source, resources, taxonomy, None).searcher


def test_a_faq_asking_in_another_form_is_weighted_down() -> None:
    where = SearchDocument(
        id="faq-where",
        kind="faq",
        title="家里老人去世了，丧葬补助金去哪里领？",
        questions=("丧葬补助金找谁要",),
        keywords=("丧葬补助金", "去哪领"),
        body="由遗属带死亡证明到参保地社保经办机构申领丧葬补助金。",
    )
    amount = SearchDocument(
        id="interpretation-amount",
        kind="interpretation",
        title="企业职工去世后遗属待遇解读",
        keywords=("丧葬补助金",),
        body="丧葬补助金按本省上年度城镇居民月人均可支配收入的2倍计算，退休职工同样适用。",
    )
    searcher = _searcher([where, amount])
    question = "退休职工丧葬补助金有多少钱"  # how much; the FAQ asks where
    on = {hit.id: hit for hit in searcher.search(question).hits}
    searcher.tuning = replace(
        searcher.tuning,
        boosts=replace(searcher.tuning.boosts, faq_unlike=1.0, faq_other_form=1.0),
    )
    off = {hit.id: hit for hit in searcher.search(question).hits}
    assert on["faq-where"].similarity >= Boosts().faq_like_full  # resembles: only the form
    assert on["faq-where"].score == pytest.approx(off["faq-where"].score * Boosts().faq_other_form)
    assert on["interpretation-amount"].score == off["interpretation-amount"].score
    same_form = searcher.search("丧葬补助金去哪里领").hits[0]
    assert same_form.id == "faq-where"


def _observations(right: int, wrong: int, coverage: float) -> list[Observation]:
    def one(is_right: bool) -> Observation:
        return Observation(Features(coverage, 0.5, 0.5), is_right, is_right)

    return [one(True) for _ in range(right)] + [one(False) for _ in range(wrong)]


def test_every_answered_set_must_reach_the_answer_precision() -> None:
    easy = _observations(right=95, wrong=5, coverage=0.9)
    hard = _observations(right=14, wrong=6, coverage=0.6)  # 70 % right, less confident
    pooled = calibrate_sets({"all": [*easy, *hard]})
    separate = calibrate_sets({"easy": easy, "hard": hard})
    # 109 of 120 right: the pool alone would answer everything, the hard set 30 % wrong.
    assert pooled.answer_share == 1.0
    assert separate.answer_threshold > pooled.answer_threshold
    assert separate.answer_share == pytest.approx(100 / 120)
