"""The life-event taxonomy (人生事件 / 企业事件), loaded from the YAML file staff edit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

Group = Literal["个人", "企业"]


class TaxonomyFileError(Exception):
    """The taxonomy file is missing or malformed; the message says where."""


@dataclass(frozen=True)
class LifeEvent:
    code: str
    name: str
    group: Group
    department: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    events: tuple[LifeEvent, ...]

    def __iter__(self) -> Iterator[LifeEvent]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def resolve(self, code_or_name: str) -> LifeEvent | None:
        """The event with this code or official name (aliases are for questions, not here)."""
        key = code_or_name.strip()
        for event in self.events:
            if key in (event.code, event.name):
                return event
        return None

    def by_code(self, code: str) -> LifeEvent:
        for event in self.events:
            if event.code == code:
                return event
        raise KeyError(code)

    def in_group(self, group: Group) -> tuple[LifeEvent, ...]:
        return tuple(e for e in self.events if e.group == group)

    def names(self) -> list[str]:
        return [e.name for e in self.events]


_GROUP_KEYS: dict[str, Group] = {"individual": "个人", "enterprise": "企业"}


def load_taxonomy(path: Path) -> Taxonomy:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TaxonomyFileError(f"{path}: 无法读取人生事件分类：{exc}") from exc
    if not isinstance(raw, dict):
        raise TaxonomyFileError(f"{path}: 应包含 individual 和 enterprise 两个列表")
    events: list[LifeEvent] = []
    for key, group in _GROUP_KEYS.items():
        for index, item in enumerate(raw.get(key) or [], start=1):
            events.append(_parse_event(path, key, index, item, group))
    _check_unique(path, events)
    return Taxonomy(tuple(events))


def _parse_event(path: Path, key: str, index: int, item: object, group: Group) -> LifeEvent:
    where = f"{path}: {key} 第{index}项"
    if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
        raise TaxonomyFileError(f"{where}: 需要 code 和 name")
    aliases = item.get("aliases") or []
    if not isinstance(aliases, list):
        raise TaxonomyFileError(f"{where}: aliases 应为列表")
    return LifeEvent(
        code=str(item["code"]),
        name=str(item["name"]),
        group=group,
        department=str(item.get("department") or ""),
        aliases=tuple(str(a) for a in aliases),
    )


def _check_unique(path: Path, events: list[LifeEvent]) -> None:
    seen: set[str] = set()
    for event in events:
        for key in (event.code, event.name):
            if key in seen:
                raise TaxonomyFileError(f"{path}: “{key}”重复出现")
            seen.add(key)
