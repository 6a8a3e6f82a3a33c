"""Everything hiprot can tell a user about a set, worded once.

Each ``Finding`` carries its long wording (a review's warning, the report's
advice, live's terminal line), its short wording (live's on-screen notice or
cue: ASCII, the window's font has no other letters) and, where live says it
aloud, its clip (``hiprot/voice/clips/<clip>.wav``) and the clip's words.
Review, live and the report render these and nothing else, so a message
reads the same wherever it is shown:

    >>> KNEE_JITTER.in_file("set.mp4", leg="left")[:36]
    'set.mp4: the left knee jitters in th'
    >>> KNEE_JITTER.notice(leg="left")
    'Left knee jitters: counting from the foot'

Parameters are the template's fields: ``leg`` (a ``Side`` or its name; the
template may also use ``{Leg}``, capitalised) and the numbers each one names.
The vocabulary the findings are made of ("held", "from the ankles", signed
degrees) lives in ``hiprot.words``, which the tables use too.
"""

from __future__ import annotations

import string
import warnings
from dataclasses import dataclass
from typing import Any

from hiprot import drill, words
from hiprot.errors import HiprotWarning

_CAMERA_HINT = "put the camera about 45° round from your side towards your head"
_README_CAMERA = "(README: where to put the camera)"
_REP_RANGE = f"a rep's range ({2 * drill.REP_MIN_EXCURSION_DEG:.0f}°)"


@dataclass(frozen=True)
class Finding:
    """One thing hiprot can tell a user; ``str.format`` templates.

    Attributes:
        name: Its name in ``ALL``.
        long: The full wording, no full stop: the renderers add the
            source, capital and stop they need.
        short: On-screen wording (live's notice or cue), ASCII.
        clip: Spoken clip name, when live says it aloud.
        spoken: The clip's words (``hiprot.voice.make_clips``).
    """

    name: str
    long: str | None = None
    short: str | None = None
    clip: str | None = None
    spoken: str | None = None

    def __post_init__(self) -> None:
        if self.short is not None and not self.short.isascii():
            raise ValueError(f"{self.name}: the short wording is drawn in an ASCII-only font")
        if (self.clip is None) != (self.spoken is None):
            raise ValueError(f"{self.name}: a clip needs its words, and words a clip")

    @property
    def params(self) -> frozenset[str]:
        """The parameters its wordings take (``Leg`` counts as ``leg``)."""
        fields = {
            field
            for template in (self.long, self.short, self.clip, self.spoken)
            if template
            for _, field, _, _ in string.Formatter().parse(template)
            if field
        }
        return frozenset("leg" if f == "Leg" else f for f in fields)

    def text(self, **params: Any) -> str:
        """The long wording, as it ends a review's warning."""
        assert self.long is not None, f"{self.name} has no long wording"
        return _fill(self.long, params)

    def sentence(self, **params: Any) -> str:
        """The long wording as a sentence: the report's advice, live's line."""
        text = self.text(**params)
        return text[0].upper() + text[1:] + ("" if text.endswith(("?", ".")) else ".")

    def in_file(self, source: object, **params: Any) -> str:
        """The warning about one reviewed file: ``set.mp4: the left knee ...``."""
        return f"{source}: {self.text(**params)}"

    def warn(self, source: object, **params: Any) -> None:
        """Raise it as a ``HiprotWarning`` about ``source`` (review's findings)."""
        warnings.warn(self.in_file(source, **params), HiprotWarning, stacklevel=3)

    def notice(self, **params: Any) -> str:
        assert self.short is not None, f"{self.name} has no short wording"
        return _fill(self.short, params)

    def clip_name(self, **params: Any) -> str | None:
        return None if self.clip is None else _fill(self.clip, params)

    def said(self, **params: Any) -> str | None:
        """The words of its clip."""
        return None if self.spoken is None else _fill(self.spoken, params)

    def live(self, also: str = "", **params: Any) -> tuple[str, str, str | None]:
        """``(terminal line, on-screen notice, clip)`` for live's ``_tell``;
        ``also`` is a sentence added to the line (a hint live alone can give)."""
        line = f"[yellow]{self.sentence(**params)}[/]" + (f" {also}" if also else "")
        return line, self.notice(**params), self.clip_name(**params)


