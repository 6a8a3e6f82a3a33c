"""Decode ahead: run a producer (video decoding) in a thread, a few items in front
of its consumer (MediaPipe), so the two overlap instead of taking turns.

Measured on the 2-core benchmark machine, 364 frames (the real clip looped
4 times), against MediaPipe on frames decoded in advance: decoding inline
0.94x, decoding ahead 1.06x. On the 91-frame clip alone it made no
difference (benchmarks/review_throughput.py has the end-to-end numbers).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

#: Items decoded ahead; a handful of frames is enough to hide decode jitter
#: and keeps memory small (8 frames of 1280x720 BGR: 22 MB).
DEPTH = 8

_POLL_S = 0.1


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_DONE = object()


class Ahead(Iterator[T]):
    """The consumer's side of ``read_ahead``: an iterator that can also say
    how many items are already waiting (a live display skips to the newest)."""

    def __init__(self, buffer: queue.Queue[object]) -> None:
        self._buffer = buffer

    def pending(self) -> int:
        """Items produced and not yet taken (the end marker included)."""
        return self._buffer.qsize()

    def __next__(self) -> T:
        item = self._buffer.get()
        if item is _DONE:
            self._buffer.put(_DONE)  # stay exhausted
            raise StopIteration
        if isinstance(item, _Failed):
            raise item.error
        return item  # type: ignore[return-value]


@contextmanager
def read_ahead(items: Iterable[T], depth: int = DEPTH) -> Iterator[Ahead[T]]:
    """Iterate ``items`` in a background thread, at most ``depth`` ahead.

    The thread is the only one touching ``items`` (e.g. a ``cv2.VideoCapture``)
    until the with-block ends; leaving the block (also by ``break`` or an
    error) stops it and waits for it, so the source can then be closed. An
    exception raised by ``items`` is raised again in the consumer.

    Example:
        >>> with open_video("set.mp4") as frames, read_ahead(frames) as ahead:
        ...     for pose_frame in estimator.track(ahead):
        ...         ...
    """
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as exc:
            put(_Failed(exc))
            return
        put(_DONE)

    thread = threading.Thread(target=produce, name="read-ahead", daemon=True)
    thread.start()
    try:
        yield Ahead(buffer)
    finally:
        stop.set()
        thread.join()
