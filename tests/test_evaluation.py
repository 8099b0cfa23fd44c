"""The search-quality harness: metrics on hand-computed rankings, inputs, and `manage.py eval`."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import CONFIG_DIR, PROJECT_ROOT
from config.taxonomy import Taxonomy
from indexer.baseline import Bm25Baseline
from indexer.documents import SearchDocument
from indexer.eval_data import (
    EvaluationInputError,
    MissingInputError,
    load_inputs,
    load_knowledge,
    load_questions,
)
from indexer.evaluation import evaluate, format_report
from indexer.metrics import (
    METRIC_KEYS,
    first_gold_rank,
    ndcg_at,
    recall_at,
    reciprocal_rank,
    summarize,
    top1_accuracy,
)
from indexer.resources import AnalysisResources, load_resources

ARTICLES = [
    {
        "id": "a1",
        "name": "失业保险金申领",
        "text": "失业人员可以到社会保险经办机构申领失业保险金。",
    },
    {"id": "a2", "name": "住房公积金提取", "text": "购买自住住房的职工可以提取住房公积金。"},
    {"id": "a3", "name": "生育津贴", "text": "职工生育休产假期间，由生育保险基金支付生育津贴。"},
    {"id": "a4", "name": "驾驶证换证", "text": "机动车驾驶证有效期满前九十日内申请换证。"},
]
QUESTIONS = [
    {"question": "失业了怎么领失业保险金", "gold_ids": ["a1"], "life_event": "employment"},
    {"question": "买房能取公积金吗", "gold_ids": ["a2"], "life_event": "housing"},
    {"question": "生孩子的生育津贴谁发", "gold_ids": ["a3", "a1"], "life_event": "birth"},
]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def manage(*args: str, vectors: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`manage.py eval`; its record vectors go to the folder of `vectors` (never the project's
    var/), and without it the run searches by words only."""
    env = {**os.environ, "DISABLE_TQDM": "1", "POLICY_SEMANTIC_SEARCH": str(vectors is not None)}
    if vectors is not None:
        env["POLICY_VECTOR_CACHE_PATH"] = str(vectors)
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "manage.py"), "eval", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=120,
    )


@pytest.fixture(scope="module")
def resources() -> AnalysisResources:
    return load_resources(
        CONFIG_DIR / "dictionary.txt", CONFIG_DIR / "stopwords.txt", CONFIG_DIR / "synonyms.yaml"
    )


# -- metrics, on rankings worked out by hand ---------------------------------------------------


def test_reciprocal_rank_is_one_over_the_first_gold_place_within_ten() -> None:
    assert first_gold_rank(["a", "b", "c"], {"c", "b"}) == 2
    assert reciprocal_rank(["a", "b", "c"], {"c"}) == pytest.approx(1 / 3)
    assert reciprocal_rank([f"x{i}" for i in range(10)] + ["g"], {"g"}) == 0.0  # 11th
    assert first_gold_rank(["a"], {"g"}) is None


def test_recall_is_the_share_of_gold_ids_in_the_top_k() -> None:
    ranking = ["x", "a", "y", "b"]
    gold = {"a", "b", "z"}  # z is never found

    assert recall_at(ranking, gold, 1) == 0.0
    assert recall_at(ranking, gold, 2) == pytest.approx(1 / 3)
    assert recall_at(ranking, gold, 5) == pytest.approx(2 / 3)


def test_ndcg_with_binary_relevance() -> None:
    # Gold at places 2 and 4 of three gold ids: DCG = 1/log2(3) + 1/log2(5),
    # ideal = 1 + 1/log2(3) + 1/log2(4).
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3) + 0.5)

    assert ndcg_at(["x", "a", "y", "b"], {"a", "b", "z"}) == pytest.approx(expected)
    assert expected == pytest.approx(0.4982, abs=1e-4)
    assert ndcg_at(["g"], {"g"}) == 1.0
    assert ndcg_at(["x", "x", "g"], {"g"}) == pytest.approx(1 / math.log2(3))  # repeats once


def test_a_record_returned_twice_counts_once() -> None:
    assert recall_at(["a", "a", "b"], {"a", "b"}, 2) == 1.0
    assert first_gold_rank(["a", "a", "b"], {"b"}) == 2


