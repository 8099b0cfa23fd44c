"""Importing files into the knowledge store: read, map, validate, check references, upsert.

Every bad row is reported with its file, row, field and reason and the valid rows still load,
unless the import is strict. Records are written in batches, one transaction each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from config.taxonomy import Taxonomy
from knowledge.errors import ImportFileError
from knowledge.importing.documents import extract_text
from knowledge.importing.readers import RowReadError, SourceRow, read_rows
from knowledge.importing.validate import KNOWN_FIELDS, RowError, validate_row
from knowledge.queries import UpsertResult
from knowledge.record import RecordContent
from knowledge.store.repository import KnowledgeStore

T = TypeVar("T")
Progress = Callable[[Iterable[T], int, str], Iterable[T]]


def no_progress(items: Iterable[T], _total: int, _desc: str) -> Iterable[T]:
    return items


@dataclass(frozen=True)
class ImportOptions:
    field_map: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = False
    strict: bool = False
    batch_size: int = 500
    actor: str = "import"


@dataclass(frozen=True)
class ValidRow:
    row: int
    record: RecordContent


@dataclass
class FileReport:
    file: str
    rows: int = 0
    result: UpsertResult = field(default_factory=UpsertResult)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    file_error: str = ""
    valid: list[ValidRow] = field(default_factory=list, repr=False)

    @property
    def rejected(self) -> int:
        if self.file_error:
            return self.rows
        return len({e.row for e in self.errors})


@dataclass
class ImportReport:
    files: list[FileReport]
    dry_run: bool

    @property
    def totals(self) -> dict[str, int]:
        return {
            "created": sum(len(f.result.created) for f in self.files),
            "updated": sum(len(f.result.updated) for f in self.files),
            "unchanged": sum(len(f.result.unchanged) for f in self.files),
            "rejected": sum(f.rejected for f in self.files),
        }

    @property
    def ok(self) -> bool:
        return all(not f.errors and not f.file_error for f in self.files)


class Importer:
    def __init__(self, store: KnowledgeStore, taxonomy: Taxonomy) -> None:
        self._store = store
        self._taxonomy = taxonomy

    def run(
        self,
        paths: Sequence[Path],
        options: ImportOptions,
        progress: Progress[RecordContent] = no_progress,
    ) -> ImportReport:
        reports = [self._read_file(path, options) for path in paths]
        self._check_duplicates(reports)
        self._check_references(reports)
        for report in reports:
            if options.strict and (report.errors or report.file_error):
                report.valid = []
                continue
            report.result = self._write(report, options, progress)
        return ImportReport(reports, options.dry_run)

    def _read_file(self, path: Path, options: ImportOptions) -> FileReport:
        report = FileReport(file=str(path))
        try:
            rows = read_rows(path)
        except ImportFileError as exc:
            report.file_error = exc.reason
            return report
        report.rows = len(rows)
        unknown: set[str] = set()
        for row in rows:
            if isinstance(row, RowReadError):
                report.errors.append(RowError(row.file, row.row, "", row.reason))
                continue
            data = self._prepare(path, row, options, unknown, report)
            outcome = validate_row(row.file, row.row, data, self._taxonomy)
            if isinstance(outcome, RecordContent):
                report.valid.append(ValidRow(row.row, outcome))
            else:
                report.errors.extend(outcome)
        report.warnings += [
            f"未知字段“{name}”已忽略（可用 --map 改名）" for name in sorted(unknown)
        ]
        return report

    def _prepare(
        self,
        path: Path,
        row: SourceRow,
        options: ImportOptions,
        unknown: set[str],
        report: FileReport,
    ) -> dict[str, object]:
        data: dict[str, object] = {}
        for key, value in row.data.items():
            name = options.field_map.get(key, key)
            if name in KNOWN_FIELDS:
                data[name] = value
            else:
                unknown.add(key)
        for key, value in options.defaults.items():
            data.setdefault(key, value)
        body_file = data.pop("body_file", None)
        if body_file and "body" not in data:
            self._load_body(path, row, str(body_file), data, report)
        return data

    def _load_body(
        self,
        path: Path,
        row: SourceRow,
        body_file: str,
        data: dict[str, object],
        report: FileReport,
    ) -> None:
        document = Path(body_file)
        if not document.is_absolute():
            document = path.parent / document
        try:
            data["body"] = extract_text(document)
        except ImportFileError as exc:
            report.errors.append(RowError(row.file, row.row, "body_file", exc.reason))

    def _check_duplicates(self, reports: list[FileReport]) -> None:
        seen: dict[str, str] = {}
        for report in reports:
            kept: list[ValidRow] = []
            for item in report.valid:
                first = seen.get(item.record.id)
                if first is not None:
                    reason = f"编号“{item.record.id}”与{first}重复，此行未导入"
                    report.errors.append(RowError(report.file, item.row, "id", reason))
                    continue
                seen[item.record.id] = f"{report.file} 第{item.row}行"
                kept.append(item)
            report.valid = kept

    def _check_references(self, reports: list[FileReport]) -> None:
        in_run = {item.record.id for report in reports for item in report.valid}
        wanted = {
            ref
            for report in reports
            for item in report.valid
            for _, ref in _references(item.record)
            if ref not in in_run
        }
        known = in_run | self._store.existing_ids(wanted)
        for report in reports:
            kept: list[ValidRow] = []
            for item in report.valid:
                missing = [(n, ref) for n, ref in _references(item.record) if ref not in known]
                for name, ref in missing:
                    reason = f"知识库和本次导入中都没有编号为“{ref}”的记录"
                    report.errors.append(RowError(report.file, item.row, name, reason))
                if not missing:
                    kept.append(item)
            report.valid = kept

    def _write(
        self, report: FileReport, options: ImportOptions, progress: Progress[RecordContent]
    ) -> UpsertResult:
        total = UpsertResult(kb_version=0)
        records = progress(
            [item.record for item in report.valid], len(report.valid), Path(report.file).name
        )
        for batch in _batches(records, options.batch_size):
            total.merge(
                self._store.upsert(
                    batch,
                    actor=options.actor,
                    note=f"导入 {Path(report.file).name}",
                    dry_run=options.dry_run,
                )
            )
        return total


def _references(record: RecordContent) -> list[tuple[str, str]]:
    pairs = (("interprets", record.interprets), ("replaced_by", record.replaced_by))
    return [(name, ref) for name, ref in pairs if ref]


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
