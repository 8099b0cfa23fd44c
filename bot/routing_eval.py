"""Measuring the router on labelled citizen messages (../shared/data/citizen_messages).

The question that matters is the first split: is it a policy question (咨询) or something a person
must take up (投诉/求助 and 建言 together)? Figures are cross-validated: in each of k folds the
weights are fitted on the other folds and the fold is routed with them, so no message is judged
by weights it helped to fit. The figures of the weights in the YAML on the whole data set are
shown beside them as training-set figures, for comparison only.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.intent import IntentRouter, MessageKind
from bot.intent_cues import IntentCues, Stage
from bot.intent_fit import DEFAULT_L2, Matrix, fit_stages, stratified_folds

MESSAGES_FILE = Path("citizen_messages") / "labelled_messages.jsonl"
LABELS = {
    "咨询": MessageKind.POLICY_QUESTION,
    "投诉/求助": MessageKind.COMPLAINT_OR_HELP,
    "建言": MessageKind.SUGGESTION,
}
MODEL_KINDS = tuple(LABELS.values())
KIND_NAMES = {
    MessageKind.POLICY_QUESTION: "咨询",
    MessageKind.COMPLAINT_OR_HELP: "投诉/求助",
    MessageKind.SUGGESTION: "建言",
    MessageKind.GREETING: "问候",
    MessageKind.HUMAN: "人工",
    MessageKind.EMPTY: "空",
}
LONG_MESSAGE_CHARS = 10_000


class RoutingDataError(Exception):
    """The labelled messages are missing or unreadable; the message says which file."""


@dataclass(frozen=True)
class LabelledMessage:
    text: str
    kind: MessageKind


def load_messages(path: Path) -> list[LabelledMessage]:
    """Messages with a known label; lines with another label or no text are left out."""
    if not path.is_file():
        raise RoutingDataError(f"找不到留言数据 {path}")
    messages: list[LabelledMessage] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RoutingDataError(f"{path}:{number}: 不是合法的 JSON：{exc}") from exc
            kind = LABELS.get(str(row.get("msg_type", "")))
            text = row.get("text")
            if kind is not None and isinstance(text, str) and text.strip():
                messages.append(LabelledMessage(text, kind))
    if not messages:
        raise RoutingDataError(f"{path}: 没有带标注（咨询、投诉/求助、建言）的留言")
    return messages


@dataclass(frozen=True)
class Scores:
    """Policy question vs the rest (any other kind, rules included), and the three kinds."""

    messages: int
    accuracy: float
    question_precision: float
    question_recall: float
    other_precision: float
    other_recall: float
    kind_accuracy: float
    confusion: dict[MessageKind, dict[MessageKind, int]]  # true kind -> routed kind -> count

    def as_json(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "accuracy": round(self.accuracy, 4),
            "policy_question": {
                "precision": round(self.question_precision, 4),
                "recall": round(self.question_recall, 4),
            },
            "complaint_help_suggestion": {
                "precision": round(self.other_precision, 4),
                "recall": round(self.other_recall, 4),
            },
            "three_kind_accuracy": round(self.kind_accuracy, 4),
            "confusion": {
                t.value: {p.value: n for p, n in row.items()} for t, row in self.confusion.items()
            },
        }


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def score(truth: Sequence[MessageKind], routed: Sequence[MessageKind]) -> Scores:
    question = MessageKind.POLICY_QUESTION
    pairs = Counter(zip(truth, routed, strict=True))
    both_question = pairs[(question, question)]
    said_question = sum(n for (_, r), n in pairs.items() if r is question)
    is_question = sum(n for (t, _), n in pairs.items() if t is question)
    both_other = sum(n for (t, r), n in pairs.items() if t is not question and r is not question)
    total = len(truth)
    confusion = {t: {r: pairs[(t, r)] for r in MessageKind if pairs[(t, r)]} for t in MODEL_KINDS}
    return Scores(
        messages=total,
        accuracy=_ratio(both_question + both_other, total),
        question_precision=_ratio(both_question, said_question),
        question_recall=_ratio(both_question, is_question),
        other_precision=_ratio(both_other, total - said_question),
        other_recall=_ratio(both_other, total - is_question),
        kind_accuracy=_ratio(sum(n for (t, r), n in pairs.items() if t is r), total),
        confusion=confusion,
    )


@dataclass(frozen=True)
class CrossValidation:
    folds: int
    pooled: Scores  # every message routed once, by the weights of the fold that left it out
    fold_accuracy: tuple[float, ...]


def feature_matrix(router: IntentRouter, texts: Sequence[str]) -> Matrix:
    names = router.cues.feature_names
    rows = [router.features(router.clean(text)).vector(names) for text in texts]
    return np.array(rows, dtype=np.float64)


def cross_validate(
    cues: IntentCues,
    messages: Sequence[LabelledMessage],
    x: Matrix,
    folds: int,
    seed: int,
    l2: float,
) -> CrossValidation:
    """`x` holds the features of `messages`, one row each (see `feature_matrix`)."""
    kinds = [m.kind for m in messages]
    routed: list[MessageKind] = list(kinds)
    accuracies: list[float] = []
    for test in stratified_folds(kinds, folds, seed):
        train = np.setdiff1d(np.arange(len(messages)), test)
        stages = fit_stages(x[train], [kinds[i] for i in train], cues.feature_names, l2)
        fold_router = IntentRouter(cues.with_stages(*stages))
        for i in test:
            routed[i] = fold_router.route(messages[i].text).kind
        fold = score([kinds[i] for i in test], [routed[i] for i in test])
        accuracies.append(fold.accuracy)
    return CrossValidation(folds, score(kinds, routed), tuple(accuracies))


@dataclass(frozen=True)
class Timing:
    mean_us: float
    p50_us: float
    p99_us: float
    long_message_us: float  # one message of 10,000 characters


def _timed(router: IntentRouter, text: str) -> tuple[MessageKind, float]:
    start = time.perf_counter()
    kind = router.route(text).kind
    return kind, (time.perf_counter() - start) * 1e6


def route_and_time(router: IntentRouter, texts: Sequence[str]) -> tuple[list[MessageKind], Timing]:
    """Every message routed once and timed, then one message of 10,000 characters."""
    timed = [_timed(router, text) for text in texts]
    samples = [us for _, us in timed]
    long_text = ("".join(texts[:200]) * 10)[:LONG_MESSAGE_CHARS]
    # The median of a few runs: one run of one message is at the mercy of the scheduler.
    long_us = float(np.median([_timed(router, long_text)[1] for _ in range(5)]))
    p50, p99 = np.percentile(samples, [50, 99])
    timing = Timing(float(np.mean(samples)), float(p50), float(p99), long_us)
    return [kind for kind, _ in timed], timing


@dataclass(frozen=True)
class RoutingReport:
    data: Path
    cross_validation: CrossValidation
    training: Scores  # the weights in the YAML, on all messages (they were fitted on them)
    fitted: tuple[Stage, Stage]  # weights fitted on all messages, for --fit
    timing: Timing


def evaluate(
    cues: IntentCues, data_dir: Path, folds: int = 5, seed: int = 0, l2: float = DEFAULT_L2
) -> RoutingReport:
    path = data_dir / MESSAGES_FILE
    messages = load_messages(path)
    router = IntentRouter(cues)
    texts = [m.text for m in messages]
    kinds = [m.kind for m in messages]
    routed, timing = route_and_time(router, texts)
    x = feature_matrix(router, texts)
    return RoutingReport(
        data=path,
        cross_validation=cross_validate(cues, messages, x, folds, seed, l2),
        training=score(kinds, routed),
        fitted=fit_stages(x, kinds, cues.feature_names, l2),
        timing=timing,
    )
