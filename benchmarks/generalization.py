"""Generalization (issue #22): leave-one-look-out and leave-one-body-out on
the wide render suite, for the clean and the webcam-degraded copies.

A protocol that cannot flatter: the wide suite (``benchmarks/render_suite/
wide/``) is held out, so a change to hiprot is chosen here only by
leave-one-out. Each fold holds out every clip of one look (outfit) or one
body; the candidate readings (``CANDIDATES``, today's hiprot first) are
scored on the other clips only (clean and webcam together: count exact,
then within one, then held verdicts right on clear holds, then "from the
ankles" flags right minus wrong; a tie keeps the earlier candidate), and
the one that wins there is scored on the held-out clips. So every
session-leg gets a held-out result from a reading chosen without it,
once per protocol; today's hiprot (``main``, the baseline)
is scored on the same folds beside it.

Reported per fold and as the spread (min / median / max) across looks,
bodies, distances, heights and azimuths, and for the issue's "Done when"
set (45°, every height and distance): count exact, within one, the held
verdict on reps whose true hold is clear of the 1 s rule by more than
``HOLD_MARGIN_S``, peak internal rotation MAE where the reading is not at
the view's limit, "from the ankles" precision and recall. A fresh test
beside it: the candidate that counts best on the clips the candidates
were designed on (``DEVELOPED_ON``) is scored on the clips finished since.
Every candidate is also scored on every clip (``pooled``), for reading
only: nothing is chosen on it.

    python benchmarks/generalization.py [--candidates NAME ...] [--markdown OUT.md]
    python benchmarks/generalization.py --plots DIR   # the diagnosis plots
    python benchmarks/generalization.py --landmarks DIR --out NAME  # another model's recordings

Reads the committed landmark recordings (no MediaPipe runs here). Negatives
(issue #21's clips) are not scored: ``accuracy_wide.py`` keeps them.
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager as ContextManager
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.ndimage import median_filter, minimum_filter1d

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import wander_floor, write_outputs
from _wide import (
    COPIES,
    FOLDER,
    per_copy,
    recordings,
    score_recording,
    summarise,
)

import hiprot.reading.filters as filters
import hiprot.reading.foot as foot
import hiprot.reading.geometry as geometry
import hiprot.reading.judgements as judgements
import hiprot.reading.neutral as neutral
import hiprot.reading.position as position
import hiprot.reps as reps
import hiprot.review as review_module
from hiprot import drill
from hiprot.landmarks import Side
from hiprot.reading.series import REVIEW_WINDOW_S, wrap_deg
from hiprot.review import review_pose_frames
from hiprot.sources import open_pose_source

#: The leave-one-out protocols: the manifest field whose levels are held out in turn.
PROTOCOLS = {"leave_one_look_out": "outfit", "leave_one_body_out": "body"}


@contextmanager
def _patched(module: object, **values: object) -> Iterator[None]:
    """Module attributes set to ``values`` for the duration."""
    old = {name: getattr(module, name) for name in values}
    for name, value in values.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in old.items():
            setattr(module, name, value)


def _major_axis_slope(x: np.ndarray, y: np.ndarray) -> float:
    """The foot fit's slope (``foot._huber_slope``: the Huber-weighted
    least-squares regression of the femur ``y`` on the foot ``x``) turned
    into the reduced major axis through the origin, with the same weights:
    ``sign * sqrt(sum w y^2 / sum w x^2)``. A regression on a noisy foot
    shrinks the slope by the two readings' correlation, reading the foot's
    reps short; the major axis does not (and takes no constant)."""
    gain, weights = foot.huber_fit(x, y)
    if gain == 0.0:
        return 0.0
    return float(np.sign(gain) * np.sqrt(np.sum(weights * y * y) / np.sum(weights * x * x)))


#: Every wide clip is rendered at this rate: ``_noise_aware_gain`` is handed
#: no times, and the jitter's window needs the rate.
_SUITE_FPS = 15.0


def _deming_slope(sxx: float, syy: float, sxy: float, ratio: float) -> float:
    """The slope of ``y ~ g x`` through the origin with noise in both
    (Deming regression) from the weighted sums of ``x^2``, ``y^2``, ``x y``;
    ``ratio`` is ``y``'s noise variance over ``x``'s (inf: least squares of
    ``y`` on ``x``, 0: of ``x`` on ``y``)."""
    if sxy == 0.0:
        return 0.0
    if not np.isfinite(ratio):
        return sxy / sxx
    a = syy - ratio * sxx
    return float((a + np.sqrt(a * a + 4.0 * ratio * sxy * sxy)) / (2.0 * sxy))


def _noise_aware_gain(femur_deg: np.ndarray, foot_deg: np.ndarray) -> tuple[float, float]:
    """``foot.foot_gain`` with each Huber iteration's slope an errors-in-both
    (Deming) fit whose noise ratio is the femur's ``jitter_deg`` over the
    foot's, squared: least squares of the femur on a noisy foot shrinks the
    slope by the share of the foot's spread that is noise; this weighs both
    readings' noise, measured, with no constant."""
    x, y = np.asarray(foot_deg, dtype=np.float64), np.asarray(femur_deg, dtype=np.float64)
    t = np.arange(len(x)) / _SUITE_FPS
    jf, jo = filters.jitter_deg(t, y), filters.jitter_deg(t, x)
    ratio = (jf / jo) ** 2 if np.isfinite(jf) and np.isfinite(jo) and jo > 0 else np.inf
    use = np.isfinite(x) & np.isfinite(y) & (np.abs(y) > foot._FOOT_FIT_MIN_FEMUR_DEG)
    x, y = x[use], y[use]

    def slope(x: np.ndarray, y: np.ndarray) -> float:
        weights = np.ones_like(x)
        if len(x) < foot.FOOT_FIT_MIN_FRAMES or not np.any(x):
            return 0.0
        gain = 0.0
        for _ in range(8):
            sums = (np.sum(weights * x * x), np.sum(weights * y * y), np.sum(weights * x * y))
            gain = _deming_slope(*map(float, sums), ratio)
            residual = np.abs(y - gain * x)
            scale = 1.4826 * np.median(residual) + 1e-9
            weights = np.minimum(1.0, 1.5 * scale / np.maximum(residual, 1e-12))
        return gain

    overall = slope(x, y)
    below, above = (slope(x[part], y[part]) for part in (x < 0, x > 0))
    return tuple(g if g * overall > 0 else overall for g in (below, above))


def _jitter_window(seconds: float, min_s: float = 5.0 / 3.0) -> ContextManager[None]:
    """``jitter_deg``'s running median over ``seconds`` (and at least
    ``min_s`` of samples) instead of ``filters.JITTER_WINDOW_S``."""
    return _patched(filters, JITTER_WINDOW_S=seconds, JITTER_MIN_S=min_s)


