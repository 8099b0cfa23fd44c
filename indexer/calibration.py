"""Calibrating the confidence model and the band thresholds on labelled questions.

Each labelled question gives the features of its best result and whether that result was right
(for an out-of-scope message — a complaint, a request for help — it is never right). A logistic
model is fitted on them, then two thresholds are chosen on the fitted probabilities:

- answer: the lowest threshold at which the best result is right for at least `answer_precision`
  of the questions above it, pooled and in each labelled set (a wrong answer stated
  confidently is the worst outcome);
- clarify: the lowest threshold at which, for the questions between it and the answer
  threshold, a right record is among the first four for at least `clarify_recall` of them
  (offering four wrong choices is worse than handing over to a person).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from config.taxonomy import Taxonomy
from indexer.bands import result_features
from indexer.confidence import ConfidenceModel, Features, fit
from indexer.documents import SearchDocument
from indexer.eval_data import load_knowledge, load_questions, questions_from_records
from indexer.resources import AnalysisResources
from indexer.search import ALL_STATUSES, Searcher, SearchFilters
from indexer.service import KnowledgeSource, SearchService, SemanticSetup

_TRUSTED = 12  # questions in a group before its share is trusted


@dataclass(frozen=True)
class LabelledQuestion:
    question: str
    gold_ids: frozenset[str]  # empty: nothing in the knowledge base answers it


@dataclass(frozen=True)
class Observation:
    features: Features
    right_first: bool
    right_in_four: bool


@dataclass(frozen=True)
class Calibration:
    model: ConfidenceModel
    answer_threshold: float
    clarify_threshold: float
    observations: int
    answer_share: float  # of questions that would be answered directly
    answer_precision: float
    clarify_share: float
    clarify_recall: float  # of those offered choices, how often a right one is among them
    escalate_share: float


def observe(
    searcher: Searcher, questions: Sequence[LabelledQuestion], filters: SearchFilters
) -> list[Observation]:
    out: list[Observation] = []
    for item in questions:
        result = searcher.search(item.question, filters, limit=4)
        if not result.hits:
            out.append(Observation(Features(0.0, 0.0, 0.0), False, False))
            continue
        ids = [h.id for h in result.hits]
        out.append(
            Observation(
                result_features(result.query, result.hits),
                right_first=ids[0] in item.gold_ids,
                right_in_four=bool(item.gold_ids.intersection(ids)),
            )
        )
    return out


def calibrate_sets(
    sets: Mapping[str, Sequence[Observation]],
    *,
    answer_precision: float = 0.85,
    clarify_recall: float = 0.6,
) -> Calibration:
    """Fit on the pooled sets. The answer threshold must reach `answer_precision` on the pool
    and on every set of which a dozen questions or more would be answered: a set whose best
    results are rarely right (the gov FAQ) must not hide its wrong answers among the right
    ones of an easier set."""
    tagged = [(o, number) for number, group in enumerate(sets.values()) for o in group]
    observations = [o for o, _ in tagged]
    model = fit([o.features for o in observations], [o.right_first for o in observations])
    ranked = sorted(
        ((model.predict(o.features), o, number) for o, number in tagged), key=lambda t: -t[0]
    )
    answer_threshold = _answer_threshold(ranked, len(sets), answer_precision)
    scored = [(p, o) for p, o, _ in ranked]
    below = [pair for pair in scored if pair[0] < answer_threshold]
    clarify_threshold = _lowest_threshold(
        below, lambda group: _share(group, lambda o: o.right_in_four) >= clarify_recall
    )
    clarify_threshold = min(clarify_threshold, answer_threshold)
    answered = [o for p, o in scored if p >= answer_threshold]
    clarified = [o for p, o in scored if clarify_threshold <= p < answer_threshold]
    total = max(len(observations), 1)
    return Calibration(
        model=model,
        answer_threshold=round(answer_threshold, 3),
        clarify_threshold=round(clarify_threshold, 3),
        observations=len(observations),
        answer_share=len(answered) / total,
        answer_precision=_share(answered, lambda o: o.right_first),
        clarify_share=len(clarified) / total,
        clarify_recall=_share(clarified, lambda o: o.right_in_four),
        escalate_share=(total - len(answered) - len(clarified)) / total,
    )


def _answer_threshold(
    ranked: Sequence[tuple[float, Observation, int]], set_count: int, precision: float
) -> float:
    """Walk down the probabilities; the last cut above which the pool, and every set with a
    dozen questions or more above it, has at least `precision` of its best results right."""
    best = 1.0
    asked, right = [0] * set_count, [0] * set_count
    for cut, (probability, observation, number) in enumerate(ranked, start=1):
        asked[number] += 1
        right[number] += observation.right_first
        if cut < len(ranked) and ranked[cut][0] == probability:
            continue  # a threshold admits every question of equal probability, or none
        pooled_ok = cut >= _TRUSTED and sum(right) >= precision * cut
        if pooled_ok and all(
            n < _TRUSTED or r >= precision * n for n, r in zip(asked, right, strict=True)
        ):
            best = probability
    return best


def band_breakdown(
    calibration: Calibration, observations: Sequence[Observation]
) -> dict[str, float]:
    """How one labelled set fares under a calibration: share answered (and right), clarified
    (with a right choice among them), escalated."""
    probabilities = [calibration.model.predict(o.features) for o in observations]
    answered = [
        o
        for p, o in zip(probabilities, observations, strict=True)
        if p >= calibration.answer_threshold
    ]
    clarified = [
        o
        for p, o in zip(probabilities, observations, strict=True)
        if calibration.clarify_threshold <= p < calibration.answer_threshold
    ]
    total = max(len(observations), 1)
    return {
        "answer": round(len(answered) / total, 3),
        "answer_right": round(_share(answered, lambda o: o.right_first), 3),
        "clarify": round(len(clarified) / total, 3),
        "clarify_right_in_four": round(_share(clarified, lambda o: o.right_in_four), 3),
        "escalate": round((total - len(answered) - len(clarified)) / total, 3),
    }


def _share(group: Sequence[Observation], test: Callable[[Observation], bool]) -> float:
    return sum(1 for o in group if test(o)) / len(group) if group else 0.0


def _lowest_threshold(
    scored: Sequence[tuple[float, Observation]], good: Callable[[Sequence[Observation]], bool]
) -> float:
    """Walk down the probabilities; the last cut whose upper group still satisfies `good`."""
    best = 1.0
    for cut in range(len(scored)):
        group = [o for _, o in scored[: cut + 1]]
        # Require a dozen questions before trusting a share.
        if len(group) >= _TRUSTED and good(group):
            best = scored[cut][0]
    return best


def demo_and_shared_observations(
    demo_dir: Path,
    shared_dir: Path | None,
    resources: AnalysisResources,
    taxonomy: Taxonomy,
    semantic: SemanticSetup | None = None,
) -> dict[str, list[Observation]]:
    """The labelled sets the thresholds are calibrated on (docs/search.md):

    - the demo question set against the demo knowledge base (the product's own case);
    - out-of-scope messages (complaints, requests for help) against the same base: never right;
    - the government FAQ's questions against its answers alone (a harder, real base).
    """
    knowledge = load_knowledge(demo_dir, {}, taxonomy)
    questions = load_questions(demo_dir / "eval")
    demo = _searcher(knowledge.documents, resources, taxonomy, semantic)
    everything = SearchFilters(statuses=ALL_STATUSES)
    sets = {
        "demo": observe(
            demo,
            [LabelledQuestion(q.text, frozenset(q.gold_ids)) for q in questions],
            everything,
        )
    }
    if shared_dir is None:
        return sets
    messages = shared_dir / "citizen_messages" / "labelled_messages.jsonl"
    complaints = [
        LabelledQuestion(str(item["text"]), frozenset())
        for _, item in zip(range(_OUT_OF_SCOPE), _out_of_scope(messages), strict=False)
    ]
    sets["out_of_scope"] = observe(demo, complaints, everything)
    faq = load_knowledge(
        shared_dir / "gov_faq" / "beijing_gov_faq.jsonl", {"answer": "body"}, taxonomy
    )
    faq_questions = questions_from_records(faq, "question")[::_FAQ_STEP]
    sets["gov_faq"] = observe(
        _searcher(faq.documents, resources, taxonomy, semantic),
        [LabelledQuestion(q.text, frozenset(q.gold_ids)) for q in faq_questions],
        everything,
    )
    return sets


_OUT_OF_SCOPE = 400
_FAQ_STEP = 4  # every fourth FAQ question: 520 of them, enough and quick


def _out_of_scope(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            if item.get("msg_type") == "投诉/求助":
                yield item


def _searcher(
    documents: Sequence[SearchDocument],
    resources: AnalysisResources,
    taxonomy: Taxonomy,
    semantic: SemanticSetup | None,
) -> Searcher:
    """Searched as served: with re-ranking by meaning when it is set up (calibrated as used)."""
    source = KnowledgeSource(version=lambda: 0, documents=lambda: documents)
    return SearchService(source, resources, taxonomy, None, semantic=semantic).searcher
