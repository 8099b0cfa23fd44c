"""The departments consultations are routed and transferred to (config/departments.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


class DepartmentsFileError(Exception):
    """The departments file is missing or malformed; the message says where."""


@dataclass(frozen=True)
class Department:
    name: str
    hotline: str


def load_departments(path: Path) -> tuple[Department, ...]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DepartmentsFileError(f"{path}: 无法读取部门列表：{exc}") from exc
    items = raw.get("departments") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise DepartmentsFileError(f"{path}: 应包含 departments 列表")
    out: list[Department] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            raise DepartmentsFileError(f"{path}: 第{index}项缺少 name")
        out.append(Department(str(item["name"]).strip(), str(item.get("hotline") or "12345")))
    names = [d.name for d in out]
    if len(set(names)) != len(names):
        raise DepartmentsFileError(f"{path}: 部门名称重复")
    return tuple(out)
