"""Snapshots made from a run's state: the present, or a look at an earlier iteration.  No Qt.

``SnapshotMaker`` reads what a ``Run`` declares (the runner is one; a test may pass any
object with these attributes) and returns an immutable ``Snapshot``: the status (state,
why it stopped, the chunk, the commands taken) and, from the run's ``Track`` (track.py), the
error curve and evaluation points since the last snapshot (progress.py), the validation points
and the best (early_stop.py), the traces (traces.py); the hint (advice.py) and the derived
fields (derive.py), computed with training's BLAS threads and only for what the visible views
need: its ``View`` (the needs, the selected observation and node, as the window last set them).
It keeps what snapshots need from one to the next: the hints' error history and the Dynamics
tab's (dynamics.Tracker).  It sends nothing and changes nothing of the run but what a snapshot
takes once (the curve, the points, ``rewound``) and a look back that cannot be replayed, dropped
for the present (``snapshot`` returns its one-line error for the runner to send).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from . import advice, blas, dynamics
from .context import State
from .derive import NEEDS, derive, known
from .network import Network
from .snapshot import Snapshot
from .track import Track
from .traces import peek
from .training import StepTrace, rate_at


class Run(Protocol):
    """What a snapshot is made of (the runner's state, read)."""

    track: Track | None  # the network's experiment, context and what is kept of its run (track.py)
    state: State
    stopped: str | None  # why training stopped (max_iterations, threshold, diverged, early_stop)
    message: str
    chunk: int
    commands: int
    kernel_loading: bool  # the compiled kernel is loading: no next step yet
    kernel_note: str  # ... and, past a second, compiling: said in the hint


def _status(run: Run, track: Track) -> dict:
    """The fields of a present snapshot and a preview alike."""
    exp = track.exp
    return dict(generation=track.generation, state=run.state, stopped=run.stopped, settings=exp.settings,
                present_iteration=exp.session.iteration, first_iteration=track.history.first,
                chunk=run.chunk, commands=run.commands, data_version=track.data_version)


class View:
    """What the visible views need computed with each snapshot (derive.NEEDS, the Explain tab's
    and the Dynamics tab's), the selected observation (a training row) and the selected node."""

    def __init__(self) -> None:
        self.needs: frozenset[str] = NEEDS
        self.row = 0
        self.node: tuple[int, int] | None = None  # (layer, index; inputs are layer 0): its map is "node_map"

    def set(self, needs, row: int | None = None, node=()) -> bool:
        """New needs, and a new row and node (``row`` None, ``node`` ``()``: unchanged; ``node``
        None: none); True when anything changed."""
        needs = known(needs)
        row = self.row if row is None else int(row)
        node = self.node if node == () else None if node is None else (int(node[0]), int(node[1]))
        changed = needs != self.needs or row != self.row or node != self.node
        self.needs, self.row, self.node = needs, row, node
        return changed


class SnapshotMaker:
    """The runner's snapshots (see the module doc)."""

    def __init__(self) -> None:
        self.view = View()  # what the snapshots compute: only what the visible views show
        self.watch = advice.Watch()  # what the snapshots' hints need (the error history)
        self.dynamics = dynamics.Tracker()  # the Dynamics tab's history, recorded at snapshot time

    def snapshot(self, run: Run) -> tuple[Snapshot, str | None]:
        """The state now, or the look back the track asks for (``preview_at``), and None; a look
        back that cannot be replayed is dropped (``preview_at`` None), the present made, and the
        error's one line returned with it."""
        track = _track(run)
        problem = None
        if track.preview_at is not None and track.preview_at != track.iteration:
            try:
                return self.preview(run, track.preview_at), None
            except ValueError as exc:
                track.preview_at, problem = None, str(exc)
        snap = self.present(run)
        track.rewound = False
        return snap, problem

    def present(self, run: Run) -> Snapshot:
        """The state now, with the derived data the views need; takes the curve and points."""
        track = _track(run)
        exp, session = track.exp, track.session
        xs, ys = track.progress.curve()
        at_rest = not run.state.live
        trace = track.traces.last if at_rest else None
        fields = self.fields(run, exp.network, trace)
        return Snapshot(
            **_status(run, track),
            iteration=session.iteration,
            new_iterations=xs,
            new_mse=ys,
            message=run.message,
            trace=trace,
            trace_pending=track.traces.due is not None,
            next_trace=(self.next_step(track) if at_rest and "next_step" in self.view.needs and not run.kernel_loading
                        else None),
            stage=track.micro.stage if track.micro is not None else None,
            rewound=track.rewound,
            train_state=session.get_state() if at_rest else None,
            lr=session.current_lr(),
            hint=run.kernel_note or self.watch.hint(track.generation, exp, fields["outputs"], xs, ys, run.stopped),
            **track.progress.fields(),
            **track.progress.evaluations(session.iteration, fields["mse"], fields["test_mse"],
                                         exp.X_test is not None),
            **track.early.fields(exp.X_val is not None),
            **fields,
        )

    def preview(self, run: Run, iteration: int) -> Snapshot:
        """The network as it was at ``iteration`` (replayed on a copy); the run is unchanged.
        Raises ValueError when the iteration cannot be replayed."""
        track = _track(run)
        exp, session = track.exp, track.session
        timeline = track.history.timeline
        config = timeline.config_at(iteration) or session.config
        twin = session.clone(config)
        twin.set_state(timeline.state_at(session, iteration))
        trace = track.history.trace_at(session, iteration)
        empty = np.empty(0)
        empty.flags.writeable = False
        fields = self.fields(run, twin.net, trace)
        skip = track.traces.big(session) or "next_step" not in self.view.needs
        return Snapshot(
            **_status(run, track), iteration=iteration, new_iterations=empty.astype(np.int64), new_mse=empty,
            preview=True, trace=trace, lr=rate_at(config, iteration), next_trace=None if skip else peek(twin),
            **track.early.fields(exp.X_val is not None, take=False), **fields)

    def next_step(self, track: Track) -> StepTrace | None:
        """The iteration the next Step will make: the one being walked through, if any."""
        if track.micro is not None and not track.micro.done:
            return track.micro.trace
        return track.traces.next_step(track.session, track.generation, track.data_version)

    def fields(self, run: Run, net: Network, trace: StepTrace | None) -> dict:
        """The snapshot fields computed from a network (derive.py), and the Dynamics tab's."""
        track = _track(run)
        exp, session = track.exp, track.session
        shown = track.preview_at if track.preview_at is not None else session.iteration

        def recorded(net: Network, layers: list) -> dict:
            return self.dynamics.derive(net, layers, exp, track.context, track.generation, shown, self.view.needs)

        # the snapshot's products run with training's BLAS threads: OpenBLAS's second thread
        # spinning beside the kernel made digits train three times slower in the window
        with np.errstate(all="ignore"), blas.limited(session.blas_threads, blas.work(session)):
            hook = recorded if any(dynamics.is_need(n) for n in self.view.needs) else None  # else: no layers kept
            return derive(net, exp, track.context, self.view.needs, self.view.row, self.view.node, trace, hook)


def _track(run: Run) -> Track:
    if run.track is None:
        raise RuntimeError("no snapshot without an experiment: configure or adopt one first")
    return run.track
