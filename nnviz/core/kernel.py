"""The training loop compiled with numba: training.py's arithmetic, without the GIL.

``train`` performs up to N iterations of ``TrainingSession``'s algorithm (forward,
error, deltas, gradient, then the gd / momentum, rprop+ or rprop- update) in one
call compiled with ``@njit(nogil=True, cache=True)``: while it runs, the GIL is
free for the window's thread.  The NumPy loop in training.py stays the readable
reference; the tests require both to give the same weights.

Conventions are the post's (see network.py): the weights are the flat ``params``
vector, matrix l being the next (n_in + 1) * n_out values reshaped; ``sizes``
holds the layer sizes (p, h1, ..., k).  Every buffer is a flat vector cut into
one C-contiguous matrix per layer (``pieces`` below, shared with Python), so
nothing is passed as a list.

Rows go through the network in blocks of ``block`` rows: each block's forward
and backward pass runs in buffers that stay in cache, and its gradient is added
to the iteration's.  With ``trace`` the blocks are written into full-size
buffers instead (row r0 of the batch at row r0), with exactly the same
arithmetic, so ``TrainingSession.step_trace`` can read every matrix of the
iteration that ``run`` would have done.

Small products are plain loops (a BLAS call costs more than it saves below
``BLAS_MIN`` multiply-adds); larger ones go to BLAS through ``np.dot``, which
numba compiles to SciPy's ``cython_blas`` (so SciPy is a dependency).  The
transposed operands (``X.T``, ``W[1:].T``) are Fortran-ordered views: BLAS takes
them as they are, no copy.

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
    numba = None

AVAILABLE = numba is not None

ACTIVATION_CODES = {"sigmoid": 0, "tanh": 1, "relu": 2, "linear": 3, "softmax": 4}
SIGMOID, TANH, RELU, LINEAR, SOFTMAX = range(5)
ALGORITHM_CODES = {"gd": 0, "rprop+": 1, "rprop-": 2}
GD, RPROP_PLUS, RPROP_MINUS = range(3)
OK, DIVERGED, THRESHOLD = range(3)  # why train() returned: done (or epoch end), diverged, threshold
BLAS_MIN = 0  # multiply-adds of one product from which np.dot (BLAS) is used (measured: always)
BLOCK_FLOATS = 65_536  # about 512 kB of float64 scratch per block of rows
# hyper[i], in the working dtype: lr, momentum, then rprop's factors and step bounds
HYPER = ("lr", "momentum", "rprop_plus", "rprop_minus", "rprop_max", "rprop_min")


def _jit(fn):
    # error_model="numpy": a division by zero gives inf as in NumPy, with no check that would
    # stop LLVM from vectorising the loops
    return numba.njit(nogil=True, cache=True, error_model="numpy")(fn) if numba is not None else fn


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

    fast_exp = numba.njit(inline="always", cache=True, error_model="numpy")(_exp_impl)
else:  # pragma: no cover
    fast_exp = math.exp


# -- layout shared with Python ------------------------------------------------

def block_rows(sizes, m: int) -> int:
    """Rows per block for a batch of m rows: about BLOCK_FLOATS floats of buffers, at least 64."""
    per_row = sum(4 * s + 2 for s in sizes[1:]) + 2 * (sizes[0] + 1) + 2 * sizes[-1]
    return int(min(m, max(64, BLOCK_FLOATS // per_row)))


def buffer_sizes(sizes, cap: int) -> dict:
    """Lengths of the flat buffers for ``cap`` rows (see ``pieces``)."""
    L = len(sizes) - 1
    return {
        "xb": cap * (sizes[0] + 1),  # a gathered mini-batch, ones column first
        "hin": cap * sum(s + 1 for s in sizes[1:L]),  # [1, H_l] of the hidden layers
        "A": cap * sum(sizes[1:]),  # A, f'(A) and delta of every layer
        "out": cap * sizes[-1],  # Yhat, E and the gathered Y
    }


def pieces(flat: np.ndarray, cap: int, widths) -> list[np.ndarray]:
    """Views of ``flat`` as consecutive (cap, w) matrices, one per width (the kernel's layout)."""
    out, start = [], 0
    for w in widths:
        out.append(flat[start : start + cap * w].reshape(cap, w))
        start += cap * w
    return out


# -- the pieces of one iteration ---------------------------------------------

@_jit
def _matmul(X, W, out):
    """out = X @ W; X (k, a), W (a, b), out (k, b)."""
    k, a = X.shape
    b = W.shape[1]
    if k * a * b >= BLAS_MIN:
        np.dot(X, W, out)
        return
    for i in range(k):
        for j in range(b):
            out[i, j] = 0.0
        for p in range(a):
            x = X[i, p]
            for j in range(b):
                out[i, j] += x * W[p, j]


@_jit
def _matmul_tn(X, D, out):
    """out = X^T @ D (the gradient input^T delta); X (k, a), D (k, b), out (a, b)."""
    k, a = X.shape
    b = D.shape[1]
    if k * a * b >= BLAS_MIN:
        np.dot(X.T, D, out)
        return
    out[:, :] = 0.0
    for i in range(k):
        for p in range(a):
            x = X[i, p]
            for j in range(b):
                out[p, j] += x * D[i, j]


@_jit
def _matmul_nt(D, W, out):
    """out = D @ W[1:]^T (delta back through the weights, without the bias row); out (k, a)."""
    k, b = D.shape
    a = out.shape[1]
    if k * a * b >= BLAS_MIN:
        np.dot(D, W[1:].T, out)
        return
    for i in range(k):
        for p in range(a):
            s = D[i, 0] * W[p + 1, 0]
            for j in range(1, b):
                s += D[i, j] * W[p + 1, j]
            out[i, p] = s


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
def _softmax(A, H):
    """H = softmax(A), row by row, shifted by the row's largest value."""
    k, b = A.shape
    for i in range(k):
        top = A[i, 0]
        for j in range(1, b):
            if A[i, j] > top:
                top = A[i, j]
        total = 0.0
        for j in range(b):
            H[i, j] = fast_exp(float(A[i, j] - top))
            total += H[i, j]
        for j in range(b):
            H[i, j] = H[i, j] / total


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
def _offsets(sizes, cap, offs):
    """Into offs[0], offs[1], offs[2] (each L + 1 long): the start of layer l's matrix in params,
    in the A / fp / D buffers and, for l >= 1, of its input [1, H_{l-1}] in hin."""
    L = sizes.size - 1
    offs[:, 0] = 0
    for l in range(L):
        offs[0, l + 1] = offs[0, l] + (sizes[l] + 1) * sizes[l + 1]
        offs[1, l + 1] = offs[1, l] + cap * sizes[l + 1]
        offs[2, l + 1] = offs[2, l] + (cap * (sizes[l] + 1) if l >= 1 else 0)


@_jit
def forward_backward(params, sizes, codes, out_fp, X1, Y, order, pos, m, gather, block, trace,
                     xb, hin, A, fp, D, Hout, E, Yb, grad, gtmp, offs):
    """One batch of m rows (order[pos:pos + m] with ``gather``, else all of X1): the forward pass,
    the error and the deltas; the gradient input^T delta (= -dC/dW) goes to ``grad``.
    Returns sum((y - yhat)^2) in float64.

    A hidden layer's H = f(A) is computed into its f'(A) buffer (contiguous, so the loop is
    vectorised), copied into [1, H], and turned into f'(A) in place on the way back."""
    L = sizes.size - 1
    cap = m if trace else min(block, m)
    _offsets(sizes, cap, offs)
    woff, aoff, hoff = offs[0], offs[1], offs[2]
    p1 = sizes[0] + 1
    kout = sizes[L]
    sse = 0.0
    r0 = 0
    while r0 < m:
        k = min(block, m - r0)
        base = r0 if trace else 0
        if gather:
            Xin = xb[: cap * p1].reshape(cap, p1)[base : base + k]
            Yk = Yb[: cap * kout].reshape(cap, kout)[base : base + k]
            for i in range(k):
                r = order[pos + r0 + i]
                for j in range(p1):
                    Xin[i, j] = X1[r, j]
                for j in range(kout):
                    Yk[i, j] = Y[r, j]
        else:
            Xin = X1[r0 : r0 + k]
            Yk = Y[r0 : r0 + k]
        # forward: A = [1, H] W, H = f(A); [1, H] is the next layer's input
        inp = Xin
        for l in range(L - 1):
            a, b = sizes[l] + 1, sizes[l + 1]
            W = params[woff[l] : woff[l + 1]].reshape(a, b)
            Al = A[aoff[l] : aoff[l + 1]].reshape(cap, b)[base : base + k]
            _matmul(inp, W, Al)
            Hc = fp[aoff[l] : aoff[l + 1]].reshape(cap, b)[base : base + k]
            _activate(codes[l], Al.ravel(), Hc.ravel())
            nxt = hin[hoff[l + 1] : hoff[l + 2]].reshape(cap, b + 1)[base : base + k]
            for i in range(k):
                nxt[i, 0] = 1.0
                for j in range(b):
                    nxt[i, j + 1] = Hc[i, j]
            inp = nxt
        Aout = A[aoff[L - 1] : aoff[L]].reshape(cap, kout)[base : base + k]
        W = params[woff[L - 1] : woff[L]].reshape(sizes[L - 1] + 1, kout)
        _matmul(inp, W, Aout)
        Hk = Hout[: cap * kout].reshape(cap, kout)[base : base + k]
        if codes[L - 1] == SOFTMAX:
            _softmax(Aout, Hk)
        else:
            _activate(codes[L - 1], Aout.ravel(), Hk.ravel())
        # the error and the output delta: (y - yhat) * f'(A_out), or y - yhat itself
        Ek = E[: cap * kout].reshape(cap, kout)[base : base + k]
        e, y, h = Ek.ravel(), Yk.ravel(), Hk.ravel()
        for i in range(e.size):
            e[i] = y[i] - h[i]
            sse += float(e[i]) * float(e[i])
        Dl = Ek
        if out_fp:
            Fk = fp[aoff[L - 1] : aoff[L]].reshape(cap, kout)[base : base + k]
            _derive(codes[L - 1], Aout.ravel(), h, Fk.ravel())
            Dl = D[aoff[L - 1] : aoff[L]].reshape(cap, kout)[base : base + k]
            d, f = Dl.ravel(), Fk.ravel()
            for i in range(d.size):
                d[i] = e[i] * f[i]
        # backward: gradient input^T delta, delta_{l-1} = (delta W^T without the bias row) f'(A)
        for l in range(L - 1, -1, -1):
            a, b = sizes[l] + 1, sizes[l + 1]
            if l == 0:
                inp = Xin
            else:
                inp = hin[hoff[l] : hoff[l + 1]].reshape(cap, a)[base : base + k]
            G = grad[woff[l] : woff[l + 1]]
            if r0 == 0:
                _matmul_tn(inp, Dl, G.reshape(a, b))
            else:
                Gt = gtmp[woff[l] : woff[l + 1]]
                _matmul_tn(inp, Dl, Gt.reshape(a, b))
                for i in range(G.size):
                    G[i] += Gt[i]
            if l:
                W = params[woff[l] : woff[l + 1]].reshape(a, b)
                c = sizes[l]
                Dp = D[aoff[l - 1] : aoff[l]].reshape(cap, c)[base : base + k]
                _matmul_nt(Dl, W, Dp)
                Fp = fp[aoff[l - 1] : aoff[l]].reshape(cap, c)[base : base + k]
                f = Fp.ravel()  # still H_{l-1} from the forward pass
                _derive(codes[l - 1], A[aoff[l - 1] : aoff[l]].reshape(cap, c)[base : base + k].ravel(), f, f)
                d = Dp.ravel()
                for i in range(d.size):
                    d[i] *= f[i]
                Dl = Dp
        r0 += k
    return sse


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
def update(params, grad, step, velocity, rsteps, rold, algorithm, hyper):
    """The optimiser on grad (= -dC/dW), as training.py's _update; the change goes to step."""
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
def train(params, sizes, codes, out_fp, X1, Y, order, pos, batch, block, trace,
          xb, hin, A, fp, D, Hout, E, Yb, grad, gtmp, offs, step, velocity, rsteps, rold,
          algorithm, hyper, threshold, n_iter, mses):
    """Up to n_iter iterations; mses[i] gets the mse of iteration i.

    ``batch`` < number of rows: mini-batches order[pos:pos + batch], and the call
    returns at the end of the epoch (pos reaching the number of rows) so that the
    caller draws the next order.  Returns (iterations done, pos, OK / DIVERGED /
    THRESHOLD); on DIVERGED and THRESHOLD the last batch was evaluated, not applied.
    """
    n = X1.shape[0]
    kout = sizes[sizes.size - 1]
    gather = batch < n
    done = 0
    status = OK
    while done < n_iter:
        if gather and pos >= n:
            break
        m = min(batch, n - pos) if gather else n
        sse = forward_backward(params, sizes, codes, out_fp, X1, Y, order, pos, m, gather, block, trace,
                               xb, hin, A, fp, D, Hout, E, Yb, grad, gtmp, offs)
        if gather:
            pos += m
        mse = sse / (m * kout)
        if not math.isfinite(mse):
            status = DIVERGED
            break
        if threshold > 0.0 and max_abs(grad) < threshold:
            status = THRESHOLD
            break
        mses[done] = mse
        update(params, grad, step, velocity, rsteps, rold, algorithm, hyper)
        done += 1
    return done, pos, status
