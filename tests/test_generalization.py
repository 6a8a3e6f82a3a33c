"""benchmarks/generalization.py cannot flatter: a fold's reading is chosen on
the other folds only, and the measures count what they say."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import generalization  # noqa: E402  (benchmarks/ is not a package)


def leg(outfit: str, true: int, measured: int, copy: str = "clean", **kw) -> dict:
    return {
        "clip": f"{outfit}-clip",
        "copy": copy,
        "leg": "left",
        "side": "near",
        "outfit": outfit,
        "body": "base",
        "azimuth_deg": 45.0,
        "height": "floor",
        "distance_m": 3.0,
        "reps_true": true,
        "reps_measured": measured,
        "held_clear_right": kw.get("held", 0),
        "held_clear_reps": kw.get("clear", 0),
        "held_clear_true": kw.get("clear_true", kw.get("clear", 0)),
        "peak_internal_true": 30.0,
        "peak_internal_measured": kw.get("peak"),
        "peak_internal_capped": kw.get("capped", False),
        "ankles_true": kw.get("ankles_true", 0),
        "ankles_flagged": kw.get("ankles_flagged", 0),
        "ankles_right": kw.get("ankles_right", 0),
        "in_position_fraction": kw.get("in_position"),
    }


def test_a_fold_is_chosen_on_the_other_folds_only() -> None:
    # "b" is perfect on the dark look and wrong on every other: held out
    # dark, "main" wins on the others and is what dark is scored with
    scored = {
        "main": [leg("dark", 6, 4), leg("shorts", 6, 6), leg("socks", 5, 5)],
        "b": [leg("dark", 6, 6), leg("shorts", 6, 3), leg("socks", 5, 2)],
    }
    result = generalization.leave_one_out(scored, "outfit", ["main", "b"])
    chosen = {fold["held_out"]: fold["chosen"] for fold in result["folds"]}
    assert chosen["dark"] == "main"
    held = result["held_out"]["chosen"]["clean"]["all"]
    assert (held["count_exact"], held["session_legs"]) == (2, 3)  # dark stays 4/6


def test_ties_keep_the_earlier_candidate() -> None:
    scored = {
        "main": [leg("dark", 6, 6), leg("shorts", 6, 6)],
        "b": [leg("dark", 6, 6), leg("shorts", 6, 6)],
    }
    result = generalization.leave_one_out(scored, "outfit", ["main", "b"])
    assert {fold["chosen"] for fold in result["folds"]} == {"main"}


def test_the_measures_count_what_they_say() -> None:
    rows = [
        leg("dark", 6, 6, held=3, clear=4, peak=24.0),
        leg("dark", 6, 7, held=2, clear=2, peak=50.0, capped=True),  # at the view's limit
        leg("shorts", 6, 3, peak=None, ankles_true=2, ankles_flagged=1, ankles_right=1),
    ]
    s = generalization.summarise(rows)
    assert (s["count_exact"], s["count_within_one"]) == (1, 2)
    assert (s["held_clear_right"], s["held_clear_reps"]) == (5, 6)
    assert (s["peak_internal_mae_deg"], s["peak_internal_scored"]) == (6.0, 1)
    assert (s["ankles_precision"], s["ankles_recall"]) == (1.0, 0.5)


def test_a_candidate_leaves_hiprot_as_it_was() -> None:
    import hiprot.reading.filters as filters
    import hiprot.reading.foot as foot
    import hiprot.reading.geometry as geometry
    import hiprot.reading.judgements as judgements
    import hiprot.reps as reps
    import hiprot.review as review
    from hiprot import drill

    def state() -> tuple:
        return (
            filters.JITTER_WINDOW_S,
            review.still_period,
            judgements.REP_EXCURSION_JITTER_RATIO,
            judgements.KNEE_JITTER_RATIO,
            judgements.HOLD_JITTER_RATIO,
            judgements.rep_excursion,
            dict(geometry.VIEWS),
            dict(geometry.VIEWS_30),
            judgements.knee_too_jittery,
            foot.foot_gain,
            review.fit_foot_to_femur,
            review._count,
            review._count_with_rests,
            review.neutral_from_rests,
            review.rep_excursions,
            review.jittery_knees,
            reps.RepCounter._advance,
            reps.drive_deg,
            reps.FOOT_FLICK_S,
            judgements.drive_deg,
        )

    before = state()
    for name, candidate in generalization.CANDIDATES.items():
        with candidate():
            pass
        assert state() == before, name
    with generalization.CANDIDATES["window_31_samples"]():
        # the reading before: 31 samples at the suite's 15 frames/s
        assert round(filters.JITTER_WINDOW_S * 15) == 31
        assert (judgements.REP_EXCURSION_JITTER_RATIO, judgements.KNEE_JITTER_RATIO) == (3.0, 1.5)
    t = np.arange(200) / 30
    jittery = [0.0, 4.0] * 100
    jitter = filters.jitter_deg(t, jittery)
    with generalization.CANDIDATES["band_1"]():
        assert judgements.hold_band(t, jittery) == pytest.approx(drill.HOLD_TOLERANCE_DEG + jitter)
    assert judgements.hold_band(t, jittery) == pytest.approx(
        drill.HOLD_TOLERANCE_DEG + 1.5 * jitter
    )
    with pytest.raises(ZeroDivisionError), generalization.CANDIDATES["jitter_1s"]():
        assert filters.JITTER_WINDOW_S == 1.0
        _ = 1 / 0  # an error inside still puts it back
    assert filters.JITTER_WINDOW_S == before[0]


def test_a_wander_floor_candidate_sets_the_rep_floor_from_the_wander() -> None:
    """``WANDER_FLOORS``: the rep floor is the ratio times the drive's
    ``wander_deg`` over the window, 10° at least; fast reps raise main's
    floor and not the candidate's; main's floor is back afterwards."""
    import hiprot.reading.filters as filters
    import hiprot.reading.judgements as judgements
    from hiprot import drill

    t = np.arange(0.0, 40.0, 1 / 15)
    p = t % 4.0  # reps every 4 s: out to -40° and back, in to +20° and back, 0.6 s turns
    reps = np.where(p < 1.2, -40.0 * np.sin(np.pi * p / 1.2), 0.0)
    reps = np.where((p >= 1.2) & (p < 2.4), 20.0 * np.sin(np.pi * (p - 1.2) / 1.2), reps)
    noise = np.random.default_rng(1).normal(0.0, 4.0, len(t))
    assert judgements.rep_excursion(t, reps) > 15.0
    with generalization.CANDIDATES["wander_1.5s_x5"]():
        assert judgements.rep_excursion(t, reps) == drill.REP_MIN_EXCURSION_DEG
        assert judgements.rep_excursion(t, noise) == pytest.approx(
            5.0 * filters.wander_deg(t, noise, 1.5)
        )
        assert judgements.rep_excursion(t, noise) > 15.0
    with generalization.CANDIDATES["wander_3s_x3"]():
        assert judgements.rep_excursion(t, noise) == pytest.approx(
            max(drill.REP_MIN_EXCURSION_DEG, 3.0 * filters.wander_deg(t, noise, 3.0))
        )
    assert judgements.rep_excursion(t, reps) > 15.0


def test_the_jitter_beside_the_wander_sees_flicker_and_not_fast_reps() -> None:
    """``WANDER_JITTER_FLOORS``: a drive flickering to +25° for two frames
    each second has no wander (the median ignores the flicker) but a mean
    jitter over 0.5 s that lifts the floor; fast reps' 0.6 s turns lift
    neither."""
    import hiprot.reading.filters as filters
    import hiprot.reading.judgements as judgements
    from hiprot import drill

    t = np.arange(0.0, 40.0, 1 / 15)
    flicker = np.where(np.arange(len(t)) % 15 < 2, 25.0, 0.0)
    p = t % 4.0
    reps = np.where(p < 1.2, -40.0 * np.sin(np.pi * p / 1.2), 0.0)
    reps = np.where((p >= 1.2) & (p < 2.4), 20.0 * np.sin(np.pi * (p - 1.2) / 1.2), reps)
    assert filters.wander_deg(t, flicker, 1.5) == 0.0
    with generalization.CANDIDATES["wander_1.5s_x5"]():
        assert judgements.rep_excursion(t, flicker) == drill.REP_MIN_EXCURSION_DEG
    with generalization.CANDIDATES["wander_1.5s_x5+jitter_0.5s"]():
        assert judgements.rep_excursion(t, flicker) == pytest.approx(
            judgements.REP_EXCURSION_JITTER_RATIO * filters.jitter_deg(t, flicker, 0.5)
        )
        assert judgements.rep_excursion(t, flicker) > 12.0
        assert judgements.rep_excursion(t, reps) == drill.REP_MIN_EXCURSION_DEG


def _fast_rep_series(noise_deg: float) -> tuple:
    """World angles of two legs, 40 s at 15 frames/s: the left turning fast
    reps (0.6 s turns, every 4 s: out to -40° and in to +20°, at rest for
    the last 1.6 s), the right lying still; both with white noise of std
    ``noise_deg``. And the left's reps' (start_s, end_s)."""
    from hiprot.landmarks import Side
    from hiprot.reading.geometry import LegAngles
    from hiprot.reading.series import AngleSeries

    t = np.arange(0.0, 40.0, 1 / 15)
    p = t % 4.0
    reps = np.where(p < 1.2, -40.0 * np.sin(np.pi * p / 1.2), 0.0)
    reps = np.where((p >= 1.2) & (p < 2.4), 20.0 * np.sin(np.pi * (p - 1.2) / 1.2), reps)
    rng = np.random.default_rng(5)
    ones = np.ones_like(t)

    def leg(turn: np.ndarray) -> LegAngles:
        reading = turn + rng.normal(0.0, noise_deg, t.size)
        return LegAngles(reading, reading.copy(), np.zeros_like(t), ones, ones)

    legs = {Side.LEFT: leg(reps), Side.RIGHT: leg(np.zeros_like(t))}
    windows = [(4.0 * k, 4.0 * k + 2.4) for k in range(10)]
    return AngleSeries(t, np.ones(t.size, dtype=bool), legs, estimator="world"), windows


def test_the_rep_floor_is_the_jitter_at_rest() -> None:
    """``rep_excursions``' ``at_rest``: fast reps raise a leg's floor over its
    whole drive and not at rest; a leg lying still keeps its floor; noise
    at rest still raises it; too little rest to measure: the whole drive's."""
    import hiprot.reading.judgements as judgements
    from hiprot import drill
    from hiprot.landmarks import Side

    series, windows = _fast_rep_series(2.0)
    rest = generalization._outside(series.t_s, windows)
    today = judgements.rep_excursions(series, ())
    at_rest = judgements.rep_excursions(series, (), {Side.LEFT: rest})
    assert today[Side.LEFT] > 15.0
    assert at_rest[Side.LEFT] == drill.REP_MIN_EXCURSION_DEG
    assert at_rest[Side.RIGHT] == today[Side.RIGHT]
    noisy, _ = _fast_rep_series(4.0)
    everything = generalization._outside(series.t_s, [])
    floors = judgements.rep_excursions(noisy, (), {Side.LEFT: rest, Side.RIGHT: everything})
    assert floors[Side.LEFT] > 12.0  # 3.5 x about 4°
    assert floors[Side.RIGHT] == judgements.rep_excursions(noisy, ())[Side.RIGHT]
    busy = generalization._outside(series.t_s, [(0.0, 39.0)])
    assert judgements.rep_excursions(series, (), {Side.LEFT: busy})[Side.LEFT] == today[Side.LEFT]


