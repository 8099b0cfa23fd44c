"""The router's cue words, rules, reply texts and weights, loaded from config/intent_cues.yaml.

Staff edit that file without touching code; a malformed file is refused with a message that
names the file and the place, never half-loaded.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.intent_kinds import MessageKind
from bot.intent_signals import SIGNAL_NAMES
from bot.intent_text import fold

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class IntentCuesError(ValueError):
    """The cue file is missing or malformed; the message says where."""


@dataclass(frozen=True)
class CueGroup:
    """Words (substrings) and patterns (regular expressions) that count as one feature."""

    name: str
    label: str
    cues: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...] = ()
    asks: bool = False  # its cues are ways of asking (请问, 怎么, 是否…): see signal `unasked`


@dataclass(frozen=True)
class Stage:
    """One logistic step: score = bias + Σ weight × feature, probability = 1 / (1 + e^-score)."""

    bias: float
    weights: Mapping[str, float]

    def weight(self, feature: str) -> float:
        return self.weights.get(feature, 0.0)


@dataclass(frozen=True)
class RuleCues:
    """Deterministic rules, applied before the weighted model."""

    human_phrases: tuple[str, ...]  # 转人工：短消息中出现即转人工
    human_words: tuple[str, ...]  # 人工：去掉客套后只剩这个词才算
    human_fillers: tuple[str, ...]  # 我要、请、帮我……
    human_max_chars: int
    greeting_phrases: tuple[str, ...]  # 你好、谢谢、在吗：整条消息只有这些才算问候


@dataclass(frozen=True)
class IntentCues:
    groups: tuple[CueGroup, ...]
    not_question: Stage  # 第一步：不是政策咨询（投诉/求助或建言）的可能
    complaint_vs_suggestion: Stage  # 第二步：不是咨询时，是投诉/求助而非建言的可能
    threshold: float
    rules: RuleCues
    reasons: Mapping[MessageKind, str]
    max_chars: int
    tail_chars: int

    @property
    def feature_names(self) -> tuple[str, ...]:
        return (*(g.name for g in self.groups), *SIGNAL_NAMES)

    def with_stages(self, not_question: Stage, complaint_vs_suggestion: Stage) -> IntentCues:
        return dataclasses.replace(
            self, not_question=not_question, complaint_vs_suggestion=complaint_vs_suggestion
        )


def load_cues(path: Path) -> IntentCues:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise IntentCuesError(f"{path}: 无法读取意图识别词表：{exc}") from exc
    top = _mapping(raw, f"{path}")
    limits = _mapping(top.get("limits", {}), f"{path}: limits")
    groups = _groups(top.get("cue_groups"), f"{path}: cue_groups")
    features = {g.name for g in groups} | set(SIGNAL_NAMES)
    model = _mapping(top.get("model"), f"{path}: model")
    return IntentCues(
        groups=groups,
        not_question=_stage(model.get("not_question"), features, f"{path}: model.not_question"),
        complaint_vs_suggestion=_stage(
            model.get("complaint_vs_suggestion"),
            features,
            f"{path}: model.complaint_vs_suggestion",
        ),
        threshold=_probability(model.get("threshold", 0.5), f"{path}: model.threshold"),
        rules=_rules(top, path),
        reasons=_reasons(top.get("reasons"), f"{path}: reasons"),
        max_chars=_positive(limits.get("max_chars", 2000), f"{path}: limits.max_chars"),
        tail_chars=_positive(limits.get("tail_chars", 300), f"{path}: limits.tail_chars"),
    )


def _mapping(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise IntentCuesError(f"{where}: 应为“名称: 值”的映射")
    return value


def _words(value: object, where: str, *, folded: bool = True) -> tuple[str, ...]:
    """A list of non-empty strings, folded like messages so 全角 and 繁體 cues still match
    (a regular expression is left as written: folding would turn \\D into \\d)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise IntentCuesError(f"{where}: 应为词语列表，如 [投诉, 举报]")
    words: list[str] = []
    for index, item in enumerate(value, start=1):
        if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
            raise IntentCuesError(f"{where} 第{index}项: 应为非空的词语，收到 {item!r}")
        word = str(item).strip()
        words.append(fold(word) if folded else word)
    return tuple(dict.fromkeys(words))  # duplicates would count a cue twice


