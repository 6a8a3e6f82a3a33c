"""Frame sources: timestamps, clear errors, and newest-frame-wins live reading."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from hiprot.capture import (
    CameraError,
    LatestFrameReader,
    open_camera,
    open_image_folder,
    open_realtime_video,
    open_source,
    open_video,
    probe_video,
)
from hiprot.errors import InputError
from tests.conftest import write_video


def test_video_frames_have_container_timestamps(tiny_video: Path) -> None:
    with open_video(tiny_video) as frames:
        got = list(frames)
    assert [f.index for f in got] == list(range(20))
    np.testing.assert_allclose([f.t_s for f in got], np.arange(20) / 30.0, atol=1e-3)
    assert got[0].size_wh == (160, 120)


def test_probe_reads_size_rate_and_count(tiny_video: Path) -> None:
    info = probe_video(tiny_video)
    assert (info.width, info.height, info.frame_count) == (160, 120, 20)
    assert info.fps == pytest.approx(30.0)


def test_large_frames_are_downscaled(tmp_path: Path) -> None:
    video = write_video(tmp_path / "big.mp4", 3, size_wh=(1920, 1080))
    with open_video(video, max_width=640) as frames:
        assert next(frames).size_wh == (640, 360)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.mkdir(), p)[1], "folder"),
        (lambda p: (p.write_bytes(b""), p)[1], "empty"),
        (lambda p: (p.write_text("not a video at all\n" * 50), p)[1], "cannot be read as a video"),
    ],
    ids=["missing", "directory", "zero bytes", "text named .mp4"],
)
def test_bad_video_files_give_clear_errors(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path / "clip.mp4")
    with pytest.raises(InputError, match=message), open_video(path) as frames:
        list(frames)


def test_truncated_mp4_is_an_input_error(tmp_path: Path) -> None:
    video = write_video(tmp_path / "full.mp4", 30)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(video.read_bytes()[:2000])
    with pytest.raises(InputError), open_video(cut) as frames:
        list(frames)


def test_image_folder_in_name_order(tmp_path: Path) -> None:
    for i in (2, 0, 1):
        cv2.imwrite(str(tmp_path / f"f{i:03d}.png"), np.full((10, 12, 3), i * 50, np.uint8))
    with open_image_folder(tmp_path, fps=10.0) as frames:
        got = list(frames)
    assert [int(f.image[0, 0, 0]) for f in got] == [0, 50, 100]
    assert [f.t_s for f in got] == pytest.approx([0.0, 0.1, 0.2])


def test_open_source_dispatches_on_what_the_path_is(tmp_path: Path, tiny_video: Path) -> None:
    with open_source(str(tiny_video)) as frames:
        assert next(frames).index == 0
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    with pytest.raises(InputError, match="no images"), open_source(empty):
        pass


def test_latest_frame_wins_when_the_consumer_is_slow() -> None:
    produced = iter(range(1000))

    def read_image():  # a fast camera: a new image every 2 ms
        time.sleep(0.002)
        value = next(produced, None)
        return None if value is None or value > 300 else np.full((2, 2, 3), value % 256, np.uint8)

    reader = LatestFrameReader(read_image, "fake").start()
    indices = []
    try:
        for frame in reader:
            indices.append(frame.index)
            time.sleep(0.02)  # a slow consumer: 10x slower than the camera
    finally:
        reader.stop()
    assert indices == sorted(set(indices)), "frames must arrive once, in order"
    assert len(indices) < 150, "a slow consumer must skip frames, not queue them"
    assert indices[-1] >= 290, "the last frame delivered is the newest"
    assert reader.dropped > 0


def test_a_camera_that_stops_delivering_raises_camera_error() -> None:
    blocked = threading.Event()

    def read_image():
        blocked.wait(5)  # never delivers
        return None

    reader = LatestFrameReader(read_image, "fake camera", timeout_s=0.2).start()
    with pytest.raises(CameraError, match="no frames"):
        list(reader)
    blocked.set()
    reader.stop()


def test_missing_camera_index_is_a_clear_error() -> None:
    with pytest.raises(CameraError, match="camera 97"), open_camera(97):
        pass


def test_a_video_played_as_a_camera_ends_with_its_newest_frames_in_order(
    tiny_video: Path,
) -> None:
    with open_realtime_video(tiny_video) as frames:
        got = [f.index for f in frames]
    assert got and got == sorted(set(got)) and got[-1] <= 19
