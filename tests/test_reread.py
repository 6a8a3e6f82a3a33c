"""Which reps a live set stores (``hiprot.reread``): its own, including
one begun before "go" that live counted aloud."""

from __future__ import annotations

import warnings

from hiprot.landmarks import Side
from hiprot.reps import Mode, Rep
from hiprot.reread import SetSpan, reread_set
from hiprot.review import review_pose_frames
from hiprot.synth import SessionSpec, generate

SIZE = (640, 480)


def _rep(start_s: float, end_s: float, inward_s: float | None, leg: Side = Side.LEFT) -> Rep:
    return Rep(leg, 1, start_s, end_s, 20.0, -20.0, 1.5, True, True, False, inward_s=inward_s)


def test_a_set_owns_its_reps_and_an_early_one_live_counted() -> None:
    span = SetSpan(2, 10.0, 40.0)
    reps = {
        "in the rest": _rep(4.0, 8.0, 6.0),
        "begun before go, turned in after, counted aloud": _rep(8.5, 12.5, 10.5),
        "begun before go, turned in after, not counted": _rep(8.7, 12.7, 10.8, Side.RIGHT),
        "begun before go, turned in before": _rep(7.0, 11.0, 9.5),
        "in the set": _rep(13.0, 17.0, 15.0),
        "ending after the set": _rep(38.0, 42.0, 40.5),
        "after the set": _rep(41.0, 45.0, 43.0),
        "read from a file, begun before go": _rep(9.0, 13.0, None),
        "read from a file, in the set": _rep(20.0, 24.0, None),
    }
    # live's counter, from "go": the left leg's early rep (turned in at
    # 10.6 s), then the set's own; nothing on the right until 15 s
    counted = [_rep(10.1, 12.4, 10.6), _rep(13.1, 17.0, 15.1), _rep(13.2, 17.1, 15.2, Side.RIGHT)]
    kept = span.reps_of(list(reps.values()), counted)
    assert [name for name, rep in reps.items() if any(rep is k for k in kept)] == [
        "begun before go, turned in after, counted aloud",
        "in the set",
        "ending after the set",
        "read from a file, in the set",
    ]
    # without live's count no early rep is the set's
    assert "begun before go, turned in after, counted aloud" not in [
        name
        for name, rep in reps.items()
        if any(rep is k for k in span.reps_of(list(reps.values())))
    ]


def test_the_stored_set_keeps_a_rep_begun_before_go_that_live_counted() -> None:
    # the person starts turning before "go"; the set's re-read (what is
    # stored) keeps that rep where live's counter counted it, not otherwise
    spec = SessionSpec(seed=23, scenario="clean", placement="oblique45_left", noise="low")
    session = generate(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        review = review_pose_frames(session.frames, spec.name, Mode.BOTH, size_wh=SIZE)
    left = [r for r in review.reps if r.leg is Side.LEFT]
    assert len(left) >= 4 and left[2].inward_s is not None
    go = 0.5 * (left[2].start_s + left[2].inward_s)
    span = SetSpan(1, go, session.frames[-1].t_s)
    true_left = [r for r in session.truth["reps"] if r["leg"] == "left"]
    # live's count from "go": review's reps turning in after it
    announced = [r for r in review.reps if r.inward_s is not None and r.inward_s >= go]

    def stored_left(counted: list[Rep]) -> list[Rep]:
        stored = reread_set(
            session.frames, span, Mode.BOTH, review.calibration, SIZE, counted=counted
        )
        assert stored is not None
        return [r for r in stored.reps if r.leg is Side.LEFT]

    kept = stored_left(announced)
    assert any(r.start_s < go for r in kept)
    assert len(kept) == sum(r["end_s"] > go for r in true_left)  # every true rep not over by "go"
    assert not any(r.start_s < go for r in stored_left([]))
