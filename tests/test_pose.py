"""Real MediaPipe on real pixels: a real man lying on a mat (side view)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from hiprot import models
from hiprot import pose as pose_module
from hiprot.capture import open_video
from hiprot.errors import HiprotError
from hiprot.landmarks import PoseLandmark as L
from hiprot.pose import PoseEstimator, box_around, crop_to_frame, search_boxes
from hiprot.types import Frame, PoseFrame
from tests.conftest import FOOTAGE_DIR

pytestmark = pytest.mark.pose

REPO = Path(__file__).resolve().parents[1]


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


def test_crop_landmarks_map_back_to_the_full_frame() -> None:
    crop = np.zeros((33, 4))
    crop[0] = (0.5, 0.5, -0.2, 0.9)
    crop[1] = (0.0, 1.0, 0.4, 0.1)
    crop[2] = (1.25, -0.1, 0.0, 0.5)  # MediaPipe guesses points outside its image
    frame = crop_to_frame(crop, (160, 120, 320, 240), 640, 480)
    np.testing.assert_allclose(frame[0], (0.5, 0.5, -0.1, 0.9))
    np.testing.assert_allclose(frame[1], (0.25, 0.75, 0.2, 0.1))
    np.testing.assert_allclose(frame[2], (0.875, 0.2, 0.0, 0.5))
    assert crop[0, 0] == 0.5, "the input is not changed"


def test_the_search_crops_cover_any_person_up_to_half_a_crop() -> None:
    boxes = search_boxes(640, 480)
    assert boxes[0] == (160, 120, 320, 240), "the centre first"
    assert len(set(boxes)) == 9
    assert all(x >= 0 and y >= 0 and x + w <= 640 and y + h <= 480 for x, y, w, h in boxes)
    # every 160 x 120 rectangle anywhere in the frame lies wholly inside one crop
    for left in range(0, 640 - 160 + 1, 8):
        for top in range(0, 480 - 120 + 1, 8):
            assert any(
                x <= left and left + 160 <= x + w and y <= top and top + 120 <= y + h
                for x, y, w, h in boxes
            ), (left, top)


def test_the_crop_round_the_last_seen_person_stays_inside_the_frame() -> None:
    assert box_around((320.0, 240.0), 640, 480) == (160, 120, 320, 240)
    assert box_around((10.0, 470.0), 640, 480) == (0, 240, 320, 240)
    assert box_around((500.0, 100.0), 640, 480) == (320, 0, 320, 240)
    assert box_around((300.4, 200.6), 640, 480) == (140, 81, 320, 240)


def _first_frame(path: Path, index: int) -> np.ndarray:
    with open_video(path) as frames:
        for frame in frames:
            if frame.index == index:
                return frame.image
    raise AssertionError(f"{path} has no frame {index}")


def test_a_small_far_person_is_found_in_a_crop_where_they_are() -> None:
    image = _first_frame(REPO / "sample_videos" / "wall_both_legs.mp4", 30)
    height, width = image.shape[:2]
    with PoseEstimator(static_image_mode=True) as estimator:
        full_size = estimator.estimate(Frame(0, 0.0, image)).image
    assert full_size is not None
    # the same frame at a third of its size, near a corner of a blank canvas
    k, left, top = 3, 24, 16
    canvas = np.full_like(image, 128)
    small = cv2.resize(image, (width // k, height // k), interpolation=cv2.INTER_AREA)
    canvas[top : top + small.shape[0], left : left + small.shape[1]] = small
    frames = [Frame(i, i / 15, canvas) for i in range(14)]
    with PoseEstimator(zoom=False) as estimator:
        assert not any(p.has_pose for p in estimator.track(frames)), "too small for the full frame"
    with PoseEstimator() as estimator:
        poses = list(estimator.track(frames))
    found = [p.has_pose for p in poses]
    first = found.index(True)
    assert 0 < first <= 9, "found by the search, which starts in the centre"
    assert all(found[first:]), "then kept"
    legs = [L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE]
    expected = np.c_[left + full_size[legs, 0] * width / k, top + full_size[legs, 1] * height / k]
    for pose in poses[first:]:
        assert pose.image is not None and pose.world is not None
        got = np.c_[pose.image[legs, 0] * width, pose.image[legs, 1] * height]
        assert np.linalg.norm(got - expected, axis=1).max() < 4.0  # canvas pixels


def test_zoom_changes_nothing_where_the_full_frame_finds_the_person(
    bridging_clip: Path, bridging_poses: list[PoseFrame]
) -> None:
    with open_video(bridging_clip) as frames, PoseEstimator(zoom=False) as estimator:
        plain = list(estimator.track(frames))
    assert any(p.has_pose for p in plain)
    for zoomed, unzoomed in zip(bridging_poses, plain, strict=True):
        if unzoomed.has_pose:
            np.testing.assert_array_equal(zoomed.image, unzoomed.image)
            np.testing.assert_array_equal(zoomed.world, unzoomed.world)


def test_background_clutter_a_crop_finds_once_is_not_a_person(monkeypatch) -> None:
    """A real gym photo with the person painted out: in one crop the detector
    takes a stack of weight plates for someone, and the tracker drops it."""
    path = FOOTAGE_DIR / "real-stills" / "fedb13_Toe_Touchers__1.jpg"
    if not path.is_file():
        pytest.fail(f"real footage missing: {path} (set HIPROT_FOOTAGE)")
    image = cv2.imread(str(path))
    height, width = image.shape[:2]
    with PoseEstimator(static_image_mode=True) as estimator:
        person = estimator.estimate(Frame(0, 0.0, image)).image
    assert person is not None
    x, y = person[:, 0] * width, person[:, 1] * height
    grow_x, grow_y = (x.max() - x.min()) / 4, (y.max() - y.min()) / 4
    left, right = int(max(x.min() - grow_x, 0)), int(min(x.max() + grow_x, width))
    top, bottom = int(max(y.min() - grow_y, 0)), int(min(y.max() + grow_y, height))
    image[top:bottom, left:right] = image[top:bottom, left:right].mean(axis=(0, 1))
    frames = [Frame(i, i / 15, image) for i in range(20)]

    def found() -> int:
        with PoseEstimator() as estimator:
            return sum(p.has_pose for p in estimator.track(frames))

    assert found() == 0
    monkeypatch.setattr(pose_module, "_CONFIRM_FRAMES", 1)
    assert found() > 0, "the clutter is there: taken at the first look"
