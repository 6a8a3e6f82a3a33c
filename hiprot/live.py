"""``hiprot live``: camera -> pose -> angles -> coach -> window, voice and history.

The loop below the pose stage (``run_session``) takes ``(image, PoseFrame)``
pairs, so tests and benchmarks can feed synthetic PoseFrames or a video
through the same code as the webcam. Every completed rep is committed to
the history at once; the session is closed with its summary however the
loop ends (quit, window closed, source ended, camera lost, Ctrl-C, a bug).
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hiprot import findings, words
from hiprot.calibration import (
    MEASURED_FILE_NAME,
    Calibration,
    CalibrationError,
    LegRange,
    MeasuredRange,
    load_calibration,
    load_measured_range,
    paired_ranges,
    save_calibration,
    setup_file_name,
)
from hiprot.capture import (
    DARK_MEAN_BRIGHTNESS,
    CameraError,
    brightness,
    open_camera,
    open_realtime_video,
)
from hiprot.coach import (
    Coach,
    CoachConfig,
    CoachOutput,
    CoachView,
    Command,
    GuidedOutcome,
    RangeBest,
    Stage,
    Utterance,
    check_view,
)
from hiprot.display import Display, NoDisplay, Window
from hiprot.errors import HiprotError, InputError
from hiprot.history import HistoryStore
from hiprot.landmarks import Side
from hiprot.overlay import render_live
from hiprot.placement import LegSize
from hiprot.profiles import DEFAULT_PERSON, calibration_dir, is_made_clip
from hiprot.readahead import Ahead, read_ahead
from hiprot.reading.guided import LOOK_S, calibration_ranges
from hiprot.reading.live import LiveAngles, LiveReading
from hiprot.report import capped_in_sets, degree_notes, small_leg
from hiprot.reps import Mode, Rep
from hiprot.reread import SetReread, SetSpan
from hiprot.safe_io import plain
from hiprot.session import SessionSummary
from hiprot.types import Frame, PoseFrame
from hiprot.voice import Speaker, Spoken, open_player

#: Keys, as ``cv2.waitKey`` returns them (low byte).
QUIT_KEYS = frozenset({ord("q"), 27})  # q, Esc
COMMAND_KEYS: dict[int, Command] = {
    ord(" "): Command.PAUSE,
    ord("c"): Command.RECALIBRATE,
    ord("l"): Command.MODE_LEFT,
    ord("r"): Command.MODE_RIGHT,
    ord("b"): Command.MODE_BOTH,
    ord("s"): Command.SKIP,
}

#: How long a warning about the camera or the light stays on screen (the
#: terminal keeps it): long enough to read from the mat, short enough not
#: to cover the view for the set.
NOTICE_S = 10.0


#: ``PoseEstimator`` mutes file descriptors 1 and 2 process-wide while
#: MediaPipe starts up (until its first frames are done) and while a graph
#: reads frames until it first finds someone; terminal output waits for
#: this lock so that it is not swallowed while the pose thread estimates.
OUTPUT_LOCK = threading.Lock()


@contextmanager
def pose_stream(
    frames: Iterable[Frame], estimate: Callable[[Frame], PoseFrame]
) -> Iterator[Ahead[tuple[npt.NDArray[np.uint8], PoseFrame]]]:
    """Camera frames -> (image, PoseFrame) pairs for ``LiveSession.run``.

    The pose stage runs one frame ahead in its own thread: MediaPipe (which
    releases the GIL) then overlaps with drawing and showing the previous
    frame, so the window keeps the pose stage's rate instead of the sum of
    both (benchmarks/live_latency.py). One ahead, not more, and the stream's
    ``pending()`` lets the display skip a frame whose successor is already
    done: the display must not fall behind the camera.
    """

    def estimated() -> Iterator[tuple[npt.NDArray[np.uint8], PoseFrame]]:
        for frame in frames:
            with OUTPUT_LOCK:
                pose_frame = estimate(frame)
            yield frame.image, pose_frame

    with read_ahead(estimated(), depth=1) as ahead:
        yield ahead


def locked(log: Callable[[str], None]) -> Callable[[str], None]:
    """``log`` that never writes while the pose thread has the terminal muted."""

    def write(line: str) -> None:
        with OUTPUT_LOCK:
            log(line)

    return write


def find_calibration(
    folder: Path, setup: dict[str, object], log: Callable[[str], None] | None = None
) -> tuple[Path, Calibration | None]:
    """The calibration file for this camera set-up, and its content if it exists.

    A file there that cannot be used (corrupt, foreign, from another set-up)
    is moved aside, never overwritten, and the session calibrates afresh.
    """
    path = folder / setup_file_name(setup)
    if not path.exists():
        return path, None
    try:
        calibration = load_calibration(path)
        calibration.check_setup(setup, str(path))
    except CalibrationError as exc:
        aside = _set_aside(path)
        if log is not None:
            log(
                f"[yellow]Not using {plain(path)}[/]: {plain(exc)}. "
                f"Kept it as {plain(aside.name)}; you will be calibrated afresh."
            )
        return path, None
    return path, calibration


def _set_aside(path: Path) -> Path:
    """Rename ``path`` to ``<name>.unusable[-N]`` beside it; returns the new path."""
    for n in itertools.count():
        aside = path.with_name(f"{path.name}.unusable" + (f"-{n}" if n else ""))
        if not aside.exists():
            path.rename(aside)
            return aside
    raise AssertionError("unreachable")


def history_best(store: HistoryStore, person: str = DEFAULT_PERSON) -> dict[Side, RangeBest]:
    """The person's best range per leg over every stored session."""
    records = store.sessions(person)
    return {
        side: RangeBest().extend(
            [rep for record in records for rep in record.reps if rep.leg is side]
        )
        for side in Side
    }