def _wander_floor(
    window_s: float, ratio: float, jitter_window_s: float | None = None
) -> ContextManager[None]:
    """The rep floor (``judgements.rep_excursion``) at ``ratio`` times the
    drive's ``filters.wander_deg`` over ``window_s`` instead of its jitter
    (docs/generalization.md, "A rep floor that fast reps do not raise")."""
    return _patched(judgements, rep_excursion=wander_floor(window_s, ratio, jitter_window_s))


#: The rep floors on the wander tried (window s, ratio): the tuning study's
#: finalists; and with the mean jitter over a short window beside it (s).
WANDER_FLOORS = ((1.5, 5.0), (3.0, 3.0), (3.0, 3.5), (3.0, 4.0))
WANDER_JITTER_FLOORS = ((1.5, 5.0, 0.5),)


def _readings(series, knees: bool) -> np.ndarray:
    """``(n, channels)``: both feet's readings, and the knees' if ``knees``."""
    channels = [series.legs[s].foot_deg for s in Side]
    if knees:
        channels += [series.legs[s].femur_deg for s in Side]
    return np.stack(channels, 1)


def _feet_still(series):
    """The still start judged on the feet alone, each within
    ``STILL_TOLERANCE_DEG`` (the rule before ``still_period``)."""
    return neutral.find_still_period(series.t_s, _readings(series, knees=False))


def _feet_on_noise_floor(series):
    """The still start judged on the feet alone, each on its noise floor
    (``still_tolerances``)."""
    feet = _readings(series, knees=False)
    tolerance = neutral.still_tolerances(series.t_s, feet)
    return neutral.find_still_period(series.t_s, feet, tolerance_deg=tolerance)


def _still_start(period: Callable) -> ContextManager[None]:
    """Review's still start (the auto-neutral's and the rep floor's) found by
    ``period`` instead."""
    return _patched(review_module, still_period=period)


@contextmanager
def _knee_circles(
    model: str, at45: tuple[float, float], at30: tuple[float, float] | None
) -> Iterator[None]:
    """``model``'s 45° knee circle (phase, spread) set to ``at45``, and its
    30° circle (``geometry.VIEWS_30``) to ``at30`` (None: the 45° one)."""
    views, views_30 = dict(geometry.VIEWS), dict(geometry.VIEWS_30)
    oblique60 = views[model][1]
    geometry.VIEWS[model] = (geometry.CameraView("oblique45", *at45), oblique60)
    geometry.VIEWS_30.pop(model, None)
    if at30 is not None:
        geometry.VIEWS_30[model] = geometry.CameraView("oblique30", *at30)
    try:
        yield
    finally:
        geometry.VIEWS.clear()
        geometry.VIEWS.update(views)
        geometry.VIEWS_30.clear()
        geometry.VIEWS_30.update(views_30)


#: Heavy's knee circles tried by leave-one-out (docs/generalization.md,
#: "Heavy: the legs its reading loses"): the 45° phase, whose tuning-clip
#: grid stopped at the 55° it chose, further round, the 5° spread kept; and
#: the 30° view read on its own circle or on the 45° one.
HEAVY_CIRCLES = {
    f"heavy_45_{p45:g}" + ("" if p30 is None else f"_30_{p30:g}"): (
        (p45, 5.0),
        None if p30 is None else (p30, 5.0),
    )
    for p45 in (55.0, 60.0, 65.0, 70.0)
    for p30 in (None, 45.0, 55.0)
    if (p45, p30) != (55.0, None)
}


def _foot_shows_reps(foot_deg: np.ndarray) -> bool:
    """A fitted foot reading (femur degrees from neutral) reaches a rep's
    excursion (``REP_MIN_EXCURSION_DEG``) both out and in, past its 5th and
    95th percentiles."""
    seen = np.asarray(foot_deg, dtype=np.float64)
    seen = seen[np.isfinite(seen) & (seen != 0.0)]
    if not seen.size:
        return False
    low, high = np.percentile(seen, [5, 95])
    return bool(min(-low, high) >= drill.REP_MIN_EXCURSION_DEG)


_KNEE_TOO_JITTERY = judgements.knee_too_jittery


def _knee_to_a_foot_showing_reps(t_s, femur_deg, foot_deg) -> bool:
    """``judgements.knee_too_jittery``, and the foot shows reps
    (``_foot_shows_reps``): a foot blind to one side of the turn (the near
    foot seen end-on as it turns in) cannot count reps, however steady."""
    return _KNEE_TOO_JITTERY(t_s, femur_deg, foot_deg) and _foot_shows_reps(foot_deg)


def _foot_one_sided(foot_deg: np.ndarray) -> bool:
    """A fitted foot reading reaches a rep's excursion on one side of the
    turn and not the other (``_foot_shows_reps``' percentiles)."""
    seen = np.asarray(foot_deg, dtype=np.float64)
    seen = seen[np.isfinite(seen) & (seen != 0.0)]
    if not seen.size:
        return False
    low, high = np.percentile(seen, [5, 95])
    return (-low >= drill.REP_MIN_EXCURSION_DEG) != (high >= drill.REP_MIN_EXCURSION_DEG)


def _knee_to_a_two_sided_foot(t_s, femur_deg, foot_deg) -> bool:
    """``judgements.knee_too_jittery``, unless the foot reads one side of the
    turn only: a still foot (neither side) still takes a still leg's count."""
    return _KNEE_TOO_JITTERY(t_s, femur_deg, foot_deg) and not _foot_one_sided(foot_deg)


def _reach_over_floor(t_s, angle_deg) -> float:
    """How far a raw reading (``(n,)``) reaches on its shorter side of the
    turn (its smoothed 5th and 95th percentiles; the counter needs both
    sides), over the rep floor its own jitter sets (``rep_excursion``)."""
    smooth = filters.zero_phase(t_s, angle_deg, REVIEW_WINDOW_S)
    if not np.isfinite(smooth).any():
        return 0.0
    low, high = np.nanpercentile(smooth, [5, 95])
    return max(0.0, min(high, -low)) / judgements.rep_excursion(t_s, angle_deg)


def _knee_reaching_less(t_s, femur_deg, foot_deg, at_rest=None) -> bool:
    """``judgements.knee_too_jittery``, and the knee's two-sided reach over
    its own rep floor is no more than the foot's (``_reach_over_floor``):
    a knee that jitters but swings far past its floor with the reps keeps
    the count; a foot that sees one side of the turn reaches nothing."""
    return _KNEE_TOO_JITTERY(t_s, femur_deg, foot_deg, at_rest) and _reach_over_floor(
        t_s, femur_deg
    ) <= _reach_over_floor(t_s, foot_deg)


