"""The two engines that run a session's iterations: the NumPy loop and the numba kernel.

Both compute the post's iteration from the same definitions (activations.py, losses.py,
updates.py, schedules.py) on a ``TrainingSession``'s state (its weights, optimiser memory,
batch order); the session decides when, this module how.

* ``NumpyEngine``: the readable loop, written for speed: every buffer is allocated once per
  batch size, each layer's input keeps its column of ones in place (so nothing is
  concatenated), all weights live in one flat vector so the update is a single call, and
  floating-point warnings are silenced once per run rather than per call.  It stops for an
  interrupt between iterations.
* ``NumbaEngine``: ``kernel.train``, the same iterations compiled, holding no GIL; an epoch of
  mini-batches per call at most (the order is drawn here, from the session's generator, as
  the NumPy engine draws it); it stops for an interrupt within a block of rows.

``resolve_engine`` picks one: ``"auto"`` takes numba when it can be imported and knows the
network and update rule, unless an iteration is so big (``AUTO_NUMPY_MACS``) that NumPy's BLAS
calls are faster and its GIL cost nil (not for a session made ``interruptible``, as the
window's are).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import activations as acts
from . import losses, updates

TrainingSession = Any  # training.TrainingSession, whose state the engines run on (it imports this module)

ENGINES = ("auto", "numba", "numpy")
DTYPES = ("float64", "float32")
# Multiply-adds of an iteration (blas.work) from which "auto" takes the NumPy engine.
# Measured here, 2026-12-07 (one BLAS thread, CPU time, load average ~5), per iteration
# numba / numpy / textbook NumPy: digits 64-128-64-10 (93 M) float64 5.0 / 6.7 / 7.0 ms,
# float32 2.9 / 3.3 / 3.2; 784-256-256-10 x 1,797 (1.45 G) float64 51 / 59 / 71, float32
# 33 / 30 / 30; 784-128-64-10 x 10,000 (3.3 G) float64 111 / 127 / 151, float32 70 / 62 / 67.
# The kernel now wins in float64 at every size too, but NumPy's float32 products are faster
# than the ones numba calls (SciPy's OpenBLAS: 27 against 24 ms for 128 x 785 x 10,000);
# both engines beat the textbook loop above it.  Below it numba wins in the window too: it
# frees the GIL, NumPy's thirty-odd calls an iteration take it.
AUTO_NUMPY_MACS = 500_000_000

_NO_RATES = np.empty(0)  # the kernel's "no schedule": it keeps hyper[0], the constant lr
_NEVER = np.zeros(1, dtype=np.int64)  # an interrupt flag nobody sets


def resolve_engine(engine: str, work: float = 0.0, interruptible: bool = False, *,
                   layer_activations=(), loss: str = "sse", algorithm: str = "gd") -> str:
    """The engine that will run: "numba" or "numpy" (``auto``: numba when it can be imported,
    knows ``layer_activations``, ``loss`` and ``algorithm``, and an iteration makes fewer than
    ``AUTO_NUMPY_MACS`` multiply-adds, ``work``, or whatever the size when ``interruptible``:
    the window, where a command must cut an iteration short, which only the kernel can (within
    a block of rows; NumPy's loop between iterations, and one iteration of 784-256-256-10 x
    1,797 rows took 90 ms on one BLAS thread))."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if engine == "numpy" or (engine == "auto" and work >= AUTO_NUMPY_MACS and not interruptible):
        return "numpy"
    from . import kernel

    refused = kernel.refusal(layer_activations, loss, algorithm)
    if kernel.AVAILABLE and not refused:
        return "numba"
    if engine == "numba":
        raise ValueError(refused or "the numba engine needs the numba and scipy packages, which are not "
                         "installed (pip install 'nnviz[fast]', or use --engine numpy)")
    return "numpy"


def check_dtype(dtype: str) -> str:
    """``dtype`` if it is one nnviz trains in; ValueError otherwise."""
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r} (choose from {', '.join(DTYPES)})")
    return dtype


def batch_rows(batch_size: int | None, n: int) -> int:
    """The rows of a batch (as TrainingSession.batch_size)."""
    return n if batch_size is None or batch_size >= n else batch_size


# -- NumPy ---------------------------------------------------------------------------------


