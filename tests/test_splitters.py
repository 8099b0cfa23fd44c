"""rjieba (used for bulk indexing) must cut Chinese exactly as jieba does on real text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from indexer.splitters import JiebaSplitter, RustJiebaSplitter
from tests.conftest import DEMO_DIR

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORDS: dict[str, int | None] = {
    "生育津贴": 2000,
    "住房公积金": 3000,
    "创业担保贷款": None,
    "示范区": None,
}


@pytest.fixture(scope="module")
def splitters() -> tuple[JiebaSplitter, RustJiebaSplitter]:
    return JiebaSplitter(WORDS), RustJiebaSplitter(WORDS)


def _runs(texts: list[str]) -> list[str]:
    return [run for text in texts for run in _CJK.findall(text)]


def _assert_same(runs: list[str], splitters: tuple[JiebaSplitter, RustJiebaSplitter]) -> None:
    jieba, rust = splitters
    differing = [run for run in runs if jieba(run) != rust(run)]
    assert runs and differing == []


def test_same_words_on_the_demo_base(splitters: tuple[JiebaSplitter, RustJiebaSplitter]) -> None:
    texts: list[str] = []
    for path in sorted(DEMO_DIR.glob("*.yaml")):
        for record in yaml.safe_load(path.read_text(encoding="utf-8")):
            texts += [str(record.get(k, "")) for k in ("title", "summary", "body")]
    _assert_same(_runs(texts), splitters)


def test_same_words_on_the_gov_faq(
    splitters: tuple[JiebaSplitter, RustJiebaSplitter], shared_data: Path
) -> None:
    lines = (shared_data / "gov_faq" / "beijing_gov_faq.jsonl").read_text("utf-8").splitlines()
    texts = [
        t for line in lines for t in (json.loads(line)["question"], json.loads(line)["answer"])
    ]
    _assert_same(_runs(texts), splitters)


def test_same_words_on_statute_articles(
    splitters: tuple[JiebaSplitter, RustJiebaSplitter], shared_data: Path
) -> None:
    with (shared_data / "statutes" / "articles.jsonl").open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for _, line in zip(range(3000), lines, strict=False)]
    _assert_same(_runs(texts), splitters)
