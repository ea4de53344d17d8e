"""A sequence of term or name sets computed when first read and then kept (opening an index computes
nothing that a question does not ask for)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload


class LazySets(Sequence[frozenset[str]]):
    """Items computed by :meth:`compute` on first read, then kept. Two threads reading the same item at
    once compute the same value; either one is kept."""

    def __init__(self, size: int) -> None:
        self._items: list[frozenset[str] | None] = [None] * size

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> frozenset[str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[frozenset[str]]: ...

    def __getitem__(self, index: int | slice) -> frozenset[str] | list[frozenset[str]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        item = self._items[index]
        if item is None:
            item = self._items[index] = self.compute(index)
        return item

    def compute(self, index: int) -> frozenset[str]:
        raise NotImplementedError
