"""The drill-position judgement on photos of real people (read in place).

Public-domain photos of people lying on their backs (``real-stills/`` in
the shared footage, SOURCES.md there): a leg raised straight up (toe
touchers, hamstring stretches) is the drill's posture for that leg; a bent
knee (90/90 start, dead bug, knees to chest, air bike) or a leg on the
floor is not. MediaPipe runs in static image mode, one photo at a time.
Left out: the two Leg-Up_Hamstring_Stretch photos (byte for byte the
90_90_Hamstring ones) and Lying_Glute 1, whose skeleton mixes the partner
and the subject.
"""

from __future__ import annotations

import pytest

from hiprot.landmarks import Side
from hiprot.reading.position import Verdict, leg_ok
from tests.conftest import FOOTAGE_DIR

STILLS = FOOTAGE_DIR / "real-stills"

#: Per photo, the legs raised straight up, as the photo shows them; every
#: other leg of these photos is bent or on the floor.
LEGS_UP = {
    "fedb12_Toe_Touchers__0.jpg": {Side.LEFT, Side.RIGHT},
    "fedb13_Toe_Touchers__1.jpg": {Side.LEFT, Side.RIGHT},
    "fedb14_90_90_Hamstring__0.jpg": set(),  # the raised knee bent at 90°
    "fedb15_90_90_Hamstring__1.jpg": {Side.LEFT},
    "fedb18_Hamstring_Stretch__1.jpg": {Side.LEFT},
    "fedb19_Lying_Hamstring__0.jpg": {Side.RIGHT},
    "fedb20_Lying_Hamstring__1.jpg": {Side.RIGHT},
    "fedb21_Lying_Glute__0.jpg": set(),
    "fedb23_Dead_Bug__0.jpg": set(),
    "fedb24_Dead_Bug__1.jpg": set(),
    "fedb25_Knee_Across_The_Body__1.jpg": set(),
    "fedb26_Bent-Knee_Hip_Raise__1.jpg": set(),
    "fedb27_Leg_Pull-In__1.jpg": set(),
    "fedb28_Reverse_Crunch__0.jpg": set(),
    "fedb29_Reverse_Crunch__1.jpg": set(),
    "fedb30_Air_Bike__0.jpg": set(),
}


@pytest.fixture(scope="module")
def verdicts() -> dict[str, dict[Side, Verdict | None]]:
    """Per photo and leg, ``leg_ok``'s verdict (what live and review take)."""
    if not STILLS.is_dir():
        pytest.fail(
            f"real footage missing: {STILLS} (expected ../shared/footage beside the "
            "repository, or set HIPROT_FOOTAGE)"
        )
    import cv2

    from hiprot.pose import PoseEstimator
    from hiprot.types import Frame

    out = {}
    with PoseEstimator(static_image_mode=True) as estimator:
        for i, name in enumerate(sorted(LEGS_UP)):
            image = cv2.imread(str(STILLS / name))
            assert image is not None, name
            pose_frame = estimator.estimate(Frame(i, float(i), image))
            judged = leg_ok(pose_frame, (image.shape[1], image.shape[0]))
            out[name] = {side: None if v is None else v.verdict for side, v in judged.items()}
    return out


@pytest.mark.pose
@pytest.mark.parametrize("name", sorted(LEGS_UP))
def test_real_people_legs_up_are_in_position_and_other_exercises_out(
    verdicts: dict[str, dict[Side, Verdict | None]], name: str
) -> None:
    expected = {side: Verdict.IN if side in LEGS_UP[name] else Verdict.OUT for side in Side}
    assert verdicts[name] == expected
