"""The command-line application and what its commands share.

Entry-point code: it reads the settings and passes plain values to the packages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import typer
from tqdm import tqdm

from config.settings import Settings
from knowledge.store.wiring import KnowledgeBase, open_knowledge

T = TypeVar("T")

app = typer.Typer(
    help="政策咨询助手：知识库导入导出、查询与服务启动。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _settings() -> Settings:
    return Settings()


def _open(settings: Settings | None = None) -> KnowledgeBase:
    settings = settings or _settings()
    return open_knowledge(settings.database_url, settings.life_events_path)


def _progress(items: Iterable[T], total: int, desc: str) -> Iterable[T]:
    # A bar only where it helps: long files, on a terminal.
    return tqdm(items, total=total, desc=desc, unit="条", disable=total < 500 or None)


def _pairs(values: list[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"应写成 字段=值，收到“{value}”", param_hint=option)
        out[key.strip()] = rest.strip()
    return out
