"""The hiprot-landmarks v1 format: round trip, and every documented rejection."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hiprot.errors import HiprotWarning, RecordingError
from hiprot.recording import (
    RecordingInfo,
    RecordingReader,
    RecordingWriter,
    is_recording,
    read_recording,
    recording_stem,
    write_recording,
)
from hiprot.types import PoseFrame

INFO = RecordingInfo(fps=30.0, width=640, height=480, source="wall.mp4", model="test")


def make_frames(n: int, seed: int = 0) -> list[PoseFrame]:
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n):
        image = rng.uniform(0, 1, (33, 4))
        world = rng.uniform(-1, 1, (33, 4)) if i % 3 else None
        if i == 4:
            image, world = None, None
        frames.append(PoseFrame(index=i, t_s=i / 30.0, image=image, world=world))
    return frames


@pytest.mark.parametrize("name", ["a.landmarks.jsonl", "a.landmarks.jsonl.gz"])
def test_round_trip_keeps_frames(tmp_path: Path, name: str) -> None:
    frames = make_frames(10)
    path = tmp_path / name
    assert write_recording(path, INFO, frames) == 10
    info, back = read_recording(path)
    assert info == INFO
    assert [f.index for f in back] == [f.index for f in frames]
    for original, copy in zip(frames, back):
        assert copy.t_s == pytest.approx(original.t_s, abs=1e-6)
        for key in ("image", "world"):
            a, b = getattr(original, key), getattr(copy, key)
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(b, a, atol=1e-5)


def test_gzip_file_is_really_compressed(tmp_path: Path) -> None:
    path = tmp_path / "a.landmarks.jsonl.gz"
    write_recording(path, INFO, make_frames(3))
    with gzip.open(path, "rt") as f:
        assert json.loads(f.readline())["format"] == "hiprot-landmarks"


def test_header_has_exactly_the_documented_fields(tmp_path: Path) -> None:
    path = tmp_path / "a.landmarks.jsonl"
    write_recording(path, INFO, make_frames(2))
    header = json.loads(path.read_text().splitlines()[0])
    assert header == {
        "format": "hiprot-landmarks",
        "version": 1,
        "fps": 30.0,
        "width": 640,
        "height": 480,
        "source": "wall.mp4",
        "model": "test",
    }
    frame = json.loads(path.read_text().splitlines()[1])
    assert set(frame) == {"i", "t", "image", "world"}


def test_the_landmark_model_is_an_optional_header_field(tmp_path: Path) -> None:
    path = tmp_path / "a.landmarks.jsonl"
    write_recording(path, replace(INFO, pose_model="heavy"), make_frames(2))
    header = json.loads(path.read_text().splitlines()[0])
    assert header["pose_model"] == "heavy"
    info, _ = read_recording(path)
    assert (info.pose_model, info.landmark_model) == ("heavy", "heavy")
    # a recording written before the field existed was made by full
    old = tmp_path / "old.landmarks.jsonl"
    write_recording(old, INFO, make_frames(2))
    info, _ = read_recording(old)
    assert (info.pose_model, info.landmark_model) == (None, "full")


def test_writer_refuses_non_increasing_time(tmp_path: Path) -> None:
    with RecordingWriter(tmp_path / "a.jsonl", INFO) as writer:
        writer.write(PoseFrame.empty(0, 1.0))
        with pytest.raises(ValueError, match="increase"):
            writer.write(PoseFrame.empty(1, 1.0))


def _row(n: int = 33, value: object = 0.5) -> list:
    return [[value, 0.5, 0.0, 0.9] for _ in range(n)]


GOOD_HEADER = json.dumps(INFO.header())


def _frame(i: int, t: float, image: object = None, world: object = None) -> str:
    return json.dumps(
        {"i": i, "t": t, "image": image if image is not None else _row(), "world": world}
    )


MALFORMED = [
    # (scenario, lines, expected line number, message pattern)
    ("empty file", [""], 1, "missing header"),
    ("header missing: file starts with a frame", [_frame(0, 0.0)], 1, "missing header"),
    ("another format", [json.dumps({"format": "other", "version": 1})], 1, "format is 'other'"),
    ("another version", [json.dumps({**INFO.header(), "version": 2})], 1, "version 2"),
    ("header not JSON", ["{oops"], 1, "not valid JSON"),
    ("32 image rows", [GOOD_HEADER, _frame(0, 0.0, image=_row(32)), _frame(1, 0.1)], 2, "33 rows"),
    ("34 world rows", [GOOD_HEADER, _frame(0, 0.0, world=_row(34)), _frame(1, 0.1)], 2, "33 rows"),
    (
        "3 values in a row",
        [GOOD_HEADER, _frame(0, 0.0, image=[[0, 0, 0]] * 33), _frame(1, 0.1)],
        2,
        r"\[x, y, z, visibility\]",
    ),
    (
        "string value",
        [GOOD_HEADER, _frame(0, 0.0, image=_row(value="a")), _frame(1, 0.1)],
        2,
        "non-numeric",
    ),
    (
        "boolean value",
        [GOOD_HEADER, _frame(0, 0.0, image=_row(value=True)), _frame(1, 0.1)],
        2,
        "non-numeric",
    ),
    ("time goes back", [GOOD_HEADER, _frame(0, 0.5), _frame(1, 0.4)], 3, "must increase"),
    (
        "time repeats",
        [GOOD_HEADER, _frame(0, 0.5), _frame(1, 0.5), _frame(2, 0.6)],
        3,
        "must increase",
    ),
    (
        "t missing",
        [GOOD_HEADER, json.dumps({"i": 0, "image": None, "world": None}), _frame(1, 0.1)],
        2,
        "'t' must be",
    ),
    (
        "i not int",
        [
            GOOD_HEADER,
            json.dumps({"i": "x", "t": 0.0, "image": None, "world": None}),
            _frame(1, 0.1),
        ],
        2,
        "'i' must be",
    ),
    ("broken JSON mid-file", [GOOD_HEADER, "{not json", _frame(1, 0.1)], 2, "not valid JSON"),
    ("frame not an object", [GOOD_HEADER, "[1, 2]", _frame(1, 0.1)], 2, "JSON object"),
]


@pytest.mark.parametrize(
    ("scenario", "lines", "line_number", "pattern"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_reader_rejects_with_line_number(
    tmp_path: Path, scenario: str, lines: list[str], line_number: int, pattern: str
) -> None:
    path = tmp_path / "bad.landmarks.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordingError, match=rf"line {line_number}\b.*{pattern}"):
        read_recording(path)


def test_truncated_last_line_warns_and_keeps_earlier_frames(tmp_path: Path) -> None:
    path = tmp_path / "cut.landmarks.jsonl"
    write_recording(path, INFO, make_frames(6))
    text = path.read_text()
    path.write_text(text[: len(text) - 200])  # cut in the middle of the last frame
    with pytest.warns(HiprotWarning, match=r"line 7.*cut off"):
        _, frames = read_recording(path)
    assert [f.index for f in frames] == [0, 1, 2, 3, 4]


def test_truncated_gzip_stream_warns_and_keeps_earlier_frames(tmp_path: Path) -> None:
    path = tmp_path / "cut.landmarks.jsonl.gz"
    write_recording(path, INFO, make_frames(200))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.warns(HiprotWarning, match="cut off"):
        _, frames = read_recording(path)
    assert 0 < len(frames) < 200
    assert [f.index for f in frames] == list(range(len(frames)))


def test_reader_streams_lazily(tmp_path: Path) -> None:
    path = tmp_path / "a.landmarks.jsonl"
    write_recording(path, INFO, make_frames(5))
    with RecordingReader(path) as reader:
        assert reader.info == INFO
        first = next(iter(reader))
    assert first.index == 0


def test_missing_file_is_a_recording_error(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match=re.escape("no such recording")):
        read_recording(tmp_path / "nope.landmarks.jsonl")


def test_a_folder_reviews_every_recording_a_single_review_reads(tmp_path: Path) -> None:
    """One set of suffixes: a ``.jsonl`` recording, reviewed alone, is
    reviewed in a folder too, and its video beside it is skipped for it."""
    from hiprot.review_files import folder_sources, report_dir_name

    names = ["a.landmarks.jsonl", "b.landmarks.jsonl.gz", "c.jsonl", "d.JSONL.GZ", "c.mp4", "e.mp4"]
    for name in [*names, "notes.txt"]:
        (tmp_path / name).write_bytes(b"")
    to_review, skipped = folder_sources(tmp_path)
    assert [p.name for p in skipped] == ["c.mp4"]
    assert sorted(p.name for p in to_review) == sorted(set(names) - {"c.mp4"})
    assert all(is_recording(p) for p in to_review if p.suffix != ".mp4")
    assert recording_stem("d.JSONL.GZ") == "d" and recording_stem("e.mp4") == "e.mp4"
    # a recording's report folder never meets its video's
    assert report_dir_name(Path("c.jsonl")) != report_dir_name(Path("c.mp4"))
    assert report_dir_name(Path("s.landmarks.jsonl.gz")) == "s-landmarks-jsonl-gz-hiprot"


def test_writer_and_reader_close_their_file_on_leaving_and_again_harmlessly(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.landmarks.jsonl.gz"
    with RecordingWriter(path, INFO) as out:
        out.write(make_frames(1)[0])
        written = out._file
    assert written is not None and written.closed and out._file is None
    out.close()
    with RecordingReader(path) as reader:
        read = reader._file
        assert len(list(reader)) == 1
    assert read is not None and read.closed and reader._file is None
    reader.close()
