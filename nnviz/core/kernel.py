"""The training loop compiled with numba: the same iteration as the NumPy engine, without the GIL.

``train`` performs up to N iterations (forward, error, deltas, gradient, penalty, then the
update rule) in one call compiled with ``@njit(nogil=True, cache=True)``: while it runs, the
GIL is free for the window's thread.  What it computes is defined once elsewhere
(activations.py, losses.py, updates.py, schedules.py); the kernel has its own compiled loops
for what it knows, each held to its definition value by value (tests/core/test_definitions.py:
to the last bit where the operations are the same, within an ulp or two where the kernel's
exp is its own), and refuses the rest in one line (``refusal``).  To teach it an activation
or an update rule: a code in ``ACTIVATION_CODES`` / ``ALGORITHM_CODES`` and a branch in
``_activate`` and ``_derive_times`` / ``update`` (README: "How to add an activation / an
update rule").

Conventions are the post's (see network.py): the weights are the flat ``params`` vector,
matrix li being the next (n_in + 1) * n_out values reshaped; ``sizes`` holds the layer sizes
(p, h1, ..., k).  Inside, matrices are kept transposed (features x rows: [1, X]^T, A^T, H^T,
delta^T), so that the loops run along the rows, which are contiguous and long, and LLVM
vectorises them; ``matrices`` turns them back for Python.  The views of every layer's
matrices are made once per call and block shape, not per iteration (a reshape is a call into
numba's helper library).

Rows go through the network in blocks of ``block_rows`` rows: each block's forward
and backward pass runs in buffers that stay in cache, and its gradient is added
to the iteration's.  A full batch is read in place, from [1, X]^T and Y^T laid out block
by block (``blocked``, made once by the caller); a mini-batch's rows are gathered into a
buffer.  With ``trace`` the blocks are written into full-size
buffers instead (block after block), with exactly the same arithmetic, so
``TrainingSession.step_trace`` can read every matrix of the iteration that
``run`` would have done.

Small products are plain loops (a BLAS call costs more than it saves below
``BLAS_MIN`` multiply-adds); larger ones, and every gradient (a sum over rows), go
to BLAS through ``np.dot``, which numba compiles to calls into SciPy's
``cython_blas`` (so SciPy is a dependency).  The transposed operands (``W.T``,
``DT.T``) are Fortran-ordered views: BLAS takes them as they are, no copy.

Not here: the random mini-batch order (the caller draws it with the session's
NumPy generator, one epoch at a time), the schedule's rates (the caller passes them), and the
roll-back after a divergence.
"""

from __future__ import annotations

import math

import numpy as np

from .fastexp import FASTMATH, fast_exp  # noqa: F401  (fast_exp re-exported: the kernel's exp)

try:  # numba (and SciPy, whose BLAS numba's np.dot calls) are dependencies, but the NumPy
    import numba  # engine works without them
    import scipy.linalg.cython_blas  # noqa: F401
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None  # type: ignore[assignment]

AVAILABLE = numba is not None

ACTIVATION_CODES = {"sigmoid": 0, "tanh": 1, "relu": 2, "linear": 3, "softmax": 4}
SIGMOID, TANH, RELU, LINEAR, SOFTMAX = range(5)
ALGORITHM_CODES = {"gd": 0, "rprop+": 1, "rprop-": 2}
GD, RPROP_PLUS, RPROP_MINUS = range(3)
LOSSES = ("sse", "ce")  # output deltas the kernel forms: (y - yhat) f'(A_out), or y - yhat
OK, DIVERGED, THRESHOLD, INTERRUPTED = range(4)  # why train() returned: done (or epoch end), diverged,
# threshold, or interrupted (another thread set interrupt[0]: the unfinished iteration is dropped)
BLAS_MIN = 20_000  # multiply-adds of one product from which np.dot (BLAS) is used (measured)
BLOCK_FLOATS = 262_144  # about 2 MB of float64 scratch per block of rows...
MIN_BLOCK_ROWS = 600  # ...but at least this many rows, so that BLAS works on big products (measured,
# quiet, one thread, against 300, 1,024 and whole batches: digits 64-128-64-10 0.92-0.95 of one
# 1,797-row block, 784-128-64-10 x 10,000 float32 0.95, float64 1.03 of one 10,000-row block),
BLOCK_MACS = 40_000_000  # ...unless that is more multiply-adds (forward) than this, so that an
MIN_WORK_ROWS = 64  # interrupt is seen within a few tens of ms even on 784-256-256-10
# hyper[i], in the working dtype: lr, momentum, then rprop's factors and step bounds, the penalty rates
HYPER = ("lr", "momentum", "rprop_plus", "rprop_minus", "rprop_max", "rprop_min", "l1", "l2")


