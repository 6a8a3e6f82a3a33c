"""Live mode: capture-to-display latency and displayed fps, next to bare MediaPipe.

A video played at its own frame rate stands in for the camera, exactly as
``open_realtime_video`` does (background reader, newest frame wins), with
the capture time of every frame recorded. Two consumers take turns on the
same clip:

- ``mediapipe``: the bare pose stage, ``PoseEstimator.estimate`` per frame;
- ``live``: the whole ``hiprot live`` loop (pose, angles, coach, HUD,
  ``imshow`` and ``waitKey`` in the real window, on Xvfb if there is no
  display).

For each it reports the rate of frames finished (displayed), the latency
from capture to finished (displayed), and how many frames the camera had
delivered beyond the one on screen. Targets: live fps >= 0.9x bare
MediaPipe; never more than one frame behind the camera.

    python benchmarks/live_latency.py [VIDEO] [--rounds 3]
"""

from __future__ import annotations

import argparse
import bisect
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, write_results

from hiprot.capture import LatestFrameReader, probe_video
from hiprot.coach import Coach, CoachConfig
from hiprot.live import HistorySaver, LiveSession, Window, pose_stream
from hiprot.pose import PoseEstimator
from hiprot.types import Frame
from hiprot.voice import SilentPlayer, Speaker

DEFAULT_CLIP = REPO.parent / "shared" / "footage" / "physioplus-bridging.mp4"


class TimedCamera:
    """A video as a camera (open_realtime_video's pacing and reader), recording
    when each frame was captured."""

    def __init__(self, path: Path) -> None:
        self.cap = cv2.VideoCapture(str(path))
        self.fps = float(self.cap.get(cv2.CAP_PROP_FPS)) or 30.0
        self.captured_s: list[float] = []
        self._next_due = time.monotonic()

    def read(self):
        delay = self._next_due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next_due += 1.0 / self.fps
        ok, image = self.cap.read()
        if not ok:
            return None
        self.captured_s.append(time.monotonic())
        return image

    @contextmanager
    def frames(self) -> Iterator[Iterator[Frame]]:
        reader = LatestFrameReader(self.read, "benchmark").start()
        try:
            yield iter(reader)
        finally:
            reader.stop()
            self.cap.release()


#: Frames left out at the start: the camera starts while the consumer's first
#: frames still pay one-off costs (window mapping, first pose detection).
WARMUP_FRAMES = 15


def _measure(path: Path, consume: Callable[..., None]) -> dict[str, float]:
    """Run one consumer over the clip; ``done(index)`` marks a frame finished/shown."""
    camera = TimedCamera(path)
    finished: list[tuple[float, int]] = []
    with PoseEstimator() as estimator:
        estimator.estimate(
            Frame(0, 0.0, cv2.imread(str(REPO / "docs" / "images" / "live_setup.png")))
        )
        with camera.frames() as frames:
            consume(frames, estimator, lambda index: finished.append((time.monotonic(), index)))
    finished = finished[WARMUP_FRAMES:]
    latency_ms = [1000 * (t - camera.captured_s[i]) for t, i in finished]
    behind = [bisect.bisect_right(camera.captured_s, t) - 1 - i for t, i in finished]
    span = finished[-1][0] - finished[0][0]
    return {
        "fps": (len(finished) - 1) / span,
        "frames": len(finished),
        "captured": len(camera.captured_s),
        "latency_ms_median": statistics.median(latency_ms),
        "latency_ms_p95": sorted(latency_ms)[int(0.95 * (len(latency_ms) - 1))],
        "frames_behind_max": max(behind),
        "frames_behind_mean": statistics.fmean(behind),
    }


def bare_mediapipe(
    frames: Iterator[Frame], estimator: PoseEstimator, done: Callable[[int], None]
) -> None:
    for frame in frames:
        estimator.estimate(frame)
        done(frame.index)


class _TimedWindow(Window):
    def __init__(self, done: Callable[[int], None]) -> None:
        super().__init__()
        self.done = done
        self.index = 0

    def show(self, image) -> None:
        super().show(image)
        self.done(self.index)


def live_loop(
    frames: Iterator[Frame], estimator: PoseEstimator, done: Callable[[int], None]
) -> None:
    """``hiprot live``'s loop as ``run_live`` wires it, in the real window."""
    with _TimedWindow(done) as window:
        session = LiveSession(
            coach=Coach(CoachConfig()),
            speaker=Speaker(SilentPlayer()),
            saver=HistorySaver(None, "benchmark", datetime.now().astimezone()),
            display=window,
            log=lambda line: None,
        )

        class Shown:
            """The pose stream, noting which frame the window is showing."""

            def __init__(self, pairs) -> None:
                self.pairs = pairs
                self.pending = pairs.pending

            def __iter__(self):
                for image, pose_frame in self.pairs:
                    window.index = pose_frame.index
                    yield image, pose_frame

        with pose_stream(frames, estimator.estimate) as pairs:
            session.run(Shown(pairs))


@contextmanager
def display() -> Iterator[str]:
    """The current X display, or a private Xvfb one when there is none."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    if shutil.which("Xvfb") is None:
        raise SystemExit("no display and no Xvfb (Debian: apt-get install xvfb)")
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            time.sleep(0.05)
        os.environ["DISPLAY"] = f":{number}"
        yield f":{number} (Xvfb)"
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    info = probe_video(args.video)
    runs: dict[str, list[dict[str, float]]] = {"mediapipe": [], "live": []}
    with display() as where:
        for _ in range(args.rounds):  # in turns, so machine load hits both alike
            runs["mediapipe"].append(_measure(args.video, bare_mediapipe))
            runs["live"].append(_measure(args.video, live_loop))
    median = {
        name: {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
        for name, rounds in runs.items()
    }
    ratio = median["live"]["fps"] / median["mediapipe"]["fps"]
    worst_behind = max(r["frames_behind_max"] for r in runs["live"])
    results = {
        "clip": args.video.name,
        "clip_fps": info.fps,
        "display": where,
        "rounds": args.rounds,
        "median": median,
        "rounds_raw": runs,
        "live_vs_mediapipe_fps": ratio,
        "targets": {
            "fps_ratio_at_least_0.9": ratio >= 0.9,
            "never_more_than_one_frame_behind": worst_behind <= 1,
        },
    }
    path = write_results("live_latency", results)
    for name, m in median.items():
        print(
            f"{name:>9}: {m['fps']:5.1f} fps, latency {m['latency_ms_median']:5.1f} ms "
            f"(p95 {m['latency_ms_p95']:5.1f}), frames behind max {m['frames_behind_max']:.0f}"
        )
    print(
        f"live/mediapipe fps: {ratio:.2f}; worst frames behind (live): {worst_behind}; wrote {path}"
    )


if __name__ == "__main__":
    main()
