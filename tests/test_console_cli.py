"""`manage.py create-admin` and `create-staff`, run in-process on a real SQLite file (the
subprocess start-up of manage.py costs seconds; test_cli.py already covers that path)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from bot.queue_types import Role
from bot.wiring import open_queue
from knowledge.store.wiring import open_knowledge
from manage import app
from tests.conftest import LIFE_EVENTS, settings_for


def manage(db: Path, *args: str, stdin: str) -> Result:
    env = {"POLICY_DATABASE_URL": f"sqlite:///{db}", "POLICY_INDEX_DIR": str(db.parent / "i")}
    return CliRunner().invoke(app, list(args), input=stdin, env=env)


def test_the_first_admin_and_a_reviewer_can_log_in(tmp_path: Path) -> None:
    db = tmp_path / "staff.db"

    admin = manage(db, "create-admin", "chief", "--password-stdin", stdin="admin-password-1\n")
    reviewer = manage(
        db,
        "create-staff",
        "lim",
        "--department",
        "医疗保障局",
        "--role",
        "审核人员",
        "--name",
        "李敏",
        stdin="staff-password-1\nstaff-password-1\n",  # typed twice at the prompts
    )

    assert admin.exit_code == 0, admin.output
    assert admin.stdout.strip() == "已创建管理员 chief（chief，政务公开办）"
    assert reviewer.exit_code == 0, reviewer.output
    assert "已创建审核人员 lim（李敏，医疗保障局）" in reviewer.stdout
    assert "staff-password-1" not in reviewer.stdout  # the prompts never echo it
    settings = settings_for(f"sqlite:///{db}")
    kb = open_knowledge(settings.database_url, LIFE_EVENTS)
    try:
        directory = open_queue(settings, kb).staff
        assert directory.authenticate("chief", "admin-password-1").role is Role.ADMIN
        assert directory.authenticate("lim", "staff-password-1").role is Role.REVIEWER
    finally:
        kb.close()


def test_bad_accounts_are_refused_with_the_reason(tmp_path: Path) -> None:
    db = tmp_path / "staff.db"
    password = "staff-password-1\n"

    mismatch = manage(
        db, "create-staff", "wang", "--department", "税务局", stdin=password + "other-password\n"
    )
    role = manage(
        db, "create-staff", "zhao", "--department", "税务局", "--role", "boss", stdin=password
    )
    department = manage(
        db, "create-staff", "zhao", "--department", "宇宙局", "--password-stdin", stdin=password
    )

    assert mismatch.exit_code == 1 and "两次输入的密码不一致，账号未创建" in mismatch.stderr
    assert role.exit_code == 2 and "没有“boss”这个角色" in role.stderr
    assert department.exit_code == 1 and "没有“宇宙局”这个部门" in department.stderr
