"""Knowledge-base commands: migrate, import, export, list, show, stats, seed-demo, serve."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import _open, _pairs, _progress, _settings, app
from knowledge.demo import load_demo
from knowledge.enums import Audience, Kind, Status
from knowledge.errors import KnowledgeError, RecordNotFoundError
from knowledge.exporting import export_file
from knowledge.importing.importer import ImportOptions, ImportReport
from knowledge.queries import RecordQuery
from knowledge.reporting import (
    print_import_report,
    print_record,
    print_record_table,
    print_stats,
    record_json,
    stats_json,
)
from knowledge.store.wiring import KnowledgeBase


@app.command()
def migrate() -> None:
    """把数据库升级到最新结构（Alembic）。"""
    kb = _open()
    kb.close()
    typer.echo("数据库已是最新结构")


@app.command(name="import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="JSON/JSONL/CSV/XLSX/YAML/DOCX/PDF 文件")],
    map_: Annotated[
        str, typer.Option("--map", help="字段改名，如 question=title,answer=body,dept=department")
    ] = "",
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="文件中没有的字段取值，如 --set kind=faq（可重复）"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并报告，不写入")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="任何一行有错则整个文件不导入")] = False,
    actor: Annotated[str, typer.Option(help="记入版本历史的操作人")] = "import",
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出汇总")] = False,
) -> None:
    """导入知识记录：按编号新增或更新，逐行报告错误。"""
    field_map = _pairs([p for p in map_.split(",") if p.strip()], "--map")
    options = ImportOptions(
        field_map=field_map,
        defaults=_pairs(set_ or [], "--set"),
        dry_run=dry_run,
        strict=strict,
        actor=actor,
    )
    kb = _open()
    try:
        report = kb.importer.run(files, options, _progress)
    finally:
        kb.close()
    _report_import(report, as_json=as_json)


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="输出文件：.xlsx 或 .jsonl")],
) -> None:
    """导出全部记录（可再次导入）。"""
    kb = _open()
    try:
        count = export_file(kb.store.iter_contents(), file, kb.taxonomy)
    except KnowledgeError as exc:
        typer.echo(f"导出失败：{exc}", err=True)
        raise typer.Exit(code=1) from exc
    finally:
        kb.close()
    typer.echo(f"已导出 {count} 条记录到 {file}")


@app.command(name="list")
def list_(
    text: Annotated[str, typer.Option("--q", help="按标题、文号或编号查找")] = "",
    kind: Annotated[str, typer.Option(help="类型，如 政策文件、问答")] = "",
    status: Annotated[str, typer.Option(help="效力，如 现行有效")] = "",
    audience: Annotated[str, typer.Option(help="个人 或 企业")] = "",
    life_event: Annotated[str, typer.Option("--life-event", help="人生事件名称或代码")] = "",
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """列出知识记录。"""
    kb = _open()
    try:
        query = _query(kb, text, kind, status, audience, life_event, limit)
        page = kb.store.list(query)
    finally:
        kb.close()
    if as_json:
        typer.echo(
            json.dumps([record_json(r, kb.taxonomy) for r in page.items], ensure_ascii=False)
        )
    else:
        print_record_table(page, kb.taxonomy)


def _query(
    kb: KnowledgeBase, text: str, kind: str, status: str, audience: str, event: str, limit: int
) -> RecordQuery:
    try:
        resolved = kb.taxonomy.resolve(event) if event else None
        if event and resolved is None:
            raise ValueError(f"未知的人生事件“{event}”，可选：{'、'.join(kb.taxonomy.names())}")
        return RecordQuery(
            text=text,
            kinds=(Kind.parse(kind),) if kind else (),
            statuses=(Status.parse(status),) if status else (),
            audience=Audience.parse(audience) if audience else None,
            life_event=resolved.code if resolved else "",
            limit=limit,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(help="记录编号")],
    version: Annotated[int | None, typer.Option(help="显示某个历史版本")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """显示一条记录（含历史版本）。"""
    kb = _open()
    try:
        record = kb.store.get(record_id)
        history = kb.store.history(record_id)
        interpretations = kb.store.interpretations_of(record_id)
    except RecordNotFoundError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from exc
    finally:
        kb.close()
    print_record(record, history, interpretations, kb.taxonomy, version=version, as_json=as_json)


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """按类型、效力、人生事件、对象统计知识库。"""
    kb = _open()
    try:
        figures = kb.store.stats()
    finally:
        kb.close()
    if as_json:
        typer.echo(json.dumps(stats_json(figures, kb.taxonomy), ensure_ascii=False, indent=2))
    else:
        print_stats(figures, kb.taxonomy)


@app.command(name="seed-demo")
def seed_demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="知识库已有内容时跳过")] = False,
) -> None:
    """导入随附的示范知识库。"""
    settings = _settings()
    kb = _open(settings)
    try:
        if if_empty and kb.store.count() > 0:
            typer.echo(f"知识库已有 {kb.store.count()} 条记录，跳过示范数据")
            return
        report = load_demo(kb.importer, settings.demo_knowledge_dir)
    finally:
        kb.close()
    _report_import(report, as_json=False)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="默认取 HOST 环境变量或 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="默认取 PORT 环境变量或 8000")] = None,
) -> None:
    """启动网页服务。"""
    import uvicorn

    settings = _settings()
    if settings.web_workers > 1:
        from api.main import session_secret

        session_secret(settings)  # made once here, so the workers all read the same one
    uvicorn.run(
        "api.main:create_app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=settings.web_workers,
        proxy_headers=True,
    )


def _report_import(report: ImportReport, *, as_json: bool) -> None:
    """Print an import's summary; a file with rejected rows makes the command fail (exit 1)."""
    print_import_report(report, as_json=as_json)
    if not report.ok:
        raise typer.Exit(code=1)