def _knee_showing_reps(t_s, femur_deg, foot_deg, at_rest=None) -> bool:
    """``_knee_reaching_less``, and a knee that does not reach past its own
    rep floor on both sides for a twentieth of the recording (its 5th and
    95th percentiles: ``_reach_over_floor`` below 1) is no knee to count from:
    lying still, the knee's noise crosses its floor now and then, a rep's
    turns hold past it."""
    knee = _reach_over_floor(t_s, femur_deg)
    return _KNEE_TOO_JITTERY(t_s, femur_deg, foot_deg, at_rest) and (
        knee < 1.0 or knee <= _reach_over_floor(t_s, foot_deg)
    )


_INWARD_ONLY: set[Side] = set()
_ADVANCE = reps.RepCounter._advance
_COUNT = review_module._count
_DRIVE = reps.drive_deg


def _inward_only_advance(self, t: float, d: float):
    """``RepCounter._advance`` on a leg whose drive reads the inward side
    of the turn only (``_INWARD_ONLY``, foot-driven): a rep is a turn in past
    the internal end range and back to neutral; the outward side, unseen,
    is taken as passed when the drive leaves the band inwards."""
    if not (self.foot_driven and self.side in _INWARD_ONLY):
        return _ADVANCE(self, t, d)
    band_in = drill.NEUTRAL_BAND_DEG - self.hysteresis_deg
    band_out = drill.NEUTRAL_BAND_DEG + self.hysteresis_deg
    events = []
    while True:
        if self._phase is reps.Phase.NEUTRAL:
            if d <= band_out:
                return events
            events.append(self._open(t))
            self._phase = reps.Phase.INWARD
            self._attempt.ext_drive_s, self._attempt.ext_femur_deg = t, 0.0
        elif self._phase in (reps.Phase.OUTWARD, reps.Phase.INWARD):
            if d >= self.internal_min_deg:
                self._phase = reps.Phase.END_RANGE
                events.append(reps.RepEvent(reps.RepEventKind.INTERNAL_END_REACHED, self.side, t))
            elif d < band_in:
                events.append(self._drop(t))
            else:
                return events
        else:
            if d >= band_in:
                return events
            events += self._close(t, t)


def _count_inward_only(
    series, calibration, mode, foot_driven, position, pose_model="full", guided_s=None, at_rest=None
):
    """``review._count``, each foot-driven leg whose fitted, smoothed foot
    holds past its rep floor inwards a twentieth of the time (95th
    percentile) and never so outwards (5th) counted on that side alone
    (``_inward_only_advance``)."""
    relative = foot.fit_foot_to_femur(neutral.relative_to_neutral(series, calibration, mode.sides))
    floors = judgements.rep_excursions(relative, foot_driven, at_rest)
    _INWARD_ONLY.clear()
    for side in foot_driven:
        seen = relative.legs[side].foot_deg
        seen = seen[np.isfinite(seen) & (seen != 0.0)]
        if seen.size:
            low, high = np.percentile(seen, [5, 95])
            if high >= floors[side] and -low < floors[side]:
                _INWARD_ONLY.add(side)
    try:
        return _COUNT(
            series, calibration, mode, foot_driven, position, pose_model, guided_s, at_rest
        )
    finally:
        _INWARD_ONLY.clear()


def _symmetric_sides(series):
    """``fit_foot_to_femur``, then each leg's internal side (femur and foot
    above neutral) scaled so that its reading's 95th percentile matches the
    external side's 5th, where the internal side reads the shorter: the
    leg's own out/in asymmetry taken for the knee circle's, which holds
    only for a person whose internal and external ranges are alike."""
    fitted = foot.fit_foot_to_femur(series)

    def scaled(_, a):
        low, high = np.nanpercentile(a.femur_deg, [5, 95])
        if not (high > 0 and -low > high):
            return a
        k = -low / high
        femur = np.where(a.femur_deg > 0, a.femur_deg * k, a.femur_deg)
        foot_ = np.where(a.foot_deg > 0, a.foot_deg * k, a.foot_deg)
        return geometry.LegAngles(femur, foot_, foot_ - femur, a.confidence, a.femur_confidence)

    return fitted.map_legs(scaled)


def _foot_reach_gain(
    t_s: np.ndarray,
    femur_deg: np.ndarray,
    foot_deg: np.ndarray,
    placed: np.ndarray,
    own_reach: bool,
) -> tuple[float, float]:
    """The foot's (below, above) slopes with the femur setting only the
    overall one (``foot.foot_gain``'s, through the neutral): on a leg whose
    knee is too jittery to drive the count, the per-side slopes regressed on
    that knee come out arbitrary. ``own_reach``: each side then scaled to the
    common reach of the raw foot in position (``placed``), the drill turning
    out and in every rep (its 5th and 95th percentiles, where plausible:
    ``foot.plausible_foot``): a side reaching less than its own rep floor
    (``REP_EXCURSION_JITTER_RATIO`` jitters) counts as reaching that far, so
    a side with no motion is not blown up from its noise."""
    x, y = np.asarray(foot_deg, dtype=np.float64), np.asarray(femur_deg, dtype=np.float64)
    use = np.isfinite(x) & np.isfinite(y) & (np.abs(y) > foot._FOOT_FIT_MIN_FEMUR_DEG)
    overall = foot._huber_slope(x[use], y[use])
    # where its overall scale is plausible: a heel and toe flickering far off are no reach
    seen = np.asarray(placed, dtype=bool) & np.isfinite(foot.plausible_foot(y, overall * x))
    if not own_reach or overall == 0.0 or seen.sum() < foot.FOOT_FIT_MIN_FRAMES:
        return overall, overall
    low, high = np.percentile(x[seen], [5, 95])
    noise = judgements.REP_EXCURSION_JITTER_RATIO * filters.jitter_deg(t_s, x)
    noise = noise if np.isfinite(noise) else 0.0
    below, above = max(-low, noise), max(high, noise)
    if not (below > 0.0 and above > 0.0):
        return overall, overall
    reach = max(below, above)
    return overall * reach / below, overall * reach / above


def _refit_feet(refit: Callable) -> ContextManager[None]:
    """Review's count with each leg's fitted angles (image estimator) replaced
    by ``refit(relative, foot_driven, position, side, fitted)``: the angles
    relative to the neutral, ``_count``'s foot-driven legs and position, the
    leg, and ``foot.fit_foot_to_femur``'s angles of it."""

    def counting(series, calibration, mode, foot_driven, position, *args, **kwargs):
        def fit(relative):
            fitted = foot.fit_foot_to_femur(relative)
            if relative.estimator != "image":
                return fitted
            return fitted.map_legs(lambda side, a: refit(relative, foot_driven, position, side, a))

        with _patched(review_module, fit_foot_to_femur=fit):
            return _COUNT(series, calibration, mode, foot_driven, position, *args, **kwargs)

    return _patched(review_module, _count=counting)


def _foot_scaled(raw, fitted, gain: tuple[float, float]):
    """``fitted`` (a leg's ``LegAngles``) with its foot the ``raw`` leg's foot
    scaled by ``gain`` (below, above neutral) instead of ``foot.foot_gain``'s."""
    foot_ = foot.plausible_foot(raw.femur_deg, foot.apply_foot_gain(raw.foot_deg, gain))
    return geometry.LegAngles(
        fitted.femur_deg,
        foot_,
        wrap_deg(foot_ - fitted.femur_deg),
        fitted.confidence,
        fitted.femur_confidence,
    )


