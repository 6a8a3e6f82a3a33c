"""Both legs at once: one ``RepCounter`` per worked leg, fed one frame at a time."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from types import MappingProxyType

from hiprot import drill
from hiprot.holds import checked_hold_band
from hiprot.landmarks import Side
from hiprot.reps import (
    HYSTERESIS_DEG,
    MAX_GAP_S,
    MIN_CONFIDENCE,
    FrameReading,
    Mode,
    Rep,
    RepCounter,
    RepEvent,
    RepSample,
)


class BilateralCounter:
    """One ``RepCounter`` per worked leg, fed one per-frame sample of both legs.

    With ``near`` (image angles) the near leg's inward and the far leg's
    outward end of the range are edge-on sides (module docstring).

    Example:
        >>> counter = BilateralCounter(Mode.BOTH)
        >>> for frame in angle_samples:        # e.g. hiprot.reading.series.AngleSample
        ...     events = counter.update(frame)
        >>> counter.finish(angle_samples[-1].t_s)
        >>> counter[Side.LEFT].rep_count
    """

    def __init__(
        self,
        mode: Mode | str = Mode.BOTH,
        *,
        near: Side | None = None,
        hysteresis_deg: float = HYSTERESIS_DEG,
        max_gap_s: float = MAX_GAP_S,
        min_confidence: float = MIN_CONFIDENCE,
        foot_driven: Collection[Side] = (),
        hold_band_deg: Mapping[Side, float] | None = None,
        excursion_deg: Mapping[Side, float] | None = None,
    ) -> None:
        """``near``: the leg nearer the camera, when the angles come from the
        image: its inward side and the other leg's outward side are seen
        edge-on and need only to leave the band (module docstring).
        ``foot_driven``: legs whose foot alone drives the cycle (``retune``).
        ``hold_band_deg``: per leg, ``RepCounter``'s; ``HOLD_TOLERANCE_DEG``
        for a leg not in it. ``excursion_deg``: per leg, how far out and in a
        rep must reach (Noise floor in the module docstring);
        ``REP_MIN_EXCURSION_DEG`` for a leg not in it (``retune``)."""
        self.mode = Mode(mode)
        self._near = near
        self._hysteresis_deg = hysteresis_deg
        self._settings = {
            side: dict(
                hysteresis_deg=hysteresis_deg,
                max_gap_s=max_gap_s,
                min_confidence=min_confidence,
                hold_band_deg=(hold_band_deg or {}).get(side, drill.HOLD_TOLERANCE_DEG),
            )
            for side in self.mode.sides
        }
        self._excursion_deg: dict[Side, float] = {}
        for side in self.mode.sides:
            self._set_excursion(side, (excursion_deg or {}).get(side, drill.REP_MIN_EXCURSION_DEG))
        self._counters = {
            side: RepCounter(side, foot_driven=side in foot_driven, **settings)
            for side, settings in self._settings.items()
        }
        self._span_s: tuple[float, float] | None = None  # first and last frame fed

    def _set_excursion(self, side: Side, excursion_deg: float) -> None:
        """One leg's thresholds: ``excursion_deg`` out and in, and on an
        edge-on side the band edge raised by as much as ``excursion_deg``
        exceeds ``REP_MIN_EXCURSION_DEG``."""
        if not excursion_deg >= drill.REP_MIN_EXCURSION_DEG:
            raise ValueError(
                f"excursion_deg must be at least {drill.REP_MIN_EXCURSION_DEG}, got {excursion_deg}"
            )
        raised = excursion_deg - drill.REP_MIN_EXCURSION_DEG
        edge = drill.NEUTRAL_BAND_DEG + self._hysteresis_deg + raised
        settings = self._settings[side]
        settings["external_min_deg"] = settings["internal_min_deg"] = excursion_deg
        if self._near is not None:
            settings["internal_min_deg" if side is self._near else "external_min_deg"] = edge
        self._excursion_deg[side] = float(excursion_deg)
        counter = getattr(self, "_counters", {}).get(side)
        if counter is not None:
            counter.external_min_deg = settings["external_min_deg"]
            counter.internal_min_deg = settings["internal_min_deg"]

    @property
    def excursion_deg(self) -> dict[Side, float]:
        """Per worked leg, how far out and in a rep must reach."""
        return dict(self._excursion_deg)

    @property
    def foot_driven(self) -> frozenset[Side]:
        """The worked legs whose foot alone drives the cycle."""
        return frozenset(side for side, c in self._counters.items() if c.foot_driven)

    @property
    def hold_band_deg(self) -> dict[Side, float]:
        """Per worked leg, its counter's ``hold_band_deg``."""
        return {side: c.hold_band_deg for side, c in self._counters.items()}

    def retune(
        self,
        *,
        foot_driven: Collection[Side] | None = None,
        hold_band_deg: Mapping[Side, float] | None = None,
        excursion_deg: Mapping[Side, float] | None = None,
    ) -> None:
        """Change how the legs are counted, mid-set; None keeps a setting.

        ``foot_driven`` and ``excursion_deg`` apply at once (the thresholds
        are read sample by sample), ``hold_band_deg`` from each leg's next
        attempt; all apply to recounts. A leg not named in a mapping gets
        ``HOLD_TOLERANCE_DEG`` / ``REP_MIN_EXCURSION_DEG``.

        Raises:
            ValueError: A band or excursion below the drill's; nothing is changed.
        """
        bands = excursions = None
        if hold_band_deg is not None:
            bands = {
                side: checked_hold_band(hold_band_deg.get(side, drill.HOLD_TOLERANCE_DEG))
                for side in self._counters
            }
        if excursion_deg is not None:
            excursions = {
                s: excursion_deg.get(s, drill.REP_MIN_EXCURSION_DEG) for s in self._counters
            }
            if not all(e >= drill.REP_MIN_EXCURSION_DEG for e in excursions.values()):
                raise ValueError(
                    f"excursion_deg must be at least {drill.REP_MIN_EXCURSION_DEG}, "
                    f"got {excursions}"
                )
        for side, counter in self._counters.items():
            if foot_driven is not None:
                counter.foot_driven = side in foot_driven
            if bands is not None:
                counter.hold_band_deg = self._settings[side]["hold_band_deg"] = bands[side]
            if excursions is not None:
                self._set_excursion(side, excursions[side])

    @property
    def counters(self) -> Mapping[Side, RepCounter]:
        return MappingProxyType(self._counters)

    def __getitem__(self, side: Side) -> RepCounter:
        return self._counters[side]

    @property
    def reps(self) -> tuple[Rep, ...]:
        """Reps of all worked legs, in the order they started."""
        reps = [rep for counter in self._counters.values() for rep in counter.reps]
        return tuple(sorted(reps, key=lambda rep: (rep.start_s, rep.leg.value, rep.index)))

    def update(self, frame: FrameReading) -> list[RepEvent]:
        """Feed one frame; a worked leg missing from ``frame.legs`` is a dropout."""
        self._span_s = (self._span_s[0] if self._span_s else frame.t_s, frame.t_s)
        events: list[RepEvent] = []
        for side, counter in self._counters.items():
            leg = frame.legs.get(side)
            sample = (
                RepSample.missing(frame.t_s)
                if leg is None
                else RepSample(
                    frame.t_s,
                    leg.femur_deg,
                    leg.foot_deg,
                    leg.confidence,
                    bool(getattr(leg, "in_position", True)),
                )
            )
            events += counter.update(sample)
        return events

    def recount(self, side: Side, samples: Iterable[RepSample]) -> tuple[Rep, ...]:
        """Count one worked leg afresh over another reading of the frames fed
        so far (``samples`` outside their span are ignored), and go on from
        there: the reps it finds replace the leg's. Live re-reads a leg this
        way once it finds its knee too flat to read (``hiprot.reading.live.LiveAngles``).
        """
        old = self._counters[side]
        fresh = RepCounter(side, foot_driven=old.foot_driven, **self._settings[side])
        if self._span_s is not None:
            first, last = self._span_s
            for sample in samples:
                if first <= sample.t_s <= last:
                    fresh.update(sample)
        self._counters[side] = fresh
        return fresh.reps

    def finish(self, t_s: float) -> list[RepEvent]:
        events: list[RepEvent] = []
        for counter in self._counters.values():
            events += counter.finish(t_s)
        return events
