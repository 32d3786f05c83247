"""Training: the post's full-batch gradient descent, and neuralnet's rprop.

``TrainingSession`` owns a network, the training rows and the optimiser
state; ``run(n)`` performs up to n iterations and returns the mse of each,
``step_trace()`` performs exactly one iteration and returns every matrix of
its forward and backward pass.

One *iteration* is one weight update: the whole training set with the
default full batch (the post's unit), one mini-batch with ``batch_size``.
``mse_history[i]`` (as returned by ``run``) is the mse of the weights after
i updates, i.e. the forward pass that starts iteration i + 1.

The hot loop is written for speed: every buffer is allocated once per
batch size, each layer's input keeps its column of ones in place (so
nothing is concatenated), all weights live in one flat vector so the update
is a single call, and floating-point warnings are silenced once per run
rather than per call.  ``reference.py`` holds a plain version of the same
algorithm; the tests require both to agree.

Engines: ``engine="numpy"`` runs the loop below; ``"numba"`` runs the same
algorithm compiled by numba (``kernel.py``), which holds no GIL while it runs;
``"auto"`` (the default) takes numba when it can be imported, unless an iteration is so
big (``AUTO_NUMPY_MACS``) that NumPy's BLAS calls are faster and its GIL cost nil (not for
a session made ``interruptible``, as the window's are).  A session keeps its engine.  ``dtype="float32"`` trains a float32 working copy of the weights
(the network's ``params`` stay float64 and hold exactly the float32 values after
every call; states taken by ``get_state`` are float64 copies of them, so a
state restores bit for bit).  ``run`` executes under the BLAS thread count of
``blas.py`` (``blas_threads``), so BLAS spins no threads outside training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
import numpy as np

from . import activations as acts
from . import blas, losses
from .network import Network, split_flat

ALGORITHMS = ("gd", "rprop+", "rprop-")
SCHEDULES = ("constant", "step", "exp", "inv")
ENGINES = ("auto", "numba", "numpy")
DTYPES = ("float64", "float32")
# Multiply-adds of an iteration (blas.work) from which "auto" takes the NumPy engine.
# Measured here, 2026-12-04, per iteration numba / numpy: digits 64-128-64-10 (93 M) 6.3 /
# 7.7 ms; 64-256-256-256-10 x 1,797 (813 M) 52.5 / 52.8; 784-256-256-10 x 1,797 (1.45 G)
# 75 / 53; 784-128-64-10 x 10,000 (3.3 G) 137 / 96, float32 65 / 36.  Below it numba wins
# in the window too: it frees the GIL, NumPy's thirty-odd calls an iteration take it.
AUTO_NUMPY_MACS = 500_000_000
# Bounds of what can work (TrainConfig refuses the rest in one line): a penalty rate above
# MAX_PENALTY swamps any data gradient (and l2 W would overflow before the weights do); an
# inv:K schedule above MAX_INV_K divides the rate by more than a thousand after one iteration.
MAX_PENALTY = 1000.0
MAX_INV_K = 1000.0
MAX_STEP_EVERY = 10**15  # iterations between two steps: experiment.MAX_ITERATIONS
RPROP_INITIAL_STEP = 0.1
RPROP_MIN_STEP = 1e-10
RPROP_MAX_STEP = 0.1
RPROP_MINUS = 0.5
RPROP_PLUS = 1.2


def parse_schedule(text: str) -> tuple[str, float, float]:
    """A learning-rate schedule as (kind, a, b): "constant", "step:FACTOR:EVERY",
    "exp:GAMMA" or "inv:K" (see ``schedule_rates``); ValueError of one line otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"the learning-rate schedule must be text like step:0.5:10000 (got {text!r})")
    parts = [p.strip() for p in text.strip().split(":")]
    kind = parts[0].lower()
    usage = "constant, step:FACTOR:EVERY, exp:GAMMA or inv:K (e.g. step:0.5:10000, exp:0.9999, inv:0.001)"
    want = {"constant": 1, "step": 3, "exp": 2, "inv": 2}.get(kind)
    if want is None:
        raise ValueError(f"unknown learning-rate schedule {text!r} (choose {usage})")
    if len(parts) != want:
        raise ValueError(f"malformed learning-rate schedule {text!r} (write {usage})")
    try:
        nums = [float(p) for p in parts[1:]]
    except ValueError:
        raise ValueError(f"malformed learning-rate schedule {text!r}: not a number (write {usage})") from None
    if not all(math.isfinite(v) for v in nums):
        raise ValueError(f"malformed learning-rate schedule {text!r}: the numbers must be finite")
    if kind == "constant":
        return kind, 0.0, 0.0
    # a schedule only lowers the rate (a higher one is --lr): a factor above 1 would grow it
    # without bound, to an overflow; the smallest factors are those of a positive normal float
    if kind == "step":
        factor, every = nums
        if not (_TINY <= factor <= 1) or every != int(every) or not (1 <= every <= MAX_STEP_EVERY):
            raise ValueError(f"step:FACTOR:EVERY needs 0 < FACTOR <= 1 and EVERY a whole number of iterations "
                             f"from 1 to 10^15 (got {text!r})")
        return kind, factor, every
    if kind == "exp":
        if not (_TINY <= nums[0] <= 1):
            raise ValueError(f"exp:GAMMA needs 0 < GAMMA <= 1 (got {text!r})")
        return kind, nums[0], 0.0
    if not (0 <= nums[0] <= MAX_INV_K):
        raise ValueError(f"inv:K needs 0 <= K <= {MAX_INV_K:g} (got {text!r})")
    return kind, nums[0], 0.0