def refusal(layer_activations, loss: str, algorithm: str) -> str:
    """Empty when the kernel knows every activation, the loss and the update rule; otherwise
    the one line that says what it does not know."""
    for name in layer_activations:
        if name not in ACTIVATION_CODES:
            return f"the numba engine has no {name} activation (use --engine numpy)"
    if loss not in LOSSES:
        return f"the numba engine has no {loss} loss (use --engine numpy)"
    if algorithm not in ALGORITHM_CODES:
        return f"the numba engine has no {algorithm} update rule (use --engine numpy)"
    return ""


# LLVM may fuse a * b + c into one FMA instruction (rounded once) in the products and in exp
# (``_jit``): faster and as accurate.  The elementwise steps that have a NumPy definition
# (derivatives, error, delta, penalty, update) are compiled without it (``_jit_exact``), so that
# they round exactly as NumPy does, and so is every function that calls them: numba's fast-math
# flags of a caller reach the callees compiled for it (measured: tanh's 1 - h * h became an FMA
# inside a "contract" caller), while a callee keeps its own flags in a plain caller.  No other
# fast-math liberty (no reassociation, NaN and inf kept), so results stay deterministic; the
# one exception is the mse's sum of squares (``_sum_squares``), reported, never used by the
# weights.


def _jit(fn):
    # error_model="numpy": a division by zero gives inf as in NumPy, with no check that would
    # stop LLVM from vectorising the loops
    return numba.njit(nogil=True, cache=True, error_model="numpy", fastmath=FASTMATH)(fn) if numba is not None else fn


def _jit_exact(fn):
    """As _jit, but each operation rounded on its own, as NumPy's ufuncs do (no FMA)."""
    return numba.njit(nogil=True, cache=True, error_model="numpy")(fn) if numba is not None else fn


# -- layout shared with Python ------------------------------------------------

