"""The measured floor of a full-batch iteration: one fused numba function, nothing else.

The post's iteration (sigmoid everywhere, C = 1/2 sum (y - yhat)^2, W += lr input^T delta)
written as the fastest plain compiled loop we know for small networks: one call for many
iterations, every matrix transposed (features x rows) in flat buffers cut into one view per
layer before the iterations, the sigmoid applied as each row of A is
finished, the branch-free ``kernel.fast_exp`` (within 1 ulp of NumPy's exp), sums over rows
in eight partial sums.  No mini-batches, no other activation or rule, no interrupt, no trace:
it is what nnviz's kernel is measured against (``bench_engines.py --floor``), not a part of
nnviz.  Its weights equal the plain reference's to 1e-12 (``check``).

    python benchmarks/floor_kernel.py      # checks it against the reference, times it on iris
"""

from __future__ import annotations

import time

import numba
import numpy as np

from nnviz.core.kernel import FASTMATH, fast_exp


@numba.njit(nogil=True, cache=True, error_model="numpy", fastmath=FASTMATH)
def fused_train(params, sizes, X1T, YT, lr, n_iter, mses, HT, D, G):
    """n_iter iterations of full-batch gd on the sigmoid network ``sizes`` (p, h1, ..., k).

    params: the flat weights (W_l of shape (sizes[l] + 1, sizes[l + 1]), row 0 the bias);
    X1T (p + 1, n): [1, X] transposed; YT (k, n): Y transposed; HT: [1, H]^T of every hidden
    layer then yhat^T (sum(sizes[1:]) + L - 1 rows of n); D: delta^T of every layer
    (sum(sizes[1:]) rows of n); G: as params.  Views of each layer are made once."""
    L = sizes.size - 1
    n = X1T.shape[1]
    wo = np.zeros(L + 1, np.int64)
    ho = np.zeros(L + 1, np.int64)  # [1, H_l]^T (hidden) or yhat^T in HT
    do = np.zeros(L + 1, np.int64)
    for li in range(L):
        wo[li + 1] = wo[li] + (sizes[li] + 1) * sizes[li + 1]
        ho[li + 1] = ho[li] + (sizes[li + 1] + (li < L - 1)) * n
        do[li + 1] = do[li] + sizes[li + 1] * n
    Ws = [params[wo[li]:wo[li + 1]].reshape(sizes[li] + 1, sizes[li + 1]) for li in range(L)]
    Gs = [G[wo[li]:wo[li + 1]].reshape(sizes[li] + 1, sizes[li + 1]) for li in range(L)]
    Os = [HT[ho[li]:ho[li + 1]].reshape(-1, n) for li in range(L)]
    Ds = [D[do[li]:do[li + 1]].reshape(sizes[li + 1], n) for li in range(L)]
    Ins = [X1T] + [Os[li] for li in range(L - 1)]
    for li in range(L - 1):
        Os[li][0, :] = 1.0
    for it in range(n_iter):
        # forward: A = [1, H] W, H = f(A), row by row of the transposed A, f applied at once
        for li in range(L):
            W, inp, out = Ws[li], Ins[li], Os[li]
            a, b = W.shape
            first = 1 if li < L - 1 else 0
            for j in range(b):
                row = out[first + j]
                w0 = W[0, j]
                for i in range(n):
                    row[i] = w0
                for p in range(1, a):
                    w = W[p, j]
                    x = inp[p]
                    for i in range(n):
                        row[i] += w * x[i]
            h = out[first:].ravel()  # f over the whole layer at once: one loop tail, not one a row
            for i in range(h.size):
                h[i] = 1.0 / (1.0 + fast_exp(-h[i]))
        # the error, its sum of squares, delta_out = (y - yhat) f'(A)
        yhat, y, d = Os[L - 1].ravel(), YT.ravel(), Ds[L - 1].ravel()
        sse = 0.0
        for i in range(yhat.size):
            h = yhat[i]
            e = y[i] - h
            sse += e * e
            d[i] = e * ((1.0 - h) * h)
        mses[it] = sse / yhat.size
        # backward: G = input^T delta (BLAS), delta_{l-1} = (delta W^T without the bias row) f'(A)
        for li in range(L - 1, -1, -1):
            W, DT = Ws[li], Ds[li]
            a, b = W.shape
            np.dot(Ins[li], DT.T, Gs[li])  # BLAS: faster than every loop we tried, even on iris
            if li:
                DP, HP = Ds[li - 1], Ins[li]
                for q in range(a - 1):
                    dq = DP[q]
                    w = W[q + 1, 0]
                    d0 = DT[0]
                    for i in range(n):
                        dq[i] = w * d0[i]
                    for j in range(1, b):
                        w = W[q + 1, j]
                        dj = DT[j]
                        for i in range(n):
                            dq[i] += w * dj[i]
                dp, hp = DP.ravel(), HP[1:].ravel()
                for i in range(dp.size):
                    dp[i] *= (1.0 - hp[i]) * hp[i]
        for i in range(params.size):
            params[i] += lr * G[i]


class Floor:
    """The fused kernel with its buffers, for one network and data set."""

    def __init__(self, sizes, X, Y, W0, lr):
        self.sizes = np.array(sizes, dtype=np.int64)
        X = np.asarray(X, dtype=np.float64)
        self.X1T = np.ascontiguousarray(np.vstack([np.ones(X.shape[0]), X.T]))
        self.YT = np.ascontiguousarray(np.asarray(Y, dtype=np.float64).T)
        self.params = np.concatenate([np.asarray(w, dtype=np.float64).ravel() for w in W0])
        n = X.shape[0]
        self.H = np.zeros((sum(sizes[1:]) + len(sizes) - 2) * n)
        self.D = np.zeros(sum(sizes[1:]) * n)
        self.G = np.zeros_like(self.params)
        self.lr = float(lr)

    def run(self, n: int) -> np.ndarray:
        mses = np.empty(n)
        fused_train(self.params, self.sizes, self.X1T, self.YT, self.lr, n, mses, self.H, self.D, self.G)
        return mses

    def weights(self) -> list[np.ndarray]:
        out, start = [], 0
        for a, b in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            out.append(self.params[start:start + (a + 1) * b].reshape(a + 1, b))
            start += (a + 1) * b
        return out


def check(X, Y, hidden, lr, W0, iterations=300) -> float:
    """Largest |W_floor - W_reference| after ``iterations`` updates."""
    from nnviz.core.reference import train_reference

    sizes = (X.shape[1], *hidden, Y.shape[1])
    f = Floor(sizes, X, Y, W0, lr)
    f.run(iterations)
    W_ref, _ = train_reference(X, Y, W0, lr, iterations)
    return max(float(np.abs(a - b).max()) for a, b in zip(f.weights(), W_ref, strict=True))


def main() -> None:
    from nnviz.core.experiment import Experiment, Settings

    e = Experiment(Settings(data="iris", seed=1))
    W0 = [w.copy() for w in e.network.weights]
    print(f"iris 4-6-6-3: max |W_floor - W_reference| after 300 iterations {check(e.X_train, e.Y_train, (6, 6), 0.02, W0):.1e}")
    f = Floor((4, 6, 6, 3), e.X_train, e.Y_train, W0, 0.02)
    f.run(10)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        f.run(20_000)
        times.append((time.perf_counter() - t0) / 20_000)
    print(f"fused floor on iris: {np.median(times) * 1e6:.2f} us per iteration (median of 5)")


if __name__ == "__main__":
    main()
