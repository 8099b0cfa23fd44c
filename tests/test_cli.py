"""`manage.py` as staff run it: a real process on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from config.settings import PROJECT_ROOT


def manage(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLICY_DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "manage.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    result = manage(tmp_path / "kb.db", "--help")

    assert result.returncode == 0
    for command in ("import", "export", "list", "show", "stats", "seed-demo", "serve"):
        assert command in result.stdout


def test_import_list_show_stats_export(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    source = tmp_path / "faq.jsonl"
    rows = [
        {"id": "q1", "question": "失业金怎么领", "answer": "到人社部门申领。", "dept": "人社局"},
        {"id": "q2", "question": "公积金怎么取", "answer": "凭合同提取。", "dept": "公积金中心"},
        {"id": "q3", "question": "空答复", "answer": "", "dept": "人社局"},
    ]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")

    imported = manage(
        db,
        "import",
        str(source),
        "--map",
        "question=title,answer=body,dept=department",
        "--set",
        "kind=faq",
        "--set",
        "life_events=就业",
    )
    assert imported.returncode == 1  # one row was rejected
    assert "新增 2 条，更新 0 条，未变 0 条，拒绝 1 条" in imported.stdout
    assert "第3行: body: 必填" in imported.stdout

    listed = manage(db, "list", "--q", "公积金", "--json")
    assert [r["id"] for r in json.loads(listed.stdout)] == ["q2"]

    shown = manage(db, "show", "q1", "--json")
    detail = json.loads(shown.stdout)
    assert detail["fields"]["department"] == "人社局"
    assert detail["history"][0]["version"] == 1

    stats = json.loads(manage(db, "stats", "--json").stdout)
    assert stats["total"] == 2
    assert stats["by_kind"]["问答"] == 2
    assert stats["by_life_event"]["就业"] == 2

    exported = manage(db, "export", str(tmp_path / "out.xlsx"))
    assert exported.returncode == 0 and "已导出 2 条记录" in exported.stdout
    again = manage(db, "import", str(tmp_path / "out.xlsx"))
    assert "新增 0 条，更新 0 条，未变 2 条，拒绝 0 条" in again.stdout


def test_bad_arguments_are_explained(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"

    missing = manage(db, "show", "no-such-id")
    assert missing.returncode == 1 and "没有编号为 no-such-id 的记录" in missing.stderr

    bad_map = manage(db, "import", "x.csv", "--map", "question")
    assert bad_map.returncode != 0 and "应写成 字段=值" in bad_map.stderr

    bad_event = manage(db, "list", "--life-event", "火星移民")
    assert bad_event.returncode != 0 and "未知的人生事件" in bad_event.stderr

    bad_export = manage(db, "export", str(tmp_path / "out.csv"))
    assert bad_export.returncode == 1 and "请用 .xlsx 或 .jsonl" in bad_export.stderr
