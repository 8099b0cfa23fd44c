"""The routing evaluation as staff read it (a Chinese table) and as checks read it (JSON)."""

from __future__ import annotations

import unicodedata
from typing import Any

from bot.intent import MessageKind
from bot.intent_cues import Stage
from bot.routing_eval import KIND_NAMES, MODEL_KINDS, RoutingReport, Scores


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _stage_json(stage: Stage) -> dict[str, Any]:
    return {"bias": stage.bias, "weights": dict(stage.weights)}


def report_json(report: RoutingReport) -> dict[str, Any]:
    cv = report.cross_validation
    timing = report.timing
    return {
        "data": str(report.data),
        "cross_validated": {
            "folds": cv.folds,
            **cv.pooled.as_json(),
            "fold_accuracy": [round(a, 4) for a in cv.fold_accuracy],
        },
        "training_set": report.training.as_json(),
        "timing_us": {
            "mean": round(timing.mean_us, 1),
            "p50": round(timing.p50_us, 1),
            "p99": round(timing.p99_us, 1),
            "message_10000_chars": round(timing.long_message_us, 1),
        },
        "fitted": {
            "not_question": _stage_json(report.fitted[0]),
            "complaint_vs_suggestion": _stage_json(report.fitted[1]),
        },
    }


def _width(text: str) -> int:
    # A Chinese character takes two columns of a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(value: object, width: int, *, left: bool = False) -> str:
    text = str(value)
    pad = " " * max(0, width - _width(text))
    return text + pad if left else pad + text


def _confusion(scores: Scores) -> list[str]:
    columns = [k for k in MessageKind if any(k in row for row in scores.confusion.values())]
    lines = [
        "  "
        + _cell("标注＼判断", 16, left=True)
        + "".join(_cell(KIND_NAMES[k], 11) for k in columns)
    ]
    for truth in MODEL_KINDS:
        row = scores.confusion.get(truth, {})
        cells = "".join(_cell(row.get(k, 0), 11) for k in columns)
        lines.append("  " + _cell(KIND_NAMES[truth], 16, left=True) + cells)
    return lines


def _sides(scores: Scores) -> list[str]:
    rows = [
        ("", "精确率", "召回率"),
        ("政策咨询", _pct(scores.question_precision), _pct(scores.question_recall)),
        ("投诉/求助/建言", _pct(scores.other_precision), _pct(scores.other_recall)),
    ]
    return ["  " + _cell(a, 16, left=True) + _cell(b, 11) + _cell(c, 11) for a, b, c in rows]


def format_report(report: RoutingReport) -> str:
    cv = report.cross_validation
    pooled = cv.pooled
    timing = report.timing
    lines = [
        f"留言分流评测：{pooled.messages} 条带标注的留言（{report.data}）",
        "",
        f"{cv.folds} 折交叉验证（每一折都用其余各折拟合的权重判断）：",
        f"  政策咨询 vs 投诉/求助/建言  准确率 {_pct(pooled.accuracy)}"
        f"（各折 {_pct(min(cv.fold_accuracy))}–{_pct(max(cv.fold_accuracy))}）",
        *_sides(pooled),
        f"  三类（咨询、投诉/求助、建言）准确率 {_pct(pooled.kind_accuracy)}",
        "  混淆矩阵（行：标注，列：判断）",
        *_confusion(pooled),
        "",
        "配置文件中的权重用在全部留言上（训练集，仅供对照）："
        f"准确率 {_pct(report.training.accuracy)}，三类 {_pct(report.training.kind_accuracy)}",
        f"耗时：每条平均 {timing.mean_us:.0f} µs，p50 {timing.p50_us:.0f} µs，"
        f"p99 {timing.p99_us:.0f} µs；10000 字的消息 {timing.long_message_us:.0f} µs",
    ]
    return "\n".join(lines)
