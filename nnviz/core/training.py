"""Training: the post's full-batch gradient descent, and neuralnet's rprop, as a session.

``TrainingSession`` owns a network, the training rows and the optimiser state; ``run(n)``
performs up to n iterations and returns the mse of each, ``step_trace()`` performs exactly
one iteration and returns every matrix of its forward and backward pass (trace.py).

One *iteration* is one weight update: the whole training set with the
default full batch (the post's unit), one mini-batch with ``batch_size``.
``mse_history[i]`` (as returned by ``run``) is the mse of the weights after
i updates, i.e. the forward pass that starts iteration i + 1.

Where the maths lives: activations and their derivatives in activations.py, losses and
their output deltas in losses.py, the penalties and update rules in updates.py, the
learning-rate schedules in schedules.py, the settings in config.py; the two engines that run
the iterations (the NumPy loop, the numba kernel) in engines.py and kernel.py.  This module
keeps the session: its working arrays, get/set/clone, reconfiguring, running and the step
trace; training_rows.py checks and lays out the rows it trains on, session_state.py what its
state holds (taken, restored, the memory carried through a reconfigure), divergence.py the
roll-back to the last finite weights.  ``reference.py`` holds a plain version of the same
algorithm, sharing no code; the tests require every engine to agree.

Engines: ``engine="numpy"`` runs the NumPy loop; ``"numba"`` the compiled kernel, which holds
no GIL while it runs; ``"auto"`` (the default) takes numba when it can (see
``engines.resolve_engine``).  A session keeps its engine.  ``dtype="float32"`` trains a
float32 working copy of the weights (the network's ``params`` stay float64 and hold exactly
the float32 values after every call; states taken by ``get_state`` are float64 copies of
them, so a state restores bit for bit).  ``run`` executes under the BLAS thread count of
``blas.py`` (``blas_threads``), so BLAS spins no threads outside training.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import activations as acts
from . import blas, divergence, session_state, updates
from .config import MAX_PENALTY, TrainConfig  # noqa: F401  (re-exported)
from .engines import (  # noqa: F401  (re-exported)
    AUTO_NUMPY_MACS, DTYPES, ENGINES, NumbaEngine, NumpyEngine, batch_rows, check_dtype, resolve_engine)
from .network import Network, split_flat
from .schedules import MAX_INV_K, MAX_STEP_EVERY, parse_schedule, schedule_rates  # noqa: F401  (re-exported)
from .trace import LayerTrace, StepTrace, make_trace  # noqa: F401  (re-exported)
from .training_rows import design
from .updates import (  # noqa: F401  (re-exported)
    RPROP_INITIAL_STEP, RPROP_MAX_STEP, RPROP_MIN_STEP, RPROP_MINUS, RPROP_PLUS)

ALGORITHMS = updates.ALGORITHMS  # the choices at import time (updates.ALGORITHMS after a register)
SCHEDULES = ("constant", "step", "exp", "inv")


def rate_at(config: TrainConfig, t: int) -> float:
    """The learning rate of the update made after t iterations (see ``schedule_rates``)."""
    return float(schedule_rates(config.lr, config.lr_schedule, np.array([t]))[0])


def iterations_per_epoch(n_rows: int, batch_size: int | None) -> int:
    """Weight updates in one pass over n_rows: 1 for the full batch, ceil(n / b) for mini-batches."""
    b = n_rows if batch_size is None else min(batch_size, n_rows)
    return -(-n_rows // b)


@dataclass
class RunResult:
    """What ``run`` did: iterations performed, their mse values, why it stopped (or None)."""

    iterations: int
    mse: np.ndarray
    stopped: str | None = None
    message: str = ""


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


def _memory(name: str, doc: str) -> Any:
    """A read-only attribute that is the session's memory array ``name``."""
    return property(lambda session: session.memory[name], doc=doc)


