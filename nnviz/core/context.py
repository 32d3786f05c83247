"""What the runner tells its listener besides snapshots, and the words it shares.  No Qt.

``State`` is where training is (ready, running, stepping, paused, finished).  A
``Context`` is what stays fixed until the next configure: the data, the split, the
architecture, the scaling and the grids of the decision map and the neuron maps
(``MapGrid``, made by ``map_grid`` for a two-input data set).  A ``Listener`` takes
contexts, snapshots and one-line errors.  ``same_network`` says when new settings keep the
weights (``TRAINING_ONLY``); ``same_data`` when they keep the rows.  Nothing here trains.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import Enum
from typing import Protocol

import numpy as np

from . import features as featmod
from .data import Dataset, Scaling
from .experiment import Experiment, Settings
from .network import Architecture
from .snapshot import Snapshot, frozen

MAP_GRID = 80  # the decision map is MAP_GRID x MAP_GRID points
NODE_GRID = 40  # each neuron map of the diagram is NODE_GRID x NODE_GRID points

# Fields of Settings that only change how training proceeds, not the network or data.
# validation_fraction is not one: it changes which rows are trained on, so a new one starts a new network.
TRAINING_ONLY = ("algorithm", "lr", "momentum", "batch_size", "threshold", "iterations", "engine", "dtype",
                 "l1", "l2", "lr_schedule", "patience")
DATA_FIELDS = ("data", "target", "classify", "noise", "seed")


class State(str, Enum):
    """Where training is.  A str, so ``snap.state == "running"`` reads naturally."""

    READY = "ready"  # a new network, never trained in this run
    RUNNING = "running"  # Play: until the iteration limit
    STEPPING = "stepping"  # Step n: n iterations, then paused
    PAUSED = "paused"
    FINISHED = "finished"  # stopped by itself: limit, threshold, divergence

    @property
    def live(self) -> bool:
        return self in (State.RUNNING, State.STEPPING)


@dataclass(frozen=True)
class MapGrid:
    """The decision map's grid over a two-input data set (raw units for the axes, scaled for the net)."""

    points: np.ndarray  # (size * size, network inputs): the grid's raw points through scaling.inputs
    # (features, then standardisation): exactly the network's inputs for the grid, x-major
    rect: tuple[float, float, float, float]  # x, y, width, height in the data's units
    size: int


@dataclass(frozen=True)
class Context:
    """What stays fixed until the next configure: data, split, architecture, scaling."""

    generation: int
    settings: Settings  # as configured; the settings in force travel with each snapshot
    dataset: Dataset
    train: Dataset
    test: Dataset | None
    arch: Architecture
    scaling: Scaling
    X_train: np.ndarray  # scaled inputs of the training rows
    map_grid: MapGrid | None = None
    history_x: np.ndarray | None = None  # the error history the run starts with (an opened session)
    history_y: np.ndarray | None = None
    node_grid: MapGrid | None = None  # the neuron maps' coarser grid, made as map_grid is
    validation_x: np.ndarray | None = None  # the opened session's validation curve (shown; the best
    validation_y: np.ndarray | None = None  # for early stopping is counted from the present)
    # bumps when the rows change under the same network (set_data); the snapshots made on these
    # rows carry the same number, so a view never pairs outputs with other rows
    data_version: int = 0
    validation: Dataset | None = None  # the rows held out for early stopping (from the training rows)

    @property
    def input_labels(self) -> tuple[str, ...]:
        """The network inputs' names: the data's input columns, or the features computed from them."""
        return featmod.labels(self.scaling.features, self.dataset.input_names)


class Listener(Protocol):
    def on_context(self, ctx: Context) -> None: ...
    def on_snapshot(self, snap: Snapshot) -> None: ...
    def on_error(self, message: str) -> None: ...


def same_data(a: Settings, b: Settings) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in DATA_FIELDS)


def same_network(a: Settings, b: Settings) -> bool:
    """True when b differs from a only in training settings (the weights can be kept)."""
    return all(getattr(a, f.name) == getattr(b, f.name) for f in fields(Settings) if f.name not in TRAINING_ONLY)


def map_grid(ctx_dataset: Dataset, scaling: Scaling, size: int = MAP_GRID) -> MapGrid | None:
    """The decision-map grid for a two-input data set (None otherwise)."""
    return grid_over(ctx_dataset.X, scaling, size)


def grid_over(X: np.ndarray, scaling: Scaling, size: int = MAP_GRID) -> MapGrid | None:
    """The decision-map grid around the rows X of two inputs (None for another number of inputs)."""
    if X.shape[1] != 2:
        return None
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = (hi - lo) * 0.08 + 1e-9
    lo, hi = lo - pad, hi + pad
    XX, YY = np.meshgrid(np.linspace(lo[0], hi[0], size), np.linspace(lo[1], hi[1], size), indexing="ij")
    points = frozen(scaling.inputs(np.column_stack([XX.ravel(), YY.ravel()])))
    return MapGrid(points, (float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1])), size)


def inside(X: np.ndarray, rect: tuple[float, float, float, float]) -> bool:
    """Every point of X within the map's rectangle (x, y, width, height)."""
    x, y, w, h = rect
    return bool(((X[:, 0] >= x) & (X[:, 0] <= x + w) & (X[:, 1] >= y) & (X[:, 1] <= y + h)).all())


def _ints(a) -> np.ndarray | None:
    return None if a is None else frozen(np.asarray(a, dtype=np.int64)).astype(np.int64)


def new_context(generation: int, exp: Experiment, history_x=None, history_y=None, validation_x=None,
                validation_y=None) -> Context:
    """The context of a network just made or adopted (with an opened session's curves)."""
    return Context(generation, exp.settings, exp.dataset, exp.train, exp.test, exp.arch, exp.scaling,
                   frozen(exp.X_train), map_grid(exp.dataset, exp.scaling), _ints(history_x),
                   None if history_y is None else frozen(history_y),
                   node_grid=map_grid(exp.dataset, exp.scaling, NODE_GRID), validation_x=_ints(validation_x),
                   validation_y=None if validation_y is None else frozen(validation_y),
                   validation=exp.validation)


def rows_context(old: Context, exp: Experiment, dataset: Dataset, data_version: int) -> Context:
    """The context after the rows changed under the same network (``exp`` already trains on
    ``dataset``): the grids stay unless a point left the map."""
    grid, node_grid = old.map_grid, old.node_grid
    if grid is None or not inside(dataset.X, grid.rect):
        grid, node_grid = map_grid(dataset, exp.scaling), map_grid(dataset, exp.scaling, NODE_GRID)
    return Context(old.generation, exp.settings, exp.dataset, exp.train, exp.test, exp.arch, exp.scaling,
                   frozen(exp.X_train), grid, node_grid=node_grid, data_version=data_version,
                   validation=exp.validation)
