"""The one budget of answers computed at once, shared by every way of asking: the page's buttons and the
Gradio API (events of Gradio's queue with ``concurrency_id="answers"``) and the JSON route ``/api/ask``.

An answer is CPU work: on 2 cores, a second budget for the JSON route would let it add its own answers to
the page's. :class:`AnswerSlots` counts the answers running; :func:`share_with_gradio` makes Gradio's queue
of the ``answers`` events count in it (Gradio starts one of its events only when a slot is free, and the
JSON route waits when Gradio's events use them all). Waiting is first come, first served across both:
a JSON request waits behind the Gradio events queued before it, and the other way round.

Everything here runs on the server's event loop (the answers themselves run in worker threads), so the
counts need no lock.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

CONCURRENCY_ID = "answers"


class AnswerSlots:
    """``limit`` answers at once; ``max_waiting`` questions at most waiting for one (JSON route and Gradio
    queue together)."""

    def __init__(self, limit: int, max_waiting: int) -> None:
        self.limit = limit
        self.max_waiting = max_waiting
        self.running = 0
        self._waiters: deque[tuple[float, asyncio.Future[None]]] = deque()
        self._gradio: Any = None  # Gradio's queue (gradio.queueing.Queue), once shared
        self._gradio_events: Any = None  # its EventQueue of the "answers" events

    # --- the JSON route -------------------------------------------------------------------------------
    def waiting(self) -> int:
        """Questions waiting for a slot: JSON requests and Gradio events of every kind (one queue size)."""
        return len(self._waiters) + (len(self._gradio) if self._gradio is not None else 0)

    def full(self) -> bool:
        """Whether the queue is full (a new question is refused: 503), as Gradio's queue decides."""
        return self.waiting() >= self.max_waiting

    def try_acquire(self) -> bool:
        """Take a free slot now if no question waits for one before this one."""
        if not self._waiters and self.running < self.limit and not self._gradio_first(time.monotonic()):
            self.running += 1
            return True
        return False

    async def acquire(self) -> None:
        """Wait for a free slot, in arrival order with the Gradio events (cancelled: no slot taken)."""
        if self.try_acquire():
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((time.monotonic(), granted))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():  # granted just as it was cancelled: give it back
                self.release()
            else:
                self._waiters = deque(w for w in self._waiters if w[1] is not granted)
            raise

    def release(self) -> None:
        """A JSON request's answer is done: its slot goes to the next question waiting."""
        self.running -= 1
        self._grant()

    # --- both -----------------------------------------------------------------------------------------
    def _gradio_first(self, since: float) -> bool:
        """Whether a Gradio event queued before ``since`` waits for a slot."""
        events = self._gradio_events.queue if self._gradio_events is not None else ()
        return bool(events) and events[0].enqueue_time <= since

    def _grant(self) -> None:
        """Give free slots to the JSON requests waiting, unless a Gradio event came first (Gradio's queue
        takes that slot itself, within a millisecond)."""
        while self._waiters and self.running < self.limit:
            arrived, granted = self._waiters[0]
            if granted.cancelled():
                self._waiters.popleft()
                continue
            if self._gradio_first(arrived):
                return
            self._waiters.popleft()
            self.running += 1
            granted.set_result(None)

    def gradio_limit(self) -> int:
        """The limit Gradio's queue sees: the real one, or the number running (Gradio cannot start one)
        while a JSON request that came before its first event waits for its turn."""
        self._grant()
        events = self._gradio_events.queue if self._gradio_events is not None else ()
        if self._waiters and events and self._waiters[0][0] < events[0].enqueue_time:
            return self.running  # all slots are taken here (else the request would have had one)
        return self.limit


def share_with_gradio(queue: Any, slots: AnswerSlots) -> None:
    """Make Gradio's ``queue`` (of :meth:`gradio.Blocks.queue`, before launch) count its ``answers`` events
    in ``slots``, and refuse a new event when the JSON route's waiting requests fill the queue.

    Raises ``RuntimeError`` if this Gradio's queue is not built as expected (the budget would not be shared)."""
    from gradio.queueing import EventQueue

    if not hasattr(queue, "event_queue_per_concurrency_id") or not hasattr(queue, "push"):
        raise RuntimeError("file d'attente de Gradio inattendue : la limite de réponses ne serait pas partagée")

    class SharedEventQueue(EventQueue):  # type: ignore[misc]
        """Gradio's queue of the ``answers`` events, its running count and limit those of ``slots``."""

        @property  # type: ignore[override]
        def current_concurrency(self) -> int:
            return slots.running

        @current_concurrency.setter
        def current_concurrency(self, value: int) -> None:  # += 1 when Gradio starts one, -= 1 when done
            slots.running = value
            slots._grant()

        @property  # type: ignore[override]
        def concurrency_limit(self) -> int:
            return slots.gradio_limit()

        @concurrency_limit.setter
        def concurrency_limit(self, value: int | None) -> None:  # Gradio keeps the lowest limit of a group
            if value is not None and value < slots.limit:
                slots.limit = value

    events = SharedEventQueue(CONCURRENCY_ID, slots.limit)
    queue.event_queue_per_concurrency_id[CONCURRENCY_ID] = events
    slots._gradio, slots._gradio_events = queue, events
    push = queue.push

    async def push_unless_full(*args: Any, **kwargs: Any) -> Any:
        if queue.max_size is not None and slots.waiting() >= queue.max_size:
            message = f"File d'attente pleine ({queue.max_size} questions) : réessayez dans un instant."
            return False, message, "queue_full"
        return await push(*args, **kwargs)

    queue.push = push_unless_full
