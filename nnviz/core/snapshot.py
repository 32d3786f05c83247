"""Immutable snapshots of a training run, and a bounded error history.

The runner (``runner.py``) makes a ``Snapshot`` after each batch of iterations
and after every command; views only read it.  Every array in it is a read-only copy, so training can go on
changing its own buffers while the GUI paints the snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def frozen(a) -> np.ndarray:
    """A read-only float64 copy."""
    c = np.array(a, dtype=np.float64, copy=True)
    c.flags.writeable = False
    return c


def read_only(a) -> np.ndarray:
    """A read-only copy that keeps the dtype (indices, classes)."""
    c = np.array(a, copy=True)
    c.flags.writeable = False
    return c


@dataclass(frozen=True)
class Snapshot:
    """The state of training at one moment (all arrays read-only copies)."""

    generation: int  # bumps on reset / new data / new architecture
    iteration: int
    weights: tuple[np.ndarray, ...]
    new_iterations: np.ndarray  # iteration index of each mse value since the last snapshot
    new_mse: np.ndarray
    mse: float  # of the current weights, training rows
    accuracy: float | None
    test_mse: float | None
    test_accuracy: float | None
    outputs: np.ndarray  # network outputs for the training rows (network units)
    test_outputs: np.ndarray | None
    state: str  # "ready", "running", "paused", "finished"
    stopped: str | None = None  # why training stopped: max_iterations, threshold, diverged
    message: str = ""
    iterations_per_second: float = 0.0
    training_seconds: float = 0.0  # of the last run (since the last Play or Step)
    total_seconds: float = 0.0  # of all the runs of this network (since it was built or opened)
    trace: object = None  # training.StepTrace of the last iteration, when training is at rest
    trace_pending: bool = False  # a big network's trace comes in the next snapshot (deferred)
    # training.StepTrace of the iteration the next Step will make, computed on a copy from the
    # weights shown (the training state is unchanged); at rest, None for a big network in the window
    next_trace: object = None
    stage: str | None = None  # the micro-step shown, e.g. "forward 2", "delta 3", "update"
    rewound: bool = False  # the iteration went back (step back, resume from, weight edit)
    preview: bool = False  # a look at an earlier iteration; the training state is unchanged
    train_state: dict | None = None  # the full training state (copies), when at rest: for saving
    settings: object = None  # experiment.Settings in force (training settings may change)
    trained_with: object = None  # the Settings the last trained iteration used (a kept run's)
    present_iteration: int = 0  # where training is (differs from ``iteration`` in a preview)
    first_iteration: int = 0  # the earliest iteration that can be shown (history slider's start)
    commands: int = 0  # how many commands the runner had taken when it made this snapshot
    data_version: int = 0  # the rows it was made on (runner.Context.data_version)
    chunk: int = 0  # iterations per chunk the runner uses now (bounded in time)
    # evaluation points since the last snapshot: the whole training set's mse (which the
    # per-iteration new_mse is not, with mini-batches) and the test set's, at the same iterations
    eval_iterations: np.ndarray | None = None
    eval_mse: np.ndarray | None = None
    eval_test_mse: np.ndarray | None = None
    # derived data, computed where the snapshot is made and only for visible views
    regression: dict | None = None  # {"train": {rmse, mae, r2}, "test": ...} in the target's units
    selected_row: int = 0  # the observation (training row) the node values belong to
    confusion: np.ndarray | None = None  # counts[true, predicted] of the training rows
    map_values: np.ndarray | None = None  # decision map: output over the runner's MapGrid
    # with three classes or more: the winning class of each grid cell and its margin over the
    # second (0..1), as the exported decision map paints them (map_values is the last output)
    map_class: np.ndarray | None = None
    map_margin: np.ndarray | None = None
    node_values: tuple[np.ndarray, ...] | None = None  # per layer (inputs first), selected row
    node_deltas: tuple[np.ndarray, ...] | None = None  # per non-input layer, selected row, of ``trace``
    # neuron maps (two inputs): per layer (inputs first), every node's output over the context's
    # node_grid, (nodes, size, size) indexed [node, x, y]
    node_maps: tuple[np.ndarray, ...] | None = None
    node_map: np.ndarray | None = None  # the selected node's output over the MapGrid, [x, y]
    map_node: tuple[int, int] | None = None  # which node node_map is of: (layer, index), inputs layer 0
    # per layer (inputs first): counts (nodes, groups, bins) of each node's value over the training
    # rows, by class (see nodemaps.groups), and the bins' edges (nodes, bins + 1)
    node_hists: tuple[np.ndarray, ...] | None = None
    node_hist_edges: tuple[np.ndarray, ...] | None = None
    lr: float = 0.0  # the learning rate of the next iteration (the schedule's at ``iteration``)
    # early stopping: the validation mse of the weights shown, its points since the last snapshot,
    # the best so far, and the iteration training had reached when it stopped early (else None)
    validation_mse: float | None = None
    val_iterations: np.ndarray | None = None
    val_mse: np.ndarray | None = None
    best_iteration: int | None = None
    best_validation_mse: float | None = None
    stopped_at: int | None = None
    # what went wrong and what to try (advice.hint): "diverged at iteration 137: lower the learning
    # rate (try 0.0015)", outputs saturated, ...; "" when training is going well
    hint: str = ""
    # what the Explain tab shows (importance.Learned: Olden's and Garson's importance, generalized
    # weights, a profile), only the parts it asked for with set_view; None when it is not shown
    learned: object = None
    # what the Dynamics tab shows (dynamics.Dynamics: gradient flow, distributions, update ratios
    # recorded at snapshot time, the hidden space), only the parts it asked for; None when not shown
    dynamics: object = None


class History:
    """(iteration, value) pairs kept to at most ``capacity`` points.

    When full, every other point is dropped and the stride doubles, so a
    million iterations cost the same memory as ``capacity`` points and the
    curve stays evenly sampled.  A ``sparse`` history (points at irregular
    iterations, such as evaluations after each chunk) keeps every point it is
    given and, when full, drops every other one.
    """

    def __init__(self, capacity: int = 20_000, sparse: bool = False):
        self.capacity = capacity
        self.sparse = sparse
        self.stride = 1
        self._x = np.empty(capacity, dtype=np.int64)
        self._y = np.empty(capacity)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def clear(self) -> None:
        self.stride, self._n = 1, 0

    def extend(self, x: np.ndarray, y: np.ndarray) -> None:
        x = np.asarray(x, dtype=np.int64)
        y = np.asarray(y, dtype=np.float64)
        keep = x % self.stride == 0 if not self.sparse else np.ones(x.size, dtype=bool)
        x, y = x[keep], y[keep]
        while x.size:
            room = self.capacity - self._n
            if room == 0:
                half = self._n // 2
                self._x[:half] = self._x[: 2 * half : 2]
                self._y[:half] = self._y[: 2 * half : 2]
                self._n = half
                if not self.sparse:
                    self.stride *= 2
                    keep = x % self.stride == 0
                    x, y = x[keep], y[keep]
                continue
            take = min(room, x.size)
            self._x[self._n : self._n + take] = x[:take]
            self._y[self._n : self._n + take] = y[:take]
            self._n += take
            x, y = x[take:], y[take:]

    def truncate(self, iteration: int) -> None:
        """Drop the points after ``iteration``."""
        self._n = int(np.searchsorted(self._x[: self._n], iteration, side="right"))

    @property
    def x(self) -> np.ndarray:
        return self._x[: self._n]

    @property
    def y(self) -> np.ndarray:
        return self._y[: self._n]
