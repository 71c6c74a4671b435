"""Send requests from a small thread pool while keeping the order that matters.

Atlas stores independent bulk requests in parallel, so a bulk upsert keeps a few in flight.
Some requests must still wait for others (one refers to an entity another creates); the
caller names those as dependencies and this module never starts a request before them.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def run_in_dependency_order(
    items: Sequence[Item],
    dependencies: Sequence[Collection[int]],
    send: Callable[[Item], Result],
    workers: int,
) -> list[Result]:
    """``send(item)`` for every item on up to ``workers`` threads; the results in item order.

    Item ``i`` starts only after every item in ``dependencies[i]`` (indexes of earlier items)
    has succeeded; among ready items the lowest index starts first. After a failure nothing
    new starts, the requests in flight finish, and the failure of the lowest item is raised,
    so an error is the same one a sequential loop would most likely have hit first.
    """
    if len(dependencies) != len(items):
        raise ValueError("one dependency set per item is needed")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    remaining = [len(set(deps)) for deps in dependencies]
    dependents: list[list[int]] = [[] for _ in items]
    for index, deps in enumerate(dependencies):
        for dep in set(deps):
            if not 0 <= dep < index:
                raise ValueError(f"item {index} may depend only on earlier items, not on {dep}")
            dependents[dep].append(index)
    ready = [index for index, count in enumerate(remaining) if count == 0]
    heapq.heapify(ready)
    results: dict[int, Result] = {}
    errors: dict[int, BaseException] = {}
    running: dict[Future[Result], int] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="atlas-ml-send") as pool:
        while True:
            while ready and not errors and len(running) < workers:
                index = heapq.heappop(ready)
                running[pool.submit(send, items[index])] = index
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                index = running.pop(future)
                error = future.exception()
                if error is not None:
                    errors[index] = error
                    continue
                results[index] = future.result()
                for dependent in dependents[index]:
                    remaining[dependent] -= 1
                    if remaining[dependent] == 0:
                        heapq.heappush(ready, dependent)
    if errors:
        raise errors[min(errors)]
    return [results[index] for index in range(len(items))]
