"""Consultation-queue commands: create-admin, create-staff, seed-consultations, report."""

from __future__ import annotations

import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from cli.common import _open, _settings, app
from indexer.wiring import analysis_resources

_PASSWORD_STDIN_HELP = "从标准输入读取密码（供脚本使用），不交互提问"


@app.command(name="create-admin")
def create_admin(
    username: Annotated[str, typer.Argument(help="登录用户名：3–50 个字母、数字或 _ . -")],
    department: Annotated[str, typer.Option(help="所属部门")] = "政务公开办",
    name: Annotated[str, typer.Option(help="显示的姓名，默认同用户名")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=_PASSWORD_STDIN_HELP)
    ] = False,
) -> None:
    """创建管理员账号（可查看、办理所有部门的咨询）；部署后用它创建第一个管理员。"""
    _add_staff(username, name, department, "admin", password_stdin)


@app.command(name="create-staff")
def create_staff(
    username: Annotated[str, typer.Argument(help="登录用户名：3–50 个字母、数字或 _ . -")],
    department: Annotated[str, typer.Option(help="所属部门（config/departments.yaml 中的全称）")],
    role: Annotated[
        str, typer.Option(help="staff（工作人员）、reviewer（审核人员）或 admin")
    ] = "staff",
    name: Annotated[str, typer.Option(help="显示的姓名，默认同用户名")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=_PASSWORD_STDIN_HELP)
    ] = False,
) -> None:
    """创建工作人员账号：只能查看、办理本部门的咨询。"""
    from bot.queue_types import Role

    roles = {r.value: r for r in Role} | {r.label: r for r in Role}
    if role.strip() not in roles:
        choices = "、".join(f"{r.value}（{r.label}）" for r in Role)
        raise typer.BadParameter(f"没有“{role}”这个角色，可选：{choices}", param_hint="--role")
    _add_staff(username, name, department, roles[role.strip()].value, password_stdin)


def _add_staff(username: str, name: str, department: str, role: str, password_stdin: bool) -> None:
    from bot.queue_types import QueueError, Role
    from bot.wiring import open_queue

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        # Asked twice and never echoed: a typo in a password nobody can see locks its owner out.
        password = typer.prompt("密码（至少 10 个字符）", hide_input=True)
        if typer.prompt("再输入一次密码", hide_input=True) != password:
            typer.echo("两次输入的密码不一致，账号未创建", err=True)
            raise typer.Exit(code=1)
    settings = _settings()
    kb = _open(settings)
    try:
        directory = open_queue(settings, kb).staff
        staff = directory.create(username, name, department, Role(role), password)
    except QueueError as exc:
        typer.echo(f"账号未创建：{exc}", err=True)
        raise typer.Exit(code=1) from exc
    finally:
        kb.close()
    typer.echo(
        f"已创建{staff.role.label} {staff.username}（{staff.display_name}，{staff.department}）"
    )


def _moment(text: str, option: str) -> datetime:
    from bot.deadlines import CHINA

    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(
            f"应写成 2026-11-22T10:00+08:00：{exc}", param_hint=option
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


@app.command(name="seed-consultations")
def seed_consultations_command(
    count: Annotated[int, typer.Option("--count", min=1, max=100_000, help="咨询件数")] = 600,
    seed: Annotated[
        int, typer.Option("--seed", help="随机种子：同一种子与截止时间得到同样数据")
    ] = 2026,
    end: Annotated[str, typer.Option("--end", help="模拟的“现在”，如 2026-11-22T10:00+08:00")] = "",
    password: Annotated[str, typer.Option("--password", help="生成的工作人员账号的密码")] = "",
    if_empty: Annotated[bool, typer.Option("--if-empty", help="已有咨询时跳过")] = False,
) -> None:
    """生成演示用的人工咨询数据（近两个季度，经真实的认领、答复、转办、关闭流程），供统计报表使用。"""
    from bot.deadlines import CHINA
    from bot.seed import SeedPlan, seed_consultations, seed_parts
    from bot.store.seed_repository import SeedStore
    from bot.wiring import open_conversations, open_queue

    settings = _settings()
    plan = SeedPlan(end=_moment(end, "--end"), count=count, seed=seed)
    password = password or secrets.token_urlsafe(12)
    kb = _open(settings)
    try:
        seeds = SeedStore.on(kb.engine)
        if if_empty and seeds.consultation_count():
            typer.echo(f"已有 {seeds.consultation_count()} 件咨询，跳过")
            return
        queue = open_queue(settings, kb)
        parts = seed_parts(queue, open_conversations(kb, settings), seeds, kb.taxonomy)
        summary = seed_consultations(parts, plan, password)
    finally:
        kb.close()
    statuses = "，".join(f"{k} {v}" for k, v in summary.statuses.most_common())
    first, last = summary.start.astimezone(CHINA), summary.end.astimezone(CHINA)
    typer.echo(
        f"已生成 {summary.consultations} 件咨询（{statuses}）和 {summary.messages} 条机器人处理的"
        f"消息，时间 {first:%Y-%m-%d} 至 {last:%Y-%m-%d %H:%M}"
    )
    if summary.staff:
        typer.echo(f"新建工作人员账号（密码 {password}）：\n  " + "\n  ".join(summary.staff))


@app.command(name="report")
def report_command(
    from_: Annotated[str, typer.Option("--from", help="开始日期（含），默认上季度初")] = "",
    to: Annotated[str, typer.Option("--to", help="结束日期（不含），默认明天")] = "",
    quarter: Annotated[str, typer.Option("--quarter", help="涉企诉求季度，如 2026Q3")] = "",
    department: Annotated[str, typer.Option("--department", help="只统计一个部门")] = "",
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="另存为 Excel 文件")] = None,
    at: Annotated[str, typer.Option("--now", help="统计时点（判断是否超期），默认现在")] = "",
) -> None:
    """咨询办理情况统计（Markdown 表格），可导出 Excel。"""
    from bot.deadlines import CHINA
    from bot.report_export import export_xlsx
    from bot.report_period import Period, PeriodError, default_period, previous_quarter
    from bot.report_service import ReportService
    from bot.report_text import report_markdown
    from bot.store.report_repository import ReportStore
    from bot.wiring import deadline_policy

    settings = _settings()
    now = _moment(at, "--now")
    today = now.astimezone(CHINA).date()
    try:
        fallback = default_period(today)
        period = Period.parse(from_ or str(fallback.start), to or str(fallback.end))
        season = Period.parse_quarter(quarter) if quarter else previous_quarter(today)
    except PeriodError as exc:
        raise typer.BadParameter(str(exc)) from exc
    resources = analysis_resources(settings)
    kb = _open(settings)
    try:
        service = ReportService.of(
            ReportStore.on(kb.engine),
            deadline_policy(settings).calendar,
            kb.taxonomy,
            resources.analyzer().words,
        )
        report = service.report(period, department or None, now)
        enterprise = service.enterprise(season, department or None, now)
    finally:
        kb.close()
    typer.echo(report_markdown(report, enterprise))
    if xlsx is not None:
        xlsx.write_bytes(export_xlsx(report, enterprise))
        typer.echo(f"已导出到 {xlsx}")
