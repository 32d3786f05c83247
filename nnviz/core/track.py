"""One network's track: where its training has been, and the moves that change it.  No Qt.

A ``Track`` holds one experiment (one network: the runner makes a new track for each), its
``Context`` (context.py: the data, the split, the grids; the generation, and the version of
the rows) and what is kept of its run: the stored states (history.py), the validation
points (early_stop.py), the curve not yet sent and the timing (progress.py), the traces
(traces.py: kept by the runner across networks, since the window sets how they are
deferred), the iteration being walked through stage by stage (``micro``), the earlier
iteration looked at (``preview_at``) and whether the iteration went back since the last
snapshot (``rewound``).

Its methods are the moves that change several of these together, so that they stay
consistent: a chunk ``trained``, one step made with its trace (``single_step``), one stage
(``micro_step``), back to an earlier iteration (``go_to``), the best one restored
(``restore_best``), a weight edited, new training settings or new rows, the last iteration's
trace at rest.  A move that cannot be made raises a one-line ValueError (an iteration that
diverges: after its states are forgotten).  When to make them, and the snapshots, are the
runner's: a track never sends anything, never waits, and reads no clock (times are passed in).
"""

from __future__ import annotations

from typing import NoReturn

import numpy as np

from .context import Context, new_context, rows_context
from .data import Dataset
from .early_stop import EarlyStopping
from .experiment import Experiment, Settings
from .history import History
from .progress import Progress
from .reconfigure import retrain
from .timeline import MicroSteps
from .traces import Traces
from .training import RunResult, TrainingSession
from .weight_edit import set_weight


