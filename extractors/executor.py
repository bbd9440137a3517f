"""One small interface for page-parallel work: a thread pool (tesseract is a subprocess, so threads
parallelise it) or inline for tests and single pages. Results come back in input order and only the
caller assembles them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]: ...


class SerialExecutor:
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return [fn(item) for item in items]


class ThreadExecutor:
    def __init__(self, max_workers: int) -> None:
        self.max_workers = max(1, max_workers)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        items = list(items)
        if len(items) <= 1 or self.max_workers == 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(items))) as pool:
            return list(pool.map(fn, items))


def make_executor(workers: int) -> Executor:
    return SerialExecutor() if workers <= 1 else ThreadExecutor(workers)


class SharedPoolExecutor:
    """Pages of every letter go through one pool: with letters processed in parallel too, a long
    letter's pages still spread over the cores, and at most ``max_workers`` tesseracts run at once."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return list(self.pool.map(fn, items))
