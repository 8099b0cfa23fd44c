"""Search commands: eval, bench, search, calibrate, index, route-eval."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from cli.common import _open, _pairs, _progress, _settings, app
from config.settings import Settings
from config.taxonomy import load_taxonomy
from indexer.calibration import band_breakdown, calibrate_sets, demo_and_shared_observations
from indexer.documents import SearchDocument
from indexer.search import SearchFilters
from indexer.semantic import Meaning, SemanticIndex
from indexer.service import SemanticSetup, semantic_index
from indexer.wiring import analysis_resources, open_search, semantic_setup


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
    meaning: Annotated[
        bool | None,
        typer.Option("--semantic/--no-semantic", help="是否按语义重排（默认按设置）"),
    ] = None,
) -> None:
    """评测检索质量：在临时内存索引上提问，与同分词的普通 BM25 对比（MRR、Recall@k、nDCG）。"""
    # Imported here: the index, numpy and bm25s (a development dependency) cost every other
    # command start-up time and are only needed to evaluate.
    try:
        from config.taxonomy import TaxonomyFileError, load_taxonomy
        from indexer.eval_data import EvaluationInputError, MissingInputError, load_inputs
        from indexer.evaluation import evaluate, format_report
        from indexer.resources import ResourceError
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
        resources = analysis_resources(settings)
        knowledge, questions = load_inputs(kb_path, field_map, queries, queries_from_kb, taxonomy)
    except MissingInputError as exc:
        shared = "shared/data" in exc.path.resolve().as_posix()
        typer.echo(f"{exc}：评测需要 ../shared/data（见 README）" if shared else str(exc), err=True)
        raise typer.Exit(code=2) from exc
    except (EvaluationInputError, ResourceError, TaxonomyFileError, OSError) as exc:
        typer.echo(f"评测无法进行：{exc}", err=True)
        raise typer.Exit(code=2) from exc

    semantic = _eval_semantic(settings, meaning)
    report = evaluate(knowledge.documents, questions, resources, taxonomy, _progress, semantic)
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
    meaning: Annotated[
        str, typer.Option("--semantic", help="也计时语义重排的语料（逗号分隔；空则不计）")
    ] = "demo,faq",
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
    resources = analysis_resources(settings)
    taxonomy = load_taxonomy(settings.life_events_path)
    report = run_benchmark(
        names,
        paths,
        resources.analyzer("rjieba"),
        taxonomy,
        queries,
        log=lambda message: typer.echo(message, err=True),
        meaning=_bench_meaning(settings, [n.strip() for n in meaning.split(",") if n.strip()]),
    )
    if as_json:
        typer.echo(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(report))


def _eval_semantic(
    settings: Settings, meaning: bool | None, *, threads_as_served: bool = False
) -> SemanticSetup | None:
    """Evaluation and benchmark corpora keep their vectors apart from the service's (the
    statutes' 25,000 would otherwise be loaded by every service start), and their builds use
    every core (one process, nothing else waiting on the model) unless `threads_as_served`
    (the benchmark times questions as the service answers them)."""
    update: dict[str, object] = {
        "vector_cache_path": settings.vector_cache_path.with_name("eval-vectors.npz")
    }
    if not threads_as_served:
        update["embedding_threads"] = None
    if meaning is not None:
        update["semantic_search"] = meaning
    return semantic_setup(settings.model_copy(update=update), background=False)


def _bench_meaning(settings: Settings, names: list[str]) -> dict[str, Meaning]:
    setup = _eval_semantic(settings, True, threads_as_served=True) if names else None
    if setup is None:
        return {}
    model = functools.cache(setup.embedder)  # loaded once, by the first corpus that needs it

    def build(documents: Sequence[SearchDocument]) -> SemanticIndex:
        return semantic_index(documents, setup, model(), _progress, remembered=0)

    return dict.fromkeys(names, build)


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
        service = open_search(
            settings, kb.store, kb.taxonomy, progress=_progress, background_meaning=False
        )
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


@app.command()
def calibrate(
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """在示范问题集、投诉类留言和政务问答上校准置信度模型与答复/澄清阈值。"""
    settings = _settings()
    shared = settings.demo_knowledge_dir.parents[2] / "shared" / "data"
    resources = analysis_resources(settings)
    taxonomy = load_taxonomy(settings.life_events_path)
    if not shared.is_dir():
        typer.echo(f"找不到 {shared}：只用示范问题集校准（见 README）", err=True)
    sets = demo_and_shared_observations(
        settings.demo_knowledge_dir,
        shared if shared.is_dir() else None,
        resources,
        taxonomy,
        _eval_semantic(settings, None),
    )
    result = calibrate_sets(sets)
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
        "把 weights、bias 和两个阈值写入 config/calibrated.py（作为默认值），或写入环境变量 "
        "POLICY_CONFIDENCE_WEIGHTS、POLICY_CONFIDENCE_BIAS、POLICY_SEARCH_ANSWER_THRESHOLD、"
        "POLICY_SEARCH_CLARIFY_THRESHOLD 即可生效"
    )


@app.command(name="index")
def index_command() -> None:
    """建立或加载检索索引（知识库未变时直接加载已保存的索引）。"""
    settings = _settings()
    kb = _open(settings)
    try:
        loaded = open_search(
            settings, kb.store, kb.taxonomy, progress=_progress, background_meaning=False
        ).current
    finally:
        kb.close()
    meta = loaded.meta
    how = "已加载保存的索引" if loaded.loaded_from_disk else f"已重建（{meta.build_seconds} 秒）"
    typer.echo(
        f"{how}：知识库版本 {meta.kb_version}，{meta.documents} 条记录，{meta.passages} 个段落，"
        f"保存在 {settings.index_dir}"
    )
    if settings.semantic_search:
        state = "已就绪" if loaded.by_meaning else "未能建立（见日志），检索只按关键词进行"
        typer.echo(f"语义向量{state}：{settings.vector_cache_path}")


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
