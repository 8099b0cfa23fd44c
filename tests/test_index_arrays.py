"""The index's own arrays: the term table, scoring against a plain per-term loop, and saving."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.documents import SearchDocument
from indexer.index import (
    COMMON_FROM,
    COMMON_SHARE,
    FIELDS,
    IndexArrays,
    PassageScores,
    TokenizedPassage,
    index_tokens,
    score_passages,
)
from indexer.kernels import accumulate, uncompiled
from indexer.persistence import IndexMeta, load_index, save_index
from indexer.terms import MISSING, TermTable

WORDS = ["生育", "津贴", "公积金", "gb", "执", "第54条", "c:生育", "p:sheng_yu", "养老", "保险"]


def reference_scores(index: IndexArrays, terms: dict[str, float]) -> PassageScores:
    """The scoring as a loop over the terms, one numpy addition each (the former code)."""
    scores = np.zeros(index.passage_count, dtype=np.float32)
    matched = np.zeros(index.passage_count, dtype=np.float32)
    common = index.passage_count * COMMON_SHARE if index.passage_count >= COMMON_FROM else None
    total = 0.0
    for term, weight in terms.items():
        term_id = index.vocabulary.get(term)
        if term_id is None:
            total += weight * index.idf_max
            continue
        term_weight = float(index.idf[term_id]) * weight
        total += term_weight
        start, end = index.indptr[term_id], index.indptr[term_id + 1]
        if common is not None and end - start > common:
            continue
        scores[index.postings[start:end]] += term_weight * index.impacts[start:end]
        matched[index.postings[start:end]] += term_weight
    return PassageScores(scores, matched, total, np.flatnonzero(scores))


def generated_index(passages: int, seed: int = 7) -> IndexArrays:
    rng = np.random.default_rng(seed)
    documents = [SearchDocument(id=f"d{n}", title=f"标题{n}") for n in range((passages + 2) // 3)]
    tokenized = []
    for number in range(passages):
        fields = tuple(
            [WORDS[i] for i in rng.integers(0, len(WORDS), rng.integers(0, 4))] for _ in FIELDS
        )
        fields[5].append("应当")  # in every passage: a common word on a large base
        fields[5].append(f"罕见{number % 50}")
        tokenized.append(TokenizedPassage(number // 3, f"第{number % 3 + 1}条", fields))
    return index_tokens(tokenized, documents)


QUESTIONS = [
    {"生育": 1.0, "津贴": 1.0, "c:生育": 1.0, "p:sheng_yu": 0.6},
    {"公积金": 1.0, "不存在": 1.0, "罕见3": 1.0, "应当": 1.0},
    {"gb": 1.0},
    {"执": 1.0, "养老": 0.6, "保险": 0.6, "第54条": 1.0},
    {"不存在": 1.0},
]


@pytest.mark.parametrize("passages", [300, COMMON_FROM])
def test_scores_equal_the_per_term_loop_exactly(passages: int) -> None:
    index = generated_index(passages)

    for terms in QUESTIONS:
        ours, reference = score_passages(index, terms), reference_scores(index, terms)
        assert np.array_equal(ours.scores, reference.scores)
        assert np.array_equal(ours.matched, reference.matched)
        assert ours.total == pytest.approx(reference.total, rel=1e-12)
        assert np.array_equal(ours.candidates, np.flatnonzero(reference.scores))


def test_compiled_scoring_loop_adds_exactly_as_its_python_source() -> None:
    rng = np.random.default_rng(11)
    passages, terms = 500, 40
    lengths = rng.integers(0, 60, terms)
    indptr = np.zeros(terms + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(lengths)
    postings = np.concatenate(
        [np.sort(rng.choice(passages, n, replace=False)) for n in lengths]
    ).astype(np.int32)
    impacts = rng.random(len(postings)).astype(np.float32)
    impacts.flags.writeable = False  # as an index loaded from disk may hand them over
    term_ids = rng.permutation(terms)[:25].astype(np.int64)
    weights = (rng.random(25) * 8).astype(np.float32)

    compiled = accumulate(indptr, postings, impacts, term_ids, weights, passages)
    python = uncompiled(indptr, postings, impacts, term_ids, weights, passages)

    for ours, reference in zip(compiled, python, strict=True):
        assert ours.dtype == reference.dtype and np.array_equal(ours, reference)
    assert np.array_equal(compiled[2], np.flatnonzero(compiled[1]))
    nothing = accumulate(indptr, postings, impacts, term_ids[:0], weights[:0], passages)
    assert not nothing[0].any() and len(nothing[2]) == 0


def test_common_words_are_not_scored_on_a_large_base_but_count_for_coverage() -> None:
    index = generated_index(COMMON_FROM)

    scored = score_passages(index, {"应当": 1.0})

    assert not scored.scores.any() and len(scored.candidates) == 0
    assert scored.total > 0


def test_no_terms_score_nothing() -> None:
    scored = score_passages(generated_index(30), {})

    assert not scored.scores.any() and scored.total == 0.0 and scored.coverages([0]) == [0.0]


def test_term_table_finds_every_term_and_nothing_else() -> None:
    terms = ["生育", "gb", "执", "", "c:生育", "𠮷野家", "n:国办发2019_10"]
    table = TermTable.from_terms(terms)

    assert table.lookup(terms).tolist() == list(range(len(terms)))
    assert table.lookup(["津贴", "GB", "执行"]).tolist() == [MISSING] * 3
    assert table.get("执") == 2 and table.get("gb") == 1 and "津贴" not in table
    assert table.terms() == terms
    assert not table.collisions  # "gb" and 执 share Python's string hash, not the table's


def test_term_table_survives_its_saved_arrays() -> None:
    table = TermTable.from_terms(["生育", "津贴", "𠮷"])

    again = TermTable.from_arrays(table.text.copy(), table.offsets.copy())

    assert again.lookup(["津贴", "𠮷", "生育", "x"]).tolist() == [1, 2, 0, MISSING]


def test_term_table_keeps_colliding_terms_apart() -> None:
    terms = ["甲", "乙", "丙"]
    base = TermTable.from_terms(terms)
    same = np.array([7, 7, 3], dtype=np.int64)

    table = TermTable.with_hashes(terms, base.text, base.offsets, same)

    assert table.collisions == {"甲": 0, "乙": 1}
    assert table.lookup(["乙", "甲"]).tolist() == [1, 0]


def test_term_table_does_not_take_an_unknown_term_for_one_with_its_hash() -> None:
    indexed = ["甲", "乙", "丙"]
    base = TermTable.from_terms(indexed)
    # 丙 is stored under the hash 丁 would have: a query for 丁 lands on 丙's slot.
    other = TermTable.from_terms(["甲", "乙", "丁"])
    hashes = other.hashes[np.argsort(other.ids)]  # each term's hash, in term-id order

    table = TermTable.with_hashes(indexed, base.text, base.offsets, hashes)

    assert table.lookup(["丁", "甲"]).tolist() == [MISSING, 0]


def test_term_table_rejects_damaged_arrays() -> None:
    table = TermTable.from_terms(["生育", "津贴"])
    with pytest.raises(ValueError, match="offsets"):
        TermTable.from_arrays(table.text[:-1], table.offsets)
    with pytest.raises(ValueError, match="bytes"):
        TermTable.from_arrays(table.text.astype(np.int32), table.offsets)


def meta(index: IndexArrays) -> IndexMeta:
    return IndexMeta(1, "fp", len(index.documents), index.passage_count, "now", 0.1)


def test_a_saved_index_loads_as_it_was(tmp_path: Path) -> None:
    index = generated_index(90)
    save_index(tmp_path / "index", index, meta(index))

    loaded = load_index(tmp_path / "index")

    assert loaded is not None
    again, _ = loaded
    assert again.vocabulary.terms() == index.vocabulary.terms()
    assert again.labels == index.labels and again.documents == index.documents
    for terms in QUESTIONS:
        assert np.array_equal(
            score_passages(again, terms).scores, score_passages(index, terms).scores
        )
    # Labels repeat: one string object each, as after a build.
    assert len({id(label) for label in again.labels}) == len(set(again.labels))


def test_an_index_of_the_former_format_is_not_loaded(tmp_path: Path) -> None:
    index = generated_index(30)
    save_index(tmp_path / "index", index, meta(index))
    # Format 1 kept the vocabulary in documents.json and no term arrays.
    directory = tmp_path / "index"
    with np.load(directory / "arrays.npz") as arrays:
        kept = {k: arrays[k] for k in ("indptr", "postings", "impacts", "idf", "owner")}
    np.savez(directory / "arrays.npz", **kept)
    extra = json.loads((directory / "documents.json").read_text("utf-8"))
    extra["vocabulary"] = index.vocabulary.terms()
    (directory / "documents.json").write_text(json.dumps(extra), "utf-8")

    assert load_index(directory) is None


def test_an_index_with_inconsistent_arrays_is_not_loaded(tmp_path: Path) -> None:
    index = generated_index(30)
    save_index(tmp_path / "index", index, meta(index))
    directory = tmp_path / "index"
    with np.load(directory / "arrays.npz") as arrays:
        kept = {k: arrays[k] for k in arrays.files}
    kept["postings"] = kept["postings"][:-1]
    np.savez(directory / "arrays.npz", **kept)

    assert load_index(directory) is None
