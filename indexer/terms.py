"""The index's term table: term -> term id without a dict of Python strings.

A dict of a few hundred thousand terms costs more than 100 bytes an entry (hash slot, key string,
id int); the table keeps three numpy arrays instead:

- `hashes`, the terms' hashes, sorted, and `ids`, the term id at each sorted position: a lookup
  is one `np.searchsorted` for all of a query's terms at once;
- the terms themselves as one UTF-8 byte array with offsets, so the table can be saved and its
  hashes recomputed when loaded.

The hash is Python's own `hash(str)`, mixed with the term's length: a query's terms arrive as
dict keys whose hash is already computed and cached, so looking them up costs no hashing at all.
Python hashes a string's internal bytes, so "gb" (two one-byte characters) and 执 (U+6267, one
two-byte character) hash alike; such strings always differ in length, hence the mixing. The hash
is salted per process (PYTHONHASHSEED), which is why the strings are kept and the hashes never
saved. Two indexed terms with the same mixed hash are kept apart exactly (`collisions`, checked
first, in practice empty); a hit is confirmed against the stored bytes, so an unknown query
term whose hash happens to equal an indexed term's is still reported missing.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
MISSING = -1
_LENGTH_MIX = np.int64(-7046029254386353131)  # 0x9E3779B97F4A7C15: odd, so lengths stay apart


def _hashes(terms: Collection[str]) -> I64:
    count = len(terms)
    hashes = np.fromiter(map(hash, terms), dtype=np.int64, count=count)
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=count)
    with np.errstate(over="ignore"):
        return hashes ^ (lengths * _LENGTH_MIX)


def _decode(text: npt.NDArray[np.uint8], offsets: I64) -> list[str]:
    raw = text.tobytes()
    bounds = offsets.tolist()
    return [raw[a:b].decode("utf-8") for a, b in itertools.pairwise(bounds)]


@dataclass(frozen=True)
class TermTable:
    hashes: I64  # sorted
    ids: npt.NDArray[np.int32]  # term id of hashes[i]
    text: npt.NDArray[np.uint8]  # every term's UTF-8 bytes, in term-id order
    offsets: I64  # term t is text[offsets[t]:offsets[t + 1]]
    collisions: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_terms(cls, terms: Sequence[str]) -> TermTable:
        """The table of `terms`, where a term's id is its position in `terms`."""
        encoded = [term.encode("utf-8") for term in terms]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(np.fromiter(map(len, encoded), np.int64, count=len(encoded)))
        text = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
        return cls._hashed(terms, text, offsets)

    @classmethod
    def from_arrays(cls, text: npt.NDArray[np.uint8], offsets: I64) -> TermTable:
        """The table of saved term bytes (`from_terms` made them); raises ValueError when they
        are inconsistent."""
        if text.dtype != np.uint8 or text.ndim != 1 or offsets.dtype.kind not in "iu":
            raise ValueError("term text must be bytes and offsets integers")
        if offsets.ndim != 1 or len(offsets) == 0 or offsets[0] != 0:
            raise ValueError("term offsets must start at 0")
        if int(offsets[-1]) != len(text) or np.any(np.diff(offsets) < 0):
            raise ValueError("term offsets do not fit the term text")
        offsets = offsets.astype(np.int64, copy=False)
        return cls._hashed(_decode(text, offsets), text, offsets)

    @classmethod
    def _hashed(cls, terms: Sequence[str], text: npt.NDArray[np.uint8], offsets: I64) -> TermTable:
        return cls.with_hashes(terms, text, offsets, _hashes(terms))

    @classmethod
    def with_hashes(
        cls, terms: Sequence[str], text: npt.NDArray[np.uint8], offsets: I64, hashes: I64
    ) -> TermTable:
        """The table, given each term's hash (`_hashes`; tests force collisions through it)."""
        order = np.argsort(hashes, kind="stable")
        hashes = hashes[order]
        shared = np.flatnonzero(hashes[1:] == hashes[:-1])
        collisions: dict[str, int] = {}
        for position in np.union1d(shared, shared + 1).tolist():
            term_id = int(order[position])
            collisions[terms[term_id]] = term_id
        return cls(hashes, order.astype(np.int32), text, offsets, collisions)

    def __len__(self) -> int:
        return len(self.hashes)

    def lookup(self, terms: Collection[str]) -> I64:
        """The id of each term, in order; MISSING (-1) for a term not in the table."""
        count = len(terms)
        wanted = _hashes(terms)
        if not len(self.hashes):
            return np.full(count, MISSING, dtype=np.int64)
        positions = np.searchsorted(self.hashes, wanted)
        np.minimum(positions, len(self.hashes) - 1, out=positions)
        found = self.hashes[positions] == wanted
        ids = np.where(found, self.ids[positions], MISSING).astype(np.int64)
        if self.collisions:
            for number, term in enumerate(terms):
                if term in self.collisions:
                    ids[number] = self.collisions[term]
        # A hash hit is confirmed against the stored bytes, so that an unknown term whose hash
        # equals an indexed term's is reported missing: lookups are exact, not probable.
        hits = np.flatnonzero(found)
        hit_ids = ids.take(hits)
        starts, ends = self.offsets.take(hit_ids).tolist(), self.offsets.take(hit_ids + 1).tolist()
        text = self.text.data  # a memoryview: slices without copying
        listed = terms if isinstance(terms, list | tuple) else list(terms)
        for number, start, end in zip(hits.tolist(), starts, ends, strict=True):
            term = listed[number]
            if text[start:end] != term.encode() and term not in self.collisions:
                ids[number] = MISSING
        return ids

    def get(self, term: str) -> int | None:
        term_id = int(self.lookup((term,))[0])
        return None if term_id == MISSING else term_id

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def terms(self) -> list[str]:
        """Every term, in term-id order."""
        return _decode(self.text, self.offsets)

    @property
    def nbytes(self) -> int:
        arrays = (self.hashes, self.ids, self.text, self.offsets)
        return sum(a.nbytes for a in arrays) + sum(len(t) for t in self.collisions)
