"""The training loop compiled with numba: training.py's arithmetic, without the GIL.

``train`` performs up to N iterations of ``TrainingSession``'s algorithm (forward,
error, deltas, gradient, then the gd / momentum, rprop+ or rprop- update) in one
call compiled with ``@njit(nogil=True, cache=True)``: while it runs, the GIL is
free for the window's thread.  The NumPy loop in training.py stays the readable
reference; the tests require both to give the same weights.

Conventions are the post's (see network.py): the weights are the flat ``params``
vector, matrix li being the next (n_in + 1) * n_out values reshaped; ``sizes``
holds the layer sizes (p, h1, ..., k).  Every buffer is a flat vector cut into
one C-contiguous matrix per layer and block of rows, so nothing is passed as a
list.  Inside, matrices are kept transposed (features x rows: [1, X]^T, A^T, H^T,
delta^T), so that the loops run along the rows, which are contiguous and long,
and LLVM vectorises them; ``matrices`` turns them back for Python.

Rows go through the network in blocks of ``block_rows`` rows: each block's forward
and backward pass runs in buffers that stay in cache, and its gradient is added
to the iteration's.  With ``trace`` the blocks are written into full-size
buffers instead (block after block), with exactly the same arithmetic, so
``TrainingSession.step_trace`` can read every matrix of the iteration that
``run`` would have done.

Small products are plain loops (a BLAS call costs more than it saves below
``BLAS_MIN`` multiply-adds); larger ones, and every gradient (a sum over rows), go
to BLAS through ``np.dot``, which numba compiles to calls into SciPy's
``cython_blas`` (so SciPy is a dependency).  The transposed operands (``W.T``,
``DT.T``) are Fortran-ordered views: BLAS takes them as they are, no copy.

Not here: the random mini-batch order (the caller draws it with the session's
NumPy generator, one epoch at a time) and the roll-back after a divergence.
"""

from __future__ import annotations

import math

import numpy as np

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
OK, DIVERGED, THRESHOLD, INTERRUPTED = range(4)  # why train() returned: done (or epoch end), diverged,
# threshold, or interrupted (another thread set interrupt[0]: the unfinished iteration is dropped)
BLAS_MIN = 20_000  # multiply-adds of one product from which np.dot (BLAS) is used (measured)
BLAS_MIN_GRADIENT = 0  # the gradient's sums over rows: BLAS was faster at every size here
BLOCK_FLOATS = 262_144  # about 2 MB of float64 scratch per block of rows...
MIN_BLOCK_ROWS = 1024  # ...but at least this many rows, so that BLAS works on big products,
BLOCK_MACS = 40_000_000  # ...unless that is more multiply-adds (forward) than this, so that an
MIN_WORK_ROWS = 64  # interrupt is seen within a few tens of ms even on 784-256-256-10
# hyper[i], in the working dtype: lr, momentum, then rprop's factors and step bounds, the penalty rates
HYPER = ("lr", "momentum", "rprop_plus", "rprop_minus", "rprop_max", "rprop_min", "l1", "l2")


# LLVM may fuse a * b + c into one FMA instruction (rounded once): faster and as accurate;
# no other fast-math liberty (no reassociation, NaN and inf kept), so results stay deterministic.
FASTMATH = {"contract"}


def _jit(fn):
    # error_model="numpy": a division by zero gives inf as in NumPy, with no check that would
    # stop LLVM from vectorising the loops
    return numba.njit(nogil=True, cache=True, error_model="numpy", fastmath=FASTMATH)(fn) if numba is not None else fn


# -- exp ----------------------------------------------------------------------
# glibc's exp takes about 20 ns a value on this project's machine and cannot be vectorised;
# this one is branch-free (LLVM vectorises the loops that call it), within 1 ulp of NumPy's
# np.exp over the whole range (tested), exact 0 below -745.2 and inf above 709.8.
LOG2E = 1.4426950408889634
LN2_HI = 6.93147180369123816490e-01  # ln 2 split in two (Cody and Waite)
LN2_LO = 1.90821492927058770002e-10