def test_the_rest_candidates_judge_at_rest_after_the_first_round_only() -> None:
    """``rest_floor``: review's first round counts with today's floor; once
    the neutral is re-taken from the rests, the floor is the jitter outside
    the spans it was re-taken around; a new recording starts over.
    ``rest_knee``: the same for the jittery-knee switch, the floor as today."""
    from dataclasses import replace

    import hiprot.reading.judgements as judgements
    import hiprot.review as review
    from hiprot import drill
    from hiprot.calibration import Calibration, LegNeutral
    from hiprot.landmarks import Side

    series, windows = _fast_rep_series(2.0)
    first = Calibration({side: LegNeutral(0.0, 0.0) for side in Side})
    today = review.rep_excursions(series, ())
    with generalization.CANDIDATES["rest_floor"]():
        assert review.rep_excursions(series, ()) == today
        review.neutral_from_rests(series, first, {Side.LEFT: windows, Side.RIGHT: []})
        floors = review.rep_excursions(series, ())
        assert floors[Side.LEFT] == drill.REP_MIN_EXCURSION_DEG
        assert floors[Side.RIGHT] == today[Side.RIGHT]
        with pytest.raises(TypeError):
            review._count_with_rests()  # a new recording: the spans are forgotten first
        assert review.rep_excursions(series, ()) == today
    # a knee that flickers only while it turns (std 8°) is too jittery over
    # the whole set and not at rest, where it reads as the foot does
    in_rep = np.zeros(series.t_s.size, dtype=bool)
    for start_s, end_s in windows:
        in_rep |= (series.t_s >= start_s) & (series.t_s <= end_s)
    flicker = np.where(in_rep, np.random.default_rng(9).normal(0.0, 8.0, in_rep.size), 0.0)
    series = series.map_legs(
        lambda side, a: replace(a, femur_deg=a.femur_deg + flicker) if side is Side.LEFT else a
    )
    assert review.jittery_knees(series, first) == {Side.LEFT}
    with generalization.CANDIDATES["rest_knee"]():
        assert review.jittery_knees(series, first) == {Side.LEFT}
        review.neutral_from_rests(series, first, {Side.LEFT: windows, Side.RIGHT: []})
        assert review.rep_excursions(series, ()) == judgements.rep_excursions(series, ())
        assert review.jittery_knees(series, first) == frozenset()


