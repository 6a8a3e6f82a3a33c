"""The command line: exit codes and one-line errors, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hiprot import models
from hiprot.recording import read_recording


def run_hiprot(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hiprot", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], pattern: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hiprot: error:")
    assert pattern in lines[0]


def _written(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


BAD_INPUTS = [
    ("missing", lambda d: d / "missing.mp4", "no such file"),
    ("empty", lambda d: _written(d / "empty.mp4", b""), "empty"),
    (
        "not a video",
        lambda d: _written(d / "notes.mp4", b"hello\n" * 100),
        "cannot be read as a video",
    ),
    ("folder", lambda d: d, "folder"),
]


@pytest.mark.parametrize(
    ("make", "pattern"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS]
)
def test_extract_bad_input_is_one_line(tmp_path: Path, make, pattern: str) -> None:
    assert_one_line_error(run_hiprot("extract", str(make(tmp_path))), pattern)


@pytest.mark.pose
def test_extract_writes_a_recording_of_the_real_clip(tmp_path: Path, bridging_clip: Path) -> None:
    out = tmp_path / "bridge.landmarks.jsonl.gz"
    result = run_hiprot("extract", str(bridging_clip), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "91 frames" in result.stdout
    info, frames = read_recording(out)
    assert (info.width, info.height, info.fps) == (640, 480, 30.0)
    default = models.choose("extract", None)[0]  # heavy once installed, else full
    assert info.model == f"mediapipe-pose-{default}-0.10.21" and info.pose_model == default
    assert len(frames) == 91 and sum(f.has_pose for f in frames) >= 85


def test_usage_error_exits_2() -> None:
    result = run_hiprot("extract")
    assert result.returncode == 2
    assert "Missing argument" in result.stderr


def test_version() -> None:
    result = run_hiprot("--version")
    assert result.returncode == 0 and "hiprot" in result.stdout


def test_demo_prints_counts_next_to_the_truth() -> None:
    result = run_hiprot("demo", "--noise", "none")
    assert result.returncode == 0, result.stderr
    for leg in ("left", "right"):
        line = next(x for x in result.stdout.splitlines() if x.startswith(f"{leg}: counted"))
        counted, truth = (int(part.split(" reps")[0].split()[-1]) for part in line.split(";"))
        assert counted == truth > 0


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: _written(d / "empty.mp4", b""), "the file is empty"),
        (lambda d: d, "holds no videos"),
    ],
    ids=["missing", "empty", "empty folder"],
)
def test_review_of_an_unreadable_source_says_only_the_error(
    tmp_path: Path, make, pattern: str
) -> None:
    # no "Pose model: ..." line about a model that will never run
    result = run_hiprot("review", str(make(tmp_path)), "--no-history")
    assert_one_line_error(result, pattern)
    assert result.stdout == ""


def test_review_of_a_folder_of_recordings_runs_no_model(tmp_path: Path) -> None:
    from hiprot.synth import SessionSpec, generate, write_session

    spec = SessionSpec(seed=1, scenario="clean", placement="oblique45_left", noise="none")
    write_session(generate(spec), tmp_path / "s.landmarks.jsonl.gz")
    result = run_hiprot("review", str(tmp_path), "--no-history", "--model", "heavy")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == "Pose model: none run (the recording's landmarks are used)"


def test_extract_of_a_recording_says_it_is_one(tmp_path: Path) -> None:
    from hiprot.synth import SessionSpec, generate, write_session

    spec = SessionSpec(seed=1, scenario="clean", placement="oblique45_left", noise="none")
    recording, _ = write_session(generate(spec), tmp_path / "s.landmarks.jsonl.gz")
    before = recording.read_bytes()
    assert_one_line_error(run_hiprot("extract", str(recording)), "is already a landmark recording")
    assert recording.read_bytes() == before


def _late_person_clip(path: Path, blank_frames: int = 40, person_frames: int = 20) -> Path:
    """A clip of a bare wall, then the sample video's person: found only after
    MediaPipe's start-up lines have gone by."""
    import cv2
    import numpy as np

    source = cv2.VideoCapture(str(Path(__file__).parents[1] / "sample_videos/wall_both_legs.mp4"))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 15, (640, 480))
    wall = np.full((480, 640, 3), (180, 190, 200), np.uint8)
    for _ in range(blank_frames):
        writer.write(wall)
    for _ in range(person_frames):
        ok, image = source.read()
        assert ok
        writer.write(image)
    writer.release()
    source.release()
    return path


@pytest.mark.pose
def test_review_prints_no_mediapipe_log_lines(tmp_path: Path) -> None:
    # a graph logs a warning ("W0000 ...") on the first frame it finds someone on
    clip = _late_person_clip(tmp_path / "late.mp4")
    result = run_hiprot("review", str(clip), "--no-history")
    assert result.returncode == 0, result.stderr
    assert "In position" in result.stdout  # the person was found
    for stream in (result.stdout, result.stderr):
        native = [line for line in stream.splitlines() if line[:5] in ("W0000", "I0000")]
        assert native == [], stream


def test_a_folder_is_listed_once(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    import hiprot.review_files
    from hiprot.cli import cli
    from hiprot.synth import SessionSpec, generate, write_session

    spec = SessionSpec(seed=1, scenario="clean", placement="oblique45_left", noise="none")
    write_session(generate(spec), tmp_path / "s.landmarks.jsonl.gz")
    listings: list[Path] = []
    listed = hiprot.review_files.folder_sources

    def counted(folder: Path):
        listings.append(folder)
        return listed(folder)

    monkeypatch.setattr(hiprot.review_files, "folder_sources", counted)
    result = CliRunner().invoke(cli, ["review", str(tmp_path), "--no-history", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "Pose model: none run" in result.output  # the listing reached the model choice
    assert listings == [tmp_path]