def schedule_rates(lr: float, schedule: str, t: np.ndarray) -> np.ndarray:
    """The learning rate of the update made after t iterations (t = 0 for the first one):

    constant          lr
    step:f:N          lr * f ** floor(t / N)
    exp:g             lr * g ** t
    inv:k             lr / (1 + k t)

    A pure function of the iteration number (in float64, vectorised), so a replay uses the
    same rates bit for bit; both engines take their rates from here.  Within parse_schedule's
    bounds a rate is finite and at most lr; a power that underflows is 0, silently."""
    kind, a, b = parse_schedule(schedule)
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(all="ignore"):
        if kind == "step":
            return lr * np.power(a, np.floor(t / b))
        if kind == "exp":
            return lr * np.power(a, t)
        if kind == "inv":
            return lr / (1.0 + a * t)
        return np.full(t.shape, float(lr))


def rate_at(config: TrainConfig, t: int) -> float:
    """The learning rate of the update made after t iterations (see ``schedule_rates``)."""
    return float(schedule_rates(config.lr, config.lr_schedule, np.array([t]))[0])


@dataclass(frozen=True)
class TrainConfig:
    """How to train.  ``threshold`` is neuralnet's: stop when max |dJ/dw| < threshold, J being the
    penalised objective when l1 / l2 are set.  ``l1``, ``l2``: penalty rates on every weight but
    the bias rows; ``lr_schedule``: see ``schedule_rates``."""

    lr: float = 0.02
    algorithm: str = "gd"
    momentum: float = 0.0
    batch_size: int | None = None
    threshold: float | None = None
    l1: float = 0.0
    l2: float = 0.0
    lr_schedule: str = "constant"

    @property
    def regularised(self) -> bool:
        return bool(self.l1 or self.l2)

    @property
    def scheduled(self) -> bool:
        return parse_schedule(self.lr_schedule)[0] != "constant"

    def __post_init__(self) -> None:
        for name in ("l1", "l2"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise ValueError(f"the {name.upper()} rate must be a number of at least 0 (got {v})")
            if v > MAX_PENALTY:
                raise ValueError(f"the {name.upper()} rate must be between 0 and {MAX_PENALTY:g} (got {v:g})")
        parse_schedule(self.lr_schedule)
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"unknown algorithm {self.algorithm!r} (choose from {', '.join(ALGORITHMS)})")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"the learning rate must be a positive number (got {self.lr})")
        if not (0.0 <= self.momentum < 1.0):
            raise ValueError(f"momentum must be in [0, 1) (got {self.momentum})")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError(f"the batch size must be at least 1 (got {self.batch_size})")
        if self.threshold is not None and not (self.threshold > 0):
            raise ValueError(f"the threshold must be a positive number (got {self.threshold})")
        if self.algorithm != "gd" and (self.momentum or self.batch_size):
            raise ValueError("momentum and mini-batches go with --algorithm gd only (rprop is full-batch)")
        if self.algorithm != "gd" and self.scheduled:
            raise ValueError("a learning-rate schedule goes with --algorithm gd only (rprop has no learning rate)")
        # gradient descent multiplies each weight by 1 - lr l2 an update (heavy-ball momentum m
        # allows up to 2 (1 + m)): beyond, the penalty alone makes the weights swing ever wider
        if self.algorithm == "gd" and self.lr * self.l2 >= 2 * (1 + self.momentum):
            raise ValueError(f"with gradient descent lr * L2 must be below {2 * (1 + self.momentum):g} "
                             f"(got {self.lr:g} * {self.l2:g}): lower the L2 rate or the learning rate")


@dataclass
class RunResult:
    """What ``run`` did: iterations performed, their mse values, why it stopped (or None)."""

    iterations: int
    mse: np.ndarray
    stopped: str | None = None
    message: str = ""


@dataclass(frozen=True)
class LayerTrace:
    """One layer of one iteration, named as in the post (copies, read-only)."""

    input: np.ndarray  # [1, H_prev], (n, n_in + 1)
    W: np.ndarray  # weights before the update, (n_in + 1, n_out)
    A: np.ndarray  # input @ W, (n, n_out)
    H: np.ndarray  # f(A), (n, n_out)
    fprime: np.ndarray  # f'(A), (n, n_out)
    delta: np.ndarray  # (n, n_out)
    gradient: np.ndarray  # input^T delta = -dC/dW, (n_in + 1, n_out)
    update: np.ndarray  # W_after - W_before
    activation: str
    penalty: np.ndarray | None = None  # -(l2 W + l1 sign(W)), bias row 0; None without l1 / l2


@dataclass(frozen=True)
class StepTrace:
    """Every matrix of one iteration of the forward and backward pass."""

    iteration: int  # the iteration number this step performed (1-based)
    rows: np.ndarray  # indices of the training rows used
    Y: np.ndarray
    Yhat: np.ndarray
    error: np.ndarray  # Y - Yhat
    mse: float
    cost: float
    layers: tuple[LayerTrace, ...]
    lr: float  # the rate this iteration used (the schedule's, at iteration - 1)
    algorithm: str
    loss: str
    l1: float = 0.0
    l2: float = 0.0