def test_the_neutral_floor_is_the_jitter_where_the_median_rests_at_neutral() -> None:
    """``neutral_floor``: fast reps raise a leg's floor over its whole drive
    and not where its running median rests within ``REP_MIN_EXCURSION_DEG``
    of neutral; a leg lying still keeps today's floor; the rest is found
    from the drive alone, so re-taking the neutral from the rests between
    counted reps does not move it. ``neutral_floor_samples`` leaves a noisy
    still leg's samples past 10° out of its jitter (its floor falls);
    ``neutral_floor_settled`` keeps only rest settled for a whole window."""
    import hiprot.review as review
    from hiprot import drill
    from hiprot.calibration import Calibration, LegNeutral
    from hiprot.landmarks import Side

    series, windows = _fast_rep_series(2.0)
    today = review.rep_excursions(series, ())
    drive = series.legs[Side.LEFT].femur_deg
    rest = generalization._at_neutral(series.t_s, drive)
    assert not rest[np.abs(drive) > 30.0].any()  # the reps' far ends are not rest
    assert 0.4 < rest.mean() < 0.8
    assert generalization._at_neutral(series.t_s, series.legs[Side.RIGHT].femur_deg).all()
    settled = generalization._at_neutral(series.t_s, drive, settled=True)
    assert not (settled & ~rest).any() and settled.sum() < rest.sum()
    with generalization.CANDIDATES["neutral_floor"]():
        floors = review.rep_excursions(series, ())
        assert today[Side.LEFT] > 15.0
        assert floors == {Side.LEFT: drill.REP_MIN_EXCURSION_DEG, Side.RIGHT: today[Side.RIGHT]}
        first = Calibration({side: LegNeutral(0.0, 0.0) for side in Side})
        review.neutral_from_rests(series, first, {Side.LEFT: windows[:3], Side.RIGHT: []})
        assert review.rep_excursions(series, ()) == floors
    with generalization.CANDIDATES["neutral_floor_settled"]():
        assert review.rep_excursions(series, ())[Side.LEFT] < 12.0
    loud, _ = _fast_rep_series(6.0)
    still = review.rep_excursions(loud, ())[Side.RIGHT]
    with generalization.CANDIDATES["neutral_floor"]():
        assert review.rep_excursions(loud, ())[Side.RIGHT] == pytest.approx(still, rel=0.01)
    with generalization.CANDIDATES["neutral_floor_samples"]():
        assert review.rep_excursions(loud, ())[Side.RIGHT] < 0.9 * still


