"""Colloquial legal questions: 老公, 欠钱, 醉驾 must reach articles written as 配偶, 借款,
醉酒驾驶; and a word the asker repeats weighs more than one said once."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.taxonomy import load_taxonomy
from indexer.analysis import Analyzer, QueryWeights
from indexer.documents import SearchDocument
from indexer.resources import AnalysisResources, load_resources
from indexer.search import Searcher
from indexer.service import KnowledgeSource, SearchService
from indexer.splitters import JiebaSplitter
from tests.conftest import LIFE_EVENTS

CONFIG = Path(__file__).resolve().parent.parent / "config"
LEGAL = CONFIG / "legal_synonyms.yaml"

ARTICLES = {
    "民法典第一千零九十一条": (
        "有下列情形之一，导致离婚的，无过错方有权请求损害赔偿：（一）重婚；（二）与他人同"
        "居；（三）实施家庭暴力；（四）虐待、遗弃家庭成员；（五）有其他重大过错。"
    ),
    "民法典第一千零八十七条": (
        "离婚时，夫妻的共同财产由双方协议处理；协议不成的，由人民法院根据财产的具体情况，"
        "按照照顾子女、女方和无过错方权益的原则判决。"
    ),
    "民法典第一千零五十九条": (
        "夫妻有相互扶养的义务。需要扶养的一方，在另一方不履行扶养义务时，有要求其给付扶养费的权利。"
    ),
    "民法典第六百七十五条": (
        "借款人应当按照约定的期限返还借款。对借款期限没有约定或者约定不明确，依据本法第五"
        "百一十条的规定仍不能确定的，借款人可以随时返还；贷款人可以催告借款人在合理期限内"
        "返还。"
    ),
    "民法典第六百六十七条": ("借款合同是借款人向贷款人借款，到期返还借款并支付利息的合同。"),
    "劳动合同法第四十六条": (
        "有下列情形之一的，用人单位应当向劳动者支付经济补偿：（一）劳动者依照本法第三十八"
        "条规定解除劳动合同的；（二）用人单位依照本法第三十六条规定向劳动者提出解除劳动合"
        "同并与劳动者协商一致解除劳动合同的。"
    ),
    "劳动合同法第八十二条": (
        "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者"
        "每月支付二倍的工资。"
    ),
    "道路交通安全法第七十六条": (
        "机动车发生交通事故造成人身伤亡、财产损失的，由保险公司在机动车第三者责任强制保险"
        "责任限额范围内予以赔偿。"
    ),
    "民法典第一千二百四十五条": (
        "饲养的动物造成他人损害的，动物饲养人或者管理人应当承担侵权责任。"
    ),
    "刑法第一百三十三条之一": (
        "在道路上驾驶机动车，有下列情形之一的，处拘役，并处罚金：（一）追逐竞驶，情节恶劣"
        "的；（二）醉酒驾驶机动车的。"
    ),
}


def _searcher(resources: AnalysisResources) -> Searcher:
    documents = [SearchDocument(id=i, title=i, body=text) for i, text in ARTICLES.items()]
    source = KnowledgeSource(version=lambda: 0, documents=lambda: documents)
    return SearchService(source, resources, load_taxonomy(LIFE_EVENTS), None).searcher


@pytest.fixture(scope="module")
def with_legal() -> Searcher:
    return _searcher(
        load_resources(
            CONFIG / "dictionary.txt", CONFIG / "stopwords.txt", CONFIG / "synonyms.yaml", LEGAL
        )
    )


@pytest.fixture(scope="module")
def without_legal() -> Searcher:
    general = (CONFIG / "dictionary.txt", CONFIG / "stopwords.txt", CONFIG / "synonyms.yaml")
    return _searcher(load_resources(*general))


def _top(searcher: Searcher, question: str, n: int = 2) -> list[str]:
    return [hit.id for hit in searcher.search(question).hits[:n]]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("朋友欠钱跑了怎么办", {"民法典第六百七十五条", "民法典第六百六十七条"}),
        ("被狗咬伤了找谁", {"民法典第一千二百四十五条"}),
        ("开车撞人了谁来赔", {"道路交通安全法第七十六条"}),
        ("醉驾被抓了会怎么判", {"刑法第一百三十三条之一"}),
    ],
)
def test_colloquial_legal_questions_find_the_article(
    with_legal: Searcher, without_legal: Searcher, question: str, expected: set[str]
) -> None:
    assert _top(with_legal, question)[0] in expected
    # Without the legal expansions the everyday words alone do not get there first.
    assert not set(_top(without_legal, question)[:1]) & expected


def test_spouse_words_reach_the_divorce_damages_article(with_legal: Searcher) -> None:
    assert _top(with_legal, "老公出轨还家暴，离婚时我能要赔偿吗")[0] == "民法典第一千零九十一条"


def test_legal_synonyms_merge_with_the_general_ones(tmp_path: Path) -> None:
    general = tmp_path / "synonyms.yaml"
    general.write_text("孩子: [子女]\n开店: [个体工商户]\n", encoding="utf-8")
    legal = tmp_path / "legal.yaml"
    legal.write_text("孩子: [未成年人, 子女]\n老公: [配偶]\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")

    merged = load_resources(empty, empty, general, legal).synonyms

    assert merged == {"孩子": ("子女", "未成年人"), "开店": ("个体工商户",), "老公": ("配偶",)}


def test_shipped_legal_synonyms_load() -> None:
    resources = load_resources(
        CONFIG / "dictionary.txt", CONFIG / "stopwords.txt", CONFIG / "synonyms.yaml", LEGAL
    )
    assert "配偶" in resources.synonyms["老公"]
    assert "解除劳动合同" in resources.synonyms["辞退"]


def test_a_repeated_word_weighs_more_and_saturates() -> None:
    analyzer = Analyzer(JiebaSplitter({}), stopwords=["了", "的"])
    terms = analyzer.query("离婚了，离婚协议签了，离婚后房子归谁").terms
    once = analyzer.query("离婚后房子归谁").terms

    assert once["离婚"] == 1.0
    assert 1.5 < terms["离婚"] < 2.0  # 1 + 0.6 ln 3, not 3
    assert terms["房子"] == 1.0


def test_repeat_weight_off_gives_plain_presence() -> None:
    analyzer = Analyzer(JiebaSplitter({}), weights=QueryWeights(repeat=0.0))
    assert analyzer.query("离婚离婚离婚").terms["离婚"] == 1.0
