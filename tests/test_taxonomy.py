"""The life-event taxonomy staff edit: complete, with the words people really type."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.taxonomy import Taxonomy, TaxonomyFileError, load_taxonomy

INDIVIDUAL = [
    "出生",
    "入学",
    "就业",
    "婚育",
    "住房",
    "创业",
    "医疗",
    "社保",
    "养老",
    "残疾人",
    "退役军人",
    "身后事",
]
ENTERPRISE = [
    "开办", "准入许可", "招商引资", "科技创新", "资质专利", "人才招录",
    "就业创业培训", "金融贷款", "税收税费", "稳岗补贴", "变更", "注销退出",
]  # fmt: skip


def test_every_required_event_is_there(taxonomy: Taxonomy) -> None:
    assert [e.name for e in taxonomy.in_group("个人")] == INDIVIDUAL
    assert [e.name for e in taxonomy.in_group("企业")] == ENTERPRISE


@pytest.mark.parametrize(
    ("alias", "event"),
    [("生孩子", "出生"), ("上学", "入学"), ("找工作", "就业"), ("买房", "住房"), ("开店", "创业"),
     ("开公司", "开办"), ("看病", "医疗"), ("退休", "养老"), ("公积金", "住房")],
)  # fmt: skip
def test_colloquial_aliases(taxonomy: Taxonomy, alias: str, event: str) -> None:
    assert alias in next(e for e in taxonomy if e.name == event).aliases


def test_events_resolve_by_code_or_name_only(taxonomy: Taxonomy) -> None:
    assert taxonomy.resolve("birth") == taxonomy.resolve("出生")
    assert taxonomy.resolve("生孩子") is None


def test_every_event_has_a_department(taxonomy: Taxonomy) -> None:
    assert all(e.department for e in taxonomy)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("individual: [{code: a}]", "需要 code 和 name"),
        ("individual: [{code: a, name: 甲}, {code: a, name: 乙}]", "“a”重复出现"),
        ("- just a list", "应包含 individual 和 enterprise"),
        ("individual: [{code: a, name: 甲, aliases: 生娃}]", "aliases 应为列表"),
    ],
)
def test_malformed_taxonomy_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(TaxonomyFileError, match=message):
        load_taxonomy(path)