def test_the_diagnosis_plot_draws_a_recording(tmp_path: Path) -> None:
    clip = next(c for c in generalization.recordings(generalization.FOLDER) if c[1] == "webcam")
    path = generalization.plot_recording(*clip, tmp_path)
    assert path.parent == tmp_path and path.stat().st_size > 10_000


def test_a_knee_circle_candidate_reads_heavy_on_its_circles_alone() -> None:
    """``HEAVY_CIRCLES``: heavy's 45° circle and its own 30° one (or none)
    for the run, full's untouched, and every view put back after an error."""
    import hiprot.reading.geometry as geometry

    low, mid = geometry.VIEW_RATIO_SPLIT_30 - 0.1, geometry.VIEW_RATIO_SPLIT_30 + 0.1
    full_45, heavy_60 = geometry.camera_view(mid, "full"), geometry.camera_view(1.4, "heavy")
    with pytest.raises(ZeroDivisionError), generalization.CANDIDATES["heavy_45_65_30_55"]():
        at45, at30 = geometry.camera_view(mid, "heavy"), geometry.camera_view(low, "heavy")
        assert (at45.phase_deg, at45.spread_deg) == (65.0, 5.0)
        assert (at30.name, at30.phase_deg) == ("oblique30", 55.0)
        assert geometry.camera_view(low, "full") is full_45
        assert geometry.camera_view(1.4, "heavy") is heavy_60
        _ = 1 / 0
    with generalization.CANDIDATES["heavy_45_60"]():
        assert geometry.camera_view(low, "heavy").phase_deg == 60.0  # 30° on the 45° circle
    assert geometry.camera_view(low, "heavy") is geometry.VIEWS["heavy"][0]
    assert "heavy" not in geometry.VIEWS_30


