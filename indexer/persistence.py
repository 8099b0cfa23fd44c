"""Saving and loading a built index: numpy arrays plus JSON, written atomically.

A reader either finds a complete index or none: files go to a fresh directory that is renamed
into place, so a crash mid-save or a concurrent reader never sees half an index.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from indexer.documents import SearchDocument
from indexer.index import IndexArrays
from indexer.terms import TermTable

FORMAT_VERSION = 2  # bump when the arrays or the analysis change meaning (2: term table)
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
            term_text=index.vocabulary.text,
            term_offsets=index.vocabulary.offsets,
        )
        documents = {
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
        # An index of another format or a damaged one is rebuilt, never half used.
        index = IndexArrays(
            vocabulary=TermTable.from_arrays(loaded["term_text"], loaded["term_offsets"]),
            indptr=loaded["indptr"],
            postings=loaded["postings"],
            impacts=loaded["impacts"],
            idf=loaded["idf"],
            owner=loaded["owner"],
            labels=_labels(extra["labels"]),
            documents=[_document(d) for d in extra["documents"]],
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile):
        return None
    if not _consistent(index):
        return None
    return index, meta


def _labels(saved: list[str]) -> list[str]:
    strings: dict[str, str] = {}  # one string object per distinct label, as a build makes them
    return [strings.setdefault(str(label), str(label)) for label in saved]


def _consistent(index: IndexArrays) -> bool:
    terms, postings = len(index.vocabulary), len(index.postings)
    return (
        len(index.indptr) == terms + 1
        and len(index.idf) == terms
        and len(index.impacts) == postings
        and int(index.indptr[-1]) == postings
        and len(index.labels) == len(index.owner)
        and (postings == 0 or int(index.postings.max()) < len(index.owner))
        and (len(index.owner) == 0 or int(index.owner.max()) < len(index.documents))
    )


def _document(data: dict[str, object]) -> SearchDocument:
    tuples = ("questions", "keywords", "life_events")
    values = {k: tuple(v) if k in tuples and isinstance(v, list) else v for k, v in data.items()}
    return SearchDocument(**values)  # type: ignore[arg-type]