def _fill(template: str, params: dict[str, Any]) -> str:
    fields = dict(params)
    if "leg" in fields:
        leg = getattr(fields["leg"], "value", fields["leg"])
        fields["leg"], fields["Leg"] = leg, str(leg).capitalize()
    return template.format(**fields)


# ---------------------------------------------------------------- the set-up

NOT_IN_POSITION = Finding(
    "NOT_IN_POSITION", long="the drill position (legs up the wall) was never seen; nothing counted"
)
SIDE_ON = Finding(
    "SIDE_ON",
    long="the camera sees you from the side, where hip rotation hardly shows, so the angles "
    f"and counts are unreliable: {_CAMERA_HINT} {_README_CAMERA}",
    short="Seen from the side: move the camera round",
    clip="side_on",
    spoken="Camera side on. Move it round.",
)
TOO_DARK = Finding(
    "TOO_DARK",
    long="too dark for the camera to find you: turn on a light, or face a lamp towards you",
    short="Too dark to find you: turn on a light",
    clip="too_dark",
    spoken="Too dark. Add light.",
)
LEG_SMALL = Finding(
    "LEG_SMALL",
    long="the {leg} leg is {leg_px:.0f} px tall in the picture (hip to ankle), shorter than "
    "the {min_px:.0f} px of any leg hiprot was tuned on; if reps go uncounted, move the "
    f"camera closer {_README_CAMERA}",
    short="{Leg} leg small in picture: camera closer",
)
LEG_SMALL_UNSEEN = Finding(
    "LEG_SMALL_UNSEEN",
    long="the {leg} leg is not seen clearly enough to measure, and your {other} leg is "
    "{leg_px:.0f} px tall in the picture (hip to ankle), shorter than the {min_px:.0f} px of "
    f"any leg hiprot was tuned on; if reps go uncounted, move the camera closer {_README_CAMERA}",
    short="{Leg} leg unclear, small picture: camera closer",
)

NO_STILL_START = Finding(
    "NO_STILL_START",
    long="no still period of 2 s to take your neutral from, so the median angle is used; "
    "start recordings with a few seconds lying still in neutral",
)
LONG_GAP = Finding(
    "LONG_GAP",
    long="nobody in view from {start_s:.1f} s to {end_s:.1f} s ({gap_s:.0f} s; {missing_pc:.0f}% "
    "of all frames without a person): nothing is counted there",
)
CALIBRATION_MODEL = Finding(
    "CALIBRATION_MODEL",
    long="the calibration was taken from the {made_by} pose model's landmarks but these are "
    "the {model} model's, which place the knees differently; run `hiprot calibrate --model "
    "{model}` for a neutral that fits",
)
CALIBRATION_SIZE = Finding(
    "CALIBRATION_SIZE",
    long="the calibration was taken from {taken} frames but this recording is {size}: another "
    "camera set-up? Its neutral may not fit; run `hiprot calibrate` on a clip from this set-up",
)

# ---------------------------------------------------------------- reading a leg

