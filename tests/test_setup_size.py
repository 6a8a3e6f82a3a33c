"""The set-up check for "too far, too small": each leg's length in the picture
(``hiprot.reading.size``), review's warning, the report's advice and live's
notice (``hiprot.placement.LegSize``), in one wording (``findings.LEG_SMALL``)."""

from __future__ import annotations

import html
import warnings
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from hiprot import findings
from hiprot.coach import Coach, CoachConfig
from hiprot.display import NullDisplay
from hiprot.errors import HiprotWarning
from hiprot.landmarks import LEGS, Side
from hiprot.live import HistorySaver, LiveSession
from hiprot.placement import LegSize
from hiprot.reading.size import (
    MIN_FRAMES,
    MIN_LEG_PX,
    MIN_SEEN_SHARE,
    LegLength,
    leg_lengths_px,
    leg_px,
    leg_sizes,
    median_px,
    short_legs,
    unseen_legs,
)
from hiprot.report import advice, small_leg, write_html
from hiprot.review import review_pose_frames
from hiprot.synth import SessionSpec, generate
from hiprot.types import PoseFrame
from hiprot.voice import Speaker
from tests.test_live import FakePlayer

SPEC = SessionSpec(seed=3, noise="none", reps_per_set=3)


def _rows(hip_xy: tuple[float, float], ankle_xy: tuple[float, float], vis: float = 1.0):
    rows = np.zeros((33, 4))
    rows[:, 3] = 1.0
    for side in Side:
        rows[LEGS[side].hip, :2], rows[LEGS[side].hip, 3] = hip_xy, vis
        rows[LEGS[side].ankle, :2] = ankle_xy
    return rows


def _at(scale: float, spec: SessionSpec = SPEC) -> SessionSpec:
    return replace(spec, width=round(640 * scale), height=round(480 * scale))


def test_one_frame_s_leg_is_hip_to_ankle_in_pixels() -> None:
    rows = _rows((0.5, 0.2), (0.8, 0.6))  # 0.3 x 640 = 192 px across, 0.4 x 480 = 192 down
    assert leg_px(rows, (640, 480), Side.LEFT) == pytest.approx(192 * np.sqrt(2))
    assert leg_px(rows, (320, 240), Side.RIGHT) == pytest.approx(96 * np.sqrt(2))
    assert leg_px(_rows((0.5, 0.2), (0.8, 0.6), vis=0.1), (640, 480), Side.LEFT) is None
    assert leg_px(None, (640, 480), Side.LEFT) is None


def test_a_median_needs_enough_frames() -> None:
    assert median_px([100.0] * (MIN_FRAMES - 1) + [None]) is None
    assert median_px([100.0] * MIN_FRAMES + [900.0, None]) == 100.0
    # seen in under a quarter of the frames: the model's guess, not a measurement
    unseen = round(MIN_FRAMES / MIN_SEEN_SHARE)
    assert median_px([100.0] * MIN_FRAMES + [None] * unseen) is None


def test_lengths_follow_the_picture_s_scale_and_only_frames_in_position() -> None:
    full = generate(_at(1.0))
    lengths = leg_lengths_px(full.frames, (640, 480))
    assert all(130 < px < 260 for px in lengths.values())  # the synthetic bodies' range
    for scale in (0.75, 0.5, 0.3):
        spec = _at(scale)
        small = leg_lengths_px(generate(spec).frames, (spec.width, spec.height))
        for side in Side:
            assert small[side] == pytest.approx(lengths[side] * scale, rel=0.01)
    # frames out of position are left out: here, every other frame
    mask = np.arange(len(full.frames)) % 2 == 0
    stretched = [
        f if keep else PoseFrame(f.index, f.t_s, _rows((0.1, 0.1), (0.9, 0.9)), f.world)
        for f, keep in zip(full.frames, mask, strict=True)
    ]
    only_in = leg_lengths_px(stretched, (640, 480), dict.fromkeys(Side, mask))
    assert only_in[Side.LEFT] == pytest.approx(lengths[Side.LEFT], rel=0.01)
    assert leg_lengths_px(stretched, (640, 480))[Side.LEFT] > lengths[Side.LEFT]


