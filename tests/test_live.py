"""``hiprot live`` below the pose stage: voice policy, saving, keys, the window.

Synthetic PoseFrames with known reps go straight into ``LiveSession``; the
window tests run in a subprocess on their own Xvfb display (xdotool sends
real key presses), so Qt never outlives its X server inside pytest.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import hiprot.reread
from hiprot import findings
from hiprot.calibration import LegRange, MeasuredRange, load_calibration
from hiprot.capture import CameraError
from hiprot.coach import Coach, CoachConfig, Say, Stage, Utterance
from hiprot.display import NoDisplay, NullDisplay
from hiprot.errors import HiprotWarning
from hiprot.history import HistoryStore
from hiprot.landmarks import LEGS, Side
from hiprot.live import NOTICE_S, HistorySaver, LiveSession, history_best
from hiprot.overlay import LIVE_SIZE_WH, NOTICE_COLOUR, render_live
from hiprot.reading.filters import JITTER_MIN_S
from hiprot.report import degree_notes
from hiprot.review import review_pose_frames
from hiprot.synth import SessionSpec, generate
from hiprot.synth.noise import jitter_knees
from hiprot.types import PoseFrame
from hiprot.voice import CLIP_DIR, SilentPlayer, Speaker
from tests.conftest import FLAT_KNEE_SPEC

REPO = Path(__file__).resolve().parents[1]
CLIP_S = 0.5


class FakePlayer:
    """Plays nothing; every clip lasts CLIP_S; remembers what it was asked to play."""

    def __init__(self) -> None:
        self.played: list[str] = []

    def duration_s(self, clip: str) -> float:
        return CLIP_S

    def play(self, clip: str) -> None:
        self.played.append(clip)


class FakeDisplay:
    """Keys pressed at given frame numbers; optionally closed after some frames."""

    def __init__(self, keys: dict[int, str] | None = None, close_after: int | None = None) -> None:
        self.keys = {frame: ord(key) for frame, key in (keys or {}).items()}
        self.close_after = close_after
        self.shown = 0
        self.images: list[np.ndarray] = []

    def show(self, image: np.ndarray) -> None:
        self.shown += 1

    def poll_key(self, wait_ms: int = 1) -> int | None:
        return self.keys.get(self.shown)

    @property
    def closed(self) -> bool:
        return self.close_after is not None and self.shown >= self.close_after


def synth_frames(reps: int = 3, seed: int = 3) -> list[PoseFrame]:
    return generate(SessionSpec(seed=seed, noise="none", reps_per_set=reps)).frames


def make_session(
    store: HistoryStore | None, display: object, player: FakePlayer, **config: object
) -> LiveSession:
    settings = {"target_reps": 3, "sets": 1, **config}
    return LiveSession(
        coach=Coach(CoachConfig(**settings), source="synthetic"),
        speaker=Speaker(player),
        saver=HistorySaver(store, "synthetic", datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)),
        display=display,  # type: ignore[arg-type]
        log=lambda line: None,
    )


def stream(frames: list[PoseFrame]) -> Iterator[tuple[None, PoseFrame]]:
    for frame in frames:
        yield None, frame


# ---------------------------------------------------------------- the speaker policy


def test_speaker_counts_first_and_never_overlaps() -> None:
    player = FakePlayer()
    speaker = Speaker(player)
    speaker.say(Utterance("hold", Say.CUE), 0.0)
    speaker.say(Utterance.announce("go"), 0.0)
    speaker.say(Utterance.count(1), 0.0)
    assert speaker.tick(0.0).clip == "count_1"
    assert speaker.tick(0.3) is None  # count_1 still playing
    assert speaker.tick(0.7).clip == "go"
    assert speaker.tick(1.4) is None  # "hold" waited too long: said now it would be wrong
    speaker.say(Utterance("hold", Say.CUE), 1.5)
    assert speaker.tick(1.5).clip == "hold"
    starts = [s.t_s for s in speaker.spoken]
    assert all(b - a >= CLIP_S for a, b in itertools.pairwise(starts))


def test_speaker_cues_have_cooldowns_and_go_stale() -> None:
    player = FakePlayer()
    speaker = Speaker(player, cue_cooldown_s=3.0, repeat_cooldown_s=8.0, max_cue_wait_s=1.0)
    speaker.say(Utterance("slower", Say.CUE), 0.0)
    speaker.tick(0.0)
    speaker.say(Utterance("hold", Say.CUE), 1.0)  # within the cue cooldown: waits ...
    assert speaker.tick(1.5) is None
    assert speaker.tick(2.5) is None  # ... and is dropped once stale
    assert speaker.tick(3.5) is None
    speaker.say(Utterance("slower", Say.CUE), 5.0)  # the same cue within 8 s: dropped
    assert speaker.tick(5.0) is None
    speaker.say(Utterance("hold", Say.CUE), 6.0)
    speaker.say(Utterance("from_the_hips", Say.CUE), 6.1)  # one cue at a time: the newest
    assert speaker.tick(6.1).clip == "from_the_hips"
    assert player.played == ["slower", "from_the_hips"]


def test_every_clip_the_coach_can_say_ships() -> None:
    from hiprot.coach import Cue
    from hiprot.voice import MAX_SPOKEN_COUNT

    durations = SilentPlayer()
    names = [c.clip for c in Cue] + ["go", "rest", "next_set", "done"]
    names += [f"count_{n}" for n in range(1, MAX_SPOKEN_COUNT + 1)]
    names += ["too_dark", "side_on", "left_leg_unseen", "right_leg_unseen"]  # set-up warnings
    names += ["guided_move_missed"]
    for name in names:
        assert 0.2 < durations.duration_s(name) < 3.0, name
    for name in ("guided_move", "guided_move_left", "guided_move_right"):  # said lying in wait
        assert 0.2 < durations.duration_s(name) < 4.0, name
    assert sum(p.stat().st_size for p in CLIP_DIR.glob("*.wav")) < 1_700_000


# ---------------------------------------------------------------- a scripted session


def test_scripted_session_is_heard_and_saved(tmp_path: Path) -> None:
    player = FakePlayer()
    frames = synth_frames(reps=3)
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        session = make_session(store, NoDisplay(), player)
        summary = session.run(stream(frames))
        clock = itertools.count(0.0, 0.1)
        session.linger(lambda: next(clock))  # the last words are said after the last frame
        records = store.sessions()
    assert summary is not None and session.coach.stage is Stage.SUMMARY
    assert {side: leg.reps for side, leg in summary.legs.items()} == {Side.LEFT: 3, Side.RIGHT: 3}
    assert player.played == [
        "hold_still",
        "go",
        "hold",
        "count_1",
        "hold",
        "count_2",
        "hold",
        "count_3",
        "done",
    ]
    starts = [s.t_s for s in session.speaker.spoken]
    assert all(b - a >= CLIP_S for a, b in itertools.pairwise(starts))  # never two at once
    assert len(records) == 1
    record = records[0]
    assert record.reps == summary.reps
    assert record.duration_s == pytest.approx(summary.duration_s)
    assert record.frames == summary.tracking.frames
    assert record.mode is summary.mode


def test_a_set_is_stored_as_review_reads_it_and_a_changed_count_is_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """At the set's end its frames are read again as review reads them
    (``hiprot.reread``) and that is what is stored: here that re-read is made
    to find one left rep fewer than live said, so the summary and the
    history have 2 left reps, and the terminal and the screen say so."""
    real = hiprot.reread.reread_set

    def one_left_rep_fewer(*args: object, **kwargs: object) -> hiprot.reread.Reread:
        read = real(*args, **kwargs)  # type: ignore[arg-type]
        assert read is not None and len(read.reps) == 6  # review's reading: all 3 reps a leg
        reps = tuple(r for r in read.reps if not (r.leg is Side.LEFT and r.index == 3))
        return dataclasses.replace(read, reps=reps)

    monkeypatch.setattr(hiprot.reread, "reread_set", one_left_rep_fewer)
    lines: list[str] = []
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        session = make_session(store, NullDisplay(), FakePlayer())
        session.log = lines.append
        summary = session.run(stream(synth_frames(reps=3)))
        (record,) = store.sessions()
    assert [r.leg for r in session.announced_reps].count(Side.LEFT) == 3
    assert summary is not None
    assert (summary.legs[Side.LEFT].reps, summary.legs[Side.RIGHT].reps) == (2, 3)
    assert record.reps == summary.reps
    told = [line for line in lines if "recounted" in line]
    assert len(told) == 1 and "left 2, right 3" in told[0] and "left 3, right 3" in told[0]
    assert session.notice == "Set 1 recounted: left 2, right 3"


def test_live_marks_and_stores_the_readings_review_marks_capped(tmp_path: Path) -> None:
    """Seed 3: the left leg's best rep reads the most the view reads. Live's
    stored session marks the same best readings capped as review does on
    the same frames (``report.capped_readings``), and so does the history."""
    from hiprot.report import capped_readings
    from hiprot.review import review_pose_frames

    frames = synth_frames(reps=3)
    review = review_pose_frames(frames, "synthetic", size_wh=(640, 480))
    assert capped_readings(review) == {"left-in"}
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        session = make_session(store, NullDisplay(), FakePlayer())
        summary = session.run(stream(frames))
        (record,) = store.sessions()
    assert summary is not None
    assert session.capped_readings() == capped_readings(review)
    assert record.capped == capped_readings(review)
    # the window's summary marks it too: only the left leg's "best in" cell changes
    view = session.coach.view()
    assert view.stage is Stage.SUMMARY
    plain = render_live(None, None, view)
    marked = render_live(None, None, view, capped=session.capped_readings())
    changed = np.abs(marked.astype(int) - plain).max(axis=2) > 0
    rows, cols = np.nonzero(changed)
    assert rows.size > 0 and cols.max() < 640 + 150  # the left column only


def test_a_session_best_is_capped_only_where_its_set_reads_it_at_the_limit() -> None:
    from hiprot.report import capped_in_sets
    from hiprot.reps import Rep

    def rep(leg: Side, peak_in: float, peak_out: float) -> Rep:
        return Rep(leg, 1, 0.0, 5.0, peak_in, peak_out, 1.5, True, True, False)

    set1 = ([rep(Side.LEFT, 20.0, -30.0)], {Side.LEFT: (-30.0, 20.0)})  # both at the limit
    set2 = ([rep(Side.LEFT, 25.0, -28.0)], {Side.LEFT: (-60.0, 40.0)})  # further in, not capped
    assert capped_in_sets([set1, set2]) == {"left-out"}  # the best in is set 2's
    assert capped_in_sets([set2, set1]) == {"left-out"}
    assert capped_in_sets([set1]) == {"left-in", "left-out"}
    assert capped_in_sets([(set1[0], {})]) == frozenset()  # no limits known: none marked
    # a set live kept (no re-read, no limits) still holds the session's best in
    assert capped_in_sets([set1, (set2[0], {})]) == {"left-out"}


def test_live_counts_with_the_near_leg_and_retakes_the_neutral_at_rest(tmp_path: Path) -> None:
    """The set's counters know which leg is nearer the camera (its inward
    side is seen edge-on), and the femur and foot neutral are re-taken from
    the legs resting between reps, as in review."""
    session = make_session(None, NullDisplay(), FakePlayer())
    session.calibration_path = path = tmp_path / "calibration.json"  # the countdown's neutral
    session.run(stream(synth_frames(reps=3)))  # camera on the person's left
    reading = session.reading
    assert reading is not None and reading.near is Side.LEFT
    counters = session.coach.counter.counters
    assert counters[Side.LEFT].internal_min_deg < counters[Side.LEFT].external_min_deg
    assert counters[Side.RIGHT].external_min_deg < counters[Side.RIGHT].internal_min_deg
    assert all(3.0 <= band < 3.5 for band in reading.hold_bands.values())  # steady
    # measured on the same frames (review's rep_excursions): steady, so the drill's 10°
    assert reading.excursions == {side: 10.0 for side in Side}
    assert session.coach.counter.excursion_deg == reading.excursions
    # one neutral: the coach's is the reading's, re-taken from the countdown's
    taken = load_calibration(path).neutral
    retaken = reading.calibration.neutral
    assert session.coach.calibration is not None
    assert session.coach.calibration.neutral == retaken
    assert any(retaken[side].femur_deg != taken[side].femur_deg for side in Side)
    assert any(retaken[side].foot_deg != taken[side].foot_deg for side in Side)


def _fast_set() -> tuple[SessionSpec, list[PoseFrame], float]:
    """A set of fast reps (a 1.5 s running median cannot follow them, so they
    read as jitter), its frames and the end of its opening stillness."""
    spec = SessionSpec(seed=3, scenario="fast", noise="realistic", reps_per_set=8)
    session = generate(spec)
    return spec, session.frames, session.truth["neutral_until_s"]


def test_live_measures_the_rep_floor_while_settling_before_the_set() -> None:
    """Each leg's rep floor is its jitter over the frames it settled in
    position before the set, as review measures it up to the still start's
    end: the set's fast reps do not raise it. Without settling frames it is
    the recent frames' jitter, and they do."""
    from hiprot.calibration import Calibration, LegNeutral
    from hiprot.reading.live import LiveAngles

    spec, frames, still_until_s = _fast_set()
    size = (spec.width, spec.height)
    opening = LiveAngles(size_wh=size)
    absolute = [opening.update(f).absolute for f in frames if f.t_s <= still_until_s]
    readings = {s: [(a.legs[s].femur_deg, a.legs[s].foot_deg) for a in absolute] for s in Side}
    neutral = {side: LegNeutral(*np.nanmedian(readings[side], 0)) for side in Side}

    def floors(settle: bool) -> np.ndarray:
        """``(n, 2)``: each leg's floor over the set's frames."""
        angles, out = LiveAngles(size_wh=size), []
        for frame in frames:
            if frame.t_s > still_until_s:
                if angles.calibration.method == "none":
                    angles.calibration = Calibration(neutral, method="file")
                excursions = angles.update(frame).excursions
                out.append([excursions[side] for side in Side])
            else:
                angles.update(frame, settling=settle)
        return np.array(out)

    settled, recent = floors(True), floors(False)
    assert settled[0, 0] > 10.0  # from the first set frame (10° is the least)
    assert settled[:, 0].max() < 15.0 < recent[:, 0].max()


