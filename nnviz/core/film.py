"""Training as a film: the iterations its frames show, and the run that collects them.

Training is deterministic, so a film is one run of an ``Experiment`` forward, stopping at
each frame's iteration to copy the weights; a frame at iteration k shows exactly the
network a run of k iterations ends with.  The window films its own run from the states
its timeline stored (``Source``): where the settings changed or a weight was edited the
replay takes the stored state and the settings in force from there, so every frame is
the network the window showed at that iteration.  Painting the frames is
``nnviz.gui.film``'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .experiment import Experiment
from .training import TrainConfig

StoredState = tuple[int, dict, TrainConfig]  # iteration, session state, settings in force from there


def frame_iterations(iterations: int, frames: int) -> np.ndarray:
    """``frames`` iterations from 0 to ``iterations``, log-spaced (k and k + 1 apart at the
    start), non-decreasing; repeated only when there are fewer iterations than frames."""
    if frames < 2:
        raise ValueError(f"a film needs at least 2 frames (got {frames})")
    if iterations < 0:
        raise ValueError(f"the number of iterations cannot be negative (got {iterations})")
    ideal = np.expm1(np.linspace(0.0, np.log1p(iterations), frames))
    out = np.zeros(frames, dtype=np.int64)
    for k in range(1, frames):
        v = max(round(ideal[k]), int(out[k - 1]) + 1)
        v = min(v, iterations - (frames - 1 - k))  # leave one iteration for each later frame
        out[k] = max(v, int(out[k - 1]))
    out[-1] = iterations
    return out


@dataclass(frozen=True)
class Frame:
    iteration: int
    weights: tuple[np.ndarray, ...]
    mse: float  # on the training rows, with these weights


@dataclass
class Reel:
    """What a film shows: the frames, the whole error history and the experiment."""

    frames: list[Frame]
    history_x: np.ndarray  # iteration numbers 1..N
    history_y: np.ndarray  # the mse of each iteration
    experiment: Experiment


@dataclass(frozen=True)
class Source:
    """A run to film (``Runner.film_source``): an experiment of its own (the run's data and a
    session of its own) and the run's stored states, oldest first."""

    experiment: Experiment
    states: tuple[StoredState, ...]
    present: int  # the run's current iteration

    @property
    def first(self) -> int:
        return self.states[0][0]

    def check_range(self, start: int, end: int) -> None:
        """One-line ValueError unless first <= start < end (a film needs two iterations)."""
        if not (self.first <= start < end):
            raise ValueError(f"a film needs iterations from {self.first:,} on, the first below the last "
                             f"(got {start:,} to {end:,})")


def shoot(exp: Experiment, at: np.ndarray, progress: Callable[[int, int], None] | None = None,
          states: tuple[StoredState, ...] = ()) -> Reel:
    """Train ``exp`` forward, copying the weights at every iteration in ``at`` (non-decreasing,
    counted from the session's iteration when there are no ``states``).  With ``states`` (a
    timeline's, oldest first, iterations absolute) each one is taken when the replay reaches its
    iteration, with its settings, so the frames are the run's own however it went."""
    frames: list[Frame] = []
    mses: list[np.ndarray] = []
    xs: list[np.ndarray] = []
    start = 0 if states else exp.session.iteration
    at = np.asarray(at, dtype=np.int64) + start
    pending = list(states)

    def take(entry: StoredState) -> None:
        _, state, config = entry
        if config != exp.session.config:
            exp.session = exp.session.clone(config)
        exp.session.set_state(state)

    while pending and pending[0][0] <= at[0]:  # the state the film starts from
        take(pending.pop(0))
    if states and exp.session.iteration != at[0]:
        exp.session.run(int(at[0]) - exp.session.iteration)  # no states in between: the run went on
    for k in range(len(at)):
        it = int(at[k])
        while exp.session.iteration < it:
            stop = pending[0][0] if pending and pending[0][0] <= it else it
            was = exp.session.iteration
            res = exp.session.run(stop - was)
            mses.append(res.mse)
            xs.append(np.arange(was + 1, was + res.iterations + 1))
            if res.stopped == "diverged":
                raise ValueError(f"training diverged at iteration {exp.session.iteration}: {res.message}")
            if res.iterations < stop - was:  # stopped by the threshold: the later frames show the end
                at = np.minimum(at, exp.session.iteration)
                pending.clear()
                break
            if pending and pending[0][0] == exp.session.iteration:
                take(pending.pop(0))
        weights = tuple(W.copy() for W in exp.network.weights)
        frames.append(Frame(int(exp.session.iteration - start), weights, exp.evaluate().mse))
        if progress:
            progress(k + 1, len(at))
    y = np.concatenate(mses) if mses else np.empty(0)
    x = np.concatenate(xs) - start if xs else np.empty(0, dtype=np.int64)
    return Reel(frames, x, y, exp)


def shoot_source(source: Source, start: int, end: int, frames: int,
                 progress: Callable[[int, int], None] | None = None) -> Reel:
    """The film of a window's run from iteration ``start`` to ``end`` (log-spaced from start)."""
    source.check_range(start, end)
    return shoot(source.experiment, start + frame_iterations(end - start, frames), progress, source.states)