@pytest.mark.parametrize("scale", [1.0, 0.75, 0.5, 0.35])
def test_legs_warned_about_are_those_under_the_limit_or_unseen(scale: float) -> None:
    spec = _at(scale)
    lengths = leg_lengths_px(generate(spec).frames, (spec.width, spec.height))
    expected = {side for side, px in lengths.items() if px < MIN_LEG_PX}
    assert set(short_legs(lengths)) == expected
    # a leg not measured for want of frames is not judged; one not seen clearly
    # is judged on the other (the same body, as far away)
    both = {Side.LEFT: None, Side.RIGHT: 100.0}
    assert short_legs(both, unseen=()) == {Side.RIGHT: LegLength(100.0, Side.RIGHT)}
    assert short_legs(both, unseen={Side.LEFT}) == {
        Side.LEFT: LegLength(100.0, Side.RIGHT),
        Side.RIGHT: LegLength(100.0, Side.RIGHT),
    }
    assert short_legs({Side.LEFT: None, Side.RIGHT: MIN_LEG_PX}) == {}
    assert short_legs({Side.LEFT: None, Side.RIGHT: 100.0}, worked=(Side.LEFT,)) == {
        Side.LEFT: LegLength(100.0, Side.RIGHT)
    }
    assert short_legs({Side.LEFT: None, Side.RIGHT: None}) == {}
    if scale == 1.0:
        assert expected == set()  # the default camera at 640x480 is close enough
    if scale == 0.35:
        assert expected == set(Side)


def _review(spec: SessionSpec):
    frames = generate(spec).frames
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HiprotWarning)
        review = review_pose_frames(frames, "set", size_wh=(spec.width, spec.height))
    return review, [str(w.message) for w in caught]


def test_review_warns_about_a_small_leg_with_its_length_and_the_limit(tmp_path: Path) -> None:
    review, said = _review(_at(0.4))
    assert set(review.small_legs) == set(Side)
    for side, length in review.small_legs.items():
        assert length.measured_on is side
        px = length.px
        text = findings.LEG_SMALL.text(leg=side, leg_px=px, min_px=MIN_LEG_PX)
        assert f"set: {text}" in said
        assert f"{px:.0f} px" in text and f"{MIN_LEG_PX:.0f} px" in text
    tips = advice(
        review.summary.legs, review.femur_range_deg, review.foot_driven, review.small_legs
    )
    page = write_html(
        review.summary,
        None,
        tmp_path / "r.html",
        review.femur_range_deg,
        review.foot_driven,
        review.small_legs,
    ).read_text(encoding="utf-8")
    for side, length in review.small_legs.items():
        sentence = findings.LEG_SMALL.sentence(leg=side, leg_px=length.px, min_px=MIN_LEG_PX)
        assert sentence in tips and html.escape(sentence) in page


def test_review_says_nothing_of_size_at_full_size() -> None:
    review, said = _review(_at(1.0))
    assert review.small_legs == {}
    assert review.leg_px is not None and all(px is not None for px in review.leg_px.values())
    assert not any("px tall in the picture" in s for s in said)


# ---------------------------------------------------------------- live


def test_leg_size_judges_each_leg_once_and_only_when_placed() -> None:
    frame = PoseFrame(0, 0.0, _rows((0.5, 0.3), (0.5, 0.45)), None)  # 72 px at 640x480
    size = LegSize((640, 480), min_px=100.0)
    assert size.update(frame, (Side.LEFT,), placed=False) == []
    said = [size.update(frame, (Side.LEFT,), placed=True) for _ in range(MIN_FRAMES + 5)]
    assert said[MIN_FRAMES - 1] == [Side.LEFT] and sum(map(len, said)) == 1
    assert size.lengths[Side.LEFT] == LegLength(pytest.approx(72.0), Side.LEFT)
    assert Side.RIGHT not in size.lengths  # not worked: not judged
    big = LegSize((1280, 960), min_px=100.0)  # the same leg at twice the pixels
    assert all(big.update(frame, tuple(Side), True) == [] for _ in range(MIN_FRAMES + 5))