def test_live_settles_in_set_up_and_countdown(monkeypatch: pytest.MonkeyPatch) -> None:
    """``hiprot live`` measures the rep floor on its set-up and countdown
    frames: the fast set's reps leave it where the settling put it."""
    _, frames, _ = _fast_set()
    session = make_session(None, NullDisplay(), FakePlayer(), target_reps=8)
    update = session._angles.update
    seen: list[tuple[bool, float]] = []

    def spy(pose_frame: PoseFrame, in_position: bool = True, settling: bool = False):
        reading = update(pose_frame, in_position, settling)
        seen.append((settling, reading.excursions[Side.LEFT]))
        return reading

    monkeypatch.setattr(session._angles, "update", spy)
    session.run(stream(frames))
    in_set = [floor for settling, floor in seen[1:] if not settling]
    assert any(settling for settling, _ in seen) and in_set
    assert max(in_set) < 15.0


def test_live_with_a_saved_calibration_settles_before_the_first_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A saved neutral skips the countdown, so the set-up waits for the legs
    to lie still long enough to measure each leg's rep floor at rest: the
    fast set's reps leave it where the settling put it, as after a countdown."""
    from hiprot.calibration import Calibration, LegNeutral
    from hiprot.reading.live import LiveAngles

    spec, frames, still_until_s = _fast_set()
    opening = LiveAngles(size_wh=(spec.width, spec.height))
    absolute = [opening.update(f).absolute for f in frames if f.t_s <= still_until_s]
    readings = {s: [(a.legs[s].femur_deg, a.legs[s].foot_deg) for a in absolute] for s in Side}
    saved = Calibration(
        {side: LegNeutral(*np.nanmedian(readings[side], 0)) for side in Side}, method="file"
    )
    session = LiveSession(
        coach=Coach(CoachConfig(target_reps=8, sets=1), source="synthetic", calibration=saved),
        speaker=Speaker(FakePlayer()),
        saver=HistorySaver(None, "synthetic", datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)),
        display=NullDisplay(),  # type: ignore[arg-type]
        log=lambda line: None,
    )
    update = session._angles.update
    seen: list[tuple[float, bool, float]] = []

    def spy(pose_frame: PoseFrame, in_position: bool = True, settling: bool = False):
        reading = update(pose_frame, in_position, settling)
        seen.append((pose_frame.t_s, settling, reading.excursions[Side.LEFT]))
        return reading

    monkeypatch.setattr(session._angles, "update", spy)
    session.run(stream(frames))
    settled_s = [t for t, settling, _ in seen if settling]
    in_set = [floor for _, settling, floor in seen[1:] if not settling]
    assert settled_s[-1] - settled_s[0] >= JITTER_MIN_S and in_set
    assert max(in_set) < 15.0


