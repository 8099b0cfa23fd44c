"""Is a citizen's message a policy question, or something a person must take up?

A complaint (投诉), a request for help (求助) or a suggestion (建言) answered with whatever policy
the search finds is worse than no answer: it tells the citizen nobody read the message. The
router decides before the search runs, from the text alone:

1. nothing to read (blank, emoji, marks, masks only)            -> empty
2. a request for a person (转人工, 人工, 找客服…)                 -> human        (rule)
3. only greetings and thanks (你好, 在吗, 谢谢…)                   -> greeting     (rule)
4. otherwise two small logistic steps over cue groups and signals of form (config/intent_cues.yaml):
   policy question or not; if not, complaint/help or suggestion.

The weights are fitted and cross-validated by `manage.py route-eval` (docs/routing.md).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.intent_cues import IntentCues, IntentCuesError, Stage, load_cues
from bot.intent_features import CueMatcher, Features
from bot.intent_kinds import MessageKind
from bot.intent_text import clean_message, has_content

__all__ = [
    "IntentCues",
    "IntentCuesError",
    "IntentRouter",
    "MessageKind",
    "Routing",
    "load_cues",
]

_MAX_CUES_SHOWN = 8
_RULE_MAX_CHARS = 200  # characters, marks included
_NOT_CONTENT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class Routing:
    kind: MessageKind
    # Probability that the message is (for policy_question) or is not (for complaint_or_help and
    # suggestion) a policy question, by the model; 1.0 when a rule decided.
    confidence: float
    reason: str  # Chinese, shown to the user when the message is routed
    cues: tuple[str, ...]  # the cue words that decided, strongest first (for staff and logs)


def _sigmoid(score: float) -> float:
    # Split by sign so that a huge score cannot overflow math.exp.
    if score >= 0:
        return 1.0 / (1.0 + math.exp(-score))
    odds = math.exp(score)
    return odds / (1.0 + odds)


def _alternation(words: tuple[str, ...]) -> re.Pattern[str] | None:
    # Longest first, so that 你好啊 is taken whole before 你好.
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered)) if ordered else None


class IntentRouter:
    def __init__(self, cues: IntentCues) -> None:
        self.cues = cues
        rules = cues.rules
        self._greeting = _alternation(rules.greeting_phrases)
        self._human_fillers = _alternation(rules.human_fillers + rules.greeting_phrases)
        self._human_words = frozenset(rules.human_words)
        self._matcher = CueMatcher(cues.groups)

    def route(self, text: str) -> Routing:
        cleaned = self.clean(text)
        if not has_content(cleaned):
            return self._ruled(MessageKind.EMPTY, ())
        return self._by_rule(cleaned) or self._by_model(cleaned)

    def clean(self, text: str) -> str:
        return clean_message(text or "", self.cues.max_chars, self.cues.tail_chars)

    def features(self, cleaned: str) -> Features:
        return self._matcher.extract(cleaned)

    def probabilities(self, features: Features) -> tuple[float, float]:
        """P(not a policy question), and P(complaint/help rather than suggestion | not one)."""
        return (
            _sigmoid(_score(self.cues.not_question, features)),
            _sigmoid(_score(self.cues.complaint_vs_suggestion, features)),
        )

    def _ruled(self, kind: MessageKind, cues: tuple[str, ...]) -> Routing:
        return Routing(kind, 1.0, self.cues.reasons[kind], cues)

    def _by_rule(self, cleaned: str) -> Routing | None:
        rules = self.cues.rules
        if len(cleaned) > _RULE_MAX_CHARS:
            return None  # a long message is never only a greeting or only "转人工"
        content = _NOT_CONTENT.sub("", cleaned)
        if len(content) <= rules.human_max_chars:
            phrases = tuple(p for p in rules.human_phrases if p in cleaned)
            if phrases:
                return self._ruled(MessageKind.HUMAN, phrases)
            core = _remove(self._human_fillers, content)
            if core in self._human_words:
                return self._ruled(MessageKind.HUMAN, (core,))
        if self._greeting is not None and not _remove(self._greeting, content):
            return self._ruled(MessageKind.GREETING, tuple(self._greeting.findall(content)))
        return None

    def _by_model(self, cleaned: str) -> Routing:
        features = self.features(cleaned)
        not_question, complaint = self.probabilities(features)
        if not_question < self.cues.threshold:
            kind, confidence = MessageKind.POLICY_QUESTION, 1.0 - not_question
        else:
            # Confidence of the decision that matters (search or a person); which of the two
            # kinds only changes the wording of the reason.
            confidence = not_question
            kind = MessageKind.COMPLAINT_OR_HELP if complaint >= 0.5 else MessageKind.SUGGESTION
        cues = _deciding_cues(self.cues, features, kind)
        return Routing(kind, round(confidence, 4), self.cues.reasons[kind], cues)


def _remove(pattern: re.Pattern[str] | None, text: str) -> str:
    return pattern.sub("", text) if pattern is not None else text


def _score(stage: Stage, features: Features) -> float:
    return stage.bias + sum(stage.weight(n) * v for n, v in features.values.items())


def _deciding_cues(cues: IntentCues, features: Features, kind: MessageKind) -> tuple[str, ...]:
    """The cue words of the groups that pushed towards `kind`, strongest push first."""
    first, second = cues.not_question, cues.complaint_vs_suggestion
    pushes: list[tuple[float, str]] = []
    for group in features.found:
        value = features.values[group]
        towards_other = first.weight(group) * value
        if kind is MessageKind.POLICY_QUESTION:
            push = -towards_other
        elif kind is MessageKind.COMPLAINT_OR_HELP:
            push = towards_other + second.weight(group) * value
        else:
            push = towards_other - second.weight(group) * value
        if push > 0:
            pushes.append((push, group))
    ordered = [cue for _, group in sorted(pushes, reverse=True) for cue in features.found[group]]
    return tuple(dict.fromkeys(ordered))[:_MAX_CUES_SHOWN]
