"""Live mode: capture-to-display latency and displayed fps, next to bare MediaPipe.

A video played at its own frame rate stands in for the camera, exactly as
``open_realtime_video`` does (background reader, newest frame wins), with
the capture time of every frame recorded. Two consumers take turns on the
same clip:

- ``mediapipe``: the bare pose stage, ``PoseEstimator.estimate`` per frame;
- ``live``: the whole ``hiprot live`` loop (pose, angles, coach, HUD,
  ``imshow`` and ``waitKey`` in the real window, on Xvfb if there is no
  display);
- ``live_rereading``: the same loop while a set's re-read
  (``hiprot.reread``: review's reading of a finished set, on a worker
  thread while the rest timer shows) runs over and over beside it: how
  responsive the window stays while a set is re-read.

Apart from the clip, it times the re-read itself (``set_end_reread``) on
synthetic sets of the reporting suite: seconds to re-read next to the
set's length.

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
import threading
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
from hiprot.display import Window
from hiprot.live import HistorySaver, LiveSession, pose_stream
from hiprot.pose import PoseEstimator
from hiprot.reps import Mode
from hiprot.reread import SetSpan, reread_set
from hiprot.review import review_pose_frames
from hiprot.synth import generate
from hiprot.synth.suite import reporting_specs
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


#: Synthetic sets of the reporting suite timed for ``set_end_reread``.
REREAD_SETS = 3


def _reread_job(index: int) -> Callable[[], float]:
    """The ``index``-th synthetic set, ready to re-read: returns a call that
    re-reads it and gives the set's length in seconds."""
    spec = reporting_specs()[index]
    frames = generate(spec).frames
    size = (spec.width, spec.height)
    calibration = review_pose_frames(frames, "set", spec.mode, size_wh=size).calibration
    span = SetSpan(1, frames[0].t_s, frames[-1].t_s)

    def run() -> float:
        reread_set(frames, span, Mode(spec.mode), calibration, size)
        return span.end_s - span.start_s

    return run


def reread_cost() -> dict[str, object]:
    """Seconds to re-read each of ``REREAD_SETS`` synthetic sets at its end."""
    rows = []
    for index in range(REREAD_SETS):
        run = _reread_job(index)
        start = time.perf_counter()
        set_s = run()
        rows.append({"set_s": set_s, "reread_s": time.perf_counter() - start})
    ratios = [r["reread_s"] / r["set_s"] for r in rows]
    return {"sets": rows, "reread_s_per_set_s_median": statistics.median(ratios)}


def rereading(run: Callable[[], float]) -> Callable[..., None]:
    """``live_loop`` with the set re-read by ``run`` (prepared beforehand)
    running beside it, over and over, the whole time."""

    def consume(
        frames: Iterator[Frame], estimator: PoseEstimator, done: Callable[[int], None]
    ) -> None:
        stop = threading.Event()

        def rereads() -> None:
            while not stop.is_set():
                run()

        worker = threading.Thread(target=rereads, daemon=True)
        worker.start()
        try:
            live_loop(frames, estimator, done)
        finally:
            stop.set()
            worker.join()

    return consume


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
    runs: dict[str, list[dict[str, float]]] = {"mediapipe": [], "live": [], "live_rereading": []}
    live_rereading = rereading(_reread_job(0))
    with display() as where:
        for _ in range(args.rounds):  # in turns, so machine load hits all alike
            runs["mediapipe"].append(_measure(args.video, bare_mediapipe))
            runs["live"].append(_measure(args.video, live_loop))
            runs["live_rereading"].append(_measure(args.video, live_rereading))
    reread = reread_cost()
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
        "live_rereading_vs_live_fps": median["live_rereading"]["fps"] / median["live"]["fps"],
        "set_end_reread": reread,
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
        f"live/mediapipe fps: {ratio:.2f}; worst frames behind (live): {worst_behind}; "
        f"live while re-reading / live fps: {results['live_rereading_vs_live_fps']:.2f}"
    )
    for row in reread["sets"]:  # type: ignore[union-attr]
        print(f"set of {row['set_s']:.0f} s re-read in {row['reread_s']:.1f} s")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
