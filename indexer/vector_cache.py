"""Record vectors kept on disk by text, so that a rebuild embeds only what changed.

Embedding is the slow part of a build (about 10 records a second on two cores for article-length
texts, against thousands a second for the word index), and a knowledge-base change touches a few
records: each vector is stored under a hash of the model and the exact text embedded. The file is
written whole and renamed into place; an unreadable file is set aside and counts as empty (the
vectors are computed again, nothing else is lost).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from indexer.progress import Progress, no_progress
from indexer.semantic import Embedder, Matrix, text_key

log = logging.getLogger(__name__)
BATCH = 32  # texts per model call: progress moves, memory stays bounded
SAVE_EVERY = 64  # batches: a long first build (the statutes: most of an hour) keeps its work


class VectorCache:
    """Vectors by text key; in memory only when `path` is None."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._vectors: dict[bytes, Matrix] = {}
        self._lock = threading.Lock()
        if path is not None and path.exists():
            self._vectors = _read(path)

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(
        self,
        texts: Sequence[str],
        embedder: Embedder,
        progress: Progress = no_progress,
    ) -> Matrix:
        """One row per text, from the cache or the model; new vectors are saved."""
        keys = [text_key(embedder.model_id, text) for text in texts]
        # One model call per distinct new text: corpora repeat texts (the gov FAQ has answers
        # word for word the same), and a text's vector does not depend on where it stands.
        first_seen: dict[bytes, int] = {}
        for i, key in enumerate(keys):
            if key not in self._vectors:
                first_seen.setdefault(key, i)
        missing = list(first_seen.values())
        batches = range(0, len(missing), BATCH)
        for number, start in enumerate(progress(batches, len(batches), "语义向量"), start=1):
            chosen = missing[start : start + BATCH]
            rows = embedder.passages([texts[i] for i in chosen])
            with self._lock:
                for i, row in zip(chosen, rows, strict=True):
                    self._vectors[keys[i]] = row
            if number % SAVE_EVERY == 0:
                self.save()
        if missing:
            self.save()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32, copy=False)

    def save(self) -> None:
        if self.path is None:
            return
        with self._lock:
            keys = list(self._vectors)
            rows = np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, 0))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(prefix=".vectors-", suffix=".npz", dir=self.path.parent)
        os.close(handle)
        try:
            key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), -1)
            np.savez(staging, keys=key_array, vectors=rows.astype(np.float32))
            Path(staging).replace(self.path)
        except BaseException:
            Path(staging).unlink(missing_ok=True)
            raise


def _read(path: Path) -> dict[bytes, Matrix]:
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
            if len(keys) != len(vectors):
                raise ValueError("keys and vectors differ in number")
            return {bytes(k): v for k, v in zip(keys, vectors.astype(np.float32), strict=True)}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        aside = path.with_name(path.name + ".unreadable")
        log.warning("语义向量缓存 %s 无法读取（%s），已移到 %s，将重新计算", path, exc, aside)
        path.replace(aside)
        return {}