@dataclass
class HistorySaver:
    """Writes a live session to the history: begun at its first rep, each rep
    committed as it comes, ended with the summary."""

    store: HistoryStore | None
    source: str
    started_at: datetime
    person: str = DEFAULT_PERSON
    session_id: int | None = None
    saved_reps: int = 0

    def add(self, reps: Iterable[Rep], coach: Coach) -> None:
        if self.store is None:
            return
        for rep in reps:
            if self.session_id is None:
                assert coach.calibration is not None, "reps are counted only after calibration"
                self.session_id = self.store.begin_session(
                    source=self.source,
                    mode=coach.mode.value,
                    started_at=self.started_at,
                    calibration_method="auto" if coach.calibration.method == "auto" else "file",
                    neutral_deg={s.value: coach.calibration.neutral[s].femur_deg for s in Side},
                    person=self.person,
                )
            self.store.add_rep(self.session_id, rep)
            self.saved_reps += 1

    def restate(self, reps: Sequence[Rep], coach: Coach) -> None:
        """The session's reps, restated (``Coach.restate_set``): stored over
        the ones saved under the same numbers; ``end`` drops any left over."""
        self.add(reps, coach)
        self.saved_reps = len(reps)

    def kept(self) -> str:
        """What became of the reps, for the line that ends an interrupted session."""
        if self.store is None:
            return "nothing saved (not for the history)"
        return f"Session saved ({self.saved_reps} reps)"

    def end(self, summary: SessionSummary | None, capped: frozenset[str] = frozenset()) -> None:
        """Store the summary, and its best readings at the view's limit (``capped``)."""
        if self.store is not None and self.session_id is not None and summary is not None:
            self.store.end_session(self.session_id, summary, capped)