def test_the_errors_in_both_fit_undoes_the_shrinking_of_a_noisy_foot() -> None:
    """``noise_aware_foot``: least squares of the femur on a foot whose
    spread is half noise halves the slope; weighing both readings' noise
    (measured, the suite's 15 frames/s) brings it back."""
    import hiprot.reading.foot as foot

    rng = np.random.default_rng(3)
    t = np.arange(900) / 15
    femur = 25.0 * np.sin(2 * np.pi * t / 6)
    noisy_foot = 2.0 * femur + rng.normal(0, 35, t.size)  # the foot turns 2x in the image
    least_squares = foot.foot_gain(femur, noisy_foot)
    weighed = generalization._noise_aware_gain(femur, noisy_foot)
    assert all(g < 0.4 for g in least_squares)
    assert all(abs(g - 0.5) < 0.1 for g in weighed)
    # the limits: no noise on the foot is least squares, none on the femur the inverse
    assert generalization._deming_slope(4.0, 9.0, 5.0, np.inf) == pytest.approx(5 / 4)
    assert generalization._deming_slope(4.0, 9.0, 5.0, 0.0) == pytest.approx(9 / 5)


def test_a_foot_blind_to_one_side_of_the_turn_never_takes_the_count() -> None:
    """``foot_shows_reps`` and ``foot_not_one_sided``: the knee switch as
    shipped hands a jittery knee's count to a steady foot; these refuse a
    foot that reads only the outward side, and the first a still foot too."""
    import hiprot.reading.judgements as judgements

    rng = np.random.default_rng(4)
    t = np.arange(300) / 30
    reps = 25.0 * np.sin(2 * np.pi * t / 5)
    knee = reps + rng.normal(0, 4, t.size)
    one_sided = np.minimum(reps, 0.0) + rng.normal(0, 0.5, t.size)
    still = rng.normal(0, 0.5, t.size)
    for foot_deg in (reps + rng.normal(0, 0.5, t.size), one_sided, still):
        assert judgements.knee_too_jittery(t, knee, foot_deg)
    with generalization.CANDIDATES["foot_shows_reps"]():
        got = [judgements.knee_too_jittery(t, knee, f) for f in (reps, one_sided, still)]
        assert got == [True, False, False]
    with generalization.CANDIDATES["foot_not_one_sided"]():
        got = [judgements.knee_too_jittery(t, knee, f) for f in (reps, one_sided, still)]
        assert got == [True, False, True]


