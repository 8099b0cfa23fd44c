"""The corpora the benchmark runs on, each reduced to search documents and a list of questions.

The shared data (../shared/data) is read here directly, never imported into the knowledge base:
it measures the engine, it is not product content. The demo base goes through the same reading
and validation as an import, so the benchmark sees exactly the records `seed-demo` would load.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from config.taxonomy import Taxonomy
from indexer.documents import SearchDocument, from_record, is_searchable
from knowledge.importing.readers import SourceRow, read_rows
from knowledge.importing.validate import validate_row
from knowledge.record import RecordContent

CORPUS_NAMES = ("demo", "faq", "statutes", "laws")
GOV_FAQ = Path("gov_faq") / "beijing_gov_faq.jsonl"
STATUTE_ARTICLES = Path("statutes") / "articles.jsonl"
STATUTE_QUESTIONS = Path("statutes") / "queries_train.jsonl"
LAW_FILES = (
    Path("laws") / "national_laws.jsonl.gz",
    Path("laws") / "local_regulations.jsonl.gz",
)


class CorpusUnavailableError(Exception):
    """A corpus' files are missing; the message (Chinese, for the person running it) says which."""


@dataclass(frozen=True)
class Corpus:
    name: str
    documents: list[SearchDocument]
    questions: list[str]  # every question available; `sample_queries` picks the timed ones


@dataclass(frozen=True)
class CorpusPaths:
    demo_dir: Path  # knowledge/demo: *.yaml records and eval/*.jsonl questions
    data_dir: Path  # ../shared/data


def load_corpus(name: str, paths: CorpusPaths, taxonomy: Taxonomy) -> Corpus:
    if name == "demo":
        return demo_corpus(paths.demo_dir, taxonomy)
    if name == "faq":
        return faq_corpus(paths.data_dir)
    if name == "statutes":
        return statutes_corpus(paths.data_dir)
    if name == "laws":
        return laws_corpus(paths.data_dir)
    raise ValueError(f"未知的语料“{name}”，可选：{'、'.join(CORPUS_NAMES)}")


def sample_queries(questions: Sequence[str], count: int, seed: int = 0) -> list[str]:
    """`count` questions: a fixed random sample, or every question repeated in turn when there
    are fewer (the demo has about 250), so each engine gets the same list every run."""
    usable = [q for q in questions if q.strip()]
    if not usable:
        raise ValueError("没有可用的查询问题")
    if len(usable) >= count:
        return random.Random(seed).sample(usable, count)
    return [usable[i % len(usable)] for i in range(count)]


# -- the demo base -------------------------------------------------------------------------------


def demo_corpus(demo_dir: Path, taxonomy: Taxonomy) -> Corpus:
    files = sorted(demo_dir.glob("*.yaml"))
    if not files:
        raise CorpusUnavailableError(f"跳过“demo”：{demo_dir} 中没有示范知识库文件（*.yaml）")
    records = [record for path in files for record in _valid_records(path, taxonomy)]
    documents = [from_record(r, taxonomy) for r in records if is_searchable(r)]
    questions = [
        str(row["question"])
        for path in sorted((demo_dir / "eval").glob("*.jsonl"))
        for row in _json_lines(path)
    ]
    return Corpus("demo", documents, questions)


def _valid_records(path: Path, taxonomy: Taxonomy) -> Iterator[RecordContent]:
    # Rows an import would reject are left out, as they would be from the knowledge base.
    for row in read_rows(path):
        if isinstance(row, SourceRow):
            outcome = validate_row(row.file, row.row, row.data, taxonomy)
            if isinstance(outcome, RecordContent):
                yield outcome


# -- the shared data -----------------------------------------------------------------------------


def faq_corpus(data_dir: Path) -> Corpus:
    rows = list(_json_lines(_required(data_dir, GOV_FAQ, "faq")))
    documents = [
        SearchDocument(id=str(r["id"]), title=str(r["question"]), body=str(r["answer"] or ""))
        for r in rows
    ]
    return Corpus("faq", documents, [str(r["question"]) for r in rows])


def statutes_corpus(data_dir: Path) -> Corpus:
    articles = _required(data_dir, STATUTE_ARTICLES, "statutes")
    documents = [
        SearchDocument(id=str(r["id"]), title=str(r["name"]), body=str(r["text"]))
        for r in _json_lines(articles)
    ]
    return Corpus("statutes", documents, _statute_questions(data_dir, "statutes"))


def laws_corpus(data_dir: Path) -> Corpus:
    """Each law one document whose body is its whole Markdown text; `passages` splits it."""
    paths = [_required(data_dir, file, "laws") for file in LAW_FILES]
    documents = [
        SearchDocument(id=str(r["path"]), title=str(r["title"]), body=str(r["text"]))
        for path in paths
        for r in _json_lines(path)
    ]
    return Corpus("laws", documents, _statute_questions(data_dir, "laws"))


def _statute_questions(data_dir: Path, corpus: str) -> list[str]:
    path = _required(data_dir, STATUTE_QUESTIONS, corpus)
    return [str(r["question"]) for r in _json_lines(path)]


def _required(data_dir: Path, relative: Path, corpus: str) -> Path:
    path = data_dir / relative
    if not path.is_file():
        raise CorpusUnavailableError(
            f"跳过“{corpus}”：找不到 {path}（需要共享数据目录，默认为项目旁的 ../shared/data）"
        )
    return path


def _json_lines(path: Path) -> Iterator[dict[str, object]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)
