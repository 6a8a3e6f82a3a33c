"""Shared fixtures: the real footage, small generated videos, landmark rows."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from hiprot.recording import RecordingInfo, write_recording
from hiprot.synth import SessionSpec, generate
from hiprot.types import PoseFrame

REPO = Path(__file__).resolve().parents[1]
FOOTAGE_DIR = Path(os.environ.get("HIPROT_FOOTAGE", REPO.parent / "shared" / "footage"))
BRIDGING_CLIP = FOOTAGE_DIR / "physioplus-bridging.mp4"

#: The far leg from 30° round (tuning seed 10053): its synthetic knee offset
#: reads a 60° sweep as about 10° (docs/synthetic.md), so the leg is read
#: from its foot.
FLAT_KNEE_SPEC = SessionSpec(
    seed=10053,
    scenario="no_hold",
    placement="oblique30_left",
    noise="none",
    mode="right",
    other_leg="off_wall",
)


@pytest.fixture(scope="session")
def bridging_clip() -> Path:
    """The real clip of a man lying on a mat (Apache-2.0, read in place)."""
    if not BRIDGING_CLIP.is_file():
        pytest.fail(
            f"real footage missing: {BRIDGING_CLIP} (expected ../shared/footage beside the "
            "repository, or set HIPROT_FOOTAGE)"
        )
    return BRIDGING_CLIP


def write_video(
    path: Path, n_frames: int, size_wh: tuple[int, int] = (160, 120), fps: float = 30.0
) -> Path:
    """A small mp4 whose frame i shows the number i as its brightness."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size_wh)
    assert writer.isOpened()
    for i in range(n_frames):
        writer.write(np.full((size_wh[1], size_wh[0], 3), (i * 7) % 256, np.uint8))
    writer.release()
    return path


@pytest.fixture
def tiny_video(tmp_path: Path) -> Path:
    return write_video(tmp_path / "tiny.mp4", 20)


#: The header of the recordings the ``recording`` fixture writes.
RECORDING_INFO = RecordingInfo(fps=30.0, width=640, height=480, source="synthetic", model="test")


@pytest.fixture(scope="module")
def session_frames() -> list[PoseFrame]:
    """40 s of a clean synthetic set: a still start, then reps of both legs."""
    return generate(SessionSpec(seed=1, noise="none", duration_s=40.0)).frames


@pytest.fixture
def recording(tmp_path: Path, session_frames: list[PoseFrame]) -> Path:
    """``session_frames`` as a landmark recording in ``tmp_path``."""
    path = tmp_path / "set.landmarks.jsonl"
    write_recording(path, RECORDING_INFO, session_frames)
    return path