KNEE_FLAT = Finding(
    "KNEE_FLAT",
    long="the {leg} knee hardly moves in the picture while the foot turns, so that leg is read "
    "from its foot alone: its reps count, but twisting the ankle cannot be told from turning "
    f"the hip; another camera height or distance may show the knee better {_README_CAMERA}",
    short="{Leg} knee hidden: reading the foot",
)
KNEE_JITTER = Finding(
    "KNEE_JITTER",
    long="the {leg} knee jitters in the picture much more than the foot, so that leg's reps "
    "are counted from its foot, which a camera may see turning one way only: its count is "
    "often short, and its peaks, holds and 'from the ankles' are rough; more light, or the "
    "camera closer, steadies it",
    short="{Leg} knee jitters: counting from the foot",
)
LEG_UNSEEN = Finding(
    "LEG_UNSEEN",
    long="no reps counted for the {leg} leg: neither its knee nor its foot turns "
    f"{_REP_RANGE} in the picture; if it does reps, this camera position does not show them: "
    f"{_CAMERA_HINT} {_README_CAMERA}",
    short="Can't see your {leg} leg turn: move the camera",
    clip="{leg}_leg_unseen",
    spoken="Can't see {leg} leg turn. Move camera.",
)
LEG_FOOT_STILL = Finding(
    "LEG_FOOT_STILL",
    long="no reps counted for the {leg} leg: its knee jitters too much in the picture to count "
    f"from, and its foot, counted instead, turns less than {_REP_RANGE}; if it does "
    "reps, this camera does not show them: more light, or the camera closer, steadies the "
    f"knee {_README_CAMERA}",
    short="{Leg} leg unreadable: camera closer, more light",
)
LEG_PARTIAL = Finding(
    "LEG_PARTIAL",
    long="no reps counted for the {leg} leg: it moved, but never out past -10° and then in "
    "past +10° of its neutral: partial reps, or a neutral taken while the leg was not "
    "relaxed (hiprot calibrate)",
)
ONE_LEG_LIVE = Finding(
    "ONE_LEG_LIVE", long="working one leg only? Press {key}, or start with --mode {other}"
)
NO_REPS = Finding(
    "NO_REPS", long="no reps were seen for the {leg} leg: check that both feet are in view"
)
NO_REPS_ONE_LEG = Finding(
    "NO_REPS_ONE_LEG",
    long="no reps were seen for the {leg} leg. A one-leg set? Review it with --mode {other}; "
    "otherwise check that both feet are in view",
)
CAPPED = Finding(
    "CAPPED",
    long="{Leg} leg: turned {way} to {limit} or further: that is as far as hiprot reads from "
    f"this camera view ({words.CAPPED}), so the real range may be larger. Reps, holds and "
    "tempo are counted all the same",
)

_GUIDED_MOVE = (
    "start the set, after lying still, with the guided move: both feet fully out and hold "
    f"{drill.GUIDED_HOLD_S:.0f} s, then fully in and hold {drill.GUIDED_HOLD_S:.0f} s"
)
IMAGE_DEGREES = Finding(
    "IMAGE_DEGREES",
    long="{legs}: {its} degrees are MediaPipe's image degrees, on a scale that differs by "
    "camera set-up and side (compare them only within one set-up), because {why}",
)
#: The ``why`` of ``IMAGE_DEGREES``, by what is missing (``why_image_degrees``).
IMAGE_DEGREES_WHY = {
    "nothing": "no range of yours is known: measure each leg's internal rotation by hand "
    "(a goniometer), store it with `hiprot calibrate --range LEFT,RIGHT`, and " + _GUIDED_MOVE,
    "no_guided_move": "the recording has no guided move to put them on your measured range: "
    + _GUIDED_MOVE,
    "no_measured_range": "no range measured by hand is stored for it: measure its internal "
    "rotation with a goniometer and store it with `hiprot calibrate --range LEFT,RIGHT`",
    "capped": "it turned as far as this camera view reads (in the guided move or a rep), "
    "so no scale can be taken",
    "past_range": "a rep read further than the range measured by hand allows, so the "
    "reading or the scale is off in this recording",
}


def why_image_degrees(missing: str) -> str:
    """``IMAGE_DEGREES``' reason: ``nothing``, ``no_guided_move``,
    ``no_measured_range``, ``capped`` or ``past_range``."""
    return IMAGE_DEGREES_WHY[missing]


