"""Text analysis: normalisation, words, 文号, tolerant views, query expansion."""

from __future__ import annotations

import pytest

from indexer.analysis import Analyzer, split_pinyin
from indexer.normalize import chinese_numeral_value, normalize, normalize_query
from indexer.splitters import BigramSplitter, JiebaSplitter


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(
        JiebaSplitter({"生育津贴": 2000, "住房公积金": 3000}),
        stopwords=["的", "怎么", "吗", "了"],
        synonyms={"生孩子": ["生育"], "公积金": ["住房公积金"]},
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＢＣ１２３　生育", "abc123 生育"),
        ("孩子三岁以下每年三千六百元", "孩子3岁以下每年3600元"),
        ("第五十四条", "第54条"),
        ("二〇二三年五月一日", "2023年5月1日"),
        ("一次性补贴、统一办理", "一次性补贴、统一办理"),
        ("a\x00b\u200bc", "a b c"),
        ("第一条\n\n\n  第二条", "第1条\n第2条"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_traditional_queries_become_simplified() -> None:
    assert normalize_query("請問生育津貼怎麼領取") == "请问生育津贴怎么领取"


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("五十四", 54), ("一百零八", 108), ("两万", 20000), ("十", 10), ("好", None)],
)
def test_chinese_numerals(numeral: str, value: int | None) -> None:
    assert chinese_numeral_value(numeral) == value


def test_words_drop_stopwords_and_keep_domain_terms(analyzer: Analyzer) -> None:
    words = analyzer.words("生育津贴怎么领取的？")

    assert "生育津贴" in words and "生育" in words  # search mode: the word and its parts
    assert "怎么" not in words and "的" not in words and "？" not in words


def test_document_numbers_match_however_written(analyzer: Analyzer) -> None:
    indexed = set(analyzer.words("国办发〔2019〕10号"))
    asked = set(analyzer.words("根据国办发[2019]10号文件"))

    assert "n:国办发〔2019〕10号" in indexed & asked


def test_homophones_share_sound_pairs(analyzer: Analyzer) -> None:
    right = set(analyzer.sounds("生育津贴"))
    typo = set(analyzer.sounds("生育金贴"))
    typed = set(analyzer.sounds("shengyu jintie", latin=True))

    assert right == typo == typed == {"p:sheng_yu", "p:yu_jin", "p:jin_tie"}


def test_split_pinyin() -> None:
    assert split_pinyin("gongjijin") == ["gong", "ji", "jin"]
    assert split_pinyin("xian") == ["xian"]
    assert split_pinyin("hello") is None


def test_query_expands_colloquial_words_with_lower_weight(analyzer: Analyzer) -> None:
    query = analyzer.query("生孩子了公积金怎么取")

    assert query.terms["孩子"] == 1.0
    assert query.terms["生育"] < 1.0
    assert query.terms["住房公积金"] < 1.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "？？！！",
        "😀😀😀",
        "x" * 10_000,
        "'; DROP TABLE kb_record; --",
        "<script>",
        "\x07\x08",
    ],
)
def test_odd_input_never_raises(analyzer: Analyzer, text: str) -> None:
    query = analyzer.query(text)
    assert isinstance(query.terms, dict)


def test_bigram_splitter_needs_no_dictionary() -> None:
    assert BigramSplitter()("生育津贴") == ["生育", "育津", "津贴"]
    assert BigramSplitter()("生") == ["生"]
