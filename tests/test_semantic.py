"""Re-ranking by meaning: what a citizen notices when an answer does not repeat their words.

Most tests pass in a small concept embedder (the seam `indexer.semantic.Embedder`), so they
are exact and quick; the real bundled model is exercised at the end on real demo records.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from config.taxonomy import load_taxonomy
from indexer.bands import Band
from indexer.documents import SearchDocument
from indexer.embedding_e5 import E5Embedder
from indexer.eval_data import load_knowledge
from indexer.resources import load_resources
from indexer.search import ALL_STATUSES, Searcher, SearchFilters
from indexer.semantic import EmbeddingError, Matrix, SemanticTuning
from indexer.service import KnowledgeSource, SearchService, SemanticSetup
from indexer.vector_cache import VectorCache
from indexer.wiring import semantic_setup
from tests.conftest import LIFE_EVENTS, settings_for

CONFIG = Path(__file__).resolve().parents[1] / "config"
DEMO = Path(__file__).resolve().parents[1] / "knowledge" / "demo"

# Words that mean the same thing to the fake model: one dimension each.
CONCEPTS = [
    ("时限", "多长时间", "多久", "工作日", "日内"),
    ("费用", "多少钱", "收费", "元"),
    ("地点", "在哪", "窗口", "大厅"),
    ("天气", "下雨"),
]


class ConceptEmbedder:
    """A text's vector counts the concepts it mentions (plus a small constant part, so that no
    vector is zero); `fail` makes it raise like a broken model, `hold` keeps record embedding
    waiting until it is set (a slow first build)."""

    model_id = "concepts-v1"

    def __init__(self) -> None:
        self.passage_calls = 0
        self.passage_texts = 0
        self.query_calls = 0
        self.fail = False
        self.hold: threading.Event | None = None

    def passages(self, texts: Sequence[str]) -> Matrix:
        if self.hold is not None:
            self.hold.wait(5)
        self.passage_calls += 1
        self.passage_texts += len(texts)
        return self._vectors(texts)

    def queries(self, texts: Sequence[str]) -> Matrix:
        self.query_calls += 1
        return self._vectors(texts)

    def _vectors(self, texts: Sequence[str]) -> Matrix:
        if self.fail:
            raise EmbeddingError("模型坏了")
        rows = np.full((len(texts), len(CONCEPTS) + 1), 0.1, dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            for column, words in enumerate(CONCEPTS):
                row[column] += sum(text.count(word) for word in words)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def documents() -> list[SearchDocument]:
    return [
        # The answer to 异议登记多长时间: it says 工作日, never 异议登记 or 时间.
        SearchDocument(id="deadline", body="自受理之日起1个工作日内办结登记。"),
        SearchDocument(id="fee", body="异议登记不收取任何登记费用，申请人免费办理。"),
        SearchDocument(id="place", body="异议登记可到不动产登记大厅窗口申请办理。"),
        SearchDocument(id="weather", body="明天有小雨，外出请带好雨具。"),
        SearchDocument(id="old", body="异议登记在5个工作日内办结。", status="repealed"),
    ]


def service(
    embedder: ConceptEmbedder,
    docs: list[SearchDocument] | None = None,
    *,
    cache: VectorCache | None = None,
    background: bool = False,
    version: list[int] | None = None,
) -> SearchService:
    chosen = docs if docs is not None else documents()
    versions = version if version is not None else [1]
    source = KnowledgeSource(version=lambda: versions[0], documents=lambda: chosen)
    resources = load_resources(
        CONFIG / "dictionary.txt", CONFIG / "stopwords.txt", CONFIG / "synonyms.yaml"
    )
    setup = SemanticSetup(
        lambda: embedder,
        cache if cache is not None else VectorCache(None),
        SemanticTuning(),
        background=background,
    )
    return SearchService(source, resources, load_taxonomy(LIFE_EVENTS), None, semantic=setup)


def words_only() -> Searcher:
    source = KnowledgeSource(version=lambda: 1, documents=documents)
    resources = load_resources(
        CONFIG / "dictionary.txt", CONFIG / "stopwords.txt", CONFIG / "synonyms.yaml"
    )
    return SearchService(source, resources, load_taxonomy(LIFE_EVENTS), None).searcher


QUESTION = "异议登记办理需要多长时间"


def test_the_answer_that_does_not_repeat_the_question_comes_first() -> None:
    assert words_only().search(QUESTION).hits[0].id != "deadline"  # words alone miss it

    result = service(ConceptEmbedder()).searcher.search(QUESTION)

    assert result.hits[0].id == "deadline"


def test_a_clear_lexical_answer_is_kept_without_calling_the_model() -> None:
    embedder = ConceptEmbedder()
    searcher = service(embedder).searcher

    result = searcher.search("不动产登记大厅窗口")

    assert result.hits[0].id == "place"
    assert embedder.query_calls == 0


def test_meaning_respects_the_filters() -> None:
    searcher = service(ConceptEmbedder()).searcher

    current = searcher.search(QUESTION)
    everything = searcher.search(QUESTION, SearchFilters(statuses=ALL_STATUSES))

    assert "old" not in [hit.id for hit in current.hits]  # repealed: out by default
    assert "old" in [hit.id for hit in everything.hits]


def test_repeated_questions_embed_once() -> None:
    embedder = ConceptEmbedder()
    searcher = service(embedder).searcher

    for _ in range(3):
        searcher.search(QUESTION)

    assert embedder.query_calls == 1


def test_a_failing_model_at_question_time_falls_back_to_words() -> None:
    embedder = ConceptEmbedder()
    searcher = service(embedder).searcher
    embedder.fail = True

    result = searcher.search(QUESTION)

    assert [hit.id for hit in result.hits] == [hit.id for hit in words_only().search(QUESTION).hits]


def test_a_model_that_cannot_load_leaves_search_by_words(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> ConceptEmbedder:
        raise EmbeddingError("无法加载语义模型")

    resources = load_resources(
        CONFIG / "dictionary.txt", CONFIG / "stopwords.txt", CONFIG / "synonyms.yaml"
    )
    source = KnowledgeSource(version=lambda: 1, documents=documents)
    setup = SemanticSetup(broken, VectorCache(None), background=False)
    search = SearchService(source, resources, load_taxonomy(LIFE_EVENTS), None, semantic=setup)

    assert search.searcher.search(QUESTION).hits  # still answers, by words
    assert not search.current.by_meaning
    assert "语义向量未能建立" in caplog.text


def test_words_serve_until_the_vectors_are_in_then_meaning_is_added() -> None:
    embedder = ConceptEmbedder()
    embedder.hold = threading.Event()
    search = service(embedder, background=True)

    assert not search.current.by_meaning  # served at once, by words
    assert search.searcher.search(QUESTION).hits
    embedder.hold.set()
    assert search.wait_for_meaning(10)
    assert search.searcher.search(QUESTION).hits[0].id == "deadline"
    search.close()


def test_a_rebuild_embeds_only_the_changed_records(tmp_path: Path) -> None:
    embedder = ConceptEmbedder()
    docs, version = documents(), [1]
    cache = VectorCache(tmp_path / "vectors.npz")
    search = service(embedder, docs, cache=cache, version=version)
    _ = search.current
    first = len(docs)
    assert embedder.passage_texts == first

    docs.append(SearchDocument(id="hours", body="登记大厅工作日上午9点开门。"))
    version[0] = 2
    assert search.refresh()

    assert embedder.passage_texts == first + 1  # the new record only
    assert search.current.by_meaning
    reopened = VectorCache(tmp_path / "vectors.npz")  # kept on disk for the next start
    assert len(reopened) == len(docs)


def test_a_text_repeated_in_the_base_is_embedded_once() -> None:
    embedder = ConceptEmbedder()
    same = "自受理之日起1个工作日内办结。"

    vectors = VectorCache(None).embed([same, "明天有小雨。", same], embedder)

    assert embedder.passage_texts == 2
    assert np.array_equal(vectors[0], vectors[2]) and vectors.shape[0] == 3


def test_an_unreadable_vector_file_is_set_aside_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "vectors.npz"
    path.write_bytes(b"not a numpy file")

    cache = VectorCache(path)
    embedder = ConceptEmbedder()
    search = service(embedder, cache=cache)

    assert search.searcher.search(QUESTION).hits[0].id == "deadline"
    assert (tmp_path / "vectors.npz.unreadable").read_bytes() == b"not a numpy file"
    assert len(VectorCache(path)) == len(documents())
    assert "无法读取" in caplog.text


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   ",
        "？？！！",
        "😀😀😀",
        "异议登记" * 2500,
        "\x00\x07异议登记\x1b多久",
        "<b>多久</b>' OR 1=1",
    ],
)
def test_bad_questions_get_a_result_and_no_error(question: str) -> None:
    result = service(ConceptEmbedder()).searcher.search(question)

    assert result.band in set(Band)


# -- the real model, on real demo records ------------------------------------------------------


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder(threads=1)


def test_the_bundled_model_places_a_question_near_its_answer(e5: E5Embedder) -> None:
    answers = e5.passages(
        [
            "生育津贴按照职工所在用人单位上年度职工月平均工资计发，由生育保险基金支付。",
            "从事食品销售和餐饮服务，应当依法取得食品经营许可证。",
            "不动产登记大厅的办公时间为工作日上午9点至下午5点。",
        ]
    )
    question = e5.queries(["生孩子能领多少钱"])[0]

    assert answers.shape == (3, 384) and answers.dtype == np.float32
    assert np.allclose(np.linalg.norm(answers, axis=1), 1.0, atol=1e-3)
    assert int(np.argmax(answers @ question)) == 0


@pytest.mark.parametrize("text", ["", "\x00", "\ud800坏字符", "😀" * 50, "长" * 10_000])
def test_the_bundled_model_takes_any_text(e5: E5Embedder, text: str) -> None:
    vector = e5.queries([text])[0]

    assert np.isfinite(vector).all() and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3


def demo_records(*ids: str) -> list[SearchDocument]:
    knowledge = load_knowledge(DEMO, {}, load_taxonomy(LIFE_EVENTS))
    found = [d for d in knowledge.documents if d.id in set(ids)]
    assert len(found) == len(ids), "demo records renamed? update the test"
    return found


def test_real_model_on_demo_records_answers_what_words_miss(e5: E5Embedder) -> None:
    # 公积金除了买房还能干嘛用: words put the loan FAQ first (买房); meaning puts the record on
    # the other uses of the fund (withdrawal for rent, medical costs, ...) first.
    docs = demo_records(
        "housing-faq-provident-fund-loan",
        "housing-interpretation-provident-fund-withdrawal",
        "housing-faq-withdraw-for-rent",
        "birth-faq-maternity-allowance",
        "ent_permits-faq-milk-tea-shop",
    )
    source = KnowledgeSource(version=lambda: 1, documents=lambda: docs)
    resources = load_resources(
        CONFIG / "dictionary.txt", CONFIG / "stopwords.txt", CONFIG / "synonyms.yaml"
    )
    plain = SearchService(source, resources, load_taxonomy(LIFE_EVENTS), None).searcher
    setup = SemanticSetup(lambda: e5, VectorCache(None), background=False)
    hybrid = SearchService(
        source, resources, load_taxonomy(LIFE_EVENTS), None, semantic=setup
    ).searcher

    question = "公积金除了买房还能干嘛用"
    assert plain.search(question).hits[0].id == "housing-faq-provident-fund-loan"
    assert hybrid.search(question).hits[0].id == "housing-interpretation-provident-fund-withdrawal"


def test_the_settings_reach_the_search(tmp_path: Path) -> None:
    settings = settings_for(
        f"sqlite:///{tmp_path / 'kb.db'}",
        semantic_search=True,
        semantic_weight=1.5,
        semantic_gate_margin=0.25,
        semantic_gate_coverage=0.9,
    )

    setup = semantic_setup(settings)

    assert setup is not None
    assert setup.tuning == SemanticTuning(weight=1.5, gate_margin=0.25, gate_coverage=0.9)
    assert setup.cache.path == settings.vector_cache_path
    assert semantic_setup(settings.model_copy(update={"semantic_search": False})) is None