def test_symmetric_sides_scales_the_shorter_inward_side_to_the_outward_reach() -> None:
    from hiprot.landmarks import Side
    from hiprot.reading.geometry import LegAngles
    from hiprot.reading.series import AngleSeries

    t = np.arange(600) / 15
    turn = 30.0 * np.sin(2 * np.pi * t / 8)
    femur = np.where(turn > 0, 0.5 * turn, turn)  # the inward side reads half
    ones = np.ones_like(t)
    leg = LegAngles(femur, femur.copy(), np.zeros_like(t), ones, ones)
    legs = {Side.LEFT: leg, Side.RIGHT: leg}
    series = AngleSeries(t, np.ones(t.size, dtype=bool), legs, estimator="world")
    read = generalization._symmetric_sides(series).legs[Side.LEFT].femur_deg
    assert np.percentile(read, 95) == pytest.approx(-np.percentile(read, 5), rel=1e-6)
    assert np.allclose(read[turn <= 0], turn[turn <= 0])


def test_the_leg_share_candidates_judge_a_rep_against_the_legs_hip_reps() -> None:
    """``ankles_biggest_femur``: on a leg whose fitted foot reads half its
    turn (its hip rep: femur 60°, foot 30°), a rep whose femur sweeps 25°
    against a 30° foot is "from the ankles" (femur share 0.83, under half
    the hip rep's 2), which main's fixed margin misses (twist 20° against
    1.5 x 25°); a hip rep on that leg is not, and a leg's first rep gets
    main's rule. The hip share is the biggest femur turn's, not the largest
    share (a small rep's 5)."""
    import hiprot.reps as reps
    from hiprot.reps import Sweeps

    hip, tiny = Sweeps(60.0, 30.0, 30.0), Sweeps(10.0, 2.0, 8.0)
    half_hip, another_hip = Sweeps(25.0, 30.0, 20.0), Sweeps(58.0, 31.0, 27.0)
    ankle_only = Sweeps(3.0, 40.0, 40.0)
    assert not reps.from_the_ankles(half_hip, [hip])
    with generalization.CANDIDATES["ankles_biggest_femur"]():
        assert reps.from_the_ankles(half_hip, [hip, tiny])
        assert not reps.from_the_ankles(another_hip, [hip, tiny])
        assert not reps.from_the_ankles(Sweeps(14.0, 30.0, 14.0), [hip])  # twist under 15°
        assert reps.from_the_ankles(ankle_only, []) and not reps.from_the_ankles(half_hip, [])
        # the largest share (tiny's 5) would flag the hip rep too
        assert not reps.from_the_ankles(Sweeps(58.0, 31.0, 27.0), [tiny, hip])
    with generalization.CANDIDATES["ankles_pooled_gain"]():  # (60 + 10) / (30 + 2)
        assert reps.from_the_ankles(half_hip, [hip, tiny])
        assert not reps.from_the_ankles(another_hip, [hip, tiny])
    assert not reps.from_the_ankles(half_hip, [hip])  # main's rule is back


