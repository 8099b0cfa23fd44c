"""Conversation commands: ask, chat, bench-chat."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.engine import ConversationEngine
from bot.messages import IncomingMessage
from bot.wiring import open_engine
from cli.common import _open, _progress, _settings, app
from config.settings import Settings
from indexer.wiring import open_search
from knowledge.store.wiring import KnowledgeBase


def _engine_session(settings: Settings) -> tuple[KnowledgeBase, ConversationEngine]:
    kb = _open(settings)
    search = open_search(
        settings, kb.store, kb.taxonomy, progress=_progress, background_meaning=False
    )
    engine, _ = open_engine(settings, kb, search)
    return kb, engine


def _cli_message(user: str, text: str = "", payload: str = "") -> IncomingMessage:
    return IncomingMessage(
        channel="cli",
        user_id=user,
        message_id=secrets.token_hex(8),
        sent_at=datetime.now(UTC),
        text=text,
        payload=payload,
    )


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="问题，如：生孩子有什么补贴")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 action、text、records")] = False,
    user: Annotated[str, typer.Option(help="会话用户（同一用户可接着上一问继续）")] = "",
) -> None:
    """用对话引擎回答一个问题（与网页、微信同一引擎，使用服务的知识库）。"""
    settings = _settings()
    kb, engine = _engine_session(settings)
    try:
        reply = engine.handle(_cli_message(user or f"ask-{secrets.token_hex(6)}", question))
    finally:
        kb.close()
    if as_json:
        records = [
            {
                "id": r.id,
                "title": r.title,
                "kind": r.kind,
                "status": r.status,
                "audience": r.audience,
                "life_events": list(r.life_events),
            }
            for r in reply.records
        ]
        out = {"action": reply.action.value, "text": reply.text, "records": records}
        if reply.consultation_number:
            out["consultation_number"] = reply.consultation_number
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    typer.echo(reply.text)


@app.command()
def chat() -> None:
    """在终端里与助手对话（回复序号选择，输入“退出”结束）。"""
    settings = _settings()
    kb, engine = _engine_session(settings)
    user = f"cli-{secrets.token_hex(6)}"
    try:
        typer.echo(engine.handle(_cli_message(user, payload="menu")).text)
        while True:
            try:
                line = input("\n您：")
            except (EOFError, KeyboardInterrupt):
                break
            if line.strip() in ("退出", "exit", "quit"):
                break
            typer.echo("\n助手：" + engine.handle(_cli_message(user, line)).text)
    finally:
        kb.close()


@app.command(name="bench-chat")
def bench_chat(
    databases: Annotated[
        str, typer.Option("--databases", help="逗号分隔：sqlite,postgres")
    ] = "sqlite,postgres",
    workers: Annotated[str, typer.Option("--workers", help="逗号分隔的 uvicorn 进程数")] = "1,2",
    clients: Annotated[
        int, typer.Option("--clients", min=1, max=512, help="并发客户端，各自一个会话")
    ] = 32,
    messages: Annotated[int, typer.Option("--messages", min=1, help="每轮计时的消息数")] = 4000,
    warmup: Annotated[int, typer.Option("--warmup", min=0, help="每轮先发、不计时的消息数")] = 400,
    postgres_url: Annotated[
        str, typer.Option("--postgres-url", help="基准自用的 PostgreSQL 库，不存在则创建")
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果")] = False,
) -> None:
    """对话接口基准：并发客户端经 HTTP 提问，每秒答复数、p50/p99 延迟，核对每条消息均已落库。"""
    # Imported here: the harness starts uvicorn and is only needed to benchmark.
    from api.bench_chat import DEFAULT_POSTGRES_URL, ChatBenchOptions, run_chat_bench
    from api.bench_chat_report import format_report, report_json

    try:
        options = ChatBenchOptions(
            databases=tuple(d.strip() for d in databases.split(",") if d.strip()),
            workers=tuple(int(w) for w in workers.split(",") if w.strip()),
            clients=clients,
            messages=messages,
            warmup=warmup,
            postgres_url=postgres_url or DEFAULT_POSTGRES_URL,
        )
    except ValueError as exc:
        raise typer.BadParameter(f"--workers 应为逗号分隔的整数：{exc}") from exc
    unknown = [d for d in options.databases if d not in ("sqlite", "postgres")]
    if unknown or not options.databases or not options.workers or min(options.workers) < 1:
        raise typer.BadParameter("--databases 取 sqlite,postgres；--workers 为正整数")
    report = run_chat_bench(_settings(), options, log=lambda line: typer.echo(line, err=True))
    if as_json:
        typer.echo(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(report))
    broken = [r for r in report.runs if r.errors or not r.all_persisted]
    if broken or not report.runs:  # a slow run is a finding; a lost message is a failure
        raise typer.Exit(code=1)