def _patterns(value: object, where: str) -> tuple[re.Pattern[str], ...]:
    compiled: list[re.Pattern[str]] = []
    for index, source in enumerate(_words(value, where, folded=False), start=1):
        try:
            compiled.append(re.compile(source))
        except re.error as exc:
            raise IntentCuesError(
                f"{where} 第{index}项: 正则表达式有误（{exc}）：{source}"
            ) from exc
    return tuple(compiled)


def _groups(value: object, where: str) -> tuple[CueGroup, ...]:
    if not isinstance(value, list) or not value:
        raise IntentCuesError(f"{where}: 应为线索词组列表（每组有 name、label、cues）")
    groups: list[CueGroup] = []
    for index, item in enumerate(value, start=1):
        spot = f"{where} 第{index}组"
        entry = _mapping(item, spot)
        name = entry.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise IntentCuesError(f"{spot}: name 应为小写英文标识，如 complaint，收到 {name!r}")
        if name in SIGNAL_NAMES or any(g.name == name for g in groups):
            raise IntentCuesError(f"{spot}: 名称 {name} 重复（或与内置信号同名）")
        cues = _words(entry.get("cues"), f"{spot}（{name}）cues")
        patterns = _patterns(entry.get("patterns"), f"{spot}（{name}）patterns")
        if not cues and not patterns:
            raise IntentCuesError(f"{spot}（{name}）: 至少要有一个 cues 词语或 patterns 表达式")
        asks = entry.get("asks", False)
        if not isinstance(asks, bool):
            raise IntentCuesError(f"{spot}（{name}）asks: 应为 true 或 false，收到 {asks!r}")
        groups.append(CueGroup(name, str(entry.get("label") or name), cues, patterns, asks))
    return tuple(groups)


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise IntentCuesError(f"{where}: 应为数字，收到 {value!r}")
    return float(value)


def _probability(value: object, where: str) -> float:
    number = _number(value, where)
    if not 0.0 < number < 1.0:
        raise IntentCuesError(f"{where}: 应在 0 与 1 之间，收到 {number}")
    return number


def _positive(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise IntentCuesError(f"{where}: 应为正整数，收到 {value!r}")
    return value


def _stage(value: object, features: set[str], where: str) -> Stage:
    entry = _mapping(value, where)
    weights = _mapping(entry.get("weights", {}), f"{where}.weights")
    unknown = sorted(set(weights) - features)
    if unknown:
        raise IntentCuesError(f"{where}.weights: 没有这些线索组或信号：{'、'.join(unknown)}")
    return Stage(
        bias=_number(entry.get("bias", 0.0), f"{where}.bias"),
        weights={k: _number(v, f"{where}.weights.{k}") for k, v in weights.items()},
    )


def _rules(top: Mapping[str, Any], path: Path) -> RuleCues:
    human = _mapping(top.get("human", {}), f"{path}: human")
    greeting = _mapping(top.get("greeting", {}), f"{path}: greeting")
    return RuleCues(
        human_phrases=_words(human.get("phrases"), f"{path}: human.phrases"),
        human_words=_words(human.get("words"), f"{path}: human.words"),
        human_fillers=_words(human.get("fillers"), f"{path}: human.fillers"),
        human_max_chars=_positive(human.get("max_chars", 40), f"{path}: human.max_chars"),
        greeting_phrases=_words(greeting.get("phrases"), f"{path}: greeting.phrases"),
    )


def _reasons(value: object, where: str) -> dict[MessageKind, str]:
    entry = _mapping(value, where)
    reasons: dict[MessageKind, str] = {}
    for kind in MessageKind:
        text = entry.get(kind.value)
        if not isinstance(text, str) or not text.strip():
            raise IntentCuesError(f"{where}.{kind.value}: 缺少给用户看的说明文字")
        reasons[kind] = text.strip()
    unknown = sorted(set(entry) - {k.value for k in MessageKind})
    if unknown:
        raise IntentCuesError(f"{where}: 没有这些消息类型：{'、'.join(unknown)}")
    return reasons
