"""Real MediaPipe on real pixels: a real man lying on a mat (side view)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hiprot import models
from hiprot import pose as pose_module
from hiprot.capture import open_video
from hiprot.errors import HiprotError
from hiprot.landmarks import PoseLandmark as L
from hiprot.pose import PoseEstimator
from hiprot.types import Frame, PoseFrame

pytestmark = pytest.mark.pose


@pytest.fixture(scope="module")
def bridging_poses(bridging_clip: Path) -> list[PoseFrame]:
    with open_video(bridging_clip) as frames, PoseEstimator() as estimator:
        return list(estimator.track(frames))


def test_uses_the_bundled_offline_model_by_default() -> None:
    estimator = PoseEstimator()
    assert estimator.model == "full" and models.COMPLEXITY["full"] == 1
    assert pose_module.model_name() == f"mediapipe-pose-full-{pose_module.mp.__version__}"


def test_a_model_that_is_not_installed_is_refused_not_downloaded(monkeypatch) -> None:
    monkeypatch.setattr(pose_module, "is_installed", lambda name: False)
    with (
        pytest.raises(HiprotError, match="hiprot models install heavy"),
        PoseEstimator(model="heavy"),
    ):
        pass


def test_unknown_model_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="model must be one of"):
        PoseEstimator(model="huge")


@pytest.mark.skipif(
    not models.is_installed("heavy"), reason="heavy model not installed (hiprot models install)"
)
def test_heavy_finds_the_real_man(bridging_clip: Path) -> None:
    with open_video(bridging_clip) as frames, PoseEstimator(model="heavy") as estimator:
        poses = list(estimator.track(frames))
    assert len(poses) == 91
    assert sum(p.has_pose for p in poses) / len(poses) >= 0.9


def test_person_found_in_most_frames(bridging_poses: list[PoseFrame]) -> None:
    assert len(bridging_poses) == 91
    found = sum(p.has_pose for p in bridging_poses)
    assert found / len(bridging_poses) >= 0.9
    assert all(p.world is not None for p in bridging_poses if p.has_pose)


def test_timestamps_follow_the_video(bridging_poses: list[PoseFrame]) -> None:
    t = np.array([p.t_s for p in bridging_poses])
    assert np.all(np.diff(t) > 0)
    assert t[-1] == pytest.approx(3.0, abs=0.05)


def _mid(a: np.ndarray, i: int, j: int) -> np.ndarray:
    return (a[i, :2] + a[j, :2]) / 2


def test_landmarks_are_anatomically_plausible_for_a_supine_person(
    bridging_poses: list[PoseFrame],
) -> None:
    for pose in bridging_poses:
        if not pose.has_pose:
            continue
        img = pose.image
        assert img is not None
        legs = [L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE]
        assert np.all((img[legs, :2] > 0) & (img[legs, :2] < 1)), "legs inside the frame"
        shoulders = _mid(img, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
        hips = _mid(img, L.LEFT_HIP, L.RIGHT_HIP)
        ankles = _mid(img, L.LEFT_ANKLE, L.RIGHT_ANKLE)
        knees = _mid(img, L.LEFT_KNEE, L.RIGHT_KNEE)
        nose = img[L.NOSE, :2]
        # lying down, filmed from the side: the torso runs across the image
        assert abs(shoulders[0] - hips[0]) > abs(shoulders[1] - hips[1])
        # head and feet on opposite sides of the hips
        assert np.sign(nose[0] - hips[0]) == -np.sign(ankles[0] - hips[0])
        # knees bent up for the bridge: above (smaller y) the ankles
        assert knees[1] < ankles[1]
        # world landmarks: thigh length of an adult (hip to knee 0.3-0.6 m)
        world = pose.world
        assert world is not None
        thigh = np.linalg.norm(world[L.RIGHT_HIP, :3] - world[L.RIGHT_KNEE, :3])
        assert 0.25 < thigh < 0.65


def test_hips_rise_during_the_bridge(bridging_poses: list[PoseFrame]) -> None:
    hip_y = np.array(
        [_mid(p.image, L.LEFT_HIP, L.RIGHT_HIP)[1] for p in bridging_poses if p.has_pose]
    )
    # y grows downwards: the bridge lifts the hips well above where they start
    assert hip_y[0] - hip_y.min() > 0.08


def test_no_person_in_a_blank_frame() -> None:
    blank = np.full((480, 640, 3), 90, np.uint8)
    with PoseEstimator() as estimator:
        pose = estimator.estimate(Frame(0, 0.0, blank))
    assert not pose.has_pose and pose.world is None


def test_estimator_must_be_opened() -> None:
    with pytest.raises(RuntimeError, match="with-block"):
        PoseEstimator().estimate(Frame(0, 0.0, np.zeros((8, 8, 3), np.uint8)))