def _foot_driven_fit(own_reach: bool) -> ContextManager[None]:
    """Review's count with each foot-driven leg's foot (``_count``'s
    ``foot_driven``, not read from the foot alone already) scaled by
    ``_foot_reach_gain`` instead of ``foot.foot_gain``; every other leg as main."""

    def scaled(relative, foot_driven, position, side, a):
        r = relative.legs[side]
        if side not in foot_driven or foot.flat_femur_sign(r.femur_deg, r.foot_deg):
            return a
        gain = _foot_reach_gain(
            relative.t_s, r.femur_deg, r.foot_deg, position.tracked[side], own_reach
        )
        return _foot_scaled(r, a, gain)

    return _refit_feet(scaled)


def _view_signed(gain: tuple[float, float], view_sign: float, overall: bool) -> tuple[float, float]:
    """``foot.foot_gain``'s slopes with the view's sign where the fit's
    disagrees (``overall``: both sides then take the mean slope's size, the
    fit's sides being mirrored with its sign)."""
    below, above = gain
    if below * view_sign >= 0 and above * view_sign >= 0:
        return gain
    if overall:
        size = (abs(below) + abs(above)) / 2
        return view_sign * size, view_sign * size
    return view_sign * abs(below), view_sign * abs(above)


def _foot_view_sign(overall: bool, flat_too: bool = False) -> ContextManager[None]:
    """Review's count with each foot-driven leg's foot turned by the view
    (docs/generalization.md, "The foot's mirror sign"): the near leg's raw
    foot angle rises with the femur, the far leg's falls; ``foot_gain``'s
    slopes keep their size and take that sign. ``flat_too``: a leg read from
    its foot alone (``foot.flat_femur_sign``) takes it as well. Every other
    leg as main."""

    def signed(relative, foot_driven, position, side, a):
        if relative.near is None:
            return a
        r = relative.legs[side]
        view = 1.0 if side is relative.near else -1.0
        flat = foot.flat_femur_sign(r.femur_deg, r.foot_deg)
        if flat:
            if not flat_too or flat == view:
                return a
            femur = foot_ = view * r.foot_deg
            return geometry.LegAngles(
                femur, foot_, wrap_deg(foot_ - femur), a.confidence, a.femur_confidence
            )
        if side not in foot_driven:
            return a
        return _foot_scaled(
            r, a, _view_signed(foot.foot_gain(r.femur_deg, r.foot_deg), view, overall)
        )

    return _refit_feet(signed)


def _drive_rule(turned_deg: float) -> ContextManager[None]:
    """``reps.drive_deg`` (and so ``judgements.counted_drive``) with the foot
    kept to the femur's side of neutral where the femur has turned
    ``turned_deg`` (main: a rep's excursion; infinite: the drive before,
    any foot further from neutral than the femur)."""
    drive = functools.partial(_DRIVE, turned_deg=turned_deg)
    return _chained(_patched(reps, drive_deg=drive), _patched(judgements, drive_deg=drive))


@contextmanager
def _at_rest(floor: bool, knees: bool) -> Iterator[None]:
    """Review's rounds after the first judge each leg's noise at rest
    (docs/generalization.md, "A rep floor measured at rest"): outside the
    reps the round before counted and the guided move (the spans
    ``neutral_from_rests`` takes the rests from), the running median still
    over the whole drive. ``floor``: the rep floor's jitter
    (``rep_excursions``' ``away_s``); ``knees``: the jittery-knee switch's."""
    away: dict[Side, list[tuple[float, float]]] = {}
    count_with_rests = review_module._count_with_rests
    from_rests = review_module.neutral_from_rests

    def counting(*args, **kwargs):
        away.clear()  # the first round of every recording: today's
        return count_with_rests(*args, **kwargs)

    def retaken(series, calibration, windows, worked=tuple(Side)):
        away.clear()
        away.update(windows)
        return from_rests(series, calibration, windows, worked)

    def excursions(relative, foot_driven, at_rest=None):
        if floor and away:
            at_rest = {side: _outside(relative.t_s, away.get(side, ())) for side in Side}
        return judgements.rep_excursions(relative, foot_driven, at_rest)

    def jittery(raw, calibration, worked=tuple(Side)):
        if not (knees and away):
            return judgements.jittery_knees(raw, calibration, worked)
        relative = foot.fit_foot_to_femur(neutral.relative_to_neutral(raw, calibration, worked))
        return frozenset(
            side
            for side in worked
            if judgements.knee_too_jittery(
                relative.t_s,
                relative.legs[side].femur_deg,
                relative.legs[side].foot_deg,
                _outside(relative.t_s, away.get(side, ())),
            )
        )

    with _patched(
        review_module,
        _count_with_rests=counting,
        neutral_from_rests=retaken,
        rep_excursions=excursions,
        jittery_knees=jittery,
    ):
        yield


def _outside(t_s: np.ndarray, spans_s: Sequence[tuple[float, float]]) -> np.ndarray:
    """``(n,)`` bool: the times ``t_s`` outside every (start_s, end_s) span."""
    t = np.asarray(t_s, dtype=np.float64)
    out = np.ones(t.shape, dtype=bool)
    for start_s, end_s in spans_s:
        out &= (t < start_s) | (t > end_s)
    return out


def _at_neutral(t_s, drive_deg, sample: bool = False, settled: bool = False) -> np.ndarray | None:
    """``(n,)`` bool: the samples at which a leg rests at neutral by the
    drill's own definition, found from the drive without the count: its
    running median over ``filters.JITTER_WINDOW_S`` (the one ``jitter_deg``
    takes residuals from) within ``REP_MIN_EXCURSION_DEG`` of neutral,
    which a rep must pass. ``sample``: the sample itself inside too;
    ``settled``: only where the median stays inside over the whole window
    around the sample (a turn's first samples, before the median follows
    it, are not rest). None where the rate is unknown."""
    rate = filters.sample_rate_hz(t_s)
    if not np.isfinite(rate):
        return None
    v = np.asarray(drive_deg, dtype=np.float64)
    finite = np.isfinite(v)
    window = max(3, round(filters.JITTER_WINDOW_S * rate) | 1)
    median = np.full(v.shape, np.nan)
    if finite.any():
        median[finite] = median_filter(v[finite], window, mode="nearest")
    rest = np.abs(median) <= drill.REP_MIN_EXCURSION_DEG
    if sample:
        rest &= np.abs(v) <= drill.REP_MIN_EXCURSION_DEG
    if settled:
        rest = minimum_filter1d(rest.astype(np.uint8), window, mode="constant").astype(bool)
    return rest