def test_live_counts_a_jittery_knee_from_the_foot_and_says_so() -> None:
    """Knee jitter (1.5 px) that reads as 9-13° of femur jitter: once live
    has judged it, the set's counters let the foot drive, the log says why
    once per leg, and the set counts its 3 reps."""
    frames = synth_frames(reps=3)
    lines: list[str] = []
    session = make_session(None, NullDisplay(), FakePlayer())
    session.log = lines.append
    session.run(stream(jitter_knees(frames, 1.5, (640, 480))))
    reading = session.reading
    assert reading is not None and reading.foot_driven == {Side.LEFT, Side.RIGHT}
    assert session.coach.counter.foot_driven == {Side.LEFT, Side.RIGHT}
    # the jitter reaches the smoothed femur too: holds are timed in a wider
    # band (review's hold_bands), handed to the set's counters
    assert all(reading.hold_bands[side] > 4.5 for side in Side)
    assert session.coach.counter.hold_band_deg == reading.hold_bands
    assert session.coach.counter.excursion_deg == reading.excursions
    told = [line for line in lines if "knee jitters" in line]
    assert len(told) == 2 and "left" in told[0] + told[1] and "right" in told[0] + told[1]
    assert [rep.leg for rep in session.announced_reps].count(Side.LEFT) == 3
    assert [rep.leg for rep in session.coach.reps].count(Side.LEFT) == 3


def test_live_recounts_a_leg_once_it_reads_it_from_the_foot() -> None:
    """Far leg from 30° round: its knee reading hardly moves, so until live
    reads the leg from its foot (after its first rep) the femur counts
    nothing; the recount then finds the first rep too, so live counts every
    rep of the set, numbered in order."""
    spec = FLAT_KNEE_SPEC
    session = generate(spec)
    player = FakePlayer()
    live = make_session(None, NullDisplay(), player, mode="right", target_reps=100)
    live.run(stream(session.frames))
    assert live.reading is not None and Side.RIGHT in live.reading.read_from_foot
    truth = session.truth["legs"]["right"]["reps"]
    announced = live.announced_reps
    assert len(announced) == truth
    assert [rep.index for rep in announced] == list(range(1, truth + 1))
    assert [rep.start_s for rep in announced] == sorted(rep.start_s for rep in announced)
    assert len(live.coach.reps) == truth  # the stored re-read agrees


