"""Spoken coaching, offline: shipped WAV clips played without blocking the loop.

The person lies with their legs up a wall and can barely see the screen, so
counts and cues are also said aloud. ``Speaker`` decides *what* is said and
*when* (a queue with priorities and cooldowns, time passed in, so tests see
exactly what would be spoken); a ``Player`` only plays a named clip.
``ClipPlayer`` hands each clip to the system's own player (``aplay``,
``paplay`` or ``afplay``) in a subprocess; without one, ``SilentPlayer``.
Clips are made by ``python -m hiprot.voice.make_clips`` (espeak-ng).

Policy:

- Never two clips at once: nothing starts until the current clip is over.
- Counts go first; a newer count replaces one not yet said.
- Announcements (go, rest, next set, done) wait their turn, in order.
- Cues are corrective and only useful now: one waits at a time (a newer one
  replaces it), it is dropped if it cannot start within ``max_cue_wait_s``,
  a cue starts at least ``cue_cooldown_s`` after the previous cue, and the
  same cue not again within ``repeat_cooldown_s``.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Protocol

from hiprot.coach import Say, Utterance

CLIP_DIR = Path(__file__).resolve().parent / "clips"
SAMPLE_RATE_HZ = 16_000
MAX_SPOKEN_COUNT = 20

#: System players tried in order: ALSA, PulseAudio/PipeWire, macOS.
PLAYER_COMMANDS = (("aplay", "-q"), ("paplay",), ("afplay",))


class Player(Protocol):
    """Plays named clips without blocking."""

    def duration_s(self, clip: str) -> float: ...
    def play(self, clip: str) -> None: ...


def clip_duration_s(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


class SilentPlayer:
    """Plays nothing (``--quiet``, or no system player); clips keep their length
    so the speaking policy is the same."""

    def __init__(self, clip_dir: Path = CLIP_DIR) -> None:
        self._durations = {p.stem: clip_duration_s(p) for p in sorted(clip_dir.glob("*.wav"))}

    def duration_s(self, clip: str) -> float:
        return self._durations.get(clip, 0.0)

    def play(self, clip: str) -> None:
        return None


class ClipPlayer(SilentPlayer):
    """Plays clips with a system command in a subprocess; a context manager
    that lets the last clip finish (briefly) and reaps every process."""

    def __init__(self, command: tuple[str, ...], clip_dir: Path = CLIP_DIR) -> None:
        super().__init__(clip_dir)
        self.command = command
        self.clip_dir = clip_dir
        self._running: list[subprocess.Popen[bytes]] = []

    @classmethod
    def find(cls, clip_dir: Path = CLIP_DIR) -> ClipPlayer | None:
        """The first system player found on PATH, or None."""
        for command in PLAYER_COMMANDS:
            path = shutil.which(command[0])
            if path is not None:
                return cls((path, *command[1:]), clip_dir)
        return None

    def play(self, clip: str) -> None:
        self._running = [p for p in self._running if p.poll() is None]
        if clip not in self._durations:
            return
        self._running.append(
            subprocess.Popen(
                [*self.command, str(self.clip_dir / f"{clip}.wav")],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    def __enter__(self) -> ClipPlayer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for process in self._running:
            try:
                process.wait(timeout=3.0)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._running.clear()


@contextmanager
def open_player(quiet: bool, notify: Callable[[str], None]) -> Iterator[Player]:
    """The system player, or a silent one (``quiet``, or none found: said once)."""
    player = None if quiet else ClipPlayer.find()
    if player is None:
        if not quiet:
            notify("No audio player found (aplay, paplay or afplay): coaching is on screen only.")
        yield SilentPlayer()
        return
    with player:
        yield player


@dataclass(frozen=True)
class Spoken:
    """A clip the speaker started, and when."""

    t_s: float
    clip: str
    kind: Say


class Speaker:
    """Queues utterances and starts them one at a time (see the module docstring).

    Example:
        >>> speaker = Speaker(SilentPlayer())
        >>> speaker.say(Utterance.count(3), t_s=10.0)
        >>> speaker.tick(10.0)
        Spoken(t_s=10.0, clip='count_3', kind=<Say.COUNT: 2>)
    """

    def __init__(
        self,
        player: Player,
        *,
        cue_cooldown_s: float = 3.0,
        repeat_cooldown_s: float = 5.0,
        max_cue_wait_s: float = 1.0,
        gap_s: float = 0.2,
    ) -> None:
        self.player = player
        self.cue_cooldown_s = cue_cooldown_s
        self.repeat_cooldown_s = repeat_cooldown_s
        self.max_cue_wait_s = max_cue_wait_s
        self.gap_s = gap_s
        self.spoken: list[Spoken] = []
        self._count: Utterance | None = None
        self._announcements: deque[Utterance] = deque()
        self._cue: tuple[float, Utterance] | None = None
        self._busy_until = float("-inf")
        self._last_cue_s = float("-inf")
        self._last_said_s: dict[str, float] = {}

    def say(self, utterance: Utterance, t_s: float) -> None:
        """Queue ``utterance`` (asked for at ``t_s``); ``tick`` starts it."""
        if utterance.kind is Say.COUNT:
            self._count = utterance
        elif utterance.kind is Say.ANNOUNCE:
            self._announcements.append(utterance)
        elif t_s - self._last_said_s.get(utterance.clip, float("-inf")) >= self.repeat_cooldown_s:
            self._cue = (t_s, utterance)

    def idle(self, t_s: float) -> bool:
        """Nothing is being said at ``t_s`` and nothing but stale cues waits."""
        waiting = self._count is not None or self._announcements
        return t_s >= self._busy_until and not waiting

    def tick(self, t_s: float) -> Spoken | None:
        """Start the next utterance if the last one is over; returns what started."""
        if self._cue is not None and t_s - self._cue[0] > self.max_cue_wait_s:
            self._cue = None
        if t_s < self._busy_until:
            return None
        utterance: Utterance | None = None
        if self._count is not None:
            utterance, self._count = self._count, None
        elif self._announcements:
            utterance = self._announcements.popleft()
        elif self._cue is not None and t_s - self._last_cue_s >= self.cue_cooldown_s:
            utterance, self._cue = self._cue[1], None
            self._last_cue_s = t_s
        if utterance is None:
            return None
        self.player.play(utterance.clip)
        self._busy_until = t_s + self.player.duration_s(utterance.clip) + self.gap_s
        self._last_said_s[utterance.clip] = t_s
        spoken = Spoken(t_s, utterance.clip, utterance.kind)
        self.spoken.append(spoken)
        return spoken