def _neutral_floor(sample: bool = False, settled: bool = False) -> ContextManager[None]:
    """Each leg's rep floor (``rep_excursions``) from the drive's jitter over
    the samples at which it rests at neutral (``_at_neutral``), where there
    are as many as the jitter needs, else over all as today
    (docs/generalization.md, "A rep floor at neutral, found without the
    count"). Found from the drive of each count alone: no round's reps move
    the next round's floor."""

    def excursions(relative, foot_driven, at_rest=None):
        floors = {}
        for side, leg in relative.legs.items():
            drive = judgements.counted_drive(leg.femur_deg, leg.foot_deg, side in foot_driven)
            at = _at_neutral(relative.t_s, drive, sample, settled)
            floors[side] = judgements.rep_excursion(relative.t_s, drive, at)
        return floors

    return _patched(review_module, rep_excursions=excursions)


def _leg_share_rule(reference: Callable[[Sequence[reps.Sweeps]], float | None]):
    """A "from the ankles" rule (``reps.from_the_ankles``) that judges a rep's
    femur share of the foot's turn (the sweeps' ratio) against the leg's own
    hip share, ``reference`` of its earlier reps, instead of a fixed margin:
    twist more than the drill's ratio times the femur, on a rep turned with
    the foot, is a foot sweep above ``1 + ratio`` times the femur's in the
    leg's hip-rep scale. Whatever the foot fit's gain on this leg (an
    ankle-heavy set pulls it short), the leg's hip reps carry it too. A
    leg's first rep has no earlier reps: ``main``'s rule."""

    def rule(rep: reps.Sweeps, earlier: Sequence[reps.Sweeps] = ()) -> bool:
        seen = [e for e in earlier if e.foot_deg > 0.0]
        share = reference(seen) if seen else None
        if share is None:
            return _MAIN_FROM_THE_ANKLES(rep, earlier)
        return (
            rep.twist_deg >= drill.COMPENSATION_MIN_TWIST_DEG
            and (1.0 + drill.COMPENSATION_TWIST_TO_FEMUR_RATIO) * rep.femur_deg
            < share * rep.foot_deg
        )

    return rule


_MAIN_FROM_THE_ANKLES = reps.from_the_ankles


def _biggest_femur_share(earlier: Sequence[reps.Sweeps]) -> float:
    """The hip share of the leg's earlier rep whose femur turned the most:
    the most hip-driven turn, read at the femur's best signal to noise."""
    hip = max(earlier, key=lambda e: e.femur_deg)
    return hip.femur_deg / hip.foot_deg


def _pooled_share(earlier: Sequence[reps.Sweeps]) -> float:
    """The leg's femur/foot gain over all its earlier reps (their sweeps summed)."""
    return sum(e.femur_deg for e in earlier) / sum(e.foot_deg for e in earlier)


def _two_biggest_femurs_share(earlier: Sequence[reps.Sweeps]) -> float | None:
    """The lower hip share of the leg's two earlier reps whose femur turned
    most: one rep whose femur read a spike (as on the noisy synthetic
    legs) cannot set the scale alone. None before two reps."""
    if len(earlier) < 2:
        return None
    return min(e.femur_deg / e.foot_deg for e in sorted(earlier, key=lambda e: e.femur_deg)[-2:])


def _hip_median_share(earlier: Sequence[reps.Sweeps]) -> float | None:
    """The median hip share of the leg's earlier reps that main's rule
    calls hip-driven (None without one)."""
    hip = [e.femur_deg / e.foot_deg for e in earlier if not _MAIN_FROM_THE_ANKLES(e)]
    return float(np.median(hip)) if hip else None


def _leg_scaled_twist_rule(reference: Callable[[Sequence[reps.Sweeps]], float | None]):
    """Main's rule, margin and all, on the twist the rep would read with its
    foot at the leg's hip-rep scale ``s`` (``reference`` of its earlier
    reps): the foot ``s`` times as far, so the twist (foot minus femur)
    sweeps about ``s x twist + (s - 1) x femur``. At ``s = 1`` (a foot read
    true) it is main's rule; without a reference, main's rule."""

    def rule(rep: reps.Sweeps, earlier: Sequence[reps.Sweeps] = ()) -> bool:
        seen = [e for e in earlier if e.foot_deg > 0.0]
        s = reference(seen) if seen else None
        if s is None:
            return _MAIN_FROM_THE_ANKLES(rep, earlier)
        twist = s * rep.twist_deg + (s - 1.0) * rep.femur_deg
        return _MAIN_FROM_THE_ANKLES(reps.Sweeps(rep.femur_deg, s * rep.foot_deg, twist))

    return rule


def _in_step_share(ratio: float) -> Callable[[Sequence[reps.Sweeps]], float | None]:
    """The median hip share of the leg's earlier reps whose femur and foot
    swept in step: main's rule calls them hip-driven, the twist swept less
    than the larger of the two (turned the same way: against each other it
    sweeps about their sum) and the foot swept within ``ratio`` times the
    femur either way (a femur spike, or a foot that barely turned, shows
    no scale). None without one: the leg keeps main's rule."""

    def reference(earlier: Sequence[reps.Sweeps]) -> float | None:
        shares = [
            e.femur_deg / e.foot_deg
            for e in earlier
            if not _MAIN_FROM_THE_ANKLES(e)
            and e.twist_deg < max(e.femur_deg, e.foot_deg)
            and e.femur_deg / ratio <= e.foot_deg <= ratio * e.femur_deg
        ]
        return float(np.median(shares)) if shares else None

    return reference


@contextmanager
def _chained(*managers: ContextManager[None]) -> Iterator[None]:
    with ExitStack() as stack:
        for manager in managers:
            stack.enter_context(manager)
        yield


#: The readings the protocol chooses between, each a context manager that
#: sets hiprot up that way: today's hiprot first (the baseline: it wins
#: ties, and every fold scores it beside the chosen one), then the changes
#: tried for the webcam copies (docs/generalization.md), each main with one
#: change (or two), and the still period judged as before ``still_period``.
#: How far apart a hip rep's foot and femur sweeps may be (either way) for
#: the rep to set its leg's scale (``_in_step_share``), the values read on
#: the synthetic tuning seeds (docs/generalization.md).
IN_STEP_RATIOS = (1.5, 2.0, 3.0)

