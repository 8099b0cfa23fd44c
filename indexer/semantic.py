"""Re-ranking by meaning: a sentence-embedding model's similarity fused with the BM25F scores.

Why: many answers do not restate the question (异议登记办理时限是多长时间？ is answered by
自受理之日起1个工作日), and every lexical expansion tried moved the government FAQ task by
less than a point (docs/search-quality.md). A multilingual embedding model places both near
each other.

How: each record is embedded once, at index build (its title, questions, summary and the lead of
its body; vectors are cached on disk by text). A question whose lexical result is already clear
(the best record ahead of the runner-up by the gate margin) is left as it is, without calling the
model. Otherwise the question is embedded, and the lexical shortlist plus the records nearest in
meaning are ordered by z-scored BM25F + weight × z-scored cosine similarity. The two scales differ
per question (BM25F grows with the question's length, cosines of this model sit between 0.7 and
0.95), which is why both are standardised over the candidates rather than added raw.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from indexer.documents import SearchDocument

Matrix = npt.NDArray[np.float32]
DOCUMENT_CHARS = 1200  # of the body: the lead carries the topic; the rest costs build time
# Of any text embedded: the model windows a long text and averages the windows, about 1 ms a
# character on one core (a 10,000-character paste took 40 s): bounded work for any input.
EMBEDDED_CHARS = 1500
REMEMBERED_QUESTIONS = 2048  # with their vectors (citizens repeat popular questions)


class EmbeddingError(Exception):
    """The embedding model could not be loaded or could not embed a text."""


class Embedder(Protocol):
    """A sentence-embedding model: L2-normalised float32 rows, one per text."""

    @property
    def model_id(self) -> str: ...

    def passages(self, texts: Sequence[str]) -> Matrix: ...

    def queries(self, texts: Sequence[str]) -> Matrix: ...


@dataclass(frozen=True)
class SemanticTuning:
    # Chosen on the gov FAQ and demo sets (docs/search-quality.md, "Re-ranking by meaning").
    weight: float = 3.0
    gate_margin: float = 0.2  # lexical leads clearer than this are kept without the model
    gate_coverage: float = 0.3  # ... and the best record holds this share of the question
    neighbours: int = 20  # records nearest in meaning added to the lexical shortlist
    shortlist: int = 100  # lexical records fused


def document_text(document: SearchDocument) -> str:
    """What is embedded of a record."""
    parts = (document.title, *document.questions, document.summary, document.body[:DOCUMENT_CHARS])
    return ("\n".join(part for part in parts if part) or document.id)[:EMBEDDED_CHARS]


def text_key(model_id: str, text: str) -> bytes:
    return hashlib.blake2b(f"{model_id}\0{text}".encode(), digest_size=16).digest()


class SemanticIndex:
    """One vector per record (rows aligned with the index's document numbers) and the model
    that embeds questions into the same space."""

    def __init__(
        self,
        vectors: Matrix,
        embedder: Embedder,
        tuning: SemanticTuning,
        remembered: int = REMEMBERED_QUESTIONS,
    ) -> None:
        self.vectors = vectors
        self.embedder = embedder
        self.tuning = tuning
        self._remembered = remembered  # 0: every question embedded (the benchmark's honest cost)
        self._queries: OrderedDict[str, Matrix] = OrderedDict()
        self._lock = threading.Lock()

    def query_vector(self, text: str) -> Matrix:
        with self._lock:
            known = self._queries.get(text)
            if known is not None:
                self._queries.move_to_end(text)
                return known
        vector: Matrix = self.embedder.queries([text])[0]
        with self._lock:
            self._queries[text] = vector
            while len(self._queries) > self._remembered:
                self._queries.popitem(last=False)
        return vector

    def gated(self, scores: Sequence[float], coverage: float) -> bool:
        """True when the lexical result is unclear enough to consult the model: the runner-up
        is close, or the best record holds little of what was asked."""
        if len(scores) < 2 or scores[0] <= 0:
            return False  # one record or none: there is no order to correct
        margin = (scores[0] - scores[1]) / scores[0]
        return margin < self.tuning.gate_margin or coverage < self.tuning.gate_coverage

    def fuse(
        self,
        text: str,
        lexical: Sequence[tuple[int, float]],
        admitted: npt.NDArray[np.bool_] | None,
    ) -> list[tuple[int, float]]:
        """(record, fused score) best first, over the lexical shortlist and the admitted records
        nearest in meaning; a record found by meaning alone has a lexical score of 0."""
        similarity = self.vectors @ self.query_vector(text)
        if admitted is not None:
            similarity = np.where(admitted, similarity, -np.inf)
        count = min(self.tuning.neighbours, int(np.isfinite(similarity).sum()))
        nearest: list[int] = []
        if count:
            nearest = np.argpartition(-similarity, count - 1)[:count].tolist()
        lexical_score = dict(lexical)
        numbers = list(lexical_score) + [n for n in nearest if n not in lexical_score]
        picked = np.asarray(numbers, dtype=np.int64)
        words = np.asarray([lexical_score.get(n, 0.0) for n in numbers], dtype=np.float64)
        fused = _standardised(words) + self.tuning.weight * _standardised(
            similarity[picked].astype(np.float64)
        )
        order = np.argsort(-fused, kind="stable")
        return [(numbers[i], float(fused[i])) for i in order]


# A corpus' record vectors with the model (from the cache or computed), for the benchmark.
Meaning = Callable[[Sequence[SearchDocument]], SemanticIndex]


def _standardised(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    spread = values.std()
    centred: npt.NDArray[np.float64] = values - values.mean()
    return centred / spread if spread > 0 else centred
