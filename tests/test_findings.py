"""hiprot.findings: each message to the user worded once, and used.

Review (its warnings), live (its terminal line, notice and voice) and the
report (its advice) render the same finding in the same words."""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from hiprot import findings
from hiprot.coach import Cue
from hiprot.display import NullDisplay
from hiprot.errors import HiprotWarning
from hiprot.landmarks import Side
from hiprot.report import advice, write_html
from hiprot.review import review_pose_frames
from hiprot.synth import SessionSpec, generate
from hiprot.synth.noise import jitter_knees
from hiprot.types import PoseFrame
from hiprot.voice import CLIP_DIR
from hiprot.voice.make_clips import PHRASES
from tests.test_live import FakePlayer, make_session, stream, synth_frames

HIPROT = Path(__file__).resolve().parents[1] / "hiprot"


def test_every_finding_is_used_outside_its_list() -> None:
    sources = "\n".join(
        path.read_text(encoding="utf-8")
        for path in HIPROT.rglob("*.py")
        if path.name != "findings.py"
    )
    used = set(re.findall(r"\bfindings\.([A-Z_]+)\b", sources))
    assert set(findings.ALL) - used == set()
    assert used - set(findings.ALL) == {"ALL"}  # no lookup of a finding that is gone


def test_each_finding_is_named_as_it_is_bound() -> None:
    for name, finding in findings.ALL.items():
        assert getattr(findings, name) is finding and finding.name == name


@pytest.mark.parametrize("finding", findings.ALL.values(), ids=list(findings.ALL))
def test_a_finding_renders_with_its_parameters_and_no_others(finding) -> None:
    values = {"leg": Side.LEFT, "way": "in", "limit": "+30°", "other": "right", "key": "r"}
    params = {name: values.get(name, 7) for name in finding.params}
    if finding.long is not None:
        text = finding.text(**params)
        assert "{" not in text and not text.endswith(".")
        assert finding.in_file("set.mp4", **params) == f"set.mp4: {text}"
        assert finding.sentence(**params)[1:].startswith(text[1:])
        if finding.params:  # a parameter missing is an error, not a hole in the text
            with pytest.raises(KeyError):
                finding.text(**{name: 7 for name in sorted(finding.params)[1:]})
    if finding.short is not None:
        assert finding.notice(**params).isascii()
    if finding.clip is not None:
        clip = finding.clip_name(**params)
        assert PHRASES[clip] == finding.said(**params)
        assert (CLIP_DIR / f"{clip}.wav").is_file()


def test_the_coach_s_cues_are_findings() -> None:
    """A cue's on-screen text and clip are its finding's."""
    by_short = {f.short: f for f in findings.ALL.values() if f.short is not None}
    for cue in Cue:
        assert by_short[cue.value].clip == cue.clip


def test_a_short_wording_is_ascii_and_a_clip_has_words() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        findings.Finding("X", short="turn 20°")
    with pytest.raises(ValueError, match="clip needs its words"):
        findings.Finding("X", short="Hold", clip="hold")


def test_review_live_and_the_report_say_a_jittery_knee_in_one_wording(tmp_path: Path) -> None:
    """Knee jitter (1.5 px): review warns, the report advises and live tells,
    per leg, in the finding's words."""
    frames = jitter_knees(synth_frames(reps=3), 1.5, (640, 480))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HiprotWarning)
        review = review_pose_frames(frames, "set", size_wh=(640, 480))
    said = [str(w.message) for w in caught]
    lines: list[str] = []
    live = make_session(None, NullDisplay(), FakePlayer())
    live.log = lines.append
    live.run(stream(frames))
    tips = advice(review.summary.legs, review.femur_range_deg, review.foot_driven)
    page = write_html(
        review.summary, None, tmp_path / "r.html", review.femur_range_deg, review.foot_driven
    ).read_text(encoding="utf-8")
    assert review.foot_driven == {Side.LEFT, Side.RIGHT}
    for side in review.foot_driven:
        text = findings.KNEE_JITTER.text(leg=side)
        sentence = findings.KNEE_JITTER.sentence(leg=side)
        assert f"set: {text}" in said
        assert sentence in tips and html.escape(sentence) in page
        assert f"[yellow]{sentence}[/]" in lines
    assert sum("jitters" in line for line in lines) == len(review.foot_driven)


def test_review_and_live_say_a_side_on_camera_in_one_wording() -> None:
    """Filmed from the side: review's warning ends in the finding's words,
    live's line is its sentence, its notice and clip are the finding's."""
    frames = generate(SessionSpec(seed=4, placement="side_left", duration_s=20)).frames
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HiprotWarning)
        review_pose_frames(frames, "set.mp4", size_wh=(640, 480))
    assert findings.SIDE_ON.in_file("set.mp4") in [str(w.message) for w in caught]
    lines: list[str] = []
    notices: set[str | None] = set()
    player = FakePlayer()
    live = make_session(None, NullDisplay(), player)
    live.log = lines.append

    def watched() -> Iterator[tuple[None, PoseFrame]]:
        for frame in frames:
            yield None, frame
            notices.add(live.notice)

    live.run(watched())
    assert lines.count(findings.SIDE_ON.live()[0]) == 1
    assert findings.SIDE_ON.notice() in notices
    assert player.played.count(findings.SIDE_ON.clip) == 1