def block_rows(sizes, m: int, interruptible: bool = True) -> int:
    """Rows per block for a batch of m rows: about BLOCK_FLOATS floats of buffers, at least
    MIN_BLOCK_ROWS rows, but, for a session a command may interrupt, at most about BLOCK_MACS
    multiply-adds of forward pass (at least MIN_WORK_ROWS rows): the kernel looks for an
    interrupt before each block."""
    per_row = sum(4 * s + 2 for s in sizes[1:]) + 2 * (sizes[0] + 1) + 2 * sizes[-1]
    rows = max(MIN_BLOCK_ROWS, BLOCK_FLOATS // per_row)
    if interruptible:
        macs = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        rows = min(rows, max(MIN_WORK_ROWS, BLOCK_MACS // macs))
    return int(min(m, rows))


def buffer_sizes(sizes, cap: int) -> dict:
    """Lengths of the flat buffers for ``cap`` rows (see ``matrices``)."""
    L = len(sizes) - 1
    return {
        "xb": cap * (sizes[0] + 1),  # the batch's [1, X], transposed
        "hin": cap * sum(s + 1 for s in sizes[1:L]),  # [1, H_l] of the hidden layers, transposed
        "A": cap * sum(sizes[1:]),  # A, f'(A) and delta of every layer, transposed
        "out": cap * sizes[-1],  # Yhat, E and Y, transposed
    }


def matrices(flat: np.ndarray, m: int, block: int, widths) -> list[np.ndarray]:
    """The (m, w) matrices, one per width, that the kernel left in ``flat`` in trace mode.

    The kernel keeps every matrix transposed, (w, rows), so that its loops run along the
    rows; layer by layer, the blocks of rows follow each other, each a (w, k) C-contiguous
    matrix.  This puts the blocks side by side and transposes back (a copy)."""
    out, start = [], 0
    for w in widths:
        blocks = [flat[start + w * r0 : start + w * (r0 + min(block, m - r0))].reshape(w, -1)
                  for r0 in range(0, m, block)]
        out.append(np.hstack(blocks).T)
        start += m * w
    return out


# -- the elementwise steps, each held to its definition -----------------------------------
# Flat vectors; a layer's matrix is contiguous, so one loop covers it (one loop tail a layer).


@_jit
def _activate(code, a, h):
    """h = f(a) for the activation ``code`` (not softmax), a and h flat: activations.py's
    forward (sigmoid within an ulp or two: its exp is fast_exp)."""
    if code == SIGMOID:
        for i in range(a.size):
            h[i] = 1.0 / (1.0 + fast_exp(-float(a[i])))
    elif code == TANH:
        for i in range(a.size):
            h[i] = math.tanh(a[i])
    elif code == RELU:
        for i in range(a.size):
            x = a[i]
            h[i] = x if x > 0.0 or x != x else 0.0  # as np.maximum(a, 0.0): NaN kept, -0.0 to 0.0
    else:
        for i in range(a.size):
            h[i] = a[i]


@_jit
def _softmax(AT, HT):
    """HT = softmax over each column of AT (each row of A), shifted by the column's largest value."""
    b, k = AT.shape
    for i in range(k):
        top = AT[0, i]
        for j in range(1, b):
            if AT[j, i] > top:
                top = AT[j, i]
        total = 0.0
        for j in range(b):
            HT[j, i] = fast_exp(float(AT[j, i] - top))
            total += HT[j, i]
        for j in range(b):
            HT[j, i] = HT[j, i] / total


@_jit_exact
def _derive(code, a, h, out):
    """out = f'(a): activations.py's deriv, from h = f(a) for sigmoid and tanh, from a for relu
    (in the arrays' own precision, as NumPy computes it)."""
    one, zero = out.dtype.type(1.0), out.dtype.type(0.0)
    if code == SIGMOID:
        for i in range(a.size):
            out[i] = (one - h[i]) * h[i]
    elif code == TANH:
        for i in range(a.size):
            out[i] = one - h[i] * h[i]
    elif code == RELU:
        for i in range(a.size):
            out[i] = one if a[i] > zero else zero
    else:
        for i in range(a.size):
            out[i] = one


@_jit_exact
def _derive_times(code, a, h, f, d):
    """f = f'(a) (as ``_derive``) and d *= f, in one pass: the hidden delta's last step."""
    one, zero = f.dtype.type(1.0), f.dtype.type(0.0)
    if code == SIGMOID:
        for i in range(a.size):
            g = (one - h[i]) * h[i]
            f[i] = g
            d[i] *= g
    elif code == TANH:
        for i in range(a.size):
            g = one - h[i] * h[i]
            f[i] = g
            d[i] *= g
    elif code == RELU:
        for i in range(a.size):
            g = one if a[i] > zero else zero
            f[i] = g
            d[i] *= g
    else:
        for i in range(a.size):
            f[i] = one


@_jit_exact
def _error(y, h, e):
    """e = y - yhat."""
    for i in range(e.size):
        e[i] = y[i] - h[i]


@_jit_exact
def _output_delta(e, f, d):
    """d = (y - yhat) f'(A_out): losses.Loss.output_delta."""
    for i in range(d.size):
        d[i] = e[i] * f[i]


if numba is not None:
    @numba.njit(nogil=True, cache=True, error_model="numpy", fastmath={"reassoc", "contract"})
    def _sum_squares(e):
        """sum(e^2) in float64, in the order LLVM's vectorised loop takes (fixed for a length)."""
        s = 0.0
        for i in range(e.size):
            x = float(e[i])
            s += x * x
        return s
else:  # pragma: no cover
    def _sum_squares(e):
        return float(np.dot(e, e))


@_jit_exact
def max_abs(v):
    """Largest |v_i| (NaN if any v_i is NaN): updates.largest_gradient."""
    top = 0.0
    for x in v:
        a = abs(x)
        if a > top or a != a:
            top = a
    return top


@_jit_exact
def penalise(params, grad, mask, l1, l2, out):
    """out = grad - (l2 w + l1 sign(w)) * mask: updates.penalised, in its order of operations."""
    for i in range(params.size):
        w = params[i]
        q = l1 if w > 0.0 else (-l1 if w < 0.0 else w - w)  # sign(w) l1 in the working dtype (NaN stays)
        p = w * l2
        p = p + q
        p = p * mask[i]
        out[i] = grad[i] - p


@_jit_exact
def update(params, grad, step, velocity, rsteps, rold, algorithm, hyper):
    """The update rule on grad (= -dJ/dW), as updates.py's; the change goes to step and is
    added to params."""
    lr, momentum = hyper[0], hyper[1]
    up, down, top, bottom = hyper[2], hyper[3], hyper[4], hyper[5]
    for i in range(params.size):
        g = grad[i]
        if algorithm == GD:
            s = g * lr
            if momentum != 0.0:
                v = velocity[i] * momentum
                v = v + s
                velocity[i] = v
                s = v
        elif algorithm == RPROP_PLUS:  # neuralnet's plus(); its gradient is -g
            gs = -1.0 if g > 0.0 else (1.0 if g < 0.0 else (-0.0 if g == 0.0 else g))  # -np.sign(g)
            old = rold[i]
            prod = old * gs
            lr_i = rsteps[i]
            if prod > 0.0:
                lr_i = min(lr_i * up, top)
            if prod < 0.0:
                s = old * lr_i  # weight backtracking
                rsteps[i] = max(lr_i * down, bottom)
                rold[i] = 0.0
            else:
                s = -gs * lr_i
                rsteps[i] = lr_i
                rold[i] = gs
        else:  # neuralnet's minus()
            gm = -g
            prod = rold[i] * gm
            lr_i = rsteps[i]
            if prod > 0.0:
                lr_i = min(lr_i * up, top)
            elif prod < 0.0:
                lr_i = max(lr_i * down, bottom)
            rsteps[i] = lr_i
            sg = 1.0 if gm > 0.0 else (-1.0 if gm < 0.0 else (0.0 if gm == 0.0 else gm))  # np.sign(gm)
            s = -(sg * lr_i)
            rold[i] = gm
        step[i] = s
        params[i] += s


# -- the products -----------------------------------------------------------------


@_jit
def _forward_product(W, XT, AT):
    """AT = W^T XT, i.e. A = [1, H] W transposed; W (a, b), XT (a, k), AT (b, k)."""
    a, b = W.shape
    k = XT.shape[1]
    if a * b * k >= BLAS_MIN:
        np.dot(W.T, XT, AT)
        return
    for j in range(b):
        row = AT[j]
        w0 = W[0, j]
        x0 = XT[0]
        for i in range(k):
            row[i] = w0 * x0[i]
        for p in range(1, a):
            w = W[p, j]
            x = XT[p]
            for i in range(k):
                row[i] += w * x[i]


@_jit
def _gradient_product(XT, DT, G):
    """G = XT DT^T, i.e. input^T delta; XT (a, k), DT (b, k), G (a, b).  BLAS at every size:
    no loop we tried was faster, even on iris (a sum over rows does not vectorise without
    reassociation)."""
    np.dot(XT, DT.T, G)


@_jit
def _backward_product(W, DT, DpT):
    """DpT = W[1:] DT, i.e. delta W^T without the bias row, transposed; DpT (a - 1, k)."""
    a, b = W.shape
    k = DT.shape[1]
    if a * b * k >= BLAS_MIN:
        np.dot(W[1:], DT, DpT)
        return
    for c in range(a - 1):
        row = DpT[c]
        w0 = W[c + 1, 0]
        d0 = DT[0]
        for i in range(k):
            row[i] = w0 * d0[i]
        for j in range(1, b):
            w = W[c + 1, j]
            d = DT[j]
            for i in range(k):
                row[i] += w * d[i]


# -- one iteration ----------------------------------------------------------------


@_jit_exact
def _weights(flat, sizes):
    """The weight-shaped matrices of ``flat`` (params, a gradient), one view per layer."""
    L = sizes.size - 1
    out = []
    start = 0
    for li in range(L):
        a, b = sizes[li] + 1, sizes[li + 1]
        out.append(flat[start : start + a * b].reshape(a, b))
        start += a * b
    return out


@_jit_exact
def _views(sizes, cap, base, k, hin, A, fp, D, Hout, E):
    """The transposed matrices of a block of k rows at ``base`` rows into buffers of ``cap``
    rows a layer: (inputs [1, H_l]^T with a place for the block's [1, X]^T first, A^T,
    f'(A)^T, delta^T, yhat^T, E^T) as lists of (width, k) views, and the flat vectors of A,
    f'(A), delta and H of every layer, and of E."""
    L = sizes.size - 1
    kout = sizes[L]
    ins = [A[:0].reshape(0, k)]  # ins[0]: the block's [1, X]^T, set per block (_block_pass)
    As, Fs, Ds = [], [], []
    a_flat, f_flat, d_flat, h_flat = [A[:0]], [A[:0]], [A[:0]], [A[:0]]  # (typed; the first dropped)
    a_off = h_off = 0
    for li in range(L):
        b = sizes[li + 1]
        lo, hi = a_off + b * base, a_off + b * (base + k)  # the flat vectors are slices: no ravel
        a_flat.append(A[lo:hi])
        f_flat.append(fp[lo:hi])
        d_flat.append(D[lo:hi])
        As.append(A[lo:hi].reshape(b, k))
        Fs.append(fp[lo:hi].reshape(b, k))
        Ds.append(D[lo:hi].reshape(b, k))
        a_off += cap * b
        if li < L - 1:
            lo, hi = h_off + (b + 1) * base, h_off + (b + 1) * (base + k)
            hin[lo : lo + k] = 1.0  # the row of ones
            h_flat.append(hin[lo + k : hi])
            ins.append(hin[lo:hi].reshape(b + 1, k))
            h_off += cap * (b + 1)
    lo, hi = kout * base, kout * (base + k)
    h_flat.append(Hout[lo:hi])
    return (ins, As, Fs, Ds, Hout[lo:hi].reshape(kout, k), E[lo:hi].reshape(kout, k), a_flat[1:], f_flat[1:],
            d_flat[1:], h_flat[1:], E[lo:hi])


@_jit_exact
def _block_pass(Ws, Gs, Gts, first, codes, out_fp, XT, y, views):
    """Forward and backward pass of one block of rows ([1, X]^T of the block and its Y^T flat, the
    other matrices in ``views``, see _views): A = [1, H] W, H = f(A), the error and the output
    delta, then per layer the gradient input^T delta (= -dC/dW: into Gs for the first block,
    added to it after) and delta_{l-1} = (delta W^T without the bias row) f'(A).  Returns the
    block's sum of (y - yhat)^2."""
    ins, As, Fs, Ds, HoT, ET, a_flat, f_flat, d_flat, h_flat, e = views
    ins[0] = XT
    L = len(Ws)
    for li in range(L):
        _forward_product(Ws[li], ins[li], As[li])
        if li < L - 1 or codes[li] != SOFTMAX:
            _activate(codes[li], a_flat[li], h_flat[li])
        else:
            _softmax(As[li], HoT)
    _error(y, h_flat[L - 1], e)
    sse = _sum_squares(e)
    DT = ET
    if out_fp:
        _derive(codes[L - 1], a_flat[L - 1], h_flat[L - 1], f_flat[L - 1])
        _output_delta(e, f_flat[L - 1], d_flat[L - 1])
        DT = Ds[L - 1]
    for li in range(L - 1, -1, -1):
        if first:
            _gradient_product(ins[li], DT, Gs[li])
        else:
            _gradient_product(ins[li], DT, Gts[li])
            Gs[li] += Gts[li]
        if li:
            _backward_product(Ws[li], DT, Ds[li - 1])
            _derive_times(codes[li - 1], a_flat[li - 1], h_flat[li - 1], f_flat[li - 1], d_flat[li - 1])
            DT = Ds[li - 1]
    return sse


@_jit_exact
def _gather(src, dstT, order, at):
    """dstT's k columns are the rows order[at:at + k] of src (n, width): a mini-batch, transposed."""
    width, k = dstT.shape
    for i in range(k):
        row = src[order[at + i]]
        for f in range(width):
            dstT[f, i] = row[f]


def blocked(M: np.ndarray, block: int) -> np.ndarray:
    """M (n, w) transposed block by block of rows, as the kernel reads a full batch: the
    (w, k) C-contiguous blocks of rows 0..block, block..2 block, ... one after the other
    (one block: M transposed)."""
    n, w = M.shape
    out = np.empty(n * w, M.dtype)
    for r0 in range(0, n, block):
        k = min(block, n - r0)
        out[w * r0 : w * (r0 + k)].reshape(w, k)[:] = M[r0 : r0 + k].T
    return out


@_jit_exact
def train(params, sizes, codes, out_fp, X1, Y, XB, YB, order, pos, batch, block, trace,
          xb, hin, A, fp, D, Hout, E, Yb, grad, gtmp, step, velocity, rsteps, rold,
          algorithm, hyper, threshold, n_iter, mses, mask, rates, interrupt):
    """Up to n_iter iterations; mses[i] gets the mse of iteration i.

    X1 is [1, X] (n, p + 1) and Y (n, k), read row by row for mini-batches; XB and YB are
    [1, X]^T and Y^T in blocks of ``block`` rows (``blocked``), read in place for the full
    batch.  Every buffer holds transposed blocks (see ``matrices``).  With l1 / l2 (hyper[6],
    hyper[7]) the update rule gets the penalised gradient (``penalise``, into gtmp).
    ``rates``, when not empty, holds the learning rate of each iteration (the schedule's, made
    by the caller); it replaces hyper[0] iteration by iteration.

    ``batch`` < number of rows: mini-batches order[pos:pos + batch], and the call
    returns at the end of the epoch (pos reaching the number of rows) so that the
    caller draws the next order.  Returns (iterations done, pos, OK / DIVERGED /
    THRESHOLD / INTERRUPTED); on DIVERGED and THRESHOLD the last batch was evaluated, not
    applied.  Another thread may set ``interrupt[0]`` to stop the call within one block of rows
    (about BLOCK_MACS multiply-adds): the iteration under way is dropped, not half-applied.
    """
    n = X1.shape[0]
    p1 = sizes[0] + 1
    kout = sizes[sizes.size - 1]
    gather = batch < n
    Ws, Gs, Gts = _weights(params, sizes), _weights(grad, sizes), _weights(gtmp, sizes)
    # the views of the last block's shape are kept for the next (in trace mode every block has
    # its own), and so are the last block's [1, X]^T and Y^T of a full batch (one block: for good)
    views = _views(sizes, 0, 0, 0, hin, A, fp, D, Hout, E)
    shape = (-1, -1, -1)  # (cap, base, k) of the views
    XT = XB[:0].reshape(0, 0)
    y = YB[:0]  # the block's Y^T, flat
    at = -1  # the full batch's row where XT and y start
    done = 0
    status = OK
    l1, l2 = hyper[6], hyper[7]
    regularised = l1 != 0.0 or l2 != 0.0
    while done < n_iter:
        if gather and pos >= n:
            break
        m = min(batch, n - pos) if gather else n
        cap = m if trace else min(block, m)
        sse = 0.0
        r0 = 0
        while r0 < m:  # block after block of rows
            if interrupt[0] != 0:
                sse = -1.0
                break
            k = min(block, m - r0)
            base = r0 if trace else 0
            if shape != (cap, base, k):
                views = _views(sizes, cap, base, k, hin, A, fp, D, Hout, E)
                shape = (cap, base, k)
            if not gather and at != r0:
                XT = XB[p1 * r0 : p1 * (r0 + k)].reshape(p1, k)
                y = YB[kout * r0 : kout * (r0 + k)]
                at = r0
            if gather or trace:  # into the buffers: the batch's rows, or the trace's copy
                XTb = xb[p1 * base : p1 * (base + k)].reshape(p1, k)
                yb = Yb[kout * base : kout * (base + k)]
                if gather:
                    _gather(X1, XTb, order, pos + r0)
                    _gather(Y, yb.reshape(kout, k), order, pos + r0)
                else:
                    XTb[:] = XT
                    yb[:] = y
                sse += _block_pass(Ws, Gs, Gts, r0 == 0, codes, out_fp, XTb, yb, views)
            else:
                sse += _block_pass(Ws, Gs, Gts, r0 == 0, codes, out_fp, XT, y, views)
            r0 += k
        if sse < 0.0:
            status = INTERRUPTED
            break
        if gather:
            pos += m
        mse = sse / (m * kout)
        if not math.isfinite(mse):
            status = DIVERGED
            break
        g = grad
        if regularised:
            penalise(params, grad, mask, l1, l2, gtmp)
            g = gtmp
        if threshold > 0.0 and max_abs(g) < threshold:
            status = THRESHOLD
            break
        mses[done] = mse
        if rates.size:
            hyper[0] = rates[done]
        update(params, g, step, velocity, rsteps, rold, algorithm, hyper)
        done += 1
    return done, pos, status