class _Buffers:
    """Preallocated arrays for one batch size (n rows).  The GEMMs take each layer's input
    without its column of ones and add the bias row after (A = H W[1:] + W[0]; the bias
    gradient is 1^T delta): no copy of H into a [1, H] buffer, and products
    of the data's own width (measured: 10,000 x 784 @ 784 x 128 in float32 23 ms, with the
    ones column 785 wide 25 ms)."""

    def __init__(self, sizes: tuple[int, ...], n: int, dtype: np.dtype, out_takes_fprime: bool):
        self.n = n
        self.X = np.empty((n, sizes[0]), dtype)  # the batch's X, without the ones
        self.A = [np.empty((n, s), dtype) for s in sizes[1:]]
        self.tmp = [np.empty((n, s), dtype) for s in sizes[1:]]
        self.H = [np.empty((n, s), dtype) for s in sizes[1:]]
        self.ins = [self.X, *self.H[:-1]]  # each layer's input, without the ones
        self.fp = [np.empty((n, s), dtype) for s in sizes[1:]]
        self.E = np.empty((n, sizes[-1]), dtype)
        self.Y = np.empty((n, sizes[-1]), dtype)
        self.D = [np.empty((n, s), dtype) for s in sizes[1:]]
        self.GT = [np.empty((b, a), dtype) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        self.ones = np.ones(n, dtype)  # the column of ones: the bias row's gradient is 1^T delta
        self.out_uses_fp = out_takes_fprime
        if not self.out_uses_fp:
            self.D[-1] = self.E  # delta_out is y - yhat itself


class NumpyEngine:
    """The NumPy loop over a session's state (see the module doc)."""

    name = "numpy"

    def __init__(self, session: TrainingSession):
        self.s = session
        arch = session.net.arch
        self.layer_acts = [acts.ACTIVATIONS[a] for a in arch.layer_activations]
        self.loss = losses.LOSS_FUNCTIONS[arch.loss]
        self.out_takes_fprime = losses.output_takes_fprime(arch.loss, arch.output_activation)
        self._buffers: dict[int, _Buffers] = {}
        full = self._buffers_for(session.n)
        np.copyto(full.X, session.X1[:, 1:])
        np.copyto(full.Y, session.Y)

    def _buffers_for(self, n: int) -> _Buffers:
        buf = self._buffers.get(n)
        if buf is None:
            buf = self._buffers[n] = _Buffers(self.s.net.arch.sizes, n, self.s._params.dtype, self.out_takes_fprime)
        return buf

    def _next_batch(self) -> tuple[_Buffers, np.ndarray | None]:
        """Buffers filled with the next batch (None: the full training set)."""
        s = self.s
        b = s.batch_size
        if b == s.n:
            return self._buffers[s.n], None
        if s._pos >= s.n:
            s._order = s.rng.permutation(s.n)
            s._pos = 0
        rows = s._order[s._pos : s._pos + b]
        s._pos += rows.size
        buf = self._buffers_for(rows.size)
        np.take(s.X1[:, 1:], rows, axis=0, out=buf.X)
        np.take(s.Y, rows, axis=0, out=buf.Y)
        return buf, rows

    def _forward_backward(self, buf: _Buffers) -> float:
        """Forward pass, error, deltas and gradients (into the session's grad); returns the mse."""
        W = self.s._W
        grads = self.s._grads
        fs = self.layer_acts
        L = len(W)
        for li in range(L):
            np.dot(buf.ins[li], W[li][1:], out=buf.A[li])
            buf.A[li] += W[li][0]
            fs[li].forward(buf.A[li], buf.H[li], buf.tmp[li])
        E = buf.E
        np.subtract(buf.Y, buf.H[-1], out=E)
        mse = float(np.vdot(E, E)) / E.size
        if buf.out_uses_fp:
            fs[-1].deriv(buf.A[-1], buf.H[-1], buf.fp[-1])
            self.loss.output_delta(E, buf.fp[-1], buf.D[-1])
        for li in range(L - 1, -1, -1):
            # input^T delta computed transposed, delta^T input, and copied back: OpenBLAS took 45 ms
            # instead of 55 for 784 x 10,000 x 128 in float64 (24.5 and 26.4 in float32)
            np.dot(buf.D[li].T, buf.ins[li], out=buf.GT[li])
            np.copyto(grads[li][1:], buf.GT[li].T)
            np.dot(buf.ones, buf.D[li], out=grads[li][0])  # BLAS: 3x np.sum(axis=0) in float32
            if li:
                np.dot(buf.D[li], W[li][1:].T, out=buf.D[li - 1])
                fs[li - 1].deriv(buf.A[li - 1], buf.H[li - 1], buf.fp[li - 1])
                buf.D[li - 1] *= buf.fp[li - 1]
        return mse

    def run(self, n: int, mses: np.ndarray, rates: np.ndarray | None,
            interrupt: np.ndarray | None = None) -> tuple[int, str | None]:
        """Up to n iterations, mse of each into mses; (done, why it stopped)."""
        s = self.s
        thr = s.config.threshold
        lr = s.config.lr
        for i in range(n):
            if interrupt is not None and interrupt[0]:
                return i, "interrupted"
            buf, _ = self._next_batch()
            mse = self._forward_backward(buf)
            if not math.isfinite(mse):
                return i, "diverged"
            g = s._penalised()
            if thr is not None and updates.largest_gradient(g) < thr:
                return i, "threshold"
            mses[i] = mse
            # a Python float: in float32 the product is float32 (NEP 50), as in the kernel
            s._update(g, lr if rates is None else float(rates[i]))
        return n, None

    def step(self, rates: np.ndarray | None) -> tuple[dict, np.ndarray | None, float]:
        """One iteration with every matrix kept: (matrices, rows or None, mse)."""
        s = self.s
        buf, rows = self._next_batch()
        mse = self._forward_backward(buf)
        if not math.isfinite(mse):
            raise FloatingPointError(s._diverged_message())
        s._update(s._penalised(), s.config.lr if rates is None else float(rates[0]))
        fp = list(buf.fp)
        if not buf.out_uses_fp:
            fp[-1] = np.ones_like(buf.A[-1])
        ones = np.ones((buf.n, 1), buf.X.dtype)
        ins = [np.hstack([ones, x]) for x in buf.ins]  # [1, H], as the post writes each layer's input
        mats = {"ins": ins, "A": buf.A, "H": buf.H, "fp": fp, "D": buf.D, "Y": buf.Y, "E": buf.E}
        return mats, rows, mse

    def warm_up(self) -> None:
        """Nothing to load."""


# -- numba ---------------------------------------------------------------------------------


class _KernelBuffers:
    """The numba kernel's flat buffers for ``cap`` rows (kernel.buffer_sizes): one block of
    rows while it runs, a whole batch when it traces one iteration."""

    def __init__(self, sizes: tuple[int, ...], cap: int, dtype: np.dtype, inputs: bool = True):
        from .kernel import buffer_sizes

        self.sizes = sizes
        lengths = buffer_sizes(sizes, cap)
        # the batch's [1, X]^T: gathered rows (mini-batches) or the trace's copy; a full batch
        # is read in place
        self.xb = np.zeros(lengths["xb"] if inputs else 0, dtype)
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


class NumbaEngine:
    """kernel.train over a session's state (see the module doc)."""

    name = "numba"

    def __init__(self, session: TrainingSession):
        self.s = session
        self._kbuffers: dict[tuple[int, bool], _KernelBuffers] = {}  # by (rows, with the inputs' buffer)
        self._kargs: dict[tuple, dict] = {}

    def run(self, n: int, mses: np.ndarray, rates: np.ndarray | None, interrupt: np.ndarray | None = None,
            trace: bool = False, warm: bool = False) -> tuple[int, str | None]:
        """The iterations in kernel.train, an epoch of mini-batches per call at most (the
        order is drawn here, from the session's generator, as the NumPy engine does);
        ``warm``: one call of no iteration, to load the kernel (no order drawn, nothing changed)."""
        from . import kernel

        s = self.s
        b = s.batch_size
        mini = b < s.n
        threshold = 0.0 if trace or s.config.threshold is None else float(s.config.threshold)
        args = self._kernel_args(b, trace)
        if rates is None:
            rates = _NO_RATES
            args["hyper"][0] = s.config.lr
        # a trace is never cut short (the inspector needs the whole iteration)
        flag = _NEVER if trace or interrupt is None else interrupt
        memory = s.memory
        # the full batch is read in place, block by block; a mini-batch is gathered from X1 and Y
        blocks = (s.X1[:0].ravel(), s.Y[:0].ravel()) if mini else s._blocked(args["block"])
        done = 0
        while done < n or warm:
            warm = False
            if mini and s._pos >= s.n and done < n:
                s._order = s.rng.permutation(s.n)
                s._pos = 0
            s._order = np.ascontiguousarray(s._order, dtype=np.int64)
            d, pos, status = kernel.train(
                s._params, args["sizes"], args["codes"], args["out_fp"], s.X1, s.Y, *blocks, s._order,
                s._pos, b, args["block"], trace, *args["buffers"], s.grad, s._gtmp, s.step_buf,
                memory["velocity"], memory["rprop_steps"], memory["rprop_old"], args["algorithm"], args["hyper"],
                threshold, n - done, mses[done:], s._mask, rates[done:] if rates.size else rates, flag)
            done += d
            if mini:
                s._pos = int(pos)
            if status == kernel.DIVERGED:
                return done, "diverged"
            if status == kernel.THRESHOLD:
                return done, "threshold"
            if status == kernel.INTERRUPTED:
                return done, "interrupted"
        return done, None

    def warm_up(self) -> None:
        """Load the compiled kernel now (numba's cache, or a compile), so that no timed run pays
        for it: the first run of a process took 0.18 s instead of 0.02 s on iris.  Changes nothing."""
        self.run(0, np.empty(0), None, warm=True)

    def _kernel_args(self, b: int, trace: bool) -> dict:
        """The kernel's arguments besides the session's own arrays, for batches of b rows
        (made once per batch size, mode and configuration)."""
        key = (b, trace, self.s.config, self.s.interruptible)
        args = self._kargs.get(key)
        if args is None:
            args = self._kargs[key] = self._make_kernel_args(b, trace)
        return args

    def _make_kernel_args(self, b: int, trace: bool) -> dict:
        from . import kernel

        s = self.s
        arch = s.net.arch
        sizes = arch.sizes
        block = kernel.block_rows(sizes, b, s.interruptible)
        inputs = trace or b < s.n
        key = (b if trace else block, inputs)
        kb = self._kbuffers.get(key)
        if kb is None:
            kb = self._kbuffers[key] = _KernelBuffers(sizes, b if trace else block, s._params.dtype, inputs)
        cfg = s.config
        refused = kernel.refusal(arch.layer_activations, arch.loss, cfg.algorithm)
        if refused:
            raise ValueError(refused)
        return {
            "sizes": np.array(sizes, dtype=np.int64),
            "codes": np.array([kernel.ACTIVATION_CODES[a] for a in arch.layer_activations], dtype=np.int64),
            "out_fp": losses.output_takes_fprime(arch.loss, arch.output_activation),
            "block": block,
            "buffers": (kb.xb, kb.hin, kb.A, kb.fp, kb.D, kb.Hout, kb.E, kb.Yb),
            "kb": kb,
            "algorithm": kernel.ALGORITHM_CODES[cfg.algorithm],
            "hyper": np.array([cfg.lr, cfg.momentum, updates.RPROP_PLUS, updates.RPROP_MINUS, updates.RPROP_MAX_STEP,
                               updates.RPROP_MIN_STEP, cfg.l1, cfg.l2], dtype=s._params.dtype),
        }

    def step(self, rates: np.ndarray | None) -> tuple[dict, np.ndarray | None, float]:
        """One kernel iteration in trace mode: the same arithmetic as run(1), every matrix kept."""
        s = self.s
        b = s.batch_size
        mini = b < s.n
        if mini and s._pos >= s.n:
            s._order = s.rng.permutation(s.n)
            s._pos = 0
        start = s._pos
        m = min(b, s.n - start) if mini else s.n
        mses = np.empty(1)
        done, stopped = self.run(1, mses, rates, trace=True)
        if stopped == "diverged":
            raise FloatingPointError(s._diverged_message())
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
        rows = s._order[start : start + m].copy() if mini else None
        return mats, rows, float(mses[0])