def test_one_noisy_rep_cannot_set_a_legs_hip_share() -> None:
    """A leg whose foot reads true (hip reps: femur about the foot) with one
    rep whose femur read a spike (117° against a 40° foot, a share of 2.9):
    ``ankles_biggest_femur`` takes that share and flags the next hip rep;
    the two biggest femurs' lower share, the hip reps' median and main's
    margin on the scaled twist do not. On a leg whose foot reads half (two
    hip reps at 2), all three flag the half-hip rep main misses."""
    import hiprot.reps as reps
    from hiprot.reps import Sweeps

    hip, spike, next_hip = (
        Sweeps(45.0, 44.0, 8.0),
        Sweeps(117.0, 40.0, 80.0),
        Sweeps(40.0, 40.0, 16.0),
    )
    short_foot = [Sweeps(60.0, 30.0, 30.0), Sweeps(56.0, 29.0, 27.0)]
    half_hip = Sweeps(25.0, 30.0, 20.0)
    assert not reps.from_the_ankles(next_hip, [hip, spike, hip])
    assert not reps.from_the_ankles(half_hip, short_foot)
    with generalization.CANDIDATES["ankles_biggest_femur"]():
        assert reps.from_the_ankles(next_hip, [hip, spike, hip])
    for name in ("ankles_two_biggest_femurs", "ankles_hip_median", "ankles_scaled_twist"):
        with generalization.CANDIDATES[name]():
            assert not reps.from_the_ankles(next_hip, [hip, spike, hip]), name
            assert reps.from_the_ankles(half_hip, short_foot), name
            # a leg's first rep: main's rule
            assert not reps.from_the_ankles(half_hip, []), name


def test_the_scaled_twist_is_mains_rule_on_a_foot_read_true() -> None:
    """``ankles_scaled_twist`` at a hip share of 1 is main's margin: a twist
    of 1.4 x the femur is not "from the ankles", 1.6 x is; the share
    candidates, margin dropped, flag both."""
    import hiprot.reps as reps
    from hiprot.reps import Sweeps

    true_foot = [Sweeps(40.0, 40.0, 2.0), Sweeps(42.0, 42.0, 3.0)]
    under, over = Sweeps(20.0, 48.0, 28.0), Sweeps(20.0, 52.0, 32.0)
    with generalization.CANDIDATES["ankles_scaled_twist"]():
        assert not reps.from_the_ankles(under, true_foot)
        assert reps.from_the_ankles(over, true_foot)
    with generalization.CANDIDATES["ankles_two_biggest_femurs"]():
        assert reps.from_the_ankles(under, true_foot) and reps.from_the_ankles(over, true_foot)


def test_the_in_step_scale_comes_only_from_hip_reps_in_step() -> None:
    """``ankles_in_step_x1.5``: on a leg whose foot reads three quarters of
    its turn (hip reps: femur 40°, foot 30°, a scale of 4/3), a half-hip
    rep read about even (femur 25°, foot 49°, twist 24°) is "from the
    ankles" on the twist read at that scale, which main's margin misses.
    A femur spike (117° against a 40° foot), a rep whose femur and foot
    turned against each other (twist over both) and a foot read half (a
    scale of 2, beyond 1.5) set no scale: the leg keeps main's rule."""
    import hiprot.reps as reps
    from hiprot.reps import Sweeps

    in_step = [Sweeps(40.0, 30.0, 10.0), Sweeps(44.0, 33.0, 11.0)]
    spike, against = Sweeps(117.0, 40.0, 80.0), Sweeps(40.0, 30.0, 45.0)
    half_foot = [Sweeps(60.0, 30.0, 30.0), Sweeps(56.0, 29.0, 27.0)]
    half_hip, hip = Sweeps(25.0, 49.0, 24.0), Sweeps(42.0, 32.0, 12.0)
    assert generalization._in_step_share(1.5)(in_step) == pytest.approx(4 / 3)
    assert not reps.from_the_ankles(half_hip, in_step)
    with generalization.CANDIDATES["ankles_in_step_x1.5"]():
        assert reps.from_the_ankles(half_hip, in_step)
        assert reps.from_the_ankles(half_hip, [spike, against, *in_step])
        assert not reps.from_the_ankles(hip, in_step)
        for no_scale in ([spike], [against], half_foot, []):
            assert not reps.from_the_ankles(half_hip, no_scale)
    with generalization.CANDIDATES["ankles_in_step_x3"]():  # a wider step takes the half foot
        assert reps.from_the_ankles(half_hip, half_foot)


