"""Inside training: how the gradient flows back through the layers, how the weights and the
activations are spread, how large an update is beside its weights, and where a hidden layer
puts the rows and the input plane.  NumPy only, no Qt.

What is measured, per weight layer l (``weights[l]``, bias row included, output layer last),
from the weights shown and the training rows, all of them:

* ``grad_norm``: ||dC/dW_l||, the Frobenius norm of the gradient of the cost
  C = 1/2 sum (y - yhat)^2 (or the cross-entropy) over the whole training set, the data's
  part only (no l1 / l2 penalty): the norm of ``LayerTrace.gradient`` (input^T delta = -dC/dW)
  of the full-batch iteration that starts from these weights.
* ``delta_mean``: mean |delta| over the rows and the layer's units (the post's deltas).
* ``ratio``: ||step|| / ||W_l||, the update-to-weight ratio (CS231n's rule of thumb: about
  1e-3).  The step is the one the optimiser takes from these weights: gradient descent's
  lr x -dJ/dW (J with the penalty; with mini-batches of b of n rows, b / n of the whole set's
  gradient, the batch's expected share; momentum left out, as CS231n's lr x dW leaves it
  out); rprop's per-weight step sizes (its state) where the gradient is not 0.
* ``w_pct`` / ``a_pct``: the percentiles 0, 6.68, 15.87, 30.85, 50, 69.15, 84.13, 93.32 and 100
  (the normal's -inf, -1.5, -1, -0.5, 0, 0.5, 1, 1.5 sigma, +inf: TensorBoard's distribution
  bands) of the entries of W_l, and of the layer's activations over the rows (at most
  ``VALUES`` activations: every k-th row beyond).
* ``saturation``: sigmoid, softmax: the share of activations (rows x units) within 0.01 of 0
  or 1; tanh: within 0.01 of -1 or 1; relu: the share of units that are 0 on every row (dead);
  linear: NaN (no limit).

``Tracker`` keeps these per iteration in a bounded history (at most ``CAPACITY`` points, evenly
spaced in iterations, thinned when full as the error history is: a million iterations cost what
a thousand do).  It
records **at snapshot time**, not every iteration: the runner makes at most about 30
snapshots a second, after every chunk of iterations and every command, and only while a view
asks for it (the need ``dynamics``); a look back (a preview) records nothing and a step back
cuts the history at the iteration gone back to.

The hidden space (``hidden_space:L:KEY``): for two-input data, the rows (at most
``HIDDEN_ROWS``) and the input plane's grid lines (``GRID_LINES`` a direction, ``LINE_POINTS``
points each, over the decision map's rectangle) as hidden layer L sees them: its two neurons
directly, one neuron against 0, or for a wider layer the first two principal components of its
activations over the training rows, fitted once (on the run's first weights by default, KEY
``start``; any other KEY: on the weights shown when that key is first seen) and then fixed, so
the frames of a run compare.

Left out: per-neuron curves, the gradient of the test rows, histories of what was not shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations
from .network import Network
from .snapshot import frozen

PERCENTILES = (0.0, 6.68, 15.87, 30.85, 50.0, 69.15, 84.13, 93.32, 100.0)  # TensorBoard's bands
SATURATION = 0.01  # how close to a limit an activation counts as saturated
LIMITS = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}
CAPACITY = 1000  # points of history at most (every other dropped when full)
ROWS = 2000  # activation histograms over at most this many rows (every k-th)
VALUES = 20_000  # activation percentiles over at most this many values (rows x units; every k-th row)
HIDDEN_ROWS = 2000  # the hidden space draws at most this many rows
GRID_LINES = 13  # lines of the input plane's grid in each direction
LINE_POINTS = 64  # points along each grid line
BINS = 30
GUIDE_RATIO = 1e-3  # the usual update-to-weight ratio
NEEDS = ("dynamics", "dyn_hist", "hidden_space")  # the need strings' first parts
FIELDS = 4 + 2 * len(PERCENTILES)  # grad_norm, delta_mean, ratio, saturation, w_pct, a_pct


def parse_needs(needs) -> tuple[bool, int | None, tuple[int, str] | None]:
    """(history asked, the layer whose histograms are asked (0-based weight layer), (hidden layer
    1-based, projection key) asked)."""
    track, hist, hidden = False, None, None
    for need in needs:
        parts = str(need).split(":")
        if parts[0] == "dynamics" and len(parts) == 1:
            track = True
        elif parts[0] == "dyn_hist" and len(parts) == 2 and parts[1].isdigit():
            hist = int(parts[1])
        elif parts[0] == "hidden_space" and len(parts) == 3 and parts[1].isdigit() and parts[2]:
            hidden = (int(parts[1]), parts[2])
    return track, hist, hidden


def is_need(need: str) -> bool:
    """A need string of the Dynamics tab (``dynamics``, ``dyn_hist:L``, ``hidden_space:L:KEY``)."""
    track, hist, hidden = parse_needs([need])
    return track or hist is not None or hidden is not None


def thinned(n: int, most: int) -> np.ndarray:
    """Every k-th row index, k = ceil(n / most), so that at most ``most`` remain."""
    return np.arange(0, n, max(1, -(-n // most)))


# -- the measures ------------------------------------------------------------------------------

def backward(net: Network, layers, Y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(gradients, deltas) of every layer from a forward pass's ``layers`` ((input, A, H) each):
    gradient = input^T delta = -dC/dW (n_in + 1, n_out), delta (n, n_out), the post's backward
    pass (delta_out = (y - yhat) f'(A) for sse, y - yhat for cross-entropy)."""
    arch = net.arch
    names = arch.layer_activations
    E = np.asarray(Y, dtype=np.float64) - layers[-1][2]

    def fprime(li: int) -> np.ndarray:  # f'(A) from A and H = f(A), as training computes it
        _, A, H = layers[li]
        out = np.empty_like(A)
        activations.ACTIVATIONS[names[li]].deriv(A, H, out)
        return out

    with activations.quiet_fp():
        delta = E * fprime(len(layers) - 1) if arch.loss == "sse" else E
        L = len(layers)
        grads: list[np.ndarray] = [np.empty(0)] * L
        deltas: list[np.ndarray] = [np.empty(0)] * L
        for li in range(L - 1, -1, -1):
            deltas[li] = delta
            grads[li] = layers[li][0].T @ delta
            if li:
                delta = (delta @ net.weights[li][1:].T) * fprime(li - 1)
    return grads, deltas