if numba is not None:
    from llvmlite import ir as _ir
    from numba.extending import intrinsic as _intrinsic

    @_intrinsic
    def _f64_from_bits(typingctx, bits):
        """The float64 whose IEEE bits are the int64 ``bits``."""
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], _ir.DoubleType())
        return numba.types.float64(numba.types.int64), codegen

    def _exp_impl(x):
        """exp(x) for float64 x: 2^n exp(r), x = n ln 2 + r, |r| <= ln 2 / 2, Taylor to r^13."""
        y = min(max(x, -745.2), 709.8)
        n = math.floor(y * LOG2E + 0.5)
        r = (y - n * LN2_HI) - n * LN2_LO
        p = 1.0 / 6227020800.0
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        k = np.int64(n)
        half = k >> 1  # 2^n as two factors, so that subnormal results come out right
        e = p * _f64_from_bits((half + 1023) << 52) * _f64_from_bits((k - half + 1023) << 52)
        return e if x == x else x

    fast_exp = numba.njit(inline="always", cache=True, error_model="numpy", fastmath=FASTMATH)(_exp_impl)
else:  # pragma: no cover
    fast_exp = math.exp


# -- layout shared with Python ------------------------------------------------

def block_rows(sizes, m: int) -> int:
    """Rows per block for a batch of m rows: about BLOCK_FLOATS floats of buffers, at least
    MIN_BLOCK_ROWS rows, but at most about BLOCK_MACS multiply-adds of forward pass (at least
    MIN_WORK_ROWS rows): the kernel looks for an interrupt before each block."""
    per_row = sum(4 * s + 2 for s in sizes[1:]) + 2 * (sizes[0] + 1) + 2 * sizes[-1]
    macs = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    rows = min(max(MIN_BLOCK_ROWS, BLOCK_FLOATS // per_row), max(MIN_WORK_ROWS, BLOCK_MACS // macs))
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


# -- the pieces of one iteration ---------------------------------------------
# Matrices are transposed (features x rows): the loops below run along the rows, which are
# contiguous, so LLVM vectorises them; sums over rows keep eight partial sums (in the same
# order every time, so the kernel is deterministic).


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
    """G = XT DT^T, i.e. input^T delta; XT (a, k), DT (b, k), G (a, b)."""
    a, k = XT.shape
    b = DT.shape[0]
    if a * b * k >= BLAS_MIN_GRADIENT:
        np.dot(XT, DT.T, G)
        return
    full = k - k % 8
    for p in range(a):
        x = XT[p]
        for j in range(b):
            d = DT[j]
            s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
            for i in range(0, full, 8):
                s0 += x[i] * d[i]
                s1 += x[i + 1] * d[i + 1]
                s2 += x[i + 2] * d[i + 2]
                s3 += x[i + 3] * d[i + 3]
                s4 += x[i + 4] * d[i + 4]
                s5 += x[i + 5] * d[i + 5]
                s6 += x[i + 6] * d[i + 6]
                s7 += x[i + 7] * d[i + 7]
            s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
            for i in range(full, k):
                s += x[i] * d[i]
            G[p, j] = s


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


@_jit
def _activate(code, a, h):
    """h = f(a) for the activation ``code`` (not softmax), a and h flat; as activations.py."""
    if code == SIGMOID:
        for i in range(a.size):
            h[i] = 1.0 / (1.0 + fast_exp(-float(a[i])))
    elif code == TANH:
        for i in range(a.size):
            h[i] = math.tanh(a[i])
    elif code == RELU:
        for i in range(a.size):
            h[i] = a[i] if a[i] > 0.0 else 0.0
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


@_jit
def _derive(code, a, h, out):
    """out = f'(a), from h = f(a) for sigmoid and tanh, from a for relu; flat (out may be h)."""
    if code == SIGMOID:
        for i in range(a.size):
            out[i] = (1.0 - h[i]) * h[i]
    elif code == TANH:
        for i in range(a.size):
            out[i] = 1.0 - h[i] * h[i]
    elif code == RELU:
        for i in range(a.size):
            out[i] = 1.0 if a[i] > 0.0 else 0.0
    else:
        for i in range(a.size):
            out[i] = 1.0


@_jit
def _derive_times(code, a, h, f, d):
    """f = f'(a) (from h = f(a) for sigmoid and tanh, from a for relu) and d *= f, in one pass."""
    if code == SIGMOID:
        for i in range(a.size):
            g = (1.0 - h[i]) * h[i]
            f[i] = g
            d[i] *= g
    elif code == TANH:
        for i in range(a.size):
            g = 1.0 - h[i] * h[i]
            f[i] = g
            d[i] *= g
    else:  # relu
        for i in range(a.size):
            g = 1.0 if a[i] > 0.0 else 0.0
            f[i] = g
            d[i] *= g


@_jit
def _offsets(sizes, cap, offs):
    """Into offs[0], offs[1], offs[2] (each L + 1 long): the start of layer li's matrix in params,
    its region in the A / fp / D buffers and, for li >= 1, the region of its input in hin."""
    L = sizes.size - 1
    offs[:, 0] = 0
    for li in range(L):
        offs[0, li + 1] = offs[0, li] + (sizes[li] + 1) * sizes[li + 1]
        offs[1, li + 1] = offs[1, li] + cap * sizes[li + 1]
        offs[2, li + 1] = offs[2, li] + (cap * (sizes[li] + 1) if li >= 1 else 0)


@_jit
def _rows_into(srcT, dstT, width, order, at, r0, k, gather):
    """k rows (columns of the transposed matrices) into dstT: order[at:at + k] of srcT for a
    mini-batch (gather), else srcT's rows r0 to r0 + k."""
    for f in range(width):
        src, dst = srcT[f], dstT[f]
        if gather:
            for i in range(k):
                dst[i] = src[order[at + i]]
        else:
            for i in range(k):
                dst[i] = src[r0 + i]


@_jit
def _block(flat, start, width, base, k):
    """The (width, k) C-contiguous block at ``base`` rows into a region starting at ``start``."""
    return flat[start + width * base : start + width * (base + k)].reshape(width, k)


@_jit
def forward_backward(params, sizes, codes, out_fp, X1T, YT, order, pos, m, gather, block, trace,
                     xb, hin, A, fp, D, Hout, E, Yb, grad, gtmp, offs, interrupt):
    """One batch of m rows (order[pos:pos + m] with ``gather``, else all of X1T's columns): the
    forward pass, the error and the deltas; the gradient input^T delta (= -dC/dW) goes to
    ``grad``.  Returns sum((y - yhat)^2) in float64.  X1T is [1, X] transposed, YT is Y
    transposed; every buffer holds transposed blocks (see ``matrices``).  Returns -1 without
    finishing when ``interrupt[0]`` is set before a block (nothing is updated yet then)."""
    L = sizes.size - 1
    cap = m if trace else min(block, m)
    _offsets(sizes, cap, offs)
    woff, aoff, hoff = offs[0], offs[1], offs[2]
    p1 = sizes[0] + 1
    kout = sizes[L]
    sse = 0.0
    r0 = 0
    while r0 < m:
        if interrupt[0] != 0:
            return -1.0
        k = min(block, m - r0)
        base = r0 if trace else 0
        XT = _block(xb, 0, p1, base, k)
        YkT = _block(Yb, 0, kout, base, k)
        _rows_into(X1T, XT, p1, order, pos + r0, r0, k, gather)
        _rows_into(YT, YkT, kout, order, pos + r0, r0, k, gather)
        # forward: A = [1, H] W, H = f(A); [1, H] is the next layer's input
        inp = XT
        for li in range(L - 1):
            a, b = sizes[li] + 1, sizes[li + 1]
            W = params[woff[li] : woff[li + 1]].reshape(a, b)
            AT = _block(A, aoff[li], b, base, k)
            _forward_product(W, inp, AT)
            nxt = _block(hin, hoff[li + 1], b + 1, base, k)
            nxt[0, :] = 1.0
            _activate(codes[li], AT.ravel(), nxt[1:].ravel())
            inp = nxt
        a = sizes[L - 1] + 1
        W = params[woff[L - 1] : woff[L]].reshape(a, kout)
        AoT = _block(A, aoff[L - 1], kout, base, k)
        _forward_product(W, inp, AoT)
        HkT = _block(Hout, 0, kout, base, k)
        if codes[L - 1] == SOFTMAX:
            _softmax(AoT, HkT)
        else:
            _activate(codes[L - 1], AoT.ravel(), HkT.ravel())
        # the error and the output delta: (y - yhat) * f'(A_out), or y - yhat itself
        EkT = _block(E, 0, kout, base, k)
        e, y, h = EkT.ravel(), YkT.ravel(), HkT.ravel()
        for i in range(e.size):
            e[i] = y[i] - h[i]
        sse += _sum_squares(e)
        DT = EkT
        if out_fp:
            FkT = _block(fp, aoff[L - 1], kout, base, k)
            _derive(codes[L - 1], AoT.ravel(), h, FkT.ravel())
            DT = _block(D, aoff[L - 1], kout, base, k)
            d, f = DT.ravel(), FkT.ravel()
            for i in range(d.size):
                d[i] = e[i] * f[i]
        # backward: gradient input^T delta, delta_{li-1} = (delta W^T without the bias row) f'(A)
        for li in range(L - 1, -1, -1):
            a, b = sizes[li] + 1, sizes[li + 1]
            inp = XT if li == 0 else _block(hin, hoff[li], a, base, k)
            G = grad[woff[li] : woff[li + 1]]
            if r0 == 0:
                _gradient_product(inp, DT, G.reshape(a, b))
            else:
                Gt = gtmp[woff[li] : woff[li + 1]]
                _gradient_product(inp, DT, Gt.reshape(a, b))
                for i in range(G.size):
                    G[i] += Gt[i]
            if li:
                W = params[woff[li] : woff[li + 1]].reshape(a, b)
                c = sizes[li]
                DpT = _block(D, aoff[li - 1], c, base, k)
                _backward_product(W, DT, DpT)
                _derive_times(codes[li - 1], _block(A, aoff[li - 1], c, base, k).ravel(), inp[1:].ravel(),
                              _block(fp, aoff[li - 1], c, base, k).ravel(), DpT.ravel())
                DT = DpT
        r0 += k
    return sse


@_jit
def _sum_squares(e):
    """sum(e^2) in float64, in eight partial sums (always the same order)."""
    full = e.size - e.size % 8
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    for i in range(0, full, 8):
        s0 += float(e[i]) * float(e[i])
        s1 += float(e[i + 1]) * float(e[i + 1])
        s2 += float(e[i + 2]) * float(e[i + 2])
        s3 += float(e[i + 3]) * float(e[i + 3])
        s4 += float(e[i + 4]) * float(e[i + 4])
        s5 += float(e[i + 5]) * float(e[i + 5])
        s6 += float(e[i + 6]) * float(e[i + 6])
        s7 += float(e[i + 7]) * float(e[i + 7])
    s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    for i in range(full, e.size):
        s += float(e[i]) * float(e[i])
    return s


@_jit
def max_abs(v):
    """Largest |v_i| (NaN if any v_i is NaN): neuralnet's reached.threshold."""
    top = 0.0
    for x in v:
        a = abs(x)
        if a > top or a != a:
            top = a
    return top


@_jit
def penalise(params, grad, mask, l1, l2, out):
    """out = grad - (l2 w + l1 sign(w)) * mask: -dJ/dW of the penalised objective, the bias
    rows (mask 0) unpenalised; in training.py's order of operations."""
    for i in range(params.size):
        w = params[i]
        q = l1 if w > 0.0 else (-l1 if w < 0.0 else w - w)  # sign(w) l1 in the working dtype (NaN stays)
        p = w * l2
        p = p + q
        p = p * mask[i]
        out[i] = grad[i] - p


@_jit
def update(params, grad, step, velocity, rsteps, rold, algorithm, hyper):
    """The optimiser on grad (= -dJ/dW), as training.py's _update; the change goes to step."""
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
            gs = -1.0 if g > 0.0 else (1.0 if g < 0.0 else 0.0)
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
            sg = 1.0 if gm > 0.0 else (-1.0 if gm < 0.0 else 0.0)
            s = -(sg * lr_i)
            rold[i] = gm
        step[i] = s
        params[i] += s


@_jit
def train(params, sizes, codes, out_fp, X1T, YT, order, pos, batch, block, trace,
          xb, hin, A, fp, D, Hout, E, Yb, grad, gtmp, offs, step, velocity, rsteps, rold,
          algorithm, hyper, threshold, n_iter, mses, mask, rates, interrupt):
    """Up to n_iter iterations; mses[i] gets the mse of iteration i.

    With l1 / l2 (hyper[6], hyper[7]) the optimiser gets the penalised gradient (``penalise``,
    into gtmp).  ``rates``, when not empty, holds the learning rate of each iteration (the
    schedule's, made by the caller); it replaces hyper[0] iteration by iteration.

    ``batch`` < number of rows: mini-batches order[pos:pos + batch], and the call
    returns at the end of the epoch (pos reaching the number of rows) so that the
    caller draws the next order.  Returns (iterations done, pos, OK / DIVERGED /
    THRESHOLD / INTERRUPTED); on DIVERGED and THRESHOLD the last batch was evaluated, not
    applied.  Another thread may set ``interrupt[0]`` to stop the call within one block of rows
    (about BLOCK_MACS multiply-adds): the iteration under way is dropped, not half-applied.
    """
    n = X1T.shape[1]
    kout = sizes[sizes.size - 1]
    gather = batch < n
    done = 0
    status = OK
    l1, l2 = hyper[6], hyper[7]
    regularised = l1 != 0.0 or l2 != 0.0
    while done < n_iter:
        if gather and pos >= n:
            break
        m = min(batch, n - pos) if gather else n
        sse = forward_backward(params, sizes, codes, out_fp, X1T, YT, order, pos, m, gather, block, trace,
                               xb, hin, A, fp, D, Hout, E, Yb, grad, gtmp, offs, interrupt)
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