@dataclass
class LiveSession:
    """One live session's wiring: angles -> coach -> window, speaker, history, terminal.

    Attributes:
        coach: The state machine (holds the calibration in use).
        speaker: Says counts and cues.
        saver: Commits reps to the history.
        display: The window, or ``NoDisplay``.
        log: Prints one line per event to the terminal.
        calibration_path: Where a new calibration is saved (this set-up's file).
        setup: The camera set-up, stored in the calibration.
        ranges: The set-up's ranges (its calibration file's guided move,
            ``hiprot calibrate``, or the one live asked for): kept when
            live recalibrates the neutral.
        measured: The person's range measured by hand (``hiprot calibrate
            --range``): with ``ranges``, what live shows and tells and each
            set's stored result put internal rotation in degrees as review does.
        move_ranges: The ranges live read right after the guided move it
            asked for (on the countdown's neutral); the first set's re-read
            then gives ``ranges`` review's (``_take_scale``).
    """

    coach: Coach
    speaker: Speaker
    saver: HistorySaver
    display: Display
    log: Callable[[str], None]
    calibration_path: Path | None = None
    setup: dict[str, object] = field(default_factory=dict)
    ranges: dict[Side, LegRange] = field(default_factory=dict)
    measured: MeasuredRange | None = None
    move_ranges: dict[Side, LegRange] = field(default_factory=dict)
    last_image: npt.NDArray[np.uint8] | None = None
    reading: LiveReading | None = None  # the last frame's
    #: Every rep as counted and told during the sets; the stored result
    #: (``coach.reps``) is each set's re-read (``hiprot.reread``).
    announced_reps: list[Rep] = field(default_factory=list)
    _angles: LiveAngles = field(init=False)
    _leg_size: LegSize = field(init=False)
    _frames: list[PoseFrame] = field(default_factory=list)  # since the last set ended
    _rereads: list[SetReread] = field(default_factory=list)
    #: Each re-read set's readable limits (``Reread.limits``), by set number.
    _set_limits: dict[int, dict[Side, tuple[float, float] | None]] = field(default_factory=dict)
    _size_wh: tuple[int, int] = field(init=False)
    _t_s: float = 0.0
    _stage: Stage | None = None
    _view: CoachView | None = None
    _told_dark: bool = False
    _told_side_on: bool = False
    _told_jittery: frozenset[Side] = frozenset()
    _told_flat: frozenset[Side] = frozenset()
    _told_motionless: frozenset[Side] = frozenset()
    _notice: tuple[float, str] | None = None  # since when, and what
    _told_capped: frozenset[Side] = frozenset()  # legs told in image degrees (capped, past range)
    _move_in_frames: bool = False  # the next set's re-read holds the guided move

    def __post_init__(self) -> None:
        size_wh = (int(self.setup.get("width", 640)), int(self.setup.get("height", 480)))  # type: ignore[call-overload]
        self._size_wh = size_wh
        self._leg_size = LegSize(size_wh)
        self._angles = LiveAngles(
            self.coach.calibration,
            size_wh=size_wh,
            worked=self.coach.mode.sides,
            pose_model=self.coach.config.pose_model,
        )

    def run(
        self, stream: Iterable[tuple[npt.NDArray[np.uint8] | None, PoseFrame]]
    ) -> SessionSummary | None:
        """Coach until the last set, a quit key, the window closing or the source ending.

        Reps are saved as they come; the summary is saved however this ends.

        Raises:
            CameraError: the camera stopped delivering (after saving).
        """
        # a pose stream that can tell what is already waiting (pose_stream)
        # lets the display skip to the newest frame; every frame is still
        # analysed and counted
        pending = getattr(stream, "pending", lambda: 0)
        self.coach.ranges = self.leg_ranges()
        self._told_capped = self._capped()
        if not self.coach.config.guided_move:
            self._log_degree_notes(self.coach.mode.sides)
        try:
            for image, pose_frame in stream:
                if not self._step(image, pose_frame, show=pending() == 0):
                    break
            if self.coach.stage is not Stage.SUMMARY:
                self._handle(self.coach.finish(self._t_s))
        except CameraError:
            self._handle(self.coach.finish(self._t_s))
            self.log(f"[red]Camera lost.[/] {self.saver.kept()}.")
            raise
        except KeyboardInterrupt:
            self._handle(self.coach.finish(self._t_s))
            self.log(f"Interrupted. {self.saver.kept()}.")
            raise
        finally:
            self._restate_when_reread(wait=True)
            self.saver.end(self.coach.summary(), self.capped_readings())
        return self.coach.summary()

    def linger(self, clock: Callable[[], float]) -> None:
        """Let the last words play and keep the summary on screen until a quit
        key or the window is closed (without a window: until the voice is
        done). ``clock`` continues the frame time."""
        start, offset = clock(), self._t_s
        assert self._view is not None, "run() ends with the summary"
        image = render_live(None, None, self._view, capped=self.capped_readings())
        self.display.show(image)
        while True:
            t_s = offset + clock() - start
            self.speaker.tick(t_s)
            if isinstance(self.display, NoDisplay) and self.speaker.idle(t_s):
                return
            if self.display.poll_key(30) in QUIT_KEYS or self.display.closed:
                return

    def _step(
        self, image: npt.NDArray[np.uint8] | None, pose_frame: PoseFrame, show: bool = True
    ) -> bool:
        """One frame in; False when the session should stop.

        ``show=False`` analyses the frame without drawing it: a newer one is
        already waiting, and the display must not fall behind the camera.
        """
        self._t_s = pose_frame.t_s
        self._frames.append(pose_frame)
        self._tell_dark(image, pose_frame)
        view_check = check_view(pose_frame, self.coach.mode.sides, self._size_wh)
        self._angles.worked = self.coach.mode.sides
        # frames out of the drill's position teach neither the anchors nor the foot fit
        up = all(self.coach.in_position[side] for side in self.coach.mode.sides)
        # lying still before a set: the frames the rep floor is measured on
        settling = self.coach.stage in (Stage.SETUP, Stage.CALIBRATION)
        reading = self._angles.update(
            pose_frame, in_position=view_check.ready and up, settling=settling
        )
        self.reading = reading
        self._tell_small(pose_frame, view_check.ready and up)
        self._tell_legs(reading)
        out = self._handle(self.coach.update(pose_frame.t_s, view_check, reading))
        if view_check.ready:
            self._angles.note_rest(pose_frame.t_s, self.coach.resting_legs())
        self._tell_side_on(reading)
        # a set's re-read is done before the next set begins, so that the
        # next set is told on its scale (it takes a fraction of the rest,
        # benchmarks/live_latency.py)
        self._restate_when_reread(wait=self.coach.stage is not Stage.REST)
        if not show:
            return self.coach.stage is not Stage.SUMMARY
        capped = self.capped_readings() if out.view.stage is Stage.SUMMARY else ()
        self.last_image = render_live(image, pose_frame.image, out.view, self.notice, capped)
        self.display.show(self.last_image)
        key = self.display.poll_key()
        if key in QUIT_KEYS or self.display.closed:
            return False
        if key is not None and key in COMMAND_KEYS:
            self._handle(self.coach.command(COMMAND_KEYS[key], self._t_s))
        return self.coach.stage is not Stage.SUMMARY

    def _tell_dark(self, image: npt.NDArray[np.uint8] | None, pose_frame: PoseFrame) -> None:
        if not pose_frame.has_pose and image is not None and not self._told_dark:
            if brightness(image) < DARK_MEAN_BRIGHTNESS:
                self._told_dark = True
                self._tell(*findings.TOO_DARK.live())

    def _tell_small(self, pose_frame: PoseFrame, placed: bool) -> None:
        """Tell, once per leg, a leg too small in the picture to count reliably."""
        size = self._leg_size
        for side in size.update(pose_frame, self.coach.mode.sides, placed, self.coach.in_position):
            finding, params = small_leg(side, size.lengths[side], size.min_px)
            self._tell(*finding.live(**params))

    def _tell_legs(self, reading: LiveReading) -> None:
        """Tell, once per leg and neutral, what the reading found about it."""
        jittery = reading.foot_driven & set(self.coach.mode.sides)
        for side in sorted(jittery - self._told_jittery):
            self._told_jittery |= {side}
            self._tell(*findings.KNEE_JITTER.live(leg=side))
        flat = reading.read_from_foot & set(self.coach.mode.sides)
        for side in sorted(flat - self._told_flat):
            self._told_flat |= {side}
            self._tell(*findings.KNEE_FLAT.live(leg=side))
        self._tell_unseen(reading)

    def _tell_unseen(self, reading: LiveReading) -> None:
        counted = {rep.leg for rep in self.coach.reps}
        unseen = (reading.motionless & set(self.coach.mode.sides)) - counted
        for side in sorted(unseen - self._told_motionless):
            self._told_motionless |= {side}
            other = Side.LEFT if side is Side.RIGHT else Side.RIGHT
            one_leg = findings.ONE_LEG_LIVE.sentence(key=other.value[0], other=other.value)
            self._tell(
                *findings.LEG_UNSEEN.live(
                    one_leg if self.coach.mode is Mode.BOTH and counted else "", leg=side
                )
            )
        still = (reading.foot_still & set(self.coach.mode.sides)) - counted - reading.motionless
        for side in sorted(still - self._told_motionless):
            self._told_motionless |= {side}
            self._tell(*findings.LEG_FOOT_STILL.live(leg=side))

    def _tell_side_on(self, reading: LiveReading) -> None:
        if reading.side_on and not self._told_side_on:
            self._told_side_on = True
            self._tell(*findings.SIDE_ON.live())

    # ---------------------------------------------------------------- the guided move

    def leg_ranges(self) -> dict[Side, LegRange]:
        """Per leg, the set-up's range with the person's hand measurement
        (``paired_ranges``, as review pairs them); legs with neither left out."""
        return paired_ranges(self.ranges, self.measured)

    def _take_guided(self, outcome: GuidedOutcome) -> None:
        """The guided move ended: read each leg's range from it as ``hiprot
        calibrate`` and review do (``calibration_ranges``: review's reading
        of the frames so far, from the same neutral), keep it as the
        set-up's until the first set's re-read reads it again
        (``_take_scale``), and say what the degrees are."""
        calibration = self.coach.calibration
        if not outcome.moves or calibration is None:
            how = "skipped" if outcome.skipped else f"none within {LOOK_S:.0f} s of lying still"
            self._tell(*findings.GUIDED_MOVE_MISSED.live(how=how))
            self._log_degree_notes(self.coach.mode.sides)
        else:
            found = calibration_ranges(
                self._frames,
                self._size_wh,
                calibration,
                outcome.after_s,
                self.coach.config.pose_model,
            )
            legs = {}
            for side, move in outcome.moves.items():
                # review's reading may miss a leg live's caught: live's reading then
                fallback = LegRange(move.out_reading_deg, move.in_reading_deg)
                legs[side] = found.get(side, fallback)
            self.ranges = paired_ranges(self.ranges, None, moved=legs)  # keeps measured ones
            self.move_ranges = legs
            self._move_in_frames = True
            read = ", ".join(
                f"{side.value} out {leg.out_reading_deg:+.0f}, in {leg.in_reading_deg:+.0f}"
                for side, leg in legs.items()
            )
            self._tell(
                findings.GUIDED_MOVE_FOUND.sentence(legs=read + " (image degrees)"),
                findings.GUIDED_MOVE_FOUND.notice(),
            )
            self._save_calibration(calibration)
            # The scale read just after the move rests on the countdown's
            # neutral, which noise can shift by the move's own size: what
            # live shows and says stays in image degrees until the first
            # set's re-read (review's reading, the move in its frames) gives
            # the scale (``_take_scale``).
            self.log(findings.GUIDED_SCALE_STORED.sentence())

    def _take_scale(self, ranges: dict[Side, LegRange]) -> None:
        """The first set's re-read, with the guided move in its frames, is
        done: its ranges (review's reading of the move, the scale its stored
        reps are in) become the set-up's, and the later sets are shown, said
        and stored in degrees on them where a leg has a scale; elsewhere in
        image degrees, and the terminal says why."""
        # the person's hand measurement stays in its own file (pairing it is
        # ``leg_ranges``' job); one the set-up stored stays with the set-up
        read = {side: leg.with_measured(None) for side, leg in ranges.items()}
        moved = {side: leg for side, leg in read.items() if leg != LegRange()}
        self.ranges = paired_ranges(self.ranges, None, moved=moved)
        self.coach.ranges = self.leg_ranges()
        self._told_capped = self._capped()
        if self.coach.calibration is not None:
            self._save_calibration(self.coach.calibration)
        if self.coach.stage is Stage.SUMMARY:
            return  # no set left to tell it in
        sides = self.coach.mode.sides
        if any(self.coach.ranges.get(s, LegRange()).in_scale is not None for s in sides):
            self._tell(*findings.GUIDED_SCALE_READ.live())
        self._log_degree_notes(sides)

    def _log_degree_notes(self, sides: Sequence[Side]) -> None:
        """Say in the terminal, per leg of ``sides``, what its degrees are
        (``degree_notes``: a scale, or image degrees and why)."""
        for note in degree_notes(sides, self.coach.ranges):
            self.log(f"[yellow]{note}[/]")

    def capped_readings(self) -> frozenset[str]:
        """The session's best readings at the camera view's limit, as review
        marks them and the history stores them (``{"left-in"}``): each set
        with its re-read's limits (review's); a set without a re-read keeps
        live's count and marks nothing."""
        return capped_in_sets(
            (reps, self._set_limits.get(number, {}))
            for number, reps in self.coach.reps_by_set().items()
        )

    def _capped(self) -> frozenset[Side]:
        return frozenset(
            side for side, leg in self.coach.ranges.items() if leg.in_capped or leg.past_range
        )

    def _tell_capped(self) -> None:
        """Tell, once per leg, that the coach stopped scaling it: a rep read
        the most the view reads, or past the hand measurement (``Coach._in_degrees``)."""
        capped = self._capped() - self._told_capped
        if capped:
            self._told_capped |= capped
            self._log_degree_notes(sorted(capped))

    def _save_calibration(self, calibration: Calibration) -> bool:
        """Save the set-up's file: ``calibration``'s neutral with the set-up's
        ranges (kept across recalibration); False when there is no file."""
        if self.calibration_path is None:
            return False
        saved = Calibration(
            calibration.neutral, method="file", setup=self.setup, ranges=self.ranges
        )
        save_calibration(saved, self.calibration_path)
        return True

    # ---------------------------------------------------------------- the stored result

    def _reread(self, span: SetSpan) -> None:
        """A set ended: read its frames again as review does, on a worker
        thread (``hiprot.reread``); the frames after it start the next."""
        frames, self._frames = self._frames, []
        calibration = self.coach.calibration
        if calibration is None or not frames:
            return
        # rests count from this set's countdown, else from its start: not
        # from getting into position, nor from the rest before the set
        from_s = calibration.setup.get("still_from_s")
        if from_s is None or from_s < frames[0].t_s:
            from_s = span.start_s
        calibration = replace(
            calibration,
            setup={**calibration.setup, "still_from_s": from_s},
            ranges=self.leg_ranges(),
        )
        # the set after the guided move is re-read with it, so review finds it
        # there (not counted, and its scale) as in a review of the recording
        has_move, self._move_in_frames = self._move_in_frames, False
        # one re-read at a time: a set outlasts one (benchmarks/live_latency.py),
        # but a replay faster than real time (tests, benchmarks) must not pile them up
        self._restate_when_reread(wait=True)
        self._rereads.append(
            SetReread(
                frames,
                span,
                self.coach.mode,
                calibration,
                self._size_wh,
                self.coach.config.pose_model,
                has_move,
                # the set's reps as announced: a rep begun before "go" is the
                # set's where live counted it
                span.reps_of(self.coach.reps),
            )
        )

    def _restate_when_reread(self, wait: bool = False) -> None:
        """Make each finished re-read the set's stored result, and tell a
        count that changed (``wait``: finish them all first)."""
        while self._rereads and (wait or self._rereads[0].done()):
            job = self._rereads.pop(0)
            result = job.result()
            if result is None:
                continue
            note = job.note(result.reps)
            self._set_limits[job.span.number] = result.limits
            self.saver.restate(self.coach.restate_set(job.span.number, result.reps), self.coach)
            if job.has_move:
                self._take_scale(result.ranges)
            self._view = self.coach.view()
            if note is not None:
                self._tell(*note)

    @property
    def notice(self) -> str | None:
        """The warning on screen now: the newest, for ``NOTICE_S``."""
        if self._notice is None or self._t_s - self._notice[0] >= NOTICE_S:
            return None
        return self._notice[1]

    def _tell(self, line: str, notice: str, clip: str | None = None) -> None:
        """A warning: the whole ``line`` to the terminal, the short ``notice``
        on screen (ASCII: the window's font has no other letters) and, for
        those that ask the person to change the set-up, ``clip`` aloud."""
        self.log(line)
        self._notice = (self._t_s, notice)
        if clip is not None:
            self.speaker.say(Utterance.announce(clip), self._t_s)

    def _handle(self, out: CoachOutput) -> CoachOutput:
        """Save, say and print what the coach decided."""
        if out.calibration is not None:
            self._angles.calibration = out.calibration  # judges the knees' jitter afresh
            self._told_jittery = frozenset()
            self._told_flat = frozenset()
            self._told_motionless = frozenset()
            if self._save_calibration(out.calibration):
                self.log(f"Calibrated; saved {plain(self.calibration_path)}")
        if out.guided is not None:
            self._take_guided(out.guided)
        self.saver.add(out.reps, self.coach)
        self.announced_reps += out.reps
        if out.set_done is not None:
            self._reread(out.set_done)
        for rep in out.reps:
            self.log(
                f"{rep.leg.value} rep {rep.index}: "
                f"{words.turn(rep.peak_internal_deg, rep.peak_external_deg)}, "
                f"hold {rep.hold_s:.1f} s ({words.HELD if rep.held else words.NOT_HELD})"
                + ("" if rep.controlled else f", {words.TOO_FAST}")
                + (f", {words.FROM_ANKLES}" if rep.compensation else "")
            )
        self._tell_capped()
        self._view = out.view
        if out.view.stage is not self._stage:
            self._stage = out.view.stage
            self.log(f"[bold]{out.view.title}[/]: {out.view.detail}")
        for utterance in out.say:
            self.speaker.say(utterance, self._t_s)
        spoken = self.speaker.tick(self._t_s)
        if spoken is not None:
            self._log_spoken(spoken)
        return out

    def _log_spoken(self, spoken: Spoken) -> None:
        if not spoken.clip.startswith("count_"):
            self.log(f"[yellow]» {spoken.clip.replace('_', ' ')}[/]")


