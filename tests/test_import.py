"""Importing files: every bad-input case gets a clear per-row error and loses no valid row."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook
from sqlalchemy import text

from knowledge.enums import Kind, Status
from knowledge.errors import StoreError
from knowledge.importing.importer import ImportOptions, ImportReport
from knowledge.store.wiring import KnowledgeBase

HEADER = ["id", "kind", "title", "body", "life_events", "published_date"]


def good(n: int, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": f"faq-{n}",
        "kind": "问答",
        "title": f"第{n}个问题：生育津贴怎么领？",
        "body": "由用人单位向医保经办机构申领，按月发放。",
        "life_events": "出生；医疗",
        "published_date": "2024-05-01",
    }
    row.update(extra)
    return row


def write_csv(path: Path, rows: list[dict[str, object]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.DictWriter(out, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(kb: KnowledgeBase, *paths: Path, **options: object) -> ImportReport:
    return kb.importer.run(list(paths), ImportOptions(**options))  # type: ignore[arg-type]


def errors(report: ImportReport) -> list[str]:
    return [str(e) for f in report.files for e in f.errors]


def test_valid_rows_load_and_each_bad_row_is_reported(kb: KnowledgeBase, tmp_path: Path) -> None:
    rows = [
        good(1),
        good(2, title=""),
        good(3, life_events="出生；生孩子"),
        good(4, published_date="明年五月"),
        good(5),
    ]
    report = run(kb, write_csv(tmp_path / "faq.csv", rows))

    assert report.totals == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 3}
    messages = errors(report)
    assert f"{tmp_path / 'faq.csv'}:第3行: title: 必填，不能为空" in messages
    unknown = next(m for m in messages if ":第4行: life_events:" in m)
    assert "未知的人生事件“生孩子”" in unknown and "可选：出生、入学、就业" in unknown
    assert any(":第5行: published_date: 无法识别的日期“明年五月”" in m for m in messages)
    assert kb.store.existing_ids(["faq-1", "faq-2", "faq-3", "faq-4", "faq-5"]) == {
        "faq-1",
        "faq-5",
    }


def test_strict_rejects_the_whole_file(kb: KnowledgeBase, tmp_path: Path) -> None:
    report = run(kb, write_csv(tmp_path / "faq.csv", [good(1), good(2, kind="通知")]), strict=True)

    assert kb.store.count() == 0
    assert report.totals["created"] == 0
    assert any("kind: “通知”不是有效的取值，可选：政策文件、政策解读" in m for m in errors(report))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-05-01", "2023-05-01"),
        ("2023/5/1", "2023-05-01"),
        ("2023年5月1日", "2023-05-01"),
        ("45047", "2023-05-01"),
    ],
)
def test_accepted_date_forms(
    sqlite_kb: KnowledgeBase, tmp_path: Path, value: str, expected: str
) -> None:
    run(sqlite_kb, write_csv(tmp_path / "d.csv", [good(1, published_date=value)]))

    assert str(sqlite_kb.store.get("faq-1").content.published_date) == expected


def test_excel_with_date_cells_and_serial_numbers(sqlite_kb: KnowledgeBase, tmp_path: Path) -> None:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["x-1", "政策文件", "育儿补贴", "正文", "出生", datetime(2025, 7, 28)])
    sheet.append(["x-2", "政策文件", "生育津贴", "正文", "出生", 45047])
    book.save(tmp_path / "p.xlsx")

    report = run(sqlite_kb, tmp_path / "p.xlsx")

    assert report.totals["created"] == 2
    assert str(sqlite_kb.store.get("x-1").content.published_date) == "2025-07-28"
    assert str(sqlite_kb.store.get("x-2").content.published_date) == "2023-05-01"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_csv_saved_by_excel_in_chinese_encodings(
    sqlite_kb: KnowledgeBase, tmp_path: Path, encoding: str
) -> None:
    path = write_csv(tmp_path / "faq.csv", [good(1), good(2)], encoding=encoding)

    report = run(sqlite_kb, path)

    assert report.totals["created"] == 2
    assert sqlite_kb.store.get("faq-2").content.title == "第2个问题：生育津贴怎么领？"


def test_duplicate_ids_in_one_file(sqlite_kb: KnowledgeBase, tmp_path: Path) -> None:
    rows = [good(1), good(2), good(1, title="同号的另一条")]
    report = run(sqlite_kb, write_csv(tmp_path / "faq.csv", rows))

    assert report.totals["created"] == 2
    assert any(":第4行: id: 编号“faq-1”与" in m and "第2行重复" in m for m in errors(report))
    assert sqlite_kb.store.get("faq-1").content.title == "第1个问题：生育津贴怎么领？"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "空"),
        ("header.csv", b"id,kind,title\n", "没有"),
        ("fake.xlsx", b"id,kind\n1,faq\n", "不是"),
        ("notes.doc", b"hello", "不支持"),
    ],
)
def test_files_that_cannot_be_imported(
    sqlite_kb: KnowledgeBase, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    (tmp_path / name).write_bytes(content)
    good_file = write_csv(tmp_path / "good.csv", [good(1)])

    report = run(sqlite_kb, tmp_path / name, good_file)

    assert reason in report.files[0].file_error
    assert report.files[1].result.created == ["faq-1"]  # the other file still loads
    assert not report.ok


def test_xlsx_renamed_to_csv_is_recognised(sqlite_kb: KnowledgeBase, tmp_path: Path) -> None:
    book = Workbook()
    book.save(tmp_path / "real.xlsx")
    (tmp_path / "real.csv").write_bytes((tmp_path / "real.xlsx").read_bytes())

    report = run(sqlite_kb, tmp_path / "real.csv")

    assert report.files[0].file_error
    assert sqlite_kb.store.count() == 0


def test_field_mapping_and_defaults(sqlite_kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "bj.jsonl"
    lines = [
        {
            "id": "1",
            "question": "公积金怎么提取？",
            "answer": "可凭购房合同提取。",
            "dept": "公积金中心",
        },
        {"id": "2", "question": "社保卡丢了怎么办？", "answer": "", "dept": "人社局"},
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")

    report = run(
        sqlite_kb,
        path,
        field_map={"question": "title", "answer": "body", "dept": "department"},
        defaults={"kind": "faq"},
    )

    assert report.totals["created"] == 1
    record = sqlite_kb.store.get("1").content
    assert (record.kind, record.title, record.department) == (
        Kind.FAQ,
        "公积金怎么提取？",
        "公积金中心",
    )
    assert any(":第2行: body: 必填" in m for m in errors(report))


def test_unknown_columns_are_warned_not_fatal(sqlite_kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps([good(1, 备注="内部")], ensure_ascii=False), encoding="utf-8")

    report = run(sqlite_kb, path)

    assert report.totals["created"] == 1
    assert report.files[0].warnings == ["未知字段“备注”已忽略（可用 --map 改名）"]


def test_references_must_exist(sqlite_kb: KnowledgeBase, tmp_path: Path) -> None:
    records = [
        {"id": "p-new", "kind": "policy", "title": "新办法", "body": "…", "life_events": ["创业"]},
        {
            "id": "p-old",
            "kind": "policy",
            "title": "旧办法",
            "body": "…",
            "life_events": ["创业"],
            "status": "已废止",
            "replaced_by": "p-new",
        },
        {"id": "i-1", "kind": "政策解读", "title": "解读", "body": "…", "interprets": "p-missing"},
        {"id": "i-2", "kind": "政策解读", "title": "解读二", "body": "…"},
    ]
    path = tmp_path / "refs.yaml"
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")

    report = run(sqlite_kb, path)

    assert sorted(report.files[0].result.created) == ["p-new", "p-old"]
    assert sqlite_kb.store.get("p-old").content.status is Status.REPEALED
    messages = errors(report)
    assert any("interprets: 知识库和本次导入中都没有编号为“p-missing”的记录" in m for m in messages)
    assert any("interprets: 政策解读必须写明所解读政策的编号" in m for m in messages)


def test_reimport_reports_updated_and_unchanged(kb: KnowledgeBase, tmp_path: Path) -> None:
    run(kb, write_csv(tmp_path / "a.csv", [good(1), good(2)]))
    report = run(kb, write_csv(tmp_path / "b.csv", [good(1), good(2, body="新的答复"), good(3)]))

    assert report.totals == {"created": 1, "updated": 1, "unchanged": 1, "rejected": 0}
    assert [v.version for v in kb.store.history("faq-2")] == [2, 1]


def test_dry_run_reports_without_writing(kb: KnowledgeBase, tmp_path: Path) -> None:
    report = run(kb, write_csv(tmp_path / "a.csv", [good(1), good(2, title="")]), dry_run=True)

    assert report.totals == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert kb.store.count() == 0


def test_a_crash_never_leaves_half_a_batch(sqlite_kb: KnowledgeBase, tmp_path: Path) -> None:
    # A real database failure in the middle of the second batch: that batch rolls back whole.
    with sqlite_kb.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON kb_record WHEN NEW.external_id = 'faq-4' "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        )
    path = write_csv(tmp_path / "a.csv", [good(n) for n in range(1, 6)])

    with pytest.raises(StoreError):
        run(sqlite_kb, path, batch_size=2)

    assert sqlite_kb.store.existing_ids([f"faq-{n}" for n in range(1, 6)]) == {"faq-1", "faq-2"}
    assert sqlite_kb.store.kb_version() == 1


def test_emoji_html_and_control_characters_are_kept_safe(
    sqlite_kb: KnowledgeBase, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        [good(1, title="生娃👶补贴<script>alert(1)</script>", body="第一行\x07\n第二行")],
    )

    run(sqlite_kb, path)

    record = sqlite_kb.store.get("faq-1").content
    assert record.title == "生娃👶补贴<script>alert(1)</script>"
    assert record.body == "第一行\n第二行"
