"""Run awaitables together, failing as the first of them fails; run one under a deadline
that cancels it at most once."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


async def gather_or_cancel(coroutines: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """The results of `coroutines` run concurrently, in order. The first to raise cancels
    the others (unlike `asyncio.gather`, which leaves them running, e.g. against a client
    about to close) and its exception is raised alone, not in an ExceptionGroup."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(c) for c in coroutines]
    except ExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]


class Deadline:
    """A moment on the event loop's clock, `seconds` from now, that can be moved later."""

    def __init__(self, seconds: float) -> None:
        self._loop = asyncio.get_running_loop()
        self.when = self._loop.time() + seconds

    def remaining(self) -> float:
        return self.when - self._loop.time()


async def cancel_once(coroutine: Coroutine[Any, Any, T], deadline: Deadline) -> T:
    """The result of `coroutine`, run in a task of its own that is cancelled at most once:
    at `deadline` (then TimeoutError is raised) or when the caller is cancelled; either way
    the task is awaited to its end before this returns or raises.

    Why: httpcore closes a connection in `except`/`finally` blocks that await (locks, socket
    close) and shields them with anyio, which does not shield from asyncio's own
    `Task.cancel()`. A task cancelled twice — a TaskGroup cancelling a sibling that is
    already unwinding from its timeout, a cycle deadline on top of a query's — stops that
    cleanup half-way and the connection stays in the pool, ACTIVE, forever."""
    task = asyncio.ensure_future(coroutine)
    caller_cancelled = False
    try:
        while not task.done() and deadline.remaining() > 0:
            await asyncio.wait({task}, timeout=deadline.remaining())
    except asyncio.CancelledError:
        caller_cancelled = True
    stopped = not task.done()
    if stopped:
        task.cancel()
    while not task.done():  # the task's own clean-up; further cancellations wait for it
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:
            caller_cancelled = True
    if caller_cancelled or stopped:
        if not task.cancelled():
            task.exception()  # retrieved: the task's failure is superseded, not lost
        if caller_cancelled:
            raise asyncio.CancelledError
        raise TimeoutError
    return task.result()
