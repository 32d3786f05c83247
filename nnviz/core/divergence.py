"""Divergence: what a training session does when an update makes its error (or a weight) NaN
or infinite.

``TrainingSession.run`` and ``step_trace`` (training.py) keep the last weights whose error was
finite: those after all but the last update of the call (``roll_back``), or, when the weights
the call started from have no finite error either, those before the last update of the run
or step that made them (``undo_last_update``, which replays it).  ``message`` is the line that
says so.  The functions take the session and use its state (get_state, set_state, clone, run).
"""

from __future__ import annotations

import numpy as np


def message(session) -> str:
    """What the user is told: where training diverged, and what to try."""
    return (
        f"training diverged at iteration {session.iteration + 1} (the error became NaN or infinite); "
        f"kept the last finite weights - try a smaller learning rate than {session.config.lr:g}"
    )


def roll_back(session, checkpoint: dict, done: int) -> int:
    """After a divergence in a run from ``checkpoint``: the weights after ``done`` updates gave a
    non-finite error, so keep those of done - 1 (the error of each was finite), or, when the
    weights the call started from have none, those before the update that made them.  Returns
    the updates kept."""
    session.set_state(checkpoint)
    if done == 0:
        undo_last_update(session)
        return 0
    return session.run(done - 1).iterations  # fewer if one of those updates made a weight infinite


def undo_last_update(session) -> None:
    """Back to the state before the last update of the last run or step (the weights it made
    have no finite error): replayed from where that run started, and only if replaying it
    gives the present state bit for bit (nothing when the state was set or edited since)."""
    if session._last_run is None:
        return
    start, count, config = session._last_run
    now = session.get_state()
    twin = session.clone(config)
    twin.set_state(start)
    twin.run(count - 1)
    before = twin.get_state()
    twin.run(1)
    after = twin.get_state()
    if all(np.array_equal(after[k], now[k]) for k in now if isinstance(now[k], np.ndarray)) and \
            all(after[k] == now[k] for k in ("rng", "pos", "iteration")):
        session.set_state(before)
        session._last_run = (start, count - 1, config) if count > 1 else None