_HOLD = f"{drill.GUIDED_HOLD_S:.0f} s"
GUIDED_MOVE_ASK = Finding(
    "GUIDED_MOVE_ASK",
    long="now the guided move: turn both feet fully out and hold "
    f"{drill.GUIDED_HOLD_S:.0f} s, then fully in and hold {drill.GUIDED_HOLD_S:.0f} s, "
    "then back to neutral (press s to skip it)",
    short=f"Both feet fully out {_HOLD}, fully in {_HOLD}",
    clip="guided_move",
    spoken="Both feet fully out, hold. Fully in, hold.",
)
GUIDED_MOVE_ASK_LEG = Finding(
    "GUIDED_MOVE_ASK_LEG",
    long="now the guided move: turn your {leg} foot fully out and hold "
    f"{drill.GUIDED_HOLD_S:.0f} s, then fully in and hold {drill.GUIDED_HOLD_S:.0f} s, "
    "then back to neutral (press s to skip it)",
    short="{Leg} foot fully out " + _HOLD + ", fully in " + _HOLD,
    clip="guided_move_{leg}",
    spoken="{Leg} foot fully out, hold. Fully in, hold.",
)
GUIDED_MOVE_MISSED = Finding(
    "GUIDED_MOVE_MISSED",
    long="no guided move seen ({how}): this session's degrees stay MediaPipe's image degrees, "
    "on a scale that differs by camera set-up and side",
    short="No guided move: degrees are image degrees",
    clip="guided_move_missed",
    spoken="No guided move. Degrees not to scale.",
)
GUIDED_MOVE_FOUND = Finding(
    "GUIDED_MOVE_FOUND",
    long="guided move found: {legs}",
    short="Guided move found",
)
GUIDED_SCALE_STORED = Finding(
    "GUIDED_SCALE_STORED",
    long="each set is stored with internal rotation in degrees on the move's scale; live "
    "shows and says it in degrees from the second set, once the first set has been read again",
    short="Degrees in the stored sets",
)
GUIDED_SCALE_READ = Finding(
    "GUIDED_SCALE_READ",
    long="the first set, read again, gives the guided move's scale: from set 2, live shows "
    "and says internal rotation in degrees",
    short="Degrees from set 2 on",
)
SCALED_DEGREES = Finding(
    "SCALED_DEGREES",
    long="{Leg} leg: internal rotation is in degrees, scaled to the {measured_deg:.0f}° "
    "measured by hand (the guided move read {reading_deg:.0f}° in the picture); external "
    "rotation stays in image degrees",
)

# ---------------------------------------------------------------- the reps (advice and cues)

NOT_HELD = Finding(
    "NOT_HELD",
    long="{Leg} leg: {missed} of {reps} had no "
    f"{drill.HOLD_MIN_S:.0f} s hold at the inward end; pause there and count 'one-two'",
    short="Hold",
    clip="hold",
    spoken="Hold.",
)
TOO_FAST = Finding(
    "TOO_FAST",
    long="{Leg} leg: turn in more slowly (take at least "
    f"{drill.CONTROLLED_MIN_INWARD_S:.0f} s from out to in)",
    short="Slower",
    clip="slower",
    spoken="Slower.",
)
FROM_ANKLES = Finding(
    "FROM_ANKLES",
    long="{Leg} leg: {reps} {were} "
    f"{words.FROM_ANKLES}, not the hips; keep the feet relaxed and turn the whole leg from the hip",
    short="From the hips, not the ankles",
    clip="from_the_hips",
    spoken="From the hips, not the ankles.",
)
ASYMMETRY = Finding(
    "ASYMMETRY",
    long="internal rotation is {difference_deg:.0f}° smaller on the {weaker} side: "
    "consider a one-leg set for it",
)
CLEAN_SET = Finding(
    "CLEAN_SET",
    long="a clean set: controlled, held and from the hips. Keep it up, 3-4 sessions a week",
)

# ---------------------------------------------------------------- live cues

LIE_DOWN = Finding(
    "LIE_DOWN",
    short="Lie down with legs up the wall",
    clip="lie_down",
    spoken="Lie down with your legs up the wall.",
)
FEET_INTO_VIEW = Finding(
    "FEET_INTO_VIEW",
    short="Bring your feet into view",
    clip="feet_into_view",
    spoken="Bring your feet into view.",
)
RECOUNTED = Finding(
    "RECOUNTED",
    long="set {set} recounted over the whole set: {kept} reps (counted as you went: {said}); "
    "the recount is what is saved",
    short="Set {set} recounted: {kept}",
)
HOLD_STILL = Finding("HOLD_STILL", short="Hold still", clip="hold_still", spoken="Hold still.")
LEGS_UP = Finding(
    "LEGS_UP", short="Legs back up the wall", clip="legs_up", spoken="Legs back up the wall."
)

#: Every finding, by name.
ALL: dict[str, Finding] = {
    value.name: value for value in list(globals().values()) if isinstance(value, Finding)
}
