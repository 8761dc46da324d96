"""Renderings kept while the values they were made from are: a view computed once per change of
its data (bot.views.status_cache) is also rendered once, whichever platform asks.

Keyed by the identity of the values rendered, which the cache holds on to, so an id cannot be
reused by another object while its rendering is kept. Bounded (LRU) and thread-safe; rendering
is pure, so two threads rendering the same value at once agree.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

MAX_RENDERED = 128


class Rendered(Generic[T]):
    def __init__(self, size: int = MAX_RENDERED) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[Any, ...], tuple[tuple[object, ...], T]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, values: tuple[object, ...], render: Callable[[], T], *, variant: Any = None) -> T:
        """`render()`'s result for these very objects (and this variant), made once while kept."""
        key = (*(id(v) for v in values), variant)
        with self._lock:
            found = self._kept.get(key)
            if found is not None and all(a is b for a, b in zip(found[0], values, strict=False)):
                self._kept.move_to_end(key)
                return found[1]
        made = render()
        with self._lock:
            self._kept[key] = (values, made)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return made