def test_leg_size_judges_an_unseen_leg_on_the_other_once_it_has_gone_unseen_long_enough() -> None:
    rows = _rows((0.5, 0.3), (0.5, 0.45))  # 72 px at 640x480
    rows[LEGS[Side.RIGHT].ankle, 3] = 0.05  # the far ankle: not seen clearly
    frame = PoseFrame(0, 0.0, rows, None)
    size = LegSize((640, 480), min_px=100.0)
    unseen = round(MIN_FRAMES / MIN_SEEN_SHARE)
    said = [size.update(frame, (Side.RIGHT,), placed=True) for _ in range(unseen + 5)]
    assert said[unseen - 1] == [Side.RIGHT] and sum(map(len, said)) == 1
    assert size.lengths[Side.RIGHT] == LegLength(pytest.approx(72.0), Side.LEFT)
    finding, params = small_leg(Side.RIGHT, size.lengths[Side.RIGHT], 100.0)
    assert finding is findings.LEG_SMALL_UNSEEN
    assert finding.text(**params).startswith("the right leg is not seen clearly")
    assert "your left leg is 72 px tall" in finding.text(**params)
    # a person big enough: the unseen leg is judged on the other, and not small
    big = LegSize((640, 480), min_px=50.0)
    assert all(big.update(frame, (Side.RIGHT,), True) == [] for _ in range(unseen + 5))
    assert big.lengths[Side.RIGHT] == LegLength(pytest.approx(72.0), Side.LEFT)
    # the other leg out of position (down, in a one-leg set) measures nothing
    down = LegSize((640, 480), min_px=100.0)
    out = {Side.LEFT: False, Side.RIGHT: True}
    assert all(down.update(frame, (Side.RIGHT,), True, out) == [] for _ in range(unseen + 5))
    assert down.lengths == {}


def _live(spec: SessionSpec) -> tuple[list[str], set[str | None]]:
    lines: list[str] = []
    notices: set[str | None] = set()
    live = LiveSession(
        coach=Coach(CoachConfig(target_reps=3, sets=1), source="synthetic"),
        speaker=Speaker(FakePlayer()),
        saver=HistorySaver(None, "synthetic", datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)),
        display=NullDisplay(),
        log=lines.append,
        setup={"width": spec.width, "height": spec.height},
    )

    def watched() -> Iterator[tuple[None, PoseFrame]]:
        for frame in generate(spec).frames:
            yield None, frame
            notices.add(live.notice)

    live.run(watched())
    return lines, notices


def test_live_tells_a_small_leg_once_with_its_length() -> None:
    spec = _at(0.4)
    lines, notices = _live(spec)
    told = [line for line in lines if "px tall in the picture" in line]
    assert len(told) == 2  # once per leg
    for side in Side:
        assert any(f"The {side.value} leg is" in line for line in told)
    # both judged on one frame: the screen shows the last told
    assert {findings.LEG_SMALL.notice(leg=side) for side in Side} & notices
    full_lines, _ = _live(_at(1.0))
    assert not any("px tall in the picture" in line for line in full_lines)


# ---------------------------------------------------------------- MediaPipe's landmarks

WIDE = Path(__file__).resolve().parents[1] / "benchmarks" / "render_suite" / "wide"


