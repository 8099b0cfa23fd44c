"""政策咨询助手 command line: `python manage.py --help`.

This is an entry point: it reads the settings and passes plain values to the packages.
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from tqdm import tqdm

from bot.engine import ConversationEngine
from bot.messages import IncomingMessage
from bot.wiring import open_engine
from config.settings import Settings
from config.taxonomy import load_taxonomy
from indexer.calibration import band_breakdown, demo_and_shared_observations
from indexer.calibration import calibrate as calibrate_observations
from indexer.resources import load_resources
from indexer.search import SearchFilters
from indexer.wiring import open_search
from knowledge.demo import load_demo
from knowledge.enums import Audience, Kind, Status
from knowledge.errors import KnowledgeError, RecordNotFoundError
from knowledge.exporting import export_file
from knowledge.importing.importer import ImportOptions
from knowledge.queries import RecordQuery
from knowledge.reporting import (
    print_import_report,
    print_record,
    print_record_table,
    print_stats,
    record_json,
    stats_json,
)
from knowledge.store.wiring import KnowledgeBase, open_knowledge

T = TypeVar("T")

app = typer.Typer(
    help="政策咨询助手：知识库导入导出、查询与服务启动。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _settings() -> Settings:
    return Settings()


def _open(settings: Settings | None = None) -> KnowledgeBase:
    settings = settings or _settings()
    return open_knowledge(settings.database_url, settings.life_events_path)


def _progress(items: Iterable[T], total: int, desc: str) -> Iterable[T]:
    # A bar only where it helps: long files, on a terminal.
    return tqdm(items, total=total, desc=desc, unit="条", disable=total < 500 or None)


def _pairs(values: list[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"应写成 字段=值，收到“{value}”", param_hint=option)
        out[key.strip()] = rest.strip()
    return out


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
    print_import_report(report, as_json=as_json)
    if not report.ok:
        raise typer.Exit(code=1)


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


@app.command(name="eval")
def eval_(
    kb_path: Annotated[
        Path,
        typer.Option("--kb", help="要索引的知识：JSONL 评测文件，或导入格式的 YAML 文件/目录"),
    ],
    queries: Annotated[
        Path | None,
        typer.Option("--queries", help="问题：每行 {question, gold_ids} 的 JSONL 文件或其目录"),
    ] = None,
    queries_from_kb: Annotated[
        str,
        typer.Option(
            "--queries-from-kb", help="以 JSONL 知识文件中每条的此字段为问题、其编号为答案"
        ),
    ] = "",
    map_: Annotated[str, typer.Option("--map", help="字段改名，如 name=title,text=body")] = "",
    per_query: Annotated[
        Path | None, typer.Option("--per-query", help="把逐题结果写入此 JSONL 文件")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出指标")] = False,
) -> None:
    """评测检索质量：在临时内存索引上提问，与同分词的普通 BM25 对比（MRR、Recall@k、nDCG）。"""
    # Imported here: the index, numpy and bm25s (a development dependency) cost every other
    # command start-up time and are only needed to evaluate.
    try:
        from config.taxonomy import TaxonomyFileError, load_taxonomy
        from indexer.eval_data import EvaluationInputError, MissingInputError, load_inputs
        from indexer.evaluation import evaluate, format_report
        from indexer.resources import ResourceError, load_resources
    except ModuleNotFoundError as exc:
        typer.echo(f"评测需要 {exc.name}：请先 pip install -r requirements-dev.txt", err=True)
        raise typer.Exit(code=2) from exc

    settings = _settings()
    field_map = _pairs([p for p in map_.split(",") if p.strip()], "--map")
    if per_query is not None and not per_query.parent.is_dir():  # say so before a long run
        typer.echo(f"找不到 --per-query 的目录 {per_query.parent}", err=True)
        raise typer.Exit(code=2)
    try:
        taxonomy = load_taxonomy(settings.life_events_path)
        resources = load_resources(
            settings.dictionary_path, settings.stopwords_path, settings.synonyms_path
        )
        knowledge, questions = load_inputs(kb_path, field_map, queries, queries_from_kb, taxonomy)
    except MissingInputError as exc:
        shared = "shared/data" in exc.path.resolve().as_posix()
        typer.echo(f"{exc}：评测需要 ../shared/data（见 README）" if shared else str(exc), err=True)
        raise typer.Exit(code=2) from exc
    except (EvaluationInputError, ResourceError, TaxonomyFileError, OSError) as exc:
        typer.echo(f"评测无法进行：{exc}", err=True)
        raise typer.Exit(code=2) from exc

    report = evaluate(knowledge.documents, questions, resources, taxonomy, _progress)
    for warning in [*knowledge.warnings, *report.warnings]:
        typer.echo(f"注意：{warning}", err=True)
    if per_query is not None:
        with per_query.open("w", encoding="utf-8") as out:
            for row in report.per_query():
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if as_json:
        typer.echo(json.dumps(report.metrics(), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(report, taxonomy))


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
    print_import_report(report, as_json=False)
    if not report.ok:
        raise typer.Exit(code=1)


@app.command(name="bench")
def bench(
    corpus: Annotated[
        str, typer.Option("--corpus", help="逗号分隔的语料：demo,faq,statutes,laws")
    ] = "demo,faq,statutes,laws",
    queries: Annotated[int, typer.Option("--queries", min=1, help="每个引擎计时的查询数")] = 1000,
    data_dir: Annotated[
        Path | None, typer.Option("--data", help="共享数据目录，默认为项目旁的 ../shared/data")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果")] = False,
) -> None:
    """性能基准：建索引（分词单独计）、内存、查询延迟 p50/p99 与吞吐，并与 tantivy、bm25s 对比。"""
    # Imported here: bm25s, tantivy and the index are only needed to benchmark (bm25s and
    # tantivy are development dependencies).
    try:
        from config.settings import PROJECT_ROOT
        from config.taxonomy import load_taxonomy
        from indexer.bench_corpora import CORPUS_NAMES, CorpusPaths
        from indexer.bench_report import format_report, report_json
        from indexer.benchmark import run_benchmark
        from indexer.resources import load_resources
    except ModuleNotFoundError as exc:
        typer.echo(f"基准测试需要 {exc.name}：请先 pip install -r requirements-dev.txt", err=True)
        raise typer.Exit(code=2) from exc

    names = [n.strip() for n in corpus.split(",") if n.strip()]
    unknown = [n for n in names if n not in CORPUS_NAMES]
    if unknown or not names:
        choices = ",".join(CORPUS_NAMES)
        raise typer.BadParameter(f"未知的语料 {unknown}，可选：{choices}", param_hint="--corpus")
    settings = _settings()
    paths = CorpusPaths(
        settings.demo_knowledge_dir, data_dir or PROJECT_ROOT.parent / "shared" / "data"
    )
    resources = load_resources(
        settings.dictionary_path, settings.stopwords_path, settings.synonyms_path
    )
    taxonomy = load_taxonomy(settings.life_events_path)
    report = run_benchmark(
        names,
        paths,
        resources.analyzer("rjieba"),
        taxonomy,
        queries,
        log=lambda message: typer.echo(message, err=True),
    )
    if as_json:
        typer.echo(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(report))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="默认取 HOST 环境变量或 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="默认取 PORT 环境变量或 8000")] = None,
) -> None:
    """启动网页服务。"""
    import uvicorn

    settings = _settings()
    uvicorn.run(
        "api.main:create_app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        proxy_headers=True,
    )


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="问题，如：生孩子有什么补贴")],
    audience: Annotated[str, typer.Option(help="individual 或 enterprise")] = "",
    limit: Annotated[int, typer.Option(min=1, max=100)] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """用服务的检索索引查找一个问题（不经过对话）。"""
    settings = _settings()
    kb = _open(settings)
    try:
        service = open_search(settings, kb.store, kb.taxonomy, progress=_progress)
        result = service.searcher.search(question, SearchFilters(audience=audience or None), limit)
    finally:
        kb.close()
    hits = [
        {
            "id": h.id,
            "title": h.document.title,
            "kind": h.document.kind,
            "status": h.document.status,
            "passage": h.passage,
            "score": round(h.score, 3),
            "replaced_by": h.replacement.id if h.replacement else None,
        }
        for h in result.hits
    ]
    if as_json:
        out = {"band": result.band.value, "confidence": round(result.confidence, 3), "hits": hits}
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    events = "、".join(kb.taxonomy.by_code(c).name for c in result.life_events) or "无"
    typer.echo(
        f"判断：{result.band.value}（置信度 {result.confidence:.2f}），识别到的事项：{events}"
    )
    for rank, hit in enumerate(hits, start=1):
        extra = f" → 已被 {hit['replaced_by']} 替代" if hit["replaced_by"] else ""
        typer.echo(f"{rank}. {hit['id']}\t{hit['title']} {hit['passage']}\t{hit['score']}{extra}")


def _engine_session(settings: Settings) -> tuple[KnowledgeBase, ConversationEngine]:
    kb = _open(settings)
    search = open_search(settings, kb.store, kb.taxonomy, progress=_progress)
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


@app.command()
def calibrate(
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """在示范问题集、投诉类留言和政务问答上校准置信度模型与答复/澄清阈值。"""
    settings = _settings()
    shared = settings.demo_knowledge_dir.parents[2] / "shared" / "data"
    resources = load_resources(
        settings.dictionary_path, settings.stopwords_path, settings.synonyms_path
    )
    taxonomy = load_taxonomy(settings.life_events_path)
    if not shared.is_dir():
        typer.echo(f"找不到 {shared}：只用示范问题集校准（见 README）", err=True)
    sets = demo_and_shared_observations(
        settings.demo_knowledge_dir, shared if shared.is_dir() else None, resources, taxonomy
    )
    pooled = [o for group in sets.values() for o in group]
    result = calibrate_observations(pooled)
    figures = {
        "sets": {name: len(group) for name, group in sets.items()},
        "weights": list(result.model.weights),
        "bias": result.model.bias,
        "answer_threshold": result.answer_threshold,
        "clarify_threshold": result.clarify_threshold,
        "answer_share": round(result.answer_share, 3),
        "answer_precision": round(result.answer_precision, 3),
        "clarify_share": round(result.clarify_share, 3),
        "clarify_recall": round(result.clarify_recall, 3),
        "escalate_share": round(result.escalate_share, 3),
        "by_set": {name: band_breakdown(result, group) for name, group in sets.items()},
    }
    if as_json:
        typer.echo(json.dumps(figures, ensure_ascii=False))
        return
    for key, value in figures.items():
        typer.echo(f"{key}: {value}")
    typer.echo(
        "把 weights、bias 和两个阈值写入 POLICY_CONFIDENCE_WEIGHTS、POLICY_CONFIDENCE_BIAS、"
        "POLICY_SEARCH_ANSWER_THRESHOLD、POLICY_SEARCH_CLARIFY_THRESHOLD 即可生效"
    )


@app.command(name="index")
def index_command() -> None:
    """建立或加载检索索引（知识库未变时直接加载已保存的索引）。"""
    settings = _settings()
    kb = _open(settings)
    try:
        loaded = open_search(settings, kb.store, kb.taxonomy, progress=_progress).current
    finally:
        kb.close()
    meta = loaded.meta
    how = "已加载保存的索引" if loaded.loaded_from_disk else f"已重建（{meta.build_seconds} 秒）"
    typer.echo(
        f"{how}：知识库版本 {meta.kb_version}，{meta.documents} 条记录，{meta.passages} 个段落，"
        f"保存在 {settings.index_dir}"
    )


@app.command(name="route-eval")
def route_eval(
    data_dir: Annotated[
        Path | None, typer.Option("--data", help="共享数据目录，默认为项目旁的 ../shared/data")
    ] = None,
    cues_path: Annotated[
        Path | None, typer.Option("--cues", help="分流词表，默认 config/intent_cues.yaml")
    ] = None,
    folds: Annotated[int, typer.Option("--folds", min=2, max=20, help="交叉验证的折数")] = 5,
    fit: Annotated[
        bool,
        typer.Option("--fit", help="另外打印在全部留言上拟合的权重（粘贴到词表的 model 部分）"),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果")] = False,
) -> None:
    """留言分流评测：政策咨询 vs 投诉/求助/建言的准确率、精确率与召回率（交叉验证）。"""
    # Imported here: numpy fitting is only needed to evaluate.
    from bot.intent import IntentCuesError, load_cues
    from bot.intent_fit import stages_yaml
    from bot.routing_eval import MESSAGES_FILE, RoutingDataError, evaluate
    from bot.routing_report import format_report, report_json
    from config.settings import PROJECT_ROOT

    messages = (data_dir or PROJECT_ROOT.parent / "shared" / "data") / MESSAGES_FILE
    if not messages.is_file():
        reason = f"跳过留言分流评测：找不到 {messages}（评测需要 ../shared/data，见 README）"
        typer.echo(
            json.dumps({"skipped": True, "reason": reason}, ensure_ascii=False)
            if as_json
            else reason
        )
        return
    try:
        cues = load_cues(cues_path or _settings().intent_cues_path)
        report = evaluate(cues, messages.parent.parent, folds=folds)
    except (IntentCuesError, RoutingDataError) as exc:
        typer.echo(f"评测无法进行：{exc}", err=True)
        raise typer.Exit(code=2) from exc
    if as_json:
        typer.echo(json.dumps(report_json(report), ensure_ascii=False, indent=2))
        return
    typer.echo(format_report(report))
    if fit:
        typer.echo("\n在全部留言上拟合的权重（替换 config/intent_cues.yaml 末尾的 model 部分）：\n")
        typer.echo(stages_yaml(*report.fitted, cues.threshold))


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
    resources = load_resources(
        settings.dictionary_path, settings.stopwords_path, settings.synonyms_path
    )
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


def main() -> None:
    try:
        app()
    except KnowledgeError as exc:
        typer.echo(f"错误：{exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