CANDIDATES: dict[str, Callable[[], ContextManager[None]]] = {
    "main": nullcontext,
    "major_axis_foot": lambda: _patched(foot, _huber_slope=_major_axis_slope),
    # docs/generalization.md, "Foot-driven legs and the far knee's inward
    # side": the knee hands the count only to a foot that reads both sides
    # of the turn ...
    "foot_shows_reps": lambda: _patched(judgements, knee_too_jittery=_knee_to_a_foot_showing_reps),
    # ... or to any foot but one that reads one side only ...
    "foot_not_one_sided": lambda: _patched(judgements, knee_too_jittery=_knee_to_a_two_sided_foot),
    # ... or to a foot that reaches further past its own rep floor than the knee
    "knee_by_reach": lambda: _patched(judgements, knee_too_jittery=_knee_reaching_less),
    # ... only where the knee's turns hold past its own floor on both sides
    "knee_showing_reps": lambda: _patched(judgements, knee_too_jittery=_knee_showing_reps),
    # ... or a foot-driven leg whose foot reads the inward side only counted on that side
    "inward_only_foot": lambda: _chained(
        _patched(review_module, _count=_count_inward_only),
        _patched(reps.RepCounter, _advance=_inward_only_advance),
    ),
    # ... the foot fit with both readings' noise weighed ...
    "noise_aware_foot": lambda: _patched(foot, foot_gain=_noise_aware_gain),
    # ... and each leg's internal side scaled to its external side's reach
    "symmetric_sides": lambda: _patched(review_module, fit_foot_to_femur=_symmetric_sides),
    # docs/generalization.md, "A foot-driven leg's foot by its own reach":
    # the jittery knee sets only the foot's overall slope, not its sides'
    "foot_overall_gain": lambda: _foot_driven_fit(own_reach=False),
    "foot_own_reach": lambda: _foot_driven_fit(own_reach=True),
    # docs/generalization.md, "The foot's mirror sign": the foot-driven
    # leg's foot takes the view's sign (near +, far -) where the fit's disagrees
    "foot_view_sign": lambda: _foot_view_sign(overall=False),
    "foot_view_sign_overall": lambda: _foot_view_sign(overall=True),
    "foot_view_sign_flat_too": lambda: _foot_view_sign(overall=False, flat_too=True),
    # docs/generalization.md, "A foot flicking against the femur": the drive
    # before (any foot further from neutral than the femur), and the foot
    # kept to the femur's side wherever the femur is past the neutral band
    "drive_any_foot": lambda: _drive_rule(math.inf),
    "drive_agrees": lambda: _drive_rule(drill.NEUTRAL_BAND_DEG),
    # the foot against a femur out of the band drives once it has stayed
    # (reps.FOOT_FLICK_S; main before it: flick_0s)
    "flick_0s": lambda: _patched(reps, FOOT_FLICK_S=0.0),
    "flick_0.2s": lambda: _patched(reps, FOOT_FLICK_S=0.2),
    "flick_0.4s": lambda: _patched(reps, FOOT_FLICK_S=0.4),
    # the jitter's window and the ratios that use it (docs/generalization.md,
    # "The jitter's window in seconds"): the reading before (31 samples,
    # 2 s at the suite's 15 frames/s), the suite's earlier choice, one change each
    "window_31_samples": lambda: _chained(
        _jitter_window(31 / 15, 50 / 15),
        _patched(judgements, REP_EXCURSION_JITTER_RATIO=3.0, KNEE_JITTER_RATIO=1.5),
    ),
    "jitter_1s+floor_4": lambda: _chained(
        _jitter_window(1.0),
        _patched(judgements, REP_EXCURSION_JITTER_RATIO=4.0, KNEE_JITTER_RATIO=1.5),
    ),
    "jitter_1s": lambda: _jitter_window(1.0),
    "floor_3": lambda: _patched(judgements, REP_EXCURSION_JITTER_RATIO=3.0),
    "knee_1.5": lambda: _patched(judgements, KNEE_JITTER_RATIO=1.5),
    "band_1": lambda: _patched(judgements, HOLD_JITTER_RATIO=1.0),  # the band before
    "feet_still": lambda: _still_start(_feet_still),
    "feet_still_on_noise_floor": lambda: _still_start(_feet_on_noise_floor),
    "no_steady_entry": lambda: _patched(
        position, CRITERIA=replace(position.CRITERIA, steady_min_deg=position.CRITERIA.thigh_deg[0])
    ),
    # docs/generalization.md, "A rep floor measured at rest": the noise of
    # each leg judged where the round before found it at rest
    "rest_floor": lambda: _at_rest(floor=True, knees=False),
    "rest_knee": lambda: _at_rest(floor=False, knees=True),
    # ... and where the leg rests at neutral by the drill's own definition,
    # found from the drive without the count (no round feeds the next)
    "neutral_floor": _neutral_floor,
    "neutral_floor_samples": lambda: _neutral_floor(sample=True),
    "neutral_floor_settled": lambda: _neutral_floor(settled=True),
    # ... and on the auto-neutral's still period, found before any counting
    # (docs/generalization.md, "A rep floor on the still start"), or with the setup before it
    **{f"wander_{w:g}s_x{r:g}": (lambda w=w, r=r: _wander_floor(w, r)) for w, r in WANDER_FLOORS},
    **{
        f"wander_{w:g}s_x{r:g}+jitter_{j:g}s": (lambda w=w, r=r, j=j: _wander_floor(w, r, j))
        for w, r, j in WANDER_JITTER_FLOORS
    },
    **{
        name: (lambda at45=at45, at30=at30: _knee_circles("heavy", at45, at30))
        for name, (at45, at30) in HEAVY_CIRCLES.items()
    },
    # "from the ankles" judged against the leg's own hip share
    # (docs/generalization.md, "From the ankles, rep by rep")
    "ankles_biggest_femur": lambda: _patched(
        reps, from_the_ankles=_leg_share_rule(_biggest_femur_share)
    ),
    "ankles_pooled_gain": lambda: _patched(reps, from_the_ankles=_leg_share_rule(_pooled_share)),
    # ... against a reference one noisy rep cannot carry (docs/generalization.md,
    # "From the ankles: a reference one noisy rep cannot carry")
    "ankles_two_biggest_femurs": lambda: _patched(
        reps, from_the_ankles=_leg_share_rule(_two_biggest_femurs_share)
    ),
    "ankles_hip_median": lambda: _patched(reps, from_the_ankles=_leg_share_rule(_hip_median_share)),
    # ... or main's margin kept, on the twist read at that scale
    "ankles_scaled_twist": lambda: _patched(
        reps, from_the_ankles=_leg_scaled_twist_rule(_two_biggest_femurs_share)
    ),
    # ... with the scale taken only from hip reps whose femur and foot swept in
    # step (docs/generalization.md, "From the ankles: the scale of reps in step")
    **{
        f"ankles_in_step_x{k:g}": (
            lambda k=k: _patched(reps, from_the_ankles=_leg_scaled_twist_rule(_in_step_share(k)))
        )
        for k in IN_STEP_RATIOS
    },
}
BASELINE = next(iter(CANDIDATES))


def training_score(rows: Sequence[dict]) -> tuple[int, int, int, int]:
    """What a fold's candidate is chosen by, on its training clips: counts,
    held verdicts, then "from the ankles" flags right minus flags wrong
    (readings that count alike differ only there)."""
    s = summarise(rows)
    right = sum(r["ankles_right"] for r in rows)
    wrong = sum(r["ankles_flagged"] for r in rows) - right
    return s["count_exact"], s["count_within_one"], s["held_clear_right"], right - wrong