def test_summarize_averages_every_metric_over_the_questions() -> None:
    runs = [(["g1", "x"], {"g1"}), (["x", "y", "g2"], {"g2", "g3"}), ([], {"g4"})]

    metrics = summarize(runs)

    assert tuple(metrics) == METRIC_KEYS
    assert metrics["queries"] == 3
    assert metrics["mrr@10"] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert metrics["recall@1"] == pytest.approx(1 / 3)
    assert metrics["recall@5"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert top1_accuracy(runs) == pytest.approx(1 / 3)
    assert summarize([])["mrr@10"] == 0.0


# -- the baseline and the evaluation in process ------------------------------------------------


def test_baseline_is_plain_bm25_over_the_analyzer_words(resources: AnalysisResources) -> None:
    analyzer = resources.analyzer()
    documents = [SearchDocument(id=a["id"], title=a["name"], body=a["text"]) for a in ARTICLES]
    baseline = Bm25Baseline(documents, analyzer)

    hits = baseline.search("住房公积金怎么提取")

    assert hits[0][0] == "a2"
    assert all(score > 0 for _, score in hits)
    assert baseline.search("量子力学") == []  # no shared word, no result
    assert len(baseline.search("申请", limit=500)) <= len(documents)  # k capped at the corpus


def test_yaml_knowledge_base_skips_unpublished_and_searches_repealed(
    tmp_path: Path, taxonomy: Taxonomy, resources: AnalysisResources
) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text(
        """
- {id: old-rule, kind: policy, title: 失业保险金申领办法（旧）, status: 已废止,
   replaced_by: new-rule, body: 失业人员到社会保险经办机构申领失业保险金。}
- {id: new-rule, kind: policy, title: 失业保险金申领办法, body: 失业保险金可以在网上申领。}
- {id: draft, kind: faq, title: 失业保险金领多久, body: 草稿。, publication: 草稿}
- {id: broken, kind: faq, title: 没有答案}
""",
        "utf-8",
    )
    questions = write_jsonl(
        tmp_path / "q.jsonl", [{"question": "到经办机构申领失业保险金", "gold_ids": ["old-rule"]}]
    )

    knowledge, asked = load_inputs(kb, {}, questions, "", taxonomy)
    report = evaluate(knowledge.documents, asked, resources, taxonomy)

    assert sorted(d.id for d in knowledge.documents) == ["new-rule", "old-rule"]
    assert any("1 行无法导入" in w and "body" in w for w in knowledge.warnings)
    assert any("1 条记录未发布" in w for w in knowledge.warnings)
    assert report.outcomes[0].ours[0][0] == "old-rule"  # repealed gold is not filtered out
    assert report.metrics()["mrr@10"] == 1.0


def test_readable_report_puts_ours_beside_the_baseline_with_life_events(
    tmp_path: Path, taxonomy: Taxonomy, resources: AnalysisResources
) -> None:
    kb = write_jsonl(tmp_path / "articles.jsonl", ARTICLES)
    queries = write_jsonl(tmp_path / "q.jsonl", QUESTIONS)
    knowledge, asked = load_inputs(kb, {"name": "title", "text": "body"}, queries, "", taxonomy)

    report = evaluate(knowledge.documents, asked, resources, taxonomy)
    text = format_report(report, taxonomy)

    assert "本系统" in text and "基线 BM25" in text and "比值" in text
    assert "mrr@10" in text and "首位命中率" in text
    assert "住房" in text  # the life event's name, not its code
    assert report.by_life_event()["housing"] == (1, 1.0, 1.0)


def test_field_map_renames_and_status_labels_become_codes(
    tmp_path: Path, taxonomy: Taxonomy
) -> None:
    rows = [{**ARTICLES[0], "status": "已废止"}, ARTICLES[1], {**ARTICLES[2], "status": "已被修改"}]
    kb = write_jsonl(tmp_path / "articles.jsonl", rows)

    unmapped = load_knowledge(kb, {}, taxonomy).documents
    mapped = load_knowledge(kb, {"name": "title", "text": "body"}, taxonomy).documents

    assert unmapped[0].title == "" and unmapped[0].body == ""
    assert mapped[0].title == "失业保险金申领" and mapped[0].body.startswith("失业人员")
    assert [d.status for d in mapped] == ["repealed", "in_force", "amended"]


def test_questions_from_a_directory_are_concatenated(tmp_path: Path) -> None:
    folder = tmp_path / "eval"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", QUESTIONS[:2])
    write_jsonl(folder / "b.jsonl", QUESTIONS[2:])

    questions = load_questions(folder)

    assert [q.gold_ids for q in questions] == [("a1",), ("a2",), ("a3", "a1")]
    assert questions[0].life_event == "employment"


def test_queries_from_kb_ask_each_record_its_own_question(
    tmp_path: Path, taxonomy: Taxonomy
) -> None:
    kb = write_jsonl(
        tmp_path / "faq.jsonl",
        [
            {"id": "f1", "question": "公积金怎么取", "answer": "凭购房合同提取。"},
            {"id": "f2", "question": "", "answer": "没有问题的一条。"},
        ],
    )

    knowledge, questions = load_inputs(kb, {"answer": "body"}, None, "question", taxonomy)

    assert [(q.text, q.gold_ids) for q in questions] == [("公积金怎么取", ("f1",))]
    assert knowledge.documents[0].title == ""  # answers only: the question is not indexed


def test_bad_question_files_are_named_with_their_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", "utf-8")
    no_gold = write_jsonl(tmp_path / "q.jsonl", [QUESTIONS[0], {"question": "公积金"}])
    not_json = tmp_path / "bad.jsonl"
    not_json.write_text('{"question": "x", "gold_ids": ["a"]}\n{oops\n', "utf-8")

    with pytest.raises(EvaluationInputError, match="没有任何问题"):
        load_questions(empty)
    with pytest.raises(EvaluationInputError, match=r"q\.jsonl:第2行: 缺少 gold_ids"):
        load_questions(no_gold)
    with pytest.raises(EvaluationInputError, match=r"bad\.jsonl:第2行: 不是合法的 JSON"):
        load_questions(not_json)
    with pytest.raises(MissingInputError, match="找不到"):
        load_questions(tmp_path / "nowhere.jsonl")


# -- manage.py eval as people run it -----------------------------------------------------------


def test_cli_json_with_field_map_and_per_query_file(tmp_path: Path) -> None:
    kb = write_jsonl(tmp_path / "articles.jsonl", ARTICLES)
    queries = write_jsonl(tmp_path / "q.jsonl", QUESTIONS)
    per_query = tmp_path / "per_query.jsonl"

    result = manage(
        "--kb",
        str(kb),
        "--map",
        "name=title,text=body",
        "--queries",
        str(queries),
        "--per-query",
        str(per_query),
        "--json",
        vectors=tmp_path / "vectors.npz",
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "eval-vectors.npz").exists()  # re-ranked by meaning, vectors kept
    metrics = json.loads(result.stdout)
    assert set(metrics) == {*METRIC_KEYS, "baseline"}
    assert set(metrics["baseline"]) == set(METRIC_KEYS)
    assert metrics["queries"] == 3 and metrics["baseline"]["queries"] == 3
    assert metrics["mrr@10"] == 1.0  # each question names its record plainly
    assert metrics["recall@1"] == pytest.approx(round(2.5 / 3, 4))  # a1 is half of q3's gold
    assert 0.0 < metrics["baseline"]["ndcg@10"] <= 1.0
    rows = [json.loads(line) for line in per_query.read_text("utf-8").splitlines()]
    assert [r["ours_rank"] for r in rows] == [1, 1, 1]
    assert rows[2]["gold_ids"] == ["a3", "a1"]
    assert rows[0]["ours"][0]["id"] == "a1" and isinstance(rows[0]["ours"][0]["score"], float)
    assert rows[0]["baseline"][0]["id"] == "a1" and rows[0]["baseline_rank"] == 1


def test_cli_missing_shared_data_exits_2_with_a_hint(tmp_path: Path) -> None:
    queries = write_jsonl(tmp_path / "q.jsonl", QUESTIONS)
    missing = tmp_path / "shared" / "data" / "statutes" / "articles.jsonl"

    result = manage("--kb", str(missing), "--queries", str(queries), "--json")

    assert result.returncode == 2
    assert f"找不到 {missing}" in result.stderr
    assert "评测需要 ../shared/data（见 README）" in result.stderr
    assert result.stdout == ""


def test_cli_query_without_gold_ids_names_the_line(tmp_path: Path) -> None:
    kb = write_jsonl(tmp_path / "articles.jsonl", ARTICLES)
    queries = write_jsonl(tmp_path / "q.jsonl", [QUESTIONS[0], {"question": "驾驶证换证"}])

    result = manage("--kb", str(kb), "--queries", str(queries), "--json")

    assert result.returncode == 2
    assert "q.jsonl:第2行: 缺少 gold_ids" in result.stderr