def test_a_flickering_knee_hands_the_count_to_the_foot_early() -> None:
    """Tuning seed 10010 at realistic noise, oblique 45°: the right knee
    reading flickers to the end of its range and back. Live must judge the
    flicker jittery (not let the foot's first fit sway the judgement) and
    hand the count to the foot, so it counts about the 12 reps review does."""
    spec = SessionSpec(seed=10010, scenario="clean", placement="oblique45_left", noise="realistic")
    session = generate(spec)
    live = make_session(None, NullDisplay(), FakePlayer(), mode="both", target_reps=100)
    live.run(stream(session.frames))
    assert live.reading is not None and Side.RIGHT in live.reading.foot_driven
    for side in Side:
        counted = sum(rep.leg is side for rep in live.announced_reps)
        assert abs(counted - session.truth["legs"][side.value]["reps"]) <= 2


def test_live_says_when_a_leg_shows_no_turn_and_not_when_it_counts() -> None:
    """Tuning seed 10001, tripod on the left: the right leg does its reps,
    but neither its knee nor its foot turns in the picture (review counts
    none and says why). Live says so once, for that leg only; the left leg
    counts its reps and is never called motionless."""
    spec = SessionSpec(seed=10001, scenario="tempo", placement="tripod_left", noise="none")
    session = generate(spec)
    lines: list[str] = []
    player = FakePlayer()
    live = make_session(None, NullDisplay(), player, mode="both", target_reps=100)
    live.log = lines.append
    notices: list[tuple[float, str | None]] = []

    def watched() -> Iterator[tuple[None, PoseFrame]]:
        for frame in session.frames:
            yield None, frame
            notices.append((frame.t_s, live.notice))

    live.run(watched())
    told = [line for line in lines if "No reps counted for the" in line]
    assert len(told) == 1 and "right leg" in told[0]
    assert "--mode left" in told[0]  # the left leg counts: perhaps a one-leg set
    # and on screen, for NOTICE_S from when it was told
    shown = [t for t, notice in notices if notice and "right leg" in notice]
    assert all(notice.isascii() for _, notice in notices if notice)  # the window's font
    assert shown and shown[-1] - shown[0] == pytest.approx(NOTICE_S, abs=0.1)
    assert all(notice is None for t, notice in notices if t > shown[-1] + 0.1)
    # and aloud, once
    assert player.played.count("right_leg_unseen") == 1
    assert "left_leg_unseen" not in player.played
    assert Side.RIGHT not in {rep.leg for rep in live.coach.reps}
    assert Side.LEFT in {rep.leg for rep in live.coach.reps}

    lines.clear()
    counting = make_session(None, NullDisplay(), FakePlayer())
    counting.log = lines.append
    counting.run(stream(synth_frames(reps=3)))
    assert counting.coach.reps and not any("No reps counted for the" in line for line in lines)


def test_review_and_live_say_when_a_jittery_knees_foot_does_not_turn() -> None:
    """Seed 10010 with both knees jittering 4 px (so both feet count) and the
    right foot held still beside its ankle: neither of that leg's readings
    can count its reps. Review and live say so, for that leg only, once;
    the left leg counts its reps from its turning foot."""
    spec = SessionSpec(seed=10010, scenario="clean", placement="oblique45_left", noise="none")
    session = generate(spec)
    size = (spec.width, spec.height)
    leg = LEGS[Side.RIGHT]
    feet = [leg.heel, leg.foot_index]
    rng = np.random.default_rng(2)
    first = next(f.image for f in session.frames if f.image is not None)
    offsets = first[feet, :2] - first[leg.ankle, :2]
    frames = []
    for frame in jitter_knees(session.frames, 4.0, size, seed=1):
        if frame.image is not None:
            image = frame.image.copy()
            wobble = rng.normal(0.0, 0.5, (2, 2)) / np.asarray(size)  # a measured, still foot
            image[feet, :2] = image[leg.ankle, :2] + offsets + wobble
            frame = dataclasses.replace(frame, image=image)
        frames.append(frame)
    with pytest.warns(HiprotWarning) as caught:
        review = review_pose_frames(frames, "s", "both", size_wh=size)
    said = [str(w.message) for w in caught if "no reps counted" in str(w.message)]
    assert review.foot_driven == {Side.LEFT, Side.RIGHT}
    assert len(said) == 1 and "the right leg: its knee jitters too much" in said[0]
    lines: list[str] = []
    live = make_session(None, NullDisplay(), FakePlayer(), mode="both", target_reps=100)
    live.log = lines.append
    live.run(stream(frames))
    told = [line for line in lines if "No reps counted for the" in line]
    assert len(told) == 1 and "right leg: its knee jitters too much" in told[0]
    assert live.reading is not None and live.reading.foot_still == {Side.RIGHT}
    assert findings.LEG_FOOT_STILL.notice(leg=Side.RIGHT).isascii()
    counted = {side: sum(rep.leg is side for rep in live.coach.reps) for side in Side}
    assert counted[Side.RIGHT] == 0 and counted[Side.LEFT] >= 10


def test_a_one_leg_set_under_both_legs_is_told_the_mode() -> None:
    """A left-leg set, the right leg resting on the wall, coached as both legs:
    live names --mode left (and the key) instead of only moving the camera."""
    spec = SessionSpec(seed=3, scenario="clean", noise="none", mode="left", reps_per_set=8)
    session = generate(spec)
    lines: list[str] = []
    live = make_session(None, NullDisplay(), FakePlayer(), mode="both", target_reps=100)
    live.log = lines.append
    live.run(stream(session.frames))
    told = [line for line in lines if "No reps counted for the" in line]
    assert len(told) == 1 and "right leg" in told[0]
    assert "Press l, or start with --mode left" in told[0]
    logged = [line for line in lines if " rep " in line and line.startswith("left rep")]
    assert logged and not any("out +" in line for line in logged)  # out is never positive