class Track:
    """One network's training as far as it went (see the module doc)."""

    def __init__(self, exp: Experiment, context: Context | None = None, traces: Traces | None = None) -> None:
        self.exp = exp
        self.context = context if context is not None else new_context(1, exp)  # what stays fixed
        self.traces = traces if traces is not None else Traces()
        self.traces.last = None  # a new network: no iteration led to it
        self.history = History()  # the stored states: going back, replays, a film's source
        self.early = EarlyStopping()  # the validation points of the run
        self.progress = Progress(trained_with=exp.settings)  # the curve since the last snapshot, seconds, rate
        self.micro: MicroSteps | None = None  # the iteration being walked through (micro_step)
        self.preview_at: int | None = None  # the earlier iteration looked at (preview)
        self.rewound = False  # the iteration went back since the last snapshot
        self.begin()

    @property
    def session(self) -> TrainingSession:
        return self.exp.session

    @property
    def iteration(self) -> int:
        return self.exp.session.iteration

    @property
    def generation(self) -> int:
        """The network's number (the runner's count of networks)."""
        return self.context.generation

    @property
    def data_version(self) -> int:
        """The rows' number: one more at each ``set_data``."""
        return self.context.data_version

    def begin(self) -> None:
        """The run starts here: the first stored state, the first validation point."""
        self.history.begin(self.session)
        self.early = EarlyStopping()
        self.early.validate(self.exp)

    # -- what changes under the network ----------------------------------------------
    def retrain(self, settings: Settings) -> None:
        """New training settings (reconfigure.keeps_weights): training goes on from the current
        state with them, and replays from here use them."""
        retrain(self.exp, settings)
        self.micro = None
        self.history.record(self.session, anchor=True)

    def set_data(self, dataset: Dataset) -> None:
        """Train on other rows from the current weights (Experiment.set_data): the run starts
        again here (going back stops at the edit: older iterations never saw these rows); a new
        context of the same generation and the next ``data_version``."""
        self.exp.set_data(dataset)
        self.micro, self.preview_at = None, None
        self.traces.forget()
        self.begin()
        self.progress.forget_point(self.iteration)  # measured on the old rows
        self.context = rows_context(self.context, self.exp, dataset, self.data_version + 1)

    def edit_weight(self, layer: int, row: int, col: int, value: float) -> None:
        """One weight set by hand (weight_edit.set_weight); training goes on from the edited
        network: its state is an anchor, the validation points are measured from it."""
        set_weight(self.exp.network.weights, layer, row, col, value)
        self.history.edited(self.session)
        self.early.truncate(self.iteration - 1)
        self.early.validate(self.exp)
        self.traces.forget()
        self.rewound = True

    # -- training ----------------------------------------------------------------------
    def trained(self, res: RunResult) -> None:
        """A chunk ran (``EarlyStopping.run``): its error curve, an evaluation point when the
        per-iteration mse is not the whole training set's (mini-batches) or there is a test
        set, the state stored."""
        exp = self.exp
        if res.iterations:
            it = exp.session.iteration
            self.progress.trained(np.arange(it - res.iterations, it), res.mse, exp.settings)
            if exp.config.batch_size is not None or exp.X_test is not None:
                self.progress.evaluate(exp)
        self.history.record(exp.session)

    def stepped(self, mse: float) -> None:
        """One iteration was made outside a chunk (a single step, a micro-step's update)."""
        self.progress.trained(np.array([self.iteration - 1]), np.array([mse]), self.exp.settings)
        self.history.record(self.session)
        self.early.validate(self.exp, due_only=True)

    def restore_best(self) -> str:
        """Early stop: back to the best iteration's state exactly (replayed from the history);
        the sentence that says so."""
        best, _ = self.early.stop(self.iteration)
        self.history.go_to(self.session, best)
        return self.early.message(self.exp.settings.patience)

    def leave_early_stop(self) -> bool:
        """Training goes on after an early stop (True; False when there was none): the curves
        are cut at the best iteration."""
        if not self.early.leave():
            return False
        self.rewound = True
        self.progress.drop()
        return True

    def single_step(self, now: float) -> None:
        """One iteration with its trace (the same weights as run(1)).  For a big network with
        deferred traces the iteration is run(1) and its trace is postponed (traces.py): on
        784-256-256-10 x 1,797 rows the Step answered in 210 ms with the trace made first."""
        session = self.session
        self.preview_at = None
        res = session.run(1) if self.traces.big(session) else None
        if res is not None and res.stopped == "diverged":
            self._diverged(res.message)
        if res is not None and res.iterations == 1:
            self.traces.postpone(self.generation, session.iteration, now)
            mse = float(res.mse[0])
        else:  # a small network, or the threshold reached (a Step makes its iteration anyway)
            try:
                trace = self.traces.last = session.step_trace()
            except FloatingPointError as exc:
                self._diverged(str(exc))
            mse = trace.mse
        self.stepped(mse)

    def micro_step(self) -> None:
        """The next stage of the iteration walked through: the first starts one (computed on a
        copy), the update applies it, the stage after the update starts the next iteration."""
        self.preview_at = None
        if self.micro is not None and self.micro.done:
            self.micro = None
        if self.micro is None:
            try:
                self.micro = MicroSteps(self.session)
            except FloatingPointError as exc:
                self._diverged(str(exc))
        elif self.micro.advance() == "update":
            self.micro.finish(self.session)
            self.stepped(self.micro.trace.mse)
        self.traces.last = self.micro.trace

    def _diverged(self, message: str) -> NoReturn:
        """The session met weights of infinite error and went back to the last finite ones:
        the states stored after them go too."""
        self.history.diverged(self.iteration)
        raise ValueError(message)

    # -- going back, at rest -------------------------------------------------------------
    def go_to(self, iteration: int) -> None:
        """Make an earlier iteration the current one (replayed exactly); what came after is
        forgotten: the states, the validation points, the curve not yet sent."""
        self.history.go_to(self.session, iteration)
        self.early.truncate(iteration)
        self.traces.last = self.history.trace_at(self.session, iteration)
        self.rewound = True
        self.progress.drop()

    def present_trace(self) -> None:
        """The last trace is the present iteration's again (the stages walked through left)."""
        self.traces.last = self.history.trace_at(self.session, self.iteration)

    def rest(self, now: float, wanted: bool = True) -> None:
        """Training stopped: a checkpoint, and the trace of the last iteration (Traces.rest)."""
        self.history.record(self.session)
        self.traces.rest(self.session, self.history.timeline, self.generation, now, wanted)

    def complete_trace(self, idle: bool) -> bool:
        """The deferred trace, made (True) if it is still the present's and nothing has moved
        since: ``idle`` (not training), no stage walked through, no look back."""
        if (self.traces.take_due(self.generation, self.iteration) and idle and self.traces.last is None
                and self.micro is None and self.preview_at is None):
            self.present_trace()
            return True
        return False