@dataclass(frozen=True)
class LiveOptions:
    """What ``hiprot live`` was asked to do.

    Attributes:
        config: The session (mode, reps, sets, rest).
        camera: Webcam index, used when ``source`` is None.
        source: A video played at its real frame rate as if it were the camera.
        quiet: No voice.
        window: Show the window (else voice and terminal only).
        db: History database; None for the default.
        person: Whose history and calibration.
        calibration_dir: Where calibrations per camera set-up are kept;
            None for the person's folder in the user's data folder.
    """

    config: CoachConfig
    camera: int = 0
    source: Path | None = None
    quiet: bool = False
    window: bool = True
    db: Path | None = None
    person: str = DEFAULT_PERSON
    calibration_dir: Path | None = None


def _check_display() -> None:
    """Fail with a hint, not a Qt abort, when a window cannot be opened."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        raise HiprotError(
            "no display to open the window on; use --no-window for voice and terminal only"
        )


def run_live(
    options: LiveOptions, log: Callable[[str], None]
) -> tuple[SessionSummary | None, frozenset[str]]:
    """Open everything ``hiprot live`` needs, coach the session, close it all.

    Returns the summary (None when nothing was measured) and its best
    readings at the camera view's limit (``LiveSession.capped_readings``).

    Raises:
        CameraError: the camera cannot be opened or stopped delivering
            (reps done so far are saved first).
        HiprotError: other problems the user can fix.
    """
    if options.window:
        _check_display()
    from hiprot.pose import PoseEstimator  # imports mediapipe

    if options.source is None:
        label, opener = f"camera:{options.camera}", open_camera(options.camera)
    else:
        label, opener = options.source.name, open_realtime_video(options.source)
    with ExitStack() as stack:
        store = stack.enter_context(HistoryStore(options.db))
        frames = stack.enter_context(opener)
        first = next(frames, None)
        if first is None:
            raise InputError(f"{label}: delivered no frames")
        setup = {
            "camera": label.removeprefix("camera:"),
            "width": first.size_wh[0],
            "height": first.size_wh[1],
        }
        folder = options.calibration_dir or calibration_dir(options.person)
        path, calibration = find_calibration(folder, setup, log)
        measured = load_measured_range(folder / MEASURED_FILE_NAME)
        # the move gives degrees only with a range measured by hand: else not asked
        config = replace(options.config, guided_move=measured is not None)
        if calibration is not None:
            log(f"Using your neutral from {plain(path)} (press c to recalibrate).")
        # a sample or rendered clip played as the camera is nobody's training day
        made = options.source is not None and is_made_clip(options.source)
        if made:
            log(f"Not added to any history: {plain(label)} is a sample clip.")
        log = locked(log)
        player = stack.enter_context(open_player(options.quiet, log))
        display: Display = stack.enter_context(Window()) if options.window else NoDisplay()
        # last: the terminal is muted from here until MediaPipe has started up
        estimator = stack.enter_context(PoseEstimator(model=options.config.pose_model))
        session = LiveSession(
            coach=Coach(config, calibration, label, history_best(store, options.person)),
            speaker=Speaker(player),
            saver=HistorySaver(
                None if made else store, label, datetime.now().astimezone(), options.person
            ),
            display=display,
            log=log,
            calibration_path=path,
            setup=setup,
            ranges={} if calibration is None else calibration.ranges,
            measured=measured,
        )
        pairs = stack.enter_context(
            pose_stream(itertools.chain([first], frames), estimator.estimate)
        )
        summary = session.run(pairs)
        session.linger(time.monotonic)
    return summary, session.capped_readings()