def test_a_notice_shows_across_the_top_of_the_camera_view() -> None:
    """A warning's short text is drawn on a band of its own colour over the
    top of the camera view, and nowhere without one."""
    session = make_session(None, NullDisplay(), FakePlayer())
    session.run(stream(synth_frames(reps=1)))
    view = dataclasses.replace(session._view, stage=Stage.SET, summary=None)
    plain = render_live(None, None, view)
    warned = render_live(None, None, view, "Seen from the side: move the camera round")
    band = np.abs(warned.astype(int) - np.array(NOTICE_COLOUR)).sum(axis=2) < 30
    assert band[110:200, :800].sum() > 20000 and band[200:, :].sum() == 0
    text = warned[110:200, :800].max(axis=2) < 60  # black letters on the band
    assert text.sum() > 1000
    assert not (np.abs(plain.astype(int) - np.array(NOTICE_COLOUR)).sum(axis=2) < 30).any()


def test_reps_are_committed_as_they_come_and_a_lost_camera_saves(tmp_path: Path) -> None:
    frames = synth_frames(reps=3)
    db = tmp_path / "h.sqlite3"
    committed: list[int] = []

    def camera_dies() -> Iterator[tuple[None, PoseFrame]]:
        for frame in frames:
            if frame.t_s > 20.0:  # mid-set, after two reps
                raise CameraError("camera 0: no frames for 3 s (camera unplugged?)")
            with HistoryStore(db) as reader:  # another connection sees every committed rep
                committed.append(sum(len(r.reps) for r in reader.sessions()))
            yield None, frame

    with HistoryStore(db) as store:
        session = make_session(store, NoDisplay(), FakePlayer())
        with pytest.raises(CameraError, match="no frames"):
            session.run(camera_dies())
    # committed as they come: seen by another connection during the set, not at the end
    assert committed == sorted(committed) and committed[-1] == 4
    assert committed[0] == 0 and len(set(committed)) >= 3
    with HistoryStore(db) as store:
        (record,) = store.sessions()
    assert record.complete and len(record.reps) == 4
    assert record.reps == session.coach.summary().reps


def test_a_crash_keeps_the_reps(tmp_path: Path) -> None:
    frames = synth_frames(reps=3)

    def crashing() -> Iterator[tuple[None, PoseFrame]]:
        for frame in frames:
            if frame.t_s > 20.0:
                raise RuntimeError("a bug")
            yield None, frame

    with HistoryStore(tmp_path / "h.sqlite3") as store:
        session = make_session(store, NoDisplay(), FakePlayer())
        with pytest.raises(RuntimeError):
            session.run(crashing())
        (record,) = store.sessions()
    assert len(record.reps) == 4


def test_keys_pause_switch_legs_and_quit(tmp_path: Path) -> None:
    frames = synth_frames(reps=4)
    # frame 200 (6.7 s, in the set): l = left leg only; 330: pause; 360: go on; 700: q
    display = FakeDisplay(keys={200: "l", 330: " ", 360: " ", 700: "q"})
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        session = make_session(store, display, FakePlayer(), target_reps=10)
        summary = session.run(stream(frames))
        (record,) = store.sessions()
    assert display.shown == 700  # q ended it there, not the source
    assert summary is not None and summary.mode.value == "left"
    assert {rep.leg for rep in summary.reps} == {Side.LEFT}
    assert record.reps == summary.reps and record.mode.value == "left"


def test_recalibrate_key_takes_and_saves_a_new_neutral(tmp_path: Path) -> None:
    lines: list[str] = []
    session = make_session(None, FakeDisplay(keys={140: "c"}), FakePlayer())  # in the set
    session.log = lines.append
    session.calibration_path = tmp_path / "calibration" / "camera-x-640x480.json"
    session.setup = {"camera": "x", "width": 640, "height": 480}
    session.run(stream(synth_frames(reps=3)))
    assert sum(line.startswith("Calibrated") for line in lines) == 2
    assert [s.clip for s in session.speaker.spoken][:3] == ["hold_still", "go", "hold_still"]
    saved = load_calibration(session.calibration_path)
    assert saved.setup["camera"] == "x"
    assert all(np.isfinite(n.femur_deg) and n.femur_deg != 0 for n in saved.neutral.values())
    # one neutral: the coach's is the reading's (re-taken from the rests since the countdown)
    assert session.reading is not None and session.coach.calibration == session.reading.calibration


def test_live_keeps_the_set_ups_ranges_and_stores_degrees_as_review_does(tmp_path: Path) -> None:
    """With the set-up's guided move (its calibration file) and the
    person's range measured by hand, each set's stored reps put internal
    rotation in degrees, as review does; recalibrating keeps the ranges."""
    frames = synth_frames(reps=3)
    ranges = {Side.RIGHT: LegRange(-10.0, 15.0)}  # 15 image degrees at full range

    def run(name: str, ranges: dict, measured: MeasuredRange | None):
        with HistoryStore(tmp_path / f"{name}.sqlite3") as store:
            session = make_session(store, FakeDisplay(keys={140: "c"}), FakePlayer())
            session.calibration_path = tmp_path / f"{name}.json"
            session.ranges, session.measured = ranges, measured
            session.run(stream(frames))
            (record,) = store.sessions()
        return session, record

    _, plain = run("plain", {}, None)
    session, scaled = run("scaled", ranges, MeasuredRange({Side.RIGHT: 20.0, Side.LEFT: 30.0}))
    assert load_calibration(session.calibration_path).ranges == ranges  # recalibrated: kept

    def peaks(record, side: Side) -> list[float]:
        return [rep.peak_internal_deg for rep in record.reps if rep.leg is side]

    assert peaks(scaled, Side.LEFT) == peaks(plain, Side.LEFT)  # no move: image degrees
    assert len(peaks(scaled, Side.RIGHT)) == 3
    for deg, image in zip(peaks(scaled, Side.RIGHT), peaks(plain, Side.RIGHT), strict=True):
        # 20° measured / 15 image degrees: x4/3 on the reading the rep held
        assert 1.06 * image < deg <= 20 / 15 * image + 1e-9


def test_a_skipped_guided_move_still_gives_a_set_in_image_degrees() -> None:
    """Asked for the move (a range measured by hand is known), the person
    presses s: the set is counted all the same, and live says once that
    its degrees stay image degrees."""
    lines: list[str] = []
    player = FakePlayer()
    session = make_session(None, FakeDisplay(keys={125: "s"}), player, guided_move=True)
    session.log = lines.append
    session.measured = MeasuredRange({Side.LEFT: 30.0, Side.RIGHT: 30.0})
    summary = session.run(stream(synth_frames(reps=3)))
    assert summary is not None
    assert {side: leg.reps for side, leg in summary.legs.items()} == {Side.LEFT: 3, Side.RIGHT: 3}
    clips = [s.clip for s in session.speaker.spoken]
    assert clips[:4] == ["hold_still", "guided_move", "guided_move_missed", "go"]
    missed = findings.GUIDED_MOVE_MISSED.sentence(how="skipped")
    assert sum(missed in line for line in lines) == 1
    assert session.coach.ranges == {side: LegRange(measured_in_deg=30.0) for side in Side}
    assert all(not g.scaled for g in session.coach.view().legs)


