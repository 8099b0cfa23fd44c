"""The progress seam: long builds report through a callable the entry point passes in (a tqdm
bar on a terminal), and library code stays silent without one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

T = TypeVar("T")


class Progress(Protocol):
    def __call__(self, items: Iterable[T], total: int, desc: str, /) -> Iterable[T]: ...


def no_progress(items: Iterable[T], _total: int, _desc: str, /) -> Iterable[T]:
    return items
