"""Training as a film: the iterations its frames show, and the run that collects them.

Training is deterministic, so a film is one run of an ``Experiment`` forward, stopping at
each frame's iteration to copy the weights; a frame at iteration k shows exactly the
network a run of k iterations ends with.  Painting the frames is ``nnviz.gui.film``'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .experiment import Experiment


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


def shoot(exp: Experiment, at: np.ndarray, progress: Callable[[int, int], None] | None = None) -> Reel:
    """Train ``exp`` forward, copying the weights at every iteration in ``at`` (non-decreasing)."""
    frames: list[Frame] = []
    mses: list[np.ndarray] = []
    session = exp.session
    start = session.iteration
    for k, it in enumerate(at.tolist()):
        need = it - (session.iteration - start)
        if need > 0:
            res = session.run(need)
            mses.append(res.mse)
            if res.stopped == "diverged":
                raise ValueError(f"training diverged at iteration {session.iteration}: {res.message}")
            if res.iterations < need:  # stopped by the threshold: the later frames show the end
                at = np.minimum(at, session.iteration - start)
        weights = tuple(W.copy() for W in exp.network.weights)
        frames.append(Frame(int(session.iteration - start), weights, exp.evaluate().mse))
        if progress:
            progress(k + 1, len(at))
    y = np.concatenate(mses) if mses else np.empty(0)
    return Reel(frames, np.arange(1, y.size + 1), y, exp)