def test_the_guided_move_keeps_a_measured_range_the_set_up_stored(tmp_path: Path) -> None:
    """The set-up's file holds the left leg's range measured by hand, the
    person's stored measurement the right leg's only: the move found live
    replaces the set-up's readings and keeps the left leg's measurement, in
    the file it saves as in the ranges it scales with."""
    synthetic = generate(SessionSpec(seed=3, noise="none", reps_per_set=3, guided_move=True))
    session = make_session(None, NullDisplay(), FakePlayer(), guided_move=True)
    session.calibration_path = tmp_path / "calibration.json"
    session.ranges = {Side.LEFT: LegRange(measured_in_deg=30.0)}
    session.measured = MeasuredRange({Side.RIGHT: 36.0})
    session.run(stream(synthetic.frames))
    saved = load_calibration(session.calibration_path).ranges
    assert saved[Side.LEFT].guided and saved[Side.LEFT].measured_in_deg == 30.0
    ranges = session.leg_ranges()
    assert ranges[Side.LEFT].guided and ranges[Side.LEFT].measured_in_deg == 30.0
    assert ranges[Side.RIGHT].guided and ranges[Side.RIGHT].measured_in_deg == 36.0


@pytest.mark.parametrize(
    ("skip", "measured_deg"),
    [(True, 80.0), (False, None)],
    ids=["move-skipped", "no-measured-range"],
)
def test_without_a_scale_the_later_sets_stay_in_image_degrees(
    skip: bool, measured_deg: float | None
) -> None:
    """Two sets with the guided move in the frames: where no scale is known
    (the move skipped; or made, with no range measured by hand) live shows
    and says set 2 in image degrees, and the terminal says why for each leg.
    The 80° measured range would put the right leg's set-2 peaks near 75°
    if live scaled them (its move reads 19 image degrees, its reps 18)."""
    synthetic = generate(
        SessionSpec(seed=3, noise="none", reps_per_set=3, guided_move=True, sets=2)
    )
    lines: list[str] = []
    keys = {125: "s"} if skip else {}
    session = make_session(
        None, FakeDisplay(keys=keys), FakePlayer(), guided_move=True, sets=2, rest_s=2.0
    )
    session.log = lines.append
    if measured_deg is not None:
        session.measured = MeasuredRange({side: measured_deg for side in Side})
    session.run(stream(synthetic.frames))
    clips = [s.clip for s in session.speaker.spoken]
    assert ("guided_move_missed" in clips) == skip
    assert set(session.move_ranges) == (set() if skip else set(Side))
    assert all(leg.in_scale is None for leg in session.coach.ranges.values())
    assert all(not g.scaled for g in session.coach.view().legs)
    assert not any(findings.GUIDED_SCALE_READ.sentence() in line for line in lines)
    notes = degree_notes(Side, session.coach.ranges)
    assert notes and all("image degrees" in note for note in notes)
    assert all(any(note in line for line in lines) for note in notes)
    set_2_s = min(r["start_s"] for r in synthetic.truth["reps"] if r["index"] == 4) - 1.0
    later = [r for r in session.announced_reps if r.start_s > set_2_s]
    assert {r.leg for r in later} == set(Side)
    assert all(r.peak_internal_deg < 40.0 for r in later)


def test_closing_the_window_ends_cleanly(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        session = make_session(store, FakeDisplay(close_after=500), FakePlayer())
        summary = session.run(stream(synth_frames(reps=3)))
        (record,) = store.sessions()
    assert summary is not None and record.complete and record.reps == summary.reps


def test_history_best_reads_earlier_sessions(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        make_session(store, NoDisplay(), FakePlayer()).run(stream(synth_frames(reps=3)))
        best = history_best(store)
        reps = store.sessions()[0].reps
    left = [r for r in reps if r.leg is Side.LEFT]
    assert best[Side.LEFT].internal_deg == max(r.peak_internal_deg for r in left)


# ---------------------------------------------------------------- the real window, on Xvfb


@pytest.fixture
def xvfb() -> Iterator[dict[str, str]]:
    """An Xvfb display of its own; the environment to run a window on it.
    Xvfb picks a free display number itself (``-displayfd``), so tests run
    side by side never take the same one."""
    for tool, package in (("Xvfb", "xvfb"), ("xdotool", "xdotool")):
        if shutil.which(tool) is None:
            pytest.fail(
                f"{tool} is missing: the window tests need it (Debian: apt-get install {package})"
            )
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_fd,),
    )
    os.close(write_fd)
    try:
        # Xvfb writes its display number once it accepts clients.
        with os.fdopen(read_fd) as ready:
            number = ready.readline().strip()
        if not number.isdigit():
            pytest.fail(f"Xvfb did not start (exit {server.poll()})")
        yield {**os.environ, "DISPLAY": f":{number}", "QT_QPA_PLATFORM": "xcb"}
    finally:
        server.terminate()
        server.wait(timeout=10)


WINDOW_DRIVER = textwrap.dedent(
    """
    import json, subprocess, sys
    from pathlib import Path
    import cv2
    from hiprot.history import HistoryStore
    from hiprot.display import WINDOW_NAME, Window
    sys.path.insert(0, sys.argv[2])
    from test_live import FakePlayer, make_session, synth_frames

    out = Path(sys.argv[1])
    KEYS = {200: "l", 330: "space", 360: "space", 700: "q"}
    received, snapshots = [], {}

    class RecordingWindow(Window):
        def poll_key(self, wait_ms=1):
            key = super().poll_key(wait_ms)
            if key is not None:
                received.append(key)
            return key

    def press(key):
        found = subprocess.run(["xdotool", "search", "--name", WINDOW_NAME],
                               capture_output=True, text=True, check=True).stdout.split()
        subprocess.run(["xdotool", "windowfocus", "--sync", found[-1], "key", key], check=True)

    with RecordingWindow() as window, HistoryStore(out / "h.sqlite3") as store:
        session = make_session(store, window, FakePlayer(), target_reps=10)

        def frames():
            for i, frame in enumerate(synth_frames(reps=4)):
                if i in KEYS:
                    press(KEYS[i])
                if i in (20, 80, 450, 337):
                    snapshots[i] = session.last_image
                yield None, frame

        summary = session.run(frames())
        for i, image in snapshots.items():
            cv2.imwrite(str(out / f"frame_{i}.png"), image)
        (record,) = store.sessions()
    json.dump({"received": received, "mode": summary.mode.value,
               "reps": len(summary.reps), "saved_reps": len(record.reps),
               "saved_matches": record.reps == summary.reps, "frames": summary.tracking.frames},
              open(out / "result.json", "w"))
    """
)


