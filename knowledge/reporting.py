"""Plain-text and JSON renderings of knowledge-base objects for the command line."""

from __future__ import annotations

import json
from collections.abc import Mapping

from config.taxonomy import Taxonomy
from knowledge.enums import Audience, Kind, Publication, Status
from knowledge.exporting import export_row
from knowledge.importing.importer import ImportReport
from knowledge.queries import Page, RecordVersion, Stats, StoredRecord

_MAX_ERRORS_SHOWN = 200


def print_import_report(report: ImportReport, *, as_json: bool) -> None:
    totals = report.totals
    if as_json:
        files = [
            {
                "file": f.file,
                "rows": f.rows,
                "created": len(f.result.created),
                "updated": len(f.result.updated),
                "unchanged": len(f.result.unchanged),
                "rejected": f.rejected,
                "file_error": f.file_error,
                "errors": [str(e) for e in f.errors],
                "warnings": f.warnings,
            }
            for f in report.files
        ]
        out = {**totals, "dry_run": report.dry_run, "files": files}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for f in report.files:
        if f.file_error:
            print(f"✗ {f.file}: {f.file_error}")
        for warning in f.warnings:
            print(f"! {f.file}: {warning}")
        for error in f.errors[:_MAX_ERRORS_SHOWN]:
            print(f"✗ {error}")
        if len(f.errors) > _MAX_ERRORS_SHOWN:
            print(f"… 另有 {len(f.errors) - _MAX_ERRORS_SHOWN} 个错误未显示（用 --json 查看全部）")
    prefix = "【试运行，未写入】" if report.dry_run else ""
    print(
        f"{prefix}新增 {totals['created']} 条，更新 {totals['updated']} 条，"
        f"未变 {totals['unchanged']} 条，拒绝 {totals['rejected']} 条"
    )


def record_json(record: StoredRecord, taxonomy: Taxonomy) -> dict[str, object]:
    content = record.content
    return {
        "id": content.id,
        "title": content.title,
        "kind": content.kind.value,
        "status": content.status.value,
        "audience": content.audience.value,
        "publication": content.publication.value,
        "life_events": list(content.life_events),
        "version": record.version,
        "updated_at": record.updated_at.isoformat(),
        "fields": export_row(content, taxonomy),
    }


def print_record_table(page: Page, taxonomy: Taxonomy) -> None:
    for item in page.items:
        c = item.content
        events = "、".join(taxonomy.by_code(code).name for code in c.life_events)
        print(f"{c.id}\t{c.kind.label}\t{c.status.label}\t{c.title}\t{events}")
    print(f"共 {page.total} 条，显示 {len(page.items)} 条")


def print_record(
    record: StoredRecord,
    history: list[RecordVersion],
    interpretations: list[StoredRecord],
    taxonomy: Taxonomy,
    *,
    version: int | None,
    as_json: bool,
) -> None:
    content = record.content
    if version is not None:
        match = [v for v in history if v.version == version]
        if not match:
            print(f"记录 {content.id} 没有第 {version} 版（共 {len(history)} 版）")
            return
        content = match[0].content
    if as_json:
        out = record_json(record, taxonomy) | {
            "fields": export_row(content, taxonomy),
            "history": [_version_json(v) for v in history],
            "interpretations": [i.id for i in interpretations],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for name, value in export_row(content, taxonomy).items():
        shown = "；".join(map(str, value)) if isinstance(value, list) else value
        print(f"{name}: {shown}")
    for item in interpretations:
        print(f"解读: {item.id} {item.content.title}")
    print("版本历史:")
    for v in history:
        print(f"  第{v.version}版 {v.changed_at:%Y-%m-%d %H:%M} {v.changed_by} {v.note}")


def _version_json(version: RecordVersion) -> dict[str, object]:
    return {
        "version": version.version,
        "publication": version.publication.value,
        "changed_at": version.changed_at.isoformat(),
        "changed_by": version.changed_by,
        "note": version.note,
    }


def stats_json(stats: Stats, taxonomy: Taxonomy) -> dict[str, object]:
    return {
        "total": stats.total,
        "kb_version": stats.kb_version,
        "by_kind": _labelled(stats.by_kind, Kind),
        "by_status": _labelled(stats.by_status, Status),
        "by_publication": _labelled(stats.by_publication, Publication),
        "by_audience": _labelled(stats.by_audience, Audience),
        "by_life_event": {event.name: stats.by_life_event.get(event.code, 0) for event in taxonomy},
        "by_region": stats.by_region,
    }


def _labelled(
    counts: Mapping[str, int], enum: type[Kind | Status | Publication | Audience]
) -> dict[str, int]:
    return {member.label: counts.get(member.value, 0) for member in enum}


def print_stats(stats: Stats, taxonomy: Taxonomy) -> None:
    data = stats_json(stats, taxonomy)
    print(f"共 {stats.total} 条记录，知识库版本 {stats.kb_version}")
    titles = {
        "by_kind": "按类型",
        "by_status": "按效力",
        "by_publication": "按发布状态",
        "by_audience": "按对象",
        "by_life_event": "按人生事件",
        "by_region": "按地区",
    }
    for key, title in titles.items():
        counts = data[key]
        assert isinstance(counts, dict)
        print(f"{title}：" + "，".join(f"{k} {v}" for k, v in counts.items()))