_TINY = float(np.finfo(np.float64).tiny)  # the smallest positive normal float64
_NO_RATES = np.empty(0)  # the kernel's "no schedule": it keeps hyper[0], the constant lr


_NEVER = np.zeros(1, dtype=np.int64)  # an interrupt flag nobody sets


def _frozen(a: np.ndarray) -> np.ndarray:
    c = np.array(a, dtype=np.float64, copy=True)
    c.flags.writeable = False
    return c


def resolve_engine(engine: str, work: float = 0.0, interruptible: bool = False) -> str:
    """The engine that will run: "numba" or "numpy" (``auto``: numba when it can be imported
    and an iteration makes fewer than ``AUTO_NUMPY_MACS`` multiply-adds, ``work``, or whatever
    the size when ``interruptible``: the window, where a command must cut an iteration short,
    which only the kernel can (within a block of rows; NumPy's loop between iterations, and
    one iteration of 784-256-256-10 x 1,797 rows took 90 ms on one BLAS thread))."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if engine == "numpy" or (engine == "auto" and work >= AUTO_NUMPY_MACS and not interruptible):
        return "numpy"
    from . import kernel

    if kernel.AVAILABLE:
        return "numba"
    if engine == "numba":
        raise ValueError("the numba engine needs the numba and scipy packages, which are not installed "
                         "(pip install 'nnviz[fast]', or use --engine numpy)")
    return "numpy"


def _rows(batch_size: int | None, n: int) -> int:
    """The rows of a batch (as TrainingSession.batch_size)."""
    return n if batch_size is None or batch_size >= n else batch_size


def warm_up(engine: str = "auto", dtype: str = "float64"):
    """Load the compiled kernel in a background thread (import numba, read its cache, about a
    second), so that a window's first training step does not wait for it.  Returns the thread,
    or None when the engine is numpy.  Errors are left for the real session to report."""
    if engine not in ENGINES or engine == "numpy" or dtype not in DTYPES:
        return None
    import threading

    def load() -> None:
        try:
            from .network import Architecture

            net = Network.random(Architecture(1, (1,), 1), np.random.default_rng(0))
            TrainingSession(net, np.zeros((2, 1)), np.zeros((2, 1)), TrainConfig(), engine=engine,
                            dtype=dtype).run(1)
        except Exception:  # noqa: BLE001 - the session the user starts will say what is wrong
            pass

    thread = threading.Thread(target=load, name="nnviz-warm-up", daemon=True)
    thread.start()
    return thread


def check_dtype(dtype: str) -> str:
    """``dtype`` if it is one nnviz trains in; ValueError otherwise."""
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r} (choose from {', '.join(DTYPES)})")
    return dtype


class _Buffers:
    """Preallocated arrays for one batch size (n rows)."""

    def __init__(self, net: Network, n: int, dtype: np.dtype):
        arch = net.arch
        sizes = arch.sizes
        L = len(sizes) - 1
        self.n = n
        self.ins = [np.empty((n, s + 1), dtype) for s in sizes[:-1]]
        for inp in self.ins:
            inp[:, 0] = 1.0
        self.A = [np.empty((n, s), dtype) for s in sizes[1:]]
        self.tmp = [np.empty((n, s), dtype) for s in sizes[1:]]
        self.H = [self.ins[li + 1][:, 1:] for li in range(L - 1)] + [np.empty((n, sizes[-1]), dtype)]
        # f(A) of a hidden layer is computed contiguous here, its derivative read from it,
        # and then copied once into the [1, H] buffer: an elementwise pass through the
        # strided slice costs 1.3-4x the contiguous one (sigmoid 3.2 vs 2.6 ms, its
        # derivative 2.5 vs 0.7 on 10,000 x 128).  The output layer's H is contiguous.
        self.Hc = [np.empty((n, s), dtype) for s in sizes[1:-1]] + [self.H[-1]]
        self.fp = [np.empty((n, s), dtype) for s in sizes[1:]]
        self.E = np.empty((n, sizes[-1]), dtype)
        self.Y = np.empty((n, sizes[-1]), dtype)
        self.D = [np.empty((n, s), dtype) for s in sizes[1:]]
        out_act = acts.ACTIVATIONS[arch.output_activation]
        self.out_uses_fp = losses.output_delta_uses_fprime(arch.loss) and not out_act.identity_deriv
        if not self.out_uses_fp:
            self.D[-1] = self.E  # delta_out is y - yhat itself


def iterations_per_epoch(n_rows: int, batch_size: int | None) -> int:
    """Weight updates in one pass over n_rows: 1 for the full batch, ceil(n / b) for mini-batches."""
    b = n_rows if batch_size is None else min(batch_size, n_rows)
    return -(-n_rows // b)


class _KernelBuffers:
    """The numba kernel's flat buffers for ``cap`` rows (kernel.buffer_sizes): one block of
    rows while it runs, a whole batch when it traces one iteration."""

    def __init__(self, sizes: tuple[int, ...], cap: int, dtype: np.dtype):
        from .kernel import buffer_sizes

        self.sizes = sizes
        lengths = buffer_sizes(sizes, cap)
        self.xb = np.zeros(lengths["xb"], dtype)
        self.hin = np.zeros(lengths["hin"], dtype)
        self.A = np.zeros(lengths["A"], dtype)
        self.fp = np.zeros(lengths["A"], dtype)
        self.D = np.zeros(lengths["A"], dtype)
        self.Hout = np.zeros(lengths["out"], dtype)
        self.E = np.zeros(lengths["out"], dtype)
        self.Yb = np.zeros(lengths["out"], dtype)

    def views(self, m: int, block: int) -> dict:
        """The matrices of a batch of m rows, (m, width) each (copies, see kernel.matrices)."""
        from .kernel import matrices

        s = self.sizes
        k = s[-1]
        return {
            "xb": matrices(self.xb, m, block, [s[0] + 1])[0],
            "hin": matrices(self.hin, m, block, [w + 1 for w in s[1:-1]]),
            "A": matrices(self.A, m, block, s[1:]),
            "fp": matrices(self.fp, m, block, s[1:]),
            "D": matrices(self.D, m, block, s[1:]),
            "Hout": matrices(self.Hout, m, block, [k])[0],
            "E": matrices(self.E, m, block, [k])[0],
            "Yb": matrices(self.Yb, m, block, [k])[0],
        }


class TrainingSession:
    """A network being trained on (X, Y) with one configuration (and one engine, one dtype).

    How it runs, not what it computes: ``interruptible`` makes "auto" keep the kernel at any
    size (see resolve_engine); ``leave_cores`` keeps that many cores out of its BLAS threads
    (blas.choose_threads: the window's thread paints beside training)."""

    def __init__(
        self,
        net: Network,
        X: np.ndarray,
        Y: np.ndarray,
        config: TrainConfig,
        rng: np.random.Generator | None = None,
        engine: str = "auto",
        dtype: str = "float64",
        interruptible: bool = False,
        leave_cores: int = 0,
    ):
        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64)
        if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0]:
            raise ValueError("X and Y must be matrices with the same number of rows")
        if X.shape[0] == 0:
            raise ValueError("there are no training rows")
        if X.shape[1] != net.arch.n_inputs:
            raise ValueError(f"the network takes {net.arch.n_inputs} inputs, the data has {X.shape[1]}")
        if Y.shape[1] != net.arch.n_outputs:
            raise ValueError(f"the network has {net.arch.n_outputs} outputs, the data has {Y.shape[1]} targets")
        if not (np.isfinite(X).all() and np.isfinite(Y).all()):
            raise ValueError("the training data contains NaN or infinite values")
        check_dtype(dtype)
        dt = np.dtype(dtype)
        X1 = np.empty((X.shape[0], X.shape[1] + 1), dt)
        X1[:, 0] = 1.0
        X1[:, 1:] = X
        if not np.isfinite(X1).all():
            raise ValueError(f"the training data does not fit in {dtype} (values too large)")
        work = blas.work_of(net.arch.sizes, _rows(config.batch_size, X1.shape[0]))
        self._setup(net, X1, np.ascontiguousarray(Y, dtype=dt), config,
                    rng if rng is not None else np.random.default_rng(0),
                    resolve_engine(engine, work, interruptible), dtype, interruptible, leave_cores)

    def _setup(self, net: Network, X1: np.ndarray, Y: np.ndarray, config: TrainConfig,
               rng: np.random.Generator, engine: str, dtype: str, interruptible: bool = False,
               leave_cores: int = 0) -> None:
        dt = np.dtype(dtype)
        self.engine = engine
        self.dtype = dtype
        self.interruptible = bool(interruptible)
        self.leave_cores = int(leave_cores)
        self.net = net
        self.config = config
        self.n = X1.shape[0]
        self.X1 = X1  # design matrix, ones column first, in the working dtype
        self.Y = Y
        self.rng = rng
        self.iteration = 0
        self._layer_acts = [acts.ACTIVATIONS[a] for a in net.arch.layer_activations]
        P = net.arch.n_weights
        # the working weights: net.params itself in float64, a float32 copy otherwise
        self._params = net.params if dt == net.params.dtype else net.params.astype(dt)
        self._push()
        self._W = split_flat(self._params, net.arch.shapes)
        self.grad = np.zeros(P, dt)
        self._grads = split_flat(self.grad, net.arch.shapes)
        self.step_buf = np.zeros(P, dt)  # the weight change of the last iteration
        self.velocity = np.zeros(P, dt)
        self.rprop_steps = np.full(P, RPROP_INITIAL_STEP, dt)
        self.rprop_old = np.zeros(P, dt)
        self._gtmp = np.zeros(P, dt)  # the kernel's gradient of one block of rows, then the penalised gradient
        self._ptmp = np.zeros(P, dt)  # scratch of the penalty (NumPy engine)
        # 1 for every weight the penalty applies to, 0 for the bias rows (row 0 of each matrix)
        self._mask = np.ones(P, dt)
        for M in split_flat(self._mask, net.arch.shapes):
            M[0] = 0.0
        self._buffers: dict[int, _Buffers] = {}
        self._kbuffers: dict[tuple[int, bool], _KernelBuffers] = {}
        self._kargs: dict[tuple, dict] = {}
        self._blas_threads: int | None = None
        self._work_of: tuple[int | None, int] = (None, 0)  # (batch size, blas.work)
        self._XT: tuple[np.ndarray, np.ndarray] | None = None  # X1.T and Y.T for the kernel
        self._order = np.arange(self.n)
        self._pos = self.n  # position within the current epoch's order; n = start a new epoch
        # (state, updates, config) of the last run or step that made updates: where the state
        # before the last update is replayed from when the weights it made have no finite error
        self._last_run: tuple[dict, int, TrainConfig] | None = None
        if engine == "numpy":
            full = self._buffers_for(self.n)
            np.copyto(full.ins[0], self.X1)
            np.copyto(full.Y, self.Y)

    def _pull(self) -> None:
        """Take the network's weights (they may have been edited) into the working copy."""
        if self._params is not self.net.params:
            np.copyto(self._params, self.net.params)

    def _push(self) -> None:
        """Show the working weights to the rest of the app (float64, exactly)."""
        if self._params is not self.net.params:
            np.copyto(self.net.params, self._params)

    @property
    def _work(self) -> int:
        """Multiply-adds of one iteration's matrix products (blas.work, per batch size)."""
        b = self.batch_size
        if self._work_of[0] != b:
            self._work_of = (b, blas.work(self))
        return self._work_of[1]

    @property
    def blas_threads(self) -> int:
        """The BLAS threads ``run`` uses (blas.choose_threads, decided on first use)."""
        if self._blas_threads is None:
            self._blas_threads = blas.choose_threads(self)
        return self._blas_threads

    @blas_threads.setter
    def blas_threads(self, threads: int) -> None:
        self._blas_threads = int(threads)

    def run_as(self, interruptible: bool, leave_cores: int) -> None:
        """Keep the engine, change how the session says it runs: the BLAS threads are chosen
        anew for the cores left (Experiment.run_as switches the engine when that changes)."""
        self.interruptible, self.leave_cores = bool(interruptible), int(leave_cores)
        self._blas_threads = None

    # -- state ---------------------------------------------------------
    @property
    def batch_size(self) -> int:
        b = self.config.batch_size
        return self.n if b is None or b >= self.n else b

    def iterations_per_epoch(self) -> int:
        return iterations_per_epoch(self.n, self.config.batch_size)

    def get_state(self) -> dict:
        """Everything needed to continue bit for bit (copies)."""
        return {
            "params": self.net.params.copy(),
            "velocity": self.velocity.astype(np.float64),
            "rprop_steps": self.rprop_steps.astype(np.float64),
            "rprop_old": self.rprop_old.astype(np.float64),
            "rng": self.rng.bit_generator.state,
            "order": self._order.copy(),
            "pos": self._pos,
            "iteration": self.iteration,
        }

    def set_state(self, state: dict) -> None:
        """Restore a state taken by ``get_state``."""
        np.copyto(self.net.params, state["params"])
        self._pull()
        np.copyto(self.velocity, state["velocity"])
        np.copyto(self.rprop_steps, state["rprop_steps"])
        np.copyto(self.rprop_old, state["rprop_old"])
        self.rng.bit_generator.state = state["rng"]
        self._order = state["order"].copy()
        self._pos = state["pos"]
        self.iteration = state["iteration"]

    def clone(self, config: TrainConfig | None = None) -> TrainingSession:
        """A session on the same (shared, read-only) data with copies of everything that
        changes: the network, optimiser memory and random generator.  For replay and peeks."""
        twin = TrainingSession.__new__(TrainingSession)
        twin._setup(self.net.copy(), self.X1, self.Y, config or self.config,
                    np.random.Generator(type(self.rng.bit_generator)()), self.engine, self.dtype,
                    self.interruptible, self.leave_cores)
        if (config or self.config).batch_size == self.config.batch_size:
            twin._blas_threads = self._blas_threads
        twin._XT = self._XT
        twin.set_state(self.get_state())
        return twin

    def reconfigure(self, config: TrainConfig) -> None:
        """Train on with new settings from the current weights.

        The optimiser's memory (momentum, rprop steps) starts afresh when the
        algorithm changes; a new batch size starts a new epoch.
        """
        old = self.config
        self.config = config
        if config.algorithm != old.algorithm or config.momentum == 0:
            self.velocity.fill(0.0)
        if config.algorithm != old.algorithm:
            self.rprop_steps.fill(RPROP_INITIAL_STEP)
            self.rprop_old.fill(0.0)
        if config.batch_size != old.batch_size:
            self._pos = self.n
            self._blas_threads = None

    def _buffers_for(self, n: int) -> _Buffers:
        buf = self._buffers.get(n)
        if buf is None:
            buf = self._buffers[n] = _Buffers(self.net, n, self._params.dtype)
        return buf

    def _next_batch(self) -> tuple[_Buffers, np.ndarray | None]:
        """Buffers filled with the next batch (None: the full training set)."""
        b = self.batch_size
        if b == self.n:
            return self._buffers[self.n], None
        if self._pos >= self.n:
            self._order = self.rng.permutation(self.n)
            self._pos = 0
        rows = self._order[self._pos : self._pos + b]
        self._pos += rows.size
        buf = self._buffers_for(rows.size)
        np.take(self.X1, rows, axis=0, out=buf.ins[0])
        np.take(self.Y, rows, axis=0, out=buf.Y)
        return buf, rows

    # -- one iteration -------------------------------------------------
    def _forward_backward(self, buf: _Buffers) -> float:
        """Forward pass, error, deltas and gradients (into self.grad); returns the mse."""
        W = self._W
        fs = self._layer_acts
        L = len(W)
        for li in range(L):
            np.dot(buf.ins[li], W[li], out=buf.A[li])
            fs[li].forward(buf.A[li], buf.Hc[li], buf.tmp[li])
            if li < L - 1:
                np.copyto(buf.H[li], buf.Hc[li])
        E = buf.E
        np.subtract(buf.Y, buf.H[-1], out=E)
        mse = float(np.vdot(E, E)) / E.size
        if buf.out_uses_fp:
            fs[-1].deriv(buf.A[-1], buf.H[-1], buf.fp[-1])
            np.multiply(E, buf.fp[-1], out=buf.D[-1])
        for li in range(L - 1, -1, -1):
            np.dot(buf.ins[li].T, buf.D[li], out=self._grads[li])
            if li:
                np.dot(buf.D[li], W[li][1:].T, out=buf.D[li - 1])
                fs[li - 1].deriv(buf.A[li - 1], buf.Hc[li - 1], buf.fp[li - 1])
                buf.D[li - 1] *= buf.fp[li - 1]
        return mse

    def _penalised(self) -> np.ndarray:
        """-dJ/dW for J = C + l2/2 ||W||^2 + l1 ||W||_1 over the weights outside the bias rows:
        input^T delta - (l2 W + l1 sign(W)) * mask, into _gtmp (self.grad itself without a
        penalty).  The kernel computes the same, in the same order."""
        cfg = self.config
        if not cfg.regularised:
            return self.grad
        pg, tmp = self._gtmp, self._ptmp
        np.multiply(self._params, cfg.l2, out=pg)
        np.sign(self._params, out=tmp)
        tmp *= cfg.l1
        pg += tmp
        pg *= self._mask
        np.subtract(self.grad, pg, out=pg)
        return pg

    def _rates(self, n: int) -> np.ndarray | None:
        """The scheduled rates of the next n iterations (None: the constant lr)."""
        if not self.config.scheduled:
            return None
        return schedule_rates(self.config.lr, self.config.lr_schedule, np.arange(self.iteration, self.iteration + n))

    def current_lr(self) -> float:
        """The learning rate of the next iteration."""
        return rate_at(self.config, self.iteration)

    def _update(self, g: np.ndarray, lr: float) -> None:
        """Apply the optimiser to g (= -dJ/dW) with rate lr; the change goes to step_buf."""
        cfg = self.config
        step = self.step_buf
        if cfg.algorithm == "gd":
            np.multiply(g, lr, out=step)
            if cfg.momentum:
                self.velocity *= cfg.momentum
                self.velocity += step
                np.copyto(step, self.velocity)
        elif cfg.algorithm == "rprop+":
            self._rprop_plus(step, g)
        else:
            self._rprop_minus(step, g)
        self._params += step

    def _rprop_plus(self, step: np.ndarray, grad: np.ndarray) -> None:
        # neuralnet's plus(): g is dE/dw, so the sign is flipped from grad.
        g_sign = -np.sign(grad)
        prod = self.rprop_old * g_sign
        pos, neg = prod > 0, prod < 0
        lr = self.rprop_steps
        np.copyto(lr, np.minimum(lr * RPROP_PLUS, RPROP_MAX_STEP), where=pos)
        np.copyto(step, np.where(neg, self.rprop_old * lr, -g_sign * lr))
        np.copyto(lr, np.maximum(lr * RPROP_MINUS, RPROP_MIN_STEP), where=neg)
        np.copyto(self.rprop_old, np.where(neg, 0.0, g_sign))

    def _rprop_minus(self, step: np.ndarray, grad: np.ndarray) -> None:
        g = -grad  # neuralnet's minus(): dE/dw
        prod = self.rprop_old * g
        lr = self.rprop_steps
        np.copyto(lr, np.minimum(lr * RPROP_PLUS, RPROP_MAX_STEP), where=prod > 0)
        np.copyto(lr, np.maximum(lr * RPROP_MINUS, RPROP_MIN_STEP), where=prod < 0)
        np.multiply(np.sign(g), lr, out=step)
        np.negative(step, out=step)
        np.copyto(self.rprop_old, g)

    def max_gradient(self) -> float:
        """Largest |dJ/dw| of the last computed gradient (neuralnet's reached.threshold; J is the
        penalised objective with l1 / l2)."""
        g = self._penalised()
        return float(max(g.max(), -g.min()))

    # -- running -------------------------------------------------------
    def run(self, n: int, interrupt: np.ndarray | None = None) -> RunResult:
        """Up to n iterations; stops early on threshold or divergence.

        ``interrupt`` (an int64 array of one element) lets another thread cut the call short:
        once interrupt[0] is set, the call returns with the iterations already done (the numba
        engine within one block of rows, dropping the unfinished iteration; the NumPy engine
        between iterations).  The caller clears it.

        On divergence (a non-finite error or weight) the weights are rolled
        back to the last iteration whose error was finite.
        """
        if n <= 0:
            return RunResult(0, np.empty(0))
        checkpoint = self.get_state()
        mses = np.empty(n)
        self._pull()
        with blas.limited(self.blas_threads, self._work), acts.quiet_fp():
            if self.engine == "numba":
                done, stopped = self._run_numba(n, mses, interrupt=interrupt)
            else:
                done, stopped = self._run_numpy(n, mses, interrupt)
        if stopped == "interrupted":
            stopped = None
        self._push()
        if stopped is None and not np.isfinite(self._params).all():
            stopped = "diverged"  # the last update made a weight infinite: its error is not finite either
        if stopped == "diverged":
            # the weights after `done` updates gave a non-finite error: keep those of done - 1
            # (the error of each was finite), or, when the weights this call started from have
            # none, those before the update that made them
            self.set_state(checkpoint)
            if done == 0:
                self._undo_last_update()
                return RunResult(0, np.empty(0), "diverged", self._diverged_message())
            kept = self.run(done - 1).iterations  # fewer if one of those updates made a weight infinite
            return RunResult(kept, mses[:kept].copy(), "diverged", self._diverged_message())
        self.iteration += done
        if done:
            self._last_run = (checkpoint, done, self.config)
        if stopped == "threshold" and self.batch_size != self.n:
            # the batch was looked at, not used: back to its start (batches start at multiples
            # of the batch size; the last one of an epoch may be shorter)
            self._pos = ((self._pos - 1) // self.batch_size) * self.batch_size
        return RunResult(done, mses[:done].copy(), stopped)

    def _undo_last_update(self) -> None:
        """Back to the state before the last update of the last run or step (the weights it made
        have no finite error): replayed from where that run started, and only if replaying it
        gives the present state bit for bit (nothing when the state was set or edited since)."""
        if self._last_run is None:
            return
        start, updates, config = self._last_run
        now = self.get_state()
        twin = self.clone(config)
        twin.set_state(start)
        twin.run(updates - 1)
        before = twin.get_state()
        twin.run(1)
        after = twin.get_state()
        if all(np.array_equal(after[k], now[k]) for k in now if isinstance(now[k], np.ndarray)) and \
                all(after[k] == now[k] for k in ("rng", "pos", "iteration")):
            self.set_state(before)
            self._last_run = (start, updates - 1, config) if updates > 1 else None

    def _run_numpy(self, n: int, mses: np.ndarray, interrupt: np.ndarray | None = None) -> tuple[int, str | None]:
        """The NumPy loop: up to n iterations, mse of each into mses; (done, why it stopped)."""
        thr = self.config.threshold
        rates = self._rates(n)
        lr = self.config.lr
        for i in range(n):
            if interrupt is not None and interrupt[0]:
                return i, "interrupted"
            buf, _ = self._next_batch()
            mse = self._forward_backward(buf)
            if not math.isfinite(mse):
                return i, "diverged"
            g = self._penalised()
            if thr is not None and float(max(g.max(), -g.min())) < thr:
                return i, "threshold"
            mses[i] = mse
            # a Python float: in float32 the product is float32 (NEP 50), as in the kernel
            self._update(g, lr if rates is None else float(rates[i]))
        return n, None

    def warm_up(self) -> None:
        """Load the compiled kernel now (numba's cache, or a compile), so that no timed run pays
        for it: the first run of a process took 0.18 s instead of 0.02 s on iris.  Changes nothing."""
        if self.engine == "numba":
            self._run_numba(0, np.empty(0), warm=True)

    def _run_numba(self, n: int, mses: np.ndarray, trace: bool = False,
                   interrupt: np.ndarray | None = None, warm: bool = False) -> tuple[int, str | None]:
        """The same iterations in kernel.train, an epoch of mini-batches per call at most (the
        order is drawn here, from the session's generator, as _next_batch does); ``warm``: one
        call of no iteration, to load the kernel (no order drawn, nothing changed)."""
        from . import kernel

        b = self.batch_size
        mini = b < self.n
        threshold = 0.0 if trace or self.config.threshold is None else float(self.config.threshold)
        args = self._kernel_args(b, trace)
        rates = self._rates(n)
        if rates is None:
            rates = _NO_RATES
            args["hyper"][0] = self.config.lr
        # a trace is never cut short (the inspector needs the whole iteration)
        flag = _NEVER if trace or interrupt is None else interrupt
        done = 0
        while done < n or warm:
            warm = False
            if mini and self._pos >= self.n and done < n:
                self._order = self.rng.permutation(self.n)
                self._pos = 0
            self._order = np.ascontiguousarray(self._order, dtype=np.int64)
            d, pos, status = kernel.train(
                self._params, args["sizes"], args["codes"], args["out_fp"], *self._transposed(), self._order,
                self._pos, b, args["block"], trace, *args["buffers"], self.grad, self._gtmp, args["offs"],
                self.step_buf,
                self.velocity, self.rprop_steps, self.rprop_old, args["algorithm"], args["hyper"], threshold,
                n - done, mses[done:], self._mask, rates[done:] if rates.size else rates, flag)
            done += d
            if mini:
                self._pos = int(pos)
            if status == kernel.DIVERGED:
                return done, "diverged"
            if status == kernel.THRESHOLD:
                return done, "threshold"
            if status == kernel.INTERRUPTED:
                return done, "interrupted"
        return done, None

    def _transposed(self) -> tuple[np.ndarray, np.ndarray]:
        """[1, X] and Y transposed, as the kernel reads them (made once, shared with clones)."""
        if self._XT is None:
            self._XT = (np.ascontiguousarray(self.X1.T), np.ascontiguousarray(self.Y.T))
        return self._XT

    def _kernel_args(self, b: int, trace: bool) -> dict:
        """The kernel's arguments besides the session's own arrays, for batches of b rows
        (made once per batch size, mode and configuration)."""
        key = (b, trace, self.config)
        args = self._kargs.get(key)
        if args is None:
            args = self._kargs[key] = self._make_kernel_args(b, trace)
        return args

    def _make_kernel_args(self, b: int, trace: bool) -> dict:
        from . import kernel

        arch = self.net.arch
        sizes = arch.sizes
        block = kernel.block_rows(sizes, b)
        key = (b, trace)
        kb = self._kbuffers.get(key)
        if kb is None:
            kb = self._kbuffers[key] = _KernelBuffers(sizes, b if trace else block, self._params.dtype)
        cfg = self.config
        dt = self._params.dtype
        out_act = acts.ACTIVATIONS[arch.output_activation]
        return {
            "sizes": np.array(sizes, dtype=np.int64),
            "codes": np.array([kernel.ACTIVATION_CODES[a] for a in arch.layer_activations], dtype=np.int64),
            "out_fp": losses.output_delta_uses_fprime(arch.loss) and not out_act.identity_deriv,
            "block": block,
            "buffers": (kb.xb, kb.hin, kb.A, kb.fp, kb.D, kb.Hout, kb.E, kb.Yb),
            "kb": kb,
            "offs": np.zeros((3, len(sizes)), dtype=np.int64),
            "algorithm": kernel.ALGORITHM_CODES[cfg.algorithm],
            "hyper": np.array([cfg.lr, cfg.momentum, RPROP_PLUS, RPROP_MINUS, RPROP_MAX_STEP, RPROP_MIN_STEP,
                               cfg.l1, cfg.l2], dtype=dt),
        }

    def _diverged_message(self) -> str:
        return (
            f"training diverged at iteration {self.iteration + 1} (the error became NaN or infinite); "
            f"kept the last finite weights - try a smaller learning rate than {self.config.lr:g}"
        )

    def step_trace(self) -> StepTrace:
        """Exactly one iteration, returning every matrix of it (see StepTrace)."""
        start = self.get_state()
        self._pull()
        before = [W.copy() for W in self._W]
        lr = self.current_lr()
        try:
            with blas.limited(self.blas_threads, self._work), acts.quiet_fp():
                if self.engine == "numba":
                    mats, rows, mse = self._step_numba()
                else:
                    mats, rows, mse = self._step_numpy()
        except FloatingPointError:  # as run: the last weights whose error is finite
            self.set_state(start)
            self._undo_last_update()
            raise FloatingPointError(self._diverged_message()) from None
        self._push()
        self.iteration += 1
        self._last_run = (start, 1, self.config)
        arch = self.net.arch
        cfg = self.config
        layers = []
        for li, name in enumerate(arch.layer_activations):
            penalty = None
            if cfg.regularised:
                W0 = before[li]
                penalty = -(cfg.l2 * W0 + cfg.l1 * np.sign(W0))
                penalty[0] = 0.0
            layers.append(
                LayerTrace(
                    input=_frozen(mats["ins"][li]),
                    W=_frozen(before[li]),
                    A=_frozen(mats["A"][li]),
                    H=_frozen(mats["H"][li]),
                    fprime=_frozen(mats["fp"][li]),
                    delta=_frozen(mats["D"][li]),
                    gradient=_frozen(self._grads[li]),
                    update=_frozen(self._W[li] - before[li]),
                    activation=name,
                    penalty=None if penalty is None else _frozen(penalty),
                )
            )
        Y, Yhat = _frozen(mats["Y"]), _frozen(mats["H"][-1])
        return StepTrace(
            iteration=self.iteration,
            rows=_frozen(np.arange(self.n) if rows is None else rows),
            Y=Y,
            Yhat=Yhat,
            error=_frozen(mats["E"]),
            mse=mse,
            cost=losses.cost(arch.loss, Y, Yhat, arch.output_activation),
            layers=tuple(layers),
            lr=lr,
            algorithm=cfg.algorithm,
            loss=arch.loss,
            l1=cfg.l1,
            l2=cfg.l2,
        )

    def _step_numpy(self) -> tuple[dict, np.ndarray | None, float]:
        buf, rows = self._next_batch()
        mse = self._forward_backward(buf)
        if not math.isfinite(mse):
            raise FloatingPointError(self._diverged_message())
        rates = self._rates(1)
        self._update(self._penalised(), self.config.lr if rates is None else float(rates[0]))
        fp = list(buf.fp)
        if not buf.out_uses_fp:
            fp[-1] = np.ones_like(buf.A[-1])
        mats = {"ins": buf.ins, "A": buf.A, "H": buf.H, "fp": fp, "D": buf.D, "Y": buf.Y, "E": buf.E}
        return mats, rows, mse

    def _step_numba(self) -> tuple[dict, np.ndarray | None, float]:
        """One kernel iteration in trace mode: the same arithmetic as run(1), every matrix kept."""
        b = self.batch_size
        mini = b < self.n
        if mini and self._pos >= self.n:
            self._order = self.rng.permutation(self.n)
            self._pos = 0
        start = self._pos
        m = min(b, self.n - start) if mini else self.n
        mses = np.empty(1)
        done, stopped = self._run_numba(1, mses, trace=True)
        if stopped == "diverged":
            raise FloatingPointError(self._diverged_message())
        args = self._kernel_args(b, True)
        v = args["kb"].views(m, args["block"])
        out_fp = args["out_fp"]
        ins = [v["xb"], *v["hin"]]
        H = [inp[:, 1:] for inp in ins[1:]] + [v["Hout"]]
        fp = list(v["fp"])
        D = list(v["D"])
        if not out_fp:
            fp[-1] = np.ones_like(v["A"][-1])
            D[-1] = v["E"]
        mats = {"ins": ins, "A": v["A"], "H": H, "fp": fp, "D": D, "Y": v["Yb"], "E": v["E"]}
        rows = self._order[start : start + m].copy() if mini else None
        return mats, rows, float(mses[0])