def drive_window(driver: str, out: Path, xvfb: dict[str, str], timeout_s: float) -> dict[str, Any]:
    """Run a window driver script on the virtual screen; the ``result.json``
    it wrote into ``out`` (the driver must exit 0)."""
    run = subprocess.run(
        [sys.executable, "-c", driver, str(out), str(REPO / "tests")],
        env=xvfb,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads((out / "result.json").read_text())


def test_window_shows_the_hud_and_keys_act(xvfb: dict[str, str], tmp_path: Path) -> None:
    import cv2

    result = drive_window(WINDOW_DRIVER, tmp_path, xvfb, timeout_s=120)
    assert [ord("l"), ord(" "), ord(" "), ord("q")] == [k for k in result["received"] if k != 255]
    assert result["mode"] == "left" and result["reps"] >= 1
    assert result["saved_matches"] and result["saved_reps"] == result["reps"]
    assert result["frames"] < 705  # q ended it

    w, h = LIVE_SIZE_WH
    setup = cv2.imread(str(tmp_path / "frame_20.png"))
    calibrating = cv2.imread(str(tmp_path / "frame_80.png"))
    paused = cv2.imread(str(tmp_path / "frame_337.png"))
    mid_set = cv2.imread(str(tmp_path / "frame_450.png"))
    for image in (setup, calibrating, paused, mid_set):
        assert image.shape == (h, w, 3)
        assert tuple(image[5, 5]) == (45, 45, 45)  # the top bar
        title = image[20:110, 20:700]
        assert (title.min(axis=2) > 240).sum() > 500  # big white title text
    amber = np.array([60, 220, 255])
    # calibration: the big amber countdown over the camera view
    assert (np.abs(calibrating[150:600, 100:700].astype(int) - amber).sum(axis=2) < 30).sum() > 2000
    assert (np.abs(paused[150:600, 100:700].astype(int) - amber).sum(axis=2) < 30).sum() > 2000
    # mid-set: a left-leg gauge (left colour) in the right panel and the rep count top right
    left_colour = np.array([255, 160, 0])
    panel = mid_set[130:360, 820:1240].astype(int)
    assert (np.abs(panel - left_colour).sum(axis=2) < 30).sum() > 300
    assert (mid_set[20:110, 1000:1270].min(axis=2) > 200).sum() > 300


GUIDED_DRIVER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import cv2
    from hiprot.calibration import MeasuredRange, load_calibration
    from hiprot.display import Window
    from hiprot.history import HistoryStore
    from hiprot.landmarks import Side
    from hiprot.review import review_pose_frames
    from hiprot.synth import SessionSpec, generate
    sys.path[:0] = [sys.argv[2], str(Path(sys.argv[2]).parent)]
    from test_live import FakePlayer, make_session

    out = Path(sys.argv[1])
    synthetic = generate(
        SessionSpec(seed=3, noise="none", reps_per_set=3, guided_move=True, sets=2)
    )
    truth = synthetic.truth["range_deg"]
    measured = MeasuredRange({Side(leg): r["internal"] for leg, r in truth.items()})
    lines, views, scaled = [], {}, {}

    with Window() as window, HistoryStore(out / "h.sqlite3") as store:
        # the synthetic rest is 4-10 s: live's must end before its next rep
        session = make_session(store, window, FakePlayer(), guided_move=True, sets=2, rest_s=2.0)
        session.log, session.measured = lines.append, measured
        session.calibration_path = out / "calibration.json"

        def frames():
            for frame in synthetic.frames:
                yield None, frame  # on return, the frame is drawn and shown
                view = session.coach.view()
                key = f"{view.stage.value}{view.set_number}"
                if key not in views:
                    views[key] = [view.title, view.detail, frame.t_s]
                    cv2.imwrite(str(out / f"{key}.png"), session.last_image)
                if view.stage.value == "set":
                    scaled[view.set_number] = {g.side.value: g.scaled for g in view.legs}

        summary = session.run(frames())
        (record,) = store.sessions()

    review = review_pose_frames(synthetic.frames, "same", size_wh=(640, 480), measured=measured)

    def peaks(reps):
        return sorted((r.leg.value, r.index, r.peak_internal_deg) for r in reps)

    json.dump({
        "views": views, "lines": lines,
        "spoken": [s.clip for s in session.speaker.spoken],
        "move_s": synthetic.truth["guided_move_s"],
        "live_scale": {s.value: r.in_scale for s, r in session.leg_ranges().items()},
        "review_scale": {s.value: r.in_scale for s, r in review.ranges.items()},
        "saved_ranges": sorted(s.value for s in load_calibration(out / "calibration.json").ranges),
        "move_scale": {s.value: r.with_measured(measured.internal_deg[s]).in_scale
                       for s, r in session.move_ranges.items()},
        "announced": peaks(session.announced_reps),
        "stored": peaks(record.reps), "review": peaks(review.reps),
        "true": sorted((r["leg"], r["index"], r["peak_internal_deg"])
                       for r in synthetic.truth["reps"]),
        "scaled": scaled,
    }, open(out / "result.json", "w"))
    """
)


def test_window_asks_for_the_guided_move_and_scales_as_review_does(
    xvfb: dict[str, str], tmp_path: Path
) -> None:
    """A synthetic session of two sets with the guided move after its still
    start, in the real window: live asks for the move (on screen, aloud) and
    finds it; it announces the first set in image degrees and, from the
    second, the degrees of the scale the first set's re-read found, which
    is review's on the same recording (within 1%): set 2's announced peaks
    are review's within 1.5°. Every set is stored as review reads it."""
    import cv2

    result = drive_window(GUIDED_DRIVER, tmp_path, xvfb, timeout_s=240)
    views = result["views"]
    assert list(views) == ["setup1", "calibration1", "guided1", "set1", "rest1", "setup2", "set2"]
    title, detail, asked_s = views["guided1"]
    assert (title, detail) == ("Guided move (s: skip)", findings.GUIDED_MOVE_ASK.notice())
    assert asked_s < result["move_s"][0]  # asked before the move began
    assert views["set1"][2] > result["move_s"][1]  # the set began after it
    assert result["spoken"][:3] == ["hold_still", "guided_move", "go"]
    assert any(line.startswith("Guided move found: left out") for line in result["lines"])
    # the words on screen: the bottom bar's text changed from the countdown's
    asked = cv2.imread(str(tmp_path / "guided1.png"))
    calibrating = cv2.imread(str(tmp_path / "calibration1.png"))
    h = LIVE_SIZE_WH[1]
    bar = (slice(h - 110, h), slice(0, LIVE_SIZE_WH[0]))
    assert (asked[bar].min(axis=2) > 240).sum() > 2000  # white words
    assert (np.abs(asked[bar].astype(int) - calibrating[bar]).max(axis=2) > 100).sum() > 2000
    # seed 3: the left leg's move reads the most the view reads (capped: no
    # scale, in live as in review); the right leg gets one, read right after
    # the move and again by the first set's re-read
    live, review = result["live_scale"], result["review_scale"]
    assert live["left"] is None and review["left"] is None
    assert result["move_scale"]["right"] == pytest.approx(review["right"], rel=0.01)
    assert live["right"] == pytest.approx(review["right"], rel=0.01)
    assert result["saved_ranges"] == ["left", "right"]  # the set-up's move, kept
    # set 1 in image degrees; set 2 in degrees where the leg has a scale
    assert result["scaled"] == {
        "1": {"left": False, "right": False},
        "2": {"left": False, "right": True},
    }
    assert any(line == findings.GUIDED_SCALE_STORED.sentence() for line in result["lines"])
    assert sum(findings.GUIDED_SCALE_READ.sentence() in line for line in result["lines"]) == 1
    stored, same = result["stored"], result["review"]
    assert [r[:2] for r in stored] == [r[:2] for r in same] and len(stored) == 12
    for (_, _, deg), (_, _, want) in zip(stored, same, strict=True):
        assert deg == pytest.approx(want, abs=0.5)
    said = {(leg, i): deg for leg, i, deg in result["announced"]}
    true = {(leg, i): deg for leg, i, deg in result["true"]}
    for leg, i, deg in stored:
        if i <= 3:  # set 1: the right leg's scale is in its stored peaks only
            assert (leg == "left") == (said[(leg, i)] == pytest.approx(deg, abs=1.5))
        else:  # set 2: announced as stored, the right leg in degrees
            assert said[(leg, i)] == pytest.approx(deg, abs=1.5)
            if leg == "right":
                assert said[(leg, i)] == pytest.approx(true[(leg, i)], abs=2.0)


def run_live_window(xvfb: dict[str, str], tmp_path: Path, source: Path) -> tuple[int, str, str]:
    """``hiprot live --source SOURCE --quiet`` in a window on Xvfb, with q
    pressed once the window is up (the summary stays up until q); (exit
    code, stdout, stderr)."""
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "hiprot", "live", "--source", str(source)),
            *("--quiet", "--db", str(tmp_path / "h.sqlite3")),
        ],
        env=xvfb,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120  # a loaded machine starts MediaPipe slowly
    while process.poll() is None and time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--name", "hiprot live"], env=xvfb, capture_output=True, text=True
        ).stdout.split()
        if found:
            subprocess.run(["xdotool", "windowfocus", "--sync", found[-1], "key", "q"], env=xvfb)
        time.sleep(0.5)
    if process.poll() is None:
        process.kill()
    stdout, stderr = process.communicate()
    return process.returncode, stdout, stderr


