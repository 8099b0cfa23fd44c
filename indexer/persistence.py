"""Saving and loading a built index: numpy arrays plus JSON, written atomically.

A reader either finds a complete index or none: files go to a fresh directory that is renamed
into place, so a crash mid-save or a concurrent reader never sees half an index.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from indexer.documents import SearchDocument
from indexer.index import IndexArrays

FORMAT_VERSION = 1  # bump when the arrays or the analysis change meaning
_ARRAYS = "arrays.npz"
_META = "meta.json"
_DOCUMENTS = "documents.json"


@dataclass(frozen=True)
class IndexMeta:
    kb_version: int
    fingerprint: str  # of the analysis resources and FORMAT_VERSION
    documents: int
    passages: int
    built_at: str
    build_seconds: float


def save_index(directory: Path, index: IndexArrays, meta: IndexMeta) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".index-", dir=directory.parent))
    try:
        np.savez(
            staging / _ARRAYS,
            indptr=index.indptr,
            postings=index.postings,
            impacts=index.impacts,
            idf=index.idf,
            owner=index.owner,
        )
        vocabulary = sorted(index.vocabulary, key=index.vocabulary.__getitem__)
        documents = {
            "vocabulary": vocabulary,
            "labels": index.labels,
            "documents": [asdict(d) for d in index.documents],
        }
        (staging / _DOCUMENTS).write_text(json.dumps(documents, ensure_ascii=False), "utf-8")
        (staging / _META).write_text(json.dumps(asdict(meta), ensure_ascii=False), "utf-8")
        _swap_into_place(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_into_place(staging: Path, directory: Path) -> None:
    retired = directory.with_name(directory.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if directory.exists():
        directory.replace(retired)
    staging.replace(directory)
    shutil.rmtree(retired, ignore_errors=True)


def read_meta(directory: Path) -> IndexMeta | None:
    try:
        return IndexMeta(**json.loads((directory / _META).read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def load_index(directory: Path) -> tuple[IndexArrays, IndexMeta] | None:
    """The saved index, or None when there is none or it is unreadable (then rebuild)."""
    meta = read_meta(directory)
    if meta is None:
        return None
    try:
        with np.load(directory / _ARRAYS) as arrays:
            loaded = {name: arrays[name] for name in arrays.files}
        extra = json.loads((directory / _DOCUMENTS).read_text("utf-8"))
    except (OSError, ValueError, KeyError):
        return None
    documents = [_document(d) for d in extra["documents"]]
    index = IndexArrays(
        vocabulary={term: i for i, term in enumerate(extra["vocabulary"])},
        indptr=loaded["indptr"],
        postings=loaded["postings"],
        impacts=loaded["impacts"],
        idf=loaded["idf"],
        owner=loaded["owner"],
        labels=list(extra["labels"]),
        documents=documents,
    )
    return index, meta


def _document(data: dict[str, object]) -> SearchDocument:
    tuples = ("questions", "keywords", "life_events")
    values = {k: tuple(v) if k in tuples and isinstance(v, list) else v for k, v in data.items()}
    return SearchDocument(**values)  # type: ignore[arg-type]
