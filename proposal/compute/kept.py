"""Results kept by the content they were computed from: what the live preview's check
reuses on a save that changes none of it (`compute_costs`, the sensitivity's moved
runs).

A key is the SHA-256 of exactly what a computation reads, never an object's identity:
equal keys mean equal inputs, so a kept result cannot be stale. The store is bounded
and safe to share between threads (the preview checks in its watcher thread).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

import pandas as pd

T = TypeVar("T")


class Kept(Generic[T]):
    """At most `size` results by key, the least recently used dropped first."""

    def __init__(self, size: int):
        self.size = size
        self._results: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> T | None:
        """The result kept under `key`, None when there is none."""
        with self._lock:
            result = self._results.get(key)
            if result is not None:
                self._results.move_to_end(key)
            return result

    def put(self, key: str, result: T) -> None:
        """Keep `result` under `key` (the caller must not change it afterwards)."""
        with self._lock:
            self._results[key] = result
            self._results.move_to_end(key)
            while len(self._results) > self.size:
                self._results.popitem(last=False)

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._results.clear()

    def __len__(self) -> int:
        return len(self._results)


def digest_frame(digest, frame: pd.DataFrame) -> None:
    """Feed a table's columns, types, index and values, exactly, to `digest` (a hashlib
    object): equal digests mean equal tables, whatever objects hold them."""
    digest.update(repr([list(frame.columns), [str(t) for t in frame.dtypes],
                        frame.index.tolist()]).encode())
    for _name, column in frame.items():
        values = column.to_numpy()
        digest.update(f"\0{values.dtype.str}:{len(values)}\0".encode())
        digest.update(repr(values.tolist()).encode() if values.dtype == object
                      else values.tobytes())
