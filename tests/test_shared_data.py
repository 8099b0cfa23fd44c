"""Importing the real public data in ../shared/data through the documented field mapping."""

from __future__ import annotations

from pathlib import Path

from knowledge.enums import Kind
from knowledge.importing.importer import ImportOptions
from knowledge.store.wiring import KnowledgeBase

GOV_FAQ_MAP = {"question": "title", "answer": "body", "dept": "department"}


def test_beijing_gov_faq_imports_with_a_field_map(
    sqlite_kb: KnowledgeBase, shared_data: Path
) -> None:
    path = shared_data / "gov_faq" / "beijing_gov_faq.jsonl"

    report = sqlite_kb.importer.run(
        [path], ImportOptions(field_map=GOV_FAQ_MAP, defaults={"kind": "faq"})
    )

    # 2,081 items: one has an empty answer, which is reported, not guessed.
    assert report.totals == {"created": 2080, "updated": 0, "unchanged": 0, "rejected": 1}
    [error] = report.files[0].errors
    assert error.field == "body" and "必填" in error.reason
    longest = max(sqlite_kb.store.iter_contents(), key=lambda r: len(r.body))
    assert longest.kind is Kind.FAQ and len(longest.body) > 10_000


def test_statute_articles_import_with_a_field_map(
    sqlite_kb: KnowledgeBase, shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "statutes" / "articles.jsonl"
    sample = tmp_path / "articles.jsonl"
    with source.open(encoding="utf-8") as lines:
        sample.write_text("".join(next(lines) for _ in range(300)), encoding="utf-8")

    report = sqlite_kb.importer.run(
        [sample],
        ImportOptions(field_map={"name": "title", "text": "body"}, defaults={"kind": "article"}),
    )

    assert report.totals["created"] + report.totals["rejected"] == 300
    assert report.totals["created"] >= 295, [str(e) for e in report.files[0].errors][:5]
