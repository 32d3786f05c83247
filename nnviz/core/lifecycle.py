"""Which network a runner trains: new settings, an opened session, a new seed, new rows.  No Qt.

These are commands of the ``Runner`` (runner.py binds each), the network's lifecycle.
``configure`` goes on from the current weights when only training settings changed
(reconfigure.keeps_weights: the track retrains in place) and otherwise builds a new experiment
(reconfigure.rebuilt) and adopts it; ``reset`` adopts the seed's new weights on the same
settings and data.  ``adopt`` takes an experiment over, whoever built it (an opened session
comes with its error history and validation curve): it trains the way the runner's experiments
train (interruptible, leaving cores), is numbered (the generation: one more than the network
before), has its ``Context`` sent and its ``Track`` made, and its compiled kernel is loaded
before the first run.  ``set_data`` puts other rows under the same network: a new Context of
the same generation and the next ``data_version``.

What these mean to the state machine is the runner's, asked of it through its ``Host`` hooks:
a new track starts it again (``_adopted``), new training settings change the iterations left
(``_retrained``), snapshots show the kernel still loading (``_kernel_waiting``), a command that
fails sends its one line (``_fail``, ``_made``), and the snapshot after (``_emit``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .context import Listener, new_context
from .data import Dataset
from .experiment import Experiment, Settings
from .kernel_load import load_kernel
from .model import Model
from .reconfigure import keeps_weights, rebuilt, reseeded
from .track import Track
from .traces import Traces


class Host(Protocol):
    """What the lifecycle's commands ask of the runner (runner.Runner is one)."""

    listener: Listener
    track: Track | None  # the network's track; None before the first network
    traces: Traces  # the runner's, across networks (the window sets how they are deferred)
    interruptible: bool  # how every experiment of the runner trains (TrainingSession)
    leave_cores: int

    @property
    def exp(self) -> Experiment | None: ...
    def _track(self) -> Track: ...  # the track (a RuntimeError when there is none)
    def _adopted(self, track: Track) -> None: ...  # a new network's track: ready, the chunk re-learned
    def _retrained(self, settings: Settings) -> None: ...  # new training settings taken: a snapshot
    def _kernel_waiting(self, note: str | None) -> None: ...  # a snapshot with the note; None: loaded
    def _made(self, move: Callable[..., None], *args) -> bool: ...  # False: it raised, its line was sent
    def _fail(self, message: str) -> None: ...  # the line sent, a snapshot
    def _emit(self, force: bool = False, slack: float = 0.0) -> None: ...  # a snapshot (forced: now)


def configure(run: Host, settings: Settings, dataset: Dataset | None = None, init: Model | None = None) -> None:
    """New settings.  Training-only changes keep the weights; others build a new network."""
    if keeps_weights(run.exp, settings, dataset, init):
        if run._made(run._track().retrain, settings):
            run._retrained(settings)
        return
    try:
        exp = rebuilt(run.exp, settings, dataset, init, run.interruptible, run.leave_cores)
    except ValueError as exc:
        return run._fail(str(exc))
    adopt(run, exp)


def adopt(run: Host, exp: Experiment, history_x=None, history_y=None, validation_x=None, validation_y=None,
          warm: bool = True) -> None:
    """Take over an experiment (a new network, or an opened session with its error history and
    validation curve: the curve is shown, early stopping's best is counted from the present,
    since the session holds no earlier weights to restore).  ``warm``: load the compiled kernel
    now (False: training stops before it starts, and need not wait for it)."""
    exp.run_as(run.interruptible, run.leave_cores)  # one built elsewhere (an opened session)
    generation = run.track.generation + 1 if run.track is not None else 1
    context = new_context(generation, exp, history_x, history_y, validation_x, validation_y)
    run._adopted(Track(exp, context, run.traces))
    run.listener.on_context(context)
    if warm:  # its load is not in the first run's seconds
        load_kernel(exp, run._kernel_waiting)
    run._emit(force=True)


def reset(run: Host) -> None:
    """New random weights (the seed's), same settings and data."""
    if run.track is None:
        return
    try:
        exp = reseeded(run.track.exp, run.interruptible, run.leave_cores)
    except ValueError as exc:
        return run._fail(str(exc))
    adopt(run, exp)


def set_data(run: Host, dataset: Dataset) -> None:
    """Train on other rows (points added, moved or deleted on the map) from the current
    weights: the scaling stays the original data's (see Experiment.set_data), the error
    history goes on, a running training keeps running.  A new Context of the same
    generation and a higher ``data_version`` goes out first, then a snapshot on the new
    rows.  Going back (step back, the history slider) stops at the edit: replaying older
    iterations would train them on rows they never saw; early stopping compares from here."""
    if run.track is not None and run._made(run.track.set_data, dataset):
        run.listener.on_context(run.track.context)
        run._emit(force=True)
