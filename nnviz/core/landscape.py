"""The loss landscape: the training error on a 2-D slice of weight space around the current
weights, with the training path projected on it.  NumPy only, no Qt.

The slice is ``theta(a, b) = theta_c + a d1 + b d2`` over a ``size`` x ``size`` grid, 0 at the
current weights ``theta_c`` (the grid's centre point, so the error there is the current one), the
value at each point the mse of the training rows (the number nnviz reports and a model file's
``training`` record keeps).  Two kinds of directions (Li, Xu, Taylor, Studer, Goldstein,
"Visualizing the Loss Landscape of Neural Nets", 2018):

* ``pca``: the first two principal components of the weight trajectory so far (the weights at
  up to ``PATH_POINTS`` iterations, log- and evenly spaced, replayed exactly; their mean taken
  out), unit vectors.  The path lies in that plane as nearly as any plane allows; the axes run to
  1.25 times the farthest point of the path along each.
* ``random``: two directions of independent normal numbers, each *filter-normalised*: every
  neuron's incoming weights (a column of ``weights[l]``, bias row included) rescaled to the norm of
  the same column of the current weights, so a step means as much in every layer whatever its
  scale.  The axes run from -1 to 1, as in the paper.

The path's points are projected by least squares onto the plane (for the orthonormal PCA
directions, the dot products): the last one, the current weights, is (0, 0).  Left out: 1-D
slices, 3-D surfaces, the test error, directions other than these two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import activations, blas, metrics
from .network import Architecture, split_flat

DIRECTIONS = ("pca", "random")
DEFAULT_SIZE = 41
MAX_SIZE = 201
PATH_POINTS = 400  # the trajectory's points (at most; fewer for a big network, see path_points)
PATH_FLOATS = 16_000_000  # ... so that the trajectory keeps at most this many numbers (128 MB)
BATCH_FLOATS = 4_000_000  # a grid row is evaluated in batches of at most this many activations
PCA_MARGIN = 1.25


class Cancelled(Exception):
    """The progress callback asked to stop."""


@dataclass(frozen=True)
class Trajectory:
    """The weights (flat, ``Network.params`` order) at some iterations of a run, oldest first."""

    iterations: np.ndarray  # (m,)
    params: np.ndarray  # (m, P)


@dataclass(frozen=True)
class Landscape:
    """A computed slice: ``values[i, j]`` is the mse at ``center + a[i] d1 + b[j] d2``."""

    directions: str  # "pca" or "random"
    names: tuple[str, str]  # the axes' names
    d1: np.ndarray  # (P,)
    d2: np.ndarray
    center: np.ndarray  # (P,) the weights at the grid's centre
    iteration: int  # of the centre
    a: np.ndarray  # (size,), a[size // 2] == 0
    b: np.ndarray
    values: np.ndarray  # (size, size) mse, indexed [a, b]
    path_iterations: np.ndarray  # (m,) (empty without a trajectory)
    path: np.ndarray  # (m, 2) the path's coordinates in (a, b)
    explained: tuple[float, float] | None = None  # PCA: the share of the path's variance

    def coords(self, params: np.ndarray) -> np.ndarray:
        """Where weights ``params`` (flat) project onto the plane: (a, b) by least squares."""
        return project(self.d1, self.d2, self.center, np.asarray(params, dtype=np.float64)[None, :])[0]

    @property
    def current(self) -> float:
        """The mse at the centre (the current weights)."""
        return float(self.values[self.a.size // 2, self.b.size // 2])


def check_size(size: int) -> int:
    """The grid's points along each axis: odd (the current weights a grid point), 3 to MAX_SIZE."""
    if not (isinstance(size, (int, np.integer)) and 3 <= size <= MAX_SIZE and size % 2 == 1):
        raise ValueError(f"the landscape's size must be an odd number from 3 to {MAX_SIZE}, so that the current "
                         f"weights are its centre point (got {size})")
    return int(size)


def check_directions(kind: str) -> str:
    if kind not in DIRECTIONS:
        raise ValueError(f"unknown directions {kind!r} (choose from {', '.join(DIRECTIONS)})")
    return kind


