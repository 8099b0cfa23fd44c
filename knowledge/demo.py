"""The bundled demo knowledge base: YAML files under knowledge/demo/, loaded into an empty store."""

from __future__ import annotations

from pathlib import Path

from knowledge.importing.importer import Importer, ImportOptions, ImportReport


def demo_files(demo_dir: Path) -> list[Path]:
    return sorted(demo_dir.glob("*.yaml"))


def load_demo(importer: Importer, demo_dir: Path) -> ImportReport:
    """Import every demo file in one run, so records may refer to each other across files."""
    files = demo_files(demo_dir)
    if not files:
        raise FileNotFoundError(f"{demo_dir} 中没有示范知识库文件（*.yaml）")
    return importer.run(files, ImportOptions(actor="demo"))
