"""The traces a snapshot at rest carries: the last iteration's and the next one's.  No Qt.

A trace (training.StepTrace) is every matrix of one iteration, made by replaying it on a copy
of the session.  ``Traces`` keeps the last iteration's trace, and schedules it: with ``defer``
(the window), a network of more than ``TRACE_NOW_MACS`` multiply-adds an iteration has its
trace made after the snapshot that says "paused" (``rest``), once the runner has rested ``delay``
seconds (a Step or Reset right after a Pause does not wait behind a trace about to be
outdated).  Times are the caller's clock, passed in: a fake clock tests the schedule.  It
also keeps the trace of the iteration the next Step will make, cached while the training
state is the same.  ``trace_at`` replays an earlier iteration; ``every_core`` lets BLAS use
every core at rest.  Whether a trace is wanted at all is the runner's decision.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager

import numpy as np

from . import blas
from .timeline import Timeline
from .training import StepTrace, TrainingSession

# with defer, an iteration of more multiply-adds than this has its trace (the inspector's
# matrices, a replay of the last iteration) made after the snapshot that says "paused"
TRACE_NOW_MACS = 5_000_000


class Traces:
    """The last iteration's trace, the one deferred, and the next step's (see the module doc)."""

    def __init__(self) -> None:
        self.last: StepTrace | None = None  # of the iteration that led to the present, at rest
        self.defer = False  # the window sets this: a big network's trace comes in a second snapshot
        self.delay = 0.0  # ... made only once the runner has rested this long
        self.due: tuple[int, int] | None = None  # (generation, iteration) of a deferred trace
        self.due_time = 0.0  # when it is due (the caller's clock)
        self._next: tuple[tuple, StepTrace | None] | None = None  # (state key, trace of the next step)

    def big(self, session: TrainingSession) -> bool:
        """Traces of this session's iterations are deferred (and no next step is made)."""
        return self.defer and blas.work(session) > TRACE_NOW_MACS

    def postpone(self, generation: int, iteration: int, now: float) -> None:
        """No trace now: the one of ``iteration`` is due ``delay`` seconds from ``now``."""
        self.last = None
        self.due = (generation, iteration)
        self.due_time = now + self.delay

    def wait(self, now: float) -> float:
        """Seconds until the deferred trace is due (0 when none is waiting or it is due)."""
        if self.due is None:
            return 0.0
        return max(self.due_time - now, 0.0)

    def take_due(self, generation: int, iteration: int) -> bool:
        """The deferred trace leaves the schedule; True when it is the one of this present."""
        due, self.due = self.due, None
        return due == (generation, iteration)

    def rest(self, session: TrainingSession, timeline: Timeline, generation: int, now: float,
             wanted: bool = True) -> None:
        """Training stopped at ``session``'s iteration: the last iteration's trace now or, for a
        big network with ``defer``, ``postpone``d; none when not ``wanted`` (nothing shows it)."""
        if not wanted:
            self.last = None
        elif self.big(session) and session.iteration > 0:
            self.postpone(generation, session.iteration, now)
        else:
            self.last = trace_at(session, timeline, session.iteration)

    def forget(self) -> None:
        """Neither a last trace nor a deferred one (the network or its rows changed)."""
        self.last, self.due = None, None

    def next_step(self, session: TrainingSession, generation: int, data_version: int) -> StepTrace | None:
        """The iteration the next Step will make, computed on a copy (at iteration 0 too), kept
        while the training state is the same; None for a big network (it would cost a second
        replay at every rest)."""
        if self.big(session):
            return None
        key = (generation, data_version, session.config, session.engine, session.dtype,
               state_digest(session.get_state()))
        if self._next is None or self._next[0] != key:
            self._next = (key, peek(session.clone()))
        return self._next[1]


def trace_at(session: TrainingSession, timeline: Timeline, iteration: int) -> StepTrace | None:
    """Every matrix of the iteration that led to ``iteration``, replayed on a copy (None at 0,
    or when the replay fails)."""
    if iteration == 0:
        return None
    try:
        # the settings in force then, not today's: a preview before a change of learning
        # rate shows the update that was made
        twin = session.clone(timeline.config_at(iteration - 1))
        twin.set_state(timeline.state_at(session, iteration - 1))
        return twin.step_trace()
    except (ValueError, FloatingPointError):
        return None


def peek(twin: TrainingSession) -> StepTrace | None:
    """The trace of one iteration made on ``twin`` (a copy: it is changed), None if it diverges."""
    try:
        return twin.step_trace()
    except (ValueError, FloatingPointError):
        return None


def state_digest(state: dict) -> bytes:
    """A fingerprint of a training state (weights, optimiser memory, generator, batch position)."""
    h = hashlib.blake2b(digest_size=16)
    for k in sorted(state):
        v = state[k]
        h.update(k.encode())
        h.update(np.ascontiguousarray(v).tobytes() if isinstance(v, np.ndarray) else repr(v).encode())
    return h.digest()


@contextmanager
def every_core(session: TrainingSession):
    """At rest (a single step, a trace made after a pause) nothing trains beside the
    products: BLAS may use every core, whatever the session's choice for training."""
    kept = session.blas_threads
    if blas.work(session) >= blas.MEASURE_FROM:
        session.blas_threads = max(kept, blas.max_threads())
    try:
        yield
    finally:
        session.blas_threads = kept