def brief(rows: Sequence[dict]) -> dict[str, dict]:
    """per_copy() without the splits: all and the 45° set, per copy."""
    return {
        copy: {k: v for k, v in result.items() if k in ("all", "done_when_45deg")}
        for copy, result in per_copy(rows).items()
    }


def leave_one_out(scored: dict[str, list[dict]], field: str, candidates: Sequence[str]) -> dict:
    """Each level of ``field`` held out in turn: the candidate chosen on the
    other levels, and its held-out rows beside today's."""
    levels = sorted({r[field] for r in scored[candidates[0]]}, key=str)
    folds, chosen_rows = [], []
    for level in levels:
        train = {c: [r for r in scored[c] if r[field] != level] for c in candidates}
        scores = {c: training_score(train[c]) for c in candidates}
        best = max(candidates, key=lambda c: (scores[c], -candidates.index(c)))
        held = [{**r, "chosen": best} for r in scored[best] if r[field] == level]
        chosen_rows += held
        folds.append(
            {
                "held_out": str(level),
                "chosen": best,
                "training": {
                    c: dict(zip(("exact", "within_one", "held", "ankles"), s))
                    for c, s in scores.items()
                },
                "baseline": brief([r for r in scored[BASELINE] if r[field] == level]),
                "chosen_reading": brief(held),
            }
        )
    return {
        "field": field,
        "folds": folds,
        "held_out": {"baseline": per_copy(scored[BASELINE]), "chosen": per_copy(chosen_rows)},
    }


#: The clips whose plots the candidates were designed looking at (the
#: diagnosis in docs/generalization.md); clips finished after them are a
#: fresh test: a reading chosen on these alone is scored there.
DEVELOPED_ON = tuple(f"w{k:02d}" for k in range(1, 12))


def fresh_test(scored: dict[str, list[dict]], candidates: Sequence[str]) -> dict | None:
    """The candidate chosen on the developed clips (``DEVELOPED_ON``),
    scored on the clips finished since, beside the baseline."""
    developed = {c: [r for r in scored[c] if r["clip"][:3] in DEVELOPED_ON] for c in candidates}
    fresh = {c: [r for r in scored[c] if r["clip"][:3] not in DEVELOPED_ON] for c in candidates}
    if not fresh[BASELINE] or not developed[BASELINE]:
        return None
    scores = {c: training_score(developed[c]) for c in candidates}
    best = max(candidates, key=lambda c: (scores[c], -candidates.index(c)))
    return {
        "developed_on": sorted({r["clip"] for r in developed[BASELINE]}),
        "fresh": sorted({r["clip"] for r in fresh[BASELINE]}),
        "chosen": best,
        "baseline": brief(fresh[BASELINE]),
        "chosen_reading": brief(fresh[best]),
        "every_candidate": {c: brief(fresh[c]) for c in candidates},
    }


def score(
    candidates: Sequence[str], folder: Path, landmarks: Path | None = None
) -> dict[str, list[dict]]:
    """Every session-leg under every candidate (the recordings in
    ``landmarks`` if given, else ``folder``'s)."""
    clips = list(recordings(folder, landmarks))
    if not clips:
        raise SystemExit(f"{folder}: no drill recordings with truth")
    scored = {}
    for name in candidates:
        with CANDIDATES[name]():
            scored[name] = [row for clip in clips for row in score_recording(*clip)]
        print(f"{name}: {_line(scored[name])}", flush=True)
    return scored


def _line(rows: Sequence[dict]) -> str:
    parts = []
    for copy in COPIES:
        s = summarise([r for r in rows if r["copy"] == copy])
        parts.append(
            f"{copy} exact {s['count_exact']}/{s['session_legs']} within one "
            f"{s['count_within_one']} held {s['held_clear_right']}/{s['held_clear_reps']} "
            f"peak MAE {s['peak_internal_mae_deg']}"
        )
    return "; ".join(parts)


