"""The words every output uses: terminal, HTML report, live screen and log, voice.

One place, so a rep is "held" or "no hold", "controlled" or "too fast",
"from the hips" or "from the ankles" wherever it is shown, and angles carry
one sign convention: internal (in) positive, external (out) negative.
The sentences made of these words (warnings, advice, cues) are in
``hiprot.findings``; tables use these words directly, so they stay apart.
"""

from __future__ import annotations

from hiprot.recording import recording_stem

HELD, NOT_HELD = "held", "no hold"
CONTROLLED, TOO_FAST = "controlled", "too fast"
FROM_HIPS, FROM_ANKLES = "from the hips", "from the ankles"
#: Short forms for narrow table cells.
HIPS, ANKLES = "hips", "ankles"
#: Said when a reading sits at the most the camera view can read.
CAPPED = "capped"
#: Said when a left/right difference is smaller than the measurement error.
WITHIN_ERROR = "within measurement error"

#: Neutral, by calibration method (``Calibration.method``).
NEUTRAL_FROM = {
    "auto": "taken from the still start of the recording",
    "file": "from your saved calibration",
    "none": "not calibrated (angles are raw)",
}


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 rep``, ``2 reps``, ``0 reps``."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def degrees(value: float | None) -> str:
    """``+20°``, ``−9°`` (a true minus sign), ``–`` for unknown."""
    if value is None:
        return "–"
    rounded = round(value)
    return f"{'+' if rounded > 0 else '−' if rounded < 0 else '±'}{abs(rounded)}°"


def turn(internal_deg: float | None, external_deg: float | None) -> str:
    """How far a rep (or a leg) turned at the hips, signs that agree with the
    words: ``in +20°, out −9°``; a way the hips never passed neutral is said
    so, never as "out +9°", and as the hips': a rep swung from the ankles
    is counted on the feet while the femurs stay at neutral."""
    parts = []
    for way, value, passed in (
        ("in", internal_deg, internal_deg is not None and internal_deg > 0),
        ("out", external_deg, external_deg is not None and external_deg < 0),
    ):
        if value is None:
            parts.append(f"{way} –")
        elif passed:
            parts.append(f"{way} {degrees(value)}")
        else:
            parts.append(f"hips not {way} past neutral")
    return ", ".join(parts)


def neutral(method: str) -> str:
    return NEUTRAL_FROM.get(method, method)


def leg_line(
    reps: int, held: int, controlled: int, from_ankles: int, best_in: str, best_out: str
) -> str:
    """One leg's totals: ``6 reps, 5 held, 5 controlled, 0 from the ankles; ...``."""
    return (
        f"{plural(reps, 'rep')}, {held} {HELD}, {controlled} {CONTROLLED}, "
        f"{from_ankles} {FROM_ANKLES}; best in {best_in}, out {best_out}"
    )


def fit_names(names: list[str], width: int) -> list[str]:
    """Each name cut to at most ``width`` characters in its middle (``wall_b…g_2.mp4``),
    keeping its start and the end (where dates, numbers and suffixes differ),
    so that names that were distinct stay distinct.

    A landmark recording's long suffix goes first. Then it tries keeping more
    of the end first; a name that fits is left whole. If no cut keeps them
    apart, the names come back uncut (the table then wraps them).
    """
    short = [recording_stem(n) for n in names]
    if len(set(short)) != len(set(names)):
        short = list(names)
    if width < 3 or all(len(n) <= width for n in short):
        return short
    for head in range((width - 1) // 3, -1, -1):
        tail = width - 1 - head
        cut = [n if len(n) <= width else n[:head] + "…" + n[len(n) - tail :] for n in short]
        if len(set(cut)) == len(set(names)):
            return cut
    return short