def test_a_fold_breaks_a_counting_tie_on_the_ankles_flags() -> None:
    """Candidates that count alike are told apart by "from the ankles"
    flags right minus wrong on the training folds."""
    ankles = {"ankles_true": 4, "ankles_right": 3, "ankles_flagged": 3}
    scored = {
        "main": [leg("dark", 6, 6, ankles_true=4, ankles_flagged=4), leg("shorts", 6, 6)],
        "b": [leg("dark", 6, 6, **ankles), leg("shorts", 6, 6)],
    }
    result = generalization.leave_one_out(scored, "outfit", ["main", "b"])
    chosen = {fold["held_out"]: fold["chosen"] for fold in result["folds"]}
    assert chosen == {"shorts": "b", "dark": "main"}  # dark's flags are only in its own fold


def _one_sided_foot(in_deg: float, noise_deg: float = 0.3) -> tuple:
    """A leg turning 12 reps out to -40° and in to +40° (15 frames/s), its
    raw foot reading foreshortened per side: out at half the turn, in at
    ``in_deg / 40`` of it, with white noise of std ``noise_deg``; the femur
    reading the turn. (t, femur, foot, in position.)"""
    t = np.arange(0.0, 48.0, 1 / 15)
    p = t % 4.0
    turn = np.where(p < 1.5, -40.0 * np.sin(np.pi * p / 1.5), 0.0)
    turn = np.where((p >= 1.5) & (p < 3.0), 40.0 * np.sin(np.pi * (p - 1.5) / 1.5), turn)
    raw = np.where(turn < 0, 0.5 * turn, turn * in_deg / 40.0)
    raw = raw + np.random.default_rng(3).normal(0.0, noise_deg, t.size)
    return t, turn, raw, np.ones(t.size, dtype=bool)


def test_a_foot_driven_foot_keeps_the_overall_slope_and_reaches_both_sides_alike() -> None:
    """``foot_overall_gain``: one slope on both sides, the femur's overall
    one. ``foot_own_reach``: its sign and size on the side that reaches
    further, the other side brought to the same reach (5th and 95th
    percentiles) ... but a side reaching less than its own rep floor
    (3.5 jitters) is stretched only as far as if it reached that: noise
    is not blown up into reps."""
    import hiprot.reading.filters as filters
    import hiprot.reading.foot as foot
    import hiprot.reading.judgements as judgements

    t, femur, raw, placed = _one_sided_foot(in_deg=10.0)
    overall = generalization._foot_reach_gain(t, femur, raw, placed, own_reach=False)
    assert overall[0] == overall[1] > 0.0
    below, above = generalization._foot_reach_gain(t, femur, raw, placed, own_reach=True)
    assert below == pytest.approx(overall[0])  # the outward side reaches further
    low, high = np.percentile(raw, [5, 95])
    assert above * high == pytest.approx(-below * low)
    assert foot.foot_gain(femur, raw) != (below, above)  # not main's per-side fit
    # a foot that does not turn in at all: the inward side is noise
    t, femur, raw, placed = _one_sided_foot(in_deg=0.0, noise_deg=1.0)
    below, above = generalization._foot_reach_gain(t, femur, raw, placed, own_reach=True)
    floor = judgements.REP_EXCURSION_JITTER_RATIO * filters.jitter_deg(t, raw)
    assert np.percentile(raw, 95) < floor
    assert above == pytest.approx(below * -np.percentile(raw, 5) / floor)
    # and out of position nothing is measured: the overall slope
    none = np.zeros(t.size, dtype=bool)
    assert generalization._foot_reach_gain(t, femur, raw, none, own_reach=True) == (
        generalization._foot_reach_gain(t, femur, raw, placed, own_reach=False)
    )