def plot_recording(name: str, copy: str, truth: dict, rec: Path, out_dir: Path) -> Path:
    """The diagnosis plot of one recording as review reads it: per worked
    leg, the femur and fitted foot readings from neutral against the
    truth's, the true reps (grey) and the counted ones (orange held, red
    not), the rep floor (dashed) and the frames out of position (a red
    strip at the bottom)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hiprot.reading.judgements import hold_bands, rep_excursions

    legs = [leg for leg, c in truth["legs"].items() if c["reps"] > 0]
    with open_pose_source(rec) as source:
        frames = list(source.frames)
        size_wh = (source.info.width, source.info.height)
        model = source.info.landmark_model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        review = review_pose_frames(
            frames, name, "both" if len(legs) == 2 else legs[0], size_wh=size_wh, pose_model=model
        )
    relative = review.series
    bands, floors = hold_bands(relative), rep_excursions(relative, review.foot_driven)
    t_true = np.asarray(truth["frames"]["t"])
    fig, axes = plt.subplots(len(legs), 1, figsize=(14, 3.6 * len(legs)), squeeze=False)
    for ax, leg in zip(axes[:, 0], legs):
        side = Side(leg)
        femur = np.asarray(truth["frames"][leg]["femur_deg"])
        ax.plot(t_true, femur, "k-", lw=2, label="true femur")
        ax.plot(t_true, femur + truth["frames"][leg]["twist_deg"], "k:", lw=1, label="true foot")
        ax.plot(relative.t_s, relative.legs[side].femur_deg, "b-", lw=1, label="femur")
        ax.plot(relative.t_s, relative.legs[side].foot_deg, "g-", lw=1, label="foot (fitted)")
        for rep in truth["reps"]:
            if rep["leg"] == leg:
                ax.axvspan(rep["start_s"], rep["end_s"], color="0.5", alpha=0.12)
        for rep in review.reps:
            if rep.leg is side:
                color = "orange" if rep.held else "red"
                ax.axvspan(rep.start_s, rep.end_s, ymin=0.92, color=color, alpha=0.7)
        out = ~review.position.in_position[side] if review.position else None
        if out is not None:
            ax.fill_between(relative.t_s, -60, -56, where=out, color="red", alpha=0.6)
        for y in (floors[side], -floors[side]):
            ax.axhline(y, color="m", ls="--", lw=0.8)
        counted = sum(rep.leg is side for rep in review.reps)
        still_from = review.calibration.setup.get("still_from_s")
        neutral_from = "-" if still_from is None else f"{still_from:.1f}"
        driven = ", foot-driven" if side in review.foot_driven else ""
        ax.set_title(
            f"{name} {copy} {leg}: {counted} of {truth['legs'][leg]['reps']} reps{driven}, "
            f"rep floor {floors[side]:.1f}°, hold band {bands[side]:.1f}°, neutral from "
            f"{neutral_from} s",
            fontsize=9,
        )
        ax.set_ylim(-60, 70)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", fontsize=7, ncol=4)
    fig.tight_layout()
    path = out_dir / f"{name}-{copy}.png"
    fig.savefig(path, dpi=70)
    plt.close(fig)
    return path


def _cells(s: dict) -> list[str]:
    def pct(x: float | None) -> str:
        return "-" if x is None else f"{x:.0%}"

    mae = s["peak_internal_mae_deg"]
    return [
        f"{s['count_exact']}/{s['session_legs']}",
        f"{s['count_within_one']}/{s['session_legs']}",
        f"{s['held_clear_right']}/{s['held_clear_reps']}",
        "-" if mae is None else f"{mae}° ({s['peak_internal_scored']})",
        f"{pct(s['ankles_precision'])} / {pct(s['ankles_recall'])}",
    ]


def _span(values: list[float] | None, percent: bool = True) -> str:
    if values is None:
        return "-"
    return " / ".join(f"{v:.0%}" if percent else f"{v:g}°" for v in values)


def markdown(results: dict) -> str:
    """The held-out tables of docs/generalization.md, from the results."""
    head = (
        "| protocol | reading | copy | count exact | within one | held, clear holds "
        "| peak internal MAE (scored) | from the ankles P / R |\n|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for name, protocol in results["protocols"].items():
        for which in ("baseline", "chosen"):
            for copy, s in protocol["held_out"][which].items():
                label = results["baseline"] if which == "baseline" else "chosen per fold"
                for subset, key in (("", "all"), (", 45° only", "done_when_45deg")):
                    cells = _cells(s[key])
                    lines.append(
                        f"| {name.replace('_', ' ')} | {label} | {copy}{subset} | "
                        + " | ".join(cells)
                        + " |"
                    )
    lines += [
        "",
        "| protocol | fold held out | chosen on the others |",
        "|---|---|---|",
    ]
    for name, protocol in results["protocols"].items():
        for fold in protocol["folds"]:
            lines.append(f"| {name.replace('_', ' ')} | {fold['held_out']} | {fold['chosen']} |")
    lines += [
        "",
        "| reading, copy | spread over | count exact | within one | held, clear "
        "| peak MAE (min / median / max) |",
        "|---|---|---|---|---|---|",
    ]
    held = results["protocols"]["leave_one_look_out"]["held_out"]
    for which in ("baseline", "chosen"):
        for copy, s in held[which].items():
            for field, sp in s["spread"].items():
                lines.append(
                    f"| {which}, {copy} | {field} ({len(s['by'][field])}) | "
                    f"{_span(sp['count_exact_rate'])} | {_span(sp['count_within_one_rate'])} | "
                    f"{_span(sp['held_clear_rate'])} | "
                    f"{_span(sp['peak_internal_mae_deg'], percent=False)} |"
                )
    fresh = results.get("fresh_test")
    if fresh:
        lines += [
            "",
            f"Fresh test: chosen on {', '.join(fresh['developed_on'])} "
            f"(**{fresh['chosen']}**), scored on {', '.join(fresh['fresh'])}:",
            "",
            "| reading | copy | count exact | within one | held, clear holds "
            "| peak internal MAE (scored) | from the ankles P / R |",
            "|---|---|---|---|---|---|---|",
        ]
        for candidate, copies in fresh["every_candidate"].items():
            for copy, s in copies.items():
                lines.append(f"| {candidate} | {copy} | " + " | ".join(_cells(s["all"])) + " |")
    lines += [
        "",
        "| reading | copy | count exact | within one | held, clear holds "
        "| peak internal MAE (scored) | from the ankles P / R |",
        "|---|---|---|---|---|---|---|",
    ]
    for candidate, copies in results["pooled"].items():
        for copy, s in copies.items():
            lines.append(f"| {candidate} | {copy} | " + " | ".join(_cells(s["all"])) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=FOLDER, help="the truth (and recordings)")
    parser.add_argument(
        "--landmarks",
        type=Path,
        help="score the recordings in this folder instead (e.g. another pose model's)",
    )
    parser.add_argument(
        "--candidates", nargs="+", choices=list(CANDIDATES), default=list(CANDIDATES)
    )
    parser.add_argument("--out", default="generalization", help="results file name")
    parser.add_argument("--markdown", type=Path, help="also write the tables as markdown here")
    parser.add_argument(
        "--plots", type=Path, help="only draw each recording's diagnosis plot (main) here"
    )
    args = parser.parse_args(argv)
    if args.plots:
        args.plots.mkdir(parents=True, exist_ok=True)
        for clip in recordings(args.folder, args.landmarks):
            print(f"wrote {plot_recording(*clip, args.plots)}", flush=True)
        return
    candidates = [BASELINE, *(c for c in args.candidates if c != BASELINE)]
    for folder in (args.folder, args.landmarks):
        if folder is not None and not folder.is_dir():
            raise SystemExit(f"{folder}: no such folder")
    scored = score(candidates, args.folder, args.landmarks)
    results = {
        "held_out": True,
        "clips": sorted({r["clip"] for r in scored[BASELINE]}),
        "baseline": BASELINE,
        "candidates": candidates,
        "choose_by": "count exact, then within one, then held verdicts (clear), "
        "then from-the-ankles flags right minus wrong, on the training folds, "
        "clean and webcam together; ties keep the earlier candidate",
        "protocols": {
            name: leave_one_out(scored, field, candidates) for name, field in PROTOCOLS.items()
        },
        "fresh_test": fresh_test(scored, candidates),
        "pooled": {c: brief(rows) for c, rows in scored.items()},
        **({"landmarks": str(args.landmarks)} if args.landmarks else {}),
        "session_legs": [
            {**r, "reps_measured": {c: scored[c][i]["reps_measured"] for c in candidates}}
            for i, r in enumerate(scored[BASELINE])
        ],
    }
    for name, protocol in results["protocols"].items():
        chosen = [f["chosen"] for f in protocol["folds"]]
        print(f"{name}: chosen per fold {chosen}")
        for which in ("baseline", "chosen"):
            for copy, s in protocol["held_out"][which].items():
                a = s["all"]
                print(
                    f"  {which:6s} {copy:6s} exact {a['count_exact']}/{a['session_legs']} "
                    f"within one {a['count_within_one']} held {a['held_clear_right']}/"
                    f"{a['held_clear_reps']} peak MAE {a['peak_internal_mae_deg']} "
                    f"ankles P/R {a['ankles_precision']}/{a['ankles_recall']}"
                )
    fresh = results["fresh_test"]
    if fresh:
        print(f"fresh test on {fresh['fresh']}: chosen on the developed clips {fresh['chosen']}")
        for c, copies in fresh["every_candidate"].items():
            print(f"  {c}: {_line([r for r in scored[c] if r['clip'] in fresh['fresh']])}")
    write_outputs(args.out, results, args.markdown, markdown)


if __name__ == "__main__":
    main()
