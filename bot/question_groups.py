"""Grouping the questions the bot could not answer by similarity: the FAQ entries to write next.

Questions are normalised (width, case, numerals, traditional characters, punctuation, polite
openings), exact repeats are merged, then the distinct questions are clustered greedily, most
frequent first: a question joins the first group whose representative is similar enough by
rapidfuzz (word-set and partial ratio) or shares most of its analyzer words. A few hundred
questions and a few dozen groups make this quadratic loop cheap; the report never runs it over
the whole history.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from indexer.normalize import normalize_query

Words = Callable[[str], list[str]]
_NOISE = re.compile(r"[\s\W_]+")
# Openings and closings that say nothing about the subject: "您好，请问……呢？谢谢，急！".
_OPENINGS = (
    "你好|您好|请问一下|请问|麻烦问一下|麻烦问下|问一下|问下|想咨询一下|咨询一下|咨询"
    "|我想问一下|我想问|想问一下|想问"
)
_FILLER = re.compile(f"^({_OPENINGS})+")
_TAIL = re.compile(r"(谢谢了|谢谢|多谢|麻烦了|急急急|急|呢|吗|啊|呀)+$")
# The same, on the text as written, for showing a question without them.
_LEAD = re.compile(rf"^\s*(?:(?:{_OPENINGS})[，,、：:\s]*)+")
_END = re.compile(r"[，,\s]*(?:谢谢了?|多谢|麻烦了|急+)[！!。.\s]*$")
# Question words: "转学手续怎么办理" and "退休手续怎么办理" share them and nothing else.
QUESTION_WORDS = frozenset(
    (
        "怎么",
        "怎么办",
        "怎样",
        "如何",
        "办理",
        "什么",
        "哪些",
        "哪里",
        "多少",
        "多久",
        "可以",
        "能",
        "能不能",
        "需要",
        "有",
        "有没有",
        "吗",
        "是",
        "的",
        "了",
        "要",
        "在",
        "去",
        "还",
        "我",
        "我的",
        "一下",
        "么",
        "呢",
        "啊",
        "办",
        "怎么样",
        "几",
        "是否",
        "能否",
        "可",
        "会",
        "都",
        "和",
        "跟",
        "给",
        "到",
        "找",
        "谁",
    )
)
PLACEHOLDER = "（"  # "（用户要求人工服务，未提出具体问题）": the engine's stand-in, not a question
# Chosen on the seed's own wordings (same subject or not): few different subjects merged, at
# the price of paraphrases with no words in common staying apart.
WORD_SET = 85.0  # rapidfuzz token_set_ratio of the content words
PARTIAL = 90.0  # partial_ratio of the texts, between questions of comparable length
SHARED = 0.5  # or this Jaccard share of content words (at least two in common)


@dataclass(frozen=True)
class QuestionGroup:
    representative: str  # the most frequent wording of the group, as a person wrote it
    count: int  # questions in the group, repeats included
    examples: tuple[str, ...]  # other wordings in the group


@dataclass
class _Group:
    key: str
    words: frozenset[str]
    wordings: dict[str, Counter[str]]  # normalised key -> the original texts behind it

    @property
    def count(self) -> int:
        return sum(texts.total() for texts in self.wordings.values())


def normalise(question: str) -> str:
    text = _NOISE.sub("", normalize_query(question))
    text = _FILLER.sub("", text)
    return _TAIL.sub("", text) or text


def group_questions(
    questions: Iterable[str],
    words: Words | None = None,
    *,
    limit: int = 10,
    examples: int = 3,
) -> list[QuestionGroup]:
    """The `limit` largest groups, largest first."""
    split = words or _char_pairs
    by_key: dict[str, Counter[str]] = {}
    for question in questions:
        question = question.strip()
        if not question or question.startswith(PLACEHOLDER):
            continue
        key = normalise(question)
        if key:
            by_key.setdefault(key, Counter())[question] += 1
    # Frequent, then short wordings first: they make the clearest representatives.
    ordered = sorted(by_key.items(), key=lambda kv: (-kv[1].total(), len(kv[0]), kv[0]))
    groups: list[_Group] = []
    for key, texts in ordered:
        own = _content(split(key))
        home = _best_group(groups, key, own)
        if home is None:
            groups.append(_Group(key, own, {key: texts}))
        else:
            home.wordings[key] = texts
    groups.sort(key=lambda g: (-g.count, g.key))
    return [_finished(g, examples) for g in groups[:limit]]


def similarity(a: str, b: str, words_a: frozenset[str], words_b: frozenset[str]) -> float:
    """0–100 for two normalised questions: at least `WORD_SET` when they are one group."""
    scores = [0.0]
    word_set = fuzz.token_set_ratio(" ".join(sorted(words_a)), " ".join(sorted(words_b)))
    if word_set >= WORD_SET:
        scores.append(word_set)
    shorter, longer = sorted((len(a), len(b)))
    # partial_ratio finds a short question inside a long one: only between comparable lengths,
    # or "社保" would match every question about social insurance.
    if shorter >= 4 and shorter / longer >= 0.6 and fuzz.partial_ratio(a, b) >= PARTIAL:
        scores.append(fuzz.partial_ratio(a, b) - (PARTIAL - WORD_SET))
    common = len(words_a & words_b)
    if common >= 2 and common / len(words_a | words_b) >= SHARED:
        scores.append(WORD_SET + (100 - WORD_SET) * 2 * (common / len(words_a | words_b) - SHARED))
    return float(max(scores))


def _best_group(groups: list[_Group], key: str, own: frozenset[str]) -> _Group | None:
    best, best_score = None, WORD_SET
    for group in groups:
        score = similarity(group.key, key, group.words, own)
        if score >= best_score:
            best, best_score = group, score
            if score >= 100:
                break
    return best


def _finished(group: _Group, examples: int) -> QuestionGroup:
    # Each distinct wording shown once, in its shortest form as written, without the greetings
    # and "急！" people add.
    plain = [_plain(texts) for texts in group.wordings.values()]
    return QuestionGroup(
        representative=plain[0],
        count=group.count,
        examples=tuple(plain[1 : 1 + examples]),
    )


def _plain(texts: Counter[str]) -> str:
    forms: Counter[str] = Counter()
    for text, count in texts.items():
        forms[_END.sub("", _LEAD.sub("", text)) or text] += count
    return min(forms, key=lambda form: (len(form), -forms[form], form))


def _content(words: list[str]) -> frozenset[str]:
    content = frozenset(w for w in words if w not in QUESTION_WORDS)
    return content or frozenset(words)


def _char_pairs(text: str) -> list[str]:
    # Without the analyzer: overlapping character pairs still find shared subjects.
    return [text[i : i + 2] for i in range(len(text) - 1)] or [text]
