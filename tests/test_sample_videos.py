"""The shipped sample video, end to end on pixels, as the README's main command runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from hiprot.capture import probe_video
from hiprot.report import PLOT_SIZE_PX
from tests.conftest import REPO

pytestmark = pytest.mark.pose

VIDEO = REPO / "sample_videos" / "wall_left_leg.mp4"


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hiprot",
            "review",
            str(VIDEO),
            "--mode",
            "left",
            "-o",
            str(out / "report"),
            "--annotate",
            str(out / "annotated.mp4"),
            "--no-history",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out


def test_counts_match_the_rendered_truth(reviewed: Path) -> None:
    summary = json.loads((reviewed / "report" / "session.json").read_text())
    truth = json.loads(VIDEO.with_suffix(".truth.json").read_text())
    assert summary["tracking"]["frames_with_pose"] / summary["tracking"]["frames"] >= 0.95
    measured, true = summary["legs"]["left"], truth["legs"]["left"]
    assert abs(measured["reps"] - true["reps"]) <= 1
    assert measured["compensated_reps"] == true["compensated_reps"] == 0
    assert abs(measured["controlled_reps"] - true["controlled_reps"]) <= 1


def test_every_output_is_there_and_readable(reviewed: Path) -> None:
    report = reviewed / "report"
    plot = cv2.imread(str(report / "plot.png"))
    assert plot is not None and plot.shape[1::-1] == PLOT_SIZE_PX and plot.std() > 10
    html = (report / "report.html").read_text()
    assert html.count("<td>left</td>") >= 5  # the per-rep rows (and the per-leg row)
    assert (report / "angles.csv").read_text().count("\n") == probe_video(VIDEO).frame_count + 1
    assert probe_video(reviewed / "annotated.mp4").frame_count == probe_video(VIDEO).frame_count


def test_the_sample_clip_is_not_called_too_small(reviewed: Path) -> None:
    """Its legs are 148 px tall: the report advises nothing about the camera's distance."""
    page = (reviewed / "report" / "report.html").read_text(encoding="utf-8")
    assert "px tall in the picture" not in page