class TrainingSession:
    """A network being trained on (X, Y) with one configuration (and one engine, one dtype).

    How it runs, not what it computes: ``interruptible`` makes "auto" keep the kernel at any
    size (see resolve_engine); ``leave_cores`` keeps that many cores out of its BLAS threads
    (blas.choose_threads: the window's thread paints beside training).

    ``memory`` holds the update rules' arrays kept between updates (updates.memory_spec:
    ``velocity`` for momentum, ``rprop_steps`` and ``rprop_old`` for rprop), each also an
    attribute of that name."""

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
        X1, Y1 = design(net, X, Y, dtype)
        work = blas.work_of(net.arch.sizes, batch_rows(config.batch_size, X1.shape[0]))
        arch = net.arch
        chosen = resolve_engine(engine, work, interruptible, layer_activations=arch.layer_activations,
                                loss=arch.loss, algorithm=config.algorithm)
        self._setup(net, X1, Y1, config,
                    rng if rng is not None else np.random.default_rng(0), chosen, dtype, interruptible, leave_cores)

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
        P = net.arch.n_weights
        # the working weights: net.params itself in float64, a float32 copy otherwise
        self._params = net.params if dt == net.params.dtype else net.params.astype(dt)
        self._push()
        self._W = split_flat(self._params, net.arch.shapes)
        self.grad = np.zeros(P, dt)
        self._grads = split_flat(self.grad, net.arch.shapes)
        self.step_buf = np.zeros(P, dt)  # the weight change of the last iteration
        self._memory_start = updates.memory_spec()
        self.memory = {name: np.full(P, start, dt) for name, start in self._memory_start.items()}
        self._gtmp = np.zeros(P, dt)  # the kernel's gradient of one block of rows, then the penalised gradient
        self._ptmp = np.zeros(P, dt)  # scratch of the penalty (NumPy engine)
        # 1 for every weight the penalty applies to, 0 for the bias rows (row 0 of each matrix)
        self._mask = np.ones(P, dt)
        for M in split_flat(self._mask, net.arch.shapes):
            M[0] = 0.0
        self._blas_threads: int | None = None
        self._work_of: tuple[int | None, int] = (None, 0)  # (batch size, blas.work)
        self._XT: tuple[int, np.ndarray, np.ndarray] | None = None  # (block, [1, X]^T, Y^T) for the kernel
        self._order = np.arange(self.n)
        self._pos = self.n  # position within the current epoch's order; n = start a new epoch
        # (state, updates, config) of the last run or step that made updates: where the state
        # before the last update is replayed from when the weights it made have no finite error
        self._last_run: tuple[dict, int, TrainConfig] | None = None
        self._engine: NumpyEngine | NumbaEngine = NumbaEngine(self) if engine == "numba" else NumpyEngine(self)

    velocity: np.ndarray = _memory("velocity", "gd's momentum memory: the last weight change (updates.GradientDescent).")
    rprop_steps: np.ndarray = _memory("rprop_steps", "rprop's step of each weight.")
    rprop_old: np.ndarray = _memory("rprop_old", "rprop's last gradient (rprop-) or its sign (rprop+).")

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
        """Everything needed to continue bit for bit (copies): the weights, every memory array
        of the update rules (float64), the batch order and the generator."""
        return session_state.take(self)

    def set_state(self, state: dict) -> None:
        """Restore a state taken by ``get_state`` (a memory array it lacks, of a rule registered
        since, starts afresh)."""
        session_state.restore(self, state)

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

        The optimiser's memory (momentum, rprop steps) starts afresh when the algorithm
        changes, as does any memory the new rule does not use; a new batch size starts a new
        epoch.  On the numba engine, a rule the kernel does not know is refused in one line.
        """
        if self.engine == "numba":
            from . import kernel

            arch = self.net.arch
            refused = kernel.refusal(arch.layer_activations, arch.loss, config.algorithm)
            if refused:
                raise ValueError(refused)
        old = self.config
        self.config = config
        session_state.carry_memory(self, old, config)
        if config.batch_size != old.batch_size:
            self._pos = self.n
            self._blas_threads = None

    # -- the parts of an iteration both engines share ------------------
    def _penalised(self) -> np.ndarray:
        """-dJ/dW for J = C + l2/2 ||W||^2 + l1 ||W||_1 over the weights outside the bias rows
        (updates.penalised, into _gtmp), or self.grad itself without a penalty."""
        cfg = self.config
        if not cfg.regularised:
            return self.grad
        return updates.penalised(self.grad, self._params, cfg.l1, cfg.l2, self._mask, self._gtmp, self._ptmp)

    def _rates(self, n: int) -> np.ndarray | None:
        """The scheduled rates of the next n iterations (None: the constant lr)."""
        if not self.config.scheduled:
            return None
        return schedule_rates(self.config.lr, self.config.lr_schedule, np.arange(self.iteration, self.iteration + n))

    def current_lr(self) -> float:
        """The learning rate of the next iteration."""
        return rate_at(self.config, self.iteration)

    def _update(self, g: np.ndarray, lr: float) -> None:
        """The update rule on g (= -dJ/dW) with rate lr; the change goes to step_buf and to the weights."""
        self.config.rule.step(g, lr, self.config, self.memory, self.step_buf)
        self._params += self.step_buf

    def max_gradient(self) -> float:
        """Largest |dJ/dw| of the last computed gradient (neuralnet's reached.threshold; J is the
        penalised objective with l1 / l2)."""
        return updates.largest_gradient(self._penalised())

    def _blocked(self, block: int) -> tuple[np.ndarray, np.ndarray]:
        """[1, X] and Y transposed in blocks of ``block`` rows, as the kernel reads a full batch
        (kernel.blocked; made once per block size, shared with clones, the last one kept)."""
        if self._XT is None or self._XT[0] != block:
            from .kernel import blocked

            self._XT = (block, blocked(self.X1, block), blocked(self.Y, block))
        return self._XT[1], self._XT[2]

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
            done, stopped = self._engine.run(n, mses, self._rates(n), interrupt)
        if stopped == "interrupted":
            stopped = None
        self._push()
        if stopped is None and not np.isfinite(self._params).all():
            stopped = "diverged"  # the last update made a weight infinite: its error is not finite either
        if stopped == "diverged":
            kept = divergence.roll_back(self, checkpoint, done)
            return RunResult(kept, mses[:kept].copy(), "diverged", divergence.message(self))
        self.iteration += done
        if done:
            self._last_run = (checkpoint, done, self.config)
        if stopped == "threshold" and self.batch_size != self.n:
            # the batch was looked at, not used: back to its start (batches start at multiples
            # of the batch size; the last one of an epoch may be shorter)
            self._pos = ((self._pos - 1) // self.batch_size) * self.batch_size
        return RunResult(done, mses[:done].copy(), stopped)

    def warm_up(self) -> None:
        """Load the compiled kernel now (numba's cache, or a compile), so that no timed run pays
        for it: the first run of a process took 0.18 s instead of 0.02 s on iris.  Changes nothing."""
        self._engine.warm_up()

    def _diverged_message(self) -> str:  # the engines' line when an iteration raises
        return divergence.message(self)

    def step_trace(self) -> StepTrace:
        """Exactly one iteration, returning every matrix of it (see trace.StepTrace)."""
        start = self.get_state()
        self._pull()
        before = [W.copy() for W in self._W]
        lr = self.current_lr()
        try:
            with blas.limited(self.blas_threads, self._work), acts.quiet_fp():
                mats, rows, mse = self._engine.step(self._rates(1))
        except FloatingPointError:  # as run: the last weights whose error is finite
            self.set_state(start)
            divergence.undo_last_update(self)
            raise FloatingPointError(divergence.message(self)) from None
        self._push()
        self.iteration += 1
        self._last_run = (start, 1, self.config)
        return make_trace(self, before, mats, rows, mse, lr)