def saturation(values: np.ndarray, activation: str) -> float:
    """The share of saturated activations (sigmoid, softmax, tanh: within SATURATION of a limit),
    of dead units (relu: 0 on every row), NaN for a linear layer (see the module doc)."""
    if values.size == 0:
        return float("nan")
    if activation in LIMITS:
        lo, hi = LIMITS[activation]
        return float(np.mean((values <= lo + SATURATION) | (values >= hi - SATURATION)))
    if activation == "relu":
        return float(np.mean(np.all(values <= 0.0, axis=0)))
    return float("nan")


@dataclass(frozen=True)
class Stepper:
    """What the update-to-weight ratio needs of the optimiser (see the module doc): its algorithm,
    the learning rate of the next iteration, the share of the rows a batch sums over, the
    penalty rates and, for rprop, the step size of every weight (per layer)."""

    algorithm: str = "gd"
    lr: float = 0.0
    batch_share: float = 1.0
    l1: float = 0.0
    l2: float = 0.0
    rprop_steps: tuple[np.ndarray, ...] | None = None

    @classmethod
    def of(cls, session) -> Stepper:
        """The stepper of a TrainingSession as it is now."""
        cfg = session.config
        steps = None
        if cfg.algorithm != "gd":
            from .network import split_flat

            steps = tuple(np.array(s, dtype=np.float64)
                          for s in split_flat(np.asarray(session.rprop_steps), session.net.arch.shapes))
        return cls(cfg.algorithm, float(session.current_lr()), session.batch_size / session.n, cfg.l1, cfg.l2, steps)


