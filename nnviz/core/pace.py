"""The pace of Play in the window: how many iterations are due after so many seconds.  No Qt.

A pace has a cruising ``speed`` (iterations per second) and a slow start: the rate at
iteration t is

    r(t) = min(speed, start_rate + t / ramp_seconds)

so the first iterations, where the network changes most, pass slowly enough to be
watched (at the defaults the first 100 take 2.5 s, the first 1,000 6.5 s) and the rate
doubles about every 1.4 s until it reaches the speed.  The rate depends on the
iteration, not on the time since Play, so pausing and playing again at iteration 30,000
goes on at the cruising speed.  ``iteration_after`` and ``seconds_between`` integrate
dt = dt / r(t) exactly (a logarithm on the ramp, a line after it), so the runner can ask
how many iterations are due now and how long to wait for the next one.

The pace is an upper bound: a network whose iterations are slower runs as fast as it
can.  The command line is never paced; neither is Step N.  Play follows the pace from a
``since`` = (time, iteration): ``due`` says how many iterations may run now, ``wait`` how long
until the next one, ``behind`` when training lags so far that the schedule moves on.  A
``Schedule`` is the runner's: the pace (or none), where it is followed from, and what that
means for the next chunk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_SPEED = 2_000.0  # iterations per second: the post's 50,000 iris iterations in about 32 s
MAX_SPEED = 100_000.0  # the speed control's top notch before "max" (an iris iteration is ~10 us)
START_RATE = 20.0  # iterations per second at iteration 0
RAMP_SECONDS = 2.0  # the rate grows by one iteration per second every this many iterations per second
# a paced run behind its schedule by more than this (a stall, or iterations slower than the pace)
# goes on from where it is: the backlog is never run at once
PACE_SLACK = 1.0
WAKE_RATE = 120.0  # at higher rates, wake at most this many times a second and run what is due then


@dataclass(frozen=True)
class Pace:
    """Play's pace: a cruising speed reached after a slow start (see the module doc)."""

    speed: float = DEFAULT_SPEED
    start_rate: float = START_RATE
    ramp_seconds: float = RAMP_SECONDS

    def __post_init__(self) -> None:
        if not (math.isfinite(self.speed) and self.speed > 0):
            raise ValueError(f"the speed must be a positive number of iterations per second (got {self.speed})")

    @property
    def ramp_end(self) -> float:
        """The iteration from which the rate is the cruising speed."""
        return max(self.speed - self.start_rate, 0.0) * self.ramp_seconds

    def rate(self, t: float) -> float:
        """Iterations per second at iteration t."""
        return min(self.speed, self.start_rate + max(t, 0.0) / self.ramp_seconds)

    def seconds_between(self, a: float, b: float) -> float:
        """Seconds the pace takes from iteration a to iteration b (a <= b)."""
        if b <= a:
            return 0.0
        end, tau = self.ramp_end, self.ramp_seconds
        seconds = 0.0
        if a < end:
            top = min(b, end)
            seconds += tau * math.log(self.rate(top) / self.rate(a))
            a = top
        if b > a:
            seconds += (b - a) / self.speed
        return seconds

    def iteration_after(self, start: float, seconds: float) -> float:
        """The (fractional) iteration reached ``seconds`` after ``start``."""
        if seconds <= 0:
            return float(start)
        end, tau = self.ramp_end, self.ramp_seconds
        t = float(start)
        if t < end:
            to_end = self.seconds_between(t, end)
            if seconds <= to_end:
                return tau * (self.rate(t) * math.exp(seconds / tau) - self.start_rate)
            seconds -= to_end
            t = end
        return t + seconds * self.speed

    def due(self, since: tuple[float, int], now: float, iteration: int) -> int:
        """Iterations the pace followed from ``since`` (time, iteration) allows at ``now`` beyond
        ``iteration``."""
        t0, it0 = since
        return int(self.iteration_after(it0, now - t0) + 1e-9) - iteration

    def wait(self, since: tuple[float, int], now: float, iteration: int) -> float:
        """Seconds from ``now`` until the iteration after ``iteration`` is due (0: one is due)."""
        if self.due(since, now, iteration) > 0:
            return 0.0
        t0, it0 = since
        next_at = t0 + self.seconds_between(it0, iteration + 1)
        return max(next_at - now, 0.0 if self.rate(iteration) < WAKE_RATE else 1 / WAKE_RATE)

    def behind(self, since: tuple[float, int], now: float, iteration: int) -> bool:
        """Training at ``iteration`` lags the schedule by more than PACE_SLACK seconds at ``now``."""
        t0, it0 = since
        return now - t0 - self.seconds_between(it0, iteration) > PACE_SLACK


class Schedule:
    """Play's pace (None: as fast as the machine goes) followed from ``since`` = (time, iteration)."""

    def __init__(self, pace: Pace | None = None) -> None:
        self.pace = pace
        self.since: tuple[float, int] = (0.0, 0)

    def paced(self, playing: bool) -> Schedule:
        """The schedule training follows: this one while Play runs (``playing``); none otherwise,
        so that Step N runs as fast as the machine goes."""
        return self if playing else Schedule()

    def follow(self, now: float, iteration: int) -> None:
        """Follow the pace from here (Play, a new pace, or a lag forgiven)."""
        self.since = (now, iteration)

    def allowed(self, n: int, now: float, iteration: int, frame_rate: float) -> int:
        """Of ``n`` iterations asked after ``iteration``, those to run at ``now``: all without a
        pace; with one, those due (0: none yet, see ``wait``), one at a time while the rate is up
        to ``frame_rate`` (each its own snapshot: a machine that lags behind the pace catches up
        with more chunks, not with two iterations in one)."""
        if self.pace is None:
            return n
        due = self.pace.due(self.since, now, iteration)
        return max(min(n, due, 1 if self.pace.rate(iteration) <= frame_rate else due), 0)

    def wait(self, now: float, iteration: int) -> float:
        """Seconds from ``now`` until the iteration after ``iteration`` is due (0 without a pace)."""
        return 0.0 if self.pace is None else self.pace.wait(self.since, now, iteration)

    def ran(self, now: float, iteration: int) -> None:
        """A chunk ran up to ``iteration``: slower than the pace, training goes on as fast as it
        can from here, without a debt to catch up later."""
        if self.pace is not None and self.pace.behind(self.since, now, iteration):
            self.follow(now, iteration)

    def every_iteration(self, iteration: int, frame_rate: float) -> bool:
        """At a pace up to the frame rate every iteration is a snapshot (and is painted)."""
        return self.pace is not None and self.pace.rate(iteration) <= frame_rate