def test_a_leg_is_unseen_when_readable_in_under_a_quarter_of_enough_frames() -> None:
    seen, hidden = _rows((0.5, 0.3), (0.5, 0.45)), _rows((0.5, 0.3), (0.5, 0.45))
    hidden[LEGS[Side.RIGHT].ankle, 3] = 0.05
    enough = round(MIN_FRAMES / MIN_SEEN_SHARE)

    def frames(n_seen: int, n_hidden: int) -> list[PoseFrame]:
        rows = [seen] * n_seen + [hidden] * n_hidden
        return [PoseFrame(i, i / 15, r, None) for i, r in enumerate(rows)]

    assert unseen_legs(frames(0, enough), (640, 480)) == {Side.RIGHT}
    assert unseen_legs(frames(0, enough - 1), (640, 480)) == set()  # too few to tell
    assert unseen_legs(frames(enough // 4, enough - enough // 4), (640, 480)) == set()
    assert unseen_legs(frames(enough // 4 - 1, enough), (640, 480)) == {Side.RIGHT}
    # review's one pass says the same: the unseen leg has no length of its own
    sizes = leg_sizes(frames(enough // 4 - 1, enough), (640, 480))
    assert sizes.unseen == {Side.RIGHT}
    assert sizes.lengths[Side.RIGHT] is None and sizes.lengths[Side.LEFT] is not None


def test_heavy_s_far_leg_unseen_at_2_m_is_judged_big_enough() -> None:
    """Heavy hardly sees the far (right) leg of w04 (2 m, 30 deg round): it
    is judged on the near leg, long enough, so nothing is said of size."""
    from hiprot.sources import open_pose_source

    with open_pose_source(WIDE / "heavy" / "w04_partial.landmarks.jsonl.gz") as source:
        frames, size_wh = list(source.frames), (source.info.width, source.info.height)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HiprotWarning)
        review = review_pose_frames(frames, "w04", "both", size_wh=size_wh)
    assert review.unseen == {Side.RIGHT} and review.small_legs == {}
    assert review.leg_px is not None and review.leg_px[Side.LEFT] >= MIN_LEG_PX
    assert not [w for w in caught if "px tall in the picture" in str(w.message)]


def test_heavy_s_far_leg_unseen_at_4_m_is_judged_on_the_near_one() -> None:
    """Heavy hardly sees the far (right) leg of w33 from 4 m (its hip or
    ankle under the visibility bar in every frame): a right-leg set is
    judged on the left leg, which is short, so review says move closer."""
    from hiprot.sources import open_pose_source

    with open_pose_source(WIDE / "heavy" / "w33_right.landmarks.jsonl.gz") as source:
        frames, size_wh = list(source.frames), (source.info.width, source.info.height)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HiprotWarning)
        review = review_pose_frames(frames, "w33", "right", size_wh=size_wh)
    assert review.leg_px is not None and review.leg_px[Side.RIGHT] is None
    assert review.unseen == {Side.RIGHT}
    length = review.small_legs[Side.RIGHT]
    assert length.measured_on is Side.LEFT and 90 < length.px < MIN_LEG_PX
    told = [str(w.message) for w in caught if "not seen clearly" in str(w.message)]
    assert len(told) == 1 and "move the camera closer" in told[0]


@pytest.mark.parametrize(
    ("clip", "small"),
    [
        ("w08_holds", {Side.LEFT, Side.RIGHT}),  # 4 m away: legs about 80-95 px
        ("w04_partial", set()),  # 2 m away: legs about 150-185 px
    ],
)
def test_review_of_rendered_recordings_warns_at_4_m_and_not_at_2_m(clip: str, small) -> None:
    from hiprot.sources import open_pose_source

    with open_pose_source(WIDE / f"{clip}.landmarks.jsonl.gz") as source:
        frames, size_wh = list(source.frames), (source.info.width, source.info.height)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HiprotWarning)
        review = review_pose_frames(frames, clip, size_wh=size_wh)
    assert set(review.small_legs) == small
    told = [str(w.message) for w in caught if "px tall in the picture" in str(w.message)]
    assert len(told) == len(small)
