"""Turning one raw source row into a `RecordContent`, or into every reason it is not one.

All the problems of a row are reported together, so that whoever fixes the file fixes it once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from config.taxonomy import Taxonomy
from knowledge.enums import Audience, InterpretationForm, Kind, LabelledEnum, Publication, Status
from knowledge.importing.values import parse_date, parse_list, parse_text
from knowledge.record import DATE_FIELDS, FIELD_ORDER, RecordContent


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:第{self.row}行"
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


KNOWN_FIELDS = frozenset(FIELD_ORDER) | {"body_file"}
# Ids appear in web addresses (/knowledge/{id}), so no spaces and no URL delimiters; Chinese is
# fine (statute ids are article names such as 中华人民共和国民法典第五十四条).
_ID_PATTERN = re.compile(r"^[^\s/\\?#%&+]{1,200}$")
# Excel refuses these in cells and they are never meaningful in policy text.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_TITLE = 2000  # citizens' FAQ questions run to several hundred characters

_ENUMS: dict[str, type[LabelledEnum]] = {
    "kind": Kind,
    "status": Status,
    "audience": Audience,
    "publication": Publication,
    "interpretation_form": InterpretationForm,
}
_LIST_NO_IDEOGRAPHIC_COMMA = ("alt_questions", "steps")


class _RowValidator:
    def __init__(self, file: str, row: int, data: Mapping[str, object], taxonomy: Taxonomy):
        self.file = file
        self.row = row
        self.data = data
        self.taxonomy = taxonomy
        self.errors: list[RowError] = []
        self.values: dict[str, object] = {}

    @property
    def fields(self) -> set[str]:
        """Fields that already have an error, so one problem is not reported twice."""
        return {e.field for e in self.errors}

    def error(self, field: str, reason: str) -> None:
        self.errors.append(RowError(self.file, self.row, field, reason))

    def run(self) -> RecordContent | None:
        for name in FIELD_ORDER:
            if name in self.data:
                self._convert(name, self.data[name])
        self._check_required()
        self._check_kind_rules()
        if self.errors:
            return None
        return RecordContent(**self.values)  # type: ignore[arg-type]

    def _convert(self, name: str, raw: object) -> None:
        converter = self._converter(name)
        try:
            value = converter(raw)
        except ValueError as exc:
            self.error(name, str(exc))
            return
        if value not in ("", (), None):
            self.values[name] = value

    def _converter(self, name: str) -> Callable[[object], object]:
        if name in _ENUMS:
            enum = _ENUMS[name]
            return lambda raw: enum.parse(parse_text(raw))
        if name in DATE_FIELDS:
            return parse_date
        if name == "life_events":
            return self._life_events
        if name in ("topics", "keywords", "materials", "alt_questions", "steps"):
            comma = name not in _LIST_NO_IDEOGRAPHIC_COMMA
            return lambda raw: tuple(
                _clean(v) for v in parse_list(raw, allow_ideographic_comma=comma)
            )
        if name in ("id", "interprets", "replaced_by"):
            return _identifier
        if name == "source_url":
            return _url
        return lambda raw: _clean(parse_text(raw))

    def _life_events(self, raw: object) -> tuple[str, ...]:
        codes: list[str] = []
        unknown: list[str] = []
        for item in parse_list(raw):
            event = self.taxonomy.resolve(item)
            if event is None:
                unknown.append(item)
            elif event.code not in codes:
                codes.append(event.code)
        if unknown:
            valid = "、".join(self.taxonomy.names())
            raise ValueError(f"未知的人生事件“{'、'.join(unknown)}”，可选：{valid}")
        return tuple(codes)

    def _check_required(self) -> None:
        for name in ("id", "kind", "title"):
            if name not in self.values and name not in self.fields:
                self.error(name, "必填，不能为空")
        kind = self.values.get("kind")
        if kind is not Kind.GUIDE and "body" not in self.values and "body" not in self.fields:
            self.error("body", "必填，不能为空（问答的答案、文件的正文）")
        title = self.values.get("title")
        if isinstance(title, str) and len(title) > _MAX_TITLE:
            self.error("title", f"标题过长（{len(title)} 字），最多 {_MAX_TITLE} 字")

    def _check_kind_rules(self) -> None:
        kind = self.values.get("kind")
        if kind is Kind.INTERPRETATION:
            if "interprets" not in self.values and "interprets" not in self.fields:
                self.error("interprets", "政策解读必须写明所解读政策的编号")
            self.values.setdefault("interpretation_form", InterpretationForm.DEPARTMENT)
        elif isinstance(kind, Kind):
            for name in ("interprets", "interpretation_form"):
                if name in self.values:
                    self.error(name, f"只有政策解读可以填写此项（本行类型为{kind.label}）")
        status = self.values.get("status", Status.IN_FORCE)
        replaced_by = self.values.get("replaced_by")
        if replaced_by and status is Status.IN_FORCE:
            self.error(
                "replaced_by", "现行有效的记录不应有“被替代”；请把 status 改为已修订或已废止"
            )
        if replaced_by and replaced_by == self.values.get("id"):
            self.error("replaced_by", "不能被自身替代")
        self._check_date_order()

    def _check_date_order(self) -> None:
        effective = self.values.get("effective_date")
        expiry = self.values.get("expiry_date")
        if isinstance(effective, date) and isinstance(expiry, date) and expiry < effective:
            self.error("expiry_date", f"失效日期 {expiry} 早于施行日期 {effective}")


def _clean(text: str) -> str:
    # NFC so that the same visible text always compares equal; control characters removed.
    return _CONTROL_CHARS.sub("", unicodedata.normalize("NFC", text)).strip()


def _identifier(raw: object) -> str:
    text = _clean(parse_text(raw))
    if not _ID_PATTERN.match(text):
        raise ValueError(f"编号“{text[:40]}”无效：不能含空格和 / \\ ? # % & +，最长 200 个字符")
    return text


def _url(raw: object) -> str:
    text = _clean(parse_text(raw))
    if not re.match(r"^https?://\S+$", text):
        raise ValueError(f"“{text[:60]}”不是以 http:// 或 https:// 开头的网址")
    return text


def validate_row(
    file: str, row: int, data: Mapping[str, object], taxonomy: Taxonomy
) -> RecordContent | list[RowError]:
    validator = _RowValidator(file, row, data, taxonomy)
    record = validator.run()
    return record if record is not None else validator.errors