def path_points(n_weights: int) -> int:
    """How many points of the trajectory to keep for a network of ``n_weights`` weights."""
    return int(max(16, min(PATH_POINTS, PATH_FLOATS // max(n_weights, 1))))


def path_iterations(first: int, last: int, points: int = PATH_POINTS) -> np.ndarray:
    """Iterations from ``first`` to ``last`` (both in), half log-spaced (the early moves), half
    evenly spaced (the long tail), sorted, without repeats."""
    if last <= first:
        return np.array([first], dtype=np.int64)
    half = max(points // 2, 2)
    span = last - first
    log = np.round(np.expm1(np.linspace(0.0, np.log1p(span), half))).astype(np.int64)
    even = np.round(np.linspace(0, span, half)).astype(np.int64)
    return first + np.unique(np.concatenate([log, even, [0, span]]))


def pca_directions(traj: Trajectory) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """The first two principal components of the trajectory's weights (unit vectors, each signed so
    that the path runs towards + along it: the last point's coordinate above the first's), and
    the share of the path's variance each has."""
    P = np.asarray(traj.params, dtype=np.float64)
    if P.shape[0] < 3:
        raise ValueError("the PCA directions need a training path of at least 3 distinct points: train first, "
                         "or use --directions random")
    M = P - P.mean(axis=0)
    _, s, Vt = np.linalg.svd(M, full_matrices=False)
    var = s**2
    if var.size < 2 or var[1] <= 1e-30 * max(var[0], 1e-300):
        raise ValueError("the training path moved along one direction only: the PCA plane is not defined "
                         "(use --directions random)")
    d1, d2 = Vt[0].copy(), Vt[1].copy()
    for d in (d1, d2):
        if (P[-1] - P[0]) @ d < 0:
            d *= -1
    total = float(var.sum())
    return d1, d2, (float(var[0] / total), float(var[1] / total))


def filter_normalised(arch: Architecture, center: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random direction (flat) whose every neuron's incoming weights (a column of each weight
    matrix, bias row included) have the norm of the same column of ``center``."""
    d = rng.standard_normal(arch.n_weights)
    for D, C in zip(split_flat(d, arch.shapes), split_flat(np.asarray(center, dtype=np.float64), arch.shapes),
                    strict=True):
        norms = np.linalg.norm(D, axis=0)
        D *= np.where(norms > 0, np.linalg.norm(C, axis=0) / np.where(norms > 0, norms, 1.0), 0.0)
    return d


def project(d1: np.ndarray, d2: np.ndarray, center: np.ndarray, params: np.ndarray) -> np.ndarray:
    """(m, 2) coordinates of each row of ``params`` in the plane center + a d1 + b d2 (least squares)."""
    B = np.column_stack([d1, d2])
    G = B.T @ B
    return np.linalg.solve(G, B.T @ (np.asarray(params, dtype=np.float64) - center).T).T


def axes(path: np.ndarray, kind: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The grid's coordinates along d1 and d2, symmetric about 0 with 0 exactly at the centre:
    random directions -1..1; PCA directions PCA_MARGIN times the path's reach along each."""
    half = size // 2
    steps = (np.arange(size) - half) / half
    if kind == "random" or path.shape[0] == 0:
        return steps.copy(), steps.copy()
    reach = np.abs(path).max(axis=0) * PCA_MARGIN
    reach = np.where(reach > 0, reach, 1.0)
    return steps * reach[0], steps * reach[1]


def _batched_mse(arch: Architecture, Ws: list[np.ndarray], X1: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """mse of K networks at once: Ws[l] (K, n_in + 1, n_out); X1 the rows with their ones column.
    The first layer is one product X1 @ [W_1 ... W_K] (all K side by side), the others a stacked
    product per network (BLAS either way)."""
    names = arch.layer_activations
    K, r, c = Ws[0].shape
    H = np.ascontiguousarray((X1 @ Ws[0].transpose(1, 0, 2).reshape(r, K * c)).reshape(-1, K, c).transpose(1, 0, 2))
    with activations.quiet_fp():
        for li, W in enumerate(Ws):
            if li:
                H = np.matmul(H, np.ascontiguousarray(W[:, 1:, :]))
                H += W[:, :1, :]
            H = _apply(names[li], H)
        E = Y[None] - H
    return np.einsum("knc,knc->k", E, E) / (Y.shape[0] * Y.shape[1])


def _apply(name: str, A: np.ndarray) -> np.ndarray:
    if name == "softmax":  # over the outputs, the last axis
        Z = np.exp(A - A.max(axis=-1, keepdims=True))
        return Z / Z.sum(axis=-1, keepdims=True)
    return activations.ACTIVATIONS[name](A)


def error_grid(arch: Architecture, center: np.ndarray, d1: np.ndarray, d2: np.ndarray, a: np.ndarray,
               b: np.ndarray, X: np.ndarray, Y: np.ndarray,
               progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """values[i, j] = mse of the training rows (X the network's inputs, Y its targets) with the
    weights center + a[i] d1 + b[j] d2; ``progress(done, total)`` after every grid row (it may raise
    ``Cancelled``).  On one BLAS thread: the window trains and paints beside it, and on this
    project's 2-core machine a second OpenBLAS thread made these products several times slower."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    X1 = np.column_stack([np.ones(X.shape[0]), X])
    widest = max(arch.sizes)
    batch = int(max(1, min(b.size, BATCH_FLOATS // max(X.shape[0] * widest, 1))))
    C, D1, D2 = (split_flat(np.asarray(v, dtype=np.float64), arch.shapes) for v in (center, d1, d2))
    out = np.empty((a.size, b.size))
    with blas.limited(1):
        for i, ai in enumerate(a):
            for j0 in range(0, b.size, batch):
                bj = b[j0:j0 + batch][:, None, None]
                Ws = [c[None] + ai * u[None] + bj * v[None] for c, u, v in zip(C, D1, D2, strict=True)]
                out[i, j0:j0 + batch] = _batched_mse(arch, Ws, X1, Y)
            if progress is not None:
                progress(i + 1, a.size)
    # the centre exactly as the network computes it (the batched products may round differently)
    out[a.size // 2, b.size // 2] = metrics.mse(Y, _network_predict(arch, center, X))
    return out


def _network_predict(arch: Architecture, params: np.ndarray, X: np.ndarray) -> np.ndarray:
    from .network import Network

    return Network(arch, np.array(params, dtype=np.float64)).predict(X)


def compute(arch: Architecture, center: np.ndarray, iteration: int, X: np.ndarray, Y: np.ndarray,
            kind: str = "pca", size: int = DEFAULT_SIZE, trajectory: Trajectory | None = None,
            rng: np.random.Generator | None = None,
            progress: Callable[[int, int], None] | None = None) -> Landscape:
    """The landscape around ``center`` (flat weights of iteration ``iteration``): directions of
    ``kind`` (PCA needs the ``trajectory``, whose last point must be ``center``), the grid, the path."""
    check_directions(kind)
    size = check_size(size)
    center = np.asarray(center, dtype=np.float64)
    explained = None
    if kind == "pca":
        if trajectory is None:
            raise ValueError("the PCA directions need the training path (the trajectory of the weights)")
        d1, d2, explained = pca_directions(trajectory)
        names = (f"PC1 ({explained[0]:.0%} of the path's variance)", f"PC2 ({explained[1]:.0%})")
    else:
        gen = rng if rng is not None else np.random.default_rng(0)
        d1, d2 = filter_normalised(arch, center, gen), filter_normalised(arch, center, gen)
        names = ("random direction 1 (filter-normalised)", "random direction 2")
    if trajectory is not None:
        its = np.asarray(trajectory.iterations, dtype=np.int64)
        path = project(d1, d2, center, trajectory.params)
    else:
        its, path = np.empty(0, dtype=np.int64), np.empty((0, 2))
    a, b = axes(path, kind, size)
    values = error_grid(arch, center, d1, d2, a, b, X, Y, progress)
    return Landscape(kind, names, _ro(d1), _ro(d2), _ro(center), int(iteration), _ro(a), _ro(b), _ro(values),
                     _ro(its), _ro(path), explained)


def trajectory_of(exp, at: np.ndarray, states=(), progress: Callable[[int, int], None] | None = None) -> Trajectory:
    """The weights of ``exp``'s run at the iterations ``at`` (non-decreasing, absolute), replayed
    exactly (``film.shoot``; with a run's stored ``states``, from them)."""
    from .film import shoot

    start = 0 if states else int(exp.session.iteration)
    with blas.limited(1):  # the frames' forward passes (the runs choose their own threads)
        reel = shoot(exp, np.asarray(at, dtype=np.int64) - start, progress, states)
    its = np.array([f.iteration for f in reel.frames], dtype=np.int64) + start
    params = np.array([np.concatenate([W.ravel() for W in f.weights]) for f in reel.frames])
    keep = np.r_[True, np.diff(its) > 0]  # a run stopped early repeats its last frame
    return Trajectory(its[keep], params[keep])


# -- a model file's run, replayed -----------------------------------------------------------------

REPLAYED = ("iterations", "seed", "algorithm", "learning_rate")  # what a training record must hold


def settings_of(model, data: str | None = None):
    """The Settings of the run a model file records (its ``training`` record and architecture; the
    data ``data`` or the record's), for a replay; ValueError (one line) when the record cannot say."""
    from .experiment import Settings

    t = model.training
    if t.get("imported_from"):
        raise ValueError(f"the model was imported from {t['imported_from']}: it has no training run to replay")
    missing = [k for k in REPLAYED if k not in t]
    if missing:
        raise ValueError(f"the model's training record has no {', '.join(missing)}: its run cannot be replayed")
    source = data or t.get("data")
    if not isinstance(source, str) or not source:
        raise ValueError("the model's training record names no data: give --data")
    arch = model.arch
    from . import data as datamod

    csv = source not in datamod.BUILTINS
    return Settings(
        data=source, target=",".join(model.target_columns) if csv and model.target_columns else None,
        classify=csv and model.task == "classes", features=tuple(model.features), hidden=tuple(arch.hidden),
        activation=tuple(arch.activations) or ("sigmoid",), output_activation=arch.output_activation, loss=arch.loss,
        algorithm=str(t["algorithm"]), lr=float(t["learning_rate"]), momentum=float(t.get("momentum") or 0.0),
        batch_size=t.get("batch_size"), iterations=int(t["iterations"]), seed=int(t["seed"]),
        standardize=bool(t.get("standardize", True)), l1=float(t.get("l1") or 0.0), l2=float(t.get("l2") or 0.0),
        lr_schedule=str(t.get("lr_schedule") or "constant"),
        validation_fraction=float(t.get("validation_fraction") or 0.0))


def replay(settings, params: np.ndarray, iterations: int, dataset=None,
           progress: Callable[[int, int], None] | None = None, what: str = "the model"):
    """(experiment, trajectory) of the run ``settings`` describe, replayed to ``iterations`` from the
    seed's start weights, which must end on ``params`` (flat; to 1e-9 of the largest weight): with
    the engine nnviz takes by default, then, if that does not end there, NumPy's.  ValueError (one
    line) when neither does: the file was trained with settings its record does not keep."""
    from .experiment import Experiment
    from .training import resolve_engine

    params = np.asarray(params, dtype=np.float64)
    at = path_iterations(0, int(iterations), path_points(params.size))
    tol = 1e-9 * max(1.0, float(np.abs(params).max()) if params.size else 1.0)
    engines = ["auto"] + (["numpy"] if resolve_engine("auto") != "numpy" else [])
    worst = np.inf
    for engine in engines:
        exp = Experiment(settings.with_(engine=engine, patience=None), dataset=dataset)
        if exp.arch.n_weights != params.size:
            raise ValueError(f"{what} cannot be replayed: its record describes a {exp.arch.describe()} network")
        traj = trajectory_of(exp, at, progress=progress)
        if traj.iterations[-1] == iterations:
            worst = min(worst, float(np.abs(traj.params[-1] - params).max()))
            if worst <= tol:
                return exp, traj
    raise ValueError(f"{what} cannot be replayed: its training record ({settings.data}, seed {settings.seed}, "
                     f"{iterations:,} iterations) does not lead to its weights (largest difference {worst:.3g}; "
                     "trained from --init, with a test split or other noise, or with settings changed mid-run?): "
                     "use --directions random")


def rows_of(model, data: str | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    """(X, Y, where) the rows as the model's network sees them: all the rows of ``data`` (a built-in
    or a CSV file with the model's columns), or of the data its record names."""
    from . import data as datamod

    t = model.training
    source = data or t.get("data")
    if not isinstance(source, str) or not source:
        raise ValueError("the model's training record names no data: give --data")
    csv = source not in datamod.BUILTINS
    ds = datamod.load(source, ",".join(model.target_columns) if csv and model.target_columns else None,
                      csv and model.task == "classes", seed=int(t.get("seed", 0) or 0))
    if tuple(ds.input_names) != tuple(model.input_names) or ds.T.shape[1] != model.arch.n_outputs:
        raise ValueError(f"{source} has the inputs {', '.join(ds.input_names)} and {ds.T.shape[1]} target(s); the model "
                         f"takes {', '.join(model.input_names)} and has {model.arch.n_outputs} output(s)")
    return model.scaling.inputs(ds.X), model.scaling.targets(ds.T), f"the {ds.n} rows of {source}"


def of_model(model, kind: str = "pca", size: int = DEFAULT_SIZE, data: str | None = None, seed: int | None = None,
             settings=None, dataset=None, progress: Callable[[int, int], None] | None = None,
             what: str = "the model") -> tuple[Landscape, list[str]]:
    """The landscape of a model file's (or a session's: its ``settings`` and whole ``dataset``) weights
    and notes on how it was made.  PCA directions replay the recorded run (``replay``); random ones need
    only the training rows (``rows_of``), the generator seeded by ``seed`` (default: the record's)."""
    check_directions(kind)
    check_size(size)
    t = model.training
    params = np.asarray(model.network.params, dtype=np.float64)
    iteration = int(t.get("iterations", 0) or 0)
    notes: list[str] = []
    traj = None
    if kind == "pca":
        s = settings if settings is not None else settings_of(model, data)
        iteration = s.iterations
        exp, traj = replay(s, params, iteration, dataset, progress, what)
        X, Y = exp.X_train, exp.Y_train
        notes.append(f"replayed the recorded run: {iteration:,} iterations on the {exp.train.n} training rows of "
                     f"{exp.dataset.name}, the path at {traj.iterations.size} of them")
    elif settings is not None and dataset is not None:  # a session: its own training rows
        from .experiment import Experiment

        train = Experiment(settings, dataset=dataset).train
        X, Y = model.scaling.inputs(train.X), model.scaling.targets(train.T)
        notes.append(f"on the session's {train.n} training rows")
    else:
        X, Y, where = rows_of(model, data)
        notes.append(f"on {where}")
    gen = np.random.default_rng(int(seed if seed is not None else t.get("seed", 0) or 0))
    land = compute(model.arch, params, iteration, X, Y, kind, size, traj, gen)
    rec = t.get("mse")
    if isinstance(rec, float) and abs(land.current - rec) > 1e-9 * max(1.0, abs(rec)):
        notes.append(f"the mse of the model's weights on these rows is {land.current:.6g}, its record says {rec:.6g} "
                     "(it was measured on other rows)")
    return land, notes


def as_json(land: Landscape, model: str | None = None) -> dict:
    """What ``nnviz landscape --json`` writes: the directions' names, the axes (0 at the current
    weights), the grid of mse values [a][b] (the measure of a model file's ``training`` record)
    and the path."""
    return {
        "model": model,
        "directions": land.directions,
        "names": list(land.names),
        "iteration": land.iteration,
        "measure": "mse",
        "mse_at_current_weights": land.current,
        "a": land.a.tolist(),
        "b": land.b.tolist(),
        "mse": land.values.tolist(),
        "explained": list(land.explained) if land.explained is not None else None,
        "path": {"iterations": land.path_iterations.tolist(), "a": land.path[:, 0].tolist(),
                 "b": land.path[:, 1].tolist()},
    }


def _ro(a) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a
