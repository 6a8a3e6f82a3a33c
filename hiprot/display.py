"""Where live shows its frames and gets its keys: a window, or nothing.

``Window`` is the OpenCV window as a context manager; ``NoDisplay`` stands
in for ``--no-window`` (voice and terminal only), ``NullDisplay`` for runs
on simulated time (tests, benchmarks).
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

WINDOW_NAME = "hiprot live"


class Display(Protocol):
    """Where frames are shown and keys come from (a window, or nothing)."""

    def show(self, image: npt.NDArray[np.uint8]) -> None: ...
    def poll_key(self, wait_ms: int = 1) -> int | None: ...
    @property
    def closed(self) -> bool: ...


class Window:
    """The OpenCV window, as a context manager (destroyed on any exit)."""

    def __init__(self, name: str = WINDOW_NAME) -> None:
        self.name = name

    def __enter__(self) -> Window:
        cv2.namedWindow(self.name, cv2.WINDOW_NORMAL)
        cv2.resizeWindow(self.name, 1280, 720)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        cv2.destroyWindow(self.name)
        cv2.waitKey(1)

    def show(self, image: npt.NDArray[np.uint8]) -> None:
        cv2.imshow(self.name, image)

    def poll_key(self, wait_ms: int = 1) -> int | None:
        key = cv2.waitKey(wait_ms)
        return None if key == -1 else key & 0xFF

    @property
    def closed(self) -> bool:
        return cv2.getWindowProperty(self.name, cv2.WND_PROP_VISIBLE) < 1


class NoDisplay:
    """``--no-window``: nothing shown, no keys; voice and terminal only."""

    closed = False

    def show(self, image: npt.NDArray[np.uint8]) -> None:
        return None

    def poll_key(self, wait_ms: int = 1) -> int | None:
        time.sleep(wait_ms / 1000)
        return None


class NullDisplay(NoDisplay):
    """``NoDisplay`` that never waits: for runs on simulated time (tests, benchmarks)."""

    def poll_key(self, wait_ms: int = 1) -> int | None:
        return None