def update_ratios(weights, grads, stepper: Stepper) -> np.ndarray:
    """||step|| / ||W|| per layer for gradients ``grads`` (= -dC/dW of the whole training set)."""
    out = np.empty(len(weights))
    for li, (W, G) in enumerate(zip(weights, grads, strict=True)):
        g = G * stepper.batch_share
        if stepper.l1 or stepper.l2:
            pen = stepper.l2 * W + stepper.l1 * np.sign(W)
            pen[0] = 0.0
            g = g - pen
        if stepper.algorithm == "gd":
            step = stepper.lr * g
        else:
            assert stepper.rprop_steps is not None
            step = np.where(g != 0, stepper.rprop_steps[li], 0.0)
        w = float(np.linalg.norm(W))
        out[li] = float(np.linalg.norm(step)) / w if w > 0 else np.nan
    return out


def measure(net: Network, layers, Y: np.ndarray, stepper: Stepper | None) -> np.ndarray:
    """One point of the history: (layers, FIELDS) = grad_norm, delta_mean, ratio (NaN without a
    stepper), saturation, the weights' percentiles, the activations' percentiles."""
    grads, deltas = backward(net, layers, Y)
    L = len(layers)
    rec = np.full((L, FIELDS), np.nan)
    k = len(PERCENTILES)
    for li in range(L):
        H = layers[li][2]
        rows = thinned(H.shape[0], max(VALUES // max(H.shape[1], 1), 1))
        rec[li, 0] = np.linalg.norm(grads[li])
        rec[li, 1] = np.mean(np.abs(deltas[li]))
        rec[li, 3] = saturation(H, net.arch.layer_activations[li])
        rec[li, 4:4 + k] = np.percentile(net.weights[li], PERCENTILES)
        rec[li, 4 + k:] = np.percentile(H[rows], PERCENTILES)
    if stepper is not None:
        rec[:, 2] = update_ratios(net.weights, grads, stepper)
    return rec


class Track:
    """(iteration, point) pairs, at most ``capacity`` (+ the newest): evenly spaced in iterations, as
    the error history is.  When full, the points at least ``gap`` iterations apart are kept (about
    half of them, the gap the span over half the capacity); a point closer than ``gap`` to the last
    one kept waits as the newest (shown, replaced by the next one), so memory stays flat."""

    def __init__(self, layers: int, capacity: int = CAPACITY):
        self.capacity = capacity
        self.gap = 0.0
        self._it = np.empty(capacity, dtype=np.int64)
        self._v = np.empty((capacity, layers, FIELDS))
        self._n = 0
        self._tail: tuple[int, np.ndarray] | None = None
        self.version = 0  # bumps at every change

    def __len__(self) -> int:
        return self._n + (self._tail is not None)

    def add(self, iteration: int, point: np.ndarray) -> None:
        """Append (or replace the point at the same iteration; an earlier iteration cuts first)."""
        self.truncate(iteration - 1)
        self.version += 1
        if self._n and iteration < self._it[self._n - 1] + self.gap:
            self._tail = (iteration, np.array(point, dtype=np.float64))
            return
        if self._n == self.capacity:
            self._thin()
        self._it[self._n] = iteration
        self._v[self._n] = point
        self._n += 1
        self._tail = None

    def _thin(self) -> None:
        its = self._it[: self._n]
        self.gap = max(2 * self.gap, (its[-1] - its[0]) / (self.capacity // 2))
        keep, last = [0], its[0]
        for k in range(1, self._n):
            if its[k] >= last + self.gap:
                keep.append(k)
                last = its[k]
        idx = np.array(keep)
        self._it[: idx.size] = self._it[idx]
        self._v[: idx.size] = self._v[idx]
        self._n = idx.size

    def truncate(self, iteration: int) -> None:
        """Drop the points after ``iteration``."""
        self.version += 1
        self._n = int(np.searchsorted(self._it[: self._n], iteration, side="right"))
        if self._tail is not None and self._tail[0] > iteration:
            self._tail = None

    @property
    def last(self) -> int | None:
        if self._tail is not None:
            return self._tail[0]
        return int(self._it[self._n - 1]) if self._n else None

    def frozen(self) -> tuple[np.ndarray, np.ndarray]:
        it, v = self._it[: self._n], self._v[: self._n]
        if self._tail is not None:
            it, v = np.r_[it, self._tail[0]], np.concatenate([v, self._tail[1][None]])
        it = it.copy()
        it.flags.writeable = False
        return it, frozen(v)


# -- what the snapshot carries -------------------------------------------------------------------

@dataclass(frozen=True)
class History:
    """The recorded points, oldest first: ``values`` (points, layers, FIELDS)."""

    iterations: np.ndarray
    values: np.ndarray

    @property
    def grad_norm(self) -> np.ndarray:
        return self.values[:, :, 0]

    @property
    def delta_mean(self) -> np.ndarray:
        return self.values[:, :, 1]

    @property
    def ratio(self) -> np.ndarray:
        return self.values[:, :, 2]

    @property
    def saturation(self) -> np.ndarray:
        return self.values[:, :, 3]

    @property
    def w_pct(self) -> np.ndarray:
        return self.values[:, :, 4:4 + len(PERCENTILES)]

    @property
    def a_pct(self) -> np.ndarray:
        return self.values[:, :, 4 + len(PERCENTILES):]


@dataclass(frozen=True)
class Histograms:
    """One weight layer's histograms at the iteration shown."""

    layer: int  # 0-based weight layer (hidden layer layer + 1; the output layer last)
    w_edges: np.ndarray  # (BINS + 1,)
    w_counts: np.ndarray  # (BINS,) entries of W (bias row included)
    a_edges: np.ndarray
    a_counts: np.ndarray  # activations of the layer over the rows (at most ROWS rows)


@dataclass(frozen=True)
class HiddenSpace:
    """The rows and the input plane's grid lines as hidden layer ``layer`` (1-based) sees them."""

    layer: int
    rows: np.ndarray  # which training rows
    points: np.ndarray  # (rows, 2)
    classes: np.ndarray | None  # each row's class (None for regression)
    lines: np.ndarray  # (2 * GRID_LINES, LINE_POINTS, 2): lines of constant x1, then of constant x2
    axes: tuple[str, str]  # what the two coordinates are: "h2.1", "h2.2" or "PC1", "PC2"
    kind: str  # "neurons" or "pca"
    fitted_at: int | None  # the iteration whose activations the PCA was fitted on
    explained: tuple[float, float] | None  # the share of the variance each component had then
    # the output's decision line u x + v y + w = 0 in the layer's two neurons (the last hidden layer,
    # one or two outputs; the side where u x + v y + w > 0 is the first output's, or class 1's of
    # one output), None otherwise
    boundary: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class Dynamics:
    """The Snapshot's ``dynamics``: the history so far, the iteration shown's own point (a
    preview's too; its ratio is NaN there, the optimiser's state then is not at hand), and the
    parts asked for."""

    history: History | None
    now: np.ndarray  # (layers, FIELDS) of the weights shown
    activations: tuple[str, ...]  # of every weight layer, output last
    hist: Histograms | None = None
    hidden: HiddenSpace | None = None


@dataclass(frozen=True)
class Projection:
    mean: np.ndarray  # (units,)
    basis: np.ndarray  # (units, 2)
    axes: tuple[str, str]
    kind: str
    fitted_at: int | None = None
    explained: tuple[float, float] | None = None

    def __call__(self, H: np.ndarray) -> np.ndarray:
        return (H - self.mean) @ self.basis


def fit_projection(H: np.ndarray, layer: int, iteration: int) -> Projection:
    """The fixed map of hidden layer ``layer``'s activations H (rows, units) to the plane: its
    neurons themselves for two (one: against 0), else the first two principal components of H."""
    units = H.shape[1]
    if units <= 2:
        basis = np.eye(units, 2)
        names = (f"h{layer}.1", f"h{layer}.2" if units == 2 else "0")
        return Projection(np.zeros(units), basis, names, "neurons")
    H = np.where(np.isfinite(H), H, 0.0)  # (weights that overflowed: the SVD needs finite numbers)
    mean = H.mean(axis=0)
    _, s, Vt = np.linalg.svd(H - mean, full_matrices=False)
    var = s**2
    total = float(var.sum())
    basis = Vt[:2].T.copy()
    for j in range(2):  # a sign fixed by the data, not by the SVD's whim: the largest loading positive
        if basis[np.argmax(np.abs(basis[:, j])), j] < 0:
            basis[:, j] *= -1
    share = (float(var[0] / total), float(var[1] / total)) if total > 0 else (float("nan"), float("nan"))
    return Projection(mean, basis, ("PC1", "PC2"), "pca", iteration, share)


def plane_lines(rect: tuple[float, float, float, float], lines: int = GRID_LINES,
                points: int = LINE_POINTS) -> np.ndarray:
    """The input plane's grid lines in the data's units, (2 * lines, points, 2): lines of constant
    x1 (left to right), then of constant x2 (bottom to top), over ``rect`` (x, y, width, height)."""
    x, y, w, h = rect
    xs, ys = np.linspace(x, x + w, lines), np.linspace(y, y + h, lines)
    tx, ty = np.linspace(x, x + w, points), np.linspace(y, y + h, points)
    out = np.empty((2 * lines, points, 2))
    out[:lines, :, 0] = xs[:, None]
    out[:lines, :, 1] = ty[None, :]
    out[lines:, :, 0] = tx[None, :]
    out[lines:, :, 1] = ys[:, None]
    return out


def hidden_activations(net: Network, X: np.ndarray, layer: int) -> np.ndarray:
    """Hidden layer ``layer``'s (1-based) activations H (rows, units) of network inputs X."""
    return net.forward_layers(X)[layer - 1][2]


class Tracker:
    """The runner's recorder of the Dynamics tab's data (see the module doc): the history of one
    network (a new generation starts anew), the first weights it saw (the projection's start)
    and the fixed hidden-space projections."""

    def __init__(self) -> None:
        self.generation: int | None = None
        self.track: Track | None = None
        self.start: tuple[int, Network] | None = None
        self.projections: dict[tuple[int, str], Projection] = {}
        self._frozen: tuple[int, History] | None = None

    def _new_network(self, generation: int, iteration: int, net: Network) -> None:
        self.generation = generation
        self.track = Track(len(net.weights))
        self.start = (iteration, net.copy())
        self.projections = {}
        self._frozen = None

    def derive(self, net: Network, layers, exp, ctx, generation: int, iteration: int, needs) -> dict:
        """The snapshot's ``dynamics`` for these needs ({} when none is the tab's): ``layers`` the
        forward pass of ``net`` over ``exp.X_train``; ``iteration`` the one shown (a preview when
        it is not the session's)."""
        if generation != self.generation or self.track is None:
            self._new_network(generation, iteration, net)
        track, hist_layer, hidden = parse_needs(needs)
        if not track and hist_layer is None and hidden is None:
            return {}
        present = iteration == exp.session.iteration
        stepper = Stepper.of(exp.session) if present else None
        now = measure(net, layers, exp.Y_train, stepper)
        assert self.track is not None
        if track and present:
            self.track.add(iteration, now)
        elif present and self.track.last is not None and self.track.last > iteration:
            self.track.truncate(iteration)  # went back: the history after it is another run's
        parts: dict = {"history": self._history() if track else None, "now": frozen(now),
                       "activations": net.arch.layer_activations}
        if hist_layer is not None and 0 <= hist_layer < len(layers):
            parts["hist"] = histograms(net, layers, hist_layer)
        if hidden is not None and ctx is not None and ctx.map_grid is not None and 1 <= hidden[0] < len(layers):
            parts["hidden"] = self.hidden_space(net, layers, exp, ctx, iteration, *hidden)
        return {"dynamics": Dynamics(**parts)}

    def _history(self) -> History:
        """A read-only copy of the track (the same copy while nothing was added)."""
        assert self.track is not None
        if self._frozen is None or self._frozen[0] != self.track.version:
            self._frozen = (self.track.version, History(*self.track.frozen()))
        return self._frozen[1]

    def projection(self, net: Network, X: np.ndarray, layer: int, key: str, iteration: int) -> Projection:
        """The fixed projection of ``layer`` for ``key``: fitted on the start weights (``start``) or
        on ``net`` (the weights shown, any other key) the first time the key is asked."""
        p = self.projections.get((layer, key))
        if p is None:
            if key == "start" and self.start is not None:
                at, first = self.start
                p = fit_projection(hidden_activations(first, X, layer), layer, at)
            else:
                p = fit_projection(hidden_activations(net, X, layer), layer, iteration)
            self.projections[(layer, key)] = p
        return p

    def hidden_space(self, net: Network, layers, exp, ctx, iteration: int, layer: int, key: str) -> HiddenSpace:
        X = exp.X_train
        proj = self.projection(net, X, layer, key, iteration)
        rows = thinned(X.shape[0], HIDDEN_ROWS)
        H = layers[layer - 1][2][rows]
        grid = plane_lines(ctx.map_grid.rect)
        G = hidden_activations(net, ctx.scaling.inputs(grid.reshape(-1, 2)), layer)
        T = exp.train.T[rows]
        classes = None
        if exp.task == "classes":
            classes = T.argmax(axis=1)
        elif exp.task == "binary":
            classes = (T[:, 0] >= 0.5).astype(np.intp)
        if classes is not None:
            classes = np.array(classes, copy=True)
            classes.flags.writeable = False
        rows = rows.copy()
        rows.flags.writeable = False
        return HiddenSpace(layer, rows, frozen(proj(H)), classes, frozen(proj(G).reshape(grid.shape)),
                           proj.axes, proj.kind, proj.fitted_at, proj.explained,
                           decision_line(net, layer) if proj.kind == "neurons" else None)


def decision_line(net: Network, layer: int) -> tuple[float, float, float] | None:
    """Where the output decides, as a line u h1 + v h2 + w = 0 in the two neurons of the last hidden
    layer ``layer``: one output, its pre-activation at the 0.5 threshold (0 for sigmoid, 0.5 for a
    linear output; u h1 + v h2 + w > 0 says 1); two outputs, where they are equal (> 0: the first
    wins).  None for other layers, sizes or more outputs."""
    arch = net.arch
    if layer != len(arch.hidden) or arch.hidden[-1] != 2 or arch.n_outputs > 2:
        return None
    W = np.asarray(net.weights[-1], dtype=np.float64)
    if arch.n_outputs == 1:
        c = W[:, 0].copy()
        if arch.output_activation == "linear":
            c[0] -= 0.5
        return float(c[1]), float(c[2]), float(c[0])
    d = W[:, 0] - W[:, 1]  # softmax and sigmoid alike: the first output is larger where its a is
    return float(d[1]), float(d[2]), float(d[0])


def histograms(net: Network, layers, layer: int, bins: int = BINS) -> Histograms:
    """The histograms of weight layer ``layer``'s entries and activations (at most ROWS rows);
    activations of sigmoid, softmax and tanh over their range, others over the observed one."""
    W = np.asarray(net.weights[layer], dtype=np.float64).ravel()
    wc, we = np.histogram(W[np.isfinite(W)], bins=bins)
    H = layers[layer][2][thinned(layers[layer][2].shape[0], ROWS)].ravel()
    H = H[np.isfinite(H)]
    span = LIMITS.get(net.arch.layer_activations[layer])
    ac, ae = np.histogram(H, bins=bins, range=span)
    return Histograms(layer, frozen(we), frozen(wc), frozen(ae), frozen(ac))