def test_cli_live_opens_the_window_on_a_video_and_quits_on_q(
    xvfb: dict[str, str], tmp_path: Path, bridging_clip: Path
) -> None:
    code, stdout, stderr = run_live_window(xvfb, tmp_path, bridging_clip)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "Get ready" in stdout


def test_cli_live_without_a_display_says_so(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    run = subprocess.run(
        [sys.executable, "-m", "hiprot", "live", "--db", str(tmp_path / "h.sqlite3")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert run.stderr.strip().startswith("hiprot: error: no display")
    assert "--no-window" in run.stderr and "Traceback" not in run.stderr


def test_cli_live_missing_source_is_one_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "hiprot",
            "live",
            "--no-window",
            "--source",
            str(tmp_path / "nope.mp4"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert run.stderr.strip() == f"hiprot: error: {tmp_path / 'nope.mp4'}: no such file"


@pytest.mark.pose
def test_live_on_a_sample_clip_keeps_it_out_of_the_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a rendered clip played as the camera (as the README's samples are) is
    # nobody's training day, in live as in review
    import hiprot.live
    from hiprot.live import LiveOptions, run_live

    clip = tmp_path / "clip.mp4"
    shutil.copy(Path(__file__).parent / "data" / "variable_frame_rate.mp4", clip)
    (tmp_path / "clip.truth.json").write_text('{"format": "hiprot-render-truth"}')
    stores: list[HistoryStore | None] = []

    def saver(store, *args, **kwargs) -> HistorySaver:
        stores.append(store)
        return HistorySaver(store, *args, **kwargs)

    monkeypatch.setattr(hiprot.live, "HistorySaver", saver)
    lines: list[str] = []
    options = LiveOptions(
        config=CoachConfig(window=False),
        source=clip,
        quiet=True,
        window=False,
        db=tmp_path / "h.sqlite3",
        calibration_dir=tmp_path / "calibration",
    )
    run_live(options, lines.append)
    assert stores == [None]
    assert "Not added to any history: clip.mp4 is a sample clip." in lines
    assert HistorySaver(None, "clip.mp4", datetime.now(timezone.utc)).kept() == (
        "nothing saved (not for the history)"
    )


def test_live_help_names_every_key() -> None:
    import re

    from hiprot.live import COMMAND_KEYS, QUIT_KEYS

    run = subprocess.run(
        [sys.executable, "-m", "hiprot", "live", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    keys = " ".join(run.stdout.split("Keys:")[1].split("Options:")[0].split())
    named = set(re.split(r"[\s/,.]+", keys))
    for key in [*COMMAND_KEYS, *QUIT_KEYS]:
        assert {32: "space", 27: "Esc"}.get(key, chr(key)) in named, keys
